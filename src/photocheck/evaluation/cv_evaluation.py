"""Cross-validated figures of a profile's label groups over a measurement table.

What ``evaluate(..., cv=K)`` and ``photocheck evaluate MANIFEST --cv K`` return: per label
group, the limits the profile sets are chosen on K-1 folds and the held fold is judged with
them (:func:`photocheck.evaluation.crossval.cross_validate_groups`, the one engine), giving
FRR, FAR, balanced accuracy and the equal-error rate, each with a bootstrap 95% interval and
the counts it rests on. Beside them, labelled as such, the in-sample figures (limits fitted
on every photo and scored on them) and the profile's own limits on the same photos.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .crossval import MIN_COUNT, MIN_SOURCES, GroupFigures, cross_validate_groups
from .intervals import Interval, rate_intervals

if TYPE_CHECKING:
    from ..batch.table import MeasurementTable
    from ..rules.profile import Profile
    from .labels import LabelRule
    from .tuning import CheckEvaluation, Evaluation

__all__ = ["CrossValidatedEvaluation", "evaluate_cv"]


@dataclass(frozen=True)
class CrossValidatedEvaluation:
    """The result of ``evaluate(..., cv=K)``.

    Attributes
    ----------
    profile : str
        The profile whose rule shape was fitted.
    folds, seed, resamples : int
        Folds asked for, seed of the folds and the bootstrap, bootstrap resamples.
    grouped_by : str or None
        What kept photos of one source in one fold (None: photos were assigned one by one).
    photos : int
        Readable rows.
    groups : tuple of GroupFigures
        Cross-validated figures per label group.
    shipped : Evaluation
        The profile's own limits judged on the same photos (in-sample: no limit is fitted
        here, but a profile tuned on these photos would look better than it is).
    """

    profile: str
    folds: int
    seed: int
    resamples: int
    grouped_by: str | None
    photos: int
    groups: tuple[GroupFigures, ...]
    shipped: Evaluation

    def __getitem__(self, group: str) -> GroupFigures:
        for figures in self.groups:
            if figures.group == group:
                return figures
        raise KeyError(group)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat JSON-ready dict per group (NaN becomes None)."""
        out = []
        for g in self.groups:
            cv, shipped = g.result, self.shipped.checks.get(g.group)
            row: dict[str, Any] = {
                "profile": self.profile, "group": g.group, "positives": cv.positives,
                "negatives": cv.negatives, "too_few": cv.too_few,
                "too_few_sources": g.too_few_sources, "folds": cv.folds,
                "sources": list(g.sources) if g.sources is not None else None,
            }  # fmt: skip
            for name in ("frr", "far", "balanced_accuracy"):
                row[f"cv_{name}"] = _json(getattr(cv, name))
                row[f"cv_{name}_ci"] = _json_interval(cv.intervals.get(name))
            if g.eer is not None:
                row["cv_eer"] = _json(1.0 - g.eer.balanced_accuracy)
                low, high = g.eer.intervals.get("balanced_accuracy", Interval(np.nan, np.nan))
                row["cv_eer_ci"] = _json_interval(Interval(1.0 - high, 1.0 - low))
            for name in ("frr", "far", "balanced_accuracy"):
                row[f"in_sample_{name}"] = _json(getattr(cv, f"in_sample_{name}"))
            if shipped is not None:
                row["in_sample_eer"] = _json(shipped.eer)
                for name, value in (("frr", shipped.frr), ("far", shipped.far),
                                    ("balanced_accuracy", shipped.balanced_accuracy)):  # fmt: skip
                    row[f"shipped_{name}"] = _json(value)
            row["cuts"] = {f"{c} {p}": _json(cv.cuts[key]) for key, (c, p) in g.params.items()}
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: the settings and one record per group."""
        return {
            "profile": self.profile, "folds": self.folds, "seed": self.seed,
            "resamples": self.resamples, "grouped_by": self.grouped_by, "photos": self.photos,
            "min_count": MIN_COUNT, "groups": self.to_records(),
        }  # fmt: skip

    def to_markdown(self) -> str:
        """Render the per-group table (cross-validated first, in-sample beside) as Markdown."""
        lines = [
            "| group | pos | neg | CV FRR | CV FAR | CV balanced accuracy | CV EER "
            "| in-sample BA (fitted) | shipped limits FRR / FAR / BA (in-sample) "
            "| limits fitted on all photos | per-fold range |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for g in self.groups:
            cv = g.result
            shipped = self.shipped.checks.get(g.group)
            few = " (too few)" if cv.too_few else ""
            few += " (too few sources)" if g.too_few_sources else ""
            pos, neg = str(cv.positives), str(cv.negatives)
            if g.sources is not None:
                pos += f" ({g.sources[0]} src)"
                neg += f" ({g.sources[1]} src)"
            eer = "-"
            if g.eer is not None:
                low, high = g.eer.intervals.get("balanced_accuracy", Interval(np.nan, np.nan))
                eer = _rate(1.0 - g.eer.balanced_accuracy, Interval(1.0 - high, 1.0 - low))
            lines.append(
                f"| {g.group}{few} | {pos} | {neg} "
                f"| {_rate(cv.frr, cv.intervals.get('frr'))} "
                f"| {_rate(cv.far, cv.intervals.get('far'))} "
                f"| **{_num(cv.balanced_accuracy, cv.intervals.get('balanced_accuracy'))}** "
                f"| {eer} | {_num(cv.in_sample_balanced_accuracy)} | {_shipped(shipped)} "
                f"| {_cuts(g)} | {_spread(g)} |"
            )
        fitted = {g.group for g in self.groups}
        unfitted = [name for name in self.shipped.checks if name not in fitted]
        grouping = (
            f"grouped by `{self.grouped_by}` (every photo of a source in one fold)"
            if self.grouped_by
            else "photos assigned one by one"
        )
        lines += [
            "",
            f"{self.folds}-fold stratified cross-validation, {grouping}, seed {self.seed}; "
            f"{self.photos} readable photos; profile `{self.profile}` gives the rule shape. "
            f"Intervals: bootstrap 95% ({self.resamples} resamples within each class). "
            f"*(too few)*: fewer than {MIN_COUNT} positives or negatives, reported but not "
            "to be trusted or gated on. CV EER: the group's score cut at the equal-error "
            "point of the training folds, applied to the held fold."
            + (
                " *src*: distinct sources among the positives / negatives; *(too few "
                f"sources)*: fewer than {MIN_SOURCES} of either, so some training folds hold "
                "(almost) none of them and the grouped figure mostly measures the sources; "
                "the photo-by-photo figure is the one to read."
                if self.grouped_by
                else ""
            ),
        ]
        if unfitted:
            lines += [
                "",
                f"No numeric limit of the profile to fit (nothing chosen on the photos, see the "
                f"in-sample table): {', '.join(unfitted)}.",
            ]
        return "\n".join(lines) + "\n"


def _json(x: float) -> float | None:
    return None if x != x or x in (float("inf"), float("-inf")) else float(x)


def _json_interval(interval: Interval | None) -> list[float | None] | None:
    return None if interval is None else [_json(interval.low), _json(interval.high)]


def _figure(x: float, interval: Interval | None, spec: str) -> str:
    """``x`` in ``spec`` with its interval when it has one; "-" for NaN."""
    if x != x:
        return "-"
    if interval is None or interval.low != interval.low:
        return format(x, spec)
    return f"{x:{spec}} [{interval.low:{spec}}, {interval.high:{spec}}]"


def _rate(x: float, interval: Interval | None = None) -> str:
    return _figure(x, interval, ".1%")


def _num(x: float, interval: Interval | None = None) -> str:
    return _figure(x, interval, ".3f")


def _shipped(c: CheckEvaluation | None) -> str:
    if c is None:
        return "-"
    truth = np.array([True] * c.compliant + [False] * c.non_compliant)
    accepted = np.array(
        [True] * c.true_accepts + [False] * c.false_rejects
        + [False] * c.true_rejects + [True] * c.false_accepts
    )  # fmt: skip
    ci = rate_intervals(accepted, truth)
    return (
        f"{_rate(c.frr, ci['frr'])} / {_rate(c.far, ci['far'])} / "
        f"{_num(c.balanced_accuracy)}{' (warn)' if c.warn_only else ''}"
    )


def _cut_text(value: float) -> str:
    return "open" if not np.isfinite(value) else f"{value:.4g}"


def _names(g: GroupFigures) -> dict[str, str]:
    return {
        key: param if check == g.group else f"{check} {param}"
        for key, (check, param) in g.params.items()
    }


def _cuts(g: GroupFigures) -> str:
    names = _names(g)
    return ", ".join(f"{names[key]} {_cut_text(cut)}" for key, cut in g.result.cuts.items())


def _spread(g: GroupFigures) -> str:
    names, folds = _names(g), g.result.fold_cuts
    if not folds:
        return "-"
    return "; ".join(
        f"{names[key]} {_cut_text(min(c.get(key, np.inf) for c in folds))}"
        f" to {_cut_text(max(c.get(key, np.inf) for c in folds))}"
        for key in g.result.cuts
    )


def evaluate_cv(
    table: MeasurementTable,
    labels: Sequence[Mapping[str, bool]],
    profile: Profile,
    *,
    k: int = 5,
    seed: int = 0,
    sources: ArrayLike | None = None,
    grouped_by: str | None = None,
    mapping: Sequence[LabelRule] | None = None,
    resamples: int = 1000,
    shipped: Evaluation,
    score_of: Callable[[str], NDArray[np.float64]] | None = None,
) -> CrossValidatedEvaluation:
    """Cross-validate every labelled group of a table (see the module docstring).

    Parameters
    ----------
    table : MeasurementTable
        The measurements, one row per photo.
    labels : sequence of mapping
        Per row, group -> should pass.
    profile : Profile
        Gives the rule shape (which parameters are fitted) and the groups' scores.
    k, seed : int, optional
        Folds (default 5) and the seed of the folds and the bootstrap (default 0).
    sources : array_like, optional
        The source of each row; a source's photos stay in one fold.
    grouped_by : str, optional
        What ``sources`` is (shown in the report).
    mapping : sequence of LabelRule, optional
        The label mapping (default: the shipped one).
    resamples : int, optional
        Bootstrap resamples (default 1000).
    shipped : Evaluation
        The in-sample evaluation of the profile's own limits on the same rows.
    score_of : callable, optional
        ``score_of(group)`` -> the group's normalised score per row
        (:func:`photocheck.evaluation.tuning.group_scores`); without it there is no CV EER.

    Returns
    -------
    CrossValidatedEvaluation
    """
    readable = ~table.present["error"]
    rows = [dict(lab) if ok else {} for lab, ok in zip(labels, readable.tolist(), strict=True)]
    n = len(table)

    def value_of(check: str, name: str) -> NDArray[np.float64]:
        column = f"{check}:{name}"
        if column not in table.columns:
            return np.full(n, np.nan)
        return table.numeric(column)

    figures = cross_validate_groups(
        rows, value_of, profile, mapping=mapping, score_of=score_of, sources=sources,
        k=k, seed=seed, resamples=resamples,
    )  # fmt: skip
    return CrossValidatedEvaluation(
        profile=profile.name, folds=k, seed=seed, resamples=resamples,
        grouped_by=grouped_by if sources is not None else None, photos=int(readable.sum()),
        groups=tuple(figures), shipped=shipped,
    )  # fmt: skip
