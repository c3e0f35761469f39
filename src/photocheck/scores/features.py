"""Facial-feature and accessory scores on the aligned face: eyes, mouth, glasses, headwear.

Every function takes arrays from the aligned face crop (see
:attr:`photocheck.analysis.Analysis.canonical_face`: eyes level at (64, 96) and (128, 96),
inter-eye distance 64 px, 192 x 240 px) and its 68 iBUG landmarks in crop coordinates, and
returns raw numbers. Thresholds live in the profiles. The regions are defined from the
landmarks, so the functions also work on other crops whose inter-eye distance is near 64 px.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..imaging.colour import to_lab

_T = TypeVar("_T", bound=np.generic)

__all__ = [
    "EyeVisibility",
    "Headwear",
    "bridge_edge",
    "eye_visibility",
    "headwear_scores",
    "lens_darkness",
    "teeth_share",
]


class EyeVisibility(NamedTuple):
    """How visible the eyes are (see :func:`eye_visibility`).

    Attributes
    ----------
    contrast : float
        For the flatter eye, the spread between the 90th and 10th percentiles of grey inside
        the eye over the cheeks' median grey (0 upwards, higher is more visible).
    glare : float
        The larger share, over both eyes, of pixels at 250 or above around the eye (0-1,
        higher is worse).
    """

    contrast: float
    glare: float


class Headwear(NamedTuple):
    """Signs of a head covering above the forehead (see :func:`headwear_scores`).

    Attributes
    ----------
    chroma : float
        Median CIELAB chroma of the band above the forehead (0 upwards; hair is mostly 2-25).
    texture : float
        Mean absolute Laplacian of the band over its mean grey (0 upwards, higher is
        rougher).
    face_texture : float
        The same over the brows and eyes (0 upwards; about 0.05-0.5, lower in blurred
        photos).
    relative_texture : float
        ``texture / max(face_texture, 0.02)`` (0 upwards; hair about 0.3-5, plain fabric
        under 0.3).
    head_share : float
        Share of the band's pixels on the head rather than the background around it (0-1).
    score : float
        ``min(chroma, 40) / 30 * 0.3 / max(relative_texture, 0.05)`` clipped to 0-3 (higher
        means a smooth, colourful covering is more likely).
    covered_face : float
        Share of the forehead strip and the face sides whose colour is far from the cheeks
        (0-1, higher means less of the face is visible).
    """

    chroma: float
    texture: float
    face_texture: float
    relative_texture: float
    head_share: float
    score: float
    covered_face: float


_RIGHT_EYE = slice(36, 42)  # the subject's right eye (image left)
_LEFT_EYE = slice(42, 48)


def _points(landmarks: NDArray[np.floating]) -> list[list[float]]:
    """Return the landmarks as plain floats (on a few points, cheaper than NumPy calls)."""
    return np.asarray(landmarks, dtype=np.float64).tolist()


def _extent(points: list[list[float]]) -> tuple[float, float, float, float]:
    """Return the smallest and largest x, then the smallest and largest y, of a few points."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), max(xs), min(ys), max(ys)


def _box(image: NDArray[_T], x0: float, x1: float, y0: float, y1: float) -> NDArray[_T]:
    """Pixels of ``image`` in the box (clipped to the image); raises ValueError when empty."""
    return image[_where(image.shape, x0, x1, y0, y1)]


def _where(
    shape: tuple[int, ...], x0: float, x1: float, y0: float, y1: float
) -> tuple[slice, slice]:
    """Rows and columns of the box in an image of this shape (see :func:`_box`)."""
    h, w = shape[:2]
    xa, xb = max(0, round(x0)), min(w, round(x1))
    ya, yb = max(0, round(y0)), min(h, round(y1))
    if xb - xa < 2 or yb - ya < 2:
        raise ValueError("the region is empty or outside the image")
    return slice(ya, yb), slice(xa, xb)


def _select(pixels: NDArray[_T], mask: NDArray[Any]) -> NDArray[_T]:
    """``pixels[mask]`` for an (H, W, C) array and an (H, W) mask (bool or 0/1), as (N, C).

    ``np.compress`` is about twice as fast as boolean indexing on regions this small.
    """
    return pixels.reshape(-1, pixels.shape[-1]).compress(mask.ravel(), axis=0)


