"""Cost of the facial-feature and accessory checks in ``validate()`` on a 600 x 800 portrait.

Budget: the family adds at most 3 ms to ``validate()``. Both runs use the public
API on the same seeded input in the same process: the baseline is the ``icao`` profile
without the feature checks, the other the full ``icao`` profile. Each repetition is a fresh
``validate()`` (decode, detection, landmarks, every check), so the difference is the cost of
the family. Absolute times vary between machines; the ratio and the difference are what to
compare. ``added_ms`` is the median of paired differences (full minus baseline, run back to
back); ``family_only_median_ms`` (and ``_min_ms``, the least disturbed run) times the six
checks alone on a context whose shared parts (face, landmarks, aligned face, reduced copy)
the baseline computes anyway, and ``per_check_median_ms``/``per_check_min_ms`` split that
time by check. The load average is printed because on a shared machine it dominates every
figure.

Usage::

    uv run python benchmarks/bench_features.py [--quick] [--repeat N]

Prints one JSON object.

Input: the scikit-image astronaut (public domain), cropped around the face and resized to
600 x 800, with the feature checks' regions well inside the frame.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import photocheck
from photocheck import Profile, load_profile
from photocheck.evaluation.accessories import FEATURE_CHECKS

BUDGET_MS = 3.0


def portrait_600x800():  # type: ignore[no-untyped-def]
    """The astronaut's head and shoulders at 600 x 800 (deterministic)."""
    import cv2
    import skimage.data

    crop = skimage.data.astronaut()[0:300, 110:335]
    return cv2.resize(crop, (600, 800), interpolation=cv2.INTER_CUBIC)


def _once(photo: object, profile: Profile) -> float:
    start = time.perf_counter()
    photocheck.validate(photo, profile)  # type: ignore[arg-type]
    return (time.perf_counter() - start) * 1000.0


def _family_only(photo: object, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    """Time the six checks alone on a context whose shared parts are already computed.

    Returns the total per repetition and the time of each check per repetition.
    """
    from photocheck.analysis import Analysis
    from photocheck.imaging.load import load_image
    from photocheck.rules.registry import get_check

    specs = [get_check(c) for c in FEATURE_CHECKS]
    times = []
    per_check: dict[str, list[float]] = {c: [] for c in FEATURE_CHECKS}
    for _ in range(repeat):
        analysis = Analysis(load_image(photo))  # type: ignore[arg-type]
        # What the baseline profile computes anyway: the face, geometry, aligned face, small copy.
        _ = analysis.canonical_face, analysis.small
        total = 0.0
        for check, spec in zip(FEATURE_CHECKS, specs, strict=True):
            start = time.perf_counter()
            spec.measure(analysis)
            elapsed = (time.perf_counter() - start) * 1000.0
            per_check[check].append(elapsed)
            total += elapsed
        times.append(total)
    return times, per_check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (CI smoke run)")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions per variant")
    args = parser.parse_args()
    repeat = args.repeat or (5 if args.quick else 40)

    photo = portrait_600x800()
    full = load_profile("icao")
    baseline = full
    for check in FEATURE_CHECKS:
        if check in baseline.rules:
            baseline = baseline.without_rule(check)
    # Warm up: models, imports and the first-call costs are not part of the per-photo cost.
    photocheck.validate(photo, full)
    verdict = photocheck.validate(photo, full)
    assessed = [
        r.check for r in verdict.results if r.check in FEATURE_CHECKS and r.status != "not_assessed"
    ]

    # Paired and interleaved (base, full, base, full...): machine noise hits both alike.
    base_ms, full_ms = [], []
    for _ in range(3 * repeat):
        base_ms.append(_once(photo, baseline))
        full_ms.append(_once(photo, full))
    base, with_features = statistics.median(base_ms), statistics.median(full_ms)
    added = statistics.median(f - b for f, b in zip(full_ms, base_ms, strict=True))
    family_times, per_check = _family_only(photo, 3 * repeat)
    family = statistics.median(family_times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(
        json.dumps(
            {
                "benchmark": "features",
                "input": "astronaut 600x800",
                "repeat": 3 * repeat,
                "checks": list(FEATURE_CHECKS),
                "checks_assessed": assessed,
                "baseline_median_ms": round(base, 3),
                "with_features_median_ms": round(with_features, 3),
                "added_ms": round(added, 3),
                "family_only_median_ms": round(family, 3),
                "family_only_min_ms": round(min(family_times), 3),
                "per_check_median_ms": {
                    c: round(statistics.median(t), 3) for c, t in per_check.items()
                },
                "per_check_min_ms": {c: round(min(t), 3) for c, t in per_check.items()},
                "ratio": round(with_features / base, 4),
                "budget_ms": BUDGET_MS,
                "within_budget": added <= BUDGET_MS,
                "load_average_1min": load,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
