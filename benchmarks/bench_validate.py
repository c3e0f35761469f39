"""Benchmark validate() on a 600 x 800 JPEG portrait against a floor measured in the same run.

The floor is the unavoidable work: JPEG decode, dlib HOG detection at photocheck's working
width and the 68 landmarks, called directly. Absolute times on shared machines are noisy, so
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


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_process(code: str, repeats: int) -> float:
    """Median wall time of ``code`` run in new interpreters, minus an empty interpreter."""

    def run(src: str) -> float:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter()\n{src}\nprint(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout.strip().splitlines()[-1])

    return statistics.median(run(code) for _ in range(repeats))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    repeats = 15 if args.quick else 60
    data = portrait_jpeg()
    from photocheck.face import load_models

    detector, predictor = load_models()
    photocheck.validate(data)  # warm-up: models, lazy imports
    floor_once(data, detector, predictor)
    floor = median_time(lambda: floor_once(data, detector, predictor), repeats)
    icao = median_time(lambda: photocheck.validate(data, "icao"), repeats)
    core = photocheck.load_profile("icao")
    core_checks = [c for c in core.checks if c in CORE_CHECKS]
    core_profile = photocheck.Profile("core", "", {c: core.rules[c] for c in core_checks})
    core_time = median_time(lambda: photocheck.validate(data, core_profile), repeats)
    import_time = fresh_process("import photocheck", 3 if args.quick else 7)
    first = fresh_process(
        f"import photocheck\nphotocheck.validate({str(EXAMPLE)!r})", 3 if args.quick else 5
    )
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
