"""The ``photocheck`` command line.

Exit status: 0 when every photo passes, 1 when any photo fails, 2 for a usage or input error
(with a one-line reason on standard error).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from .errors import PhotocheckError

__all__ = ["main"]

_SYMBOL = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "not_assessed": "n/a "}


def safe_text(text: str) -> str:
    """Replace control characters (terminal escape sequences) in untrusted text."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photocheck",
        description="Check portrait photos against identity-document photo rules.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check photos against a profile")
    check.add_argument("photos", nargs="+", metavar="PHOTO", help="image files to check")
    check.add_argument("--profile", "-p", default="icao", help="profile name or TOML file (default icao)")
    check.add_argument("--json", action="store_true", help="print one JSON verdict per line")
    sub.add_parser("profiles", help="list the shipped profiles")
    sub.add_parser("checks", help="list the registered checks")
    return parser


def _print_verdict(verdict_dict: dict[str, object], out: TextIO) -> None:
    head = "accepted" if verdict_dict["ok"] else "REJECTED"
    out.write(f"{safe_text(str(verdict_dict['source']))}: {head} ({verdict_dict['profile']})\n")
    for r in verdict_dict["results"]:  # type: ignore[attr-defined]
        out.write(f"  {_SYMBOL[r['status']]} {r['check']:<24} {safe_text(r['message'])}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "profiles":
            from .profile import available_profiles, load_profile

            for name in available_profiles():
                first = load_profile(name).description.split(":")[0].strip()
                sys.stdout.write(f"{name:<22} {first}\n")
            return 0
        if args.command == "checks":
            from .registry import registered

            for check_id, spec in registered().items():
                sys.stdout.write(f"{check_id:<24} {spec.summary}\n")
            return 0
        return _check(args.photos, args.profile, args.json)
    except PhotocheckError as exc:
        sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
        return 2
    except KeyboardInterrupt:
        return 130


def _check(photos: list[str], profile_name: str, as_json: bool) -> int:
    from .api import validate
    from .profile import load_profile

    profile = load_profile(profile_name)
    status = 0
    for photo in photos:
        try:
            verdict = validate(photo, profile)
        except PhotocheckError as exc:
            sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
            status = 2
            continue
        data = verdict.to_dict()
        if as_json:
            sys.stdout.write(json.dumps(data) + "\n")
        else:
            _print_verdict(data, sys.stdout)
        if not verdict.ok and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
