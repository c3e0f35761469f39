"""Face identity: 128-d face encodings and the distance between two of them.

The encodings are face_recognition's: dlib's ResNet (``dlib_face_recognition_resnet_model_v1``)
on the face aligned by dlib's 5-point shape predictor, without jitter, as
``face_recognition.face_encodings(image, known_face_locations, model="small")`` computes them.
Only the face box differs: it is the one MediaPipe's BlazeFace found (see
:func:`photocheck.vision.face.find_faces`), moved to where dlib's frontal face detector puts
its box (:data:`HOG_BOX`), so the photo is searched for faces once.

The model files come from the ``face_recognition_models`` package, found on the import path
without importing it: its ``__init__`` imports ``pkg_resources``, which recent setuptools no
longer ships. ``dlib`` is imported, and the models loaded, on the first encoding only: once per
process, shared by every thread behind a lock (a dlib network keeps its layer outputs in the
object, so two threads must not run it at once).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidEncodingError, ModelNotFoundError, NoSingleFaceError
from ..imaging.load import DEFAULT_MAX_PIXELS, PhotoInput, load_image
from .face import find_faces

__all__ = [
    "ENCODING_SIZE",
    "HOG_BOX",
    "SAME_PERSON_DISTANCE",
    "FaceEncoding",
    "InvalidEncodingError",
    "NoSingleFaceError",
    "ReferenceInput",
    "encode_face",
    "face_distance",
    "face_encoding",
]

ENCODING_SIZE = 128
# face_recognition's own tolerance: faces closer than this are the same person.
SAME_PERSON_DISTANCE = 0.6
# dlib's frontal (HOG) detector box relative to BlazeFace's, in shares of BlazeFace's box width
# and height (left, top, right, bottom edge shifts): medians over the 38 development photos
# (every fourth one-face photo) where both found exactly one face. The 5-point predictor was
# trained on boxes like dlib's, which sit a little higher and narrower.
HOG_BOX = (0.013, -0.036, -0.059, -0.047)

_PREDICTOR = "shape_predictor_5_face_landmarks.dat"
_ENCODER = "dlib_face_recognition_resnet_model_v1.dat"
# The files of face_recognition_models 0.3.0 (dlib-models by Davis King, public domain): a
# different file is refused rather than silently giving other distances.
_SHA256 = {
    _PREDICTOR: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    _ENCODER: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}
_LOCK = threading.Lock()
_MODELS: dict[str, Any] = {}


@dataclass(frozen=True, eq=False)
class FaceEncoding:
    """One face's 128-d encoding, to store and compare with later photos.

    Parameters
    ----------
    vector : array_like, shape (128,)
        The encoding's numbers (e.g. read back from a database: ``FaceEncoding(stored)``).
        Raises :class:`InvalidEncodingError` unless it holds 128 finite numbers.

    Examples
    --------
    >>> import numpy as np
    >>> encoding = FaceEncoding(np.zeros(128))
    >>> len(encoding.tolist())
    128
    """

    vector: NDArray[np.float64]

    def __post_init__(self) -> None:
        try:
            vector = np.array(self.vector, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InvalidEncodingError(f"a face encoding must be 128 numbers: {exc}") from None
        if vector.shape != (ENCODING_SIZE,) or not np.isfinite(vector).all():
            raise InvalidEncodingError(
                f"a face encoding must be {ENCODING_SIZE} finite numbers, got "
                f"{vector.size} values{'' if np.isfinite(vector).all() else ' (not all finite)'}"
            )
        vector.flags.writeable = False
        object.__setattr__(self, "vector", vector)

    def tolist(self) -> list[float]:
        """Return the 128 numbers as a list (JSON-ready)."""
        values: list[float] = self.vector.tolist()
        return values


# What identity checks accept as the reference: a photo or a stored encoding.
ReferenceInput: TypeAlias = "PhotoInput | FaceEncoding"


def _model_path(name: str) -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    folders = [] if spec is None else list(spec.submodule_search_locations or ())
    for folder in folders:
        path = Path(folder) / "models" / name
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != _SHA256[name]:
                raise ModelNotFoundError(
                    f"{path} is not the expected face model (sha256 {digest}, "
                    f"expected {_SHA256[name]})"
                )
            return path
    raise ModelNotFoundError(
        f"the face encoding model {name!r} was not found: it comes with the "
        "face_recognition_models package (pip install face-recognition-models)"
    )


def _models() -> tuple[Any, Any]:
    """Return dlib's 5-point shape predictor and face encoder, loading them on first use."""
    if not _MODELS:
        with _LOCK:
            if not _MODELS:
                import dlib

                predictor = dlib.shape_predictor(str(_model_path(_PREDICTOR)))
                _MODELS["encoder"] = dlib.face_recognition_model_v1(str(_model_path(_ENCODER)))
                _MODELS["predictor"] = predictor
    return _MODELS["predictor"], _MODELS["encoder"]


