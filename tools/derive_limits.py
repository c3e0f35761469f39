"""Cross-validated accuracy of every labelled check group, and the limits to ship.

Measures every photo of a manifest once, then for each label group (face count, pose, eyes,
mouth, background, accessories, occlusion...) fits the limits the profile sets for the group's
checks on K-1 folds and judges the held fold (``photocheck.evaluation.crossval``). Prints, per
group: positives and negatives, cross-validated FRR / FAR / balanced accuracy, the in-sample
balanced accuracy (limits fitted on every photo: optimistic), the balanced accuracy of the
profile's shipped limits on the same photos, the limits fitted on every photo (what a profile
would ship) and how far the per-fold limits moved.

Usage::

    uv run python tools/derive_limits.py ../shared/data/photos/manifest.csv [--profile icao] [--folds 5] [--markdown OUT.md]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

import photocheck
from photocheck.batch.runner import iter_measurements
from photocheck.evaluation.crossval import balanced_accuracy, cross_validate_profile
from photocheck.evaluation.labels import expected_outcomes, group_checks, read_manifest

PLAIN = ("plain_white", "plain_blue", "plain_light_other", "plain_dark")
# Fewer negatives than this: the figure is shown but means little (one photo moves it a lot).
FEW_NEGATIVES = 10


def measure_all(rows: Sequence[Mapping[str, str]]) -> list[photocheck.Measurements | None]:
    """Measure every photo once, in this process (None when it cannot be read)."""
    photos = [row["path"] for row in rows]
    return [measured for _, measured, _ in iter_measurements(photos, workers=1)]


def shipped_ba(
    group: str, rows: Sequence[Mapping[str, str]], verdicts: Sequence[photocheck.Verdict | None]
) -> float:
    """Balanced accuracy of the shipped limits: accepted when every check of the group passes."""
    accepted, truth = [], []
    for row, verdict in zip(rows, verdicts, strict=True):
        expected = expected_outcomes(row)
        if group not in expected:
            continue
        accepted.append(_passed(verdict, group_checks(group)))
        truth.append(expected[group])
    return balanced_accuracy(accepted, truth)


def _passed(verdict: photocheck.Verdict | None, checks: Sequence[str]) -> bool:
    """Whether every one of these checks that the profile applies accepted the photo.

    A borderline result (within the measurement noise of a limit) is accepted; a ``warn``
    from a rule of severity ``warn`` (e.g. clear glasses in ``icao``) counts as a flag.
    """
    return verdict is not None and all(
        r.status == "pass" or r.code.endswith(".borderline")
        for r in verdict.results
        if r.check in checks
    )


def is_compliant(row: Mapping[str, str]) -> bool:
    """One face, plain background, frontal, eyes open, mouth closed, no accessory or cover."""
    wanted = {
        "n_faces": ("1",),
        "background": PLAIN,
        "frontal": ("yes",),
        "eyes_open": ("yes",),
        "mouth_closed": ("yes",),
        "glasses": ("none",),
        "headwear": ("none",),
        "occlusion": ("", "none"),
        "sharp": ("yes",),
        "exposure": ("ok",),
    }
    return all(row.get(column, "") in ok for column, ok in wanted.items())


def _cut(value: float) -> str:
    return "open" if not np.isfinite(value) else f"{value:.4g}"


def report(manifest: Path, profile_name: str, folds: int) -> str:
    """Measure, cross-validate and return the Markdown report."""
    rows = read_manifest(manifest)
    measured = measure_all(rows)
    profile = photocheck.load_profile(profile_name)
    verdicts = [photocheck.judge(m, profile) if m is not None else None for m in measured]
    lines = [
        f"Photos: {len(rows)} from `{manifest.name}`. Limits in the shape of the `{profile.name}` "
        f"profile, {folds}-fold stratified cross-validation (seed 0): for each fold the limits "
        "that maximise balanced accuracy on the other folds judge the held fold.",
        "",
        "| group | pos | neg | CV FRR | CV FAR | CV BA | in-sample BA | shipped BA | limits fitted on all photos | per-fold range |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for figures in cross_validate_profile(rows, measured, profile, k=folds):
        cv = figures.result
        names = {
            key: param if check == figures.group else f"{check} {param}"
            for key, (check, param) in figures.params.items()
        }
        fitted = ", ".join(f"{names[key]} {_cut(cut)}" for key, cut in cv.cuts.items())
        spread = "; ".join(
            f"{names[key]} "
            f"{_cut(min(c.get(key, np.inf) for c in cv.fold_cuts))}-"
            f"{_cut(max(c.get(key, np.inf) for c in cv.fold_cuts))}"
            for key in cv.cuts
        )
        few = " (few)" if cv.negatives < FEW_NEGATIVES else ""
        lines.append(
            f"| {figures.group} | {cv.positives} | {cv.negatives}{few} | {cv.frr:.3f} | "
            f"{cv.far:.3f} | **{cv.balanced_accuracy:.3f}** | {cv.in_sample_balanced_accuracy:.3f} | "
            f"{shipped_ba(figures.group, rows, verdicts):.3f} | {fitted} | {spread} |"
        )
    compliant = [v for row, v in zip(rows, verdicts, strict=True) if is_compliant(row)]
    pose_ok = sum(_passed(v, ("pose.yaw", "pose.pitch", "pose.roll")) for v in compliant)
    equal = labelled = 0
    for row, m in zip(rows, measured, strict=True):
        if row["n_faces"] in ("0", "1", "2", "2+"):
            labelled += 1
            count = m.by_check["face.count"].values.get("count", -1) if m is not None else -1
            equal += str(count) == row["n_faces"] or (row["n_faces"] == "2+" and int(count) >= 2)
    lines += [
        "",
        f"- face.count: the count equals the label on {equal}/{labelled} photos.",
        f"- Fully compliant photos (one face, plain background, frontal, eyes open, mouth closed, "
        f"no accessory or cover, sharp, well exposed) accepted by the shipped pose.* limits: "
        f"{pose_ok}/{len(compliant)}.",
        f"- Groups marked (few) have fewer than {FEW_NEGATIVES} negatives: one photo moves the "
        "figure by more than 0.05.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--profile", default="icao")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    text = report(args.manifest, args.profile, args.folds)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
