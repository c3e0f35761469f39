"""Regenerate the figures of the documentation pages from the labelled photos.

Usage (from anywhere; paths are relative to the repository)::

    uv run python tools/make_docs.py [PAGE ...] [--photos DIR] [--tables DIR] [--workers N]

PAGE is one of ``features``, ``accuracy``, ``lighting``, ``hostile-inputs``, ``check-limits``
and ``face-analysis`` (default: all of them). Every figure comes from the library's evaluation
engine (:mod:`photocheck.evaluation.tuning`: measurement tables, vectorised judging,
FRR / FAR / balanced accuracy / EER; :mod:`photocheck.evaluation.crossval` for
``face-analysis``); the tests hold the floors and never write pages.

Pages with hand-written prose (``features.md``, ``checks.md``) keep it: only the blocks
between ``<!-- make_docs:NAME -->`` and ``<!-- /make_docs:NAME -->`` (and the limit columns of
the table of ``checks.md``) are replaced. ``accuracy.md`` is written whole from
:func:`photocheck.evaluation.tuning.evaluate` with ``cv=5`` (what ``photocheck evaluate
MANIFEST --cv 5`` prints), ``hostile-inputs.md`` from a
run of ``tests/hostile/run_corpus.py`` under its resource caps, ``face-analysis.md`` from
``tools/derive_limits.py``.

``--tables DIR`` keeps the measurements (CSV) there and reuses them on the next run (delete
them after changing the checks); the labelled photos are measured once for ``features`` and
``accuracy``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from photocheck.batch.table import MeasurementTable, cached_table, measure_many
from photocheck.cli.main import main as photocheck_main
from photocheck.cli.main import safe_text
from photocheck.evaluation.accessories import FEATURE_CHECKS, accessory_set
from photocheck.evaluation.labels import expected_outcomes, read_manifest
from photocheck.evaluation.rejudge import judge_table
from photocheck.evaluation.synthetic import variant_info
from photocheck.evaluation.synthetic_lighting import (
    CHECKS,
    TARGETS,
    base_rows,
    lighting_set,
    reduce_to,
)
from photocheck.evaluation.tuning import evaluate, labelled_manifest_table, rejection_rates
from photocheck.imaging.load import load_image
from photocheck.rules.profile import Profile, load_profile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PHOTOS = ROOT.parent / "shared" / "data" / "photos"
# accessory.glasses fails in cn-social-security; icao only warns
FEATURES_PROFILE = "cn-social-security"


@dataclasses.dataclass
class Run:
    """What every page needs: where things are, how to measure, measurements made so far."""

    photos: Path
    docs: Path
    tables: Path | None
    workers: int | None
    progress: bool
    cache: dict[str, MeasurementTable] = dataclasses.field(default_factory=dict)

    @property
    def manifest(self) -> Path:
        """The labelled manifest."""
        return self.photos / "manifest.csv"

    def table(self, name: str, measure: Callable[[], MeasurementTable]) -> MeasurementTable:
        """Return the measurements called ``name``: from this run, from --tables, or new."""
        if name not in self.cache:
            path = self.tables / f"{name}.csv" if self.tables is not None else None
            self.cache[name] = cached_table(path, measure)
        return self.cache[name]

    def labelled(self) -> MeasurementTable:
        """Every labelled photo, every check, with the labels as ``label:`` columns."""
        return self.table(
            "real",
            lambda: labelled_manifest_table(
                self.manifest, workers=self.workers, progress=self.progress
            ),
        )


def replace_blocks(path: Path, blocks: Mapping[str, str]) -> None:
    """Replace the generated blocks of a page (between its make_docs markers).

    Raises
    ------
    SystemExit
        When a block's markers are missing from the page.
    """
    text = path.read_text(encoding="utf-8")
    for name, body in blocks.items():
        begin, end = f"<!-- make_docs:{name} -->", f"<!-- /make_docs:{name} -->"
        if begin not in text or end not in text.split(begin, 1)[1]:
            raise SystemExit(f"{path}: no {begin} ... {end} block")
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = f"{head}{begin}\n{body.strip()}\n{end}{tail}"
    path.write_text(text, encoding="utf-8")


def only_checks(profile: str | Profile, checks: Sequence[str]) -> Profile:
    """Return the profile with only the rules of ``checks`` (same name)."""
    prof = load_profile(profile)
    return Profile(
        prof.name, prof.description, {c: prof.rules[c] for c in checks if c in prof.rules}
    )


# --- features.md --------------------------------------------------------------------------


def features(run: Run) -> None:
    """Write the feature checks on one-face photos (all, fully assessed) and accessories."""
    rows = read_manifest(run.manifest)
    one_face = np.array([r["n_faces"] == "1" for r in rows])
    table = run.labelled().rows(one_face)
    labels = [
        {g: ok for g, ok in expected_outcomes(r).items() if g in FEATURE_CHECKS}
        for r, keep in zip(rows, one_face.tolist(), strict=True)
        if keep
    ]
    profile = only_checks(FEATURES_PROFILE, FEATURE_CHECKS)
    assessed = ~table.present["error"]
    for check in FEATURE_CHECKS:
        if f"{check}:reason" in table.columns:
            assessed &= ~table.present[f"{check}:reason"]
    kept = [lab for lab, ok in zip(labels, assessed.tolist(), strict=True) if ok]
    synthetic = run.table(
        "accessories",
        lambda: accessory_set([r for r in rows if r["n_faces"] == "1"], workers=run.workers),
    )
    counts = rejection_rates(synthetic, FEATURES_PROFILE, checks=FEATURE_CHECKS)
    lines = [
        "| variant | n | " + " | ".join(FEATURE_CHECKS) + " |",
        "|---|---|" + "---|" * len(FEATURE_CHECKS),
    ]
    for variant, per in counts.items():
        n = next(iter(per.values()))[1]
        cells = " | ".join(f"{per[c][0] / n:.0%}" for c in FEATURE_CHECKS)
        lines.append(f"| {variant} | {n} | {cells} |")
    replace_blocks(
        run.docs / "features.md",
        {
            "features-real": evaluate(table, labels, profile).to_markdown(),
            "features-assessed": (
                f"Assessed only ({int(assessed.sum())} photos where every feature check could "
                "measure):\n\n" + evaluate(table.rows(assessed), kept, profile).to_markdown()
            ),
            "features-synthetic": "\n".join(lines),
        },
    )


# --- accuracy.md --------------------------------------------------------------------------


def accuracy(run: Run) -> None:
    """Write the whole page with ``photocheck evaluate --cv 5`` (cross-validated and in-sample)."""
    run.labelled()  # measured once for every page (and saved when --tables is given)
    args = [
        "evaluate", os.path.relpath(run.manifest, ROOT), "--profile", "icao", "--synthetic",
        "--cv", "5", "--seed", "0", "--group-by", "auto",
        "--markdown", os.path.relpath(run.docs / "accuracy.md", ROOT),
        "--page-command", "uv run --frozen python tools/make_docs.py accuracy",
    ]  # fmt: skip
    if run.workers is not None:
        args += ["--workers", str(run.workers)]
    if run.progress:
        args.append("--progress")
    with tempfile.TemporaryDirectory() as tmp:
        tables = run.tables or Path(tmp)
        if not (tables / "real.csv").is_file():
            run.labelled().write(tables / "real.csv")
        args += ["--table", str(tables / "real.csv")]
        args += ["--synthetic-table", str(tables / "synthetic.csv")]
        with contextlib.chdir(ROOT):  # the page states the command with these relative paths
            if photocheck_main(args) != 0:
                raise SystemExit("photocheck evaluate failed")


# --- checks.md: the lighting, colour and compression checks -------------------------------


def lighting(run: Run) -> None:
    """Write false rejections, detection per variant and severity, dark / bright photos."""
    rows = read_manifest(run.manifest)
    table = run.table(
        "lighting",
        lambda: lighting_set(base_rows(rows), workers=run.workers, progress=run.progress),
    )
    verdicts = judge_table(table, "icao")
    untouched = table.equals("meta:variant", "none")
    files = np.array([str(table.value("meta:base", i)) for i in range(len(table))], dtype=object)
    n = int(untouched.sum())
    out = [
        "| check | rejected | rate | of which fail | of which not assessed | photos |",
        "|---|---|---|---|---|---|",
    ]
    for check in CHECKS:
        status = verdicts.status_names(check)
        bad = np.flatnonzero(untouched & ~verdicts.passed(check))
        failed = int((status[bad] == "fail").sum())
        names = ", ".join(files[i] + (" (n/a)" if status[i] == "not_assessed" else "") for i in bad)
        out.append(
            f"| `{check}` | {len(bad)}/{n} | {len(bad) / n:.1%} | {failed} | "
            f"{len(bad) - failed} | {names or '-'} |"
        )
    # "expected" is the variant's registered expectation at that severity, set from what the
    # variant does (synthetic_lighting's module docstring); "-": none (between the zones).
    detection = [
        "| variant | target check | severity | expected | applied to | rejected | rate |",
        "|---|---|---|---|---|---|---|",
    ]
    by = ("meta:variant", "meta:severity")
    rates = rejection_rates(table, by=by, checks=CHECKS, verdicts=verdicts)
    for (variant, severity), per in rates.items():
        if variant == "none":
            continue
        check, _ = TARGETS[variant]
        hits, made = per[check]
        spec = variant_info(variant)
        sev = next(s for s in spec.severities if str(s) == severity)
        expected = spec.expected_for(sev).get(check, "-")
        detection.append(
            f"| `{variant}` | `{check}` | {severity} | {expected} | {made}/{n} | {hits} | "
            f"{hits / made:.0%} |"
        )
    replace_blocks(
        run.docs / "checks.md",
        {
            "lighting-untouched": "\n".join(out),
            "lighting-variants": "\n".join(detection),
            "lighting-real": _dark_and_bright(rows),
        },
    )


def _dark_and_bright(rows: Sequence[Mapping[str, str]]) -> str:
    chosen = [r for r in rows if r["n_faces"] == "1" and r["exposure"] in ("dark", "bright")]
    photos = [reduce_to(load_image(r["path"]).rgb) for r in chosen]
    verdicts = judge_table(measure_many(photos, checks=CHECKS, workers=1), "icao")
    lines = [
        "| photo | exposure | " + " | ".join(f"`{c}`" for c in CHECKS) + " |",
        "|---|---|" + "---|" * len(CHECKS),
    ]
    for i, row in enumerate(chosen):
        status = " | ".join(str(verdicts.status_names(c)[i]) for c in CHECKS)
        lines.append(f"| {row['file']} | {row['exposure']} | {status} |")
    return "\n".join(lines)


# --- hostile-inputs.md --------------------------------------------------------------------


def hostile_inputs(run: Run) -> None:
    """Run the hostile-input corpus under its caps and write the whole page."""
    runner = ROOT / "tests" / "hostile" / "run_corpus.py"
    with tempfile.TemporaryDirectory() as tmp:
        settings_file = Path(tmp) / "settings.json"
        done = subprocess.run(
            [sys.executable, str(runner), "--folder", str(Path(tmp) / "corpus"),
             "--settings", str(settings_file)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode not in (0, 1):  # 1: some input was unexpected (the page says which)
            raise SystemExit(f"run_corpus.py failed:\n{done.stderr[-3000:]}")
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        settings = json.loads(settings_file.read_text(encoding="utf-8"))
    (run.docs / "hostile-inputs.md").write_text(hostile_markdown(rows, settings), encoding="utf-8")


def _cell(text: str) -> str:
    text = safe_text(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return text if len(text) <= 160 else text[:157] + "..."


def hostile_markdown(rows: list[dict[str, Any]], settings: dict[str, Any]) -> str:
    """Render the page: how the corpus ran, then one row per input and its outcome."""
    lines = [
        "# Hostile inputs: what photocheck does with each",
        "",
        "<!-- Generated by tools/make_docs.py: do not edit by hand. -->",
        "",
        "Every input below is generated by `tests/hostile/hostile_corpus.py` (nothing binary is",
        "committed) and passed to `photocheck.validate(input)` with the default `icao` profile.",
        "Regenerate this page with:",
        "",
        "```",
        "uv run python tools/make_docs.py hostile-inputs",
        "```",
        "",
        f"Run settings: address space capped at the warmed-up process plus "
        f"{settings['headroom_mb']} MB (at most {settings['address_space_limit_mb']} MB); inputs "
        f"expected to be refused as too large ran with only {settings['bomb_headroom_mb']} MB "
        "of headroom, so their refusal cannot have come after a large allocation; wall-clock alarm "
        f"{settings['wall_cap_s']} s per input, CPU cap {settings['cpu_cap_s']} s per input; peak "
        f"resident memory of the whole run {settings['maxrss_mb']} MB. The same run is a test "
        "(`tests/test_hostile.py`). Times are from one run on a shared 2-core machine and vary.",
        "",
        "Outcome is either a `PhotocheckError` subclass (see [errors.md](errors.md)) or `verdict`:",
        "the photo was decoded and judged, and checks that could not measure say `not_assessed`.",
        "For arrays, *unchanged* confirms the caller's array was not modified.",
        "",
        "| input | group | expected | outcome | detail | CPU s |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        mark = "" if row["ok"] else " **UNEXPECTED**"
        detail = row["detail"]
        if row["input_unchanged"] is not None:
            detail += "; unchanged" if row["input_unchanged"] else "; MODIFIED"
        lines.append(
            f"| {_cell(row['description'])} (`{row['name']}`) | {row['group']} | "
            f"{' or '.join(row['expect'])} | {row['outcome']}{mark} | {_cell(detail)} | "
            f"{row['cpu_s']:.2f} |"
        )
    worst = max(rows, key=lambda r: r["cpu_s"])
    lines += [
        "",
        f"{sum(r['ok'] for r in rows)} of {len(rows)} inputs gave an expected outcome; the "
        f"slowest was `{worst['name']}` ({worst['cpu_s']:.2f} CPU s, "
        f"{worst['wall_s']:.2f} s wall).",
        "",
        "Refusals are decided from the signature, header, file size or array shape and cost",
        "milliseconds. Decoded photos cost time roughly in proportion to their pixel count",
        "(compare `large_24mp_jpeg` with the 0.24 MP portraits), so services with a strict",
        "time budget should pass a lower `max_pixels` than the default 50 MP.",
        "",
    ]
    return "\n".join(lines)


def check_limits(run: Run) -> None:
    """Rewrite the two profile columns of the table in ``checks.md`` from the shipped profiles."""
    import photocheck

    path = run.docs / "checks.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("<!-- table:start -->", 1)
    body, tail = rest.split("<!-- table:end -->", 1)
    lines = body.strip("\n").splitlines()
    header = [c.strip() for c in lines[0].strip().strip("|").split(" | ")]
    columns = {
        header.index(f"`{name}` limits"): photocheck.load_profile(name)
        for name in photocheck.available_profiles()
        if f"`{name}` limits" in header
    }
    out = lines[:2]
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        check = cells[0].strip("`")
        for index, profile in columns.items():
            rule = profile.rules.get(check)
            if rule is None:
                cells[index] = "not applied"
            elif not rule:
                cells[index] = "—"
            else:
                cells[index] = "; ".join(f"{k}={_limit_text(v)}" for k, v in rule.items())
        out.append("| " + " | ".join(cells) + " |")
    path.write_text(
        head + "<!-- table:start -->\n" + "\n".join(out) + "\n<!-- table:end -->" + tail,
        encoding="utf-8",
    )


def _limit_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "/".join(str(v) for v in value)
    return str(value)


def face_analysis(run: Run) -> None:
    """Write ``face-analysis.md``: cross-validated figures of every labelled group."""
    import derive_limits  # tools/derive_limits.py, beside this script

    report = derive_limits.report(run.photos / "manifest.csv", "icao", 5)
    intro = (
        "# Face analysis: cross-validated accuracy on the development photos\n\n"
        "Generated by `uv run python tools/make_docs.py face-analysis` (the same table as\n"
        "`uv run python tools/derive_limits.py ../shared/data/photos/manifest.csv`). Every check\n"
        "group that a manifest label speaks to is judged with limits chosen on the other folds, so\n"
        "each photo is judged by limits that never saw it. *In-sample* figures fit the limits on\n"
        "every photo and score them on the same photos: they overstate. *Shipped* is the `icao`\n"
        "profile's own limits on these photos. A photo a check cannot measure counts as rejected.\n\n"
    )
    (run.docs / "face-analysis.md").write_text(intro + report, encoding="utf-8")


# --- command line -------------------------------------------------------------------------

PAGES: dict[str, Callable[[Run], None]] = {
    "features": features,
    "accuracy": accuracy,
    "lighting": lighting,
    "hostile-inputs": hostile_inputs,
    "check-limits": check_limits,
    "face-analysis": face_analysis,
}
NEEDS_PHOTOS = {"features", "accuracy", "lighting", "face-analysis"}


def main(argv: list[str] | None = None) -> int:
    """Regenerate the pages named (default: all); return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE", help=f"one of {', '.join(PAGES)}")
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS, help="the labelled set")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="the pages' folder")
    parser.add_argument("--tables", type=Path, help="keep and reuse measurements here")
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--progress", action="store_true", help="show progress bars")
    args = parser.parse_args(argv)
    pages = args.pages or list(PAGES)
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        parser.error(f"unknown page {', '.join(unknown)}; choose from {', '.join(PAGES)}")
    if NEEDS_PHOTOS & set(pages) and not (args.photos / "manifest.csv").is_file():
        parser.error(f"no labelled photos at {args.photos} (give --photos)")
    if args.tables is not None:
        args.tables.mkdir(parents=True, exist_ok=True)
    run = Run(args.photos.resolve(), args.docs.resolve(), args.tables, args.workers, args.progress)
    for page in pages:
        print(f"make_docs: {page}", file=sys.stderr, flush=True)
        PAGES[page](run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
