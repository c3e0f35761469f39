"""One photo's faces: detection, mesh and pose combined, and the named geometry checks read.

:func:`find_faces` runs BlazeFace, then the attention mesh on every detection (on its crop and
the crop's mirror image, averaged: see :mod:`.mesh`), and keeps the faces the mesh's presence
gate confirms; the full-range detector is asked as well, for a second face beside a single
one, and to settle the cases of no face or several. :func:`face_geometry` turns one face's mesh
into the named values the checks and the annotated image use (eye centres, chin, face width,
pose...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import geometry
from .crop import face_crop
from .detection import (
    FULL_RANGE_API_MIN_SCORE,
    Detection,
    full_range_faces,
    same_face,
    short_range_faces,
)
from .mesh import PRESENCE_THRESHOLD, face_mesh
from .pose import head_pose

__all__ = ["Face", "face_geometry", "find_faces"]


@dataclass(frozen=True)
class Face:
    """One face found in a photo.

    Attributes
    ----------
    box : tuple of float
        ``(left, top, right, bottom)`` of the detector's box, in image pixels.
    score : float
        The detector's confidence in ``[0, 1]``.
    mesh : ndarray, shape (478, 3)
        The refined face mesh in image pixels (see :mod:`photocheck.vision.mesh`).
    presence : float
        The mesh's face-presence probability in ``[0, 1]``.
    """

    box: tuple[float, float, float, float]
    score: float
    mesh: NDArray[np.float64]
    presence: float

    @property
    def width(self) -> float:
        """Width of the detector's box in pixels."""
        return self.box[2] - self.box[0]

    @property
    def landmarks(self) -> NDArray[np.float64]:
        """The mesh points at the 68 iBUG positions, ``(68, 2)`` image pixels."""
        return geometry.landmarks_68(self.mesh)


def find_faces(rgb: NDArray[np.uint8]) -> list[Face]:
    """Find every face and compute its mesh; largest box first.

    A face is a detection whose mesh presence is at least
    :data:`photocheck.vision.mesh.PRESENCE_THRESHOLD`. The short-range detector (close-ups)
    goes first, and the full-range one is asked what it leaves open:

    - one is confirmed: a full-range detection elsewhere that the mesh confirms is a second
      face. The short-range model can miss a face cut by the photo's edge (a second person
      at the side of a snapshot: 0.14) that the full-range model, asked at MediaPipe's public
      default (:data:`photocheck.vision.detection.FULL_RANGE_API_MIN_SCORE`), finds (0.59);
      on the development photos it scored nothing beside the face of a one-face photo above
      0.32. This costs one full-range run (about 5 ms) on every one-face photo;
    - none of its detections is confirmed: the full-range model's confirmed detections are
      the faces (it frames turned and distant faces differently, and sees faces the
      short-range model misses), at the graph's stricter threshold, since these become the
      photo's subject (an ear beside a masked face scored 0.49-0.51 as the photo was
      re-encoded or resized, and the mesh took it for a face);
    - several are confirmed: a face counts only when the full-range model finds it too,
      unless it finds none of them (it misses some close-ups). On the development photos
      both models found every real second face; the short-range model alone found a logo
      beside a face.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The photo.

    Returns
    -------
    list of Face
        The faces, by decreasing box area; empty when there is none.
    """
    faces = _confirmed(rgb, short_range_faces(rgb))
    if len(faces) == 1:
        (face,) = faces
        elsewhere = [
            d
            for d in full_range_faces(rgb, FULL_RANGE_API_MIN_SCORE)
            if not same_face(np.array(face.box), d.box)
        ]
        return _by_area(faces + _confirmed(rgb, elsewhere)) if elsewhere else faces
    full = full_range_faces(rgb)
    if not faces:
        return _confirmed(rgb, full)
    seen_by_both = [f for f in faces if any(same_face(np.array(f.box), d.box) for d in full)]
    return seen_by_both or faces


def _confirmed(rgb: NDArray[np.uint8], detections: list[Detection]) -> list[Face]:
    """Return the detections the mesh's presence gate confirms, as faces, largest box first."""
    faces = []
    for detection in detections:
        mesh = face_mesh(face_crop(rgb, detection))
        if mesh.presence < PRESENCE_THRESHOLD:
            continue
        x0, y0, x1, y1 = (float(v) for v in detection.box)
        faces.append(Face((x0, y0, x1, y1), float(detection.score), mesh.points, mesh.presence))
    return _by_area(faces)


def _by_area(faces: list[Face]) -> list[Face]:
    """Return the faces by decreasing box area."""
    return sorted(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]), reverse=True)


def face_geometry(face: Face) -> dict[str, Any]:
    """Derive the named geometry of one face from its mesh.

    Parameters
    ----------
    face : Face
        A face from :func:`find_faces`.

    Returns
    -------
    dict
        ``right_eye`` and ``left_eye`` (the person's iris centres, (x, y) px), ``eye_midpoint``,
        ``eye_distance`` (px), ``eye_line_angle`` (degrees, > 0 when the eye on the image's
        right is lower), ``chin`` (x, y), ``face_width`` (px, mesh points 234-454),
        ``forehead_y`` (top of the face contour, point 10), ``brow_y`` (mean eyebrow height),
        ``yaw``, ``pitch``, ``roll`` (degrees, see :mod:`photocheck.vision.pose`: > 0 the face
        turns towards the image's right, chin up, head tilted clockwise on screen), ``box``
        and ``landmarks`` (the 68 iBUG-position points as (x, y) pairs).
    """
    points = face.mesh
    right, left = geometry.eye_centres(points)
    midpoint = (right + left) / 2.0
    delta = left - right
    pose = head_pose(points)
    chin = geometry.chin(points)
    brows = points[list(geometry.LANDMARKS_68[17:27]), 1]  # both eyebrows
    return {
        "right_eye": (float(right[0]), float(right[1])),
        "left_eye": (float(left[0]), float(left[1])),
        "eye_midpoint": (float(midpoint[0]), float(midpoint[1])),
        "eye_distance": float(math.hypot(delta[0], delta[1])),
        "eye_line_angle": math.degrees(math.atan2(delta[1], delta[0])),
        "chin": (float(chin[0]), float(chin[1])),
        "face_width": geometry.face_width(points),
        "forehead_y": float(points[geometry.FOREHEAD, 1]),
        "brow_y": float(brows.mean()),
        "yaw": pose.yaw,
        "pitch": pose.pitch,
        "roll": pose.roll,
        "box": face.box,
        "landmarks": tuple(map(tuple, face.landmarks.tolist())),
    }