def _quantiles(values: NDArray[Any], quantiles: tuple[float, ...]) -> list[float]:
    """``np.percentile(values, 100 * q)`` for each q (linear interpolation), via one partition.

    Several times faster than ``np.median``/``np.percentile`` on the few hundred pixels of
    a region, where NumPy's per-call overhead dominates.
    """
    flat = np.asarray(values).ravel()
    n = flat.size
    if n == 0:
        raise ValueError("the region is empty")
    positions = [q * (n - 1) for q in quantiles]
    ks = sorted({math.floor(p) for p in positions} | {math.ceil(p) for p in positions})
    part = np.partition(flat, ks)
    out = []
    for p in positions:
        lo, hi = math.floor(p), math.ceil(p)
        low = float(part[lo])
        out.append(low + (float(part[hi]) - low) * (p - lo))
    return out


def _median(values: NDArray[Any]) -> float:
    """``np.median(values)`` (see :func:`_quantiles`)."""
    return _quantiles(values, (0.5,))[0]


def _column_medians(values: NDArray[Any]) -> NDArray[np.float32]:
    """``np.median(values, axis=0)`` of a non-empty 2-D array, via one partition."""
    n = values.shape[0]
    k = n // 2
    if n % 2:
        return np.partition(values, k, axis=0)[k].astype(np.float32)
    part = np.partition(values, [k - 1, k], axis=0)
    return ((part[k - 1].astype(np.float32) + part[k]) / 2.0).astype(np.float32)


def teeth_share(rgb: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> float:
    """Return the share of the mouth that looks like teeth: whiter and brighter than the lips.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The aligned face.
    landmarks : ndarray, shape (68, 2)
        iBUG 68-point landmarks in the crop's coordinates.

    Returns
    -------
    float
        Share (0-1) of the pixels inside the outer lip contour (points 48-59) whose HSV
        saturation is under 0.6 times and value over 1.1 times the lower lip's median (the
        lower lip is the band between points 54-59/48 and 64-67/60). Higher means more teeth
        show; closed lips give under about 0.05.

    """
    import cv2

    mouth_points = np.asarray(landmarks, dtype=np.float64)[48:68]
    # Work on the mouth's box only (plain-float bounds: cheaper than NumPy on two numbers).
    left, right, top, bottom = _extent(mouth_points.tolist())
    x0, y0 = max(math.floor(left) - 1, 0), max(math.floor(top) - 1, 0)
    x1, y1 = math.ceil(right - x0) + 2, math.ceil(bottom - y0) + 2
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb[y0 : y0 + y1, x0 : x0 + x1]), cv2.COLOR_RGB2HSV)
    pts = np.round(mouth_points - (x0, y0)).astype(np.int32)
    mouth = np.zeros(hsv.shape[:2], dtype=np.uint8)
    cv2.fillPoly(mouth, [pts[:12]], 1)
    pixels = _select(hsv, mouth)
    if len(pixels) < 10:
        raise ValueError("the mouth region is empty")
    lower = np.zeros_like(mouth)
    # Points 54-59, 48 (outer lower lip) and 60, 67-64 (inner lower lip), less 48 each.
    cv2.fillPoly(lower, [pts[[6, 7, 8, 9, 10, 11, 0, 12, 19, 18, 17, 16]]], 1)
    reference = _select(hsv, lower)
    if len(reference) < 5:
        reference = pixels
    sat, val = _column_medians(reference[:, 1:]).tolist()
    # For whole numbers, s < t exactly when s < ceil(t), and v > t when v > floor(t).
    teeth = (pixels[:, 1] < math.ceil(0.6 * sat)) & (pixels[:, 2] > math.floor(1.1 * val))
    return np.count_nonzero(teeth) / len(pixels)


