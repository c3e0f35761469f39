"""The 478-point attention mesh against MediaPipe's own output, and its face-presence gate.

``tests/data/astronaut_mesh_mediapipe.npz`` holds what the real ``mediapipe==0.10.21`` package
gives for ``skimage.data.astronaut()`` (made by ``tests/data/make_astronaut_mesh_reference.py``).

Bounds: errors are point distances over the distance between the outer eye corners (33, 263),
about 60 px on the astronaut. Started from the same detection as MediaPipe, photocheck's mesh
was measured against the mediapipe package on the 164 single-face development photos at a
per-point median of 0.015%, 90th percentile 0.037% and maximum 0.47% (astronaut: median
0.013%, maximum 0.05%). MEDIAN_BOUND (0.1%, 0.06 px here) leaves room for float differences
between LiteRT/OpenCV builds but not for a semantic slip: sampling the crop with a half-pixel
offset (pixel edges instead of pixel centres) gives a median of 0.3%. MAX_BOUND (1%) catches
slips that move only some points: without the half-pixel correction of the resampling
operation the refined points move by up to 2%; swapping the irises moves them by 71%.

Those comparisons use :func:`model_mesh` (one model run, as MediaPipe). photocheck's
:func:`face_mesh` averages it with the mirrored crop's mesh; its own tests check that the
average is exactly mirror-consistent and stays close to MediaPipe's mesh.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photocheck.vision.crop import FaceCrop, face_crop
from photocheck.vision.detection import Detection, detect_faces
from photocheck.vision.mesh import (
    NUM_POINTS,
    PRESENCE_THRESHOLD,
    face_mesh,
    mirror_partners,
    model_mesh,
)
from photocheck.vision.runtime import MODEL_DIR

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "astronaut_mesh_mediapipe.npz"
MEDIAN_BOUND = 0.001
MAX_BOUND = 0.01
EYE_CORNERS = (33, 263)  # outer corners: image-left eye, image-right eye
IMAGE_LEFT_EYE = (33, 133)  # corners of the eye whose iris is 468-472
IMAGE_RIGHT_EYE = (362, 263)  # corners of the eye whose iris is 473-477


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as data:
        return {key: data[key] for key in data.files}


def _relative_errors(points: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) distances and |z| differences over the reference's eye-corner distance."""
    eyes = np.linalg.norm(expected[EYE_CORNERS[0], :2] - expected[EYE_CORNERS[1], :2])
    xy = np.linalg.norm(points[:, :2] - expected[:, :2], axis=1) / eyes
    return xy, np.abs(points[:, 2] - expected[:, 2]) / eyes


def _assert_matches(points: np.ndarray, expected: np.ndarray) -> None:
    xy, z = _relative_errors(points, expected)
    assert np.median(xy) < MEDIAN_BOUND, f"median error {np.median(xy):.3%} of the eye distance"
    assert xy.max() < MAX_BOUND, f"point {xy.argmax()} is off by {xy.max():.3%}"
    assert np.median(z) < MEDIAN_BOUND and z.max() < MAX_BOUND, f"depth off by up to {z.max():.3%}"


def test_mesh_matches_mediapipe_from_the_same_detection(
    astronaut: np.ndarray, reference: dict[str, np.ndarray]
) -> None:
    detection = Detection(reference["box"], reference["keypoints"], float(reference["score"]))
    mesh = model_mesh(face_crop(astronaut, detection))
    assert mesh.points.shape == (NUM_POINTS, 3) and mesh.points.dtype == np.float64
    _assert_matches(mesh.points, reference["points"])


def test_detection_crop_and_mesh_together_match_mediapipe(
    astronaut: np.ndarray, reference: dict[str, np.ndarray]
) -> None:
    (detection,) = detect_faces(astronaut)
    mesh = model_mesh(face_crop(astronaut, detection))
    assert mesh.presence > 0.99
    _assert_matches(mesh.points, reference["points"])


