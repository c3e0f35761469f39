"""Occlusion scores: how much a mask, a hand or hair covers part of the face.

Every score reads pixels inside regions placed by the 478-point face mesh (MediaPipe
indices, see :mod:`photocheck.vision.geometry`) on an upright face crop: eyes level, as in
:attr:`photocheck.analysis.Analysis.canonical_face`. The mesh still places its points under a
mask, a hand or hair, so its points say *where* to look and the pixels there say *what* is
there. Region sizes are in inter-eye distances (``ied``: between the iris centres 468 and 473),
so the scores do not depend on the crop's scale. Colours are compared in CIELAB (delta E 1976).
The functions return raw numbers; the limits live in the profiles.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..imaging.colour import to_lab
from ..vision.geometry import LEFT_IRIS_CENTRE, RIGHT_IRIS_CENTRE
from .stats import medians, squared_lengths

__all__ = [
    "OcclusionScores",
    "eye_difference",
    "lower_face_difference",
    "mouth_contrast",
    "occlusion_scores",
]

# Outer lip contour, closed: upper lip from the image's left corner (61), lower lip back.
LIPS_OUTER = (
    61, 185, 40, 39, 37, 0, 267, 269, 270, 409,
    291, 375, 321, 405, 314, 17, 84, 181, 91, 146,
)  # fmt: skip
# Eye openings (lid contours, closed) and brows (upper edge outwards-in, lower edge back).
RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
# The lower face: the jaw from nose level round the chin (the points at iBUG jaw positions
# 2-14) and the bottom of the nose (iBUG 31-35). A mask covers it; so does a hand on the mouth.
LOWER_FACE = (93, 132, 58, 136, 150, 176, 152, 400, 379, 365, 288, 361, 323, 75, 97, 2, 326, 305)
NOSE_BRIDGE = 168  # between the eyes
SUBNASALE = 2  # below the nose tip
CHIN = 152

# Around the eyes, lightness counts half in colour distances: one side of a face in shade
# differs in lightness; hair over an eye differs in colour as well.
_EYE_LAB_WEIGHTS = np.array([0.5, 1.0, 1.0], np.float32)
# An eye-region pixel this far (weighted delta E) from the other eye's median colour is unlike it.
_UNLIKE = 15.0
# Fewest pixels a region needs to be measured.
_MIN_PIXELS = 12


class OcclusionScores(NamedTuple):
    """Occlusion scores of one face (see :func:`occlusion_scores`).

    Attributes
    ----------
    lower_face_difference : float
        Delta E of the lower face from the upper face's skin, 0 upwards; higher = more like a
        mask (see :func:`lower_face_difference`).
    mouth_contrast : float
        Contrast across the outer lip outline over that across the eyebrows' outlines, 0
        upwards; lower = mouth less visible (see :func:`mouth_contrast`).
    eye_difference : float
        How unlike each other the two eyes' surroundings are, 0-1: the smaller of
        ``right_eye_unlike`` and ``left_eye_unlike``; higher = one eye more likely covered
        (see :func:`eye_difference`).
    right_eye_unlike, left_eye_unlike : float
        The share of the pixels around the person's right eye (image left) that are unlike
        the left eye's surroundings, and the other way round, 0-1.
    """

    lower_face_difference: float
    mouth_contrast: float
    eye_difference: float
    right_eye_unlike: float
    left_eye_unlike: float


def occlusion_scores(
    rgb: NDArray[np.uint8], valid: NDArray[np.bool_], mesh: NDArray[np.floating]
) -> OcclusionScores:
    """Score a face crop for a mask, a covered mouth and hair over an eye.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        An upright face crop (eyes level), e.g. the canonical face.
    valid : ndarray of bool, shape (H, W)
        Pixels of the crop that lie inside the photo.
    mesh : ndarray, shape (478, 2) or (478, 3)
        The face mesh in the crop's pixel coordinates (x, y; a third column is ignored).

    Returns
    -------
    OcclusionScores

    Raises
    ------
    ValueError
        When a region the scores need lies outside the crop or the photo.
    """
    lab = to_lab(rgb)
    points = np.asarray(mesh, dtype=np.float64)[:, :2]
    right, left = eye_difference(lab, valid, points)
    return OcclusionScores(
        lower_face_difference=lower_face_difference(lab, valid, points),
        mouth_contrast=mouth_contrast(lab, valid, points),
        eye_difference=min(right, left),
        right_eye_unlike=right,
        left_eye_unlike=left,
    )


def lower_face_difference(
    lab: NDArray[np.float32], valid: NDArray[np.bool_], mesh: NDArray[np.float64]
) -> float:
    """Return how far the lower face's colour lies from the skin of the upper face.

    A mask puts a non-skin colour (white, blue, black, a print) over the nose, mouth and
    chin. Each half (image left and right of the midline) of the lower face
    (:data:`LOWER_FACE`, shrunk by 15% towards its centre to stay off the face's edge; a half
    less than half inside the photo is left out) is compared with four
    skin patches of the upper face, each with its own median colour: between the eyebrows,
    the forehead above them, and a band just under each eye. For one half and one patch the
    difference is the median of the pixels' delta E from the patch colour; the score is the
    smallest over halves and patches. The smallest, because hair, a hat brim or glasses may
    cover a patch (which would make that patch look unlike the lower face) and side light
    may darken one half; a mask makes every pair differ.

    Parameters
    ----------
    lab : ndarray of float32, shape (H, W, 3)
        An upright face crop in CIELAB (:func:`photocheck.imaging.colour.to_lab`).
    valid : ndarray of bool, shape (H, W)
        Pixels inside the photo.
    mesh : ndarray, shape (478, 2)
        Face-mesh points in crop pixels.

    Returns
    -------
    float
        Delta E, 0 upwards (about 0-100); higher = more mask-like. Bare faces on the
        development photos measured 2-16 (22 in the shade of a hat brim); masks 22-59. A
        white mask on pale skin can come close to a bright brow ridge (17 on skimage's
        astronaut).

    Raises
    ------
    ValueError
        When the lower face or every skin patch is outside the crop or the photo.

    Examples
    --------
    >>> import numpy as np
    >>> from photocheck.imaging.colour import to_lab
    >>> mesh = _toy_mesh()
    >>> face = np.full((240, 192, 3), (205, 160, 135), np.uint8)
    >>> valid = np.ones((240, 192), bool)
    >>> round(lower_face_difference(to_lab(face), valid, mesh), 1)
    0.0
    >>> face[130:200, 40:152] = (170, 210, 235)  # a light-blue mask
    >>> round(lower_face_difference(to_lab(face), valid, mesh), 1)
    43.6

    """
    ied = _ied(mesh)
    # Everything happens inside the lower face's box: the halves, and the pixels gathered.
    lower_full = _hull_mask(valid.shape, _shrink(mesh[list(LOWER_FACE)], 0.85))
    rows, cols = _mask_box(lower_full)
    lower, inside_photo = lower_full[rows, cols], valid[rows, cols]
    midline = (mesh[SUBNASALE, 0] + mesh[CHIN, 0]) / 2.0
    columns = np.arange(cols.start, cols.stop)
    region = np.ascontiguousarray(lab[rows, cols])
    halves = []
    for half in (lower & (columns < midline), lower & (columns >= midline)):
        inside = half & inside_photo
        if int(np.count_nonzero(inside)) >= max(_MIN_PIXELS, int(np.count_nonzero(half)) // 2):
            halves.append(_gather(region, inside))
    if not halves:
        raise ValueError("the lower face is outside the photo")
    references = []
    for patch in _patch_boxes(valid.shape, mesh, ied, _UPPER_PATCHES):
        seen = valid[patch]
        if np.count_nonzero(seen) >= _MIN_PIXELS:
            references.append(medians(_gather(lab[patch], seen)))
    if not references:
        raise ValueError("the upper face is outside the photo")
    refs = np.asarray(references, dtype=np.float32)
    best = np.inf
    for pixels in halves:
        # Delta E of every pixel (columns) from every reference (rows).
        diff = np.ascontiguousarray(pixels.T)[np.newaxis, :, :] - refs[:, :, np.newaxis]
        distance = np.sqrt(squared_lengths(diff, axis=1))
        best = min(best, float(medians(distance, axis=1).min()))
    return best


def mouth_contrast(
    lab: NDArray[np.float32], valid: NDArray[np.bool_], mesh: NDArray[np.float64]
) -> float:
    """Return how visible the outline of the lips is, relative to that of the eyebrows.

    Lips differ from the skin around them in lightness or redness all along their outer
    outline; a hand, a mask or anything else over the mouth leaves no outline where the mesh
    places it. The contrast across an outline is the median, over 64 points spaced evenly
    along it, of the delta E between the colours 0.05 ``ied`` outside and inside it. The
    lips' contrast (:data:`LIPS_OUTER`) is divided by the mean of the two eyebrows' (their
    outline: :data:`RIGHT_BROW`, :data:`LEFT_BROW`; at least 2), which scales the same way
    with the photo's contrast, grey-level photos and dark skin, where lips stand out less.

    Parameters
    ----------
    lab : ndarray of float32, shape (H, W, 3)
        An upright face crop in CIELAB.
    valid : ndarray of bool, shape (H, W)
        Pixels inside the photo.
    mesh : ndarray, shape (478, 2)
        Face-mesh points in crop pixels.

    Returns
    -------
    float
        0 upwards; lower = mouth less visible. Visible mouths on the development photos
        measured 0.22-4 (median about 0.9; under 0.3 only in two grey-level photos); six of
        nine masks 0.07-0.27 (printed or folded masks have outlines of their own). Fingers
        across the mouth lower it less than a plain cover: the mesh puts its lips on the
        creases between them.

    Raises
    ------
    ValueError
        When the lip outline or both eyebrows are outside the crop or the photo.

    Examples
    --------
    >>> import cv2
    >>> import numpy as np
    >>> from photocheck.imaging.colour import to_lab
    >>> mesh = _toy_mesh()
    >>> face = np.full((240, 192, 3), (205, 160, 135), np.uint8)
    >>> for brow in (RIGHT_BROW, LEFT_BROW):
    ...     _ = cv2.fillPoly(face, [np.round(mesh[list(brow)]).astype(np.int32)], (90, 60, 45))
    >>> valid = np.ones((240, 192), bool)
    >>> round(mouth_contrast(to_lab(face), valid, mesh), 2)  # no lips drawn: no outline
    0.0
    >>> lips = np.round(mesh[list(LIPS_OUTER)]).astype(np.int32)
    >>> _ = cv2.fillPoly(face, [lips], (170, 80, 90))
    >>> mouth_contrast(to_lab(face), valid, mesh) > 0.5
    True

    """
    ied = _ied(mesh)
    lips, *brows = _outline_contrasts(
        lab, valid, [mesh[list(c)] for c in (LIPS_OUTER, RIGHT_BROW, LEFT_BROW)], ied
    )
    if lips is None:
        raise ValueError("the lip outline is outside the photo")
    seen = [b for b in brows if b is not None]
    if not seen:
        raise ValueError("the eyebrows are outside the photo")
    return lips / max(sum(seen) / len(seen), 2.0)


def _outline_contrasts(
    lab: NDArray[np.float32],
    valid: NDArray[np.bool_],
    contours: list[NDArray[np.float64]],
    ied: float,
) -> list[float | None]:
    """Return the median delta E across each closed contour (see :func:`mouth_contrast`).

    None for a contour when fewer than half of its 64 sample pairs lie inside the crop and
    the photo. The contours are sampled together: one set of array operations for all.
    """
    import cv2

    n = 64
    # Per contour: its segments, their lengths and where each starts along the outline.
    closed = [np.vstack([c, c[:1]]) for c in contours]
    steps = [np.diff(c, axis=0) for c in closed]
    lengths = [np.hypot(s[:, 0], s[:, 1]) for s in steps]
    along = [np.concatenate([[0.0], np.cumsum(length)]) for length in lengths]
    totals = np.array([a[-1] for a in along])
    # n points evenly spaced along each outline (np.linspace(0, total, n, endpoint=False)).
    at = np.arange(n) * (totals / n)[:, np.newaxis]
    first = np.cumsum([0] + [len(s) for s in steps])  # where each contour's segments start
    seg = np.concatenate(
        [
            first[i] + np.clip(np.searchsorted(along[i], at[i], side="right") - 1, 0, len(s) - 1)
            for i, s in enumerate(steps)
        ]
    )
    all_steps, all_lengths = np.concatenate(steps), np.concatenate(lengths)
    starts = np.concatenate([a[:-1] for a in along])
    corners = np.concatenate(contours)
    frac = (at.ravel() - starts[seg]) / np.maximum(all_lengths[seg], 1e-9)
    xy = corners[seg] + all_steps[seg] * frac[:, np.newaxis]
    tangent = all_steps[seg] / np.maximum(all_lengths[seg], 1e-9)[:, np.newaxis]
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    offset = max(0.05 * ied, 1.5) * normal
    # Rows: contour, then outside/inside, then the n points along it.
    samples = np.stack(
        [(xy + offset).reshape(-1, n, 2), (xy - offset).reshape(-1, n, 2)], axis=1
    ).astype(np.float32)
    h, w = valid.shape
    x, y = samples[..., 0], samples[..., 1]
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    ix = np.clip(np.round(x).astype(np.intp), 0, w - 1)
    iy = np.clip(np.round(y).astype(np.intp), 0, h - 1)
    inside &= valid[iy, ix]
    pairs = inside[:, 0] & inside[:, 1]
    flat = samples.reshape(-1, 1, 2)
    colours = cv2.remap(lab, flat[..., :1], flat[..., 1:], cv2.INTER_LINEAR).reshape(-1, 2, n, 3)
    diff = colours[:, 0] - colours[:, 1]
    contrast = np.sqrt(squared_lengths(diff))
    return [
        float(medians(contrast[k][pairs[k]]))
        if totals[k] > 0 and np.count_nonzero(pairs[k]) >= n // 2
        else None
        for k in range(len(contours))
    ]


def eye_difference(
    lab: NDArray[np.float32], valid: NDArray[np.bool_], mesh: NDArray[np.float64]
) -> tuple[float, float]:
    """Return how unlike the other eye's surroundings each eye's surroundings are.

    Around an eye - over its width, from the lowest point of the eyebrow to 0.2 ``ied``
    under the lower lid, leaving out the eye opening and the eyebrow (each widened by 0.05
    ``ied``) - lie the upper lid and the skin under the eye. On a bare face both eyes'
    surroundings have much the same colour; hair over one eye makes its surroundings unlike
    the other's. For each eye, the share of its pixels whose CIELAB distance from the other
    eye's median colour exceeds 15, lightness counting half (one side of the face in shade
    differs mostly in lightness). :func:`occlusion_scores` reports the smaller share, which
    is high only when both sides differ from each other as a whole, not when a few shadowed
    or hair pixels stray into one of them. Hair over both eyes, or tinted lenses, leave the
    two sides alike: ``eyes.visible`` and ``accessory.sunglasses`` judge those.

    Parameters
    ----------
    lab : ndarray of float32, shape (H, W, 3)
        An upright face crop in CIELAB.
    valid : ndarray of bool, shape (H, W)
        Pixels inside the photo.
    mesh : ndarray, shape (478, 2)
        Face-mesh points in crop pixels.

    Returns
    -------
    right, left : float
        The share (0-1) for the person's right eye (image left) and left eye (image right).
        Higher = more unlike the other eye. On the development photos the smaller of the two
        was at most 0.67 for bare faces (the highest under harsh side light) and 1.0 for
        hair blown over one eye.

    Raises
    ------
    ValueError
        When an eye region is mostly outside the crop or the photo.

    Examples
    --------
    >>> import numpy as np
    >>> from photocheck.imaging.colour import to_lab
    >>> mesh = _toy_mesh()
    >>> face = np.full((240, 192, 3), (205, 160, 135), np.uint8)
    >>> valid = np.ones((240, 192), bool)
    >>> eye_difference(to_lab(face), valid, mesh)
    (0.0, 0.0)
    >>> face[50:125, 110:165] = (60, 40, 30)  # dark hair over the left eye (image right)
    >>> eye_difference(to_lab(face), valid, mesh)
    (1.0, 1.0)

    """
    import cv2

    ied = _ied(mesh)
    h, w = valid.shape
    grow = max(3, 2 * round(0.05 * ied) + 1)
    kernel = np.ones((grow, grow), np.uint8)
    pixels = []
    for eye, brow in ((RIGHT_EYE, RIGHT_BROW), (LEFT_EYE, LEFT_BROW)):
        lids, brows = mesh[list(eye)], mesh[list(brow)]
        x0, x1 = float(lids[:, 0].min()), float(lids[:, 0].max())
        y0, y1 = float(brows[:, 1].max()), float(lids[:, 1].max()) + 0.2 * ied
        rows, cols = _box_slices((h, w), x0, x1, y0, y1)
        polygons = [np.round(lids).astype(np.int32), np.round(brows).astype(np.int32)]
        # Draw and grow the features on a window holding the box (grown by the kernel's
        # reach) and the whole features, so that the box sees what a full-size drawing gives.
        corners = np.concatenate(polygons)
        reach = grow // 2
        left = max(0, min(cols.start - reach, int(corners[:, 0].min())))
        top = max(0, min(rows.start - reach, int(corners[:, 1].min())))
        right = min(w, max(cols.stop + reach, int(corners[:, 0].max()) + 1))
        bottom = min(h, max(rows.stop + reach, int(corners[:, 1].max()) + 1))
        features = np.zeros((max(bottom - top, 1), max(right - left, 1)), np.uint8)
        cv2.fillPoly(features, [p - (left, top) for p in polygons], 1)
        grown = cv2.dilate(features, kernel)
        in_box = (
            slice(rows.start - top, rows.stop - top),
            slice(cols.start - left, cols.stop - left),
        )
        ring = grown[in_box] == 0
        inside = ring & valid[rows, cols]
        if int(np.count_nonzero(inside)) < max(_MIN_PIXELS, int(np.count_nonzero(ring)) // 2):
            raise ValueError("an eye region is outside the photo")
        pixels.append(_gather(lab[rows, cols], inside) * _EYE_LAB_WEIGHTS)
    shares = []
    for own, other in ((pixels[0], pixels[1]), (pixels[1], pixels[0])):
        diff = own - medians(other)
        far = squared_lengths(diff, axis=1) > _UNLIKE**2
        shares.append(float(np.count_nonzero(far) / far.size))
    return shares[0], shares[1]


def _ied(mesh: NDArray[np.float64]) -> float:
    """Return the distance between the iris centres; raise ValueError when they coincide."""
    ied = float(np.hypot(*(mesh[LEFT_IRIS_CENTRE] - mesh[RIGHT_IRIS_CENTRE])))
    if ied < 1.0:
        raise ValueError("the eyes are less than a pixel apart")
    return ied


def _patch_boxes(
    shape: tuple[int, ...], mesh: NDArray[np.float64], ied: float, names: tuple[str, ...]
) -> list[tuple[slice, slice]]:
    """Return small boxes of bare skin in the upper face (rows, columns), by name.

    ``glabella``: 0.1 ``ied`` either side of the nose bridge (168), from the inner brow ends
    down to the bridge. ``forehead``: 0.3 ``ied`` either side, 0.12-0.45 ``ied`` above the
    highest brow point. ``under_right`` / ``under_left``: 0.03-0.12 ``ied`` under the eye's
    lower lid, over the middle 80% of its width (a mask worn up to the nose bridge sits lower).
    """
    cx, bridge_y = float(mesh[NOSE_BRIDGE, 0]), float(mesh[NOSE_BRIDGE, 1])
    inner_brow_y = float(min(mesh[107, 1], mesh[336, 1]))
    top = float(mesh[list(RIGHT_BROW + LEFT_BROW), 1].min())
    boxes = {
        "glabella": (cx - 0.1 * ied, cx + 0.1 * ied, inner_brow_y, bridge_y),
        "forehead": (cx - 0.3 * ied, cx + 0.3 * ied, top - 0.45 * ied, top - 0.12 * ied),
    }
    for side, eye in (("right", RIGHT_EYE), ("left", LEFT_EYE)):
        lids = mesh[list(eye)]
        x_min, x_max = float(lids[:, 0].min()), float(lids[:, 0].max())
        lid = float(lids[:, 1].max())
        margin = 0.1 * (x_max - x_min)
        boxes[f"under_{side}"] = (
            x_min + margin,
            x_max - margin,
            lid + 0.03 * ied,
            lid + 0.12 * ied,
        )
    return [_box_slices(shape, *boxes[name]) for name in names]


# Skin patches a mask leaves uncovered (compared with the lower face).
_UPPER_PATCHES = ("glabella", "forehead", "under_right", "under_left")


def _box_slices(
    shape: tuple[int, ...], x0: float, x1: float, y0: float, y1: float
) -> tuple[slice, slice]:
    """Return the rows and columns of the pixels in the box, clipped to the image (may be empty)."""
    h, w = shape[:2]
    xa, xb = max(0, round(x0)), min(w, round(x1))
    ya, yb = max(0, round(y0)), min(h, round(y1))
    if xb > xa and yb > ya:
        return slice(ya, yb), slice(xa, xb)
    return slice(0, 0), slice(0, 0)


def _gather(region: NDArray[np.float32], mask: NDArray[np.bool_]) -> NDArray[np.float32]:
    """Return ``region[mask]`` as (N, C), pixels in the same order; several times faster."""
    return np.ascontiguousarray(region).reshape(-1, region.shape[-1]).compress(mask.ravel(), axis=0)


def _mask_box(mask: NDArray[np.bool_]) -> tuple[slice, slice]:
    """Return the rows and columns of the smallest box holding every True pixel of ``mask``."""
    import cv2

    x, y, w, h = cv2.boundingRect(mask.view(np.uint8))
    return slice(y, y + h), slice(x, x + w)


def _hull_mask(shape: tuple[int, ...], points: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Return the mask of the convex hull of the points (clipped to the image)."""
    import cv2

    mask = np.zeros(shape[:2], np.uint8)
    hull = cv2.convexHull(np.round(points).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.view(bool)


def _shrink(points: NDArray[np.float64], factor: float) -> NDArray[np.float64]:
    """Move the points towards their centroid by ``factor`` (1 leaves them)."""
    centre = points.mean(axis=0)
    return centre + (points - centre) * factor


def _toy_mesh() -> NDArray[np.float64]:
    """Return a face mesh with only the points the scores read, on a 192 x 240 crop (doctests)."""
    mesh = np.zeros((478, 2))
    mesh[RIGHT_IRIS_CENTRE], mesh[LEFT_IRIS_CENTRE] = (64, 96), (128, 96)
    for eye, cx in ((RIGHT_EYE, 64.0), (LEFT_EYE, 128.0)):
        angles = np.linspace(0.0, 2 * np.pi, len(eye), endpoint=False)
        mesh[list(eye)] = np.stack([cx + 16 * np.cos(angles), 96 + 6 * np.sin(angles)], axis=1)
    for brow, cx in ((RIGHT_BROW, 64.0), (LEFT_BROW, 128.0)):
        xs = np.linspace(cx - 20, cx + 20, 5)
        mesh[list(brow)] = np.concatenate(
            [np.stack([xs, np.full(5, 72.0)], 1), np.stack([xs[::-1], np.full(5, 78.0)], 1)]
        )
    mesh[107], mesh[336] = (80, 75), (112, 75)
    mesh[NOSE_BRIDGE] = (96, 96)
    angles = np.linspace(np.pi, 2 * np.pi, 13)  # jaw, from image left at nose level to right
    jaw = np.stack([96 + 70 * np.cos(angles), 130 - 75 * np.sin(angles)], axis=1)
    mesh[list(LOWER_FACE[:13])] = jaw
    mesh[list(LOWER_FACE[13:])] = [(80, 135), (88, 140), (96, 142), (104, 140), (112, 135)]
    angles = np.linspace(np.pi, -np.pi, len(LIPS_OUTER), endpoint=False)
    mesh[list(LIPS_OUTER)] = np.stack([96 + 24 * np.cos(angles), 165 + 9 * np.sin(angles)], 1)
    return mesh
