"""Agreement of the core checks with the hand labels of ../shared/data/photos.

Run as a script to print the Markdown table kept in docs/core-accuracy.md:

    uv run python tests/core_accuracy.py > docs/core-accuracy.md
"""

from __future__ import annotations

import sys
from dataclasses import astuple
from pathlib import Path

from photocheck import Measurements, PhotocheckError, Profile, judge, load_profile, measure
from photocheck.evaluation.labels import (
    CheckAgreement,
    agreement,
    expected_outcomes,
    format_markdown,
    read_manifest,
)

PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "photos"
MANIFEST = PHOTOS / "manifest.csv"
CORE_GROUPS = ("face.count", "background.uniformity", "sharpness", "exposure", "pose")
# Recorded floors (balanced accuracy) for the core checks on the icao profile; a test fails
# when a change drops below them. Groups with too few non-compliant photos have no floor.
FLOORS = {"face.count": 0.90, "background.uniformity": 0.80}
# The `frontal` label means "roughly facing the camera", far looser than ICAO's +-5 degrees, so
# pose is also judged with loose limits (yaw 20, pitch 25, roll 15 degrees) for the label.
LOOSE_POSE = {"pose.yaw": 20.0, "pose.pitch": 25.0, "pose.roll": 15.0}
LOOSE_POSE_FLOOR = 0.70


def loose_pose_profile() -> Profile:
    """The icao profile with pose limits loose enough for the `frontal` label."""
    profile = load_profile("icao")
    for check, limit in LOOSE_POSE.items():
        profile = profile.with_rule(check, max_abs_degrees=limit)
    return profile


def measure_all() -> tuple[list[tuple[dict[str, bool], Measurements]], list[str]]:
    """Measure every labelled photo once; return (expected, measurements) and unreadable files."""
    measured, unreadable = [], []
    for row in read_manifest(MANIFEST):
        try:
            measured.append((expected_outcomes(row), measure(row["path"])))
        except PhotocheckError as exc:
            unreadable.append(f"{row['file']}: {exc}")
    return measured, unreadable


def core_agreement(
    measured: list[tuple[dict[str, bool], Measurements]],
) -> dict[str, CheckAgreement]:
    """Tally the core checks' agreement (icao), plus pose under loose limits as `pose (loose)`."""
    table = agreement((e, judge(m, "icao")) for e, m in measured)
    out = {g: table[g] for g in CORE_GROUPS if g in table}
    loose = loose_pose_profile()
    pose = agreement((e, judge(m, loose)) for e, m in measured)["pose"]
    out["pose (loose)"] = CheckAgreement("pose (loose)", *astuple(pose)[1:])
    return out


def main() -> int:
    measured, unreadable = measure_all()
    table = core_agreement(measured)
    print("# Core checks: agreement with the labelled photos\n")
    print(
        "Profile `icao`, photos in `../shared/data/photos` (116 real, hand-labelled; see its "
        "README). Regenerate with `uv run python tests/core_accuracy.py > docs/core-accuracy.md`.\n"
        "Labels `unsure`/`na` are left out; face-level labels only count photos with exactly one "
        "face; `not_assessed` counts as a rejection. `pose` combines pose.yaw, pose.pitch and "
        "pose.roll against the `frontal` label.\n"
    )
    print(format_markdown(table, floors={**FLOORS, "pose (loose)": LOOSE_POSE_FLOOR}))
    print(
        "`pose` uses the icao limits (yaw within 5, pitch within 15, roll within 8 degrees), far "
        "stricter than the label; `pose (loose)` uses yaw 20, pitch 25, roll 15 degrees.\n"
    )
    print(BACKGROUND_NOTE)
    if unreadable:
        print("Unreadable files: " + "; ".join(unreadable))
    return 0


BACKGROUND_NOTE = """\
## `background.uniformity` is below its 0.90 aim

Most false rejections of plain backgrounds are hair, shoulders, clothes or hands reaching the
border band the check scores, and smooth gradients or vignettes behind the head; most busy
backgrounds it passes are dark and out of focus. Approaches measured on these photos (best
balanced accuracy with both limits fitted on the same photos, so optimistic):

| approach | cost | at the shipped limits | best fitted |
|---|---|---|---|
| border band, edge density and colour spread (shipped) | < 1 ms | 0.82 | 0.83 |
| the same, person colours removed from the band (histogram back-projection of the head and shoulder region) | 0.5 ms | 0.84 | 0.85 |
| the same, outside a person mask from MediaPipe's selfie segmentation model (Apache 2.0, run by OpenCV DNN at 256 x 256) | 23 ms | 0.86 | 0.88 |

Earlier attempts (gradients, difference of Gaussians, residuals after polynomial or median
fits, dominant-colour share, flood fill from the borders, two-feature logistic models) stayed
at or below 0.85. None reaches 0.90, and the segmentation model alone would double the cost
of `validate()`.
"""


if __name__ == "__main__":
    sys.exit(main())
