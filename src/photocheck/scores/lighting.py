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

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..imaging.colour import to_lab

__all__ = [
    "BackgroundShadow",
    "HotSpots",
    "IlluminationBalance",
    "background_shadow",
    "cheek_boxes",
    "cheek_zones",
    "hot_spots",
    "illumination_balance",
]


class IlluminationBalance(NamedTuple):
    """How alike the lighting of two face zones is (see :func:`illumination_balance`).

    Attributes
    ----------
    intersection : float
        Sum of the element-wise minima of the two normalised luminance histograms (0-1, 1 is
        identical lighting; OFIQ's raw IlluminationUniformity score).
    balance : float
        Mean of the darker zone over mean of the brighter zone (0-1, 1 is balanced, a face
        half in shadow scores low).
    """

    intersection: float
    balance: float


class HotSpots(NamedTuple):
    """Specular hot spots on skin (see :func:`hot_spots`).

    Attributes
    ----------
    fraction : float
        Share of the skin pixels that are hot spots (0-1, higher is worse).
    peak : float
        99.5th percentile of the skin levels (0-255, higher is brighter).
    """

    fraction: float
    peak: float


class BackgroundShadow(NamedTuple):
    """A shadow cast on the background beside the head (see :func:`background_shadow`).

    Attributes
    ----------
    darkening : float
        The larger of the two sides' relative darkening of the band next to the head against
        that side's lit level (0-1, 0 is no shadow, higher is a deeper or wider shadow).
    asymmetry : float
        Difference between the two sides' darkening (0-1, higher is worse: a light from one
        side darkens one side only, hair or a vignette darken both).
    shadow_fraction : float
        Share of the band pixels darker than their side's lit level by more than the
        ``darker`` share (0-1, higher is worse).
    """

    darkening: float
    asymmetry: float
    shadow_fraction: float


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
    masks = []
    for rows, cols in cheek_boxes(landmarks, shape, size=size):
        mask = np.zeros(shape, dtype=bool)
        mask[rows, cols] = True
        masks.append(mask)
    return masks[0], masks[1]


def cheek_boxes(
    landmarks: NDArray[np.floating], shape: tuple[int, int], *, size: float = 0.5
) -> tuple[tuple[slice, slice], tuple[slice, slice]]:
    """Return the cheek zones of :func:`cheek_zones` as ``(rows, columns)`` slices.

    Parameters
    ----------
    landmarks : ndarray, shape (68, 2)
        The 68 iBUG landmarks (x, y) in the image's coordinates.
    shape : tuple of int
        ``(height, width)`` of the image (the slices are clipped to it).
    size : float, optional
        Side of each square zone as a share of the inter-eye distance.

    Returns
    -------
    ((slice, slice), (slice, slice))
        The image-left and image-right zones (either may be empty).

    Examples
    --------
    >>> import numpy as np
    >>> pts = np.zeros((68, 2)); pts[36:42] = (40, 50); pts[42:48] = (80, 50)
    >>> pts[[62, 66]] = (60, 90)
    >>> cheek_boxes(pts, (120, 120))[1]
    (slice(70, 90, None), slice(80, 100, None))
    """
    # Plain Python on the few points needed: much cheaper than NumPy calls on 2-vectors.
    pts = np.asarray(landmarks, dtype=np.float64)[36:67].tolist()
    lx, ly = (sum(p[i] for p in pts[0:6]) / 6.0 for i in (0, 1))
    rx, ry = (sum(p[i] for p in pts[6:12]) / 6.0 for i in (0, 1))
    mouth_x, mouth_y = (pts[26][i] / 2.0 + pts[30][i] / 2.0 for i in (0, 1))
    ied = math.hypot(rx - lx, ry - ly)
    em = math.hypot(mouth_x - (lx + rx) / 2.0, mouth_y - (ly + ry) / 2.0)
    side = max(1, round(size * ied))
    height, width = shape
    boxes = []
    for eye_y, x0 in ((ly, lx - side), (ry, rx)):
        top, left = round(eye_y + em / 2.0), round(x0)
        rows = slice(min(height, max(0, top)), min(height, max(0, top + side)))
        cols = slice(min(width, max(0, left)), min(width, max(0, left + side)))
        boxes.append((rows, cols))
    return boxes[0], boxes[1]


