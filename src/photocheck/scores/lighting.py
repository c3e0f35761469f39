"""Lighting scores: left/right balance of the face, hot spots, shadows on the background.

References
----------
.. [1] ISO/IEC 29794-5 (face image quality), measure "illumination uniformity"; OFIQ
   (BSI's reference implementation), ``OFIQlib/modules/measures/src/IlluminationUniformity.cpp``:
   the sum of the element-wise minima of the normalised luminance histograms of the left and
   right cheek zones.
.. [2] ICAO 9303 part 3 and ISO/IEC 19794-5 clause 7.2.7-7.2.9 (lighting equally distributed,
   no shadows on the face or the background, no hot spots); the BioLab-ICAO benchmark
   (Ferrara et al., 2012) tests "shadows across face", "shadows behind head", "flash
   reflection on skin" and "unnatural skin tone".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["background_shadow", "cheek_zones", "hot_spots", "illumination_balance"]


def cheek_zones(
    landmarks: NDArray[np.floating], shape: tuple[int, int], *, size: float = 0.5
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Return the left and right cheek zones (image left / image right) as boolean masks.

    The zones follow OFIQ's ``CalculateRegionOfInterest`` (a square below each eye centre,
    half the eye-to-mouth distance down, on the outer side of the eye centre) with a side of
    ``size`` times the inter-eye distance (OFIQ uses 0.3; 0.5 gives steadier statistics).

    Parameters
    ----------
    landmarks : ndarray, shape (68, 2)
        The 68 iBUG landmarks (x, y) in the image's coordinates.
    shape : tuple of int
        ``(height, width)`` of the image the masks are for.
    size : float, optional
        Side of each square zone as a share of the inter-eye distance.

    Returns
    -------
    (ndarray of bool, ndarray of bool)
        The image-left and image-right zones, clipped to the image (either may be empty).

    Examples
    --------
    >>> import numpy as np
    >>> pts = np.zeros((68, 2)); pts[36:42] = (40, 50); pts[42:48] = (80, 50)
    >>> pts[[62, 66]] = (60, 90)
    >>> left, right = cheek_zones(pts, (120, 120))
    >>> int(left.sum()), int(right.sum()), bool(left[80, 30]), bool(right[80, 90])
    (400, 400, True, True)
    """
    pts = np.asarray(landmarks, dtype=np.float64)
    left_eye = pts[36:42].mean(axis=0)
    right_eye = pts[42:48].mean(axis=0)
    ied = float(np.hypot(*(right_eye - left_eye)))
    mouth = pts[[62, 66]].mean(axis=0)
    em = float(np.hypot(*(mouth - (left_eye + right_eye) / 2.0)))
    side = max(1, round(size * ied))
    height, width = shape
    masks = []
    for eye, x0 in ((left_eye, left_eye[0] - side), (right_eye, right_eye[0])):
        mask = np.zeros((height, width), dtype=bool)
        top = round(eye[1] + em / 2.0)
        left = round(x0)
        mask[max(0, top) : max(0, top + side), max(0, left) : max(0, left + side)] = True
        masks.append(mask)
    return masks[0], masks[1]


