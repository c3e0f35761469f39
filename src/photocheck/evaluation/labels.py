"""Hand labels of a photo set and what they say each check should decide.

The label columns are those of ``manifest.csv`` in the development photo set (see
``docs/accuracy.md``). A *label mapping* says which checks each label column speaks to and
which labels mean the photo should pass or fail; the shipped default is the package file
``label_mapping.toml`` beside this module (:func:`load_label_mapping` reads it, or a file of
the same shape). Labels ``unsure`` and ``na`` are left out. Error rates against these labels
are computed by :func:`photocheck.evaluation.tuning.evaluate`.
"""

from __future__ import annotations

import csv
import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .. import api as _api  # noqa: F401 - registers the built-in checks profiles name
from ..errors import PhotocheckError
from ..rules.profile import Profile, load_profile

__all__ = [
    "FRONTAL_POSE_LIMITS",
    "LabelMapping",
    "LabelRule",
    "expected_outcomes",
    "frontal_profile",
    "group_checks",
    "load_label_mapping",
    "read_manifest",
]


@dataclass(frozen=True)
class LabelRule:
    """How one manifest column judges one group of checks (a ``[[rule]]`` of the mapping).

    Attributes
    ----------
    column : str
        The manifest column holding the label.
    group : str
        The evaluation group's name (a check id when it judges one check).
    checks : tuple of str
        The checks whose combined result it judges; the group passes when every one passes.
    passing, failing : frozenset of str
        Labels meaning the photo should pass / should fail.
    face_level : bool
        Judged only on photos labelled with exactly one face.
    param : str or None
        The categorical parameter (e.g. ``"allowed"``) that ``category`` labels are looked up in.
    category : Mapping[str, str]
        Label -> category of that parameter: the photo should pass when the profile's list
        for ``param`` holds the category.
    """

    column: str
    group: str
    checks: tuple[str, ...]
    passing: frozenset[str] = frozenset()
    failing: frozenset[str] = frozenset()
    face_level: bool = False
    param: str | None = None
    category: Mapping[str, str] = field(default_factory=dict)

    def expected(self, label: str, profile: Profile | None = None) -> bool | None:
        """Return whether a photo with this label should pass (None: not judged).

        Parameters
        ----------
        label : str
            The photo's label in :attr:`column`.
        profile : Profile, optional
            Decides ``category`` labels (default: the ``icao`` profile).
        """
        if label in self.passing:
            return True
        if label in self.failing:
            return False
        if label in self.category and self.param is not None:
            prof = profile if profile is not None else load_profile("icao")
            allowed = prof.rules.get(self.checks[0], {}).get(self.param)
            return None if allowed is None else self.category[label] in allowed
        return None


#: The rules of a label mapping, in order.
LabelMapping = tuple[LabelRule, ...]


def load_label_mapping(path: str | Path | None = None) -> LabelMapping:
    """Read a label mapping (TOML; the shipped ``label_mapping.toml`` documents the shape).

    Parameters
    ----------
    path : str or Path, optional
        The mapping file (default: the shipped mapping for the development photo set).

    Returns
    -------
    tuple of LabelRule
        One per ``[[rule]]``, in file order.

    Raises
    ------
    PhotocheckError
        When the file cannot be read or a rule misses ``column``, ``group`` or ``checks``,
        or two rules share a group name.
    """
    if path is None:
        return _default_mapping()
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PhotocheckError(f"cannot read the label mapping {str(path)!r}: {exc}") from None
    return _parse(data, str(path))


@functools.cache
def _default_mapping() -> LabelMapping:
    text = (resources.files("photocheck.evaluation") / "label_mapping.toml").read_text("utf-8")
    return _parse(tomllib.loads(text), "label_mapping.toml")


def _parse(data: Mapping[str, Any], source: str) -> LabelMapping:
    rules = []
    for i, item in enumerate(data.get("rule", [])):
        missing = [k for k in ("column", "group", "checks") if k not in item]
        if missing:
            raise PhotocheckError(f"{source}: rule {i + 1} has no {', '.join(missing)}")
        category = {str(k): str(v) for k, v in item.get("category", {}).items()}
        if category and "param" not in item:
            raise PhotocheckError(f"{source}: rule {i + 1} has a category but no param")
        rules.append(
            LabelRule(
                column=str(item["column"]),
                group=str(item["group"]),
                checks=tuple(str(c) for c in item["checks"]),
                passing=frozenset(str(v) for v in item.get("pass", [])),
                failing=frozenset(str(v) for v in item.get("fail", [])),
                face_level=bool(item.get("face_level", False)),
                param=str(item["param"]) if "param" in item else None,
                category=category,
            )
        )
    groups = [r.group for r in rules]
    if len(set(groups)) != len(groups):
        raise PhotocheckError(f"{source}: two rules share a group name")
    if not rules:
        raise PhotocheckError(f"{source}: no [[rule]] in the label mapping")
    return tuple(rules)


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


def expected_outcomes(
    row: Mapping[str, str],
    mapping: Sequence[LabelRule] | None = None,
    profile: Profile | None = None,
) -> dict[str, bool]:
    """Return, per evaluation group, whether a photo with these labels should pass.

    Groups whose label is ``unsure``, ``na`` or unknown are left out, and so are face-level
    labels when the photo does not have exactly one face.

    Parameters
    ----------
    row : mapping
        One manifest row (label column -> label).
    mapping : sequence of LabelRule, optional
        The label mapping (default: the shipped one, :func:`load_label_mapping`).
    profile : Profile, optional
        Decides the groups whose expectation depends on the profile (``background.colour``:
        is the labelled colour allowed?); default ``icao``.

    Returns
    -------
    dict
        Group name -> True when the photo should pass.

    Examples
    --------
    >>> expected_outcomes({"n_faces": "1", "sharp": "no", "frontal": "unsure"})
    {'face.count': True, 'sharpness': False}
    >>> expected_outcomes({"n_faces": "1", "background": "plain_light_other"})
    {'face.count': True, 'background.uniformity': True, 'background.colour': True}
    >>> expected_outcomes({"n_faces": "1", "background": "plain_light_other"},
    ...                   profile=load_profile("cn-social-security"))["background.colour"]
    False
    """
    rules = mapping if mapping is not None else load_label_mapping()
    if profile is None and any(rule.category for rule in rules):
        profile = load_profile("icao")
    out: dict[str, bool] = {}
    single_face = row.get("n_faces") == "1"
    for rule in rules:
        if rule.face_level and not single_face:
            continue
        flag = rule.expected(row.get(rule.column, ""), profile)
        if flag is not None:
            out[rule.group] = flag
    return out


def group_checks(group: str, mapping: Sequence[LabelRule] | None = None) -> tuple[str, ...]:
    """Return the check ids a label group speaks to (a check id is its own group).

    Examples
    --------
    >>> group_checks("pose"), group_checks("sharpness"), group_checks("eyes.red")
    (('pose.yaw', 'pose.pitch', 'pose.roll'), ('sharpness',), ('eyes.red',))
    """
    for rule in mapping if mapping is not None else load_label_mapping():
        if rule.group == group:
            return rule.checks
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
