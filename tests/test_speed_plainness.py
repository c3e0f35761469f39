"""The plane fit's weighted median: the fast search gives what the full stable sort gives."""

from __future__ import annotations

import numpy as np
import pytest

from photocheck.scores import plainness


def _by_sort(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted median as plainness computed it before: np.median for equal weights."""
    if np.all(weights == weights[0]):
        return float(np.median(values))
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order[np.searchsorted(cumulative, 0.5 * cumulative[-1])]])


def _values(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    if kind == "continuous":
        return rng.exponential(size=n) ** 3
    if kind == "few levels":  # many ties, as squared residuals of a flat wall have
        return rng.integers(0, 4, n).astype(np.float64) * 0.1
    return np.round(rng.random(n), 2)


def _weights(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    if kind == "mostly one":  # a background far from the person, a few soft pixels
        soft = rng.random(n).astype(np.float32).astype(np.float64)
        return np.where(rng.random(n) < 0.9, 1.0, np.maximum(soft, 1e-3))
    if kind == "soft":
        return np.maximum(rng.random(n).astype(np.float32).astype(np.float64), 1e-3)
    return rng.integers(1, 5, n) / 4.0  # exact sums: half the weight can fall on a boundary


@pytest.mark.parametrize("value_kind", ["continuous", "few levels", "rounded"])
@pytest.mark.parametrize("weight_kind", ["mostly one", "soft", "quarters"])
def test_weighted_median_is_the_stable_sorts(value_kind: str, weight_kind: str) -> None:
    rng = np.random.default_rng(0)
    for n in [1, 2, 3, 5, 40, 400, 5000]:
        for _ in range(30 if n < 5000 else 3):
            values = _values(rng, value_kind, n)
            weights = _weights(rng, weight_kind, n)
            assert plainness._weighted_median(values, weights) == _by_sort(values, weights)


def test_a_half_on_a_boundary_is_left_to_the_sort() -> None:
    # Sorted, the running sum of weights is 1, 1.5, 2.5, 3: it reaches half the sum (1.5)
    # exactly at the value 1.0, where only the sort's own rounding can say which value is the
    # median, so the sort is asked.
    values = np.array([3.0, 0.0, 1.0, 2.0])
    weights = np.array([0.5, 1.0, 0.5, 1.0])
    assert plainness._weighted_median(values, weights) == _by_sort(values, weights) == 1.0
    calls: list[int] = []
    original = plainness._weighted_median_by_sort

    def counted(v: np.ndarray, w: np.ndarray) -> float:
        calls.append(v.size)
        return original(v, w)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plainness, "_weighted_median_by_sort", counted)
        assert plainness._weighted_median(values, weights) == 1.0
    assert calls == [4]


def test_far_from_a_boundary_no_sort_of_every_value_is_needed() -> None:
    rng = np.random.default_rng(1)
    values = rng.random(20_000)
    weights = np.where(rng.random(20_000) < 0.99, 1.0, 0.25)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plainness, "_weighted_median_by_sort", None)  # would raise if called
        found = plainness._weighted_median(values, weights)
    assert found == _by_sort(values, weights)
