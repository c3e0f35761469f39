"""Benchmark validate() with a reference photo against plain validate(), in the same run.

Input: the 600 x 800 JPEG astronaut portrait of ``bench_validate.py``; the reference is the
whole 512 x 512 astronaut as PNG (the same person, another framing). Deterministic.

In one process, interleaved (one call of each per round, so that bursts of load from other
tenants of a shared machine hit all of them alike), medians of wall and process CPU time:

* ``plain``: ``photocheck.validate(jpeg, "icao")`` (no reference: identity not applied);
* ``with_encoding``: ``validate(jpeg, "icao", reference=stored)``, ``stored`` from
  ``encode_face`` once: what a service that keeps the card photo's encoding pays;
* ``with_photo``: ``validate(jpeg, "icao", reference=png)``: the reference decoded, its face
  found and encoded on every call;
* ``encode_face``: ``encode_face(png)`` alone.

In fresh interpreters: the first ``validate()`` with a reference (dlib and its two models load
then), against the first plain ``validate()``.

    uv run python benchmarks/bench_identity.py [--quick] [--json out.json]

Prints one JSON object. Exits 1 only when a reference changes the verdict of the other checks
(it must not) or the identity check does not pass on the same person.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

import photocheck
from photocheck.vision.identity import encode_face

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import portrait_jpeg


def reference_png() -> bytes:
    """The whole astronaut (512 x 512) as PNG."""
    import skimage.data

    buffer = io.BytesIO()
    Image.fromarray(skimage.data.astronaut()).save(buffer, "PNG")
    return buffer.getvalue()


def interleaved(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU milliseconds of each call, one call of each per round."""
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            w0, c0 = time.perf_counter(), time.process_time()
            call()
            cpu[name].append(1000 * (time.process_time() - c0))
            wall[name].append(1000 * (time.perf_counter() - w0))
    return {
        name: {
            "wall_ms": round(statistics.median(wall[name]), 1),
            "cpu_ms": round(statistics.median(cpu[name]), 1),
        }
        for name in calls
    }


_FIRST = r"""
import sys, time
t0 = time.perf_counter()
import photocheck
photo = open(sys.argv[1], "rb").read()
reference = open(sys.argv[2], "rb").read() if len(sys.argv) > 2 else None
t1 = time.perf_counter()
photocheck.validate(photo, "icao", reference=reference)
print(time.perf_counter() - t1)
"""


def first_validate(photo: Path, reference: Path | None, runs: int) -> float:
    """Median seconds of the first validate() in fresh processes (after the import)."""
    args = [sys.executable, "-c", _FIRST, str(photo)] + ([str(reference)] if reference else [])
    times = []
    for _ in range(runs):
        done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"the fresh process failed: {done.stderr[-2000:]}")
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return round(statistics.median(times), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (CI)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rounds, runs = (7, 2) if args.quick else (30, 5)

    jpeg, png = portrait_jpeg(), reference_png()
    stored = encode_face(png)
    plain = photocheck.validate(jpeg, "icao")
    compared = photocheck.validate(jpeg, "icao", reference=stored)
    same = compared["identity.same_person"]
    others_unchanged = [r for r in compared.results if r.check != "identity.same_person"] == list(
        plain.results
    )
    calls = {
        "plain": lambda: photocheck.validate(jpeg, "icao"),
        "with_encoding": lambda: photocheck.validate(jpeg, "icao", reference=stored),
        "with_photo": lambda: photocheck.validate(jpeg, "icao", reference=png),
        "encode_face": lambda: encode_face(png),
    }
    calls["plain"]()  # warm: models loaded, caches filled
    timed = interleaved(calls, rounds)
    base = timed["plain"]["wall_ms"]

    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        photo_file, reference_file = Path(folder, "new.jpg"), Path(folder, "old.png")
        photo_file.write_bytes(jpeg)
        reference_file.write_bytes(png)
        first_plain = first_validate(photo_file, None, runs)
        first_reference = first_validate(photo_file, reference_file, runs)

    report = {
        "rounds": rounds,
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "timings": timed,
        "ratio_with_encoding": round(timed["with_encoding"]["wall_ms"] / base, 2),
        "ratio_with_photo": round(timed["with_photo"]["wall_ms"] / base, 2),
        "added_ms_with_encoding": round(timed["with_encoding"]["wall_ms"] - base, 1),
        "first_validate_s": {"plain": first_plain, "with_reference": first_reference},
        "same_person": {"status": same.status, "distance": round(float(same.value or 0), 4)},
        "other_checks_unchanged": others_unchanged,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0 if others_unchanged and same.status == "pass" else 1


if __name__ == "__main__":
    raise SystemExit(main())
