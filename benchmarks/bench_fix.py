"""Benchmark fix() against validate() on a 600 x 800 JPEG portrait, in the same run.

Input: the same portrait as ``bench_validate.py`` (``skimage.data.astronaut()``, NASA, public
domain, cropped to 3:4 head and shoulders, 600 x 800, JPEG quality 90). Interleaved rounds (one
call of each per round, so that load from other tenants of a shared machine hits all alike),
medians of wall and CPU time:

* ``validate``: ``photocheck.validate(jpeg, "cn-social-security")``;
* ``fix``: ``photocheck.fix(jpeg, "cn-social-security")``: validate before, straighten (the
  astronaut leans about 3 degrees, so the face is analysed again on the turned photo), frame,
  re-measure the framed photo to refine the placement (up to three analyses of a 358 x 441
  image), encode by JPEG quality bisection, validate after;
* ``fix_white``: the same with ``background="white"`` (the astronaut's busy backdrop is
  refused by the mask checks after framing, so this times framing plus the mask).

    uv run python benchmarks/bench_fix.py [--quick] [--json out.json]

Prints one JSON object with the medians and the ratios fix / validate of the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import photocheck
from bench_validate import portrait_jpeg

PROFILE = "cn-social-security"


def interleaved(
    functions: dict[str, Callable[[], Any]], rounds: int
) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of each function over interleaved rounds."""
    walls: dict[str, list[float]] = {name: [] for name in functions}
    cpus: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, fn in functions.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            walls[name].append(time.perf_counter() - w0)
            cpus[name].append(time.process_time() - c0)
    return {
        name: {"wall_s": statistics.median(walls[name]), "cpu_s": statistics.median(cpus[name])}
        for name in functions
    }


def main() -> int:
    """Run the benchmark and print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (CI)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    data = portrait_jpeg()
    functions = {
        "validate": lambda: photocheck.validate(data, PROFILE),
        "fix": lambda: photocheck.fix(data, PROFILE),
        "fix_white": lambda: photocheck.fix(data, PROFILE, background="white"),
    }
    for fn in functions.values():  # warm up: models loaded, caches filled
        fn()
    result = photocheck.fix(data, PROFILE)
    rounds = 5 if args.quick else 25
    timings = interleaved(functions, rounds)
    base = timings["validate"]["wall_s"]
    out = {
        "input": "astronaut 600 x 800 JPEG q90",
        "profile": PROFILE,
        "rounds": rounds,
        "timings": timings,
        "ratio_fix_to_validate": timings["fix"]["wall_s"] / base,
        "ratio_fix_white_to_validate": timings["fix_white"]["wall_s"] / base,
        "fix_actions": [a.code for a in result.actions],
    }
    text = json.dumps(out, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