def test_irises_sit_inside_their_eyes(astronaut: np.ndarray) -> None:
    (detection,) = detect_faces(astronaut)
    points = face_mesh(face_crop(astronaut, detection)).points
    for iris, (inner, outer) in ((468, IMAGE_LEFT_EYE), (473, IMAGE_RIGHT_EYE)):
        low, high = sorted((points[inner, 0], points[outer, 0]))
        assert low < points[iris, 0] < high
        # The iris ring (next 4 points) surrounds its centre.
        ring = points[iris + 1 : iris + 5, :2]
        assert np.allclose(ring.mean(axis=0), points[iris, :2], atol=0.25 * (high - low))
        # Iris depth is the mean depth of the eye's 16 contour points: all 5 share it.
        assert np.ptp(points[iris : iris + 5, 2]) == 0


def test_presence_is_low_on_a_flat_grey_crop() -> None:
    grey = FaceCrop(np.full((192, 192, 3), 0.5, np.float32), (96.0, 96.0), 192.0, 0.0)
    presence = face_mesh(grey).presence
    assert 0.0 <= presence < 0.01 < PRESENCE_THRESHOLD


def test_mirror_partners_pair_the_canonical_faces_mirrored_vertices() -> None:
    partners = mirror_partners()
    assert partners.shape == (NUM_POINTS,)
    assert np.array_equal(partners[partners], np.arange(NUM_POINTS))
    with np.load(MODEL_DIR / "canonical_face.npz") as data:
        vertices = data["vertices"]
    # Each of the 468 mesh vertices sits where its partner's mirror image sits.
    mirrored = vertices[partners[:468]] * np.array([-1.0, 1.0, 1.0])
    assert np.abs(mirrored - vertices).max() < 1e-6
    # Named pairs: outer eye corners, mouth corners, face edges; midline points stay.
    assert partners[[33, 61, 234, 468, 469]].tolist() == [263, 291, 454, 473, 476]
    assert partners[[1, 13, 14, 152, 168]].tolist() == [1, 13, 14, 152, 168]


def _in_crop_pixels(crop: FaceCrop) -> FaceCrop:
    """The crop's pixels, placed so that photo x, y = crop pixel u, v minus 96."""
    return FaceCrop(crop.pixels, (0.0, 0.0), float(crop.pixels.shape[1]), 0.0)


def _mirror_back(points: np.ndarray) -> np.ndarray:
    """Points of the mirrored crop (as placed by _in_crop_pixels) in the unmirrored crop's frame.

    Column u of the mirrored crop is column 191 - u of the crop: x = u - 96 becomes -1 - x.
    """
    back = points[mirror_partners()].copy()
    back[:, 0] = -1.0 - back[:, 0]
    return back


def test_the_mesh_of_a_mirrored_crop_is_the_mirrored_mesh(astronaut: np.ndarray) -> None:
    (detection,) = detect_faces(astronaut)
    crop = _in_crop_pixels(face_crop(astronaut, detection))
    mirrored = crop._replace(pixels=np.ascontiguousarray(crop.pixels[:, ::-1]))
    mesh, other = face_mesh(crop), face_mesh(mirrored)
    assert np.abs(_mirror_back(other.points) - mesh.points).max() < 1e-3
    assert other.presence == pytest.approx(mesh.presence)
    # One model run alone is not mirror-consistent (that is why face_mesh averages).
    single = model_mesh(crop).points
    # (on the astronaut up to 2.7 crop px, median 0.9 px)
    assert np.abs(_mirror_back(model_mesh(mirrored).points) - single).max() > 1.0


def test_the_averaged_mesh_stays_close_to_mediapipes(
    astronaut: np.ndarray, reference: dict[str, np.ndarray]
) -> None:
    detection = Detection(reference["box"], reference["keypoints"], float(reference["score"]))
    points = face_mesh(face_crop(astronaut, detection)).points
    xy, z = _relative_errors(points, reference["points"])
    # Half the model's left/right bias on this frontal, well-resolved face: 0.5% of the
    # eye-corner distance at the median, 2% at most (one run alone: 0.013%, 0.05%).
    assert np.median(xy) < 0.01 and xy.max() < 0.04, (np.median(xy), xy.max())
    assert np.median(z) < 0.01
