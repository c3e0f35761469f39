"""Cross-validated accuracy of every labelled check group, and the limits to ship.

A thin printer over the one evaluation engine: ``photocheck.evaluation.tuning.evaluate(...,
cv=K)`` (which runs ``photocheck.evaluation.crossval.cross_validate_groups``), the same
figures as ``photocheck evaluate MANIFEST --cv K``. Measures every photo of a manifest once,
then for each label group fits the limits the profile sets for the group's checks on K-1
folds and judges the held fold. Prints, per group: positives and negatives, cross-validated
FRR / FAR / balanced accuracy / EER with bootstrap 95% intervals, the in-sample figures
(limits fitted on every photo: optimistic), the profile's shipped limits on the same photos,
the limits fitted on every photo (what a profile would ship) and how far the per-fold limits
moved.

Usage::

    uv run python tools/derive_limits.py ../shared/data/photos/manifest.csv [--profile icao] [--folds 5] [--group-by source_repo] [--markdown OUT.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import photocheck
from photocheck.evaluation.labels import expected_outcomes, read_manifest
from photocheck.evaluation.rejudge import judge_table
from photocheck.evaluation.tuning import evaluate, labelled_manifest_table

PLAIN = ("plain_white", "plain_blue", "plain_light_other", "plain_dark")
COMPLIANT = {
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


def report(
    manifest: Path, profile_name: str, folds: int, *, group_by: str | None = None, seed: int = 0
) -> str:
    """Measure, cross-validate and return the Markdown report.

    Parameters
    ----------
    manifest : Path
        The labelled manifest.
    profile_name : str
        The profile giving the rule shape.
    folds : int
        Folds (at least 2).
    group_by : str, optional
        A manifest column whose values stay in one fold (e.g. ``source_repo``).
    seed : int, optional
        Seed of the folds and the bootstrap.
    """
    rows = read_manifest(manifest)
    table = labelled_manifest_table(manifest, workers=1, rows=rows)
    profile = photocheck.load_profile(profile_name)
    labels = [expected_outcomes(row, None, profile) for row in rows]
    sources = [row[group_by] for row in rows] if group_by else None
    cv = evaluate(table, labels, profile, cv=folds, seed=seed, sources=sources, grouped_by=group_by)
    verdicts = judge_table(table, profile)
    compliant = np.array(
        [all(row.get(c, "") in ok for c, ok in COMPLIANT.items()) for row in rows], dtype=bool
    )
    pose_ok = np.ones(len(table), dtype=bool)
    for check in ("pose.yaw", "pose.pitch", "pose.roll"):
        pose_ok &= verdicts.passed(check)
    count = table.numeric("face.count:count")
    want = np.array([row["n_faces"] for row in rows], dtype=object)
    labelled = np.isin(want, ["0", "1", "2", "2+"])
    equal = np.array(
        [str(int(c)) == w if np.isfinite(c) else False for c, w in zip(count, want, strict=True)]
    ) | ((want == "2+") & (np.nan_to_num(count) >= 2))
    lines = [
        f"Photos: {len(rows)} from `{manifest.name}`. Limits in the shape of the `{profile.name}` "
        f"profile, {folds}-fold stratified cross-validation (seed {seed}): for each fold the "
        "limits that maximise balanced accuracy on the other folds judge the held fold.",
        "",
        cv.to_markdown(),
        f"- face.count: the count equals the label on {int((equal & labelled).sum())}/"
        f"{int(labelled.sum())} photos.",
        f"- Fully compliant photos (one face, plain background, frontal, eyes open, mouth closed, "
        f"no accessory or cover, sharp, well exposed) accepted by the shipped pose.* limits: "
        f"{int((pose_ok & compliant).sum())}/{int(compliant.sum())}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--profile", default="icao")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--group-by", help="manifest column whose values stay in one fold")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    text = report(args.manifest, args.profile, args.folds, group_by=args.group_by, seed=args.seed)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
