"""Cross-validated limits (photocheck.evaluation.crossval) on built data with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photocheck.evaluation.crossval import (
    Limit,
    balanced_accuracy,
    cross_validate,
    fit_limits,
    passes,
    stratified_folds,
)


def test_separable_values_are_judged_perfectly_out_of_sample() -> None:
    rng = np.random.default_rng(1)
    good = rng.uniform(0.0, 1.0, 60)
    bad = rng.uniform(2.0, 3.0, 20)
    values = {"v": np.concatenate([good, bad])}
    truth = np.array([True] * 60 + [False] * 20)
    cv = cross_validate(values, truth, [Limit("v", "max")])
    assert (cv.positives, cv.negatives) == (60, 20)
    assert cv.balanced_accuracy == 1.0 and cv.frr == 0.0 and cv.far == 0.0
    assert 1.0 < cv.cuts["v"] < 2.0
    assert len(cv.fold_cuts) == 5


def test_labels_unrelated_to_the_value_give_chance_out_of_sample_but_not_in_sample() -> None:
    rng = np.random.default_rng(7)
    values = {"v": rng.normal(size=400)}
    truth = rng.random(400) < 0.5
    cv = cross_validate(values, truth, [Limit("v", "min")])
    assert abs(cv.balanced_accuracy - 0.5) < 0.08
    assert cv.in_sample_balanced_accuracy > cv.balanced_accuracy


def test_a_min_limit_passes_high_values() -> None:
    values = {"v": np.array([0.05, 0.06, 0.2, 0.25, 0.3])}
    truth = np.array([False, False, True, True, True])
    cuts = fit_limits(values, truth, [Limit("v", "min")])
    assert 0.06 < cuts["v"] < 0.2
    assert passes(values, cuts, [Limit("v", "min")]).tolist() == truth.tolist()


def test_ties_keep_the_most_lenient_cut() -> None:
    # Every cut between 0.2 and 0.9 separates perfectly; the lenient one for a maximum is the
    # highest, just under the first failing value.
    values = {"v": np.array([0.1, 0.2, 0.9, 1.0])}
    truth = np.array([True, True, False, False])
    assert fit_limits(values, truth, [Limit("v", "max")])["v"] == pytest.approx(0.55)


def test_two_limits_are_fitted_together() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0, 10, 300), rng.uniform(0, 10, 300)
    truth = (a <= 6) & (b >= 3)
    limits = [Limit("a", "max"), Limit("b", "min")]
    cuts = fit_limits({"a": a, "b": b}, truth, limits)
    assert 5.8 < cuts["a"] < 6.2 and 2.8 < cuts["b"] < 3.2


def test_missing_values_are_left_out() -> None:
    values = {"v": np.array([0.1, np.nan, 0.2, 0.9, 1.0])}
    truth = np.array([True, False, True, False, False])
    cv = cross_validate(values, truth, [Limit("v", "max")], k=2)
    assert (cv.positives, cv.negatives) == (2, 2)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.booleans(), min_size=10, max_size=200), st.integers(2, 6))
def test_folds_spread_each_class_evenly(labels: list[bool], k: int) -> None:
    truth = np.array(labels)
    folds = stratified_folds(truth, k)
    for cls in (True, False):
        counts = np.bincount(folds[truth == cls], minlength=k)
        assert counts.max() - counts.min() <= 1


def test_balanced_accuracy_weighs_classes_equally() -> None:
    accepted = np.array([True] * 90 + [False] * 10)
    truth = np.array([True] * 90 + [False] * 10)
    assert balanced_accuracy(accepted, truth) == 1.0
    assert balanced_accuracy(np.ones(100, dtype=bool), truth) == 0.5
