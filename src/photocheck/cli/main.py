"""The ``photocheck`` command line.

Exit status, the same for ``check``, ``batch``, ``report`` and ``fix``: 0 when every photo
passes, 1 when any photo fails, 2 for a usage or input error (a photo that cannot be read, a
bad profile, a pattern that matches nothing: with a one-line reason on standard error), which
outranks 1. ``report`` writes its report in every case but a usage error. When the reader of
standard output goes away (``photocheck check ... | head -2``) the command stops quietly with
status 141 (128 + SIGPIPE, what a shell reports for a process killed by a closed pipe).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import PhotocheckError

if TYPE_CHECKING:
    from ..imaging.load import LoadedImage
    from ..rules.profile import Profile
    from ..rules.verdict import Verdict

__all__ = ["main"]

_SYMBOL = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "not_assessed": "n/a "}
EXIT_STATUSES = """exit status (check, batch, report, fix):
  0    every photo passes
  1    any photo fails
  2    a usage or input error (unreadable photo, bad profile, no photo matched)
  141  standard output was closed early (e.g. piped into head)"""
BROKEN_PIPE_STATUS = 141


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
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser(
        "check",
        help="check photos against a profile",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "photos", nargs="+", metavar="PHOTO", help="image files, folders or globs to check"
    )
    check.add_argument(
        "--profile", "-p", default="icao", help="profile name or TOML file (default icao)"
    )
    check.add_argument("--json", action="store_true", help="print one JSON verdict per line")
    check.add_argument(
        "--failures-only",
        action="store_true",
        help="leave out the checks that pass (the photo's headline stays)",
    )
    check.add_argument(
        "--annotate", metavar="OUT_DIR", help="write one annotated PNG per photo into OUT_DIR"
    )
    check.add_argument(
        "--reference", metavar="OLD", help="the photo on file: is each PHOTO the same person?"
    )
    check.add_argument(
        "--lang", metavar="LOCALE", default="en",
        help="language of the messages: en (default), zh_CN or es",
    )  # fmt: skip
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
    report.add_argument("--title", default=None, help="the page title")
    report.add_argument(
        "--lang", metavar="LOCALE", default="en",
        help="language of the report: en (default), zh_CN or es",
    )  # fmt: skip
    batch = sub.add_parser(
        "batch", help="check many photos in worker processes, streaming results to a file"
    )
    batch.add_argument("sources", nargs="*", metavar="SOURCE", help="files, folders, globs, URLs")
    batch.add_argument(
        "--pairs", metavar="CSV", help="check (photo,reference) pairs from a CSV: same person?"
    )
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
    from .fix import add_parser as add_fix_parser

    add_fix_parser(sub)  # fix
    return parser


class _Version(argparse.Action):
    """``--version``: print the installed distribution's version (read only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import version

        sys.stdout.write(f"photocheck {version('photocheck')}\n")
        parser.exit()


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _print_verdict(
    verdict_dict: dict[str, Any], out: TextIO, failures_only: bool = False, locale: str = "en"
) -> None:
    """Print a verdict as text: one line per check, checks not assessed for one reason grouped.

    When several checks could not be assessed for the same reason (no face, several faces...),
    the reason is given once, on one ``n/a`` line counting them; ``--json`` keeps them all.
    The words are in ``locale`` (a catalogue name), as the verdict's messages are.
    """
    from ..rules.messages import UI, text

    def ui(msgid: str) -> str:
        return text(msgid, locale, UI[msgid])

    head = ui("verdict.accepted") if verdict_dict["ok"] else ui("verdict.rejected")
    profile = safe_text(str(verdict_dict["profile"]))
    out.write(f"{safe_text(str(verdict_dict['source']))}: {head} ({profile})\n")
    results = verdict_dict["results"]
    reasons: dict[str, list[str]] = {}
    for r in results:
        if r["status"] == "not_assessed":
            reasons.setdefault(_reason(r["message"]), []).append(r["check"])
    grouped = {reason for reason, checks in reasons.items() if len(checks) > 1}
    for r in results:
        if failures_only and r["status"] == "pass":
            continue
        if r["status"] == "not_assessed" and _reason(r["message"]) in grouped:
            reason = _reason(r["message"])
            if reasons[reason][0] == r["check"]:
                label = ui("verdict.n_checks").format(count=len(reasons[reason]))
                names = reasons[reason]
                which = ", ".join(names) if len(names) <= 4 else ui("verdict.json_lists")
                line = ui("verdict.not_checked").format(reason=reason, which=which)
                out.write(f"  {_SYMBOL['not_assessed']} {label:<24} {safe_text(line)}\n")
            continue
        out.write(f"  {_SYMBOL[r['status']]} {r['check']:<24} {safe_text(r['message'])}\n")


