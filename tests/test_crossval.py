"""Cross-validated limits (photocheck.evaluation.crossval) on built data with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photocheck.evaluation.crossval import (
    MIN_SOURCES,
    GroupFigures,
    Limit,
    balanced_accuracy,
    cross_validate,
    fit_limits,
    grouped_folds,
    passes,
    stratified_folds,
)
from photocheck.evaluation.intervals import rate_intervals


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


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 12)), min_size=10, max_size=200),
    st.integers(2, 6),
)
def test_grouped_folds_keep_each_source_whole(photos: list[tuple[bool, int]], k: int) -> None:
    truth = np.array([t for t, _ in photos])
    sources = np.array([s for _, s in photos])
    folds = grouped_folds(truth, sources, k)
    assert folds.min() >= 0 and folds.max() < k
    for source in np.unique(sources):
        assert np.unique(folds[sources == source]).size == 1
    # with one photo per source, grouping is plain stratification up to a class's
    # rounding: no fold holds more than its share of a class plus one photo
    singles = grouped_folds(truth, np.arange(truth.size), k)
    for cls in (True, False):
        counts = np.bincount(singles[truth == cls], minlength=k)
        assert counts.max() <= int(np.ceil((truth == cls).sum() / k)) + 1


def test_intervals_are_seeded_hold_the_rate_and_narrow_with_more_photos() -> None:
    accepted = np.array([True] * 18 + [False] * 2 + [False] * 8 + [True] * 2)
    truth = np.array([True] * 20 + [False] * 10)
    a = rate_intervals(accepted, truth, seed=4)
    assert a == rate_intervals(accepted, truth, seed=4)
    assert a["frr"].low <= 0.1 <= a["frr"].high and a["far"].low <= 0.2 <= a["far"].high
    many = rate_intervals(np.repeat(accepted, 20), np.repeat(truth, 20), seed=4)
    assert many["far"].high - many["far"].low < (a["far"].high - a["far"].low) / 3
    # a 0-error class has a zero-width interval; an empty class has none
    assert rate_intervals(truth, truth)["frr"] == (0.0, 0.0)
    assert np.isnan(rate_intervals([True, True], [True, True])["far"].low)


def test_intervals_match_resampling_the_photos() -> None:
    # 12 of 40 compliant photos rejected: resampling the photos gives the binomial spread.
    truth = np.ones(40, dtype=bool)
    accepted = np.arange(40) >= 12
    rng = np.random.default_rng(0)
    resampled = (~accepted[rng.integers(0, 40, (4000, 40))]).mean(axis=1)
    low, high = rate_intervals(accepted, truth, resamples=4000)["frr"]
    assert low == pytest.approx(np.percentile(resampled, 2.5), abs=0.026)
    assert high == pytest.approx(np.percentile(resampled, 97.5), abs=0.026)


def test_equal_error_fit_balances_far_and_frr() -> None:
    rng = np.random.default_rng(5)
    values = {"v": np.concatenate([rng.normal(0, 1, 400), rng.normal(1.5, 1, 400)])}
    truth = np.array([True] * 400 + [False] * 400)
    cut = fit_limits(values, truth, [Limit("v", "max")], objective="equal_error")["v"]
    accepted = values["v"] <= cut
    frr, far = (~accepted[truth]).mean(), accepted[~truth].mean()
    assert abs(frr - far) < 0.01 and 0.6 < cut < 0.9


def test_unmeasured_photos_can_be_rejected_without_rejecting_measured_ones() -> None:
    # Every failing photo could not be measured (inf): a finite cut above every measured
    # value separates them, where the open limit would accept them.
    values = {"v": np.array([0.1, 0.5, 0.9, np.inf, np.inf])}
    truth = np.array([True, True, True, False, False])
    cut = fit_limits(values, truth, [Limit("v", "max")])["v"]
    assert 0.9 < cut < np.inf
    assert passes(values, {"v": cut}, [Limit("v", "max")]).tolist() == truth.tolist()


@pytest.mark.parametrize(
    ("sources", "flagged"),
    [(None, False), ((12, MIN_SOURCES), False), ((12, MIN_SOURCES - 1), True), ((1, 9), True)],
)
def test_grouped_figures_from_too_few_sources_are_flagged(sources, flagged):
    figures = GroupFigures("g", {}, result=None, sources=sources)  # type: ignore[arg-type]
    assert figures.too_few_sources is flagged
