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
"""

from __future__ import annotations

from typing import NamedTuple

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
        Share of the region's pixels more than ``TEXTURE_DELTA_E`` from the mean colour of
        their neighbourhood (0-1, 0 is smooth; texture, print, clutter and noise raise it).
    patches : float
        Share of the region's pixels more than ``PATCH_DELTA_E`` from the region's fitted
        colour plane (0-1, 0 is one colour or a smooth gradient; objects, a second wall
        colour or a dark doorway raise it).
    """

    texture: float
    patches: float


def plainness(
    lab: NDArray[np.float32], mask: NDArray[np.bool_], *, feature_size: float
) -> Plainness:
    """Measure the texture and off-colour patches of a region, forgiving smooth gradients.

    Parameters
    ----------
    lab : ndarray of float32, shape (H, W, 3)
        The image in CIELAB (:func:`photocheck.imaging.colour.to_lab`).
    mask : ndarray of bool, shape (H, W)
        The region (the background): pixels outside it do not enter any statistic.
    feature_size : float
        The inter-eye distance in this image's pixels; the texture neighbourhood is a square
        ``TEXTURE_WINDOW`` times as wide (odd, at least 3 px).

    Returns
    -------
    Plainness
        ``texture`` and ``patches``, shares of the region in 0-1; higher is busier.

    Raises
    ------
    ValueError
        When the region is empty.

    Examples
    --------
    >>> import numpy as np
    >>> from photocheck.imaging.colour import to_lab
    >>> ramp = np.linspace(150, 230, 80).astype(np.uint8)  # a smooth left-right gradient
    >>> wall = np.repeat(np.repeat(ramp[None, :, None], 60, axis=0), 3, axis=2)
    >>> plainness(to_lab(wall), np.ones((60, 80), bool), feature_size=20.0)
    Plainness(texture=0.0, patches=0.0)
    """
    if not mask.any():
        raise ValueError("the region is empty")
    return Plainness(texture=_texture(lab, mask, feature_size), patches=_patches(lab, mask))


def _texture(lab: NDArray[np.float32], mask: NDArray[np.bool_], feature_size: float) -> float:
    """Share of pixels far from their neighbourhood's mean colour, the mean taken inside the mask."""
    import cv2

    side = max(3, round(TEXTURE_WINDOW * feature_size) | 1)
    weight = mask.astype(np.float32)
    # Normalised convolution: the neighbourhood mean of the region's pixels only, so the
    # person's edge does not bleed into the background next to it.
    total = cv2.boxFilter(lab * weight[:, :, None], -1, (side, side))
    share = cv2.boxFilter(weight, -1, (side, side))
    difference = lab - total / np.maximum(share, 1e-6)[:, :, None]
    squared = np.einsum("ijk,ijk->ij", difference, difference)
    # The region's outermost pixels sit on the mask's edge (hair, a fill bar): left out.
    inner = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if np.count_nonzero(inner) < 20:
        inner = mask
    return float(np.mean(squared[inner] > TEXTURE_DELTA_E**2))


def _patches(lab: NDArray[np.float32], mask: NDArray[np.bool_]) -> float:
    """Share of pixels far from a robustly fitted plane of the region's colour."""
    # Every pixel of the region, not every other row and column: such a sample takes the other
    # half of the columns in a mirror image (for an even width) and the other pixels after a
    # 2 px crop, and the fit on a two-coloured background can tip with the sample (up to 0.06
    # on a development photo; the 90th percentile change under a crop or resize halves).
    h, w = mask.shape
    index = np.flatnonzero(mask)
    ys, xs = np.divmod(index, w)
    design = np.column_stack([np.ones(index.size), xs / w - 0.5, ys / h - 0.5])
    colours = np.take(lab.reshape(-1, 3), index, axis=0).astype(np.float64)
    a, b = design, colours  # the first fit takes every pixel
    for fit in range(_REFITS + 1):
        # Least squares by the normal equations: a 3 x 3 system, whatever the region's size.
        coef = np.linalg.solve(a.T @ a + 1e-9 * np.eye(3), a.T @ b)
        residual = colours - design @ coef
        squared = np.einsum("ij,ij->i", residual, residual)
        if fit < _REFITS:
            chosen = squared <= np.median(squared)
            a, b = design.compress(chosen, axis=0), colours.compress(chosen, axis=0)  # [chosen]
    return float(np.mean(squared > PATCH_DELTA_E**2))
