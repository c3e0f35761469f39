"""Head-covering scores: the head around the face, read through the face mesh and the person mask.

The scores read an upright head crop (eyes level) with three aligned layers: the pixels, the
person mask (hair *and* hats count as "person") and the 478-point face mesh. The mesh's face
oval (:data:`photocheck.vision.geometry.FACE_OVAL`, from the chin up to the hairline at point
10) says where the face ends; the person mask says where the head ends. What lies between
them, around and above the face, is hair or a covering. Two cues tell a covering from hair:

- its colour: hair and skin share a narrow band of hues (red-orange to yellow); a pink, blue,
  green or purple scarf, cap or hood lies outside it (:func:`covering_colour`);
- its evenness: hair has strands, highlights and partings; a cap, a beanie or a hood is one
  even surface (:func:`top_evenness`).

:func:`covered_face` measures how much of the face itself (forehead and sides) is covered,
for profiles that accept head coverings that leave the face visible. Sizes are in face
widths (mesh points 234-454) and face heights (points 10-152), so the scores do not depend on
the crop's scale; colours are compared in CIELAB. The functions return raw numbers; the limits
live in the profiles.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..imaging.colour import to_lab
from ..vision.geometry import FACE_OVAL, FOREHEAD
from .stats import medians, squared_lengths

__all__ = [
    "HeadRegions",
    "HeadwearScores",
    "covered_face",
    "covering_colour",
    "head_regions",
    "headwear_scores",
    "top_evenness",
]

CHIN = 152
FACE_RIGHT_EDGE, FACE_LEFT_EDGE = 234, 454  # the face's sides at ear level (image left, right)
UPPER_LIP = 13  # the ring around the face stops at the mouth: below it lie collars and clothes
# The nose bridge between and below the eyes: the skin patch a cap, a scarf or a face mask
# almost never covers.
NOSE_BRIDGE = (168, 6, 197, 193, 417, 122, 351, 196, 419)
# The outer eye corners and the brows' inner ends bound the face sides and the forehead strip.
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
RIGHT_BROW_INNER, LEFT_BROW_INNER = 105, 334
BROWS = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300)

# The person mask is shrunk by this share of the face width (its edge is soft and bleeds
# into the background), the face oval grown by half of it (the oval's edge is skin and hair).
_EDGE = 0.06
# Pixels count in part near both edges, so that an edge moving by a pixel (the mesh or the
# person mask under a mirror, a crop or a resize) moves the scores by a little, not by a
# block of pixels switching in or out: the person probability (its least within the shrink
# window) counts from 0 at 0.35 to fully at 0.65, the distance from the oval from 0 at a
# quarter of the grown margin to fully at three quarters.
_PERSON_FROM, _PERSON_TO = 0.35, 0.65
_INNER_RAMP = 0.5
# The ring around the face read by covering_colour: up to this share of the face width out.
_RING = 0.3
# The region above the face read by top_evenness: from this share of the face height below
# the hairline point up, within this share of the face width either side of the face's centre.
_TOP_BELOW_HAIRLINE = 0.05
_TOP_HALF_WIDTH = 0.8
# The band of hair and skin hues (degrees in the a*-b* plane): from 35 below the skin's own hue
# (towards magenta) to 70 above it (towards yellow-green, where blond and ash-blond hair lie),
# and at least 20-100 whatever the skin's hue: auburn hair lies near 25-30 degrees even beside
# pale yellowish skin (about 75).
_HUE_BELOW, _HUE_ABOVE = 35.0, 70.0
_HUE_FLOOR, _HUE_CEILING = 20.0, 100.0
# Pixels with less chroma, or darker, have no hue to speak of (in dark hair, JPEG noise alone
# reaches a chroma of 10 in any hue).
_MIN_CHROMA = 10.0
_MIN_LIGHTNESS = 20.0
# The soft cuts: a pixel counts not at all at the chroma, lightness or hue cut, and fully this
# far past it (chroma 16, L* 30, 10 degrees outside the band).
_CHROMA_RAMP, _LIGHTNESS_RAMP, _HUE_RAMP = 6.0, 10.0, 10.0
_DEFAULT_SKIN_HUE = 55.0  # degrees; for grey photos, where the skin has no hue
_SKIN_CHROMA_FROM, _SKIN_CHROMA_SPAN = 4.0, 8.0  # the skin's own hue counts from 4 to 12
# A pixel this far (delta E) from the skin is not skin (top_evenness reads only those).
_NOT_SKIN = 10.0
_NOT_SKIN_RAMP = 3.0  # counts from 7 (not at all) to 13 (fully)
# The lightness spread of top_evenness: the means of the quantile bands around the 20th, 50th
# and 80th percentiles.
_BANDS = ((0.1, 0.3), (0.4, 0.6), (0.7, 0.9))
# The face is covered where a pixel is this far from the skin (covered_face), lightness
# counting half: a face's side in shade differs in lightness; a covering in colour as well.
_COVERED = 25.0
_COVERED_WEIGHTS = np.array([0.5, 1.0, 1.0], np.float32)
# Fewest pixels (as a share of the squared face width) a region needs to be scored.
_MIN_SHARE = 0.005
# Least height of photo above the hairline point (share of the face height) to judge the head.
_MIN_HEAD_VISIBLE = 0.15


class HeadRegions(NamedTuple):
    """Where the scores look, on the head crop (see :func:`head_regions`).

    Attributes
    ----------
    ring : ndarray of bool, shape (H, W)
        Person pixels in a band up to 0.3 face widths around the face oval, above the mouth.
    top : ndarray of bool, shape (H, W)
        Person pixels above a line 0.05 face heights below the hairline point (mesh point
        10), outside the face oval, within 0.8 face widths of the face's centre.
    skin : ndarray of bool, shape (H, W)
        The nose bridge (the skin reference).
    face : ndarray of bool, shape (H, W)
        The face oval.
    face_width, face_height : float
        Crop pixels between mesh points 234 and 454, and 10 and 152.
    weight : ndarray of float32, shape (H, W)
        How much each pixel of ``top`` counts, 0-1: less near the person mask's edge and near
        the face oval (``top`` holds the pixels above 0 in its bounds).
    ring_weight : ndarray of float32, shape (H, W)
        How much each pixel of ``ring`` counts, 0-1: ``weight``, and less near the ring's
        outer edge and the mouth's row (``ring`` holds the pixels above 0).
    """

    ring: NDArray[np.bool_]
    top: NDArray[np.bool_]
    skin: NDArray[np.bool_]
    face: NDArray[np.bool_]
    face_width: float
    face_height: float
    weight: NDArray[np.float32]
    ring_weight: NDArray[np.float32]


class HeadwearScores(NamedTuple):
    """Head-covering scores of one head (see :func:`headwear_scores`).

    Attributes
    ----------
    covering_colour : float
        Share of the hair-or-covering ring around the face whose hue lies outside the band of
        hair and skin hues, 0-1; higher = a coloured covering more likely. Bare heads on the
        development photos: median 0, 95th percentile 0.0044.
    top_evenness : float
        How even the hair-or-covering above the forehead is, 0-1; higher = more like one
        plain surface (a cap, a hood) than hair. 0 when nothing but skin or background lies
        there (a bald head, short hair against a wall). Bare heads on the development photos:
        median 0.57, 95th percentile 0.78 (flat-lit dark hair, grey and white hair).
    covered_face : float
        Share of the forehead strip above the brows and of the face's sides whose colour is
        far from the skin, 0-1; higher = less of the face from chin to forehead is visible.
        Bare heads on the development photos: median 0.03, 95th percentile 0.35 (shade, hair
        over the temples).
    """

    covering_colour: float
    top_evenness: float
    covered_face: float


def headwear_scores(
    rgb: NDArray[np.uint8],
    valid: NDArray[np.bool_],
    person: NDArray[np.floating],
    mesh: NDArray[np.floating],
) -> HeadwearScores:
    """Score a head crop for a head covering.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        An upright head crop (eyes level) reaching well above the hairline and beyond the
        face's sides (about 2.5 inter-eye distances each side of the eyes and 3.5 above
        them); about 32 px between the eyes is enough.
    valid : ndarray of bool, shape (H, W)
        Pixels of the crop that lie inside the photo.
    person : ndarray of float, shape (H, W)
        Person probability (0-1) on the crop (:attr:`photocheck.analysis.Analysis.person_mask`
        warped like ``rgb``).
    mesh : ndarray, shape (478, 2) or (478, 3)
        The face mesh in the crop's pixel coordinates (x, y; a third column is ignored).

    Returns
    -------
    HeadwearScores

    Raises
    ------
    ValueError
        When too little of the photo lies above the hairline point (less than 0.15 face
        heights: the top of the head is cut off), or the nose bridge is outside the photo.
    """
    points = np.asarray(mesh, dtype=np.float64)[:, :2]
    regions = head_regions(valid, person, points)
    pixels = np.ascontiguousarray(rgb).reshape(-1, 3)

    # Only the regions' pixels are converted to CIELAB (a pixel's conversion does not depend
    # on its neighbours). np.compress on the flattened crop: the pixels of boolean indexing,
    # in the same order.
    def lab_of(mask: NDArray[np.bool_]) -> NDArray[np.float32]:
        return to_lab(pixels.compress(mask.ravel(), axis=0))

    def weights_of(mask: NDArray[np.bool_], weight: NDArray[np.float32]) -> NDArray[np.float32]:
        return weight.ravel().compress(mask.ravel())

    skin = lab_of(regions.skin)
    if len(skin) < 4:
        raise ValueError("the nose bridge is outside the photo")
    reference = medians(skin)
    least = max(4, math.ceil(_MIN_SHARE * regions.face_width**2))
    first, region = _face_sides(valid, points, regions.face)
    covered = to_lab(
        pixels[first * rgb.shape[1] : (first + len(region)) * rgb.shape[1]].compress(
            region.ravel(), axis=0
        )
    )
    # The ring and the top overlap above the forehead: their union is converted once.
    both = (regions.ring | regions.top).ravel()
    lab = to_lab(pixels.compress(both, axis=0))
    in_ring, in_top = regions.ring.ravel().compress(both), regions.top.ravel().compress(both)
    return HeadwearScores(
        covering_colour=covering_colour(
            lab.compress(in_ring, axis=0),
            reference,
            least,
            weights_of(regions.ring, regions.ring_weight),
        ),
        top_evenness=top_evenness(
            lab.compress(in_top, axis=0), reference, least, weights_of(regions.top, regions.weight)
        ),
        covered_face=_covered_share(covered, reference),
    )


def head_regions(
    valid: NDArray[np.bool_], person: NDArray[np.floating], mesh: NDArray[np.float64]
) -> HeadRegions:
    """Place the regions the head-covering scores read (see :class:`HeadRegions`).

    Parameters
    ----------
    valid : ndarray of bool, shape (H, W)
        Pixels of the crop inside the photo.
    person : ndarray of float, shape (H, W)
        Person probability (0-1) on the crop; pixels at 0.5 and above are the person.
    mesh : ndarray, shape (478, 2)
        Face-mesh points in crop pixels.

    Returns
    -------
    HeadRegions

    Raises
    ------
    ValueError
        When less than 0.15 face heights of the photo lie above the hairline point.
    """
    import cv2

    height, width = valid.shape
    pts = mesh.tolist()  # plain floats: cheaper than NumPy on a few points
    face_width = math.dist(pts[FACE_RIGHT_EDGE], pts[FACE_LEFT_EDGE])
    face_height = math.dist(pts[FOREHEAD], pts[CHIN])
    hairline_x, hairline_y = pts[FOREHEAD]
    column = min(max(round(hairline_x), 0), width - 1)
    inside = np.flatnonzero(valid[:, column])
    visible = hairline_y - (inside[0] if inside.size else height)
    if visible < _MIN_HEAD_VISIBLE * face_height:
        raise ValueError("the top of the head is outside the photo")

    face = np.zeros((height, width), np.uint8)
    cv2.fillPoly(face, [np.round(mesh[list(FACE_OVAL)]).astype(np.int32)], 1)
    # Distance of every pixel from the face oval (0 inside it).
    distance = cv2.distanceTransform(1 - face, cv2.DIST_L2, 3)
    edge = max(1, round(_EDGE * face_width))
    # The least person probability within the shrink window (0 outside the photo).
    least_person = cv2.erode(
        np.where(valid, person, 0.0).astype(np.float32),
        np.ones((2 * (edge // 2) + 1,) * 2, np.uint8),
    )
    weight = np.clip(
        (least_person - _PERSON_FROM) / (_PERSON_TO - _PERSON_FROM), 0.0, 1.0
    ) * np.clip((distance - edge / 2) / (_INNER_RAMP * edge) + 0.5, 0.0, 1.0)
    around = weight > 0
    rows = np.arange(height)[:, None]
    # The ring's outer edge and its lower end (the mouth's row, from the mesh) are soft too.
    ring_weight = (
        weight
        * np.clip((_RING * face_width - distance) / edge + 0.5, 0.0, 1.0)
        * np.clip((pts[UPPER_LIP][1] - rows.astype(np.float32)) / edge + 0.5, 0.0, 1.0)
    )
    ring = ring_weight > 0
    centre = (pts[FACE_RIGHT_EDGE][0] + pts[FACE_LEFT_EDGE][0]) / 2
    columns = np.abs(np.arange(width) - centre)[None, :] < _TOP_HALF_WIDTH * face_width
    top = around & columns & (rows < hairline_y + _TOP_BELOW_HAIRLINE * face_height)
    bridge = np.zeros((height, width), np.uint8)
    hull = cv2.convexHull(np.round(mesh[list(NOSE_BRIDGE)]).astype(np.int32))
    cv2.fillConvexPoly(bridge, hull, 1)
    return HeadRegions(
        ring=ring,
        top=top,
        skin=bridge.view(bool) & valid,
        face=face.view(bool) & valid,
        face_width=face_width,
        face_height=face_height,
        weight=weight.astype(np.float32, copy=False),
        ring_weight=ring_weight.astype(np.float32, copy=False),
    )


def covering_colour(
    pixels: NDArray[np.floating],
    skin: NDArray[np.floating],
    least: float = 4,
    weights: NDArray[np.floating] | None = None,
) -> float:
    """Return the share of pixels whose hue lies outside the band of hair and skin hues.

    Hair (black, brown, red, blond, grey) and skin share hues from red-orange to yellow, near
    the skin's own hue; scarves, caps and hoods come in any colour. A pixel counts when its
    chroma is at least 10, its L* at least 20 (darker pixels have no reliable hue) and its hue
    in the a*-b* plane lies outside the band from 35 degrees below the skin's hue (towards
    magenta) to 70 degrees above it (towards yellow-green), widened to cover at least 20-100
    degrees (auburn to ash blond). The band follows the skin's own hue, so a colour cast that
    shifts skin and hair together does not count. The cuts are soft: a pixel counts in part
    just past them, fully from chroma 16, L* 30 and 10 degrees outside the band (a pixel's
    colour moved by a unit moves the share by a little, not by a whole pixel).

    Parameters
    ----------
    pixels : ndarray of float32, shape (N, 3)
        CIELAB pixels around the face (:attr:`HeadRegions.ring`).
    skin : array_like, shape (3,)
        The skin's CIELAB colour (the nose bridge's median).
    least : float, optional
        Fewest pixels (sum of ``weights``) to score; fewer score 0 (nothing around the face
        to judge).
    weights : ndarray of float, shape (N,), optional
        How much each pixel counts, 0-1 (:attr:`HeadRegions.ring_weight`); default 1 each.

    Returns
    -------
    float
        0-1; higher = more of the hair-or-covering is off the hair hues.

    Examples
    --------
    >>> import numpy as np
    >>> skin = np.array([65.0, 15.0, 20.0])
    >>> hair = np.array([[30.0, 8.0, 12.0]] * 9 + [[60.0, 20.0, 45.0]])  # brown and a blond
    >>> covering_colour(hair, skin)
    0.0
    >>> scarf = np.array([[55.0, 40.0, -5.0]] * 6 + [[30.0, 8.0, 12.0]] * 4)  # pink
    >>> covering_colour(scarf, skin)
    0.6
    """
    total = float(len(pixels) if weights is None else np.sum(weights, dtype=np.float64))
    if total < least or len(pixels) == 0:
        return 0.0
    # The hue of a near-grey skin (a grey photo, a face mask over the nose) is noise: it
    # blends into the usual skin hue as the chroma falls from 12 to 4, not at one cut.
    a0, b0 = float(skin[1]), float(skin[2])
    own = min(max((math.hypot(a0, b0) - _SKIN_CHROMA_FROM) / _SKIN_CHROMA_SPAN, 0.0), 1.0)
    usual = math.radians(_DEFAULT_SKIN_HUE)
    length = max(math.hypot(a0, b0), 1e-9)
    skin_hue = math.degrees(
        math.atan2(
            own * b0 / length + (1.0 - own) * math.sin(usual),
            own * a0 / length + (1.0 - own) * math.cos(usual),
        )
    )
    low = min(skin_hue - _HUE_BELOW, _HUE_FLOOR)
    high = max(skin_hue + _HUE_ABOVE, _HUE_CEILING)
    a, b = pixels[:, 1], pixels[:, 2]
    # Hue from the band's centre, in degrees within -180 to 180.
    turn = np.degrees(np.arctan2(b, a)) - (low + high) / 2.0
    turn = (turn + 180.0) % 360.0 - 180.0
    # Soft memberships, not hard cuts: a pixel past a cut counts in part, rising to fully over
    # a few units, so that the many pixels of faint hair or a pale covering near a cut do not
    # all switch together when a mirror, a crop or a re-encoding moves their colour by a unit.
    chroma = np.sqrt(a * a + b * b)
    weight = np.clip((chroma - _MIN_CHROMA) / _CHROMA_RAMP, 0.0, 1.0)
    weight *= np.clip((pixels[:, 0] - _MIN_LIGHTNESS) / _LIGHTNESS_RAMP, 0.0, 1.0)
    weight *= np.clip((np.abs(turn) - (high - low) / 2.0) / _HUE_RAMP, 0.0, 1.0)
    if weights is not None:
        weight *= weights
    return float(np.sum(weight, dtype=np.float64) / total)


def top_evenness(
    pixels: NDArray[np.floating],
    skin: NDArray[np.floating],
    least: float = 4,
    weights: NDArray[np.floating] | None = None,
) -> float:
    """Return how even in lightness the hair-or-covering above the forehead is.

    Of the pixels above the hairline, those at least 10 delta E from the skin are hair or a
    covering (a bald crown or a high forehead is skin and left out; the cut is soft: a pixel
    counts from 0 at 7 to fully at 13). Their lightness spread ``(p80 - p20) / (p50 + 10)``
    (L*, the +10 keeps near-black regions from dividing by 0) is large for hair (strands,
    highlights, a parting) and small for a cap, a beanie or a hood; the score is
    ``1 / (1 + spread)``. Each percentile is the mean of a band of quantiles around it
    (0.1-0.3, 0.4-0.6, 0.7-0.9): where the pixels form two groups (dark hair and a light
    scalp, a headrest beside the head), a percentile would jump across the gap when a few
    pixels change group; the band's mean moves by their share.

    Parameters
    ----------
    pixels : ndarray of float32, shape (N, 3)
        CIELAB pixels above the forehead (:attr:`HeadRegions.top`).
    skin : array_like, shape (3,)
        The skin's CIELAB colour.
    least : float, optional
        Fewest non-skin pixels (sum of ``weights``) to score; fewer score 0 (nothing but skin
        or background there).
    weights : ndarray of float, shape (N,), optional
        How much each pixel counts, 0-1 (:attr:`HeadRegions.weight`); default 1 each. The
        percentiles are then weighted.

    Returns
    -------
    float
        0-1; higher = more even (more like one plain surface). Bare heads on the development
        photos: median 0.57, 95th percentile 0.78 (flat-lit dark hair, grey and white hair).

    Examples
    --------
    >>> import numpy as np
    >>> skin = np.array([65.0, 15.0, 20.0])
    >>> rng = np.random.default_rng(0)
    >>> hair = np.stack([rng.uniform(10, 60, 500), np.full(500, 5.0), np.full(500, 10.0)], 1)
    >>> round(top_evenness(hair, skin), 2)
    0.61
    >>> cap = np.stack([rng.normal(45, 1.5, 500), np.full(500, -20.0), np.full(500, -30.0)], 1)
    >>> round(top_evenness(cap, skin), 2)
    0.96
    """
    if len(pixels) < least:
        return 0.0
    # How far from the skin, as a soft cut: pixels of a bald crown or a high forehead lie
    # about at the cut, and would otherwise switch in and out together.
    distance = np.sqrt(squared_lengths(pixels - skin))
    kept = np.clip((distance - (_NOT_SKIN - _NOT_SKIN_RAMP)) / (2.0 * _NOT_SKIN_RAMP), 0.0, 1.0)
    if weights is not None:
        kept *= weights
    far = kept > 0
    if kept.sum() < least:
        return 0.0
    low, mid, high = _quantile_means(pixels[far, 0], kept[far].astype(np.float64), _BANDS)
    return float(1.0 / (1.0 + (high - low) / (mid + 10.0)))


def _quantile_means(
    values: NDArray[np.floating],
    weights: NDArray[np.float64],
    bands: tuple[tuple[float, float], ...],
) -> list[float]:
    """Mean of the weighted values between two quantiles, for each band ``(from, to)``.

    The mean of the quantile function over a band, not its value at one point: when the
    values form two groups (hair and a headrest, a scalp and a cap) and a pixel's weight moves
    a percentile across the gap between them, the band's mean moves by the pixel's share of
    the band, not by the gap.
    """
    order = np.argsort(values, kind="stable")
    sorted_values = values[order].astype(np.float64)
    w = weights[order]
    upper = np.cumsum(w)
    upper /= upper[-1]
    lower = np.concatenate(([0.0], upper[:-1]))
    out = []
    for start, stop in bands:
        overlap = np.clip(np.minimum(upper, stop) - np.maximum(lower, start), 0.0, None)
        out.append(float(np.dot(overlap, sorted_values) / (stop - start)))
    return out


def covered_face(
    lab: NDArray[np.float32],
    valid: NDArray[np.bool_],
    mesh: NDArray[np.float64],
    face: NDArray[np.bool_],
    skin: NDArray[np.floating],
) -> float:
    """Return the share of the forehead strip and the face's sides far in colour from the skin.

    The forehead strip is the part of the face oval between the brows' inner ends, from the
    brows up a third of the way to the hairline point; the sides are the parts of the face
    oval outside the outer eye corners, from the eyes down to the mouth. A scarf or a hood
    pulled over the forehead or the cheeks covers them; one that frames the face leaves them
    visible. Pixels count when their distance from the skin exceeds 25 (CIELAB, L* weighted
    by half: a face's side in shade differs in lightness, a covering in colour as well).

    Parameters
    ----------
    lab : ndarray of float32, shape (H, W, 3)
        The head crop in CIELAB.
    valid : ndarray of bool, shape (H, W)
        Pixels inside the photo.
    mesh : ndarray, shape (478, 2)
        Face-mesh points in crop pixels.
    face : ndarray of bool, shape (H, W)
        The face oval (:attr:`HeadRegions.face`).
    skin : array_like, shape (3,)
        The skin's CIELAB colour.

    Returns
    -------
    float
        0-1; higher = less of the face visible. 0 when the regions hold no pixel.
    """
    first, region = _face_sides(valid, mesh, face)
    rows = np.ascontiguousarray(lab[first : first + len(region)]).reshape(-1, 3)
    return _covered_share(rows.compress(region.ravel(), axis=0), skin)


def _face_sides(
    valid: NDArray[np.bool_], mesh: NDArray[np.float64], face: NDArray[np.bool_]
) -> tuple[int, NDArray[np.bool_]]:
    """Return the first row and the mask rows of :func:`covered_face`'s strip and sides."""
    height, width = valid.shape
    pts = mesh.tolist()
    brow = sum(pts[i][1] for i in BROWS) / len(BROWS)
    strip_top = brow - (brow - pts[FOREHEAD][1]) / 3.0
    eyes = (pts[RIGHT_EYE_OUTER][1] + pts[LEFT_EYE_OUTER][1]) / 2.0
    # Only the rows from the higher to the lower region's bounds can hold a region pixel.
    first = min(max(math.ceil(min(strip_top, eyes)), 0), height)
    last = min(max(math.ceil(max(brow, pts[UPPER_LIP][1])), first), height)
    rows = np.arange(first, last)[:, None]
    columns = np.arange(width)[None, :]
    strip = (
        (rows >= strip_top)
        & (rows < brow)
        & (columns >= pts[RIGHT_BROW_INNER][0])
        & (columns <= pts[LEFT_BROW_INNER][0])
    )
    sides = (
        (rows >= eyes)
        & (rows < pts[UPPER_LIP][1])
        & ((columns < pts[RIGHT_EYE_OUTER][0]) | (columns > pts[LEFT_EYE_OUTER][0]))
    )
    return first, face[first:last] & valid[first:last] & (strip | sides)


def _covered_share(pixels: NDArray[np.float32], skin: NDArray[np.floating]) -> float:
    """Share of CIELAB pixels far from the skin (see :func:`covered_face`); 0 when none."""
    if len(pixels) == 0:
        return 0.0
    diff = (pixels - np.asarray(skin, dtype=np.float32)) * _COVERED_WEIGHTS
    return float(np.count_nonzero(squared_lengths(diff) > _COVERED**2) / len(pixels))
