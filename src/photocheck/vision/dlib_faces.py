"""Face detection (dlib's HOG detector) and 68-point landmarks (dlib's model, run in NumPy).

The models load lazily, once per process, under a lock: importing photocheck does not load
them, and concurrent first calls load them once. Both are bundled in ``models/`` in the form
that loads fastest (see its README): the detector as a dlib ``.svm`` file, the landmark trees as
NumPy arrays (:mod:`photocheck.vision.dlib_landmarks`). When a bundled file cannot be read, dlib's own
detector and the ``.dat`` model of ``face-recognition-models`` are used instead (slower to
load, same results within the landmark jitter). We call dlib directly rather than through
``face_recognition.api`` because that module loads all four of its models at import (~0.85 s)
and calls ``quit()`` when they are missing.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelNotFoundError
from ..imaging.resample import reduce_towards

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Face", "detect_faces", "face_geometry", "landmarks_68", "load_models"]

# Detection runs on a copy downscaled to this width (HOG cost grows with the pixel count);
# a second, finer pass looks for small faces when the first finds none or only small ones.
WORKING_WIDTH = 320
FINE_WIDTH = 640
# A face at least this share of the image width means a portrait framing: the fine pass is
# skipped (a second face small enough to be missed would be under 25% of the image width).
PORTRAIT_FACE_SHARE = 0.25
# A photo is never enlarged for detection beyond this many pixels.
MAX_DETECT_PIXELS = 4_000_000
_LOCK = threading.Lock()
_MODELS: tuple[Any, Any] | None = None

# Generic 3D face model (mm, nose tip at the origin, x to the subject's left, y up) for
# the six landmarks 30 (nose tip), 8 (chin), 36 and 45 (outer eye corners), 48 and 54
# (mouth corners).
_MODEL_POINTS = (
    (0.0, 0.0, 0.0),
    (0.0, -63.6, -12.5),
    (-43.3, 32.7, -26.0),
    (43.3, 32.7, -26.0),
    (-28.9, -28.9, -24.1),
    (28.9, -28.9, -24.1),
)
_POSE_LANDMARKS = (30, 8, 36, 45, 48, 54)


@dataclass(frozen=True)
class Face:
    """One detected face.

    Attributes
    ----------
    box : tuple of int
        ``(left, top, right, bottom)`` of the detector's box, in image pixels.
    score : float
        The detector's confidence (higher is surer; dlib HOG scores are around 0-3).
    landmarks : ndarray of float, shape (68, 2) or None
        The 68 iBUG landmarks as (x, y) image coordinates; None until computed.
    """

    box: tuple[int, int, int, int]
    score: float
    landmarks: NDArray[np.float64] | None = None

    @property
    def width(self) -> int:
        """Width of the detector's box in pixels."""
        return self.box[2] - self.box[0]


def _model_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "the package face-recognition-models is not installed; it ships the landmark "
            "model photocheck needs (pip install face-recognition-models)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _frontal_detector() -> Any:
    """Return the frontal HOG detector, from the bundled file when possible (3 ms, not 0.8 s)."""
    import dlib

    bundled = Path(__file__).parent.parent / "models" / "frontal_face_detector.svm"
    try:
        return dlib.fhog_object_detector(str(bundled))
    except RuntimeError:  # missing or unreadable file, or a dlib that cannot read it
        return dlib.get_frontal_face_detector()


def _dlib_landmarker() -> Callable[[NDArray[np.uint8], tuple[int, int, int, int]], Any]:
    """Return a landmark function backed by dlib's own 68-point model file (0.7-1.1 s to load)."""
    import dlib
    import numpy as np

    path = _model_dir() / "shape_predictor_68_face_landmarks.dat"
    if not path.is_file():
        raise ModelNotFoundError(f"landmark model not found at {str(path)!r}")
    predictor = dlib.shape_predictor(str(path))

    def landmarks(grey: NDArray[np.uint8], box: tuple[int, int, int, int]) -> Any:
        shape = predictor(grey, dlib.rectangle(*box))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    return landmarks


