"""Error rates of a profile against labels, ROC and EER over the raw scores, and tuning.

Measure once (:func:`photocheck.batch.table.measure_many`), then evaluate and tune as often as you
like: both work on the table and never touch pixels.

Labels
------
One mapping per table row, either a manifest row (label columns such as ``sharp: "yes"``,
mapped to check groups by a label mapping, :func:`photocheck.evaluation.labels.load_label_mapping`) or
``{group_or_check_id: True | False | "pass" | "fail"}`` (True / ``"pass"``: the photo is
compliant for that group, so the checks should pass). A group is a group of the label
mapping (``"pose"`` = yaw, pitch and roll) or a check id.
Labels can also travel in the table as ``label:<group>`` columns (``"pass"`` / ``"fail"``),
as :func:`labelled_manifest_table` and :func:`synthetic_set` write them.

Figures
-------
A group is *rejected* when any of its checks does not pass (``not_assessed`` rejects too);
``warn`` counts as a pass. False-reject rate (FRR) = compliant photos rejected / compliant
photos; false-accept rate (FAR) = non-compliant photos accepted / non-compliant photos;
balanced accuracy = 1 - (FAR + FRR) / 2. The ROC is swept over the group's normalised score
(:func:`photocheck.evaluation.rejudge.check_scores`, the maximum over its checks), which for a check
with one one-sided limit is an affine map of the raw value, so its ROC and equal-error rate
(EER) are those of the raw score. The BioLab-ICAO benchmark reports EER per requirement the
same way.

Cross-validation
----------------
``evaluate(..., cv=K)`` chooses each group's limits on K-1 folds and judges the held fold
(:mod:`photocheck.evaluation.cv_evaluation`); prefer it to the in-sample figures whenever the
profile's limits were chosen on the same photos.

Safe tuning
-----------
:func:`tune` refuses a group's new limits (keeps the old ones and says why) when a limit
leaves the plausible range its check declares (``Range(plausible=...)``), when FAR or FRR
rises by more than ``max_jump``, and leaves alone a group with fewer than ``min_examples``
photos of either kind; ``force=True`` applies them anyway, with the same warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import NDArray

from ..batch.table import MeasurementTable, measure_many
from ..errors import PhotocheckError
from ..rules.profile import Profile, load_profile
from ..rules.registry import Range, get_check
from .crossval import MIN_COUNT
from .labels import LabelRule, expected_outcomes, group_checks, read_manifest
from .rejudge import TableVerdicts, check_scores, judge_table, limits_at

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .cv_evaluation import CrossValidatedEvaluation

__all__ = [
    "BASE_LABELS",
    "CheckEvaluation",
    "Evaluation",
    "evaluate",
    "labelled_manifest_table",
    "labels_from_table",
    "plausible_range",
    "rejection_rates",
    "synthetic_set",
    "tune",
]

LABEL_PREFIX = "label:"


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if value in ("pass", "true", "True", "yes", 1):
        return True
    if value in ("fail", "false", "False", "no", 0):
        return False
    return None


def _normalise(
    item: Mapping[str, Any], mapping: Sequence[LabelRule] | None, profile: Profile | None
) -> dict[str, bool]:
    # A manifest row (it has the file or n_faces column); anything else maps group -> verdict.
    # ("exposure" is both a manifest column and a check id, hence the test on the row.)
    if "n_faces" in item or "file" in item:
        return expected_outcomes({k: str(v) for k, v in item.items()}, mapping, profile)
    out = {}
    for key, value in item.items():
        flag = _as_bool(value)
        if flag is not None:
            out[key.removeprefix(LABEL_PREFIX)] = flag
    return out


def labels_from_table(table: MeasurementTable) -> list[dict[str, bool]]:
    """Read the ``label:<group>`` columns of a table (one dict per row)."""
    names = [n for n in table.names if n.startswith(LABEL_PREFIX)]
    out: list[dict[str, bool]] = [{} for _ in range(len(table))]
    for name in names:
        group = name[len(LABEL_PREFIX) :]
        for i in np.flatnonzero(table.present[name]):
            flag = _as_bool(table.value(name, int(i)))
            if flag is not None:
                out[int(i)][group] = flag
    return out


@dataclass(frozen=True)
class CheckEvaluation:
    """How one check (or group of checks) agrees with the labels.

    Attributes
    ----------
    group : str
        The label group or check id.
    checks : tuple of str
        The checks it combines.
    compliant, non_compliant : int
        Labelled rows of each kind (rows whose photo could not be read are left out).
    true_accepts, false_rejects : int
        Compliant rows passed / rejected.
    true_rejects, false_accepts : int
        Non-compliant rows rejected / passed.
    not_assessed : int
        Labelled rows where a check could not measure (counted as rejections).
    eer : float
        Equal-error rate over the score (NaN when one class is empty).
    eer_threshold : float
        The score cut-off at the EER (1.0 is the profile's own limits).
    roc : tuple of (cut-off, FAR, FRR)
        One point per distinct score, from strict to lenient.
    eer_limits : Mapping[str, Mapping[str, float]]
        Per check, the numeric parameters that put it at the EER cut-off (what
        ``tune(..., eer=True)`` would write).
    warn_only : bool
        Every check of the group has ``severity = "warn"`` in the profile, so it never
        rejects: its FAR counts warnings as accepts, while the ROC and EER (over the score)
        show how well it would do as a rule that fails.
    """

    group: str
    checks: tuple[str, ...]
    compliant: int
    non_compliant: int
    true_accepts: int
    false_rejects: int
    true_rejects: int
    false_accepts: int
    not_assessed: int
    eer: float = float("nan")
    eer_threshold: float = float("nan")
    roc: tuple[tuple[float, float, float], ...] = field(default=(), repr=False)
    warn_only: bool = False
    eer_limits: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def frr(self) -> float:
        """False-reject rate: compliant rows rejected / compliant rows (NaN if none)."""
        return self.false_rejects / self.compliant if self.compliant else float("nan")

    @property
    def far(self) -> float:
        """False-accept rate: non-compliant rows accepted / non-compliant rows (NaN if none)."""
        return self.false_accepts / self.non_compliant if self.non_compliant else float("nan")

    @property
    def balanced_accuracy(self) -> float:
        """``1 - (FAR + FRR) / 2`` (NaN when either class is empty)."""
        return 1.0 - (self.far + self.frr) / 2.0

    def to_dict(self, *, roc: bool = False) -> dict[str, Any]:
        """Return a JSON-ready dict (NaN becomes None; the ROC only when ``roc=True``)."""
        keys = ("group", "compliant", "non_compliant", "true_accepts", "false_rejects",
                "true_rejects", "false_accepts", "not_assessed")  # fmt: skip
        out: dict[str, Any] = {k: getattr(self, k) for k in keys}
        out["checks"] = list(self.checks)
        out["warn_only"] = self.warn_only
        out["eer_limits"] = {c: dict(v) for c, v in self.eer_limits.items()}
        for k in ("frr", "far", "balanced_accuracy", "eer", "eer_threshold"):
            v = float(getattr(self, k))
            out[k] = None if v != v or v in (float("inf"), float("-inf")) else v
        if roc:
            # cut-offs start at -inf (reject everything): JSON has no infinity, so null
            out["roc"] = [[c if np.isfinite(c) else None, far, frr] for c, far, frr in self.roc]
        return out


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    profile : str
        The profile's name.
    checks : Mapping[str, CheckEvaluation]
        Per label group, in a stable order.
    photos : int
        Rows evaluated (photos that could be read).
    errors : int
        Rows whose photo could not be read.
    accepted : int
        Rows the profile accepts overall.
    fully_compliant, fully_compliant_accepted : int
        Rows whose every label says compliant, and how many of them the profile accepts.
    any_non_compliant, any_non_compliant_rejected : int
        Rows with at least one non-compliant label, and how many of them it rejects.
    """

    profile: str
    checks: Mapping[str, CheckEvaluation]
    photos: int
    errors: int
    accepted: int
    fully_compliant: int
    fully_compliant_accepted: int
    any_non_compliant: int
    any_non_compliant_rejected: int

    def __getitem__(self, group: str) -> CheckEvaluation:
        return self.checks[group]

    def to_dict(self, *, roc: bool = False) -> dict[str, Any]:
        """Return a JSON-ready dict (with each group's ROC points when ``roc=True``)."""
        keys = ("profile", "photos", "errors", "accepted", "fully_compliant",
                "fully_compliant_accepted", "any_non_compliant", "any_non_compliant_rejected")  # fmt: skip
        out: dict[str, Any] = {k: getattr(self, k) for k in keys}
        out["checks"] = [c.to_dict(roc=roc) for c in self.checks.values()]
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per group (for CSV or a DataFrame)."""
        return [
            {"profile": self.profile, **c.to_dict(), "checks": " ".join(c.checks)}
            for c in self.checks.values()
        ]

    def to_markdown(self) -> str:
        """Render the per-group table and the overall figures as Markdown."""
        lines = [
            "| check | compliant (n) | non-compliant (n) | FRR | FAR | balanced accuracy | EER | not assessed | limits at the EER |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in self.checks.values():
            lines.append(
                f"| {c.group}{' (warn)' if c.warn_only else ''} | {c.compliant} | {c.non_compliant} | {_pct(c.frr)} | {_pct(c.far)} "
                f"| {_num(c.balanced_accuracy)} | {_pct(c.eer)} | {c.not_assessed} | {_limits_text(c.eer_limits)} |"
            )
        lines.append("")
        lines.append(
            f"Overall ({self.profile}): {self.accepted} of {self.photos} photos accepted"
            f"{f', {self.errors} unreadable' if self.errors else ''}; "
            f"{self.fully_compliant_accepted} of {self.fully_compliant} photos with only compliant labels accepted; "
            f"{self.any_non_compliant_rejected} of {self.any_non_compliant} photos with a non-compliant label rejected."
        )
        return "\n".join(lines) + "\n"


def _limits_text(limits: Mapping[str, Mapping[str, float]]) -> str:
    named = len(limits) > 1  # a group of checks: say which check each limit belongs to
    parts = [
        (f"{check}: " if named else "") + " ".join(f"{k} {v:g}" for k, v in moved.items())
        for check, moved in limits.items()
    ]
    return "; ".join(parts) or "-"


def _pct(x: float) -> str:
    return "-" if x != x else f"{x:.1%}"


def _num(x: float) -> str:
    return "-" if x != x else f"{x:.3f}"


def _roc(
    scores: NDArray[np.float64], compliant: NDArray[np.bool_]
) -> tuple[tuple[tuple[float, float, float], ...], float, float]:
    """ROC points (cut-off, FAR, FRR) of ``reject iff score > cut-off``, EER and its cut-off."""
    pos, neg = scores[compliant], scores[~compliant]
    if not len(pos) or not len(neg):
        return (), float("nan"), float("nan")
    pos = np.where(np.isnan(pos), -np.inf, pos)  # NaN never rejects
    neg = np.where(np.isnan(neg), -np.inf, neg)
    finite = np.unique(np.concatenate([pos, neg]))
    finite = finite[np.isfinite(finite)]
    cuts = np.concatenate([[-np.inf], finite])
    pos_sorted, neg_sorted = np.sort(pos), np.sort(neg)
    # accepted = score <= cut
    far = np.searchsorted(neg_sorted, cuts, side="right") / len(neg)
    frr = 1.0 - np.searchsorted(pos_sorted, cuts, side="right") / len(pos)
    gap = np.abs(far - frr)
    i = int(np.argmin(gap))
    # Between two neighbouring cut-offs the rates jump: take the mean of the closest pair.
    eer = float((far[i] + frr[i]) / 2.0)
    points = tuple((float(c), float(a), float(r)) for c, a, r in zip(cuts, far, frr, strict=True))
    return points, eer, float(cuts[i])


def _prepare(
    table_or_photos: MeasurementTable | Iterable[Any],
    labels: Sequence[Mapping[str, Any]] | None,
    mapping: Sequence[LabelRule] | None = None,
    profile: Profile | None = None,
) -> tuple[MeasurementTable, list[dict[str, bool]]]:
    table = (
        table_or_photos
        if isinstance(table_or_photos, MeasurementTable)
        else measure_many(table_or_photos)
    )
    if labels is None:
        rows = labels_from_table(table)
    else:
        if len(labels) != len(table):
            raise PhotocheckError(f"{len(labels)} labels for {len(table)} table rows")
        rows = [_normalise(item, mapping, profile) for item in labels]
    return table, rows


def _groups(
    rows: Sequence[Mapping[str, bool]],
    profile: Profile,
    mapping: Sequence[LabelRule] | None = None,
) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return [g for g in seen if all(c in profile.rules for c in group_checks(g, mapping))]


def group_scores(
    table: MeasurementTable,
    group: str,
    profile: Profile,
    mapping: Sequence[LabelRule] | None = None,
) -> NDArray[np.float64]:
    """Return a group's normalised score (maximum over its checks the profile applies).

    Returns
    -------
    ndarray of float
        One per row; above 1 is rejected, ``inf`` where a check could not assess; 0 for
        every row when the profile applies none of the group's checks.
    """
    checks = [c for c in group_checks(group, mapping) if c in profile.rules]
    parts = [check_scores(table, c, profile.rules[c]) for c in checks]
    if not parts:
        return np.zeros(len(table))
    return np.fmax.reduce(parts) if len(parts) > 1 else parts[0]


@overload
def evaluate(
    table_or_photos: MeasurementTable | Iterable[Any],
    labels: Sequence[Mapping[str, Any]] | None = None,
    profile: str | Path | Profile = "icao",
    *,
    verdicts: TableVerdicts | None = None,
    mapping: Sequence[LabelRule] | None = None,
    cv: None = None,
    seed: int = 0,
    sources: ArrayLike | None = None,
    grouped_by: str | None = None,
    resamples: int = 1000,
) -> Evaluation: ...


@overload
def evaluate(
    table_or_photos: MeasurementTable | Iterable[Any],
    labels: Sequence[Mapping[str, Any]] | None = None,
    profile: str | Path | Profile = "icao",
    *,
    verdicts: TableVerdicts | None = None,
    mapping: Sequence[LabelRule] | None = None,
    cv: int,
    seed: int = 0,
    sources: ArrayLike | None = None,
    grouped_by: str | None = None,
    resamples: int = 1000,
) -> CrossValidatedEvaluation: ...


def evaluate(
    table_or_photos: MeasurementTable | Iterable[Any],
    labels: Sequence[Mapping[str, Any]] | None = None,
    profile: str | Path | Profile = "icao",
    *,
    verdicts: TableVerdicts | None = None,
    mapping: Sequence[LabelRule] | None = None,
    cv: int | None = None,
    seed: int = 0,
    sources: ArrayLike | None = None,
    grouped_by: str | None = None,
    resamples: int = 1000,
) -> Evaluation | CrossValidatedEvaluation:
    """Compare a profile's verdicts with labels: confusion counts, FAR/FRR, EER, ROC.

    With ``cv=K`` the figures are cross-validated instead: each group's limits (in the
    shape the profile gives them) are chosen on K-1 folds and the held fold is judged with
    them, with bootstrap 95% intervals and counts (see
    :class:`photocheck.evaluation.cv_evaluation.CrossValidatedEvaluation`).

    Parameters
    ----------
    table_or_photos : MeasurementTable or iterable of photos
        A measured table, or photos to measure first (with :func:`measure_many`).
    labels : sequence of mapping, optional
        One per row (see the module docstring); default: the table's ``label:`` columns.
    profile : str, Path or Profile, optional
        The profile to judge with (default ``"icao"``).
    verdicts : TableVerdicts, optional
        Verdicts already computed for this table and profile (saves one judging pass).
    mapping : sequence of LabelRule, optional
        How manifest label columns map to groups (default: the shipped mapping).
    cv : int, optional
        Cross-validate with this many folds (at least 2).
    seed : int, optional
        Seed of the folds and of the bootstrap (default 0; only with ``cv``).
    sources : array_like, optional
        The source of each row; with ``cv``, a source's photos stay in one fold.
    grouped_by : str, optional
        What ``sources`` is, for the report (e.g. ``"source_repo"``).
    resamples : int, optional
        Bootstrap resamples of the intervals (default 1000; only with ``cv``).

    Returns
    -------
    Evaluation or CrossValidatedEvaluation
        Per group figures and the overall accept/reject figures; with ``cv``, the
        cross-validated figures (and this in-sample evaluation as ``.shipped``).

    Examples
    --------
    >>> from photocheck.batch.table import MeasurementTable
    >>> t = MeasurementTable.from_records([{"sharpness:sharpness": v} for v in (0.7, 0.5, 0.3, 0.1)])
    >>> p = Profile("demo", rules={"sharpness": {"min": 0.45}})
    >>> e = evaluate(t, [{"sharpness": ok} for ok in (True, True, False, True)], p)
    >>> e["sharpness"].false_rejects, e["sharpness"].true_rejects
    (1, 1)
    """
    prof = load_profile(profile)
    table, rows = _prepare(table_or_photos, labels, mapping, prof)
    if cv is not None and cv < 2:
        raise PhotocheckError(f"cv needs at least 2 folds, got {cv!r}")
    if sources is not None and len(np.asarray(sources)) != len(table):
        raise PhotocheckError(f"{len(np.asarray(sources))} sources for {len(table)} table rows")
    verdicts = verdicts if verdicts is not None else judge_table(table, prof)
    readable = ~table.present["error"]
    groups = _groups(rows, prof, mapping)
    results: dict[str, CheckEvaluation] = {}
    for group in groups:
        checks = group_checks(group, mapping)
        label = np.array([row.get(group) for row in rows], dtype=object)
        known = readable & np.array([v is not None for v in label])
        compliant = known & (label == True)  # noqa: E712 - object array of bools / None
        non_compliant = known & (label == False)  # noqa: E712
        passed = np.ones(len(table), dtype=bool)
        unassessed = np.zeros(len(table), dtype=bool)
        for c in checks:
            passed &= verdicts.passed(c)
            unassessed |= verdicts.checks[c].status == 3
        scores = group_scores(table, group, prof, mapping)
        roc, eer, cut = _roc(scores[known], compliant[known])
        results[group] = CheckEvaluation(
            group, checks,
            compliant=int(compliant.sum()), non_compliant=int(non_compliant.sum()),
            true_accepts=int((compliant & passed).sum()), false_rejects=int((compliant & ~passed).sum()),
            true_rejects=int((non_compliant & ~passed).sum()), false_accepts=int((non_compliant & passed).sum()),
            not_assessed=int((known & unassessed).sum()), eer=eer, eer_threshold=cut, roc=roc,
            warn_only=all(prof.rules[c].get("severity") == "warn" for c in checks),
            eer_limits=_limits_at_cut(checks, prof, cut),
        )  # fmt: skip
    ok = verdicts.ok & readable
    all_ok = np.array([bool(row) and all(row.values()) for row in rows]) & readable
    any_bad = np.array([any(v is False for v in row.values()) for row in rows]) & readable
    in_sample = Evaluation(
        prof.name, results,
        photos=int(readable.sum()), errors=int((~readable).sum()), accepted=int(ok.sum()),
        fully_compliant=int(all_ok.sum()), fully_compliant_accepted=int((all_ok & ok).sum()),
        any_non_compliant=int(any_bad.sum()), any_non_compliant_rejected=int((any_bad & ~ok).sum()),
    )  # fmt: skip
    if cv is None:
        return in_sample
    from .cv_evaluation import evaluate_cv

    applied = [{g: v for g, v in row.items() if g in results} for row in rows]
    return evaluate_cv(
        table, applied, prof, k=cv, seed=seed, sources=sources, grouped_by=grouped_by,
        mapping=mapping, resamples=resamples, shipped=in_sample,
        score_of=lambda group: group_scores(table, group, prof, mapping),
    )  # fmt: skip


def tune(
    table: MeasurementTable,
    labels: Sequence[Mapping[str, Any]] | None = None,
    profile: str | Path | Profile = "icao",
    *,
    target_frr: float | None = None,
    eer: bool = False,
    groups: Iterable[str] | None = None,
    min_examples: int = MIN_COUNT,
    digits: int = 4,
    max_jump: float = 0.25,
    force: bool = False,
    mapping: Sequence[LabelRule] | None = None,
) -> tuple[Profile, dict[str, dict[str, Any]]]:
    """Choose each check's limits for a target and return the tuned profile, safely.

    For every labelled group (or those named) the score cut-off ``t`` is chosen - the
    smallest cut-off whose false-reject rate is at most ``target_frr`` (the strictest limits
    that meet it), or the equal-error point when ``eer=True`` - and every numeric limit of
    the group's checks is moved to it with :func:`photocheck.evaluation.rejudge.limits_at`.
    Categorical limits are kept. The figures are in-sample (measured on the photos the
    limits were chosen on); ``evaluate(..., cv=K)`` gives the honest ones.

    A group's new limits are *refused* (the old ones kept, ``"refused"`` and ``"problems"``
    in its report) when a new limit leaves the plausible range its check declares
    (``Range(plausible=(lo, hi))``) or when FAR or FRR rises by more than ``max_jump``. A
    group with fewer than ``min_examples`` photos of either kind is left alone. With
    ``force=True`` all of them are applied anyway and the problems are still reported.

    Parameters
    ----------
    table : MeasurementTable
        Measurements (see :func:`measure_many`).
    labels : sequence of mapping, optional
        As for :func:`evaluate` (default: the table's ``label:`` columns).
    profile : str, Path or Profile, optional
        The profile to start from.
    target_frr : float, optional
        Largest acceptable false-reject rate (e.g. ``0.02``).
    eer : bool, optional
        Choose the equal-error cut-off instead.
    groups : iterable of str, optional
        Groups to tune (default: every labelled group the profile applies).
    min_examples : int, optional
        Fewest compliant and non-compliant rows a group needs (default
        :data:`~photocheck.evaluation.crossval.MIN_COUNT`, 10).
    digits : int, optional
        Significant digits of the new limits.
    max_jump : float, optional
        Largest rise of FAR or FRR (absolute, 0 to 1) accepted without ``force`` (0.25).
    force : bool, optional
        Apply the new limits even when they are refused or rest on too few photos.
    mapping : sequence of LabelRule, optional
        The label mapping (default: the shipped one).

    Returns
    -------
    (Profile, dict)
        The tuned profile (save it with :meth:`Profile.to_toml`) and, per group, what was
        done: the cut-off, the old and new parameters, FAR and FRR before and after, the
        counts, ``problems`` (a list of sentences), ``notes`` (new limits whose check declares
        no plausible range) and ``refused`` (True when the new limits were not applied), or
        ``skipped`` with the reason it was left alone.
    """
    if (target_frr is None) == (not eer):
        raise PhotocheckError("give exactly one of target_frr=... or eer=True")
    if target_frr is not None and not 0.0 <= target_frr <= 1.0:
        raise PhotocheckError(f"target_frr must be between 0 and 1, got {target_frr!r}")
    prof = load_profile(profile)
    table, rows = _prepare(table, labels, mapping, prof)
    readable = ~table.present["error"]
    chosen = list(groups) if groups is not None else _groups(rows, prof, mapping)
    report: dict[str, dict[str, Any]] = {}
    tuned = prof
    for group in chosen:
        checks = group_checks(group, mapping)
        missing = [c for c in checks if c not in prof.rules]
        if missing:
            report[group] = {"skipped": f"the profile has no rule for {', '.join(missing)}"}
            continue
        label = [row.get(group) for row in rows]
        known = readable & np.array([v is not None for v in label])
        compliant = np.array([v is True for v in label])[known]
        counts = {"positives": int(compliant.sum()), "negatives": int((~compliant).sum())}
        problems = []
        if min(counts.values()) < min_examples:
            few = (
                f"rests on too few photos ({counts['positives']} compliant, "
                f"{counts['negatives']} non-compliant; at least {min_examples} of each needed)"
            )
            if not force or min(counts.values()) == 0:
                report[group] = {"skipped": few, **counts}
                continue
            problems.append(few)
        scores = group_scores(table, group, prof, mapping)[known]
        roc, eer_value, _ = _roc(scores, compliant)
        cuts = np.array([p[0] for p in roc])
        frr = np.array([p[2] for p in roc])
        far = np.array([p[1] for p in roc])
        if eer:
            gap = np.abs(far - frr)
            candidates = np.flatnonzero(gap <= gap.min() + 1e-12)
        else:
            assert target_frr is not None
            ok = np.flatnonzero(frr <= target_frr + 1e-12)
            if not len(ok):
                lowest = float(frr.min()) if len(frr) else float("nan")
                report[group] = {
                    "skipped": f"no cut-off reaches the target: at least {lowest:.1%} of the "
                    "compliant photos are rejected at any cut-off (not assessed, or outside a "
                    "categorical limit)",
                    **counts,
                }  # fmt: skip
                continue
            # The least false accepts among those, and of equal ones the least change.
            candidates = ok[far[ok] <= far[ok].min() + 1e-12]
        t = _closest_cut(cuts, candidates)
        before = _rates(scores, compliant, 1.0)
        changes: dict[str, dict[str, dict[str, Any]]] = {}
        trial = prof
        for c in checks:
            if t == 1.0:
                break  # the profile's own limits already meet the target best
            new = {
                k: _round(v, digits, prof.rules[c].get(k))
                for k, v in limits_at(c, prof.rules[c], t).items()
            }
            if new:
                trial = trial.with_rule(c, **new)
                changes[c] = {"old": {k: prof.rules[c].get(k) for k in new}, "new": new}
        after = _rates(group_scores(table, group, trial, mapping)[known], compliant, 1.0)
        problems += _implausible(changes)
        notes = [
            f"{c} {k} declares no plausible range: check {v} by hand"
            for c, change in changes.items()
            for k, v in change["new"].items()
            if plausible_range(c, k) is None
        ]
        for name in ("far", "frr"):
            jump = after[name] - before[name]
            if jump > max_jump:  # a rate that improves is no danger
                problems.append(
                    f"{name.upper()} rises from {before[name]:.1%} to {after[name]:.1%} "
                    f"({jump:+.1%}; at most +{max_jump:.0%} without force)"
                )
        refused = bool(problems) and not force and bool(changes)
        if not refused:
            for c, change in changes.items():
                tuned = tuned.with_rule(c, **change["new"])
        report[group] = {
            "cut": t, "changes": changes, "before": before, "after": after, "eer": eer_value,
            "problems": problems, "notes": notes, "refused": refused, **counts,
        }  # fmt: skip
    return tuned, report


def plausible_range(check: str, param: str) -> tuple[float, float] | None:
    """Return the plausible range a check declares for one of its parameters (or None).

    Examples
    --------
    >>> plausible_range("pose.pitch", "max_degrees")
    (-30.0, 25.0)
    """
    for limit in get_check(check).limits:
        if isinstance(limit, Range) and param in limit.params:
            return limit.plausible
    return None


def _implausible(changes: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[str]:
    out = []
    for check, change in changes.items():
        for param, value in change["new"].items():
            bounds = plausible_range(check, param)
            if bounds is not None and not bounds[0] <= value <= bounds[1]:
                out.append(
                    f"{check} {param} {change['old'][param]} -> {value} leaves its plausible "
                    f"range {bounds[0]:g} to {bounds[1]:g}"
                )
    return out


def _rates(
    scores: NDArray[np.float64], compliant: NDArray[np.bool_], cut: float
) -> dict[str, float]:
    with np.errstate(invalid="ignore"):
        rejected = scores > cut
    frr = float(rejected[compliant].mean()) if compliant.any() else float("nan")
    far = float((~rejected[~compliant]).mean()) if (~compliant).any() else float("nan")
    return {"frr": frr, "far": far}


def _limits_at_cut(
    checks: Sequence[str], profile: Profile, cut: float
) -> dict[str, dict[str, float]]:
    if not np.isfinite(cut):
        return {}
    out = {}
    for c in checks:
        moved = {
            k: _round(v, 3, profile.rules[c].get(k))
            for k, v in limits_at(c, profile.rules[c], cut).items()
        }
        if moved:
            out[c] = moved
    return out


def _round(value: float, digits: int, old: Any = None) -> float | int:
    """Round to ``digits`` significant digits; keep an int limit an int when it stays whole."""
    out = float(value) if value == 0 or not np.isfinite(value) else float(f"{value:.{digits}g}")
    if isinstance(old, int) and not isinstance(old, bool) and out == round(out):
        return round(out)
    return out


def _closest_cut(cuts: NDArray[np.float64], candidates: NDArray[np.intp]) -> float:
    """Return a cut-off in the union of the candidates' intervals, as close to 1 as can be.

    Index ``i`` stands for the interval ``[cuts[i], cuts[i + 1])``, where every cut-off gives
    the same verdicts; a cut-off in the middle of it is kept clear of rounding.
    """
    best, best_distance = 1.0, np.inf
    for i in candidates.tolist():
        low = float(cuts[i])
        high = float(cuts[i + 1]) if i + 1 < len(cuts) else np.inf
        if low <= 1.0 < high:
            return 1.0
        if not np.isfinite(low):
            point = high - max(1e-6, 0.05 * abs(high))
        elif not np.isfinite(high):
            point = low + max(1e-6, 0.05 * abs(low))
        else:
            point = (low + high) / 2.0
        distance = min(abs(low - 1.0), abs(high - 1.0))
        if distance < best_distance:
            best, best_distance = point, distance
    return best


def labelled_manifest_table(
    manifest: str | Path,
    *,
    workers: int | None = None,
    progress: bool = False,
    rows: Sequence[Mapping[str, str]] | None = None,
    mapping: Sequence[LabelRule] | None = None,
    profile: str | Path | Profile | None = None,
) -> MeasurementTable:
    """Measure every photo of a labelled manifest; labels become ``label:<group>`` columns.

    The labels are mapped to groups once, here: a table meant for another label mapping
    or profile (``background.colour`` follows the profile's allowed colours) is better
    evaluated with the manifest rows as labels, ``evaluate(table, rows, profile)``.

    Parameters
    ----------
    manifest : str or Path
        A CSV in the format of the development set (see :mod:`photocheck.evaluation.labels`).
    workers : int, optional
        Worker processes (default: one per core; 1 measures in this process).
    progress : bool, optional
        Show a progress bar.
    rows : sequence of mapping, optional
        Manifest rows already read (default: read ``manifest``).
    mapping : sequence of LabelRule, optional
        The label mapping (default: the shipped one).
    profile : str, Path or Profile, optional
        Decides the profile-dependent labels (default ``icao``).

    Returns
    -------
    MeasurementTable
        With ``meta:file`` and one ``label:<group>`` column per labelled group.
    """
    rows = list(rows) if rows is not None else read_manifest(manifest)
    prof = load_profile(profile) if profile is not None else None
    extra = []
    for row in rows:
        more: dict[str, Any] = {"meta:file": row.get("file", "")}
        for group, ok in expected_outcomes(row, mapping, prof).items():
            more[LABEL_PREFIX + group] = "pass" if ok else "fail"
        extra.append(more)
    return measure_many([r["path"] for r in rows], workers=workers, progress=progress, extra=extra)


# Manifest labels a photo must have to serve as the base of synthetic variants.
BASE_LABELS: Mapping[str, tuple[str, ...]] = {
    "n_faces": ("1",),
    "background": ("plain_white", "plain_blue", "plain_light_other"),
    "frontal": ("yes",),
    "sharp": ("yes",),
    "exposure": ("ok",),
}


def synthetic_set(
    manifest: str | Path | None = None,
    *,
    bases: Sequence[tuple[str, Any]] | None = None,
    names: Iterable[str] | None = None,
    severities: Sequence[Any] | Mapping[str, Sequence[Any]] | None = None,
    limit: int | None = None,
    frame: bool = True,
    originals: bool = False,
    checks: Iterable[str] | None = None,
    workers: int | None = None,
    progress: bool = False,
    seed: int = 0,
) -> MeasurementTable:
    """Measure labelled synthetic variants of compliant photos (computed in memory).

    Each base photo is framed the ICAO way (:func:`photocheck.evaluation.synthetic.frame_portrait`,
    unless ``frame=False``), then every variant of :mod:`photocheck.evaluation.synthetic` (or
    those named) is made and measured; nothing is written. Labels come from the variants'
    expectations (``label:<check>`` columns); the table also has ``meta:base``,
    ``meta:variant`` and ``meta:severity``.

    Parameters
    ----------
    manifest : str or Path, optional
        A labelled manifest: its photos whose labels match :data:`BASE_LABELS` are the bases.
    bases : sequence of (name, photo), optional
        Base photos given directly (RGB uint8 arrays, or anything :func:`photocheck.load_image`
        reads), instead of or besides the manifest's.
    names : iterable of str, optional
        Variant names (default: all registered).
    severities : sequence or mapping, optional
        Severities for every variant, or variant name -> severities (default: each
        variant's own).
    limit : int, optional
        Use at most this many manifest photos.
    frame : bool, optional
        Frame each base the ICAO way first (default True); False uses the bases as they are.
    originals : bool, optional
        Also measure each base itself, as a row with ``meta:variant`` ``"none"`` and no label.
    checks : iterable of str, optional
        Check ids to measure (default: every registered check).
    workers : int, optional
        Worker processes for measuring (default: one per core; 1: in this process).
    progress : bool, optional
        Show a progress bar.
    seed : int, optional
        Seed handed to the variants.

    Returns
    -------
    MeasurementTable
        A base that cannot be read (or, with ``frame=True``, has no face) gives no row.
    """
    from ..analysis import Analysis
    from ..batch.runner import iter_measurements
    from ..errors import NotAssessed
    from ..imaging.load import load_image
    from .synthetic import frame_portrait, iter_variants

    sources: list[tuple[str, Any]] = list(bases or [])
    if manifest is not None:
        chosen = [
            r for r in read_manifest(manifest)
            if all(r.get(k) in allowed for k, allowed in BASE_LABELS.items())
        ]  # fmt: skip
        sources += [(r["file"], r["path"]) for r in chosen[:limit]]
    variant_names = list(names) if names is not None else None
    extra: list[dict[str, Any]] = []

    def prepared(photo: Any) -> NDArray[np.uint8]:
        if not frame:
            return load_image(photo).rgb
        analysis = Analysis(load_image(photo))
        return frame_portrait(analysis.rgb, analysis.geometry)

    def variants(rgb: NDArray[np.uint8]) -> Iterator[Any]:
        if not isinstance(severities, Mapping):
            yield from iter_variants(rgb, variant_names, severities, seed=seed)
            return
        for name in variant_names if variant_names is not None else list(severities):
            yield from iter_variants(rgb, [name], severities.get(name), seed=seed)

    def images() -> Iterator[NDArray[np.uint8]]:
        for base_name, photo in sources:
            try:
                base = prepared(photo)
            except (PhotocheckError, NotAssessed):
                continue
            if originals:
                extra.append({"meta:base": base_name, "meta:variant": "none", "meta:severity": ""})
                yield base
            for v in variants(base):
                more: dict[str, Any] = {
                    "meta:base": base_name, "meta:variant": v.name, "meta:severity": str(v.severity),
                }  # fmt: skip
                for check, outcome in v.expected.items():
                    more[LABEL_PREFIX + check] = outcome
                extra.append(more)
                yield v.image

    check_list = list(checks) if checks is not None else None
    items = list(iter_measurements(images(), checks=check_list, workers=workers, progress=progress))
    return MeasurementTable.from_measurements(items, extra=extra)


def rejection_rates(
    table: MeasurementTable,
    profile: str | Path | Profile = "icao",
    *,
    by: str | Sequence[str] = "meta:variant",
    checks: Iterable[str] | None = None,
    verdicts: TableVerdicts | None = None,
) -> dict[Any, dict[str, tuple[int, int]]]:
    """Count, per group of rows, how many rows each check rejects.

    A check rejects a row when it does not pass (``fail`` or ``not_assessed``; ``warn``
    passes), as in :func:`evaluate`. Rows whose photo could not be read are left out.

    Parameters
    ----------
    table : MeasurementTable
        Measurements, e.g. from :func:`synthetic_set`.
    profile : str, Path or Profile, optional
        The profile to judge with (default ``"icao"``).
    by : str or sequence of str, optional
        The column(s) whose values group the rows (default ``"meta:variant"``).
    checks : iterable of str, optional
        The checks to count (default: every check of the profile).
    verdicts : TableVerdicts, optional
        Verdicts already computed for this table and profile.

    Returns
    -------
    dict
        Group key (the column's value, or a tuple of values when ``by`` names several) ->
        check -> ``(rejected rows, rows)``, groups in order of first appearance.

    Examples
    --------
    >>> from photocheck.batch.table import MeasurementTable
    >>> t = MeasurementTable.from_records(
    ...     [{"meta:variant": v, "sharpness:sharpness": x} for v, x in [("a", 0.7), ("b", 0.1), ("b", 0.6)]])
    >>> rejection_rates(t, Profile("demo", rules={"sharpness": {"min": 0.45}}))
    {'a': {'sharpness': (0, 1)}, 'b': {'sharpness': (1, 2)}}
    """
    verdicts = verdicts if verdicts is not None else judge_table(table, profile)
    names = [by] if isinstance(by, str) else list(by)
    chosen = list(checks) if checks is not None else list(verdicts.checks)
    readable = ~table.present["error"]
    keys = [
        tuple(table.value(n, i) if n in table.columns else None for n in names)
        for i in range(len(table))
    ]
    out: dict[Any, dict[str, tuple[int, int]]] = {}
    for key in dict.fromkeys(k for k, ok in zip(keys, readable.tolist(), strict=True) if ok):
        rows = readable & np.array([k == key for k in keys], dtype=bool)
        out[key[0] if isinstance(by, str) else key] = {
            c: (int((rows & ~verdicts.passed(c)).sum()), int(rows.sum())) for c in chosen
        }
    return out
