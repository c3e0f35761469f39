"""The ``photocheck`` command line.

Exit status: 0 when every photo passes, 1 when any photo fails, 2 for a usage or input error
(with a one-line reason on standard error). ``photocheck report`` exits 0 once the report is
written, whatever the photos' verdicts (they are in the report), and 2 when it cannot be.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..errors import PhotocheckError

if TYPE_CHECKING:
    from ..imaging.load import LoadedImage
    from ..rules.profile import Profile
    from ..rules.verdict import Verdict

__all__ = ["main"]

_SYMBOL = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "not_assessed": "n/a "}


def safe_text(text: str) -> str:
    r"""Replace control characters (terminal escape sequences) in untrusted text.

    Every character Python does not consider printable (C0/C1 controls such as ESC and the
    8-bit CSI, bidirectional overrides, lone surrogates from undecodable file names, line
    and paragraph separators) becomes a visible ``\xNN`` / ``\uNNNN`` escape.
    """
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def json_line(data: object) -> str:
    r"""Serialise to one line of ASCII JSON that is also safe to embed in HTML.

    ``json.dumps`` already escapes control characters; ``<``, ``>`` and ``&`` are escaped too
    (as ``\u003c``...) so that a file name like ``</script><script>...`` stays data.
    """
    text = json.dumps(data)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photocheck",
        description="Check portrait photos against identity-document photo rules.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check photos against a profile")
    check.add_argument("photos", nargs="+", metavar="PHOTO", help="image files to check")
    check.add_argument(
        "--profile", "-p", default="icao", help="profile name or TOML file (default icao)"
    )
    check.add_argument("--json", action="store_true", help="print one JSON verdict per line")
    check.add_argument(
        "--annotate", metavar="OUT_DIR", help="write one annotated PNG per photo into OUT_DIR"
    )
    report = sub.add_parser(
        "report", help="write a self-contained HTML report over photos (files, folders, globs)"
    )
    report.add_argument(
        "sources", nargs="+", metavar="SOURCE", help="image files, folders or globs"
    )
    report.add_argument("--output", "-o", required=True, help="the HTML file to write")
    report.add_argument(
        "--profile", "-p", default="icao", help="profile name or TOML file (default icao)"
    )
    report.add_argument("--title", default="photocheck report", help="the page title")
    batch = sub.add_parser(
        "batch", help="check many photos in worker processes, streaming results to a file"
    )
    batch.add_argument("sources", nargs="+", metavar="SOURCE", help="files, folders, globs, URLs")
    batch.add_argument(
        "--out", "-o", required=True, help="results file (.jsonl, .csv, .parquet); re-run resumes"
    )
    batch.add_argument(
        "--profile", "-p", default="icao", help="profile name or TOML file (default icao)"
    )
    batch.add_argument(
        "--workers", "-j", type=_positive_int, help="worker processes (default: one per core)"
    )
    batch.add_argument("--dask", metavar="ADDRESS", help="run on this Dask scheduler instead")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.add_parser("profiles", help="list the shipped profiles")
    sub.add_parser("checks", help="list the registered checks")
    from .evaluate import add_parsers

    add_parsers(sub)  # evaluate, tune
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _print_verdict(verdict_dict: dict[str, object], out: TextIO) -> None:
    head = "accepted" if verdict_dict["ok"] else "REJECTED"
    profile = safe_text(str(verdict_dict["profile"]))
    out.write(f"{safe_text(str(verdict_dict['source']))}: {head} ({profile})\n")
    for r in verdict_dict["results"]:  # type: ignore[attr-defined]
        out.write(f"  {_SYMBOL[r['status']]} {r['check']:<24} {safe_text(r['message'])}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from .. import api as _api  # noqa: F401 - registers the built-in checks profiles name

    try:
        if args.command == "profiles":
            from ..rules.profile import available_profiles, load_profile

            for name in available_profiles():
                first = load_profile(name).description.split(":")[0].strip()
                sys.stdout.write(f"{name:<22} {first}\n")
            return 0
        if args.command == "checks":
            from ..rules.registry import registered

            for check_id, spec in registered().items():
                sys.stdout.write(f"{check_id:<24} {spec.summary}\n")
            return 0
        if args.command in ("evaluate", "tune"):
            from .evaluate import run

            return run(args)
        if args.command == "report":
            return _report(args.sources, args.output, args.profile, args.title)
        if args.command == "batch":
            from ..batch.output import run_batch

            progress = False if args.no_progress else None
            return run_batch(
                args.sources, args.out, profile=args.profile, workers=args.workers,
                progress=progress, dask=args.dask,
            )  # fmt: skip
        return _check(args.photos, args.profile, args.json, args.annotate)
    except PhotocheckError as exc:
        sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
        return 2
    except KeyboardInterrupt:
        return 130


def _check(
    photos: list[str], profile_name: str, as_json: bool, annotate_dir: str | None = None
) -> int:
    from ..api import validate
    from ..imaging.load import load_image
    from ..rules.profile import load_profile

    profile = load_profile(profile_name)
    names = _AnnotationNames(annotate_dir) if annotate_dir is not None else None
    status = 0
    for photo in photos:
        try:
            image = load_image(photo)
            verdict = validate(image, profile)
            if names is not None:
                names.write(photo, image, verdict, profile)
        except PhotocheckError as exc:
            sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
            status = 2
            continue
        data = verdict.to_dict()
        if as_json:
            sys.stdout.write(json_line(data) + "\n")
        else:
            _print_verdict(data, sys.stdout)
        if not verdict.ok and status == 0:
            status = 1
    return status


class _AnnotationNames:
    """Writes annotated PNGs into a folder, one per photo, with unique names."""

    def __init__(self, folder: str) -> None:
        from pathlib import Path

        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PhotocheckError(f"cannot create the folder {folder!r}: {exc.strerror}") from None
        self.used: set[str] = set()

    def write(self, photo: str, image: LoadedImage, verdict: Verdict, profile: Profile) -> None:
        from pathlib import Path

        import cv2

        from ..visual.annotate import annotate

        stem = Path(photo).stem or "photo"
        name, n = f"{stem}.png", 1
        while name in self.used:
            n += 1
            name = f"{stem}-{n}.png"
        self.used.add(name)
        drawn = annotate(image, verdict, profile=profile)
        target = self.folder / name
        if not cv2.imwrite(str(target), drawn[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 6]):
            raise PhotocheckError(f"could not write {str(target)!r}")


def _report(sources: list[str], output: str, profile_name: str, title: str) -> int:
    from pathlib import Path

    from ..imaging.sources import SourceError, expand_sources
    from ..visual.report import write_report

    photos = list(expand_sources(sources))
    for photo in photos:  # a SOURCE that gives no photo is a usage error (exit status 2)
        if isinstance(photo.payload, SourceError):
            raise PhotocheckError(photo.payload.message)
        if isinstance(photo.payload, str) and not Path(photo.payload).exists():
            raise PhotocheckError(f"no such file or folder: {photo.payload!r}")
    try:
        counts = write_report(photos, output, profile=profile_name, title=title)
    except OSError as exc:
        raise PhotocheckError(f"cannot write {output!r}: {exc.strerror}") from None
    sys.stdout.write(
        f"wrote {safe_text(output)}: {counts['photos']} photos, {counts['pass']} passed, "
        f"{counts['fail']} failed, {counts['error']} errored ({counts['bytes'] / 1e6:.1f} MB)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
