"""What a fresh process loads and prints: no dlib on the validate() path, a quiet command line.

``dlib`` and ``face_recognition`` stay installed for later identity work, but checking a photo
must not import them (dlib alone adds about 0.06 s and 8 MB to a process here;
face_recognition loads four models at import).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "photos"
NOT_ON_THE_PATH = ("dlib", "face_recognition", "face_recognition_models")

_VALIDATE = r"""
import json, sys
import photocheck

photo = sys.argv[1]
statuses = {}
for profile in photocheck.available_profiles():
    statuses[profile] = photocheck.validate(photo, profile).ok
measured = photocheck.measure(photo)  # every registered check, not just a profile's
print(json.dumps({
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in NOT_ON_THE_PATH),
    "checks": len(measured.by_check),
    "profiles": sorted(statuses),
}))
"""


def test_validate_and_measure_import_neither_dlib_nor_face_recognition() -> None:
    code = f"NOT_ON_THE_PATH = {NOT_ON_THE_PATH!r}\n{_VALIDATE}"
    done = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "compliant_icao.jpg")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["loaded"] == []
    assert report["checks"] > 20
    assert {"icao", "cn-social-security"} <= set(report["profiles"])


def test_check_command_prints_nothing_on_stderr() -> None:
    script = Path(sys.executable).parent / ("photocheck.exe" if os.name == "nt" else "photocheck")
    assert script.exists(), f"the photocheck entry point is not installed beside {sys.executable}"
    done = subprocess.run(
        [str(script), "check", str(EXAMPLES / "compliant_icao.jpg"), str(EXAMPLES / "blurred.jpg")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout  # the verdicts
    assert done.stderr == ""


_WITH_REFERENCE = r"""
import json, sys
import photocheck

photo = sys.argv[1]
before = sorted(m for m in sys.modules if m.split(".")[0] == "dlib")
verdict = photocheck.validate(photo, "icao", reference=photo)
print(json.dumps({
    "before": before,
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"dlib", "face_recognition", "face_recognition_models", "pkg_resources"}),
    "status": verdict["identity.same_person"].status,
}))
"""


def test_a_reference_loads_dlib_but_neither_face_recognition_nor_pkg_resources() -> None:
    """The encoder loads only with a reference, and reads its model files without the
    face_recognition package (four models at import) or pkg_resources (gone from setuptools 82)."""
    done = subprocess.run(
        [sys.executable, "-c", _WITH_REFERENCE, str(EXAMPLES / "compliant_icao.jpg")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["before"] == []
    assert report["loaded"] == ["dlib"]
    assert report["status"] == "pass"
    assert done.stderr == ""
