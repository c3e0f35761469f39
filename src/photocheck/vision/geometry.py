"""Named face measurements from the 478-point attention mesh (no model calls).

Every function takes the mesh as an ``(478, 3)`` array in image pixels (x right, y down, z
depth; see :mod:`photocheck.vision.mesh`) and measures in the image plane (x, y only), except
:func:`mouth_opening`, which measures on the mesh in 3D so that a turned or tilted head does not
change it.
"Right" and "left" are the *person's*: their right eye is on the image's left. Indices are
MediaPipe's face-mesh indices (468-477 are the refined irises).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHIN",
    "FACE_LEFT_EDGE",
    "FACE_OVAL",
    "FACE_RIGHT_EDGE",
    "FOREHEAD",
    "LANDMARKS_68",
    "LEFT_EYE_CORNERS",
    "LEFT_EYE_LIDS",
    "LEFT_IRIS_CENTRE",
    "LEFT_IRIS_RING",
    "MASK_PERSON",
    "MOUTH_CORNERS",
    "MOUTH_GAPS",
    "N_POINTS",
    "RIGHT_EYE_CORNERS",
    "RIGHT_EYE_LIDS",
    "RIGHT_IRIS_CENTRE",
    "RIGHT_IRIS_RING",
    "chin",
    "crown_from_mask",
    "eye_centres",
    "eye_distance",
    "eye_openness",
    "face_oval",
    "face_width",
    "iris_radius",
    "landmarks_68",
    "mouth_opening",
]

N_POINTS = 478  # 468 mesh points + 5 per iris

# Irises: centre, then four points on the iris edge.
RIGHT_IRIS_CENTRE = 468  # the person's right eye: the image's left
RIGHT_IRIS_RING = (469, 470, 471, 472)
LEFT_IRIS_CENTRE = 473  # the person's left eye: the image's right
LEFT_IRIS_RING = (474, 475, 476, 477)

# Eyelids: (upper, lower) pairs from the outer to the inner third of each eye, and the corners.
RIGHT_EYE_LIDS = ((161, 163), (160, 144), (159, 145), (158, 153), (157, 154))
RIGHT_EYE_CORNERS = (33, 133)  # outer (image left), inner
LEFT_EYE_LIDS = ((388, 390), (387, 373), (386, 374), (385, 380), (384, 381))
LEFT_EYE_CORNERS = (362, 263)  # inner, outer (image right)

# Mouth: (upper, lower) inner-lip pairs left of centre, centre, right of centre; outer corners.
MOUTH_GAPS = ((82, 87), (13, 14), (312, 317))
MOUTH_CORNERS = (61, 291)

CHIN = 152  # bottom of the chin on the face contour
FOREHEAD = 10  # top of the face contour (about the hairline; not the crown)
# The face contour at cheekbone / ear level. On the astronaut (skimage) mesh they lie within
# 0.5 px of the oval's extreme x (91 px wide); the temple points 127/356 are as wide (1% wider
# on the canonical model) but sit higher, where hair often covers the contour.
FACE_RIGHT_EDGE = 234  # image left
FACE_LEFT_EDGE = 454  # image right

# MediaPipe's FACEMESH_FACE_OVAL as a closed polygon: from the forehead (10) down the image's
# right side (the person's left) to the chin (152) and back up the image's left side.
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288,
    397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
    172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip

MASK_PERSON = 0.5  # person-mask probability at and above which a pixel counts as the person


def _xy(points: NDArray[np.float64]) -> NDArray[np.float64]:
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < N_POINTS or pts.shape[1] < 2:
        raise ValueError(f"expected (478, 3) face-mesh points, got {pts.shape}")
    return pts[:, :2]


def _gap_ratio(
    xy: NDArray[np.float64],
    pairs: tuple[tuple[int, int], ...],
    corners: tuple[int, int],
) -> float:
    idx = np.asarray(pairs)
    gaps = np.linalg.norm(xy[idx[:, 0]] - xy[idx[:, 1]], axis=1)
    width = float(np.linalg.norm(xy[corners[0]] - xy[corners[1]]))
    if width <= 0:
        return 0.0
    return float(gaps.mean()) / width


def eye_centres(
    points: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the iris centres.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    right_eye_xy, left_eye_xy : ndarray, shape (2,)
        Image pixels (x, y) of the person's right iris centre (point 468, on the image's left
        for an upright face) and left iris centre (point 473, on the image's right).
    """
    xy = _xy(points)
    return xy[RIGHT_IRIS_CENTRE].copy(), xy[LEFT_IRIS_CENTRE].copy()


