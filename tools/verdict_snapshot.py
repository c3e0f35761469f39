"""Write every verdict of a photo folder to JSON, or compare two such files.

Used to show that a refactoring leaves verdicts unchanged::

    uv run python tools/verdict_snapshot.py write ../shared/data/photos before.json
    # ... change the code ...
    uv run python tools/verdict_snapshot.py write ../shared/data/photos after.json
    uv run python tools/verdict_snapshot.py compare before.json after.json

Only the public API (``photocheck.validate``) is used, so the script runs on any version.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import photocheck

PROFILES = ("icao", "cn-social-security")


def write(folder: Path, out: Path) -> None:
    """Validate every photo of ``folder``'s manifest (or every file in it) with each profile."""
    manifest = folder / "manifest.csv"
    if manifest.is_file():
        with manifest.open(newline="") as fh:
            files = [folder / "img" / row["file"] for row in csv.DictReader(fh)]
    else:
        files = sorted(p for p in folder.iterdir() if p.is_file())
    snapshot: dict[str, dict[str, object]] = {}
    for path in files:
        entry: dict[str, object] = {}
        for profile in PROFILES:
            try:
                entry[profile] = photocheck.validate(path, profile=profile).to_dict()
            except photocheck.PhotocheckError as exc:
                entry[profile] = {"error": f"{type(exc).__name__}: {exc}"}
        snapshot[path.name] = entry
    out.write_text(json.dumps(snapshot, indent=1, sort_keys=True))
    print(f"{len(snapshot)} photos x {len(PROFILES)} profiles -> {out}")


def compare(before: Path, after: Path) -> int:
    """Print every verdict that differs; return the number of differing photos."""
    a = json.loads(before.read_text())
    b = json.loads(after.read_text())
    differing = sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))
    for name in differing:
        print(f"differs: {name}")
    print(f"{len(a)} vs {len(b)} photos; {len(differing)} verdicts differ")
    return len(differing)


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("folder", type=Path)
    w.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.folder, args.out)
        return 0
    return 1 if compare(args.before, args.after) else 0


if __name__ == "__main__":
    sys.exit(main())
