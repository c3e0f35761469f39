"""How plain a background is: fine texture and patches of another colour, gradients forgiven.

A plain backdrop may be lit unevenly: a smooth gradient or vignette is still plain. Both
measures therefore compare each pixel with a smooth model of the background rather than
with one colour:

* ``texture`` compares a pixel with the mean of its neighbourhood, a square about as wide as
  the inter-eye distance, so texture is judged at the same scale on a small and a large
  face, whatever the photo's size;
* ``patches`` compares it with a plane fitted to the background colour (robustly, so that
  objects do not pull the plane), so a gradient across the frame costs nothing but a
  poster, a door or a second colour does.

The region may be soft: each pixel counts with a weight in 0-1 (the chance that it is
background), and both measures are weighted shares. A pixel the person mask is unsure of
then counts in part instead of all or nothing, so a value moves a little, not by a whole
blob, when the mask does.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["Plainness", "plainness"]

# Neighbourhood of the texture measure: a square this share of the feature size (the
# inter-eye distance) wide, at least 3 px (a box filter costs the same at any width).
TEXTURE_WINDOW = 0.85
# CIELAB distances (delta E 76) beyond which a pixel counts as texture / as another colour,
# chosen on the development photos from a grid (2-3 and 12-20; neighbouring values separate
# plain from busy within a few photos as well): 2.5 is just above camera noise on a plain wall
# at this resolution, 15 a clearly different colour.
TEXTURE_DELTA_E = 2.5
PATCH_DELTA_E = 15.0
# Plane fit: refit this many times on the half of the pixels nearest the previous plane.
_REFITS = 2


class Plainness(NamedTuple):
    """How plain a background region is (see :func:`plainness`).

    Attributes
    ----------
    texture : float
        Share of the region (by weight) more than ``TEXTURE_DELTA_E`` from the mean colour
        of its neighbourhood (0-1, 0 is smooth; texture, print, clutter and noise raise it).
    patches : float
        Share of the region (by weight) more than ``PATCH_DELTA_E`` from the region's fitted
        colour plane (0-1, 0 is one colour or a smooth gradient; objects, a second wall
        colour or a dark doorway raise it).
    """

    texture: float
    patches: float


def plainness(
    lab: NDArray[np.float32],
    weight: NDArray[np.bool_] | NDArray[np.floating[Any]],
    *,
    feature_size: float,
) -> Plainness:
    """Measure the texture and off-colour patches of a region, forgiving smooth gradients.

    Parameters
    ----------
    lab : ndarray of float32, shape (H, W, 3)
        The image in CIELAB (:func:`photocheck.imaging.colour.to_lab`).
    weight : ndarray of bool or float, shape (H, W)
        The region (the background): how much each pixel counts, 0-1 (a bool mask: in or
        out). Pixels of weight 0 do not enter any statistic.
    feature_size : float
        The inter-eye distance in this image's pixels; the texture neighbourhood is a square
        ``TEXTURE_WINDOW`` times as wide (odd, at least 3 px).

    Returns
    -------
    Plainness
        ``texture`` and ``patches``, weighted shares of the region in 0-1; higher is busier.
        A bool mask gives the plain shares of its pixels.

    Raises
    ------
    ValueError
        When the region is empty (no pixel of positive weight).

    Examples
    --------
    >>> import numpy as np
    >>> from photocheck.imaging.colour import to_lab
    >>> ramp = np.linspace(150, 230, 80).astype(np.uint8)  # a smooth left-right gradient
    >>> wall = np.repeat(np.repeat(ramp[None, :, None], 60, axis=0), 3, axis=2)
    >>> plainness(to_lab(wall), np.ones((60, 80), bool), feature_size=20.0)
    Plainness(texture=0.0, patches=0.0)
    """
    weights = np.clip(np.asarray(weight, dtype=np.float32), 0.0, 1.0)
    region = weights > 0
    if not region.any():
        raise ValueError("the region is empty")
    return Plainness(
        texture=_texture(lab, weights, region, feature_size),
        patches=_patches(lab, weights, region),
    )


def _texture(
    lab: NDArray[np.float32],
    weights: NDArray[np.float32],
    region: NDArray[np.bool_],
    feature_size: float,
) -> float:
    """Weighted share of pixels far from their neighbourhood's mean colour, taken in the region."""
    import cv2

    side = max(3, round(TEXTURE_WINDOW * feature_size) | 1)
    # Normalised convolution: the weighted neighbourhood mean of the region's pixels only, so
    # the person's edge does not bleed into the background next to it.
    total = cv2.boxFilter(lab * weights[:, :, None], -1, (side, side))
    share = cv2.boxFilter(weights, -1, (side, side))
    difference = lab - total / np.maximum(share, 1e-6)[:, :, None]
    squared = np.einsum("ijk,ijk->ij", difference, difference)
    # The region's outermost pixels sit on the mask's edge (hair, a fill bar): left out.
    inner = cv2.erode(region.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if np.count_nonzero(inner) < 20:
        inner = region
    counted = weights[inner].astype(np.float64)
    return float(_sum_where(counted, squared[inner] > TEXTURE_DELTA_E**2) / counted.sum())


def _patches(
    lab: NDArray[np.float32], weights: NDArray[np.float32], region: NDArray[np.bool_]
) -> float:
    """Weighted share of pixels far from a robustly fitted plane of the region's colour."""
    # Every pixel of the region, not every other row and column: such a sample takes the other
    # half of the columns in a mirror image (for an even width) and the other pixels after a
    # 2 px crop, and the fit on a two-coloured background can tip with the sample (up to 0.06
    # on a development photo; the 90th percentile change under a crop or resize halves).
    h, w = region.shape
    index = np.flatnonzero(region)
    ys, xs = np.divmod(index, w)
    design = np.column_stack([np.ones(index.size), xs / w - 0.5, ys / h - 0.5])
    colours = np.take(lab.reshape(-1, 3), index, axis=0).astype(np.float64)
    counts = np.take(weights.reshape(-1), index).astype(np.float64)
    a, b, c = design, colours, counts  # the first fit takes every pixel
    for fit in range(_REFITS + 1):
        # Weighted least squares by the normal equations: a 3 x 3 system, whatever the size.
        weighted = a.T * c
        coef = np.linalg.solve(weighted @ a + 1e-9 * np.eye(3), weighted @ b)
        residual = colours - design @ coef
        squared = np.einsum("ij,ij->i", residual, residual)
        if fit < _REFITS:
            chosen = squared <= _weighted_median(squared, counts)
            a, b = design.compress(chosen, axis=0), colours.compress(chosen, axis=0)  # [chosen]
            c = counts.compress(chosen)
    return float(_sum_where(counts, squared > PATCH_DELTA_E**2) / counts.sum())


def _weighted_median(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """Return the value at and below which half the weight lies (``np.median`` for equal weights).

    The weights must be positive. The value is that of the first pixel, in the stable sort
    order of ``values``, whose running sum of weights (``np.cumsum``) reaches half their sum:
    what :func:`_weighted_median_by_sort` returns, found here without sorting every value. A
    candidate is kept when the weight strictly below it is less than half the sum and the
    weight at or below it more, both by ``8 n eps`` of the sum: a sum of ``n`` positive terms,
    in any order, is off by at most about ``n eps`` of itself (the sort's running sums and
    total, and the sums here), so the sort's running sum also reaches half its total within
    the candidate's run of equal values. Otherwise the sort decides.
    """
    if np.all(weights == weights[0]):
        return float(np.median(values))  # a bool region: the plain median, in linear time
    total = float(weights.sum())
    half = 0.5 * total
    candidate = _weighted_median_candidate(values, weights, total)
    if candidate is not None:
        slack = 8.0 * values.size * np.finfo(np.float64).eps * total
        below = _sum_where(weights, values < candidate)
        upto = _sum_where(weights, values <= candidate)
        if below < half - slack and upto > half + slack:
            return candidate
    return _weighted_median_by_sort(values, weights)


def _weighted_median_candidate(
    values: NDArray[np.float64], weights: NDArray[np.float64], total: float
) -> float | None:
    """Find the weighted median by sorting only the values at the ranks it can take.

    With weights in (0, 1] summing to ``total`` (``S``), ``D = n - S`` short of one each in
    all, the median's rank ``k`` (0-based, ascending) has at least half the sum in ranks
    ``0..k`` (so ``k >= S/2 - 1``) and less in ranks ``0..k-1`` (so ``k < S/2 + D``). Returns
    None when the rounded sums find no value there (the caller then sorts everything).
    """
    n = values.size
    half = 0.5 * total
    first = min(n - 1, max(0, int(half) - 2))
    last = min(n - 1, max(first, int(half + (n - total)) + 2))
    # Two partitions of one rank each: NumPy's partition at two ranks at once is far slower.
    lower = np.partition(values, first)
    low = lower[first]
    high = np.partition(lower[first:], last - first)[last - first]
    band = (values >= low) & (values <= high)
    band_values, band_weights = values[band], weights[band]
    order = np.argsort(band_values, kind="stable")
    running = _sum_where(weights, values < low) + np.cumsum(band_weights[order])
    at = int(np.searchsorted(running, half))
    return float(band_values[order[at]]) if at < order.size else None


def _weighted_median_by_sort(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """Return the weighted median by a stable sort of every value and the running sum."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order[np.searchsorted(cumulative, 0.5 * cumulative[-1])]])


def _sum_where(weights: NDArray[np.float64], where: NDArray[np.bool_]) -> float:
    """Return the sum of ``weights`` where ``where`` holds, without BLAS.

    ``np.dot`` hands more than 10,000 values to OpenBLAS, which splits them between its
    threads: waking them costs milliseconds on a busy machine, and the split depends on the
    core count. Here the weights are multiples of ``2**-24`` (float32 values of ``1 -``
    a float32 chance, or bools) and the sums exact in float64 whatever their order.
    """
    return float(np.einsum("i,i->", weights, where))
