"""Compare verdicts with hand labels: per-check agreement, error rates, balanced accuracy.

The label columns are those of ``manifest.csv`` in the development photo set (see
``docs/accuracy.md``). :data:`LABEL_RULES` maps each label column to the checks it speaks to
and to the outcome a compliant photo should get; labels ``unsure`` and ``na`` are left out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..rules.verdict import Verdict

__all__ = [
    "LABEL_RULES",
    "CheckAgreement",
    "CheckEvaluation",
    "Evaluation",
    "agreement",
    "evaluate",
    "expected_outcomes",
    "format_markdown",
    "judge_table",
    "labelled_manifest_table",
    "measure_many",
    "read_manifest",
    "read_table",
    "synthetic_set",
    "tune",
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
    "glasses": ("accessory.glasses", ("accessory.glasses",), {"none": True, "clear": False, "sunglasses": False}),
    "headwear": ("accessory.headwear", ("accessory.headwear",), {"none": True, "hat": False, "scarf": False, "other": False}),
    # A second rule on the same column: "column#name" reads the label from "column".
    "glasses#sunglasses": ("accessory.sunglasses", ("accessory.sunglasses",), {"none": True, "clear": True, "sunglasses": False}),
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


@dataclass(frozen=True)
class CheckAgreement:
    """Agreement of one check (or group of checks) with the labels.

    Attributes
    ----------
    group : str
        Check id or group name (``"pose"`` combines yaw, pitch and roll).
    compliant, non_compliant : int
        Number of labelled photos of each kind.
    compliant_passed : int
        Compliant photos the check passed (the rest are false rejections).
    non_compliant_failed : int
        Non-compliant photos the check rejected (the rest are false accepts).
    not_assessed : int
        Photos where the check could not measure (counted as rejections above).
    """

    group: str
    compliant: int
    non_compliant: int
    compliant_passed: int
    non_compliant_failed: int
    not_assessed: int

    @property
    def pass_rate(self) -> float:
        """Share of compliant photos that pass (1 - false-reject rate); NaN if none."""
        return self.compliant_passed / self.compliant if self.compliant else float("nan")

    @property
    def reject_rate(self) -> float:
        """Share of non-compliant photos that fail (1 - false-accept rate); NaN if none."""
        return (
            self.non_compliant_failed / self.non_compliant if self.non_compliant else float("nan")
        )

    @property
    def balanced_accuracy(self) -> float:
        """Mean of :attr:`pass_rate` and :attr:`reject_rate` (NaN if either is undefined)."""
        return (self.pass_rate + self.reject_rate) / 2.0


def agreement(pairs: Iterable[tuple[Mapping[str, bool], Verdict]]) -> dict[str, CheckAgreement]:
    """Tally how verdicts agree with expected outcomes, per group.

    Parameters
    ----------
    pairs : iterable of (expected, Verdict)
        ``expected`` from :func:`expected_outcomes`; the verdict of the same photo.

    Returns
    -------
    dict
        Group -> :class:`CheckAgreement`, for the groups whose checks are in the verdicts.
    """
    counts: dict[str, list[int]] = {}
    for expected, verdict in pairs:
        results = {r.check: r for r in verdict.results}
        for group, should_pass in expected.items():
            checks = next(c for g, c, _ in LABEL_RULES.values() if g == group)
            if not all(c in results for c in checks):
                continue
            passed = all(results[c].passed for c in checks)
            unassessed = any(results[c].status == "not_assessed" for c in checks)
            tally = counts.setdefault(group, [0, 0, 0, 0, 0])
            if should_pass:
                tally[0] += 1
                tally[2] += passed
            else:
                tally[1] += 1
                tally[3] += not passed
            tally[4] += unassessed
    return {g: CheckAgreement(g, *t) for g, t in counts.items()}


def format_markdown(
    table: Mapping[str, CheckAgreement], *, floors: Mapping[str, float] | None = None
) -> str:
    """Render an agreement table as Markdown."""
    lines = [
        "| check | compliant (n) | non-compliant (n) | compliant passed | non-compliant rejected | balanced accuracy | not assessed |"
        + (" floor |" if floors else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if floors else ""),
    ]
    for group, a in table.items():
        row = (
            f"| {group} | {a.compliant} | {a.non_compliant} | {_pct(a.pass_rate)} | {_pct(a.reject_rate)} "
            f"| {_num(a.balanced_accuracy)} | {a.not_assessed} |"
        )
        if floors:
            row += f" {_num(floors[group]) if group in floors else '-'} |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def _pct(x: float) -> str:
    return "-" if x != x else f"{x:.0%}"


def _num(x: float) -> str:
    return "-" if x != x else f"{x:.2f}"


def evaluate_manifest(
    manifest: str | Path, profile: str = "icao", *, rows: Sequence[Mapping[str, str]] | None = None
) -> dict[str, CheckAgreement]:
    """Validate every photo of a manifest and tally agreement with its labels.

    Photos that cannot be read count for no group (they are reported by the caller).
    """
    from ..api import validate
    from ..errors import PhotocheckError

    pairs = []
    for row in rows if rows is not None else read_manifest(manifest):
        try:
            verdict = validate(row["path"], profile)
        except PhotocheckError:
            continue
        pairs.append((expected_outcomes(row), verdict))
    return agreement(pairs)


# Measure once, re-judge instantly, error rates and tuning: see photocheck.evaluation.tuning (they are
# importable from here as well).
from ..batch.table import measure_many, read_table  # noqa: E402
from .rejudge import judge_table  # noqa: E402
from .tuning import (  # noqa: E402 - tuning reads LABEL_RULES from this module lazily
    CheckEvaluation,
    Evaluation,
    evaluate,
    labelled_manifest_table,
    synthetic_set,
    tune,
)
