"""photocheck.scores.stats: the same bits as NumPy's median and einsum, on region-like data."""

from __future__ import annotations

import numpy as np
import pytest

from photocheck.scores.stats import medians, squared_lengths


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 3, 12, 13, 400, 401])
def test_medians_equal_numpy_bit_for_bit(dtype: type[np.floating], n: int) -> None:
    rng = np.random.default_rng(n)
    # CIELAB-like pixels, with ties (rounded values) as 8-bit conversions give.
    pixels = np.round(rng.normal(50.0, 30.0, (n, 3)), 1).astype(dtype)
    expected = np.median(pixels, axis=0)
    got = medians(pixels)
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected)
    rows = np.ascontiguousarray(pixels.T)  # one row per channel, as distances per reference
    assert np.array_equal(medians(rows, axis=1), np.median(rows, axis=1))
    assert medians(pixels[:, 0]) == np.median(pixels[:, 0])


def test_medians_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        medians(np.zeros((0, 3), np.float32))


def test_squared_lengths_equal_einsum_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    diff = (rng.normal(0.0, 40.0, (5000, 3)) * rng.uniform(0.01, 10.0, (5000, 1))).astype(
        np.float32
    )
    assert np.array_equal(squared_lengths(diff), np.einsum("nc,nc->n", diff, diff))
    stacked = np.stack([diff.T, -diff.T[:, ::-1]])  # (2, 3, N): channels on axis 1
    expected = np.einsum("rcn,rcn->rn", stacked, stacked)
    assert np.array_equal(squared_lengths(stacked, axis=1), expected)


def test_squared_lengths_needs_three_components() -> None:
    with pytest.raises(ValueError, match="3 components"):
        squared_lengths(np.zeros((4, 2), np.float32))
