"""``photocheck evaluate`` and ``photocheck tune``: error rates over a labelled manifest.

``photocheck evaluate MANIFEST.csv --profile icao [--synthetic] [-o out.csv|out.json]``
prints, per check, the confusion counts, FRR, FAR, balanced accuracy and EER (see
:mod:`photocheck.evaluation.tuning`); ``--markdown FILE`` writes the accuracy page (``docs/accuracy.md``
is made this way). ``photocheck tune MANIFEST.csv --profile icao --target-frr 0.02 -o
my.toml`` writes a profile with each labelled check's limits moved to the target.

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

__all__ = ["add_parsers", "run"]


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
        if name == "evaluate":
            p.add_argument(
                "--output", "-o", metavar="FILE", help="write the figures as .csv or .json"
            )
            p.add_argument("--markdown", metavar="FILE", help="write the accuracy page as Markdown")
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


def _evaluate(args: argparse.Namespace) -> int:
    from ..evaluation.tuning import evaluate
    from ..rules.profile import load_profile

    profile = load_profile(args.profile)
    real, synthetic = _tables(args)
    results = {"real": evaluate(real, None, profile)}
    if synthetic is not None:
        results["synthetic"] = evaluate(synthetic, None, profile)
    for name, result in results.items():
        sys.stdout.write(f"## {name} photos ({result.photos} rows)\n\n{result.to_markdown()}\n")
    if args.output:
        _write_output(args.output, results)
    if args.markdown:
        text = accuracy_markdown(results, synthetic, args)
        Path(args.markdown).write_text(text, encoding="utf-8")
    return 0


def _write_output(path: str, results: dict[str, Any]) -> None:
    import csv

    target = Path(path)
    if target.suffix.lower() == ".json":
        target.write_text(
            json.dumps({k: v.to_dict(roc=True) for k, v in results.items()}, indent=1),
            encoding="utf-8",
        )
        return
    rows = [{"set": k, **r} for k, v in results.items() for r in v.to_records()]
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["set"])
        writer.writeheader()
        writer.writerows(rows)


def _tune(args: argparse.Namespace) -> int:
    from ..batch.table import MeasurementTable
    from ..evaluation.tuning import tune
    from ..rules.profile import Profile, load_profile

    profile = load_profile(args.profile)
    real, synthetic = _tables(args)
    table = real if synthetic is None else MeasurementTable.concat([real, synthetic])
    tuned, report = tune(
        table, None, profile, target_frr=args.target_frr, eer=args.eer, groups=args.only
    )
    goal = "equal-error point" if args.eer else f"false-reject rate <= {args.target_frr}"
    description = f"{profile.description} Tuned by photocheck tune ({goal}) on {args.manifest}."
    tuned = Profile(args.name or f"{profile.name}-tuned", description.strip(), tuned.rules)
    Path(args.output).write_text(tuned.to_toml(), encoding="utf-8")
    for group, info in report.items():
        if "skipped" in info:
            sys.stdout.write(f"{group:<24} left alone: {info['skipped']}\n")
            continue
        b, a = info["before"], info["after"]
        changes = (
            "; ".join(
                f"{c} " + ", ".join(f"{k} {ch['old'][k]} -> {v}" for k, v in ch["new"].items())
                for c, ch in info["changes"].items()
            )
            or "unchanged (the current limits meet the target best, or nothing numeric to move)"
        )
        sys.stdout.write(
            f"{group:<24} FRR {b['frr']:.1%} -> {a['frr']:.1%}, FAR {b['far']:.1%} -> {a['far']:.1%}: {changes}\n"
        )
    sys.stdout.write(f"wrote {args.output}\n")
    return 0


def accuracy_markdown(results: dict[str, Any], synthetic: Any, args: argparse.Namespace) -> str:
    """Render the accuracy page: how it was made, the tables, and the synthetic detail."""
    import numpy as np

    from ..evaluation.labels import LABEL_RULES, group_checks
    from ..evaluation.rejudge import judge_table

    command = f"photocheck evaluate {args.manifest} --profile {args.profile}"
    if args.synthetic:
        command += " --synthetic"
    command += f" --markdown {args.markdown}"
    lines = [
        "# Accuracy",
        "",
        "<!-- generated by `photocheck evaluate`; do not edit by hand -->",
        "",
        f"How well the `{results['real'].profile}` profile's verdicts agree with labels. Regenerate with:",
        "",
        "```",
        f"uv run {command}",
        "```",
        "",
        "(add `--table real.parquet --synthetic-table synthetic.parquet` to keep the measurements",
        "and re-judge instantly afterwards). Definitions: a check *rejects* a photo when it does",
        "not pass (`not_assessed` rejects too; `warn` passes). FRR = compliant photos rejected /",
        "compliant photos; FAR = non-compliant photos accepted / non-compliant photos; balanced",
        "accuracy = 1 - (FAR + FRR) / 2; EER = equal-error rate over the check's raw score",
        "(swept over every cut-off, see `photocheck.evaluation.tuning`). A check marked *(warn)* only warns",
        "in this profile, so it never rejects: its FAR counts warnings as accepts, while its EER",
        "shows what its score could do as a failing rule. Small counts mean wide uncertainty:",
        "with 10 photos one mistake moves a rate by 10 points.",
        "",
    ]
    lines += [
        "## Label mapping",
        "",
        "Manifest label columns and the checks they judge (`photocheck.evaluation.labels.LABEL_RULES`);",
        "a group is rejected when any of its checks does not pass.",
        "",
        "| label column | group | checks | compliant labels | non-compliant labels |",
        "|---|---|---|---|---|",
    ]
    for column, (group, checks, mapping) in LABEL_RULES.items():
        good = ", ".join(f"`{k}`" for k, v in mapping.items() if v)
        bad = ", ".join(f"`{k}`" for k, v in mapping.items() if not v)
        lines.append(
            f"| `{column.split('#')[0]}` | {group} | {', '.join(checks)} | {good} | {bad} |"
        )
    lines.append("")
    real = results["real"]
    lines += [
        "## Real photos",
        "",
        f"The development set ({real.photos} photos read, {real.errors} unreadable), hand labels mapped",
        "to checks by `photocheck.evaluation.labels.LABEL_RULES` (`unsure`/`na` left out; face-level labels",
        "only on photos with exactly one face).",
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