def illumination_balance(
    grey: NDArray[np.generic],
    left: NDArray[np.bool_],
    right: NDArray[np.bool_],
    *,
    bins: int = 32,
) -> dict[str, float]:
    """Compare the luminance of two face zones (left and right cheek).

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Luminance on a 0-255 scale.
    left, right : ndarray of bool, shape (H, W)
        The two zones (see :func:`cheek_zones`).
    bins : int, optional
        Histogram bins over 0-255 (OFIQ uses 256 on zones of 0.3 inter-eye distance; 32 bins
        keep the score steady on small zones).

    Returns
    -------
    dict
        ``intersection``: sum of the element-wise minima of the two normalised histograms
        (0-1, 1 is identical lighting; OFIQ's raw IlluminationUniformity score);
        ``balance``: mean of the darker zone / mean of the brighter zone (0-1, 1 is
        balanced, a face half in shadow scores low).

    Raises
    ------
    ValueError
        When a zone is empty.

    Examples
    --------
    >>> import numpy as np
    >>> grey = np.full((10, 20), 100, dtype=np.uint8); grey[:, 10:] = 50
    >>> cols = np.arange(20)[None, :].repeat(10, axis=0)
    >>> illumination_balance(grey, cols < 10, cols >= 10)
    {'intersection': 0.0, 'balance': 0.5}
    >>> illumination_balance(grey, cols < 5, (cols >= 5) & (cols < 10))
    {'intersection': 1.0, 'balance': 1.0}
    """
    values = np.asarray(grey)
    a, b = values[left], values[right]
    if a.size == 0 or b.size == 0:
        raise ValueError("a face zone is empty")
    if a.dtype == np.uint8 and b.dtype == np.uint8 and 256 % bins == 0:
        width = 256 // bins  # equal bins over 0-255: a bincount is the same, and faster
        ha = np.bincount(a // width, minlength=bins) / a.size
        hb = np.bincount(b // width, minlength=bins) / b.size
    else:
        edges = np.linspace(0.0, 256.0, bins + 1)
        ha = np.histogram(a, bins=edges)[0] / a.size
        hb = np.histogram(b, bins=edges)[0] / b.size
    ma, mb = float(a.mean()), float(b.mean())
    brighter = max(ma, mb)
    balance = min(ma, mb) / brighter if brighter > 0 else 1.0
    return {
        "intersection": round(float(np.minimum(ha, hb).sum()), 6),
        "balance": round(balance, 6),
    }


def hot_spots(
    grey: NDArray[np.generic],
    mask: NDArray[np.bool_],
    *,
    strength: float = 0.6,
    min_level: float = 215.0,
) -> dict[str, float]:
    """Measure specular hot spots on skin: pixels far brighter than the skin around them.

    A pixel is a hot spot when it is at least ``min_level`` and brighter than the skin's
    median by ``strength`` of the headroom left above the median
    (``level > median + strength * (255 - median)``). The measure is relative, so that it
    works on dark and light skin; eyes and teeth must be left out of ``mask``.

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Luminance on a 0-255 scale.
    mask : ndarray of bool, shape (H, W)
        The skin region (no eyes, no mouth).
    strength : float, optional
        Share of the headroom above the median a hot spot must rise (0-1).
    min_level : float, optional
        Lowest level that can be a hot spot.

    Returns
    -------
    dict
        ``fraction``: share of the skin pixels that are hot spots (0-1, higher is worse);
        ``peak``: 99.5th percentile of the skin levels (0-255).

    Raises
    ------
    ValueError
        When the mask is empty.

    Examples
    --------
    >>> import numpy as np
    >>> skin = np.full((20, 20), 150, dtype=np.uint8); skin[:2, :10] = 255
    >>> hot_spots(skin, np.ones((20, 20), bool))
    {'fraction': 0.05, 'peak': 255.0}
    """
    values = np.asarray(grey)[mask]
    if values.size == 0:
        raise ValueError("the skin region is empty")
    values = values.astype(np.float32)
    median = float(np.median(values))
    level = max(min_level, median + strength * (255.0 - median))
    return {
        "fraction": round(float((values > level).mean()), 6),
        "peak": float(np.percentile(values, 99.5)),
    }


def background_shadow(
    rgb: NDArray[np.uint8],
    background: NDArray[np.bool_],
    centre_x: float,
    *,
    near: float,
    darker: float = 0.15,
    min_lightness: float = 35.0,
) -> dict[str, float]:
    """Measure a shadow cast on the background beside the head.

    The background within ``near`` pixels of the head (the pixels of ``background`` whose
    distance to a non-background pixel is at most ``near``) is split into the sides left and
    right of ``centre_x``. Only pixels of the background's own hue are kept (a shadow darkens
    the background without changing its hue much; hair is darker still or of another hue).
    Each side's lower-quartile CIELAB lightness is compared with the lit background (the
    90th percentile of the background's lightness).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (a reduced copy of the photo is fine).
    background : ndarray of bool, shape (H, W)
        The visible background (the head and body excluded).
    centre_x : float
        Column of the face's centre line.
    near : float
        Width in pixels of the band beside the head that is examined.
    darker : float, optional
        Relative darkening (0-1) above which a band pixel counts as shadowed.
    min_lightness : float, optional
        Least CIELAB lightness of the lit background (0-100): on a darker background a shadow
        cannot be told apart.

    Returns
    -------
    dict
        ``darkening``: the larger of the two sides' relative darkening
        ``1 - quartile(side) / lit`` (0-1, 0 is no shadow, higher is a deeper or wider
        shadow); ``shadow_fraction``: share of the band pixels darker than the lit level by
        more than ``darker`` (0-1, higher is worse); ``asymmetry``: the difference between
        the two sides' darkening (0-1, higher is worse: a shadow cast by a light from one
        side darkens one side only, while hair or a vignette darken both).

    Raises
    ------
    ValueError
        When the background is empty, too dark, or there is no background beside the head.

    Examples
    --------
    >>> import numpy as np
    >>> rgb = np.full((40, 60, 3), 220, dtype=np.uint8)
    >>> background = np.ones((40, 60), bool); background[10:, 25:35] = False  # the head
    >>> background_shadow(rgb, background, 30.0, near=6)["darkening"]
    0.0
    >>> rgb[10:, 35:41] = 150  # a grey shadow right of the head
    >>> round(background_shadow(rgb, background, 30.0, near=6)["darkening"], 2)
    0.29
    """
    import cv2

    bg = np.asarray(background, dtype=bool)
    if not bg.any():
        raise ValueError("the background region is empty")
    # 8-bit CIELAB (L* scaled to 0-255, a* and b* offset by 128) is fast and precise enough.
    lab = cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2LAB)
    lightness = lab[..., 0]
    lit = _percentile_u8(lightness[bg], 90.0)
    if lit * 100.0 / 255.0 < min_lightness:
        raise ValueError("the background is too dark to see a shadow on it")
    distance = cv2.distanceTransform(bg.astype(np.uint8), cv2.DIST_L2, 3)
    band = bg & (distance <= near)
    lit_pixels = bg & (lightness >= 0.8 * lit)
    ref_a = _percentile_u8(lab[..., 1][lit_pixels], 50.0) - 128.0
    ref_b = _percentile_u8(lab[..., 2][lit_pixels], 50.0) - 128.0
    ys, xs = np.nonzero(band)
    values = lab[ys, xs].astype(np.float32)
    hue_distance = np.hypot(values[:, 1] - 128.0 - ref_a, values[:, 2] - 128.0 - ref_b)
    allowed = 6.0 + 0.4 * float(np.hypot(ref_a, ref_b))
    keep = (hue_distance <= allowed) & (values[:, 0] >= 0.3 * lit)
    if keep.sum() < 10:
        raise ValueError("no background beside the head")
    level, column = values[keep, 0].astype(np.uint8), xs[keep]
    sides = []
    for side in (column < centre_x, column >= centre_x):
        if side.sum() >= 10:
            sides.append(1.0 - _percentile_u8(level[side], 25.0) / lit)
    worst = max(sides) if sides else 0.0
    asymmetry = abs(sides[0] - sides[1]) if len(sides) == 2 else worst
    fraction = float((level < (1.0 - darker) * lit).mean())
    return {
        "darkening": round(max(0.0, worst), 6),
        "asymmetry": round(asymmetry, 6),
        "shadow_fraction": round(fraction, 6),
    }


def _percentile_u8(values: NDArray[np.uint8], q: float) -> float:
    """Percentile (lower value) of uint8 values from their histogram: fast for many pixels."""
    counts = np.cumsum(np.bincount(values.ravel(), minlength=256))
    rank = q / 100.0 * (counts[-1] - 1)
    return float(np.searchsorted(counts, rank, side="right"))