def _landmarker() -> Callable[[NDArray[np.uint8], tuple[int, int, int, int]], Any]:
    """Return the landmark function: the bundled NumPy model, else dlib's model file."""
    from .dlib_landmarks import load_landmark_model, predict_landmarks

    try:
        model = load_landmark_model()
    except ModelNotFoundError:
        return _dlib_landmarker()
    return functools.partial(predict_landmarks, model=model)


def load_models() -> tuple[Any, Any]:
    """Return the HOG face detector and the 68-point landmark function, loading them once.

    Returns
    -------
    detector, landmarker
        A ``dlib.fhog_object_detector``, and a function ``(grey, box) -> (68, 2) array``.

    Raises
    ------
    ModelNotFoundError
        When neither the bundled landmark model nor dlib's model file can be read.
    """
    global _MODELS
    if _MODELS is None:
        with _LOCK:
            if _MODELS is None:
                _MODELS = (_frontal_detector(), _landmarker())
    return _MODELS


def _detection_image(
    grey: NDArray[np.uint8], width: int, *, exact: bool = False
) -> tuple[NDArray[np.uint8], float]:
    """``grey`` halved towards ``width`` (or enlarged by a whole factor when narrower).

    With ``exact``, a wider photo is resized to exactly ``width`` (slower than halving, but
    the fine pass must not fall below its width). Returns the image and its scale relative
    to ``grey``.
    """
    import cv2

    if grey.shape[1] >= width:
        if exact and grey.shape[1] > width:
            scale = width / grey.shape[1]
            size = (width, max(1, round(grey.shape[0] * scale)))
            return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale
        reduced, factor = reduce_towards(grey, width)
        return reduced, 1.0 / factor
    factor = max(1, round(width / grey.shape[1]))
    if factor == 1 or grey.size * factor * factor > MAX_DETECT_PIXELS:
        return grey, 1.0  # e.g. a 1 x 40000 px strip enlarged to 640 px wide would need 16 GB
    size = (grey.shape[1] * factor, grey.shape[0] * factor)
    return cv2.resize(grey, size, interpolation=cv2.INTER_LINEAR), float(factor)


def _run_detector(
    image: NDArray[np.uint8], scale: float, threshold: float
) -> list[tuple[tuple[int, int, int, int], float]]:
    """Run HOG on ``image`` (``scale`` times the photo's size); boxes in photo pixels."""
    import numpy as np

    detector, _ = load_models()
    if min(image.shape) < 40:
        return []
    rects, scores, _ = detector.run(np.ascontiguousarray(image), 0, threshold)
    found = []
    for rect, score in zip(rects, scores, strict=True):
        box = (
            round(rect.left() / scale),
            round(rect.top() / scale),
            round(rect.right() / scale),
            round(rect.bottom() / scale),
        )
        found.append((box, float(score)))
    return found


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return (w * h) / max(smaller, 1)


def detect_faces(
    grey: NDArray[np.uint8],
    *,
    working_width: int = WORKING_WIDTH,
    fine_width: int = FINE_WIDTH,
    threshold: float = 0.0,
) -> list[Face]:
    """Find faces with dlib's HOG detector, fast on portraits without missing small faces.

    The first pass runs on a copy halved towards ``working_width`` (240-480 px wide; halving
    is far cheaper than an arbitrary resize). Faces narrower than dlib's
    80 px window at that scale are invisible to it, so a second pass at ``fine_width`` (up-
    or down-scaled) runs when the first finds no face, or only faces narrower than
    ``PORTRAIT_FACE_SHARE`` of the image width (a group or distant shot rather than a
    portrait). Boxes from both passes are merged.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The photo in grey levels.
    working_width, fine_width : int, optional
        Widths (px) of the first and second detection passes.
    threshold : float, optional
        dlib's ``adjust_threshold``; lower finds more (and more false) faces.

    Returns
    -------
    list of Face
        Largest first, without landmarks.
    """
    width = grey.shape[1]
    first, first_scale = _detection_image(grey, working_width)
    found = _run_detector(first, first_scale, threshold)
    largest = max((b[2] - b[0] for b, _ in found), default=0)
    if largest < PORTRAIT_FACE_SHARE * width:
        fine, fine_scale = _detection_image(grey, fine_width, exact=True)
        if fine_scale != first_scale:
            for box, score in _run_detector(fine, fine_scale, threshold):
                if all(_overlap(box, other) < 0.5 for other, _ in found):
                    found.append((box, score))
    found.sort(key=lambda f: -(f[0][2] - f[0][0]))
    return [Face(box, score) for box, score in found]