def eye_distance(points: NDArray[np.float64]) -> float:
    """Return the distance between the two iris centres.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    float
        Image pixels, >= 0 (in the image plane: shrinks as the head turns).
    """
    right, left = eye_centres(points)
    return float(np.linalg.norm(left - right))


def eye_openness(points: NDArray[np.float64]) -> tuple[float, float]:
    """Return how open each eye is: mean lid gap over eye width.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    right, left : float
        For the person's right eye (image left) and left eye (image right): the mean of the
        five upper-to-lower lid distances (``RIGHT_EYE_LIDS`` / ``LEFT_EYE_LIDS``) divided by
        the corner-to-corner distance (``RIGHT_EYE_CORNERS`` / ``LEFT_EYE_CORNERS``). >= 0;
        larger = more open; scale-free; 0 when the corners coincide. On the development
        photos closed eyes measured 0.05-0.08 and open eyes 0.17 (5th percentile) to 0.25
        (median). The smaller of the two decides "eyes open".
    """
    xy = _xy(points)
    return (
        _gap_ratio(xy, RIGHT_EYE_LIDS, RIGHT_EYE_CORNERS),
        _gap_ratio(xy, LEFT_EYE_LIDS, LEFT_EYE_CORNERS),
    )


def mouth_opening(points: NDArray[np.float64]) -> float:
    """Return how open the mouth is: the 3D inner-lip gap over the 3D distance between the irises.

    Both lengths are measured on the mesh in 3D (x, y and the mesh's depth, which is in the
    same units as x), so turning, tilting or rolling the head changes neither. The distance
    between the iris centres is a ruler that expression does not change, unlike the mouth's
    width, which a smile widens and an open mouth narrows.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    float
        Mean 3D distance of the inner-lip pairs (82, 87), (13, 14), (312, 317) divided by the
        3D distance between the iris centres 468 and 473. >= 0; larger = more open;
        scale-free; 0 when the irises coincide. Closed lips do not reach 0: the mesh puts
        the upper and lower inner lip at slightly different depths. On the labelled
        development photos (mesh averaged with its mirror image's) closed mouths measured
        0.002-0.042 (5-95%, median 0.012) and open mouths 0.069-0.30 (median 0.19).
    """
    xyz = np.asarray(points, dtype=np.float64)
    if xyz.ndim != 2 or xyz.shape[0] < N_POINTS or xyz.shape[1] != 3:
        raise ValueError(f"expected (478, 3) face-mesh points, got {xyz.shape}")
    idx = np.asarray(MOUTH_GAPS)
    gaps = np.linalg.norm(xyz[idx[:, 0]] - xyz[idx[:, 1]], axis=1)
    ruler = float(np.linalg.norm(xyz[LEFT_IRIS_CENTRE] - xyz[RIGHT_IRIS_CENTRE]))
    if ruler <= 0:
        return 0.0
    return float(gaps.mean()) / ruler


