"""``photocheck evaluate`` and ``photocheck tune``: error rates over a labelled manifest.

``photocheck evaluate MANIFEST.csv --profile icao [--cv 5] [--synthetic] [-o out.csv|out.json]``
prints, per check, the confusion counts, FRR, FAR, balanced accuracy and EER (see
:mod:`photocheck.evaluation.tuning`); with ``--cv K`` first the cross-validated figures (limits
chosen on K-1 folds, scored on the held fold, folds grouped by source when the manifest has
a source column, bootstrap intervals and counts). ``--markdown FILE`` writes the accuracy
page (``tools/make_docs.py accuracy`` makes ``docs/accuracy.md`` this way). ``photocheck tune
MANIFEST.csv --profile icao --target-frr 0.02 -o my.toml`` writes a profile with each labelled
check's limits moved to the target, and refuses (exit 1, nothing written) limits that leave
their check's plausible range or raise FAR or FRR by more than ``--max-jump``, unless
``--force``. ``--labels FILE`` maps manifest columns to checks with your own TOML mapping
(the shipped one: ``photocheck/evaluation/label_mapping.toml``).

``--table FILE`` (and ``--synthetic-table FILE``) keeps the raw measurements: the first run
measures and saves them (Parquet or CSV), later runs only re-judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import PhotocheckError

__all__ = ["SOURCE_COLUMNS", "add_parsers", "run"]

#: Manifest columns that name a photo's source, in the order ``--group-by auto`` looks for them.
SOURCE_COLUMNS = ("group", "source", "source_repo")


def add_parsers(sub: Any) -> None:
    """Add the ``evaluate`` and ``tune`` subcommands to the CLI's subparsers."""
    for name, text in (
        ("evaluate", "error rates of a profile over a labelled manifest (and synthetic variants)"),
        ("tune", "move each labelled check's limits to a target error rate; write a profile"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument(
            "manifest", metavar="MANIFEST", help="labelled manifest CSV (file, label columns)"
        )
        p.add_argument(
            "--profile", "-p", default="icao", help="profile name or TOML file (default icao)"
        )
        p.add_argument(
            "--synthetic",
            action="store_true",
            help="add labelled synthetic variants of the compliant photos",
        )
        p.add_argument(
            "--table",
            metavar="FILE",
            help="load measurements from FILE, or measure and save them there (.parquet or .csv)",
        )
        p.add_argument("--synthetic-table", metavar="FILE", help="the same for the synthetic set")
        p.add_argument(
            "--workers", type=int, default=None, help="worker processes (default: one per core)"
        )
        p.add_argument(
            "--limit",
            type=int,
            default=None,
            help="use at most N compliant photos as synthetic bases",
        )
        p.add_argument(
            "--progress", action="store_true", help="show a progress bar while measuring"
        )
        p.add_argument(
            "--labels", metavar="FILE",
            help="TOML mapping of manifest columns to checks (default: the shipped mapping)",
        )  # fmt: skip
        if name == "evaluate":
            p.add_argument(
                "--output", "-o", metavar="FILE", help="write the figures as .csv or .json"
            )
            p.add_argument("--markdown", metavar="FILE", help="write the accuracy page as Markdown")
            p.add_argument(
                "--cv", type=int, metavar="K",
                help="cross-validate: limits chosen on K-1 folds, scored on the held fold",
            )  # fmt: skip
            p.add_argument(
                "--group-by", metavar="COLUMN", default="auto",
                help="keep the photos of one value of this manifest column in one fold; 'auto' "
                f"(default): the first of {', '.join(SOURCE_COLUMNS)} the manifest has; 'none'",
            )  # fmt: skip
            p.add_argument("--seed", type=int, default=0, help="seed of folds and bootstrap (0)")
            p.add_argument(
                "--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)"
            )
            p.add_argument("--page-command", help=argparse.SUPPRESS)  # the page's regenerate line
        else:
            goal = p.add_mutually_exclusive_group(required=True)
            goal.add_argument(
                "--target-frr", type=float, help="largest false-reject rate per check, e.g. 0.02"
            )
            goal.add_argument(
                "--eer", action="store_true", help="put each check at its equal-error point"
            )
            p.add_argument(
                "--output", "-o", required=True, metavar="FILE", help="the TOML profile to write"
            )
            p.add_argument("--name", help="name of the new profile (default: <profile>-tuned)")
            p.add_argument(
                "--only", action="append", metavar="GROUP",
                help="tune only this label group or check id (repeatable; default: every labelled one)",
            )  # fmt: skip
            p.add_argument(
                "--force", action="store_true",
                help="write limits that leave their plausible range, jump FAR/FRR or rest on few photos",
            )  # fmt: skip
            p.add_argument(
                "--max-jump", type=float, default=0.25,
                help="largest rise of FAR or FRR accepted without --force (default 0.25)",
            )  # fmt: skip
            p.add_argument(
                "--min-examples", type=int, default=None,
                help="fewest compliant and non-compliant photos a group needs (default 10)",
            )  # fmt: skip


def _tables(args: argparse.Namespace) -> tuple[Any, Any]:
    from ..batch.table import cached_table
    from ..evaluation.tuning import labelled_manifest_table, synthetic_set

    manifest = Path(args.manifest)
    if not manifest.is_file():
        raise PhotocheckError(f"no manifest at {str(manifest)!r}")
    real = cached_table(
        args.table,
        lambda: labelled_manifest_table(manifest, workers=args.workers, progress=args.progress),
    )
    if len(real) != len(_rows(args)):
        raise PhotocheckError(
            f"the table {args.table!r} has {len(real)} rows, the manifest {len(_rows(args))}: "
            "measure again (delete the table)"
        )
    synthetic = None
    if args.synthetic:
        synthetic = cached_table(
            args.synthetic_table,
            lambda: synthetic_set(
                manifest, limit=args.limit, workers=args.workers, progress=args.progress
            ),
        )
    return real, synthetic


def run(args: argparse.Namespace) -> int:
    """Run ``evaluate`` or ``tune``; return the exit status."""
    if args.command == "evaluate":
        return _evaluate(args)
    return _tune(args)


def _rows(args: argparse.Namespace) -> list[dict[str, str]]:
    """Return the manifest's rows (read once per run)."""
    from ..evaluation.labels import read_manifest

    if not hasattr(args, "_rows"):
        args._rows = read_manifest(args.manifest)
    rows: list[dict[str, str]] = args._rows
    return rows


def _mapping(args: argparse.Namespace) -> Any:
    from ..evaluation.labels import load_label_mapping

    return load_label_mapping(args.labels)


def _sources(args: argparse.Namespace) -> tuple[list[str] | None, str | None]:
    """Return the source of each manifest row for ``--group-by`` (None: ungrouped)."""
    rows = _rows(args)
    columns = set(rows[0]) if rows else set()
    column = args.group_by
    if column == "auto":
        column = next((c for c in SOURCE_COLUMNS if c in columns), "none")
    if column == "none":
        return None, None
    if column not in columns:
        raise PhotocheckError(f"--group-by: the manifest has no column {column!r}")
    return [row[column] for row in rows], column


def _evaluate(args: argparse.Namespace) -> int:
    from ..evaluation.labels import expected_outcomes
    from ..evaluation.tuning import evaluate
    from ..rules.profile import load_profile

    profile = load_profile(args.profile)
    mapping = _mapping(args)
    if args.cv is not None and args.cv < 2:
        raise PhotocheckError(f"--cv needs at least 2 folds, got {args.cv}")
    real, synthetic = _tables(args)
    labels = [expected_outcomes(row, mapping, profile) for row in _rows(args)]
    results: dict[str, Any] = {"real": evaluate(real, labels, profile, mapping=mapping)}
    if args.cv is not None:
        sources, column = _sources(args)
        cv = evaluate(
            real, labels, profile, mapping=mapping, cv=args.cv, seed=args.seed,
            sources=sources, grouped_by=column, resamples=args.resamples,
        )  # fmt: skip
        results = {"cross-validated": cv, **results}
    if synthetic is not None:
        results["synthetic"] = evaluate(synthetic, None, profile, mapping=mapping)
    for name, result in results.items():
        title = "in-sample, the profile's own limits" if name == "real" and args.cv else name
        sys.stdout.write(f"## {title} ({result.photos} photos)\n\n{result.to_markdown()}\n")
    if args.output:
        _write_output(args.output, results)
    if args.markdown:
        cv = results.get("cross-validated")
        if cv is not None and cv.grouped_by:  # the page also shows the ungrouped figure
            results["cross-validated, photo by photo"] = evaluate(
                real, labels, profile, mapping=mapping, cv=args.cv, seed=args.seed,
                resamples=args.resamples,
            )  # fmt: skip
        text = accuracy_markdown(results, synthetic, args)
        Path(args.markdown).write_text(text, encoding="utf-8")
    return 0


def _write_output(path: str, results: dict[str, Any]) -> None:
    import csv

    target = Path(path)
    if target.suffix.lower() == ".json":
        target.write_text(
            json.dumps(
                {k: v.to_dict() if k == "cross-validated" else v.to_dict(roc=True)
                 for k, v in results.items()}, indent=1,
            ),
            encoding="utf-8",
        )  # fmt: skip
        return
    rows = [
        {"set": k, **{n: json.dumps(x) if isinstance(x, list | dict) else x for n, x in r.items()}}
        for k, v in results.items()
        for r in v.to_records()
    ]
    fields = list(dict.fromkeys(n for r in rows for n in r))
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or ["set"])
        writer.writeheader()
        writer.writerows(rows)


def _tune(args: argparse.Namespace) -> int:
    from ..batch.table import MeasurementTable
    from ..evaluation.crossval import MIN_COUNT
    from ..evaluation.labels import expected_outcomes
    from ..evaluation.tuning import labels_from_table, tune
    from ..rules.profile import Profile, load_profile

    profile = load_profile(args.profile)
    mapping = _mapping(args)
    real, synthetic = _tables(args)
    labels = [expected_outcomes(row, mapping, profile) for row in _rows(args)]
    table = real
    if synthetic is not None:
        table = MeasurementTable.concat([real, synthetic])
        labels += labels_from_table(synthetic)
    tuned, report = tune(
        table, labels, profile, target_frr=args.target_frr, eer=args.eer, groups=args.only,
        mapping=mapping, max_jump=args.max_jump, force=args.force,
        min_examples=args.min_examples if args.min_examples is not None else MIN_COUNT,
    )  # fmt: skip
    refused = []
    for group, info in report.items():
        if "skipped" in info:
            loud = "too few" in info["skipped"]
            line = f"{group:<24} left alone: {info['skipped']}"
            if loud:
                sys.stderr.write(f"WARNING: {line} (--force to tune it anyway)\n")
            else:
                sys.stdout.write(line + "\n")
            continue
        b, a = info["before"], info["after"]
        changes = (
            "; ".join(
                f"{c} " + ", ".join(f"{k} {ch['old'][k]} -> {v}" for k, v in ch["new"].items())
                for c, ch in info["changes"].items()
            )
            or "unchanged (the current limits meet the target best, or nothing numeric to move)"
        )
        verb = "REFUSED" if info["refused"] else "in-sample"
        sys.stdout.write(
            f"{group:<24} {verb} ({info['positives']} compliant / {info['negatives']} non-compliant): "
            f"FRR {b['frr']:.1%} -> {a['frr']:.1%}, FAR {b['far']:.1%} -> {a['far']:.1%}: {changes}\n"
        )
        for note in info["notes"]:
            sys.stderr.write(f"WARNING: {group}: {note}\n")
        for problem in info["problems"]:
            kind = "REFUSED" if info["refused"] else "WARNING (forced)"
            sys.stderr.write(f"{kind}: {group}: {problem}\n")
        if info["refused"]:
            refused.append(group)
    if refused:
        sys.stderr.write(
            f"photocheck tune: refused the new limits of {', '.join(refused)}; nothing written. "
            "Tune the other groups with --only, or accept with --force.\n"
        )
        return 1
    goal = "equal-error point" if args.eer else f"false-reject rate <= {args.target_frr}"
    forced = " Forced past the safety checks (--force)." if args.force else ""
    description = (
        f"{profile.description} Tuned by photocheck tune ({goal}) on {args.manifest}.{forced}"
    )
    tuned = Profile(args.name or f"{profile.name}-tuned", description.strip(), tuned.rules)
    Path(args.output).write_text(tuned.to_toml(), encoding="utf-8")
    sys.stdout.write(
        f"wrote {args.output} (figures are in-sample; check them with photocheck evaluate "
        f"--cv 5 --profile {args.output})\n"
    )
    return 0


def _summary(cv: Any, ungrouped: Any) -> list[str]:
    """In-sample beside cross-validated balanced accuracy, one row per group."""
    head = "| group | pos | neg | shipped limits, in-sample | fitted, in-sample |"
    rule = "|---|---|---|---|---|"
    if ungrouped is not None:
        head += " CV, photo by photo |"
        rule += "---|"
    head += f" CV, {'grouped by ' + cv.grouped_by if cv.grouped_by else 'photo by photo'} |"
    lines = [
        "### In-sample beside cross-validated balanced accuracy",
        "",
        "The same groups, balanced accuracy only, from the most optimistic figure to the most",
        "honest one. *too few*: fewer than 10 positives or negatives; *too few sources*: the",
        "positives or negatives come from fewer than 3 sources, so grouped folds train on",
        "(almost) none of them and the photo-by-photo figure is the one to read.",
        "",
        head,
        rule + "---|",
    ]
    for g in cv.groups:
        shipped = cv.shipped.checks.get(g.group)
        r = g.result
        cells = [
            f"{g.group}{' (too few)' if r.too_few else ''}"
            f"{' (too few sources)' if g.too_few_sources else ''}",
            str(r.positives), str(r.negatives),
            "-" if shipped is None or shipped.balanced_accuracy != shipped.balanced_accuracy
            else f"{shipped.balanced_accuracy:.3f}",
            f"{r.in_sample_balanced_accuracy:.3f}",
        ]  # fmt: skip
        if ungrouped is not None:
            cells.append(f"{ungrouped[g.group].result.balanced_accuracy:.3f}")
        cells.append(f"**{r.balanced_accuracy:.3f}**")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def accuracy_markdown(results: dict[str, Any], synthetic: Any, args: argparse.Namespace) -> str:
    """Render the accuracy page: how it was made, the tables, and the synthetic detail."""
    import numpy as np

    from ..evaluation.labels import group_checks, load_label_mapping
    from ..evaluation.rejudge import judge_table
    from ..rules.profile import load_profile

    command = f"photocheck evaluate {args.manifest} --profile {args.profile}"
    if args.cv:
        command += f" --cv {args.cv}"
    if args.synthetic:
        command += " --synthetic"
    command += f" --markdown {args.markdown}"
    command = args.page_command or f"uv run {command}"
    real = results["real"]
    lines = [
        "# Accuracy",
        "",
        "<!-- generated; do not edit by hand -->",
        "",
        f"How well the `{real.profile}` profile's checks agree with hand labels. Regenerate with:",
        "",
        "```",
        command,
        "```",
        "",
        "Definitions: a check *rejects* a photo when it does not pass (`not_assessed` rejects",
        "too; `warn` passes). FRR = compliant photos rejected / compliant photos; FAR =",
        "non-compliant photos accepted / non-compliant photos; balanced accuracy (BA) = 1 - (FAR",
        "+ FRR) / 2; EER = equal-error rate over the group's score. *pos* / *neg* are the",
        "compliant / non-compliant photos each figure rests on. A check marked *(warn)* only",
        "warns in this profile, so it never rejects: its FAR counts warnings as accepts.",
        "",
    ]
    cv = results.get("cross-validated")
    if cv is not None:
        grouping = (
            f"grouped by the manifest's `{cv.grouped_by}` column: every photo of one source is in "
            "the same fold, so a held fold is judged by limits that never saw its source"
            if cv.grouped_by
            else "photos assigned to folds one by one"
        )
        lines += [
            "## Cross-validated figures (use these)",
            "",
            f"Photos: the {cv.photos} readable photos of `{args.manifest}` (the development set; "
            "`unsure`/`na` labels left out, face-level labels only on photos with exactly one face). "
            f"Folds: {cv.folds}, stratified by label, {grouping}; seed {cv.seed}. For each fold "
            "the limits the profile sets for the group's checks are chosen on the other folds "
            "(the cuts that maximise balanced accuracy there) and the held fold is judged with "
            "them; every photo is therefore judged by limits that never saw it. Intervals are "
            f"bootstrap 95% intervals ({cv.resamples} resamples within each class, seeded). "
            "*In-sample BA (fitted)* fits the limits on every photo and scores them on the same "
            "photos; *shipped limits* are the profile's own limits on these photos, also "
            "in-sample (they were chosen looking at these photos). Both overstate.",
            "",
            "<!-- table:cross-validated -->",
            cv.to_markdown(),
        ]
        lines += _summary(cv, results.get("cross-validated, photo by photo"))
    lines += [
        "## Label mapping",
        "",
        "Manifest label columns and the checks they judge (the shipped mapping,",
        "`photocheck/evaluation/label_mapping.toml`; pass your own with `--labels FILE`); a group",
        "is rejected when any of its checks does not pass.",
        "",
        "| label column | group | checks | compliant labels | non-compliant labels |",
        "|---|---|---|---|---|",
    ]
    profile = load_profile(args.profile)
    for rule in load_label_mapping(args.labels):
        good = sorted(rule.passing) + [
            f"{k} ({v} allowed)" for k, v in rule.category.items() if rule.expected(k, profile)
        ]
        bad = sorted(rule.failing) + [
            f"{k} ({v} not allowed)"
            for k, v in rule.category.items()
            if rule.expected(k, profile) is False
        ]
        lines.append(
            f"| `{rule.column}` | {rule.group} | {', '.join(rule.checks)} "
            f"| {', '.join(f'`{x}`' for x in good)} | {', '.join(f'`{x}`' for x in bad)} |"
        )
    lines.append("")
    lines += [
        "## In-sample figures of the shipped limits" if cv is not None else "## Real photos",
        "",
        f"The development set ({real.photos} photos read, {real.errors} unreadable), judged by the",
        f"`{real.profile}` profile as shipped. These limits were chosen looking at these photos, so",
        "the figures are in-sample and overstate; the cross-validated table above is the honest one.",
        "",
        "<!-- table:real -->",
        real.to_markdown(),
        "Reading these figures: the `frontal` label means *roughly facing the camera*, far looser",
        "than ICAO's +-5 degrees, so the `pose` false rejects are mostly photos a person calls",
        "frontal that ICAO would not; the set has no blurred photo, so `sharpness` has no FAR",
        "here (the synthetic set below has); the overall line counts the whole profile,",
        "including framing rules that almost no photo of this set (snapshots, press photos) meets.",
        "",
    ]
    if "synthetic" in results and synthetic is not None:
        syn = results["synthetic"]
        bases = (
            len(set(synthetic.columns["meta:base"].tolist()))
            if "meta:base" in synthetic.columns
            else 0
        )
        lines += [
            "## Synthetic variants",
            "",
            f"{syn.photos} variants of {bases} compliant photos of the set (labels `n_faces=1`, plain",
            "light background, frontal, sharp, well exposed), each first framed the ICAO way",
            "(`photocheck.evaluation.synthetic.frame_portrait`), then degraded by `photocheck.evaluation.synthetic` and",
            "labelled with the variant's expected verdict. They are computed in memory, never",
            "saved. Each row below is judged only on the checks its variants speak to.",
            "",
            "<!-- table:synthetic -->",
            syn.to_markdown(),
            "The overall line counts the whole profile: variants inherit every other defect of",
            "their base photo (the bases are labelled compliant only for the labels listed).",
            "",
            "### Per variant",
            "",
            "Share of variants on which the expected verdict was given (`expected` is what the",
            "variant should get; blank severities in between carry no expectation).",
            "",
            "| variant | severity | check | expected | n | as expected |",
            "|---|---|---|---|---|---|",
        ]
        verdicts = judge_table(synthetic, args.profile)
        variant = np.array(synthetic.columns["meta:variant"].tolist(), dtype=object)
        severity = np.array(synthetic.columns["meta:severity"].tolist(), dtype=object)
        readable = ~synthetic.present["error"]
        label_cols = [n for n in synthetic.names if n.startswith("label:")]
        seen: dict[tuple[str, str], None] = dict.fromkeys(
            zip(variant.tolist(), severity.tolist(), strict=True)
        )
        for v, s in seen:
            rows = readable & (variant == v) & (severity == s)
            for col in label_cols:
                group = col.removeprefix("label:")
                have = rows & synthetic.present[col]
                if not have.any() or not all(c in verdicts.checks for c in group_checks(group)):
                    continue
                expected = {str(x) for x in synthetic.columns[col][have].tolist()}
                if len(expected) != 1:
                    continue
                want = expected.pop()
                passed = np.ones(len(synthetic), bool)
                for c in group_checks(group):
                    passed &= verdicts.passed(c)
                hit = passed[have] if want == "pass" else ~passed[have]
                lines.append(
                    f"| {v} | {s} | {group} | {want} | {int(have.sum())} | {hit.mean():.0%} |"
                )
        lines.append("")
    return "\n".join(lines)