def _reason(message: str) -> str:
    """Return the reason a ``not_assessed`` message gives ("...: no face was found.")."""
    import re

    return re.split(r"\): |）：", message)[-1].rstrip(".。")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from .. import api as _api  # noqa: F401 - registers the built-in checks profiles name

    try:
        status = _run(args)
        sys.stdout.flush()  # a closed pipe raises here, not at interpreter exit
    except BrokenPipeError:
        return _stdout_closed()
    return status


def _stdout_closed() -> int:
    """Stop writing to a closed standard output quietly; return :data:`BROKEN_PIPE_STATUS`.

    Standard output is pointed at the null device, so that the flush at interpreter exit does
    not raise (and print) a second BrokenPipeError.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass
    return BROKEN_PIPE_STATUS


def _run(args: argparse.Namespace) -> int:
    """Run one parsed command; return the exit status."""
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
        if args.command == "fix":
            from .fix import run as run_fix

            return run_fix(args)
        if args.command in ("evaluate", "tune"):
            from .evaluate import run

            return run(args)
        if args.command == "report":
            return _report(args.sources, args.output, args.profile, args.title, args.lang)
        if args.command == "batch":
            from ..batch.output import run_batch

            progress = False if args.no_progress else None
            if bool(args.sources) == bool(args.pairs):
                raise PhotocheckError("batch: give either SOURCE... or --pairs CSV")
            if args.pairs:
                from ..batch.runner import read_pairs

                args.sources = read_pairs(args.pairs)  # Source objects pass through expansion
            return run_batch(
                args.sources, args.out, profile=args.profile, workers=args.workers,
                progress=progress, dask=args.dask,
            )  # fmt: skip
        return _check(
            args.photos, args.profile, args.json, args.annotate, args.reference,
            args.failures_only, args.lang,
        )  # fmt: skip
    except PhotocheckError as exc:
        sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
        return 2
    except KeyboardInterrupt:
        return 130


def _check(
    photos: list[str],
    profile_name: str,
    as_json: bool,
    annotate_dir: str | None = None,
    reference_path: str | None = None,
    failures_only: bool = False,
    lang: str = "en",
) -> int:
    from ..api import validate
    from ..imaging.load import load_image
    from ..imaging.sources import SourceError, expand_sources, open_payload
    from ..rules.profile import load_profile

    locale = _locale(lang)
    profile = load_profile(profile_name)
    reference: object = reference_path
    if reference_path is not None:  # encoded once for every PHOTO
        import contextlib

        from ..vision.identity import encode_face

        # On failure each verdict reports the reference's problem, with its code.
        with contextlib.suppress(PhotocheckError):
            reference = encode_face(reference_path)
    names = _AnnotationNames(annotate_dir) if annotate_dir is not None else None
    status = 0
    for source in expand_sources(photos):  # files, folders (recursive) and globs
        try:
            if isinstance(source.payload, SourceError):
                raise PhotocheckError(source.payload.message)
            image = load_image(open_payload(source.payload))
            verdict = validate(image, profile, reference=reference, locale=locale)
            if names is not None:
                names.write(source.label, image, verdict, profile)
        except PhotocheckError as exc:
            sys.stdout.flush()  # keep the verdicts and the errors in order on a terminal
            sys.stderr.write(f"photocheck: error: {safe_text(str(exc))}\n")
            status = 2
            continue
        data = verdict.to_dict()
        if as_json:
            if failures_only:
                data["results"] = [r for r in data["results"] if r["status"] != "pass"]
            sys.stdout.write(json_line(data) + "\n")
        else:
            _print_verdict(data, sys.stdout, failures_only, locale)
        sys.stdout.flush()
        if not verdict.ok and status == 0:
            status = 1
    return status


def _locale(lang: str) -> str:
    """Return the catalogue ``--lang`` names; an unknown one is said on stderr (English)."""
    import warnings

    from ..rules.messages import normalize_locale

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        locale = normalize_locale(lang)
    for warning in caught:
        sys.stderr.write(f"photocheck: warning: {safe_text(str(warning.message))}\n")
    return locale


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


def _report(
    sources: list[str], output: str, profile_name: str, title: str | None, lang: str = "en"
) -> int:
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
        counts = write_report(
            photos, output, profile=profile_name, title=title, locale=_locale(lang)
        )
    except OSError as exc:
        raise PhotocheckError(f"cannot write {output!r}: {exc.strerror}") from None
    sys.stdout.write(
        f"wrote {safe_text(output)}: {counts['photos']} photos, {counts['pass']} passed, "
        f"{counts['fail']} failed, {counts['error']} errored ({counts['bytes'] / 1e6:.1f} MB)\n"
    )
    return 2 if counts["error"] else 1 if counts["fail"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
