"""Cost of the lighting, colour and image-quality checks on a 600 x 800 portrait.

Two measurements, as JSON:

- ``measure_*``: ``photocheck.measure`` with every registered check and with every check but
  the six of ``photocheck.checks.lighting`` (the baseline), alternated on the same photo;
  medians, their ratio and the median of the paired differences. On a busy machine the
  difference is within the noise of a ~100 ms run.
- ``incremental_*``: on one fresh analysis per round, the baseline checks are run, then the
  six checks; the time of the six is what they add (the face detection, alignment and
  reduced copy they read are already made by the other checks). Ratio = (baseline + added)
  / baseline.

The target (issue 4) is at most 3 ms added per photo.

The portrait is built from ``skimage.data.astronaut()`` (NASA, public domain): the head and
shoulders crop enlarged to 600 x 800, the way the test suite builds its portrait.

Usage::

    uv run python benchmarks/bench_lighting.py          # 41 rounds
    uv run python benchmarks/bench_lighting.py --quick  # 7 rounds, for CI
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import cv2
import numpy as np
import skimage.data

import photocheck
from photocheck.synthetic_lighting import CHECKS


def portrait() -> np.ndarray:
    """The astronaut's head and shoulders, 600 x 800 (width x height)."""
    crop = skimage.data.astronaut()[0:240, 145:325]
    return np.ascontiguousarray(cv2.resize(crop, (600, 800), interpolation=cv2.INTER_CUBIC))


def timed(photo: np.ndarray, checks: list[str]) -> float:
    start = time.perf_counter()
    photocheck.measure(photo, checks=checks)
    return (time.perf_counter() - start) * 1000.0


def incremental(photo: np.ndarray, baseline_checks: list[str]) -> tuple[float, float]:
    """Time the baseline checks, then the six checks, on one fresh analysis (ms, ms)."""
    from photocheck.analysis import Analysis
    from photocheck.registry import get_check

    analysis = Analysis(photocheck.load_image(photo))
    start = time.perf_counter()
    for check in baseline_checks:
        get_check(check).measure(analysis)
    middle = time.perf_counter()
    for check in CHECKS:
        get_check(check).measure(analysis)
    end = time.perf_counter()
    return (middle - start) * 1000.0, (end - middle) * 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="7 rounds instead of 41")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    rounds = args.rounds or (7 if args.quick else 41)

    photo = portrait()
    every = list(photocheck.available_checks())
    baseline_checks = [c for c in every if c not in CHECKS]
    missing = [c for c in CHECKS if c not in every]
    if missing:
        print(f"checks not registered: {missing}", file=sys.stderr)
        return 2
    # Warm up: load the models, import the check modules, fill caches.
    timed(photo, every)
    timed(photo, baseline_checks)
    base, run, paired = [], [], []
    for i in range(rounds):
        # Alternate the order so that drifting load hits both sides alike.
        if i % 2:
            b, r = timed(photo, baseline_checks), timed(photo, every)
        else:
            r, b = timed(photo, every), timed(photo, baseline_checks)
        base.append(b)
        run.append(r)
        paired.append(r - b)
    # What the six checks add on top of an analysis the other checks already filled.
    inc = [incremental(photo, baseline_checks) for _ in range(rounds)]
    inc_base = statistics.median(b for b, _ in inc)
    inc_added = statistics.median(a for _, a in inc)
    base_ms, run_ms = statistics.median(base), statistics.median(run)
    result = {
        "benchmark": "lighting_checks",
        "image": "astronaut head and shoulders, 600x800",
        "rounds": rounds,
        "checks": list(CHECKS),
        "measure_baseline_median_ms": round(base_ms, 3),
        "measure_all_median_ms": round(run_ms, 3),
        "measure_ratio": round(run_ms / base_ms, 4),
        "measure_paired_added_median_ms": round(statistics.median(paired), 3),
        "incremental_baseline_checks_median_ms": round(inc_base, 3),
        "incremental_added_median_ms": round(inc_added, 3),
        "incremental_ratio": round((inc_base + inc_added) / inc_base, 4),
        "target_added_ms": 3.0,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
