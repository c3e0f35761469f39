"""Head pose from the face mesh: a weighted similarity fit of MediaPipe's canonical face.

The 468 vertices of MediaPipe's canonical face model (``canonical_face_model.obj``, Apache
2.0) are fitted onto the mesh points with a weighted Procrustes (Umeyama) solve: rotation,
uniform scale and translation, with the model's ``procrustes_landmark_basis`` weights (33
points that move little with expression: forehead, nose, eye corners, cheeks, the sides of
the jaw; none on the lips, eyelids or chin). The fit is orthographic, which is right for a
face that fills a small angle of view.

Frames. The canonical model has x towards the image's right, y up and z out of the face
(towards the camera). Mesh points come in image pixels, y down, with MediaPipe's depth
convention (smaller z = closer to the camera, same scale as x), so they are fitted as
``(x, -y, -z)``: the same handedness as the model.

Sign convention of the returned angles, as seen in the photo (checked on a projected model
and on real photos and their mirror images):

- ``yaw > 0``: the face turns towards the image's right (the person's own left).
- ``pitch > 0``: the chin goes up (the face looks above the camera).
- ``roll > 0``: the head tilts towards the image's right (the person's left shoulder): the
  face turns clockwise on screen and the line from the eye on the image's left to the eye on
  the image's right goes down.

With ``R = Ry(yaw) @ Rx(-pitch) @ Rz(-roll)`` (right-handed rotations about the x-right, y-up,
z-towards-camera axes) the three angles are recovered exactly.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .runtime import MODEL_DIR

__all__ = ["HeadPose", "head_pose"]

N_MESH_POINTS = 468  # vertices of the canonical model; the 10 iris points (468-477) are not fitted


class HeadPose(NamedTuple):
    """Head orientation fitted from the face mesh.

    Angles are in degrees; see the module docstring for their signs.
    """

    yaw: float  # > 0: face turns towards the image's right
    pitch: float  # > 0: chin up
    roll: float  # > 0: head tilted towards the image's right (clockwise on screen)
    rotation: NDArray[np.float64]  # 3x3, canonical model frame -> (x, -y, -z) image frame
    scale: float  # image pixels per canonical-model unit (about a centimetre)


@functools.cache
def _canonical() -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64]]:
    """Load the weighted canonical vertices: (used-vertex mask, vertices (k,3), weights (k,))."""
    with np.load(MODEL_DIR / "canonical_face.npz") as data:
        vertices = np.asarray(data["vertices"], dtype=np.float64)
        weights = np.asarray(data["weights"], dtype=np.float64)
    used = weights > 0
    w = weights[used] / weights[used].sum()
    return used, vertices[used], w


def head_pose(points: NDArray[np.float64]) -> HeadPose:
    """Fit the head's yaw, pitch and roll to the face mesh.

    Parameters
    ----------
    points : ndarray, shape (478, 3) or (468, 3)
        Mesh points in image pixels: x right, y down, z depth with smaller = closer to the
        camera, in the same units as x (MediaPipe's convention; a normalised z is multiplied
        by the image width). Only the first 468 points are used.

    Returns
    -------
    HeadPose
        ``yaw``, ``pitch``, ``roll`` in degrees (yaw and roll in (-180, 180], pitch in
        [-90, 90]; 0, 0, 0 for a face looking straight into the camera, upright). ``yaw > 0``:
        the face turns towards the image's right; ``pitch > 0``: chin up; ``roll > 0``: head
        tilted towards the image's right (clockwise on screen). ``rotation`` maps the canonical model onto the points
        as ``(x, -y, -z)``; ``scale`` is pixels per canonical unit.

    Raises
    ------
    ValueError
        When ``points`` has fewer than 468 rows or not 3 columns.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < N_MESH_POINTS or pts.shape[1] != 3:
        raise ValueError(f"head_pose needs (478, 3) or (468, 3) mesh points, got {pts.shape}")
    used, source, w = _canonical()
    target = pts[:N_MESH_POINTS][used] * np.array([1.0, -1.0, -1.0])

    # Umeyama (1991) with weights: target ~ scale * R @ source + t.
    src_mean = w @ source
    dst_mean = w @ target
    src_c = source - src_mean
    dst_c = target - dst_mean
    cov = (dst_c * w[:, None]).T @ src_c
    u, s, vt = np.linalg.svd(cov)
    d = np.ones(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[2] = -1.0  # a reflection would fit better; keep a proper rotation
    rotation = (u * d) @ vt
    src_var = float(w @ np.einsum("ij,ij->i", src_c, src_c))
    scale = float(s @ d) / src_var

    fx, fy, fz = rotation[:, 2]
    yaw = math.degrees(math.atan2(fx, fz))
    pitch = math.degrees(math.asin(min(1.0, max(-1.0, fy))))
    roll = -math.degrees(math.atan2(rotation[1, 0], rotation[1, 1]))
    return HeadPose(yaw=yaw, pitch=pitch, roll=roll, rotation=rotation, scale=scale)
