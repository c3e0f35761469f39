"""Run the hostile-input corpus through ``photocheck.validate`` under resource caps.

Usage (from the repository root)::

    uv run python tests/hostile/run_corpus.py                     # JSON lines on stdout
    uv run python tests/hostile/run_corpus.py --settings run.json # and the run's settings

``tests/test_hostile.py`` runs it as a test; ``uv run python tools/make_docs.py
hostile-inputs`` runs it to write ``docs/hostile-inputs.md``.

The corpus is generated into a temporary folder (see ``hostile_corpus.py``), one warm-up
photo loads the models, then the address space is capped (``RLIMIT_AS``: the warm process
plus ``--memory-mb``) and every input runs with a wall-clock alarm (``--wall-cap``). Each
input's CPU and wall time are recorded; ``ok`` says whether the outcome is one the corpus
expects. The exit status is 0 when every input is ok and within ``--cpu-cap`` CPU seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from hostile_corpus import TOO_LARGE, Case, cases

import photocheck


class WallClockExceeded(BaseException):
    """Raised by the alarm when one input runs past the wall-clock cap."""


def _alarm(signum: int, frame: Any) -> None:
    raise WallClockExceeded


def _vm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _fingerprint(obj: Any) -> str | None:
    """Hash an array's dtype, shape and values, one row at a time (no full copy)."""
    if not isinstance(obj, np.ndarray):
        return None
    digest = hashlib.sha256(f"{obj.dtype}{obj.shape}".encode())
    rows = obj.reshape(1) if obj.ndim == 0 else obj
    for row in rows:
        part = np.asarray(row)
        if part.dtype == object:
            digest.update(repr(part.tolist()).encode())
        else:
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def _summary(verdict: photocheck.Verdict) -> str:
    counts: dict[str, int] = {}
    for r in verdict.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    fails = [r.code for r in verdict.results if r.status == "fail"]
    shown = ", ".join(fails[:3]) + (", ..." if len(fails) > 3 else "")
    parts = [f"{n} {status}" for status, n in sorted(counts.items())]
    head = "accepted" if verdict.ok else "rejected"
    return f"{head}: {', '.join(parts)}" + (f" ({shown})" if fails else "")


def run_case(case: Case, photo: Any, wall_cap: float) -> dict[str, Any]:
    """Validate one input; never raises (except KeyboardInterrupt)."""
    before = _fingerprint(photo)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, wall_cap)
    try:
        verdict = photocheck.validate(photo)
        outcome, detail = "verdict", _summary(verdict)
        json.dumps(verdict.to_dict())  # the verdict must serialise
    except photocheck.PhotocheckError as exc:
        outcome, detail = type(exc).__name__, str(exc)
    except WallClockExceeded:
        outcome, detail = "TIMEOUT", f"still running after {wall_cap} s"
    except MemoryError:
        outcome, detail = "MemoryError", "ran out of the capped memory"
    except Exception as exc:
        outcome, detail = f"CRASH {type(exc).__name__}", str(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    unchanged = None if before is None else _fingerprint(photo) == before
    return {
        "name": case.name,
        "group": case.group,
        "description": case.description,
        "expect": sorted(case.expect),
        "outcome": outcome,
        "detail": detail,
        "ok": outcome in case.expect and unchanged is not False,
        "input_unchanged": unchanged,
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
    }


def _cap_memory(headroom_mb: int) -> int:
    """Cap the address space at the current size plus ``headroom_mb``; return the cap."""
    limit = _vm_bytes() + headroom_mb * 2**20
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def run(
    folder: Path,
    memory_mb: int,
    wall_cap: float,
    only: list[str] | None = None,
    bomb_memory_mb: int = 64,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Generate the corpus into ``folder`` and run it; return the rows and the run settings."""
    chosen = [c for c in cases() if only is None or c.name in only]
    t0 = time.perf_counter()
    inputs = [(case, case.make(folder)) for case in chosen]
    build_s = time.perf_counter() - t0
    # Warm up (imports, models) outside the caps, on a synthetic image so that runs of a
    # few cases need not build the portrait.
    photocheck.validate(np.tile(np.arange(256, dtype=np.uint8), (320, 1)))
    signal.signal(signal.SIGALRM, _alarm)
    rows = []
    limit = 0
    for case, photo in inputs:
        # Inputs that must be refused as too large get a small headroom: decoding any of
        # them would need gigabytes, so refusing them proves the refusal came first.
        bomb = case.expect == {TOO_LARGE}
        cap = _cap_memory(bomb_memory_mb if bomb else memory_mb)
        limit = max(limit, cap)
        row = run_case(case, photo, wall_cap)
        row["memory_cap_mb"] = bomb_memory_mb if bomb else memory_mb
        row["detail"] = row["detail"].replace(str(folder), "<tmp>")
        rows.append(row)
    settings = {
        "address_space_limit_mb": round(limit / 2**20),
        "headroom_mb": memory_mb,
        "bomb_headroom_mb": bomb_memory_mb,
    }
    settings["wall_cap_s"] = wall_cap
    settings["build_s"] = round(build_s, 1)
    settings["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return rows, settings


def main(argv: list[str] | None = None) -> int:
    """Run the corpus; print one JSON line per input and optionally write the settings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", help="write the corpus here (default: a temporary folder)")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space headroom")
    parser.add_argument(
        "--bomb-memory-mb", type=int, default=64, help="headroom for inputs expected too large"
    )
    parser.add_argument("--wall-cap", type=float, default=10.0, help="alarm per input (s)")
    parser.add_argument("--cpu-cap", type=float, default=2.0, help="CPU seconds per input")
    parser.add_argument("--settings", help="also write the run's settings (JSON) to this file")
    parser.add_argument("--only", nargs="*", help="run only these case names")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="photocheck-hostile-") as tmp:
        folder = Path(args.folder) if args.folder else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows, settings = run(folder, args.memory_mb, args.wall_cap, args.only, args.bomb_memory_mb)
    for row in rows:
        sys.stdout.write(json.dumps(row) + "\n")
    if args.settings:
        settings["cpu_cap_s"] = args.cpu_cap
        Path(args.settings).write_text(json.dumps(settings), encoding="utf-8")
    bad = [r for r in rows if not r["ok"] or r["cpu_s"] > args.cpu_cap]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
