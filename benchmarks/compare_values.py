"""Check that a change to one family of checks leaves their raw values unchanged.

Measures a family's checks twice: with the current code, and with the current code in which
the family's own modules are taken from an earlier commit. Everything else (face detection,
landmarks, the shared analysis) is the same on both sides, so only the family's changes are
compared. Every photo of the development set is measured whole; for ``features`` also cut
three ways (top 10% and 22% removed, left 30% removed), so that the branches for regions
partly outside the photo run too. Prints a JSON summary and every difference (a relative
difference of 1e-6 or more, a different type or reason, a value on one side only); exits 1
when there is any.

Usage::

    uv run python benchmarks/compare_values.py --family lighting --before REV
    uv run python benchmarks/compare_values.py --family features --before REV
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PHOTOS = ROOT.parent / "shared" / "data" / "photos"
# family -> (its modules under src/photocheck, its checks, whether to measure cut copies too)
FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "lighting": (
        ("scores/lighting.py", "scores/colour.py", "scores/compression.py", "checks/lighting.py"),
        ("lighting.uniformity", "lighting.hotspots", "background.shadow", "colour.natural",
         "eyes.red", "image.compression"),
        False,
    ),
    "features": (
        ("scores/features.py", "checks/features.py"),
        ("eyes.open", "eyes.visible", "mouth.closed", "accessory.glasses",
         "accessory.sunglasses", "accessory.headwear"),
        True,
    ),
}  # fmt: skip

# Run in a child process, so that each side imports its own copy of photocheck.
_DUMP = """
import json, sys
from pathlib import Path
import numpy as np
import photocheck
from photocheck.analysis import Analysis
from photocheck.rules.registry import get_check

checks, with_cuts = json.loads(sys.argv[2]), sys.argv[3] == "1"
out = {}
for path in sorted(Path(sys.argv[1]).iterdir()):
    try:
        rgb = photocheck.load_image(path).rgb
    except photocheck.PhotocheckError as exc:
        out[path.name] = {"error": type(exc).__name__}
        continue
    h, w = rgb.shape[:2]
    cuts = {"whole": rgb}
    if with_cuts:
        cuts.update(top10=rgb[int(0.1 * h):], top22=rgb[int(0.22 * h):],
                    left30=rgb[:, int(0.3 * w):])
    for cut, image in cuts.items():
        analysis = Analysis(photocheck.load_image(np.ascontiguousarray(image)))
        result = out[path.name if cut == "whole" else f"{path.name}:{cut}"] = {}
        for check in checks:
            m = get_check(check).measure(analysis)
            result[check] = {
                "reason": m.reason,
                "values": {k: [type(v).__name__, v] for k, v in m.values.items()},
            }
print(json.dumps(out))
"""


def measure(photos: Path, family: str, pythonpath: Path | None) -> dict[str, Any]:
    """Raw values of the family's checks on every photo (and cut), from a child process."""
    _, checks, with_cuts = FAMILIES[family]
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _DUMP, str(photos), json.dumps(checks),
         "1" if with_cuts else "0"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def old_tree(commit: str, family: str, into: Path, name: str = "photocheck") -> Path:
    """The current package with the family's modules as they were at ``commit``.

    It is written to ``into / name`` (another ``name`` lets one process import both).
    """
    package = into / name
    shutil.copytree(ROOT / "src" / "photocheck", package)
    for module in FAMILIES[family][0]:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{commit}:src/photocheck/{module}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (package / module).write_text(source, encoding="utf-8")
    return into


def differences(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, float, list[str]]:
    """Count the values compared, the largest relative difference, and list the differences."""
    compared, largest, found = 0, 0.0, []
    for photo, checks in before.items():
        if "error" in checks or "error" in after[photo]:
            if checks != after[photo]:
                found.append(f"{photo}: {checks} -> {after[photo]}")
            continue
        for check, old in checks.items():
            new = after[photo][check]
            if old["reason"] != new["reason"]:
                found.append(f"{photo} {check}: reason {old['reason']!r} -> {new['reason']!r}")
            for name in sorted(set(old["values"]) | set(new["values"])):
                if name not in old["values"] or name not in new["values"]:
                    side = "after" if name in new["values"] else "before"
                    found.append(f"{photo} {check}.{name}: only {side}")
                    continue
                (old_type, a), (new_type, b) = old["values"][name], new["values"][name]
                compared += 1
                if old_type != new_type:
                    found.append(f"{photo} {check}.{name}: type {old_type} -> {new_type}")
                elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
                    rel = abs(a - b) / max(abs(a), abs(b), 1e-12)
                    largest = max(largest, rel)
                    if rel >= 1e-6:
                        found.append(f"{photo} {check}.{name}: {a} -> {b}")
                elif a != b:
                    found.append(f"{photo} {check}.{name}: {a!r} -> {b!r}")
    return compared, largest, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES))
    parser.add_argument("--before", required=True, help="commit whose family modules to compare")
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    args = parser.parse_args(argv)
    images = args.photos / "img"
    if not images.is_dir():
        print(f"no photos at {images}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        before = measure(images, args.family, old_tree(args.before, args.family, Path(tmp)))
    after = measure(images, args.family, None)
    compared, largest, found = differences(before, after)
    assessed = sum(
        check["reason"] is None
        for checks in after.values()
        if "error" not in checks
        for check in checks.values()
    )
    summary = {
        "family": args.family,
        "before": args.before,
        "inputs": len(before),
        "assessed_check_results": assessed,
        "values_compared": compared,
        "differences": len(found),
        "largest_relative_difference": largest,
    }
    print(json.dumps(summary, indent=2))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
