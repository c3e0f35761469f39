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

The target is at most 3 ms added per photo.

With ``--before COMMIT``, a third measurement, ``before_*``: the six checks' added time with
the current code and with the family's four modules (``scores/{lighting,colour,compression}.py``,
``checks/lighting.py``) as they were at that commit, in one process, on fresh analyses,
alternated round by round, with their paired difference and the load average: on a busy
machine this compares two versions far more steadily than separate runs.

The portrait is built from ``skimage.data.astronaut()`` (NASA, public domain): the head and
shoulders crop enlarged to 600 x 800, the way the test suite builds its portrait.

Usage::

    uv run python benchmarks/bench_lighting.py          # 41 rounds
    uv run python benchmarks/bench_lighting.py --quick  # 7 rounds, for CI
    uv run python benchmarks/bench_lighting.py --before REV  # also against an earlier commit
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import skimage.data

import photocheck
from compare_values import old_tree
from photocheck.evaluation.synthetic_lighting import CHECKS


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
    from photocheck.rules.registry import get_check

    analysis = Analysis(photocheck.load_image(photo))
    start = time.perf_counter()
    for check in baseline_checks:
        get_check(check).measure(analysis)
    middle = time.perf_counter()
    for check in CHECKS:
        get_check(check).measure(analysis)
    end = time.perf_counter()
    return (middle - start) * 1000.0, (end - middle) * 1000.0


def before_package(commit: str, into: Path) -> ModuleType:
    """Import the current package, with the family's modules as at ``commit``, under another name."""
    old_tree(commit, "lighting", into, name="photocheck_before")
    sys.path.insert(0, str(into))
    return importlib.import_module("photocheck_before")


def added_time(package: ModuleType, photo: np.ndarray) -> Callable[[], float]:
    """A function timing the six checks (ms) on a fresh analysis the other checks filled."""
    registry = importlib.import_module(package.__name__ + ".registry")
    analysis_module = importlib.import_module(package.__name__ + ".analysis")
    every = list(package.available_checks())
    baseline = [registry.get_check(c) for c in every if c not in CHECKS]
    six = [registry.get_check(c) for c in CHECKS]

    def run() -> float:
        analysis = analysis_module.Analysis(package.load_image(photo))
        for check in baseline:
            check.measure(analysis)
        start = time.perf_counter()
        for check in six:
            check.measure(analysis)
        return (time.perf_counter() - start) * 1000.0

    return run


def compare_before(commit: str, photo: np.ndarray, rounds: int) -> dict[str, object]:
    """Median added time of the six checks, current code and ``commit``'s, paired."""
    with tempfile.TemporaryDirectory() as tmp:
        before = added_time(before_package(commit, Path(tmp)), photo)
        now = added_time(photocheck, photo)
        for _ in range(3):  # warm up both
            before(), now()
        old, new = [], []
        for i in range(rounds):
            if i % 2:
                old.append(before())
                new.append(now())
            else:
                new.append(now())
                old.append(before())
    return {
        "before_commit": commit,
        "before_added_median_ms": round(statistics.median(old), 3),
        "current_added_median_ms": round(statistics.median(new), 3),
        "before_paired_saving_median_ms": round(
            statistics.median(o - n for o, n in zip(old, new, strict=True)), 3
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="7 rounds instead of 41")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--before", default=None, help="also time the family's modules as at this commit"
    )
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
    if args.before:
        result.update(compare_before(args.before, photo, rounds))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
