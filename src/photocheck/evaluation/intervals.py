"""Bootstrap confidence intervals of error rates.

The photos are resampled with replacement within each class (compliant / non-compliant), so
every resample keeps the class counts and each rate stays defined. Resampling ``n`` photos of
which ``e`` are errors gives a binomial count ``Binomial(n, e / n)``, so the resamples are drawn
as binomial counts: the same distribution as resampling the photos, in one vectorised call.
Intervals are percentile intervals (2.5% and 97.5% of the resampled rates). They treat photos
as independent; photos from the same source are not, so the intervals are if anything narrow.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Interval", "rate_intervals"]


class Interval(NamedTuple):
    """A 95% interval of a rate: ``low <= high``, both in ``[0, 1]`` (NaN when undefined)."""

    low: float
    high: float


def rate_intervals(
    accepted: ArrayLike,
    should_pass: ArrayLike,
    *,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Interval]:
    """Return bootstrap intervals of FRR, FAR and balanced accuracy of these decisions.

    Parameters
    ----------
    accepted, should_pass : array_like of bool
        The decisions and the labels, one per photo.
    resamples : int, optional
        Bootstrap resamples (default 1000); 0 gives NaN intervals.
    seed : int, optional
        Seed of the resampling (default 0): the same inputs give the same intervals.
    level : float, optional
        Coverage (default 0.95).

    Returns
    -------
    dict of str to Interval
        ``frr`` (compliant photos rejected; lower is better), ``far`` (non-compliant photos
        accepted; lower is better) and ``balanced_accuracy`` (``1 - (FAR + FRR) / 2``; higher
        is better, 0.5 is chance). A class with no photos has a rate of 0 and a NaN interval.

    Examples
    --------
    >>> out = rate_intervals([True] * 18 + [False] * 2 + [False] * 9 + [True], [True] * 20 + [False] * 10)
    >>> out["frr"].low <= 0.1 <= out["frr"].high, out["far"].low <= 0.1 <= out["far"].high
    (True, True)
    """
    acc = np.asarray(accepted, dtype=bool)
    truth = np.asarray(should_pass, dtype=bool)
    rng = np.random.default_rng(seed)
    tail = (1.0 - level) / 2.0 * 100.0
    nan = Interval(float("nan"), float("nan"))

    def draws(errors: int, n: int) -> np.ndarray:
        if n == 0 or resamples <= 0:
            return np.full(max(resamples, 0), np.nan)
        return rng.binomial(n, errors / n, size=resamples) / n

    frr = draws(int((~acc[truth]).sum()), int(truth.sum()))
    far = draws(int(acc[~truth].sum()), int((~truth).sum()))
    # A missing class counts as perfectly judged in the balanced accuracy (as in
    # crossval.balanced_accuracy), so its resampled error is 0 there.
    ba = 1 - (np.nan_to_num(frr) + np.nan_to_num(far)) / 2
    out = {}
    for name, rates in (("frr", frr), ("far", far), ("balanced_accuracy", ba)):
        if rates.size == 0 or np.isnan(rates).all():
            out[name] = nan
            continue
        low, high = np.percentile(rates, [tail, 100.0 - tail])
        out[name] = Interval(float(low), float(high))
    return out