def face_encoding(rgb: NDArray[np.uint8], box: tuple[float, float, float, float]) -> FaceEncoding:
    """Encode the face in a BlazeFace box.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The photo.
    box : tuple of float
        ``(left, top, right, bottom)`` of BlazeFace's box in pixels (``Face.box``).

    Returns
    -------
    FaceEncoding
        Compare with :func:`face_distance`.
    """
    import dlib

    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    dx0, dy0, dx1, dy1 = HOG_BOX
    rect = dlib.rectangle(
        round(x0 + dx0 * width),
        round(y0 + dy0 * height),
        round(x1 + dx1 * width),
        round(y1 + dy1 * height),
    )
    predictor, encoder = _models()
    image = np.ascontiguousarray(rgb, dtype=np.uint8)
    with _LOCK:
        shape = predictor(image, rect)
        vector = encoder.compute_face_descriptor(image, shape, 1)
    return FaceEncoding(np.asarray(vector, dtype=np.float64))


def encode_face(
    photo: PhotoInput | FaceEncoding, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> FaceEncoding:
    """Encode the single face of a photo, to store and compare with later photos.

    Parameters
    ----------
    photo : path, bytes, binary file, ndarray, PIL image or FaceEncoding
        The photo (as :func:`photocheck.load_image` accepts); an encoding is returned as is.
    max_pixels : int, optional
        Refuse images with more pixels than this (default 50 MP).

    Returns
    -------
    FaceEncoding
        The face's 128-d encoding.

    Raises
    ------
    InvalidImageError, UnsupportedFormatError, ImageTooLargeError
        When the photo cannot be read.
    NoSingleFaceError
        When the photo shows no face or several (``exc.faces`` says how many).

    Examples
    --------
    >>> import skimage.data
    >>> encoding = encode_face(skimage.data.astronaut())
    >>> face_distance(encoding, encode_face(skimage.data.astronaut()[::2, ::2])) < 0.6
    True
    """
    if isinstance(photo, FaceEncoding):
        return photo
    rgb = load_image(photo, max_pixels=max_pixels).rgb
    faces = find_faces(rgb)
    if len(faces) != 1:
        found = "no face" if not faces else f"{len(faces)} faces"
        raise NoSingleFaceError(f"{found} found where exactly one is needed", len(faces))
    return face_encoding(rgb, faces[0].box)


def face_distance(first: FaceEncoding | ArrayLike, second: FaceEncoding | ArrayLike) -> float:
    """Return the Euclidean distance between two face encodings.

    Parameters
    ----------
    first, second : FaceEncoding or array_like of 128 numbers
        The encodings.

    Returns
    -------
    float
        0 for identical encodings, growing as the faces differ (different people are mostly
        0.6-1.2 apart); below :data:`SAME_PERSON_DISTANCE` (0.6) face_recognition calls them
        the same person.
    """
    a = first if isinstance(first, FaceEncoding) else FaceEncoding(np.asarray(first))
    b = second if isinstance(second, FaceEncoding) else FaceEncoding(np.asarray(second))
    return float(np.linalg.norm(a.vector - b.vector))
