"""Batch throughput and memory: photos/s with 1 and 2 worker processes, and flat RSS.

Runs :func:`photocheck.batch.runner.validate_many` over the labelled photos in
``../shared/data/photos/img`` (read in place; ``examples/photos`` when they are absent)
repeated to the requested length:

* throughput with a pool of 1 and of 2 worker processes (the same machinery, so the ratio
  measures scaling, not pool overhead); the rate is taken after a warm-up (worker start and
  model loading are reported apart), and the figure of merit is the ratio 2-worker / 1-worker
  (goal >= 1.7 on 2 free cores);
* a baseline: the same ``validate`` loop in 1 and in 2 independent processes with no batch
  machinery (``baseline_scaling_2_over_1``): on a shared or SMT machine this is the ceiling,
  and ``efficiency_vs_baseline`` is how much of it the batch machinery keeps;
* resident memory (RSS of the parent plus its worker processes, from psutil) sampled every
  25 items while the 2-worker run goes from item ``--memory-from`` to its end (goal: growth
  under 50 MB from item 200 to item 2,000). Growth is the median of the last 10 samples
  minus that of the first 10 (transient peaks while large photos decode are reported apart,
  as ``max``).

Absolute rates depend on the machine and its load; compare ratios from the same run.

    uv run python benchmarks/bench_batch.py                # 1,000 + 2,000 items (minutes)
    uv run python benchmarks/bench_batch.py --quick        # 100 items each, for CI

JSON goes to standard output (and to ``--out``). ``--quick`` exits 1 only on a gross
regression: the batch keeps less than half of the baseline's 2-process scaling, memory grows
by more than 200 MB, or 1 and 2 workers disagree on a photo's status.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from photocheck.batch.runner import validate_many

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos" / "img"
# Used when the development photos are absent (e.g. in CI): fewer photos, same machinery.
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "photos"
NOT_PHOTOS = {".md", ".txt", ".csv", ".json"}


def _photos(folder: Path) -> list[str]:
    return sorted(
        str(p) for p in folder.glob("*") if p.is_file() and p.suffix.lower() not in NOT_PHOTOS
    )


def _tree_rss() -> float:
    """RSS in MB of this process and all its descendants."""
    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a worker that just exited
            total += child.memory_info().rss
    return float(total / 2**20)


def _run(items: list[str], workers: int, warmup: int, memory_from: int | None) -> dict[str, Any]:
    start = time.perf_counter()
    stamps: list[float] = []
    memory: list[tuple[int, float]] = []
    statuses: dict[str, int] = {}
    outcome: list[tuple[int, str]] = []
    distinct = len(set(items))
    for n, result in enumerate(
        validate_many(items, executor="processes", workers=workers, ordered=False, progress=False),
        1,
    ):
        stamps.append(time.perf_counter())
        statuses[result.status] = statuses.get(result.status, 0) + 1
        if result.index < distinct:
            outcome.append((result.index, result.status))
        offset = None if memory_from is None else n - memory_from
        if offset is not None and offset >= 0 and (offset % 25 == 0 or n == len(items)):
            memory.append((n, _tree_rss()))
    total = stamps[-1] - start
    steady = (len(stamps) - warmup) / (stamps[-1] - stamps[warmup - 1])
    report: dict[str, Any] = {
        "workers": workers,
        "items": len(items),
        "seconds_total": round(total, 2),
        "seconds_to_first_result": round(stamps[0] - start, 2),
        "photos_per_s_total": round(len(items) / total, 2),
        "photos_per_s_steady": round(steady, 2),
        "warmup_items": warmup,
        "statuses": statuses,
        "first_pass": sorted(outcome),
    }
    if memory:
        values = [mb for _, mb in memory]
        report["rss_mb"] = {
            "from_item": memory[0][0],
            "to_item": memory[-1][0],
            "first": round(values[0], 1),
            "last": round(values[-1], 1),
            "max": round(max(values), 1),
            "growth_last_minus_first": round(values[-1] - values[0], 1),
            # robust to the transient peaks of large photos: last 10 samples vs first 10
            "growth_median_tail_minus_head": round(
                statistics.median(values[-10:]) - statistics.median(values[:10]), 1
            ),
            "growth_max_minus_first": round(max(values) - values[0], 1),
            "median": round(statistics.median(values), 1),
            "samples": len(values),
        }
    return report


def _raw_worker(photos: list[str], start: int, count: int, warmup: int) -> None:
    """Baseline: plain ``validate`` in a loop, no batch machinery; prints photos/s."""
    import cv2

    from photocheck import validate

    cv2.setNumThreads(1)  # as in the batch workers
    paths = [photos[(start + i) % len(photos)] for i in range(count)]
    for path in paths[:warmup]:
        validate(path)
    begin = time.perf_counter()
    for path in paths[warmup:]:
        validate(path)
    print(json.dumps((count - warmup) / (time.perf_counter() - begin)))


def _raw(photos_dir: Path, processes: int, count: int, warmup: int) -> float:
    """Sum of the rates of ``processes`` independent loops started together."""
    command = [sys.executable, __file__, "--photos", str(photos_dir), "--raw-worker"]
    procs = [
        subprocess.Popen(
            [*command, str(k * 37), str(count), str(warmup)], stdout=subprocess.PIPE, text=True
        )
        for k in range(processes)
    ]
    rates = [float(proc.communicate()[0]) for proc in procs]
    return sum(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 items per run (CI)")
    parser.add_argument("--items", type=int, help="items in the throughput runs (default 1000)")
    parser.add_argument("--memory-items", type=int, help="items in the 2-worker run (default 2000)")
    parser.add_argument("--memory-from", type=int, help="first item sampled (default 200)")
    parser.add_argument("--photos", type=Path, default=PHOTOS, help="folder of photos")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--raw-worker", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    photos = _photos(args.photos)
    if not photos and args.photos == PHOTOS:
        args.photos, photos = EXAMPLES, _photos(EXAMPLES)
    if not photos:
        print(f"no photos in {args.photos}; nothing to measure", file=sys.stderr)
        return 0
    if args.raw_worker:
        _raw_worker(photos, *args.raw_worker)
        return 0
    items_1 = args.items or (100 if args.quick else 1000)
    items_2 = args.memory_items or (100 if args.quick else 2000)
    memory_from = args.memory_from or (20 if args.quick else 200)
    warmup = max(4, items_1 // 10)

    def repeat(n: int) -> list[str]:
        return [photos[i % len(photos)] for i in range(n)]

    raw_items = max(40, items_1 // 4)
    raw_one = _raw(args.photos, 1, raw_items, warmup // 2)
    raw_two = _raw(args.photos, 2, raw_items, warmup // 2)
    one = _run(repeat(items_1), 1, warmup, None)
    two = _run(repeat(items_2), 2, warmup, memory_from)
    first_one, first_two = dict(one.pop("first_pass")), dict(two.pop("first_pass"))
    same = all(first_one[i] == first_two[i] for i in first_one.keys() & first_two.keys())
    ratio = two["photos_per_s_steady"] / one["photos_per_s_steady"]
    load = os.getloadavg()
    report = {
        "benchmark": "bench_batch",
        "quick": args.quick,
        "photos": str(args.photos),
        "distinct_photos": len(photos),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "one_worker": one,
        "two_workers": two,
        "scaling_2_over_1": round(ratio, 3),
        "scaling_goal": 1.7,
        # the same work as two plain loops in independent processes: what the machine allows
        "baseline_loop_photos_per_s": {"1": round(raw_one, 2), "2": round(raw_two, 2)},
        "baseline_scaling_2_over_1": round(raw_two / raw_one, 3),
        "efficiency_vs_baseline": round(ratio / (raw_two / raw_one), 3),
        "rss_growth_goal_mb": 50,
        "statuses_agree": same,
        "note": "the machine may be shared: compare ratios, not absolute rates; "
        "load_average shows how busy it was",
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    growth = two.get("rss_mb", {}).get("growth_median_tail_minus_head", 0.0)
    efficiency = report["efficiency_vs_baseline"]
    if args.quick and (efficiency < 0.5 or growth > 200 or not same):
        print("gross regression", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
