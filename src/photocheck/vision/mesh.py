"""The 478-point face mesh: MediaPipe's attention landmark model on a face crop.

Stock LiteRT cannot run ``face_landmark_with_attention.tflite`` (it holds custom operations), so
``tools/fetch_mediapipe_models.py`` cut it into two builtin-only stages; the custom operations
run in NumPy (:mod:`.mesh_ops`) between and after them, in the order
``models/face_landmark_attention.json`` lists. The outputs are then merged as MediaPipe's
``tensors_to_face_landmarks_with_attention.pbtxt`` does: the 468-point mesh, with lips, eye
contours and eyebrows replaced by the refined points (keeping the mesh's depth) and the two
irises appended as points 468-472 and 473-477 (depth: the mean depth of the eye's 16 contour
points).

The model is not mirror-symmetric: the mesh of a mirrored crop, mirrored back, differs from
the crop's own (on the astronaut by 0.9 crop px at the median, 2.7 px at most; on small or
turned faces enough to read a mouth as open on one and closed on the other).
:func:`face_mesh` therefore runs it on the crop and on the crop mirrored left to right, maps
the second mesh back (x mirrored, every point swapped with its mirror partner:
:func:`mirror_partners`) and averages the two. A photo and its mirror image then get mirrored
meshes (up to the detector's crop), and the model's left/right bias cancels. It costs a
second model run. :func:`model_mesh` is the single run, MediaPipe's own output.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, NamedTuple

import cv2
import numpy as np
from numpy.typing import NDArray

from .crop import FaceCrop, crop_to_image
from .mesh_ops import landmarks_to_transform_matrix, transform_landmarks, transform_tensor_bilinear
from .runtime import MODEL_DIR, run

__all__ = [
    "NUM_POINTS",
    "PRESENCE_THRESHOLD",
    "FaceMesh",
    "face_mesh",
    "mirror_partners",
    "model_mesh",
]

NUM_POINTS = 478
# MediaPipe discards the mesh when the face-flag probability is below this
# (``ThresholdingCalculator`` in ``face_landmark_cpu.pbtxt``); without the gate a crop holding
# no face (e.g. a mirrored, masked face) still yields a confident-looking mesh.
PRESENCE_THRESHOLD = 0.5
_PLAN_FILE = "face_landmark_attention.json"
_FACE_FLAG = "conv_faceflag"
_CANONICAL_FILE = "canonical_face.npz"
# The iris points and their mirror partners: centre to centre, then the ring (469-472 run
# image-left, top, image-right, bottom around the eye on the image's left; 474-477 run
# image-right, top, image-left, bottom), checked on the development photos' meshes.
_IRIS_PARTNERS = {468: 473, 469: 476, 470: 475, 471: 474, 472: 477}
_CUSTOM_OPS: dict[str, Any] = {
    "Landmarks2TransformMatrix": landmarks_to_transform_matrix,
    "TransformTensorBilinear": transform_tensor_bilinear,
    "TransformLandmarks": transform_landmarks,
}


class FaceMesh(NamedTuple):
    """The refined face mesh in photo coordinates.

    Attributes
    ----------
    points : ndarray of float64, shape (478, 3)
        ``(x, y, z)`` in photo pixels (x right, y down; z depth in the same scale as x,
        smaller is nearer the camera, relative to the face). Indices follow MediaPipe's
        face mesh; 468-472 are the iris (centre, then 4 points on its edge) of the eye at
        points 33-133 (image left on an upright face: the person's right eye), 473-477 the
        iris of the eye at points 362-263.
    presence : float
        Probability in ``[0, 1]`` that the crop holds a face; below
        :data:`PRESENCE_THRESHOLD` MediaPipe would report no face and the points are
        meaningless.
    """

    points: NDArray[np.float64]
    presence: float


def face_mesh(crop: FaceCrop) -> FaceMesh:
    """Compute the 478-point mesh of the face in a crop, averaged with its mirror image's.

    The model runs on the crop and on the crop mirrored left to right; the second mesh is
    mirrored back (x mirrored, each point swapped with its partner from
    :func:`mirror_partners`) and the two are averaged, point by point, as are the two
    face-presence probabilities. The mirror image of the crop therefore gives the mirror image
    of this mesh (up to rounding).

    Parameters
    ----------
    crop : FaceCrop
        The 192 x 192 face crop (RGB in ``[0, 1]``) from :func:`.crop.face_crop`.

    Returns
    -------
    FaceMesh
        The points mapped back to the photo and the face-presence probability.
    """
    size = crop.pixels.shape[1]
    outputs = _run_model(crop.pixels)
    # cv2.flip: the same pixels as np.ascontiguousarray(pixels[:, ::-1]), about 15x faster.
    mirrored = _run_model(cv2.flip(crop.pixels, 1))
    back = _refine(mirrored)[mirror_partners()]
    # Pixel indices are pixel centres (see .crop), so column u of the mirror is column size-1-u.
    back[:, 0] = (size - 1) - back[:, 0]
    points = (_refine(outputs) + back) / 2.0
    presence = (_presence(outputs) + _presence(mirrored)) / 2.0
    return FaceMesh(crop_to_image(crop, points), presence)


def model_mesh(crop: FaceCrop) -> FaceMesh:
    """Compute the mesh from one model run on the crop, as MediaPipe does.

    Parameters
    ----------
    crop : FaceCrop
        The 192 x 192 face crop (RGB in ``[0, 1]``) from :func:`.crop.face_crop`.

    Returns
    -------
    FaceMesh
        The points mapped back to the photo and the face-presence probability; what
        MediaPipe's face-landmark graph gives for the same crop. :func:`face_mesh`, which
        photocheck uses, averages this with the mirrored crop's mesh.
    """
    outputs = _run_model(crop.pixels)
    return FaceMesh(crop_to_image(crop, _refine(outputs)), _presence(outputs))


@cache
def mirror_partners() -> NDArray[np.intp]:
    """Return each mesh point's mirror partner: the point at the same place on the other side.

    The partners of points 0-467 are read off MediaPipe's canonical face model, which is
    exactly symmetric (every vertex's x-mirrored position is another vertex, or itself on the
    midline); the irises swap with each other.

    Returns
    -------
    ndarray of intp, shape (478,)
        ``partners[i]`` is the partner of point ``i`` (``i`` itself on the midline);
        ``partners[partners] == arange(478)``.
    """
    with np.load(MODEL_DIR / _CANONICAL_FILE) as data:
        vertices = np.asarray(data["vertices"], dtype=np.float64)
    partners = np.arange(NUM_POINTS)
    partners[: len(vertices)] = _nearest_mirrored(vertices)
    for right, left in _IRIS_PARTNERS.items():
        partners[right], partners[left] = left, right
    partners.setflags(write=False)  # cached: shared by every caller
    return partners


def _nearest_mirrored(vertices: NDArray[np.float64]) -> NDArray[np.intp]:
    """Return, for each vertex, the index of the vertex nearest to its mirror image (x negated).

    The same as ``np.argmin`` over the distances from each mirrored vertex to every vertex
    (the first of equally near ones). Every mirrored vertex of the bundled model is exactly
    another vertex (or itself: 0.0 == -0.0), found by a lookup in well under a millisecond;
    only a vertex without an exact match needs its distances to all of them (the full
    468 x 468 distance array took 15-70 ms of the first ``validate()`` of a process).
    """
    mirrored = vertices * np.array([-1.0, 1.0, 1.0])
    first_at: dict[tuple[float, ...], int] = {}
    for index, vertex in enumerate(vertices.tolist()):
        first_at.setdefault(tuple(vertex), index)
    nearest = np.empty(len(vertices), dtype=np.intp)
    for index, vertex in enumerate(mirrored.tolist()):
        match = first_at.get(tuple(vertex))
        if match is None:
            match = int(np.argmin(np.linalg.norm(vertices - mirrored[index], axis=1)))
        nearest[index] = match
    return nearest


def _presence(outputs: dict[str, NDArray[np.float32]]) -> float:
    """Return the face-flag probability of one model run, in ``[0, 1]``."""
    logit = float(outputs[_FACE_FLAG].reshape(-1)[0])
    return float(1.0 / (1.0 + np.exp(-logit)))


@cache
def _plan() -> dict[str, Any]:
    """Load the stage/custom-operation plan and refinement maps written by the fetch tool."""
    plan: dict[str, Any] = json.loads((MODEL_DIR / _PLAN_FILE).read_text())
    return plan


def _run_model(pixels: NDArray[np.float32]) -> dict[str, NDArray[np.float32]]:
    """Run the whole attention model on one crop; return its outputs by name (batch axis kept)."""
    plan = _plan()
    values: dict[str, NDArray[np.float32]] = {}
    for step in plan["steps"]:
        if "model" in step:
            if not values:  # the first stage reads the crop
                values[step["inputs"][0]] = np.asarray(pixels, dtype=np.float32)[None]
            values.update(run(step["model"], *(values[name] for name in step["inputs"])))
            continue
        for op in step["custom"]:
            operation = _CUSTOM_OPS[op["op"]]
            args = [values[name][0] for name in op["inputs"]]
            values[op["output"]] = operation(*args, **op["options"])[None]
    return {name: values[source] for name, source in plan["outputs"].items()}


def _refine(outputs: dict[str, NDArray[np.float32]]) -> NDArray[np.float64]:
    """Merge the model outputs into the 478 refined points, in crop pixels ``(x, y, z)``."""
    points = np.zeros((NUM_POINTS, 3))
    for refinement in _plan()["refinement"]:
        indexes = refinement["indexes"]
        source = outputs[refinement["source"]].reshape(len(indexes), -1)
        points[indexes, :2] = source[:, :2]
        if refinement["z"] == "copy":
            points[indexes, 2] = source[:, 2]
        elif refinement["z"] == "average":
            points[indexes, 2] = points[refinement["average_of"], 2].mean()
    return points