def landmarks_68(grey: NDArray[np.uint8], box: tuple[int, int, int, int]) -> NDArray[np.float64]:
    """Return the 68 landmarks of the face in ``box`` as an array of sub-pixel (x, y).

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The full-resolution photo in grey levels.
    box : tuple of int
        ``(left, top, right, bottom)`` from :func:`detect_faces`.
    """
    _, landmarker = load_models()
    points: NDArray[np.float64] = landmarker(grey, box)
    return points


def face_geometry(landmarks: NDArray[np.float64], image_size: tuple[int, int]) -> dict[str, Any]:
    """Derive named geometry from 68 landmarks.

    Parameters
    ----------
    landmarks : ndarray, shape (68, 2)
        iBUG 68-point landmarks in image coordinates.
    image_size : tuple of int
        ``(width, height)`` of the image.

    Returns
    -------
    dict
        ``right_eye`` and ``left_eye`` (the subject's, as (x, y)), ``eye_midpoint``,
        ``eye_distance`` (px), ``chin`` (x, y), ``face_width`` (px, jaw points 0-16),
        ``brow_y`` (mean eyebrow height), and ``yaw``, ``pitch``, ``roll`` in degrees
        (positive yaw: the subject turns to their left; positive pitch: chin up; positive
        roll: head tilted towards the subject's left shoulder, i.e. clockwise in the image).
    """
    import numpy as np

    right_eye = landmarks[36:42].mean(axis=0)  # the subject's right eye: image left
    left_eye = landmarks[42:48].mean(axis=0)
    midpoint = (right_eye + left_eye) / 2.0
    delta = left_eye - right_eye
    eye_distance = float(np.hypot(*delta))
    roll = math.degrees(math.atan2(delta[1], delta[0]))
    yaw, pitch = _yaw_pitch(landmarks, image_size)
    return {
        "right_eye": (float(right_eye[0]), float(right_eye[1])),
        "left_eye": (float(left_eye[0]), float(left_eye[1])),
        "eye_midpoint": (float(midpoint[0]), float(midpoint[1])),
        "eye_distance": eye_distance,
        "chin": (float(landmarks[8, 0]), float(landmarks[8, 1])),
        "face_width": float(np.hypot(*(landmarks[16] - landmarks[0]))),
        "brow_y": float(landmarks[17:27, 1].mean()),
        "yaw": yaw,
        "pitch": pitch,
        "roll": roll,
    }


def _yaw_pitch(landmarks: NDArray[np.float64], image_size: tuple[int, int]) -> tuple[float, float]:
    """Head yaw and pitch (degrees) from solvePnP on a generic 3D face model."""
    import cv2
    import numpy as np

    # The principal point is put on the face itself, so the angles describe the head's
    # rotation relative to the line of sight and do not change when the photo is cropped.
    width, height = image_size
    focal = float(max(width, height))
    cx, cy = landmarks.mean(axis=0)
    camera = np.array([[focal, 0, cx], [0, focal, cy], [0, 0, 1]], dtype=np.float64)
    model = np.array(_MODEL_POINTS, dtype=np.float64)
    model[:, 1] *= -1  # image y grows downwards
    image_points = landmarks[list(_POSE_LANDMARKS)].astype(np.float64)
    ok, rvec, _ = cv2.solvePnP(model, image_points, camera, None, flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        return math.nan, math.nan
    rotation, _ = cv2.Rodrigues(rvec)
    # Decompose R = Rz(roll) @ Ry(yaw) @ Rx(pitch).
    yaw = math.degrees(math.asin(-max(-1.0, min(1.0, rotation[2, 0]))))
    pitch = math.degrees(math.atan2(rotation[2, 1], rotation[2, 2]))
    return yaw, pitch
