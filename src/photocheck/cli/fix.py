"""``photocheck fix PHOTO... --profile NAME [--background COLOUR] -o OUT_DIR``.

Writes each fixed photo into OUT_DIR (same stem, the profile's format) and prints its verdict
before and after, the actions taken, or the reason no fix was possible. Exit status: 0 when
every output passes, 1 when any photo could not be fixed or its output does not pass, 2 for
input errors (unreadable photos, unknown profile or colour, an OUT_DIR that cannot be made).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import PhotocheckError

__all__ = ["add_parser", "run"]

_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}


def add_parser(sub: Any) -> None:
    """Add the ``fix`` subcommand to the CLI's subparsers."""
    text = "crop, scale, straighten and re-encode photos to meet a profile; validate the result"
    p = sub.add_parser("fix", help=text, description=text)
    p.add_argument("photos", nargs="+", metavar="PHOTO", help="image files to fix")
    p.add_argument(
        "--profile", "-p", default="icao", help="profile name or TOML file (default icao)"
    )
    p.add_argument(
        "--background", "-b", metavar="COLOUR",
        help="replace the background with a colour the profile names (white, blue...)",
    )  # fmt: skip
    p.add_argument(
        "--output", "-o", required=True, metavar="OUT_DIR", help="folder for the fixed photos"
    )
    p.add_argument("--json", action="store_true", help="print one JSON result per line")
    p.add_argument(
        "--report", metavar="FILE", help="also write an HTML page showing before and after"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Fix every photo; return the exit status."""
    from ..fixing.api import fix
    from ..rules.profile import load_profile

    profile = load_profile(args.profile)
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PhotocheckError(f"cannot create the folder {args.output!r}: {exc.strerror}") from None
    used: set[str] = set()
    status = 0
    pairs: list[tuple[Any, str]] = []
    for photo in args.photos:
        try:
            result = fix(photo, profile, background=args.background)
        except PhotocheckError as exc:
            if "background colour" in str(exc):
                raise
            sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
            status = 2
            continue
        written = None
        if result.encoded is not None and result.format is not None:
            written = _target(folder, photo, _EXTENSIONS.get(result.format, ".jpg"), used)
            try:
                written.write_bytes(result.encoded)
            except OSError as exc:
                raise PhotocheckError(f"cannot write {str(written)!r}: {exc.strerror}") from None
        if args.json:
            data = result.to_dict()
            data["output"] = None if written is None else str(written)
            sys.stdout.write(json_line(data) + "\n")
        else:
            _print(result, written, sys.stdout, safe_text)
        if args.report:
            pairs.append((result, photo))
        if not result.ok and status == 0:
            status = 1
    if args.report:
        from ..visual.report import write_fix_report

        try:
            write_fix_report(pairs, args.report)
        except OSError as exc:
            raise PhotocheckError(f"cannot write {args.report!r}: {exc.strerror}") from None
    return status


def safe_text(text: str) -> str:
    """Escape control characters in untrusted text (the same as ``cli.main.safe_text``)."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def json_line(data: object) -> str:
    """One line of ASCII JSON, safe to embed in HTML (the same as ``cli.main.json_line``)."""
    import json

    text = json.dumps(data)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _target(folder: Path, photo: str, suffix: str, used: set[str]) -> Path:
    stem = Path(photo).stem or "photo"
    name, n = f"{stem}{suffix}", 1
    while name in used:
        n += 1
        name = f"{stem}-{n}{suffix}"
    used.add(name)
    return folder / name


def _print(result: Any, written: Path | None, out: TextIO, safe: Any) -> None:
    before = result.before
    head = (
        "accepted" if before.ok else f"rejected ({len(before.failures)} of {len(before.results)})"
    )
    out.write(f"{safe(result.source)}: before: {head} ({safe(result.profile)})\n")
    for r in before.failures:
        flag = " [fixable]" if r.fixable else ""
        out.write(f"  FAIL {r.check:<24} {safe(r.message)}{flag}\n")
    for action in result.actions:
        out.write(f"  did  {action.code:<24} {safe(action.message)}\n")
    if result.reason is not None:
        out.write(f"  NOT FIXED {result.reason.code}: {safe(result.reason.message)}\n")
        return
    after = result.after
    head = "accepted" if after.ok else f"rejected ({len(after.failures)} of {len(after.results)})"
    out.write(f"  after: {head} -> {safe(str(written))}\n")
    for r in after.failures:
        out.write(f"  FAIL {r.check:<24} {safe(r.message)}\n")
