"""Cross-validated limits: choose a check's limits on some folds, score them on the others.

A limit fitted on a set of photos and scored on the same photos overstates its accuracy. Here
the photos are split into K stratified folds; for each fold the limits are chosen on the other
K-1 folds (the cuts that maximise balanced accuracy there) and the held fold is judged with
them. Every photo is therefore judged by limits that never saw it, and the pooled decisions
give the cross-validated false-reject / false-accept rates and balanced accuracy.

A rule is one or more one-sided limits that must all hold (e.g. ``abs(yaw) <= a`` and
``abs(pitch) <= b``); several limits are fitted together by coordinate ascent.

When the photos come from a few sources (collections, sessions, people), ``sources`` keeps
every photo of a source in the same fold, so the held fold is judged by limits that never
saw its source. Every rate carries a seeded bootstrap 95% interval
(:mod:`photocheck.evaluation.intervals`) and the counts it rests on; a figure with fewer than
:data:`MIN_COUNT` positives or negatives is reported but too thin to gate on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .intervals import Interval, rate_intervals

if TYPE_CHECKING:
    from ..rules.profile import Profile
    from ..rules.verdict import Measurements
    from .labels import LabelRule

__all__ = [
    "MIN_COUNT",
    "MIN_SOURCES",
    "CrossValidated",
    "GroupFigures",
    "Limit",
    "Objective",
    "balanced_accuracy",
    "cross_validate",
    "cross_validate_groups",
    "cross_validate_profile",
    "fit_limits",
    "grouped_folds",
    "make_folds",
    "passes",
    "profile_limits",
    "stratified_folds",
]

#: Fewer positives or negatives than this: the figure is reported but too thin to trust or
#: gate on (one photo moves a rate by more than 10 points).
MIN_COUNT = 10
#: With folds grouped by source, positives or negatives from fewer sources than this leave
#: some training folds with (almost) none of them: the grouped figure then says more about
#: the sources than about the check, and is flagged.
MIN_SOURCES = 3
#: What a fit maximises: balanced accuracy, or closeness of FAR and FRR (the equal-error point).
Objective = Literal["balanced", "equal_error"]

# At most this many candidate cuts are tried per limit (quantiles of the training values).
_MAX_CUTS = 1000
# Coordinate-ascent rounds when a rule has several limits.
_ROUNDS = 3


@dataclass(frozen=True)
class Limit:
    """One one-sided limit of a rule.

    Attributes
    ----------
    value : str
        The measured value it bounds (a key of the ``values`` mapping).
    side : {"max", "min"}
        ``"max"``: a photo passes when ``value <= cut``; ``"min"``: when ``value >= cut``.
    """

    value: str
    side: Literal["max", "min"]


@dataclass(frozen=True)
class CrossValidated:
    """Cross-validated and in-sample figures of one rule.

    Attributes
    ----------
    positives, negatives : int
        Photos labelled as should-pass / should-fail (with a value for every limit).
    frr, far, balanced_accuracy : float
        Cross-validated false-reject rate (share of positives rejected), false-accept rate
        (share of negatives accepted) and balanced accuracy ``1 - (frr + far) / 2``.
    in_sample_balanced_accuracy : float
        The same with the limits fitted on every photo and scored on them (optimistic).
    cuts : dict of str to float
        The limits fitted on every photo (what a profile would ship).
    fold_cuts : list of dict
        The limits chosen for each held-out fold, to show how much they move.
    intervals : dict of str to Interval
        Bootstrap 95% intervals of ``frr``, ``far`` and ``balanced_accuracy`` (cross-validated)
        and of ``in_sample_frr``, ``in_sample_far``, ``in_sample_balanced_accuracy``.
    in_sample_frr, in_sample_far : float
        FRR and FAR of the limits fitted on every photo, scored on them (optimistic).
    folds : int
        Folds that held photos (fewer than asked when there are fewer sources than folds).
    """

    positives: int
    negatives: int
    frr: float
    far: float
    balanced_accuracy: float
    in_sample_balanced_accuracy: float
    cuts: dict[str, float]
    fold_cuts: list[dict[str, float]]
    intervals: dict[str, Interval] = field(default_factory=dict)
    in_sample_frr: float = float("nan")
    in_sample_far: float = float("nan")
    folds: int = 0

    @property
    def too_few(self) -> bool:
        """Fewer than :data:`MIN_COUNT` positives or negatives: report, do not gate."""
        return self.positives < MIN_COUNT or self.negatives < MIN_COUNT


def balanced_accuracy(accepted: ArrayLike, should_pass: ArrayLike) -> float:
    """Return the mean of the true-accept and true-reject rates.

    Parameters
    ----------
    accepted, should_pass : array_like of bool
        The rule's decisions and the labels, one per photo.

    Returns
    -------
    float
        In ``[0, 1]``; 0.5 is chance. A class with no photos counts as perfectly judged.
    """
    acc = np.asarray(accepted, dtype=bool)
    truth = np.asarray(should_pass, dtype=bool)
    tar = acc[truth].mean() if truth.any() else 1.0
    trr = (~acc[~truth]).mean() if (~truth).any() else 1.0
    return float((tar + trr) / 2)


def passes(
    values: Mapping[str, NDArray[np.float64]], cuts: Mapping[str, float], limits: Sequence[Limit]
) -> NDArray[np.bool_]:
    """Return which photos hold every limit.

    Parameters
    ----------
    values : mapping of str to ndarray
        One array of measured values per limit's ``value`` (same length each).
    cuts : mapping of str to float
        The cut per limit value; a missing or infinite cut leaves that limit open.
    limits : sequence of Limit
        The rule.

    Returns
    -------
    ndarray of bool
    """
    n = len(next(iter(values.values())))
    ok = np.ones(n, dtype=bool)
    for limit in limits:
        cut = cuts.get(limit.value, np.inf if limit.side == "max" else -np.inf)
        v = values[limit.value]
        ok &= v <= cut if limit.side == "max" else v >= cut
    return ok


def _candidates(v: NDArray[np.float64], side: str) -> NDArray[np.float64]:
    """Cuts halfway between neighbouring distinct values (quantile-thinned), most lenient first.

    The first candidate leaves the limit open (``inf`` for a maximum, ``-inf`` for a minimum).
    Infinite values (a photo the check could not measure) get a finite cut beside the
    nearest finite value, so a fit can reject them without rejecting any measured photo.
    """
    finite = v[np.isfinite(v)]
    if finite.size > _MAX_CUTS:
        finite = np.quantile(finite, np.linspace(0, 1, _MAX_CUTS))
    distinct = np.unique(finite)
    mids = (distinct[:-1] + distinct[1:]) / 2
    if distinct.size and np.isinf(v).any():
        step = 1.0 + np.abs(distinct[[0, -1]])
        mids = np.concatenate([[distinct[0] - step[0]], mids, [distinct[-1] + step[1]]])
    if side == "max":
        return np.concatenate([[np.inf], mids[::-1]])
    return np.concatenate([[-np.inf], mids])


def _score(accepted: NDArray[np.bool_], truth: NDArray[np.bool_], objective: Objective) -> float:
    """Higher is better: balanced accuracy, or minus the gap between FAR and FRR."""
    if objective == "balanced":
        return balanced_accuracy(accepted, truth)
    frr = (~accepted[truth]).mean() if truth.any() else 0.0
    far = accepted[~truth].mean() if (~truth).any() else 0.0
    return -float(abs(far - frr))


def fit_limits(
    values: Mapping[str, NDArray[np.float64]],
    should_pass: NDArray[np.bool_],
    limits: Sequence[Limit],
    *,
    objective: Objective = "balanced",
) -> dict[str, float]:
    """Choose the cuts that maximise balanced accuracy (or meet the equal-error point).

    Parameters
    ----------
    values : mapping of str to ndarray
        Measured values per limit.
    should_pass : ndarray of bool
        The labels.
    limits : sequence of Limit
        The rule; several limits are fitted by coordinate ascent from all-open, started
        from each limit in turn (the best start is kept).
    objective : {"balanced", "equal_error"}, optional
        Maximise balanced accuracy (default), or bring FAR and FRR as close as can be.

    Returns
    -------
    dict of str to float
        A cut per limit value (``inf`` / ``-inf`` when leaving it open is best). Ties go to
        the most lenient cut, so the fitted rule rejects no more than the labels require.
    """
    # Coordinate ascent depends on which limit is fitted first: start from each limit in turn
    # and keep the best fit (the first one on a tie).
    best: dict[str, float] = {}
    best_ba = -2.0
    for first in range(len(limits)):
        order = [*limits[first:], *limits[:first]]
        cuts = _coordinate_ascent(values, should_pass, limits, order, objective)
        ba = _score(passes(values, cuts, limits), should_pass, objective)
        if ba > best_ba + 1e-12:
            best, best_ba = cuts, ba
    return best


def _coordinate_ascent(
    values: Mapping[str, NDArray[np.float64]],
    should_pass: NDArray[np.bool_],
    limits: Sequence[Limit],
    order: Sequence[Limit],
    objective: Objective = "balanced",
) -> dict[str, float]:
    """Fit one limit at a time, in ``order``, from all-open, until no cut changes."""
    cuts: dict[str, float] = {}
    for _ in range(_ROUNDS if len(limits) > 1 else 1):
        changed = False
        for limit in order:
            best_cut, best_ba = cuts.get(limit.value), -2.0
            for cut in _candidates(values[limit.value], limit.side):
                trial = {**cuts, limit.value: float(cut)}
                ba = _score(passes(values, trial, limits), should_pass, objective)
                if ba > best_ba + 1e-12:
                    best_cut, best_ba = float(cut), ba
            if best_cut is not None and cuts.get(limit.value) != best_cut:
                cuts[limit.value] = best_cut
                changed = True
        if not changed:
            break
    return cuts


def stratified_folds(should_pass: ArrayLike, k: int = 5, *, seed: int = 0) -> NDArray[np.intp]:
    """Assign each photo to one of ``k`` folds, each class spread evenly over the folds.

    Parameters
    ----------
    should_pass : array_like of bool
        The labels.
    k : int, optional
        Number of folds (default 5).
    seed : int, optional
        Seed of the shuffle within each class (default 0).

    Returns
    -------
    ndarray of int
        The fold (0 to k-1) of each photo.
    """
    truth = np.asarray(should_pass, dtype=bool)
    rng = np.random.default_rng(seed)
    folds = np.empty(truth.size, dtype=np.intp)
    offset = 0
    for cls in (True, False):
        idx = np.flatnonzero(truth == cls)
        rng.shuffle(idx)
        folds[idx] = (np.arange(idx.size) + offset) % k
        offset += idx.size  # the next class continues the round-robin where this one ended
    return folds


def grouped_folds(
    should_pass: ArrayLike, sources: ArrayLike, k: int = 5, *, seed: int = 0
) -> NDArray[np.intp]:
    """Assign each photo to one of ``k`` folds, every photo of a source in the same fold.

    Sources are placed largest first (ties in a seeded random order), each into the fold
    where it leaves the larger share of the classes it holds smallest, so both classes stay
    spread over the folds as evenly as whole sources allow (with one photo per source, plain
    stratification).

    Parameters
    ----------
    should_pass : array_like of bool
        The labels.
    sources : array_like
        The source of each photo (any hashable values, e.g. a manifest's ``source_repo``).
    k : int, optional
        Number of folds (default 5); with fewer sources than folds some folds stay empty.
    seed : int, optional
        Seed of the order among sources of equal size (default 0).

    Returns
    -------
    ndarray of int
        The fold (0 to k-1) of each photo.
    """
    truth = np.asarray(should_pass, dtype=bool)
    names, inverse = np.unique(np.asarray(sources).astype(str), return_inverse=True)
    counts = np.stack(
        [np.bincount(inverse, weights=truth, minlength=names.size),
         np.bincount(inverse, weights=~truth, minlength=names.size)], axis=1,
    )  # fmt: skip
    totals = np.maximum(counts.sum(axis=0), 1.0)
    order = np.random.default_rng(seed).permutation(names.size)
    order = order[np.argsort(-counts[order].sum(axis=1), kind="stable")]
    load = np.zeros((k, 2))
    fold_of = np.empty(names.size, dtype=np.intp)
    for source in order.tolist():
        # Only the classes the source holds: a class it does not add to must not steer it
        # (a single compliant photo would otherwise follow the fold with the fewest
        # non-compliant ones, and pile up there).
        held = counts[source] > 0
        share = ((load[:, held] + counts[source][held]) / totals[held]).max(axis=1)
        fold = int(np.argmin(share + 1e-9 * load.sum(axis=1)))  # ties: the emptier fold
        fold_of[source] = fold
        load[fold] += counts[source]
    return fold_of[inverse]


def make_folds(
    should_pass: ArrayLike, k: int = 5, *, seed: int = 0, sources: ArrayLike | None = None
) -> NDArray[np.intp]:
    """Stratified folds (:func:`stratified_folds`), grouped by source when ``sources`` is given.

    Returns
    -------
    ndarray of int
        The fold (0 to k-1) of each photo.
    """
    if sources is None:
        return stratified_folds(should_pass, k, seed=seed)
    return grouped_folds(should_pass, sources, k, seed=seed)


def cross_validate(
    values: Mapping[str, ArrayLike],
    should_pass: ArrayLike,
    limits: Sequence[Limit],
    *,
    k: int = 5,
    seed: int = 0,
    sources: ArrayLike | None = None,
    objective: Objective = "balanced",
    resamples: int = 1000,
) -> CrossValidated:
    """Cross-validate a rule: limits chosen on k-1 folds, decisions taken on the held fold.

    Parameters
    ----------
    values : mapping of str to array_like
        Measured values per limit, one per photo; photos with a missing (NaN) value are
        left out.
    should_pass : array_like of bool
        The labels.
    limits : sequence of Limit
        The rule.
    k : int, optional
        Number of folds (default 5).
    seed : int, optional
        Seed of the fold assignment and of the bootstrap (default 0).
    sources : array_like, optional
        The source of each photo: a source's photos stay in one fold (:func:`grouped_folds`).
    objective : {"balanced", "equal_error"}, optional
        What each fold's limits are fitted for (default: balanced accuracy).
    resamples : int, optional
        Bootstrap resamples of the intervals (default 1000; 0 leaves them out).

    Returns
    -------
    CrossValidated
    """
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in values.items()}
    truth = np.asarray(should_pass, dtype=bool)
    keep = np.ones(truth.size, dtype=bool)
    for limit in limits:
        keep &= ~np.isnan(arrays[limit.value])
    arrays = {name: v[keep] for name, v in arrays.items()}
    truth = truth[keep]
    folds = make_folds(
        truth, k, seed=seed, sources=None if sources is None else np.asarray(sources)[keep]
    )
    accepted = np.zeros(truth.size, dtype=bool)
    fold_cuts = []
    for fold in range(k):
        held = folds == fold
        if not held.any():
            continue
        train = {name: v[~held] for name, v in arrays.items()}
        cuts = fit_limits(train, truth[~held], limits, objective=objective)
        fold_cuts.append(cuts)
        accepted[held] = passes({name: v[held] for name, v in arrays.items()}, cuts, limits)
    cuts_all = fit_limits(arrays, truth, limits, objective=objective)
    in_sample = passes(arrays, cuts_all, limits)
    cv_int = rate_intervals(accepted, truth, resamples=resamples, seed=seed)
    in_int = rate_intervals(in_sample, truth, resamples=resamples, seed=seed)
    return CrossValidated(
        positives=int(truth.sum()),
        negatives=int((~truth).sum()),
        frr=_frr(accepted, truth),
        far=_far(accepted, truth),
        balanced_accuracy=balanced_accuracy(accepted, truth),
        in_sample_balanced_accuracy=balanced_accuracy(in_sample, truth),
        cuts=cuts_all,
        fold_cuts=fold_cuts,
        intervals={**cv_int, **{f"in_sample_{name}": v for name, v in in_int.items()}},
        in_sample_frr=_frr(in_sample, truth),
        in_sample_far=_far(in_sample, truth),
        folds=len(fold_cuts),
    )


def _frr(accepted: NDArray[np.bool_], truth: NDArray[np.bool_]) -> float:
    return float((~accepted[truth]).mean()) if truth.any() else 0.0


def _far(accepted: NDArray[np.bool_], truth: NDArray[np.bool_]) -> float:
    return float(accepted[~truth].mean()) if (~truth).any() else 0.0


@dataclass(frozen=True)
class GroupFigures:
    """Cross-validated figures of one label group under one profile's rule shape.

    Attributes
    ----------
    group : str
        The label group (e.g. ``"pose"``, ``"eyes.open"``; see
        :func:`photocheck.evaluation.labels.load_label_mapping`).
    params : dict of str to tuple of str
        ``"check:value" -> (check, profile parameter)`` for every limit that was fitted.
    result : CrossValidated
        The figures; ``result.cuts`` are keyed like ``params``.
    sources : tuple of (int, int) or None
        Distinct sources among the positives and among the negatives (None: not grouped).
        Negatives from a single source cannot be cross-validated across sources: its fold
        is judged by limits fitted without any negative.
    eer : CrossValidated or None
        The group's normalised score (:func:`photocheck.evaluation.tuning.group_scores`) cut
        at the equal-error point of the K-1 training folds and applied to the held fold (its
        ``balanced_accuracy`` is ``1 - EER``); None when no score was given.
    """

    group: str
    params: dict[str, tuple[str, str]]
    result: CrossValidated
    eer: CrossValidated | None = None
    sources: tuple[int, int] | None = None

    @property
    def too_few_sources(self) -> bool:
        """Whether folds were grouped and positives or negatives span < :data:`MIN_SOURCES`."""
        return self.sources is not None and min(self.sources) < MIN_SOURCES


def profile_limits(
    profile: Profile, checks: Sequence[str]
) -> list[tuple[str, str, str, Literal["max", "min"]]]:
    """List the numeric limits a profile sets on these checks.

    Parameters
    ----------
    profile : Profile
        The profile whose rule shape is fitted (which parameters it sets).
    checks : sequence of str
        Check ids.

    Returns
    -------
    list of (check, value name, parameter, side)
        One entry per ``Range`` side the profile sets; categorical limits are left out.
    """
    from ..rules.registry import Range, get_check

    out: list[tuple[str, str, str, Literal["max", "min"]]] = []
    for check in checks:
        rule = profile.rules.get(check, {})
        for limit in get_check(check).limits:
            if not isinstance(limit, Range):
                continue
            if limit.min_param is not None and limit.min_param in rule:
                out.append((check, limit.value, limit.min_param, "min"))
            if limit.max_param is not None and limit.max_param in rule:
                out.append((check, limit.value, limit.max_param, "max"))
    return out


def cross_validate_groups(
    labels: Sequence[Mapping[str, bool]],
    value_of: Callable[[str, str], NDArray[np.float64]],
    profile: Profile,
    *,
    mapping: Sequence[LabelRule] | None = None,
    score_of: Callable[[str], NDArray[np.float64]] | None = None,
    sources: ArrayLike | None = None,
    k: int = 5,
    seed: int = 0,
    resamples: int = 1000,
) -> list[GroupFigures]:
    """Cross-validate every labelled group's limits, in the shape the profile gives them.

    The one engine behind :func:`cross_validate_profile`, ``evaluate(..., cv=K)`` and
    ``tools/derive_limits.py``.

    Parameters
    ----------
    labels : sequence of mapping
        Per photo, group -> should pass (:func:`photocheck.evaluation.labels.expected_outcomes`).
    value_of : callable
        ``value_of(check, value_name)`` -> the measured value of every photo (NaN where the
        check could not measure: that photo counts as rejected by the check).
    profile : Profile
        Which parameters are fitted: those the profile sets for the group's checks.
    mapping : sequence of LabelRule, optional
        The label mapping naming each group's checks (default: the shipped one).
    score_of : callable, optional
        ``score_of(group)`` -> the group's normalised score per photo (above 1 rejects); when
        given, each :class:`GroupFigures` also has the cross-validated equal-error figures.
    sources : array_like, optional
        The source of each photo; a source's photos stay in one fold.
    k, seed, resamples : int, optional
        Folds (default 5), seed of folds and bootstrap (0), bootstrap resamples (1000).

    Returns
    -------
    list of GroupFigures
        One per label group with at least one labelled photo and one numeric limit, sorted
        by group name.
    """
    from .labels import group_checks

    src = None if sources is None else np.asarray(sources)
    groups = sorted({g for lab in labels for g in lab})
    out = []
    for group in groups:
        limits = profile_limits(profile, group_checks(group, mapping))
        if not limits:
            continue
        keep = np.array([i for i, lab in enumerate(labels) if group in lab], dtype=np.intp)
        truth = np.array([labels[i][group] for i in keep.tolist()], dtype=bool)
        values: dict[str, NDArray[np.float64]] = {}
        params: dict[str, tuple[str, str]] = {}
        fitted: list[Limit] = []
        for check, name, param, side in limits:
            key = f"{check}:{param}"
            column = np.asarray(value_of(check, name), dtype=np.float64)[keep]
            values[key] = np.where(np.isnan(column), np.inf if side == "max" else -np.inf, column)
            params[key] = (check, param)
            fitted.append(Limit(key, side))
        held_sources = None if src is None else src[keep]
        result = cross_validate(
            values, truth, fitted, k=k, seed=seed, sources=held_sources, resamples=resamples
        )
        eer = None
        if score_of is not None:
            score = np.asarray(score_of(group), dtype=np.float64)[keep]
            score = np.where(np.isnan(score), 0.0, score)  # a NaN value adds nothing (rejudge)
            eer = cross_validate(
                {"score": score}, truth, [Limit("score", "max")], k=k, seed=seed,
                sources=held_sources, objective="equal_error", resamples=resamples,
            )  # fmt: skip
        spread = None
        if held_sources is not None:
            spread = (
                len(set(held_sources[truth].tolist())),
                len(set(held_sources[~truth].tolist())),
            )
        out.append(GroupFigures(group, params, result, eer, spread))
    return out


def cross_validate_profile(
    rows: Sequence[Mapping[str, str]],
    measured: Sequence[Measurements | None],
    profile: Profile,
    *,
    k: int = 5,
    seed: int = 0,
    sources: ArrayLike | None = None,
    mapping: Sequence[LabelRule] | None = None,
    resamples: int = 1000,
) -> list[GroupFigures]:
    """Cross-validate every labelled group of a manifest measured photo by photo.

    Parameters
    ----------
    rows : sequence of mapping
        Manifest rows (label columns, see :func:`photocheck.evaluation.labels.read_manifest`).
    measured : sequence of Measurements or None
        The measurements of each row's photo (None: unreadable, rejected by every rule).
    profile : Profile
        Which parameters are fitted: those the profile sets for the group's checks.
    k : int, optional
        Folds (default 5).
    seed : int, optional
        Seed of the fold assignment and the bootstrap (default 0).
    sources : array_like, optional
        The source of each row; a source's photos stay in one fold.
    mapping : sequence of LabelRule, optional
        The label mapping (default: the shipped one).
    resamples : int, optional
        Bootstrap resamples (default 1000).

    Returns
    -------
    list of GroupFigures
        See :func:`cross_validate_groups`. A photo that a check could not measure counts as
        rejected by that check.
    """
    from .labels import expected_outcomes

    labels = [expected_outcomes(row, mapping, profile) for row in rows]

    def value_of(check: str, name: str) -> NDArray[np.float64]:
        return np.array([_value(m, check, name) for m in measured], dtype=np.float64)

    return cross_validate_groups(
        labels, value_of, profile, mapping=mapping, sources=sources, k=k, seed=seed,
        resamples=resamples,
    )  # fmt: skip


def _value(measurements: Measurements | None, check: str, name: str) -> float:
    if measurements is None or check not in measurements.by_check:
        return float("nan")
    value = measurements.by_check[check].values.get(name)
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else float("nan")
    )
