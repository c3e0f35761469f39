"""Re-judging a measurement table, and measure_many throughput.

1. Re-judge: a table of N rows (default 10,000) is judged with changed thresholds by
   ``photocheck.evaluation.rejudge.judge_table`` (the run) and by ``photocheck.judge`` called on every
   row's ``Measurements`` (the baseline, what one would do without the table). Both judge
   the same rows against the same profile, alternating in rounds; medians are reported with
   the ratio run / baseline. Rows are built from real measurements of portraits made from
   ``skimage.data.astronaut()`` (NASA, public domain) and synthetic variants of them, with
   their numeric values jittered so that rows differ.
2. measure_many: photos per second of ``photocheck.batch.table.measure_many`` in this process
   (``workers=1``) against a plain loop of ``photocheck.measure`` over the same photos (the
   baseline), so the ratio is the table's own overhead.

Usage::

    uv run python benchmarks/bench_rejudge.py          # 10,000 rows, 7 rounds
    uv run python benchmarks/bench_rejudge.py --quick  # 10,000 rows, 3 rounds, fewer photos

Exits 1 only on a gross regression (vectorised verdicts differ from ``judge``, or re-judging
the table takes more than MAX_RATIO of the row-by-row loop).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import cv2
import numpy as np
import skimage.data

import photocheck
from photocheck.batch.table import MeasurementTable, measure_many
from photocheck.evaluation.rejudge import judge_table
from photocheck.evaluation.synthetic import make_variant

MAX_RATIO = 0.2  # judge_table must take under a fifth of the row-by-row loop


def portraits() -> list[np.ndarray]:
    """The astronaut's head and shoulders (400 x 600) and labelled variants of it."""
    crop = skimage.data.astronaut()[0:240, 145:305]
    base = np.ascontiguousarray(cv2.resize(crop, (400, 600), interpolation=cv2.INTER_CUBIC))
    variants = [("blur.gaussian", 1.0), ("exposure.dark", 0.25), ("rotation", 12), ("crop.off_centre", 0.15),
                ("crop.too_loose", 1.4), ("jpeg", 10), ("exposure.bright", 4.0)]  # fmt: skip
    return [base] + [make_variant(base, n, s).image for n, s in variants]


def big_table(
    measurements: list[photocheck.Measurements], rows: int, seed: int = 0
) -> tuple[MeasurementTable, list[photocheck.Measurements]]:
    """``rows`` rows cycling over the measurements, numeric values jittered by +-5%."""
    rng = np.random.default_rng(seed)
    records, objects = [], []
    for i in range(rows):
        m = measurements[i % len(measurements)]
        by_check = {}
        for check, meas in m.by_check.items():
            values = {
                k: (v * float(rng.uniform(0.95, 1.05)) if isinstance(v, float) else v)
                for k, v in meas.values.items()
            }
            by_check[check] = photocheck.Measurement(check, values, meas.reason)
        jittered = photocheck.Measurements(f"row{i}", by_check)
        objects.append(jittered)
        records.append({"source": jittered.source, "error": None, **jittered.flat()})
    return MeasurementTable.from_records(records), objects


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds and 4 photos, for CI")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 7)

    photos = portraits()[: 4 if args.quick else None]
    photocheck.measure(photos[0])  # warm up: models, check modules
    measured = [photocheck.measure(p) for p in photos]
    table, objects = big_table(measured, args.rows)
    profile = (
        photocheck.load_profile("icao")
        .with_rule("sharpness", min=0.4)
        .with_rule("pose.roll", max_abs_degrees=6.0)
    )

    judge_table(table, profile)  # warm up
    run_ms, base_ms = [], []
    for _ in range(rounds):
        run_ms.append(median_ms(lambda: judge_table(table, profile), 1))
        base_ms.append(median_ms(lambda: [photocheck.judge(m, profile) for m in objects], 1))
    ok_table = judge_table(table, profile).ok
    ok_loop = np.array([photocheck.judge(m, profile).ok for m in objects])
    rejudge = {
        "rows": len(table),
        "checks": len(profile.rules),
        "judge_table_ms": statistics.median(run_ms),
        "judge_loop_ms": statistics.median(base_ms),
        "ratio_table_vs_loop": statistics.median(run_ms) / statistics.median(base_ms),
        "verdicts_equal": bool(np.array_equal(ok_table, ok_loop)),
    }

    mm_rounds = 2 if args.quick else 3
    runs, bases = [], []
    for _ in range(mm_rounds):  # alternate so that both see the same machine load
        runs.append(median_ms(lambda: measure_many(photos, workers=1), 1))
        bases.append(median_ms(lambda: [photocheck.measure(p) for p in photos], 1))
    run, base = statistics.median(runs), statistics.median(bases)
    throughput = {
        "photos": len(photos),
        "size": f"{photos[0].shape[1]}x{photos[0].shape[0]}",
        "measure_many_photos_per_s": len(photos) / (run / 1000.0),
        "measure_loop_photos_per_s": len(photos) / (base / 1000.0),
        "ratio_measure_many_vs_loop": run / base,
    }
    result = {
        "benchmark": "rejudge",
        "quick": args.quick,
        "rounds": rounds,
        "rejudge": rejudge,
        "measure_many": throughput,
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    # Gross regressions only (the machines are noisy): the table must judge like the loop, and
    # re-judging by columns must stay far faster than judging row by row.
    if not rejudge["verdicts_equal"] or rejudge["ratio_table_vs_loop"] > MAX_RATIO:
        print(
            f"gross regression: verdicts_equal={rejudge['verdicts_equal']}, ratio {rejudge['ratio_table_vs_loop']:.3f} (limit {MAX_RATIO})"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
