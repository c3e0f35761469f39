"""Benchmark validate() on a 600 x 800 JPEG portrait against a floor measured in the same run.

The floor is the unavoidable work: JPEG decode, dlib HOG detection at photocheck's working
width and dlib's own 68-point shape predictor, called directly (photocheck runs the same
trees in NumPy, so a slower landmark step shows in the ratio). Absolute times on shared machines are noisy, so
the figure that matters is the ratio. Also measures ``import photocheck`` and the first
``validate()`` in a fresh process (models loading).

    uv run python benchmarks/bench_validate.py [--quick] [--json out.json]

Exits 1 only on a gross regression: validate() slower than MAX_RATIO x the floor.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

import photocheck

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "photos" / "compliant_icao.jpg"
GOAL_RATIO = 1.5
MAX_RATIO = 4.0  # gross regression: fail CI


def portrait_jpeg() -> bytes:
    """The compliant example resized to 600 x 800 and encoded as JPEG (quality 90)."""
    image = Image.open(EXAMPLE).convert("RGB").resize((600, 800), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def floor_once(data: bytes, detector, predictor) -> None:
    import cv2
    import dlib

    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # photocheck's working resolution for a 600 px wide photo: halved to 300 px.
    small = cv2.resize(grey, (300, 400), interpolation=cv2.INTER_AREA)
    rects = detector(small, 0)
    scale = 2.0
    for r in rects[:1]:
        box = dlib.rectangle(
            *(round(v * scale) for v in (r.left(), r.top(), r.right(), r.bottom()))
        )
        predictor(grey, box)


def interleaved_medians(functions: list, repeats: int) -> list[float]:
    """Median time of each function, run in turn within every repetition.

    Interleaving puts the floor and the runs compared with it under the same bursts of load
    from other tenants of a shared machine, which blocks of repetitions do not.
    """
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for fn, bucket in zip(functions, times, strict=True):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def fresh_process(code: str, repeats: int, *, bytecode_cache: bool = True) -> float:
    """Median wall time of ``code`` run in new interpreters.

    With ``bytecode_cache`` (the state of an installed package: pip and ``uv sync
    --compile-bytecode`` compile at install, and Python caches on first import) the runs share
    a fresh ``PYTHONPYCACHEPREFIX`` filled by one untimed run first. Without it they compile
    every module of photocheck, NumPy, OpenCV and Pillow from source (about 0.7 s here), which
    is what an environment with ``PYTHONDONTWRITEBYTECODE=1`` pays on every start.
    """
    import os
    import tempfile

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as cache:
        if bytecode_cache:
            env["PYTHONPYCACHEPREFIX"] = cache
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)

        def run() -> float:
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"import time; t=time.perf_counter()\n{code}\nprint(time.perf_counter()-t)",
                ],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            return float(out.stdout.strip().splitlines()[-1])

        if bytecode_cache:
            run()
        return statistics.median(run() for _ in range(repeats))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    repeats = 15 if args.quick else 60
    data = portrait_jpeg()
    import dlib

    from photocheck.vision.dlib_faces import _model_dir, load_models

    detector, _ = load_models()
    predictor = dlib.shape_predictor(str(_model_dir() / "shape_predictor_68_face_landmarks.dat"))
    photocheck.validate(data)  # warm-up: models, lazy imports
    floor_once(data, detector, predictor)
    core = photocheck.load_profile("icao")
    core_checks = [c for c in core.checks if c in CORE_CHECKS]
    core_profile = photocheck.Profile("core", "", {c: core.rules[c] for c in core_checks})
    floor, icao, core_time = interleaved_medians(
        [
            lambda: floor_once(data, detector, predictor),
            lambda: photocheck.validate(data, "icao"),
            lambda: photocheck.validate(data, core_profile),
        ],
        repeats,
    )
    first_call = f"import photocheck\nphotocheck.validate({str(EXAMPLE)!r})"
    import_time = fresh_process("import photocheck", 3 if args.quick else 7)
    first = fresh_process(first_call, 3 if args.quick else 5)
    first_uncached = fresh_process(first_call, 1 if args.quick else 3, bytecode_cache=False)
    figures = {
        "image": "600x800 JPEG q90 portrait",
        "repeats": repeats,
        "floor_ms": round(floor * 1000, 2),
        "validate_icao_ms": round(icao * 1000, 2),
        "validate_core_checks_ms": round(core_time * 1000, 2),
        "ratio_icao_to_floor": round(icao / floor, 2),
        "ratio_core_to_floor": round(core_time / floor, 2),
        "goal_ratio": GOAL_RATIO,
        "import_photocheck_s": round(import_time, 3),
        "first_validate_fresh_process_s": round(first, 3),
        "first_validate_fresh_process_no_bytecode_cache_s": round(first_uncached, 3),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if icao / floor > MAX_RATIO:
        print(f"gross regression: validate() is {icao / floor:.1f}x the floor (limit {MAX_RATIO}x)")
        return 1
    return 0


# The checks of the core issue (the other families have benchmarks of their own).
CORE_CHECKS = {
    "image.format", "face.count", "background.uniformity", "background.colour", "sharpness",
    "exposure", "contrast", "pose.yaw", "pose.pitch", "pose.roll", "geometry.eye_distance",
    "geometry.head_height", "geometry.face_width", "geometry.eye_line", "geometry.centring",
    "geometry.top_margin",
}  # fmt: skip

if __name__ == "__main__":
    sys.exit(main())