def bridge_edge(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> float:
    """Return the strength of the strongest horizontal edge across the nose bridge.

    The bridge of a pair of glasses crosses the nose between the eyes as a horizontal bar;
    bare skin there has only weak horizontal edges. The score is the largest row mean of
    the absolute vertical Sobel gradient in a strip 13 px wide (at an inter-eye distance of
    64 px) centred on landmark 27, from just under the eyebrows down to landmark 29, over
    the strip's mean grey level (so that it does not depend on exposure).

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels (inter-eye distance about 64 px).
    landmarks : ndarray, shape (68, 2)
        iBUG 68-point landmarks in the crop's coordinates.

    Returns
    -------
    float
        0 upwards, higher means a stronger bar. On the development photos bare faces score
        4 (median) to 23 (maximum) and faces with glasses 36-72.

    Examples
    --------
    >>> import numpy as np
    >>> lm = np.zeros((68, 2)); lm[27], lm[29] = (96, 96), (96, 130); lm[17:27, 1] = 70
    >>> face = np.full((240, 192), 180, np.uint8)
    >>> bridge_edge(face, lm)
    0.0
    >>> face[92:96, 80:112] = 30  # a dark bar across the bridge
    >>> bridge_edge(face, lm) > 30
    True

    """
    import cv2

    lm = _points(landmarks)
    cx = lm[27][0]
    top = min(lm[21][1], lm[22][1]) + 4.0
    strip = _box(grey, cx - 6.0, cx + 7.0, top, lm[29][1]).astype(np.float32)
    if strip.shape[0] < 3:
        raise ValueError("the nose bridge region is too small")
    gy = cv2.Sobel(strip, cv2.CV_32F, 0, 1, ksize=3, scale=0.25)
    # The largest row mean and the strip mean, in float32 like ndarray.mean (dividing after
    # the maximum gives the same number: rounding a quotient is monotonic).
    width, size = np.float32(strip.shape[1]), np.float32(strip.size)
    strongest = np.abs(gy[1:-1]).sum(axis=1).max() / width
    return float(100.0 * strongest / (strip.sum() / size + 10.0))


def lens_darkness(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> float:
    """Return how much darker the skin around both eyes is than the lower cheeks.

    Tinted lenses darken the lids above and below the eye, not only the eye itself; bare
    lids are about as light as the cheeks. For each eye, the bands 3-10 px above and 4-14 px
    below the eye landmarks (inter-eye distance 64 px) are compared with the cheeks beside
    the nostrils (between landmarks 33 and 51 in height). Landmarks are often still placed
    on sunglasses, so the regions exist either way.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels.
    landmarks : ndarray, shape (68, 2)
        iBUG 68-point landmarks in the crop's coordinates.

    Returns
    -------
    float
        ``1 - median(lids) / (median(cheeks) + 5)`` for the lighter of the two eyes: near 0
        for bare lids, about 0.6 and more behind dark lenses. Higher is darker.

    Examples
    --------
    >>> import numpy as np
    >>> lm = np.zeros((68, 2))
    >>> lm[36:42] = [(48, 96), (56, 92), (72, 92), (80, 96), (72, 100), (56, 100)]
    >>> lm[42:48] = lm[36:42] + (64, 0)
    >>> lm[31], lm[33], lm[35] = (84, 130), (96, 140), (108, 130)
    >>> lm[45], lm[51] = (144, 96), (96, 160)
    >>> face = np.full((240, 192), 160, np.uint8)
    >>> round(lens_darkness(face, lm), 2)
    0.03
    >>> face[80:115, 40:152] = 30  # dark lenses over both eyes
    >>> round(lens_darkness(face, lm), 2)
    0.82

    """
    lm = _points(landmarks)
    y0, y1 = lm[33][1], lm[51][1]
    cheeks = np.concatenate(
        [
            _box(grey, lm[36][0], lm[31][0] - 4.0, y0, y1).ravel(),
            _box(grey, lm[35][0] + 4.0, lm[45][0], y0, y1).ravel(),
        ]
    )
    reference = _median(cheeks) + 5.0
    darkness = []
    for eye in (lm[_RIGHT_EYE], lm[_LEFT_EYE]):
        x0, x1, top, bottom = _extent(eye)
        x1 += 1.0
        lids = np.concatenate(
            [
                _box(grey, x0, x1, top - 10.0, top - 3.0).ravel(),
                _box(grey, x0, x1, bottom + 4.0, bottom + 14.0).ravel(),
            ]
        )
        darkness.append(1.0 - _median(lids) / reference)
    return min(darkness)


def eye_visibility(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> EyeVisibility:
    """Return how visible the eyes are: contrast inside each eye and specular glare.

    An uncovered open eye shows a dark iris against a light sclera; an eye hidden by hair,
    a hand, a thick frame or a tinted lens is flat. Glare on glasses shows as clipped white.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels.
    landmarks : ndarray, shape (68, 2)
        iBUG 68-point landmarks in the crop's coordinates.

    Returns
    -------
    EyeVisibility
        ``contrast``: for the flatter eye, the spread between the 90th and 10th percentiles
        of grey inside the eye's landmark box, over the cheeks' median grey (0 upwards,
        higher is more visible); ``glare``: the larger share, over both eyes, of pixels at
        250 or above in a box around the eye (0-1, higher is worse).

    """
    lm = _points(landmarks)
    cheeks = _box(grey, lm[36][0], lm[45][0], lm[29][1], lm[33][1])
    reference = _median(cheeks) + 5.0
    contrast, glare = [], []
    for eye in (lm[_RIGHT_EYE], lm[_LEFT_EYE]):
        x0, x1, top, bottom = _extent(eye)
        x1, bottom = x1 + 1.0, bottom + 1.0
        inner = _box(grey, x0 + 2.0, x1 - 2.0, top, bottom)
        low, high = _quantiles(inner, (0.1, 0.9))
        contrast.append((high - low) / reference)
        around = _box(grey, x0 - 4.0, x1 + 4.0, top - 6.0, bottom + 6.0)
        glare.append(np.count_nonzero(around >= 250) / around.size)
    return EyeVisibility(contrast=min(contrast), glare=max(glare))


def headwear_scores(
    rgb: NDArray[np.uint8],
    valid: NDArray[np.bool_],
    landmarks: NDArray[np.floating],
) -> Headwear:
    """Score the band above the forehead for a head covering, and the covered share of the face.

    The head crop is aligned like the face crop but at half the scale (inter-eye distance
    32 px) and taller, so that the head up to the crown is in view. Head coverings are
    fabric: smoother than hair and often more colourful. The band is 1.2-1.9 inter-eye
    distances above the eyebrows (the top of the head, above most hairlines), 1.25 inter-eye
    distances wide, centred on the nose. Its texture is measured against the face's own
    texture (brows and eyes, which always have edges), so that a blurred, soft or enlarged
    photo, where hair looks smooth too, does not look like fabric.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The head crop (inter-eye distance about 32 px).
    valid : ndarray of bool, shape (H, W)
        Pixels inside the photo.
    landmarks : ndarray, shape (68, 2)
        iBUG 68-point landmarks in the head crop's coordinates.

    Returns
    -------
    Headwear
        ``chroma``: median CIELAB chroma of the band (0 upwards; hair is mostly 2-25);
        ``texture``: mean absolute Laplacian of the band over its mean grey (0 upwards);
        ``face_texture``: the same over the brows and eyes (0 upwards; about 0.05-0.5,
        lower in blurred photos); ``relative_texture``: ``texture / max(face_texture,
        0.02)`` (hair about 0.3-5, plain fabric under 0.3); ``score``: ``min(chroma, 40) /
        30 * 0.3 / max(relative_texture, 0.05)`` clipped to 0-3 (higher means a smooth,
        colourful covering is more likely; bare heads on the development photos score under
        0.45, drawn caps and scarves over 0.8); ``covered_face``: share of the forehead strip
        just above the eyebrows and of the face sides whose colour is far (delta E over 25)
        from the cheeks (0-1, higher means less of the face from chin to forehead is
        visible), over the parts of those regions inside the crop.

    Raises
    ------
    ValueError
        When less than 0.15 inter-eye distances of the band's height, or less than half of
        the part of the band in the crop, lies inside the photo.

    Examples
    --------
    >>> import numpy as np
    >>> lm = np.zeros((68, 2))
    >>> lm[36:42], lm[42:48] = (32, 96), (64, 96)  # eyes 32 px apart
    >>> lm[17:27], lm[27] = (48, 80), (48, 90)
    >>> lm[[17, 26, 19, 24, 29, 33, 39, 45]] = [(24, 80), (72, 80), (40, 80), (56, 80),
    ...     (48, 110), (48, 120), (40, 96), (72, 96)]
    >>> lm[[1, 3, 13, 15]] = [(10, 100), (14, 130), (82, 130), (86, 100)]
    >>> head = np.full((224, 160, 3), (200, 160, 140), np.uint8)
    >>> head[76:84, 24:72] = 40  # brows and eyes: the face's texture
    >>> head[90:100, 28:36] = head[90:100, 60:68] = 40
    >>> head[:45, 24:104] = (30, 60, 200)  # a plain blue cap over the top of the head
    >>> valid = np.ones((224, 160), bool)
    >>> headwear_scores(head, valid, lm).score
    3.0

    """
    import cv2

    # Plain floats: on a few points, Python arithmetic is cheaper than NumPy calls.
    lm = _points(landmarks)
    xs, ys = zip(*lm, strict=True)
    right = (sum(xs[36:42]) / 6.0, sum(ys[36:42]) / 6.0)
    left = (sum(xs[42:48]) / 6.0, sum(ys[42:48]) / 6.0)
    ied = math.hypot(left[0] - right[0], left[1] - right[1])
    cx = lm[27][0]
    brow = sum(ys[17:27]) / 10.0
    y0, y1 = brow - 1.9 * ied, brow - 1.2 * ied
    x0, x1 = cx - 0.625 * ied, cx + 0.625 * ied
    if y1 < 2.0:
        raise ValueError("the band above the forehead is outside the photo")
    y0 = max(y0, 0.0)
    # Where the photo's top edge cuts the band, keep the rows mostly inside the photo.
    whole = bool(valid.all())  # the crop lies inside the photo
    band_valid = _box(valid, x0, x1, y0, y1)
    if not whole and not band_valid.all():
        rows = np.flatnonzero(band_valid.mean(axis=1) >= 0.5)
        if rows.size:
            y0 = float(round(y0) + rows[0])
        band_valid = _box(valid, x0, x1, y0, y1)
        if band_valid.mean() < 0.5:
            raise ValueError("the band above the forehead is outside the photo")
    if band_valid.shape[0] < 0.15 * ied:
        raise ValueError("the band above the forehead is outside the photo")
    rgb = np.ascontiguousarray(rgb)
    # Background that wraps around the head: what the photo's sides connect to above the
    # brows through smooth colour. Where it fills the band, the top of the head is lower
    # than the band (short hair), so a plain wall there is not fabric.
    band = _where(valid.shape, x0, x1, y0, y1)
    head = band_valid & ~_side_background(rgb, valid, round(brow - 0.5 * ied), band)
    head_share = float(np.count_nonzero(head) / np.count_nonzero(band_valid))
    # Texture: |Laplacian| over the mean grey, on pixels whose neighbours are all in the
    # photo (and, in the band, all on the head). The 3 x 3 filters run on the rows of the
    # band and of the brows and eyes only, plus one row either side: the same values as on
    # the whole crop, on about half of it.
    eyes = _where(valid.shape, lm[17][0], lm[26][0], brow - 0.15 * ied, max(ys[36:48]) + 2.0)
    top = max(min(band[0].start, eyes[0].start) - 1, 0)
    filtered = slice(top, max(band[0].stop, eyes[0].stop) + 1)
    grey = cv2.cvtColor(rgb[filtered], cv2.COLOR_RGB2GRAY)
    lap = np.abs(cv2.Laplacian(grey, cv2.CV_16S))
    steady = valid[filtered] if whole else _erode(valid[filtered])

    def relative_laplacian(where: tuple[slice, slice], inside: NDArray[Any] | None = None) -> float:
        where = (slice(where[0].start - top, where[0].stop - top), where[1])
        mask = steady[where]
        if inside is not None:
            mask = mask & inside
        if not mask.any():
            return 0.0
        weights = mask.view(np.uint8)  # cv2.mean: masked means in one call each
        texture: float = cv2.mean(lap[where], mask=weights)[0]
        return texture / (cv2.mean(grey[where], mask=weights)[0] + 10.0)

    # The face's own texture: brows and eyes, at the same scale and sharpness as the band.
    face_texture = relative_laplacian(eyes)
    if head_share < 0.25:
        # Less than a quarter of the band is on the head: nothing to score there.
        chroma, texture, relative, score = 0.0, 0.0, 0.0, 0.0
    else:
        ab = _select(to_lab(rgb[band]), head)[:, 1:]
        chroma = math.sqrt(_median(np.einsum("ij,ij->i", ab, ab)))  # median of a*^2 + b*^2
        core = _erode(head)
        texture = relative_laplacian(band, core if core.any() else head)
        relative = texture / max(face_texture, 0.02)
        score = min(min(chroma, 40.0) / 30.0 * 0.3 / max(relative, 0.05), 3.0)
    covered = _covered_face(rgb, valid, whole, lm, brow, ied)
    return Headwear(
        chroma=chroma,
        texture=texture,
        face_texture=face_texture,
        relative_texture=float(relative),
        head_share=head_share,
        score=score,
        covered_face=covered,
    )


def _covered_face(
    rgb: NDArray[np.uint8],
    valid: NDArray[np.bool_],
    whole: bool,
    lm: list[list[float]],
    brow: float,
    ied: float,
) -> float:
    """Share of the forehead strip and the face's outer sides far in colour from the cheeks.

    The strip is 0.1-0.35 ``ied`` above the ``brow`` line between landmarks 19 and 24; the
    sides lie between the jaw (points 1-3 and 13-15) and the outer eye corners. Pixels
    count when their CIELAB distance to the cheeks' median colour exceeds 25; parts of the
    regions outside the crop or the photo (``valid`` false; ``whole`` says it is all true)
    are left out. Raises ValueError when a cheek or all the regions are outside the crop.
    """
    cheek_rows = (lm[29][1], lm[33][1])
    wheres = [
        _where(rgb.shape, lm[36][0], lm[39][0], *cheek_rows),
        _where(rgb.shape, lm[42][0], lm[45][0], *cheek_rows),
    ]
    for box in (
        (lm[19][0], lm[24][0], brow - 0.35 * ied, brow - 0.1 * ied),
        (lm[1][0] + 0.1 * ied, lm[36][0], lm[1][1], lm[3][1]),
        (lm[45][0], lm[15][0] - 0.1 * ied, lm[15][1], lm[13][1]),
    ):
        try:
            wheres.append(_where(rgb.shape, *box))
        except ValueError:
            continue  # a face side outside the crop: judge the parts that are inside
    if len(wheres) == 2:
        raise ValueError("the face sides and forehead are outside the photo")
    # One Lab conversion of every region's pixels, gathered in one row.
    gathered = [rgb[where].reshape(-1, 3) for where in wheres[:2]]
    gathered += [
        rgb[where].reshape(-1, 3) if whole else _select(rgb[where], valid[where])
        for where in wheres[2:]
    ]
    lab = to_lab(np.concatenate(gathered))
    cheeks = len(gathered[0]) + len(gathered[1])
    skin = _column_medians(lab[:cheeks])
    pixels = lab[cheeks:]
    if len(pixels) < 10:
        raise ValueError("the face sides and forehead are outside the photo")
    diff = pixels - skin
    return float(np.count_nonzero(np.einsum("ij,ij->i", diff, diff) > 25.0**2) / len(diff))


def _erode(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Erode a mask by a 3 x 3 square (outside the array counts as inside the mask)."""
    import cv2

    return cv2.erode(mask.view(np.uint8), None).view(bool)


def _side_background(
    rgb: NDArray[np.uint8],
    valid: NDArray[np.bool_],
    bottom: int,
    where: tuple[slice, slice],
    tolerance: float = 3.0,
) -> NDArray[np.bool_]:
    """Pixels above row ``bottom`` joined to the photo's left or right edge by smooth colour.

    A flood fill (4-connected, neighbours within ``tolerance`` per RGB channel after a
    light blur) seeded every 4 rows at the first and last pixel inside the photo. Hair
    and fabric edges stop it; a plain wall or backdrop around the head does not. Returns
    the mask of those pixels in the box ``where`` (rows and columns of ``rgb``), which
    must lie above ``bottom``.
    """
    import cv2

    height, width = valid.shape
    bottom = min(max(int(bottom), 0), height)
    if bottom < 2:
        return np.zeros((bottom, width), dtype=bool)[where]
    image = cv2.GaussianBlur(rgb[:bottom], (7, 7), 1.0)  # the size OpenCV picks for sigma 1
    mask = np.zeros((bottom + 2, width + 2), np.uint8)
    seeds = valid[:bottom:4]
    if seeds.all():
        firsts, lasts = [1] * len(seeds), [width - 2] * len(seeds)
        counts = [width] * len(seeds)
    else:
        mask[1:-1, 1:-1] = ~valid[:bottom]  # never fill through the outside of the photo
        firsts = (seeds.argmax(axis=1) + 1).tolist()
        lasts = (width - 2 - seeds[:, ::-1].argmax(axis=1)).tolist()
        counts = seeds.sum(axis=1).tolist()
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | (2 << 8)
    diff = (tolerance,) * 3
    for i, (first, last, count) in enumerate(zip(firsts, lasts, counts, strict=True)):
        if count < 4:
            continue
        y = 4 * i
        for x in (first, last):
            if mask[y + 1, x + 1] == 0:
                cv2.floodFill(image, mask, (x, y), 0, diff, diff, flags)
    return mask[1:-1, 1:-1][where] == 2
