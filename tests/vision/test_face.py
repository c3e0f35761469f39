"""find_faces (photocheck.vision.face): the mesh's 68 iBUG-position landmarks on the astronaut.

These replace the tests of the retired dlib landmark model that still say something about
the landmarks the checks read: they sit on the features, follow the photo when it moves, and
mirror with it.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from photocheck.vision.face import find_faces

# Regions checked by eye on skimage.data.astronaut() (see test_detection.py): (x0, x1, y0, y1).
RIGHT_EYE = (193, 211, 94, 110)  # the person's right eye, on the image's left
LEFT_EYE = (238, 256, 97, 113)
NOSE_TIP = (212, 232, 116, 136)
MOUTH = (209, 233, 136, 156)

# iBUG index of each landmark's mirror image: jaw, brows, nose, eyes, outer and inner lips.
MIRROR = [
    *range(16, -1, -1), *range(26, 16, -1), 27, 28, 29, 30, *range(35, 30, -1),
    45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,
    54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55,
    64, 63, 62, 61, 60, 67, 66, 65,
]  # fmt: skip


@pytest.fixture(scope="module")
def astronaut() -> NDArray[np.uint8]:
    import skimage.data

    return np.ascontiguousarray(skimage.data.astronaut())


@pytest.fixture(scope="module")
def landmarks(astronaut: NDArray[np.uint8]) -> NDArray[np.float64]:
    faces = find_faces(astronaut)
    assert len(faces) == 1
    return faces[0].landmarks


def _inside(point: NDArray[np.float64], region: tuple[int, int, int, int]) -> bool:
    x0, x1, y0, y1 = region
    return bool(x0 <= point[0] <= x1 and y0 <= point[1] <= y1)


def _eye_distance(points: NDArray[np.float64]) -> float:
    return float(np.linalg.norm(points[42:48].mean(axis=0) - points[36:42].mean(axis=0)))


def test_landmarks_sit_on_the_features(landmarks: NDArray[np.float64]) -> None:
    assert landmarks.shape == (68, 2)
    assert _inside(landmarks[36:42].mean(axis=0), RIGHT_EYE)
    assert _inside(landmarks[42:48].mean(axis=0), LEFT_EYE)
    assert _inside(landmarks[30], NOSE_TIP)
    assert _inside(landmarks[60:68].mean(axis=0), MOUTH)
    assert landmarks[8, 1] > landmarks[57, 1] > landmarks[33, 1] > landmarks[27, 1]  # top down
    assert landmarks[0, 0] < landmarks[36, 0] < landmarks[45, 0] < landmarks[16, 0]


@pytest.mark.parametrize(("dx", "dy"), [(1, 0), (0, 1), (7, 13), (40, 40)])
def test_moving_the_photo_moves_the_landmarks(
    astronaut: NDArray[np.uint8], landmarks: NDArray[np.float64], dx: int, dy: int
) -> None:
    padded = cv2.copyMakeBorder(astronaut, dy, 0, dx, 0, cv2.BORDER_CONSTANT, value=0)
    moved = find_faces(padded)[0].landmarks - np.array([dx, dy])
    error = np.linalg.norm(moved - landmarks, axis=1) / _eye_distance(landmarks)
    # Measured: mean 0.8-1.5% of the eye distance, worst point 4.1% (at 40, 40).
    assert error.mean() < 0.03
    assert error.max() < 0.08


def test_mirrored_photo_gives_mirrored_landmarks(
    astronaut: NDArray[np.uint8], landmarks: NDArray[np.float64]
) -> None:
    assert sorted(MIRROR) == list(range(68))
    mirrored = find_faces(np.ascontiguousarray(astronaut[:, ::-1]))[0].landmarks
    back = mirrored.copy()
    back[:, 0] = astronaut.shape[1] - 1 - back[:, 0]
    error = np.linalg.norm(back[MIRROR] - landmarks, axis=1) / _eye_distance(landmarks)
    # Measured: mean 2.3%, worst point 4.7% (the chin); without the mirror order, 90%.
    assert error.mean() < 0.05
    assert error.max() < 0.1
