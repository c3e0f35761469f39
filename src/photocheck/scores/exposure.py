"""Luminance statistics of a region: mean level, clipped fractions, dynamic range."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["DynamicRange", "LuminanceStats", "dynamic_range", "luminance_stats"]


class LuminanceStats(NamedTuple):
    """Mean level and clipped fractions of a grey region (see :func:`luminance_stats`).

    Attributes
    ----------
    mean : float
        Mean grey level (0-255, higher is brighter).
    dark_fraction : float
        Share of pixels at or below the dark level (0-1, higher is worse).
    bright_fraction : float
        Share of pixels at or above the bright level (0-1, higher is worse).
    """

    mean: float
    dark_fraction: float
    bright_fraction: float


class DynamicRange(NamedTuple):
    """Spread of the grey levels of a region (see :func:`dynamic_range`).

    Attributes
    ----------
    range : float
        95th minus 5th percentile level divided by 255 (0-1, higher is more contrast).
    entropy : float
        Shannon entropy of the 256-bin histogram in bits (0-8, higher is more levels).
    """

    range: float
    entropy: float


def _pixels(grey: NDArray[np.generic], mask: NDArray[np.bool_] | None) -> NDArray[np.float64]:
    values = np.asarray(grey)
    if mask is not None:
        values = values[mask]
    values = values.astype(np.float64).ravel()
    if values.size == 0:
        raise ValueError("the region is empty")
    return values


def luminance_stats(
    grey: NDArray[np.generic],
    mask: NDArray[np.bool_] | None = None,
    *,
    dark_level: float = 25.0,
    bright_level: float = 247.0,
) -> LuminanceStats:
    """Return the mean level and the clipped fractions of a grey region (0-255 scale).

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Grey levels on a 0-255 scale.
    mask : ndarray of bool, optional
        The region (default: the whole image).
    dark_level, bright_level : float, optional
        Levels at or below / at or above which a pixel counts as under / over-exposed
        (OFIQ's UnderExposurePrevention and OverExposurePrevention use 25 and 247).

    Returns
    -------
    LuminanceStats
        ``mean`` (0-255, higher is brighter), ``dark_fraction`` and ``bright_fraction``
        (0-1, higher is worse).

    Examples
    --------
    >>> import numpy as np
    >>> luminance_stats(np.array([[0, 128], [250, 128]]))
    LuminanceStats(mean=126.5, dark_fraction=0.25, bright_fraction=0.25)
    """
    values = _pixels(grey, mask)
    return LuminanceStats(
        mean=float(values.mean()),
        dark_fraction=float((values <= dark_level).mean()),
        bright_fraction=float((values >= bright_level).mean()),
    )


def dynamic_range(grey: NDArray[np.generic], mask: NDArray[np.bool_] | None = None) -> DynamicRange:
    """Return the spread of grey levels in a region.

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Grey levels on a 0-255 scale.
    mask : ndarray of bool, optional
        The region (default: the whole image).

    Returns
    -------
    DynamicRange
        ``range``: 95th minus 5th percentile level divided by 255 (0-1, higher is more
        contrast); ``entropy``: Shannon entropy of the 256-bin histogram in bits (0-8, as
        OFIQ's DynamicRange measure).

    Examples
    --------
    >>> import numpy as np
    >>> dynamic_range(np.full((8, 8), 100))
    DynamicRange(range=0.0, entropy=0.0)
    """
    values = _pixels(grey, mask)
    low, high = np.percentile(values, [5.0, 95.0])
    hist = np.bincount(np.clip(values, 0, 255).astype(np.int64), minlength=256).astype(np.float64)
    p = hist[hist > 0] / values.size
    entropy = float(-(p * np.log2(p)).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0
    return DynamicRange(range=float((high - low) / 255.0), entropy=entropy)