def illumination_balance(
    grey: NDArray[np.generic],
    left: NDArray[np.bool_],
    right: NDArray[np.bool_],
    *,
    bins: int = 32,
) -> IlluminationBalance:
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
    IlluminationBalance
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
    IlluminationBalance(intersection=0.0, balance=0.5)
    >>> illumination_balance(grey, cols < 5, (cols >= 5) & (cols < 10))
    IlluminationBalance(intersection=1.0, balance=1.0)
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
    return IlluminationBalance(intersection=float(np.minimum(ha, hb).sum()), balance=balance)


def hot_spots(
    grey: NDArray[np.generic],
    mask: NDArray[np.bool_],
    *,
    strength: float = 0.6,
    min_level: float = 215.0,
    soft: float = 4.0,
) -> HotSpots:
    """Measure specular hot spots on skin: pixels far brighter than the skin around them.

    A pixel is a hot spot when it is at least ``min_level`` and brighter than the skin's
    median by ``strength`` of the headroom left above the median
    (``level > median + strength * (255 - median)``). The measure is relative, so that it
    works on dark and light skin; eyes and teeth must be left out of ``mask``.

    Neither the median nor the cut-off jumps by whole grey levels: each 8-bit level is taken
    to spread evenly over its grey-level step (the median is interpolated within its level),
    and a pixel counts by a weight that rises from 0 to 1 over ``soft`` grey levels centred
    on the cut-off. A re-encoding that moves the skin's median by a fraction of a level then
    moves the share by that fraction of the skin near the cut-off, not by a whole level's
    worth of pixels.

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Luminance on a 0-255 scale (other than 8-bit levels are rounded to them).
    mask : ndarray of bool, shape (H, W)
        The skin region (no eyes, no mouth).
    strength : float, optional
        Share of the headroom above the median a hot spot must rise (0-1).
    min_level : float, optional
        Lowest level that can be a hot spot.
    soft : float, optional
        Width in grey levels of the ramp of a pixel's weight around the cut-off (> 0).

    Returns
    -------
    HotSpots
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
    HotSpots(fraction=0.05, peak=255.0)
    """
    values = np.asarray(grey)[mask]
    if values.size == 0:
        raise ValueError("the skin region is empty")
    if values.dtype != np.uint8:
        values = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    # Levels from the histogram: much faster than sorting, exact for 8-bit levels.
    hist = np.bincount(values, minlength=256)
    counts = np.cumsum(hist).tolist()
    total = counts[-1]
    # The median with each level spread over [level - 0.5, level + 0.5].
    half = total / 2.0
    at = bisect_left(counts, half)
    below = counts[at - 1] if at else 0
    median = at - 0.5 + (half - below) / max(int(hist[at]), 1)
    level = max(min_level, median + strength * (255.0 - median))
    weight = np.clip((np.arange(256) - level) / soft + 0.5, 0.0, 1.0)
    return HotSpots(fraction=float(hist @ weight) / total, peak=_rank_u8(counts, 99.5))


