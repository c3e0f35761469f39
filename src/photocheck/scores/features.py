"""Facial-feature and accessory scores on the aligned face: eyes, mouth, glasses, headwear.

Every function takes arrays from the aligned face crop (see
:attr:`photocheck.analysis.Analysis.canonical_face`: eyes level at (64, 96) and (128, 96),
inter-eye distance 64 px, 192 x 240 px) and the mesh points at the 68 iBUG positions in crop coordinates, and
returns raw numbers. Thresholds live in the profiles. The regions are defined from the
landmarks, so the functions also work on other crops whose inter-eye distance is near 64 px.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

_T = TypeVar("_T", bound=np.generic)

__all__ = [
    "EyeVisibility",
    "FrameEdges",
    "bridge_edge",
    "eye_visibility",
    "frame_edge",
    "lens_darkness",
    "lower_rim_edge",
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
        The larger share, over both eyes, of clipped white (250 and above, and pixels just
        below in part) around the eye (0-1, higher is worse).
    """

    contrast: float
    glare: float


class FrameEdges(NamedTuple):
    """Edge evidence of a glasses frame (see :func:`frame_edge`).

    Attributes
    ----------
    frame : float
        Geometric mean of ``bridge`` and ``rims``, 0 upwards; higher = more like glasses.
        Bare faces on the development photos: median 6, 95th percentile 17 (the highest
        under masks, whose upper edge crosses the nose and runs under the eyes); faces with
        glasses or sunglasses: median 51, lowest 17.
    bridge : float
        Horizontal edge across the nose bridge (:func:`bridge_edge`), 0 upwards.
    rims : float
        Horizontal edges under both eyes (:func:`lower_rim_edge`), 0 upwards.
    """

    frame: float
    bridge: float
    rims: float


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
        The mesh points at the 68 iBUG positions, in the crop's coordinates.

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
        The mesh points at the 68 iBUG positions, in the crop's coordinates.

    Returns
    -------
    float
        0 upwards, higher means a stronger bar. On the development photos bare faces score
        5 (median) and 22 (95th percentile; up to 106 under a mask's upper edge), faces with
        glasses or sunglasses 45 (median).

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
    lm = _points(landmarks)
    cx = lm[27][0]
    top = min(lm[21][1], lm[22][1]) + 4.0
    return _row_edge(_box(grey, cx - 6.0, cx + 7.0, top, lm[29][1]), "nose bridge")


def _row_edge(box: NDArray[np.uint8], what: str) -> float:
    """Largest row mean of |vertical Sobel gradient| in a box, over its mean grey + 10, x 100.

    The box's first and last rows are left out (their gradient sees only one neighbour).
    """
    import cv2

    region = box.astype(np.float32)
    if region.shape[0] < 3:
        raise ValueError(f"the {what} region is too small")
    gy = cv2.Sobel(region, cv2.CV_32F, 0, 1, ksize=3, scale=0.25)
    # The largest row mean and the box mean, in float32 like ndarray.mean (dividing after
    # the maximum gives the same number: rounding a quotient is monotonic).
    width, size = np.float32(region.shape[1]), np.float32(region.size)
    strongest = np.abs(gy[1:-1]).sum(axis=1).max() / width
    return float(100.0 * strongest / (region.sum() / size + 10.0))


def lower_rim_edge(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> float:
    """Return the strength of horizontal edges under the eyes, where a frame's lower rims run.

    Below each eye, between its corners and from 0.1 to 0.5 inter-eye distances under the
    lower lid (clear of the lashes), the strongest row mean of the absolute vertical Sobel
    gradient over the box's mean grey + 10 (as :func:`bridge_edge`). The score is the mean
    over both eyes: a frame has two rims, a shadow or a fold under one eye is often alone.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels (inter-eye distance about 64 px).
    landmarks : ndarray, shape (68, 2)
        The mesh points at the 68 iBUG positions, in the crop's coordinates.

    Returns
    -------
    float
        0 upwards, higher means stronger edges under both eyes. On the development photos
        bare faces score 8 (median) and 25 (95th percentile), faces with glasses or
        sunglasses 52 (median).

    Raises
    ------
    ValueError
        When the region under an eye lies outside the crop.

    Examples
    --------
    >>> import numpy as np
    >>> lm = np.zeros((68, 2))
    >>> lm[36:42] = [(48, 96), (56, 92), (72, 92), (80, 96), (72, 100), (56, 100)]
    >>> lm[42:48] = lm[36:42] + (64, 0)
    >>> face = np.full((240, 192), 180, np.uint8)
    >>> lower_rim_edge(face, lm)
    0.0
    >>> face[118:122, 40:152] = 30  # dark rims under both eyes
    >>> lower_rim_edge(face, lm) > 30
    True

    """
    lm = _points(landmarks)
    ied = math.dist(_centre(lm[_RIGHT_EYE]), _centre(lm[_LEFT_EYE]))
    rims = []
    for eye in (lm[_RIGHT_EYE], lm[_LEFT_EYE]):
        x0, x1, _, lid = _extent(eye)
        box = _box(grey, x0, x1 + 1.0, lid + 0.1 * ied, lid + 0.5 * ied)
        rims.append(_row_edge(box, "lower rim"))
    return sum(rims) / 2.0


def _centre(points: list[list[float]]) -> tuple[float, float]:
    """Mean of a few points."""
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def frame_edge(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> FrameEdges:
    """Return the edge evidence of a glasses frame: across the nose bridge and under both eyes.

    A frame crosses the nose between the eyes and runs under both eyes; bare faces have a
    strong horizontal edge in one of these places at times (a crease at the top of the nose,
    a mask's upper edge, a shadow or a fold under the eyes), rarely in both. The score is the
    geometric mean of :func:`bridge_edge` and :func:`lower_rim_edge`: high only when both
    are. Being a product, it needs no scale to weigh one against the other.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels (inter-eye distance about 64 px).
    landmarks : ndarray, shape (68, 2)
        The mesh points at the 68 iBUG positions, in the crop's coordinates.

    Returns
    -------
    FrameEdges
        ``frame`` (0 upwards, higher is more like glasses), ``bridge`` and ``rims``.

    Raises
    ------
    ValueError
        When the nose bridge or the region under an eye lies outside the crop.

    Examples
    --------
    >>> import numpy as np
    >>> lm = np.zeros((68, 2)); lm[27], lm[29] = (96, 96), (96, 130); lm[17:27, 1] = 70
    >>> lm[36:42] = [(48, 96), (56, 92), (72, 92), (80, 96), (72, 100), (56, 100)]
    >>> lm[42:48] = lm[36:42] + (64, 0)
    >>> face = np.full((240, 192), 180, np.uint8)
    >>> face[92:96, 80:112] = 30  # a bridge alone: a crease or a shadow
    >>> round(frame_edge(face, lm).frame, 1)
    0.0
    >>> face[118:122, 40:152] = 30  # and the lower rims
    >>> frame_edge(face, lm).frame > 30
    True

    """
    bridge = bridge_edge(grey, landmarks)
    rims = lower_rim_edge(grey, landmarks)
    return FrameEdges(frame=math.sqrt(bridge * rims), bridge=bridge, rims=rims)


def lens_darkness(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> float:
    """Return how much darker the skin around both eyes is than the lower cheeks.

    Tinted lenses darken the lids above and below the eye, not only the eye itself; bare
    lids are about as light as the cheeks. For each eye, the bands 3-10 px above and 4-14 px
    below the eye landmarks (inter-eye distance 64 px) are compared with the cheeks beside
    the nostrils (between landmarks 33 and 51 in height). Landmarks are often still placed
    on sunglasses, so the regions exist either way. The lids' mean, not their median: where
    a band holds two groups of pixels (skin and a face mask's upper edge, a lid and a dark
    brow), the median jumps from one group to the other when a pixel's shift changes which
    is the larger; the mean moves by that pixel's share. Either cheek may be empty (the far
    cheek of a turned head is a sliver between the eye and the nose), not both.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels.
    landmarks : ndarray, shape (68, 2)
        The mesh points at the 68 iBUG positions, in the crop's coordinates.

    Returns
    -------
    float
        ``1 - mean(lids) / (median(cheeks) + 5)`` for the lighter of the two eyes: near 0
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
    # The far cheek of a turned head is foreshortened to a sliver between the eye's outer
    # corner and the nose: either cheek may be empty, not both.
    sides = []
    for x0, x1 in ((lm[36][0], lm[31][0] - 4.0), (lm[35][0] + 4.0, lm[45][0])):
        try:
            sides.append(_box(grey, x0, x1, y0, y1).ravel())
        except ValueError:
            continue
    if not sides:
        raise ValueError("the cheeks are not both inside the photo")
    reference = _median(np.concatenate(sides)) + 5.0
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
        darkness.append(1.0 - float(lids.mean()) / reference)
    return min(darkness)


def eye_visibility(grey: NDArray[np.uint8], landmarks: NDArray[np.floating]) -> EyeVisibility:
    """Return how visible the eyes are: contrast inside each eye and specular glare.

    An uncovered open eye shows a dark iris against a light sclera; an eye hidden by hair,
    a hand, a thick frame or a tinted lens is flat. Glare on glasses shows as clipped white.

    Glare is measured softly, so that it does not jump when a photo is re-encoded, resized or
    shifted by a pixel: a pixel at 250 or above counts in full, one just below by how near it
    is (from 0 at 244.5 up), so that no pixel enters or leaves at once and a re-encoding that
    moves clipped pixels between 250 and 255 changes nothing; and the box around the eye
    counts its edge rows and columns by the share of each pixel inside it (its edges are not
    rounded to whole pixels).

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The aligned face in grey levels.
    landmarks : ndarray, shape (68, 2)
        The mesh points at the 68 iBUG positions, in the crop's coordinates.

    Returns
    -------
    EyeVisibility
        ``contrast``: for the flatter eye, the spread between the 90th and 10th percentiles
        of grey inside the eye's landmark box, over the cheeks' median grey (0 upwards,
        higher is more visible); ``glare``: the larger share, over both eyes, of clipped
        white (pixels at 250 and above, and those just below in part) in a box around the
        eye (0-1, higher is worse).

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
        glare.append(_soft_glare(grey, x0 - 4.0, x1 + 4.0, top - 6.0, bottom + 6.0))
    return EyeVisibility(contrast=min(contrast), glare=max(glare))


def _soft_glare(grey: NDArray[np.uint8], x0: float, x1: float, y0: float, y1: float) -> float:
    """Weighted share of clipped white in the box ``[x0, x1) x [y0, y1)`` (see :func:`_box`).

    The box spans the pixels whose centres lie from ``x0 - 0.5`` to ``x1 - 0.5`` (what
    :func:`_box` takes when the edges fall on whole pixels); an edge pixel counts by the share
    of it inside. A pixel's weight rises from 0 at grey 244.5 to 1 at 249.5 (250 and above
    count in full).
    """
    h, w = grey.shape[:2]
    xa, xb, ya, yb = x0 - 0.5, x1 - 0.5, y0 - 0.5, y1 - 0.5
    c0, c1 = max(0, math.floor(xa)), min(w, math.ceil(xb) + 1)
    r0, r1 = max(0, math.floor(ya)), min(h, math.ceil(yb) + 1)
    if c1 - c0 < 2 or r1 - r0 < 2:
        raise ValueError("the region is empty or outside the image")
    cols = np.arange(c0, c1, dtype=np.float32)
    rows = np.arange(r0, r1, dtype=np.float32)
    # Pixel i covers [i - 0.5, i + 0.5]: its share inside [a, b].
    col_w = np.clip(np.minimum(cols + 0.5, xb) - np.maximum(cols - 0.5, xa), 0.0, 1.0)
    row_w = np.clip(np.minimum(rows + 0.5, yb) - np.maximum(rows - 0.5, ya), 0.0, 1.0)
    area = float(row_w.sum()) * float(col_w.sum())
    if area <= 0.0:
        raise ValueError("the region is empty or outside the image")
    white = np.clip((grey[r0:r1, c0:c1].astype(np.float32) - 244.5) / 5.0, 0.0, 1.0)
    return float(row_w @ white @ col_w) / area