def chin(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the bottom of the chin.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    ndarray, shape (2,)
        Image pixels (x, y) of mesh point 152; y grows downwards, so for an upright face this
        is the face's lowest point.
    """
    return _xy(points)[CHIN].copy()


def face_width(points: NDArray[np.float64]) -> float:
    """Return the face's width at ear level.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    float
        Image pixels, >= 0: the distance between the face-contour points 234 (image left) and
        454 (image right), at ear level, where the face is about its widest. Shrinks with
        yaw.
    """
    xy = _xy(points)
    return float(np.linalg.norm(xy[FACE_LEFT_EDGE] - xy[FACE_RIGHT_EDGE]))


def face_oval(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the face contour as a closed polygon.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    ndarray, shape (36, 2)
        Image pixels (x, y) of ``FACE_OVAL`` in order: starts at the forehead (point 10) and
        runs clockwise on screen (towards the image's right first). The last vertex joins the
        first. The top follows the hairline, not the crown (see :func:`crown_from_mask`).
    """
    return _xy(points)[list(FACE_OVAL)].copy()


def iris_radius(points: NDArray[np.float64]) -> float:
    """Return the mean iris radius of both eyes.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    float
        Image pixels, >= 0: the mean distance from each iris centre to its four edge points,
        averaged over both eyes. The human iris is about 11.7 mm across, which makes this a
        ruler for the photo's scale.
    """
    xy = _xy(points)
    right = np.linalg.norm(xy[list(RIGHT_IRIS_RING)] - xy[RIGHT_IRIS_CENTRE], axis=1)
    left = np.linalg.norm(xy[list(LEFT_IRIS_RING)] - xy[LEFT_IRIS_CENTRE], axis=1)
    return float((right.sum() + left.sum()) / (right.size + left.size))


def crown_from_mask(mask: NDArray[np.float32], points: NDArray[np.float64]) -> float | None:
    """Return the y of the top of the head, hair included, from the person mask.

    In the column band of the face (between the face oval's leftmost and rightmost x), above
    the top of the face oval (the forehead), take the pixels whose mask probability is >=
    ``MASK_PERSON`` and connected (8-neighbourhood, within that band) to the person at the
    forehead row; the crown is the highest such row.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Person probability in [0, 1] at the photo's size (:func:`.segmentation.person_mask`).
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels, in the same photo.

    Returns
    -------
    float or None
        The crown's row in image pixels (y grows downwards; 0 is the top row), never below
        the forehead row. ``None`` when the crown cannot be measured, which callers should
        read as "the head may be cut by the top edge": the person region reaches the image's
        top row in the band (the head is cut), the face oval's top is above the image, or the
        mask does not cover the forehead row at all (a failed mask, or no face under the
        mesh). Check ``mask`` at the forehead point (``FOREHEAD``) to tell the last case apart.
    """
    import cv2

    xy = _xy(points)
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"expected an (H, W) mask, got shape {mask.shape}")
    height, width = mask.shape
    oval = xy[list(FACE_OVAL)]
    x0 = max(int(np.floor(oval[:, 0].min())), 0)
    x1 = min(int(np.ceil(oval[:, 0].max())), width - 1)
    top = float(oval[:, 1].min())
    if x1 < x0 or top < 0 or top > height - 1:
        return None
    forehead_row = round(top)
    band = mask[: forehead_row + 1, x0 : x1 + 1] >= MASK_PERSON
    if not band[-1].any():
        return None
    count, labels = cv2.connectedComponents(band.view(np.uint8), connectivity=8)
    is_face = np.zeros(count, dtype=bool)
    is_face[labels[-1][band[-1]]] = True
    # The first row holding a pixel of the parts that reach the forehead row (there is one).
    crown = int(np.argmax(np.take(is_face, labels).any(axis=1)))
    if crown == 0:
        return None
    return float(crown)


# The mesh points that stand where the 68 points of the iBUG 300-W layout stand (jaw 0-16 from
# the image's left, brows 17-26, nose 27-35, eyes 36-47, outer lips 48-59, inner lips 60-67).
# Region code written for that layout (face hull, cheeks, brows, lips) reads them; the points
# themselves all come from the mesh.
LANDMARKS_68 = (
    127, 234, 93, 132, 58, 136, 150, 176, 152, 400, 379, 365, 288, 361, 323, 454, 356,
    70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
    168, 197, 5, 4, 75, 97, 2, 326, 305,
    33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
    61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181,
    78, 82, 13, 312, 308, 317, 14, 87,
)  # fmt: skip


def landmarks_68(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the mesh points at the 68 positions of the iBUG 300-W layout.

    Parameters
    ----------
    points : ndarray, shape (478, 3)
        Face-mesh points in image pixels.

    Returns
    -------
    ndarray, shape (68, 2)
        Image pixels (x, y), in the iBUG order (see :data:`LANDMARKS_68`).
    """
    return _xy(points)[list(LANDMARKS_68)].copy()