def background_shadow(
    rgb: NDArray[np.uint8],
    background: NDArray[np.bool_] | NDArray[np.floating],
    centre_x: float,
    *,
    near: float,
    distance: NDArray[np.floating] | None = None,
    person: NDArray[np.floating] | None = None,
    darker: float = 0.15,
    min_lightness: float = 35.0,
    max_texture: float = 0.15,
    evidence: float = 0.02,
) -> BackgroundShadow:
    """Measure a shadow cast on the background beside the head.

    The background within ``near`` pixels of the head is split into the sides left and right
    of ``centre_x`` (a column straddling it counts for each side by the share of it that lies
    on that side, so that a mirror image gives the same values). Only smooth pixels of the
    background's own hue are kept: a shadow darkens the background without changing its hue
    much, while hair is darker still, of another hue, or textured (pixels whose 3 x 3
    neighbourhood spans more than ``max_texture`` of the lit level are left out). Each
    cut-off is soft (a pixel's weight falls from 1 to 0 over +-20% of it), and so is the
    band's edge (1 px): no pixel, and no column or row, enters or leaves the measure at once.
    Each side's low CIELAB lightness in the band (the mean of its 20th-30th percentiles, a
    steady lower quartile) is compared with that side's own lit level (the mean of the
    80th-100th percentiles of the side's kept background, near the head or not), so that a
    backdrop lit more on one side than the other is not taken for a shadow: a cast shadow is
    a dip next to the head. Each side's darkening is drawn towards both sides' by
    ``evidence`` of its band's worth of pixels, so that a side whose band shows little plain
    backdrop is measured mostly on the other (and a side that shows none takes both sides'
    value) instead of on a handful of pixels.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (a reduced copy of the photo is fine).
    background : ndarray of bool or float, shape (H, W)
        The visible background (the head and body excluded), or each pixel's weight as
        background (0-1; a share of a pixel on the head's outline, a chance of hair).
    centre_x : float
        Column of the face's centre line.
    near : float
        Width in pixels of the band beside the head that is examined.
    distance : ndarray of float, shape (H, W), optional
        Each pixel's distance from the head in pixels (<= 0 on it). By default the distance
        to the nearest pixel whose ``background`` weight is below 0.5.
    person : ndarray of float, shape (H, W), optional
        Each pixel's chance of showing the person (0-1, see
        :func:`photocheck.vision.segmentation.person_mask`): hair and shoulders beside the
        head weigh ``1 - 2 * person`` (nothing from 0.5 up) in the band, not in the lit level.
    darker : float, optional
        Relative darkening (0-1) above which a band pixel counts as shadowed.
    min_lightness : float, optional
        Least CIELAB lightness of the lit background (0-100): on a darker background a shadow
        cannot be told apart.
    max_texture : float, optional
        Largest local spread of lightness (share of the lit level) of a kept pixel.
    evidence : float, optional
        Weight of both sides' pooled darkening in each side's, as a share of the side's band
        (its background within ``near``).

    Returns
    -------
    BackgroundShadow
        ``darkening``: the larger of the two sides' relative darkening
        ``1 - low level(near band) / lit level`` (0-1, 0 is no shadow, higher is a deeper or
        wider shadow); ``shadow_fraction``: share of the band pixels darker than their side's
        lit level by more than ``darker`` (0-1, higher is worse); ``asymmetry``: the
        difference between the two sides' darkening (0-1, higher is worse: a shadow cast by
        a light from one side darkens one side only, while hair or a vignette darken both).

    Raises
    ------
    ValueError
        When the background is empty or too dark, or when neither side of the head shows
        plain background of the backdrop's colour in the band.

    Examples
    --------
    >>> import numpy as np
    >>> rgb = np.full((40, 60, 3), 220, dtype=np.uint8)
    >>> background = np.ones((40, 60), bool); background[10:, 25:35] = False  # the head
    >>> background_shadow(rgb, background, 30.0, near=6).darkening
    0.0
    >>> rgb[10:, 35:41] = 150  # a grey shadow right of the head
    >>> round(background_shadow(rgb, background, 30.0, near=6).asymmetry, 2)
    0.29
    >>> ramp = np.linspace(180, 230, 60).astype(np.uint8)  # lit more on the right
    >>> gradient = np.repeat(np.repeat(ramp[None, :, None], 40, 0), 3, 2)
    >>> background_shadow(gradient, background, 30.0, near=6).asymmetry < 0.1
    True
    """
    import cv2

    bg = np.asarray(background, dtype=np.float32)
    if not (bg > 0).any():
        raise ValueError("the background region is empty")
    # CIELAB lightness on 8-bit levels (L* scaled to 0-255): the level statistics below come
    # from 256-bin histograms. The hue test is done on the unrounded a*, b*: on 8-bit levels
    # (and a rounded reference) the distances fall on a lattice, and a whole ring of backdrop
    # pixels at one distance flips in or out when the reference moves by a fraction of a unit.
    lab_f = to_lab(rgb)
    lightness = cv2.convertScaleAbs(lab_f[..., 0], alpha=255.0 / 100.0)
    lit = _band_mean_u8(_weighted_counts(lightness, bg), *_LIT_BAND)
    if lit * 100.0 / 255.0 < min_lightness:
        raise ValueError("the background is too dark to see a shadow on it")
    if distance is None:
        distance = cv2.distanceTransform((bg >= 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    # The backdrop's own colour: the mean a*, b* of its lit pixels (about 0.8 lit and up).
    lit_weight = bg * _ramp(-lightness.astype(np.float32), -0.8 * lit, soft=0.05)
    lit_total = max(float(lit_weight.sum()), 1e-6)
    ref_a, ref_b = (float((lit_weight * lab_f[..., c]).sum()) / lit_total for c in (1, 2))
    da, db = lab_f[..., 1] - np.float32(ref_a), lab_f[..., 2] - np.float32(ref_b)
    allowed = 6.0 + 0.4 * math.hypot(ref_a, ref_b)
    kernel = np.ones((3, 3), np.uint8)
    spread = cv2.dilate(lightness, kernel) - cv2.erode(lightness, kernel)
    # Soft filters: a pixel's weight falls from 1 to 0 over +-20% of each cut-off, so that a
    # pixel near a cut-off counts for part of itself (a hard cut-off lets a re-encoding move
    # whole groups of pixels in or out of the measure).
    weight = (
        bg
        * _ramp(np.sqrt(da * da + db * db), allowed)
        * _ramp(-lightness.astype(np.float32), -0.3 * lit)
        * _ramp(spread.astype(np.float32), max_texture * lit)
    )
    if person is not None:
        weight *= np.clip(1.0 - 2.0 * np.asarray(person, dtype=np.float32), 0.0, 1.0)
    within = np.clip(near + 0.5 - np.asarray(distance, dtype=np.float32), 0.0, 1.0)
    # Column x spans x - 0.5 to x + 0.5: the share of it left of the centre line is the left
    # side's (mirror-consistent, and a move of the line by a fraction of a pixel moves a
    # fraction of a column).
    columns = np.arange(lightness.shape[1], dtype=np.float32)
    left = np.clip(np.float32(centre_x) + 0.5 - columns, 0.0, 1.0)
    raw, seen, prior, shadowed = [], [], [], 0.0
    for share in (left, 1.0 - left):
        side = weight * share
        prior.append(evidence * float((bg * within * share).sum()))
        counts = _weighted_counts(lightness, side * within)
        seen.append(float(counts[-1]))
        if seen[-1] <= 0.0:
            raw.append(0.0)
            continue
        side_lit = max(_band_mean_u8(_weighted_counts(lightness, side), *_LIT_BAND), 1.0)
        raw.append(1.0 - _band_mean_u8(counts, *_LOW_BAND) / side_lit)
        below = math.ceil((1.0 - darker) * side_lit)  # levels < (1 - darker) * lit
        shadowed += float(counts[below - 1]) if below > 0 else 0.0
    total = seen[0] + seen[1]
    if total <= 0.0:
        raise ValueError("too little plain background beside the head")
    # A side seen on few plain pixels of its band says little: its darkening is drawn
    # towards both sides' (``evidence`` of its band's worth), so that it neither makes a
    # difference out of a handful of pixels nor turns the check not assessed at a count.
    pooled = (seen[0] * raw[0] + seen[1] * raw[1]) / total
    sides = [(n * d + k * pooled) / (n + k) for n, d, k in zip(seen, raw, prior, strict=True)]
    # Rounded to 1e-9: the weighted level means carry float rounding (1e-16 on a flat wall).
    return BackgroundShadow(
        darkening=round(max(0.0, *sides), 9),
        asymmetry=round(abs(sides[0] - sides[1]), 9),
        shadow_fraction=round(shadowed / total, 9),
    )


def _ramp(value: NDArray[np.float32], limit: float, soft: float = 0.2) -> NDArray[np.float32]:
    """Weight 1 well under ``limit``, 0 well over it, linear over ``limit`` +-``soft`` x |limit|."""
    width = max(soft * abs(limit), 1e-6)
    return np.clip((limit + width - value) / (2.0 * width), 0.0, 1.0).astype(np.float32)


def _weighted_counts(
    levels: NDArray[np.uint8], weights: NDArray[np.floating]
) -> NDArray[np.float64]:
    """Cumulative weighted histogram of 8-bit levels (any shape, ``weights`` the same)."""
    return np.cumsum(np.bincount(levels.ravel(), weights=weights.ravel(), minlength=256))


# The lit level and the band's low level are the means of the levels between these
# percentiles (around the 90th and the 25th): a single percentile of a few dozen pixels whose
# levels fall in two groups (lit backdrop and a strand of hair) jumps from one group to the
# other when one pixel changes; the mean over a band of ranks moves a little instead.
_LIT_BAND = (80.0, 100.0)
_LOW_BAND = (20.0, 30.0)


def _band_mean_u8(counts: NDArray[np.number], lo: float, hi: float) -> float:
    """Mean of the 8-bit levels ranked between percentiles ``lo`` and ``hi`` (cumulative counts)."""
    upto = np.asarray(counts, dtype=np.float64)
    start, stop = lo / 100.0 * upto[-1], hi / 100.0 * upto[-1]
    if stop <= start:
        return float(bisect_right(list(counts), start))
    before = np.concatenate(([0.0], upto[:-1]))
    overlap = np.clip(np.minimum(upto, stop) - np.maximum(before, start), 0.0, None)
    return float(overlap @ np.arange(upto.size) / (stop - start))


def _rank_u8(counts: Sequence[int] | NDArray[np.integer], q: float) -> float:
    """Percentile (lower value) of 8-bit levels from their cumulative histogram."""
    rank = q / 100.0 * (counts[-1] - 1)
    return float(bisect_right(counts, rank))
