"""Colour scores: the CIELAB colour of the skin, and red pupils.

References
----------
.. [1] ISO/IEC 29794-5 measure "natural colour"; OFIQ
   ``OFIQlib/modules/measures/src/NaturalColour.cpp``: mean a* and b* of the two cheek
   zones, raw score the distance from the box a* in [5, 25], b* in [5, 35].
.. [2] ISO/IEC 19794-5 clause 7.3.4 and ICAO 9303 part 3: natural skin tones, no colour cast,
   no red eye; the BioLab-ICAO tests "unnatural skin tone" and "red eyes".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..imaging.colour import to_lab

__all__ = [
    "NATURAL_A",
    "NATURAL_B",
    "EyeWhite",
    "SkinColour",
    "eye_white",
    "red_eye",
    "red_eye_shares",
    "red_pixels",
    "red_weights",
    "skin_colour",
]

# The natural skin box of ISO/IEC 29794-5 / OFIQ (CIELAB a*, b*).
NATURAL_A = (5.0, 25.0)
NATURAL_B = (5.0, 35.0)


class SkinColour(NamedTuple):
    """The mean CIELAB colour of a skin region (see :func:`skin_colour`).

    Attributes
    ----------
    a : float
        Mean a* (green - / red +; natural skin about 5 to 25).
    b : float
        Mean b* (blue - / yellow +; natural skin about 5 to 35).
    chroma : float
        ``hypot(a, b)`` (0 up, 0 is grey: a black-and-white photo scores below about 3).
    hue : float
        CIELAB hue angle ``atan2(b, a)`` in degrees (-180 to 180; skin of every complexion
        lies near 35-65, a blue cast lowers it, a green cast raises it).
    distance : float
        CIELAB distance of (a, b) from the natural box (0 up, 0 is natural, higher is a
        stronger cast).
    """

    a: float
    b: float
    chroma: float
    hue: float
    distance: float


class EyeWhite(NamedTuple):
    """The mean CIELAB colour of the whites of the eyes (see :func:`eye_white`).

    Attributes
    ----------
    a : float
        Mean a* (green - / red +, higher is redder).
    b : float
        Mean b* (natural whites about -2 to +18; lower is bluer: a blue cast of half a stop
        brings them to about -5 to -30).
    lightness : float
        Mean L* (0-100, higher is lighter).
    """

    a: float
    b: float
    lightness: float


def skin_colour(rgb: NDArray[np.uint8], mask: NDArray[np.bool_]) -> SkinColour:
    """Return the mean CIELAB colour of a skin region and its distance from natural skin.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (sRGB).
    mask : ndarray of bool, shape (H, W)
        The skin region (OFIQ uses the two cheek zones, see
        :func:`photocheck.scores.lighting.cheek_zones`).

    Returns
    -------
    SkinColour
        ``a``: mean a* (green - / red +, natural skin about 5 to 25); ``b``: mean b*
        (blue - / yellow +, natural skin about 5 to 35); ``chroma``: ``hypot(a, b)`` (0 up,
        0 is grey: a black-and-white photo scores below about 3); ``hue``: the CIELAB hue
        angle ``atan2(b, a)`` in degrees (-180 to 180; skin of every complexion lies near
        35-65, a blue cast lowers it, a green cast raises it); ``distance``: CIELAB
        distance of (a, b) from the natural box [5, 25] x [5, 35] (0 up, 0 is natural, higher
        is a stronger cast; OFIQ's raw NaturalColour score, which is 100 when a or b is
        negative).

    Raises
    ------
    ValueError
        When the mask is empty.

    Examples
    --------
    >>> import numpy as np
    >>> skin = np.zeros((4, 4, 3), np.uint8); skin[:] = (224, 172, 140)
    >>> out = skin_colour(skin, np.ones((4, 4), bool))
    >>> round(out.a), round(out.b), out.distance
    (15, 24, 0.0)
    >>> grey = skin_colour(np.full((4, 4, 3), 128, np.uint8), np.ones((4, 4), bool))
    >>> round(grey.chroma, 3), round(grey.distance, 3)
    (0.0, 7.071)
    """
    import cv2

    region = np.asarray(mask, dtype=bool)
    if not region.any():
        raise ValueError("the skin region is empty")
    # One conversion of the image and a masked mean (pass a crop around the region).
    _, a, b, _ = cv2.mean(to_lab(rgb), mask=region.view(np.uint8))
    da = max(NATURAL_A[0] - a, a - NATURAL_A[1], 0.0)
    db = max(NATURAL_B[0] - b, b - NATURAL_B[1], 0.0)
    return SkinColour(
        a=a,
        b=b,
        chroma=math.hypot(a, b),
        hue=math.degrees(math.atan2(b, a)),
        distance=math.hypot(da, db),
    )


def eye_white(rgb: NDArray[np.uint8], mask: NDArray[np.bool_], *, share: float = 0.25) -> EyeWhite:
    """Return the CIELAB colour of the whites of the eyes: the brightest pixels of the openings.

    The whites of the eyes are close to neutral (slightly yellow or red) under white light,
    whatever the complexion, so a colour cast of the whole photo shows on them: a blue cast
    moves their b* well below 0, where skin alone cannot tell a cool complexion from a cast.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (sRGB).
    mask : ndarray of bool, shape (H, W)
        The eye openings (e.g. the polygons of landmarks 36-41 and 42-47).
    share : float, optional
        Share of the brightest pixels (by luma) taken as the whites (0-1).

    Returns
    -------
    EyeWhite
        ``a``: mean a* of the whites; ``b``: mean b* (natural whites about -2 to +18 here;
        a blue cast of half a stop brings them to about -5 to -30; lower is bluer);
        ``lightness``: their mean L* (0-100).

    Raises
    ------
    ValueError
        When the mask is empty.

    Examples
    --------
    >>> import numpy as np
    >>> eye = np.full((8, 16, 3), (90, 60, 40), np.uint8)  # a brown iris
    >>> eye[:, :4] = eye[:, -4:] = (235, 225, 215)  # the whites on both sides
    >>> out = eye_white(eye, np.ones((8, 16), bool), share=0.5)
    >>> round(out.b), round(out.lightness)
    (6, 90)
    """
    import cv2

    region = np.asarray(mask, dtype=bool)
    if not region.any():
        raise ValueError("the eye region is empty")
    pixels = _pixels(rgb, region)
    # Rank by luma (monotonic enough with L*), convert only the brightest pixels.
    luma = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    count = max(1, round(share * luma.size))
    brightest = pixels[np.argpartition(-luma, count - 1)[:count]]
    lightness, a, b, _ = cv2.mean(to_lab(brightest[np.newaxis]))
    return EyeWhite(a=a, b=b, lightness=lightness)


def red_eye(
    rgb: NDArray[np.uint8],
    mask: NDArray[np.bool_],
    *,
    redness: float = 0.5,
    min_excess: float = 50.0,
) -> float:
    """Return the share of an eye region's pixels that are saturated red (red-eye).

    A pixel's redness weight (:func:`red_weights`) is 1 when ``(R - max(G, B)) / R`` is well
    above ``redness`` and ``R - max(G, B)`` well above ``min_excess``: the red of a
    flash-lit retina, which brown irises (``R`` only a little above ``G``, or dark) and the
    pink inner corner of the eye do not reach. The weight falls to 0 over a band around each
    cut-off, so that a re-encoding that moves a pixel's colour by a little moves the share
    by a little.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (sRGB).
    mask : ndarray of bool, shape (H, W)
        One eye's opening (e.g. the polygon of landmarks 36-41 or 42-47).
    redness : float, optional
        Relative excess of red over the other channels at which a pixel counts half (0-1).
    min_excess : float, optional
        Excess of red over the other channels (0-255) at which a pixel counts half, so that
        dark brown pixels do not count.

    Returns
    -------
    float
        Share of the region's red pixels (0-1, higher is worse; a normal eye is near 0, a
        red pupil fills about 0.1-0.3 of the eye opening).

    Raises
    ------
    ValueError
        When the mask is empty.

    Examples
    --------
    >>> import numpy as np
    >>> eye = np.full((10, 10, 3), (90, 60, 40), np.uint8)  # a brown iris
    >>> red_eye(eye, np.ones((10, 10), bool))
    0.0
    >>> eye[3:6, 3:7] = (200, 40, 40)
    >>> red_eye(eye, np.ones((10, 10), bool))
    0.12
    """
    return red_eye_shares(rgb, [mask], redness=redness, min_excess=min_excess)[0]


def red_eye_shares(
    rgb: NDArray[np.uint8],
    masks: Sequence[NDArray[np.bool_]],
    *,
    pupils: Sequence[NDArray[np.floating]] | None = None,
    min_areas: Sequence[float] | None = None,
    redness: float = 0.5,
    min_excess: float = 50.0,
) -> list[float]:
    """Return :func:`red_eye` for several regions of one image (e.g. both eyes) at once.

    Each pixel of ``rgb`` is weighed once, so pass a crop around the regions. ``pupils``
    limits where red counts to the pupil and iris of each eye (the red of a flash-lit retina
    shows in the pupil; the lids, the lashes' edge and the pink inner corner are left out),
    while each share stays one of the whole opening. ``min_areas`` sets a least area a share
    is taken of: a nearly closed eye, whose few open pixels would make a jumpy share, is then
    measured against its iris's area.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (sRGB).
    masks : sequence of ndarray of bool, shape (H, W)
        The regions (e.g. each eye's opening).
    pupils : sequence of ndarray of float, shape (H, W), optional
        For each region, each pixel's weight (0-1) as part of the area where red counts
        (e.g. a disc over the iris); default everywhere 1.
    min_areas : sequence of float, optional
        For each region, the least area in px a share is taken of (default: the region's).
    redness, min_excess : float, optional
        As for :func:`red_eye`.

    Returns
    -------
    list of float
        The share of red pixels of each region (0-1, higher is worse).

    Raises
    ------
    ValueError
        When a mask is empty.

    Examples
    --------
    >>> import numpy as np
    >>> eyes = np.full((10, 20, 3), (90, 60, 40), np.uint8)
    >>> eyes[3:6, 3:7] = (200, 40, 40)  # a red pupil in the left eye only
    >>> cols = np.arange(20)[None, :].repeat(10, axis=0)
    >>> red_eye_shares(eyes, [cols < 10, cols >= 10])
    [0.12, 0.0]
    >>> pupil = (cols >= 5) & (cols < 7)
    >>> red_eye_shares(eyes, [cols < 10, cols >= 10], pupils=[pupil, pupil])
    [0.06, 0.0]
    >>> slit = (cols < 10) & (np.arange(10)[:, None] == 4)  # a nearly closed eye
    >>> red_eye_shares(eyes, [slit], pupils=[pupil], min_areas=[20.0])
    [0.1]
    """
    weight = red_weights(rgb, redness=redness, min_excess=min_excess)
    if any(extra is not None and len(extra) != len(masks) for extra in (pupils, min_areas)):
        raise ValueError("expected one pupil weight map and one least area per region")
    shares = []
    for i, mask in enumerate(masks):
        region = np.asarray(mask, dtype=bool)
        size = int(np.count_nonzero(region))
        if size == 0:
            raise ValueError("the eye region is empty")
        red = weight if pupils is None else weight * np.asarray(pupils[i], dtype=np.float32)
        area = float(size) if min_areas is None else max(float(size), float(min_areas[i]))
        shares.append(float(red[region].sum(dtype=np.float64)) / area)
    return shares


def red_weights(
    rgb: NDArray[np.uint8],
    *,
    redness: float = 0.5,
    min_excess: float = 50.0,
    soft_redness: float = 0.2,
    soft_excess: float = 30.0,
) -> NDArray[np.float32]:
    """Return how much each pixel is the saturated red of red-eye (0-1, 1 is surely red).

    The weight is the product of two ramps: on the relative excess of red
    ``(R - max(G, B)) / R``, from 0 at ``redness - soft_redness / 2`` to 1 at
    ``redness + soft_redness / 2``, and on the excess ``R - max(G, B)``, from 0 at
    ``min_excess - soft_excess / 2`` to 1 at ``min_excess + soft_excess / 2``.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (sRGB).
    redness, min_excess : float, optional
        As for :func:`red_eye`: the cut-offs at which a pixel weighs half.
    soft_redness, soft_excess : float, optional
        Widths of the two ramps (> 0).

    Returns
    -------
    ndarray of float32, shape (H, W)
        The weights.

    Examples
    --------
    >>> import numpy as np
    >>> pixels = np.array([[(200, 40, 40), (90, 60, 40), (240, 200, 190), (100, 50, 30)]], np.uint8)
    >>> red_weights(pixels).round(2).tolist()
    [[1.0, 0.0, 0.0, 0.25]]
    """
    pixels = np.asarray(rgb)
    red = pixels[..., 0].astype(np.float32)
    excess = red - np.maximum(pixels[..., 1], pixels[..., 2]).astype(np.float32)
    share = excess / np.maximum(red, 1.0)
    by_share = np.clip((share - redness) / soft_redness + 0.5, 0.0, 1.0)
    by_excess = np.clip((excess - min_excess) / soft_excess + 0.5, 0.0, 1.0)
    weights: NDArray[np.float32] = (by_share * by_excess).astype(np.float32)
    return weights


def red_pixels(
    rgb: NDArray[np.uint8], *, redness: float = 0.5, min_red: float = 60.0
) -> NDArray[np.bool_]:
    """Return the mask of the saturated red pixels of an image (the red of red-eye).

    A pixel is red when ``(R - max(G, B)) / R > redness`` and ``R >= min_red``: a hard
    mask, for leaving red pupils out of other measures (:func:`red_weights` is the soft
    weight :func:`red_eye` counts).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (sRGB).
    redness : float, optional
        Least relative excess of red over the other channels (0-1).
    min_red : float, optional
        Least red level (0-255), so that near-black pixels do not count.

    Returns
    -------
    ndarray of bool, shape (H, W)
        True on the red pixels.

    Examples
    --------
    >>> import numpy as np
    >>> pixels = np.array([[(200, 40, 40), (90, 60, 40), (240, 200, 190)]], np.uint8)
    >>> red_pixels(pixels).tolist()
    [[True, False, False]]
    """
    pixels = np.asarray(rgb)
    red = pixels[..., 0].astype(np.float32)
    other = np.maximum(pixels[..., 1], pixels[..., 2]).astype(np.float32)
    mask: NDArray[np.bool_] = (red >= min_red) & (red - other > redness * np.maximum(red, 1.0))
    return mask


def _pixels(rgb: NDArray[np.uint8], region: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Return the pixels of ``rgb`` in ``region``, (N, 3) in row order (faster than rgb[region])."""
    flat = np.ascontiguousarray(rgb, dtype=np.uint8).reshape(-1, 3)
    return flat.compress(region.ravel(), axis=0)
