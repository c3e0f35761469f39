"""Hand labels of a photo set and what they say each check should decide.

The label columns are those of ``manifest.csv`` in the development photo set (see
``docs/accuracy.md``). :data:`LABEL_RULES` maps each label column to the checks it speaks to
and to the outcome a compliant photo should get; labels ``unsure`` and ``na`` are left out.
Error rates against these labels are computed by :func:`photocheck.evaluation.tuning.evaluate`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from .. import api as _api  # noqa: F401 - registers the built-in checks profiles name
from ..rules.profile import Profile, load_profile

__all__ = [
    "FRONTAL_POSE_LIMITS",
    "LABEL_RULES",
    "expected_outcomes",
    "frontal_profile",
    "group_checks",
    "read_manifest",
]

# label column -> (group name, the checks whose combined result it judges, label -> should pass)
# A group passes when every one of its checks passes; a not_assessed result counts as a
# rejection (the photo would not be accepted) and is also counted on its own.
LABEL_RULES: dict[str, tuple[str, tuple[str, ...], Mapping[str, bool]]] = {
    "n_faces": ("face.count", ("face.count",), {"0": False, "1": True, "2": False, "2+": False}),
    "background": (
        "background.uniformity",
        ("background.uniformity",),
        {"plain_white": True, "plain_blue": True, "plain_light_other": True, "plain_dark": True, "busy": False},
    ),
    "sharp": ("sharpness", ("sharpness",), {"yes": True, "no": False}),
    "exposure": ("exposure", ("exposure",), {"ok": True, "dark": False, "bright": False}),
    "frontal": ("pose", ("pose.yaw", "pose.pitch", "pose.roll"), {"yes": True, "no": False}),
    "eyes_open": ("eyes.open", ("eyes.open",), {"yes": True, "no": False}),
    "mouth_closed": ("mouth.closed", ("mouth.closed",), {"yes": True, "no": False}),
    "glasses": ("accessory.glasses", ("accessory.glasses",), {"none": True, "clear": False, "sunglasses": False, "other": False}),
    "headwear": ("accessory.headwear", ("accessory.headwear",), {"none": True, "hat": False, "scarf": False, "other": False}),
    # A second rule on the same column: "column#name" reads the label from "column".
    "glasses#sunglasses": ("accessory.sunglasses", ("accessory.sunglasses",), {"none": True, "clear": True, "sunglasses": False}),
    "occlusion": ("face.occlusion", ("face.occlusion",), {"none": True, "mask": False, "hand": False, "hair": False, "other": False}),
}  # fmt: skip
# Face-level labels only make sense when the photo has exactly one face (the background is
# located from the face, so it is face-level too).
_FACE_LEVEL = {
    "background",
    "frontal",
    "eyes_open",
    "mouth_closed",
    "glasses",
    "headwear",
    "occlusion",
    "sharp",
    "exposure",
}


def read_manifest(path: str | Path) -> list[dict[str, str]]:
    """Read a labelled manifest (CSV with a ``file`` column and label columns).

    Parameters
    ----------
    path : str or Path
        The manifest; image paths are resolved against its ``img/`` sibling folder when a
        ``path`` column is absent.

    Returns
    -------
    list of dict
        One dict per row, with an added ``path`` key (absolute path of the image).
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if not row.get("path"):
            row["path"] = str(path.parent / "img" / row["file"])
    return rows


def expected_outcomes(row: Mapping[str, str]) -> dict[str, bool]:
    """Return, per evaluation group, whether a photo with these labels should pass.

    Groups whose label is ``unsure``, ``na`` or unknown are left out, and so are face-level
    labels when the photo does not have exactly one face.

    Parameters
    ----------
    row : mapping
        One manifest row (label column -> label).

    Returns
    -------
    dict
        Group name (see :data:`LABEL_RULES`) -> True when the photo should pass.

    Examples
    --------
    >>> expected_outcomes({"n_faces": "1", "sharp": "no", "frontal": "unsure"})
    {'face.count': True, 'sharpness': False}
    """
    out: dict[str, bool] = {}
    single_face = row.get("n_faces") == "1"
    for column, (group, _, mapping) in LABEL_RULES.items():
        column = column.split("#")[0]
        label = row.get(column, "")
        if label not in mapping or (column in _FACE_LEVEL and not single_face):
            continue
        out[group] = mapping[label]
    return out


def group_checks(group: str) -> tuple[str, ...]:
    """Return the check ids a label group speaks to (a check id is its own group).

    Examples
    --------
    >>> group_checks("pose"), group_checks("sharpness"), group_checks("eyes.red")
    (('pose.yaw', 'pose.pitch', 'pose.roll'), ('sharpness',), ('eyes.red',))
    """
    for name, checks, _ in LABEL_RULES.values():
        if name == group:
            return checks
    return (group,)


#: The ``frontal`` label means "roughly facing the camera", far looser than ICAO's 5 degrees
#: of yaw: these pose limits (degrees) are what the label can vouch for.
FRONTAL_POSE_LIMITS: Mapping[str, float] = {"pose.yaw": 20.0, "pose.pitch": 25.0, "pose.roll": 15.0}


def frontal_profile(profile: str | Path | Profile = "icao") -> Profile:
    """Return ``profile`` with its pose limits loosened to :data:`FRONTAL_POSE_LIMITS`.

    Judging the ``pose`` group with this profile measures how well the pose checks agree
    with the ``frontal`` label itself, rather than with a profile far stricter than the label.

    Parameters
    ----------
    profile : str, Path or Profile, optional
        The profile to start from (default ``"icao"``).

    Returns
    -------
    Profile
        The same profile and name; each pose check is judged on its absolute angle only
        (``max_abs_degrees``), any other limit of its rule (e.g. a signed window) removed.

    Examples
    --------
    >>> frontal_profile("icao").rules["pose.pitch"]["max_abs_degrees"]
    25.0
    """
    out = load_profile(profile)
    for check, limit in FRONTAL_POSE_LIMITS.items():
        others = {k: None for k in out.rules.get(check, {}) if k != "severity"}
        out = out.with_rule(check, **{**others, "max_abs_degrees": limit})
    return out
