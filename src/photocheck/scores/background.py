"""Background scores: texture and colour spread of a region, and its colour class."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..imaging.colour import to_lab
from .stats import masked, medians

__all__ = ["BackgroundColour", "Uniformity", "background_colour", "colour_class", "uniformity"]

# Colour classes on CIELAB (L* 0-100, a*, b* about -128..127).
WHITE_MIN_L = 80.0
GREY_MIN_L = 55.0
NEUTRAL_MAX_CHROMA = 12.0
BLUE_MAX_B = -12.0


class Uniformity(NamedTuple):
    """How plain a region is (see :func:`uniformity`).

    Attributes
    ----------
    edge_density : float
        Share of the region's pixels with a luminance gradient above 4 L* units per pixel
        (0-1, higher is busier).
    colour_spread : float
        90th percentile of the CIELAB distance (delta E 76) from the region's median colour
        (0 upwards, higher is less uniform; strong gradients and objects raise it).
    """

    edge_density: float
    colour_spread: float


class BackgroundColour(NamedTuple):
    """The median CIELAB colour of a region and its class (see :func:`background_colour`).

    Attributes
    ----------
    lightness : float
        Median L* (0-100, higher is lighter).
    a, b : float
        Median a* (green - / red +) and b* (blue - / yellow +), 0 for greys.
    chroma : float
        ``hypot(a, b)`` (0 upwards, 0 is neutral).
    colour : str
        ``"white"``, ``"light_grey"``, ``"blue"`` or ``"other"`` (see :func:`colour_class`).
    """

    lightness: float
    a: float
    b: float
    chroma: float
    colour: str


def uniformity(
    rgb: NDArray[np.uint8], mask: NDArray[np.bool_], *, lab: NDArray[np.float32] | None = None
) -> Uniformity:
    """Return how plain a region is: edge density and colour spread.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (a reduced copy is fine: about 200 px wide is what the check uses).
    mask : ndarray of bool, shape (H, W)
        The region to score.
    lab : ndarray of float32, shape (H, W, 3), optional
        :func:`photocheck.imaging.colour.to_lab` of ``rgb`` when the caller already has it.

    Returns
    -------
    Uniformity
        ``edge_density`` (0-1, higher is busier) and ``colour_spread`` (delta E, 0 upwards,
        higher is less uniform).

    Examples
    --------
    >>> import numpy as np
    >>> plain = np.full((40, 40, 3), 240, dtype=np.uint8)
    >>> uniformity(plain, np.ones((40, 40), bool))
    Uniformity(edge_density=0.0, colour_spread=0.0)
    """
    import cv2

    if not mask.any():
        raise ValueError("the region is empty")
    lab = to_lab(rgb) if lab is None else lab
    lightness = lab[:, :, 0]
    gx = cv2.Sobel(lightness, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(lightness, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    inner = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if not inner.any():
        inner = mask
    magnitude = np.hypot(gx[inner], gy[inner])
    pixels = lab[mask]
    median = np.median(pixels, axis=0)
    spread = np.sqrt(((pixels - median) ** 2).sum(axis=1))
    return Uniformity(
        edge_density=float((magnitude > 4.0).mean()),
        colour_spread=float(np.percentile(spread, 90.0)),
    )


def background_colour(
    rgb: NDArray[np.uint8], mask: NDArray[np.bool_], *, lab: NDArray[np.float32] | None = None
) -> BackgroundColour:
    """Return the median CIELAB colour of a region and its colour class.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image.
    mask : ndarray of bool, shape (H, W)
        The region (the background).
    lab : ndarray of float32, shape (H, W, 3), optional
        :func:`photocheck.imaging.colour.to_lab` of ``rgb`` when the caller already has it.

    Returns
    -------
    BackgroundColour
        ``lightness`` (L*, 0-100), ``a``, ``b`` (CIELAB), ``chroma`` and ``colour`` (one of
        ``"white"``, ``"light_grey"``, ``"blue"``, ``"other"``; see :func:`colour_class`).
    """
    if not mask.any():
        raise ValueError("the region is empty")
    lab = to_lab(rgb) if lab is None else lab
    lightness, a, b = (float(v) for v in medians(masked(lab, mask)))
    chroma = float(np.hypot(a, b))
    return BackgroundColour(lightness, a, b, chroma, colour_class(lightness, a, b))


def colour_class(lightness: float, a: float, b: float) -> str:
    """Name the colour class of a CIELAB colour.

    Parameters
    ----------
    lightness, a, b : float
        CIELAB L* (0-100), a* and b*.

    Returns
    -------
    str
        ``"white"`` (L* >= 80, chroma <= 12), ``"light_grey"`` (L* 55-80, chroma <= 12),
        ``"blue"`` (b* <= -12 and b* clearly below a*: sky to royal blue), else ``"other"``.

    Examples
    --------
    >>> colour_class(95.0, 0.0, 1.0), colour_class(60.0, -5.0, -40.0)
    ('white', 'blue')
    """
    chroma = float(np.hypot(a, b))
    if chroma <= NEUTRAL_MAX_CHROMA:
        if lightness >= WHITE_MIN_L:
            return "white"
        if lightness >= GREY_MIN_L:
            return "light_grey"
        return "other"
    if b <= BLUE_MAX_B and b < -abs(a) * 0.8:
        return "blue"
    return "other"
