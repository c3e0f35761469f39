"""Cross-validated limits: choose a check's limits on some folds, score them on the others.

A limit fitted on a set of photos and scored on the same photos overstates its accuracy. Here
the photos are split into K stratified folds; for each fold the limits are chosen on the other
K-1 folds (the cuts that maximise balanced accuracy there) and the held fold is judged with
them. Every photo is therefore judged by limits that never saw it, and the pooled decisions
give the cross-validated false-reject / false-accept rates and balanced accuracy.

A rule is one or more one-sided limits that must all hold (e.g. ``abs(yaw) <= a`` and
``abs(pitch) <= b``); several limits are fitted together by coordinate ascent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from ..rules.profile import Profile
    from ..rules.verdict import Measurements

__all__ = [
    "CrossValidated",
    "GroupFigures",
    "Limit",
    "balanced_accuracy",
    "cross_validate",
    "cross_validate_profile",
    "fit_limits",
    "passes",
    "profile_limits",
    "stratified_folds",
]

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
    """

    positives: int
    negatives: int
    frr: float
    far: float
    balanced_accuracy: float
    in_sample_balanced_accuracy: float
    cuts: dict[str, float]
    fold_cuts: list[dict[str, float]]


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
    """
    distinct = np.unique(v[np.isfinite(v)])
    if distinct.size > _MAX_CUTS:
        distinct = np.unique(np.quantile(distinct, np.linspace(0, 1, _MAX_CUTS)))
    mids = (distinct[:-1] + distinct[1:]) / 2
    if side == "max":
        return np.concatenate([[np.inf], mids[::-1]])
    return np.concatenate([[-np.inf], mids])


def fit_limits(
    values: Mapping[str, NDArray[np.float64]],
    should_pass: NDArray[np.bool_],
    limits: Sequence[Limit],
) -> dict[str, float]:
    """Choose the cuts that maximise balanced accuracy on these photos.

    Parameters
    ----------
    values : mapping of str to ndarray
        Measured values per limit.
    should_pass : ndarray of bool
        The labels.
    limits : sequence of Limit
        The rule; several limits are fitted by coordinate ascent from all-open, started
        from each limit in turn (the best start is kept).

    Returns
    -------
    dict of str to float
        A cut per limit value (``inf`` / ``-inf`` when leaving it open is best). Ties go to
        the most lenient cut, so the fitted rule rejects no more than the labels require.
    """
    # Coordinate ascent depends on which limit is fitted first: start from each limit in turn
    # and keep the best fit (the first one on a tie).
    best: dict[str, float] = {}
    best_ba = -1.0
    for first in range(len(limits)):
        order = [*limits[first:], *limits[:first]]
        cuts = _coordinate_ascent(values, should_pass, limits, order)
        ba = balanced_accuracy(passes(values, cuts, limits), should_pass)
        if ba > best_ba + 1e-12:
            best, best_ba = cuts, ba
    return best


def _coordinate_ascent(
    values: Mapping[str, NDArray[np.float64]],
    should_pass: NDArray[np.bool_],
    limits: Sequence[Limit],
    order: Sequence[Limit],
) -> dict[str, float]:
    """Fit one limit at a time, in ``order``, from all-open, until no cut changes."""
    cuts: dict[str, float] = {}
    for _ in range(_ROUNDS if len(limits) > 1 else 1):
        changed = False
        for limit in order:
            best_cut, best_ba = cuts.get(limit.value), -1.0
            for cut in _candidates(values[limit.value], limit.side):
                trial = {**cuts, limit.value: float(cut)}
                ba = balanced_accuracy(passes(values, trial, limits), should_pass)
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


def cross_validate(
    values: Mapping[str, ArrayLike],
    should_pass: ArrayLike,
    limits: Sequence[Limit],
    *,
    k: int = 5,
    seed: int = 0,
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
        Seed of the fold assignment (default 0).

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
    folds = stratified_folds(truth, k, seed=seed)
    accepted = np.zeros(truth.size, dtype=bool)
    fold_cuts = []
    for fold in range(k):
        held = folds == fold
        if not held.any():
            continue
        train = {name: v[~held] for name, v in arrays.items()}
        cuts = fit_limits(train, truth[~held], limits)
        fold_cuts.append(cuts)
        accepted[held] = passes({name: v[held] for name, v in arrays.items()}, cuts, limits)
    cuts_all = fit_limits(arrays, truth, limits)
    frr = float((~accepted[truth]).mean()) if truth.any() else 0.0
    far = float(accepted[~truth].mean()) if (~truth).any() else 0.0
    return CrossValidated(
        positives=int(truth.sum()),
        negatives=int((~truth).sum()),
        frr=frr,
        far=far,
        balanced_accuracy=balanced_accuracy(accepted, truth),
        in_sample_balanced_accuracy=balanced_accuracy(passes(arrays, cuts_all, limits), truth),
        cuts=cuts_all,
        fold_cuts=fold_cuts,
    )


@dataclass(frozen=True)
class GroupFigures:
    """Cross-validated figures of one label group under one profile's rule shape.

    Attributes
    ----------
    group : str
        The label group (e.g. ``"pose"``, ``"eyes.open"``; see
        :data:`photocheck.evaluation.labels.LABEL_RULES`).
    params : dict of str to tuple of str
        ``"check:value" -> (check, profile parameter)`` for every limit that was fitted.
    result : CrossValidated
        The figures; ``result.cuts`` are keyed like ``params``.
    """

    group: str
    params: dict[str, tuple[str, str]]
    result: CrossValidated


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


def cross_validate_profile(
    rows: Sequence[Mapping[str, str]],
    measured: Sequence[Measurements | None],
    profile: Profile,
    *,
    k: int = 5,
    seed: int = 0,
) -> list[GroupFigures]:
    """Cross-validate every labelled group's limits, in the shape the profile gives them.

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
        Seed of the fold assignment (default 0).

    Returns
    -------
    list of GroupFigures
        One per label group with at least one labelled photo and one numeric limit. A photo
        that a check could not measure counts as rejected by that check.
    """
    from .labels import expected_outcomes, group_checks

    labels = [expected_outcomes(row) for row in rows]
    groups = sorted({g for lab in labels for g in lab})
    out = []
    for group in groups:
        limits = profile_limits(profile, group_checks(group))
        if not limits:
            continue
        keep = [i for i, lab in enumerate(labels) if group in lab]
        truth = np.array([labels[i][group] for i in keep])
        values: dict[str, NDArray[np.float64]] = {}
        params: dict[str, tuple[str, str]] = {}
        fitted: list[Limit] = []
        for check, name, param, side in limits:
            key = f"{check}:{param}"
            column = np.array([_value(measured[i], check, name) for i in keep])
            values[key] = np.where(np.isnan(column), np.inf if side == "max" else -np.inf, column)
            params[key] = (check, param)
            fitted.append(Limit(key, side))
        out.append(
            GroupFigures(group, params, cross_validate(values, truth, fitted, k=k, seed=seed))
        )
    return out


def _value(measurements: Measurements | None, check: str, name: str) -> float:
    if measurements is None or check not in measurements.by_check:
        return float("nan")
    value = measurements.by_check[check].values.get(name)
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else float("nan")
    )
