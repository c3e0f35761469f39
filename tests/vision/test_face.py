"""find_faces (photocheck.vision.face): the mesh's 68 iBUG-position landmarks on the astronaut.

These replace the tests of the retired dlib landmark model that still say something about
the landmarks the checks read: they sit on the features, follow the photo when it moves, and
mirror with it.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

import photocheck
from photocheck.vision import face as face_module
from photocheck.vision.crop import FaceCrop
from photocheck.vision.detection import FULL_RANGE_API_MIN_SCORE, Detection, short_range_faces
from photocheck.vision.face import find_faces
from photocheck.vision.mesh import FaceMesh

PHOTOS_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "photos"

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
    # Measured: mean 0.9%, worst point 3.3% (the detector's crop is not mirror-exact); one
    # mesh run instead of the mirror-averaged mesh: mean 2.3%, worst 4.7% (the chin); without
    # the mirror order, 90%.
    assert error.mean() < 0.015
    assert error.max() < 0.05


# --- which detections count as faces ------------------------------------------------------


def _detection(x0: float, y0: float, size: float, score: float = 0.9) -> Detection:
    box = np.array([x0, y0, x0 + size, y0 + size])
    eyes = np.array([[x0 + 0.3 * size, y0 + 0.4 * size], [x0 + 0.7 * size, y0 + 0.4 * size]])
    keypoints = np.vstack([eyes, np.tile(box[:2] + size / 2, (4, 1))])
    return Detection(box, keypoints, score)


def _fake_models(
    monkeypatch: pytest.MonkeyPatch,
    short: list[Detection],
    full: list[Detection] | None,
    presence: dict[float, float],
) -> tuple[list[float], list[float]]:
    """Stand-in detectors and mesh; ``full=None`` fails if the full-range model is asked.

    The mesh's presence is looked up by the crop's centre x (each fake face has its own).
    Returns the thresholds the full-range model was asked at and the crop centres (x) the
    mesh ran on.
    """
    thresholds: list[float] = []
    meshed: list[float] = []

    def full_range(rgb: NDArray[np.uint8], min_score: float = 0.6) -> list[Detection]:
        if full is None:
            pytest.fail("the full-range model was run")
        thresholds.append(min_score)
        return [d for d in full if d.score >= min_score]

    def mesh(crop: FaceCrop) -> FaceMesh:
        meshed.append(float(crop.centre[0]))
        return FaceMesh(np.zeros((478, 3)), presence[crop.centre[0]])

    monkeypatch.setattr(face_module, "short_range_faces", lambda rgb: short)
    monkeypatch.setattr(face_module, "full_range_faces", full_range)
    monkeypatch.setattr(face_module, "face_mesh", mesh)
    return thresholds, meshed


PHOTO = np.zeros((400, 600, 3), dtype=np.uint8)


def test_a_short_range_detection_the_mesh_rejects_is_no_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A second detection the mesh rejects (presence 0.1) is no face; the full-range model,
    # asked for a second face (below), sees only the first.
    face, other = _detection(100, 100, 200), _detection(400, 100, 100)
    _fake_models(monkeypatch, [face, other], [face], {200.0: 1.0, 450.0: 0.1})
    (found,) = find_faces(PHOTO)
    assert found.box == (100.0, 100.0, 300.0, 300.0)


def test_a_second_face_only_the_short_range_model_sees_is_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both confirmed by the mesh; the full-range model finds the first face (its box a little
    # higher) but nothing where the second one is.
    face, logo = _detection(100, 100, 180), _detection(350, 80, 220, score=0.7)
    _fake_models(monkeypatch, [logo, face], [_detection(95, 85, 190)], {190.0: 1.0, 460.0: 0.9})
    (found,) = find_faces(PHOTO)
    assert found.box == (100.0, 100.0, 280.0, 280.0)


def test_faces_the_full_range_model_cannot_see_are_all_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two close-ups the full-range model misses: no evidence against either.
    left, right = _detection(20, 50, 250), _detection(320, 60, 240)
    _fake_models(monkeypatch, [left, right], [], {145.0: 1.0, 440.0: 1.0})
    assert [f.box[0] for f in find_faces(PHOTO)] == [20.0, 320.0]


def test_full_range_faces_when_the_short_range_ones_are_not_confirmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A turned face: the short-range box gives a crop the mesh rejects, the full-range box
    # (shifted towards the face) one it confirms; a full-range box the mesh rejects is no face.
    short = [_detection(200, 100, 160)]
    full = [_detection(150, 90, 170), _detection(450, 300, 60)]
    _fake_models(monkeypatch, short, full, {280.0: 0.04, 235.0: 1.0, 480.0: 0.2})
    (found,) = find_faces(PHOTO)
    assert found.box == (150.0, 90.0, 320.0, 260.0)


def test_two_real_faces_seen_by_both_models_are_kept(astronaut: NDArray[np.uint8]) -> None:
    # Two heads side by side, the right one at 80% (as in test_detection.py): each model finds
    # both, so neither is dropped.
    head = astronaut[20:260, 120:330]
    small = cv2.resize(head, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    photo = np.full((240, 460, 3), 200, dtype=np.uint8)
    photo[:, :210] = head
    photo[240 - small.shape[0] :, 240 : 240 + small.shape[1]] = small
    faces = find_faces(photo)
    assert len(faces) == 2
    assert faces[0].box[2] < 210 < faces[1].box[0]


# --- a second face cut by the photo's edge, beside a face the short-range model sees ------
# The short-range model scores a face cut by the frame low; the full-range model, asked at
# MediaPipe's public default threshold, finds it, and the mesh's presence gate confirms it.


def test_a_face_only_the_full_range_model_sees_beside_a_face_is_a_second_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The full-range model sees the first face (a little larger box) and, at 0.55 (under the
    # graph's 0.6, over MediaPipe's public default 0.5), a larger face cut by the right edge.
    face, cut = _detection(100, 100, 150), _detection(420, 120, 200, score=0.55)
    thresholds, _ = _fake_models(
        monkeypatch, [face], [_detection(95, 95, 160), cut], {175.0: 1.0, 520.0: 0.98}
    )
    faces = find_faces(PHOTO)
    assert thresholds == [FULL_RANGE_API_MIN_SCORE]
    assert [f.box[0] for f in faces] == [420.0, 100.0]  # largest box first
    assert faces[0].score == 0.55


def test_a_full_range_detection_the_mesh_rejects_is_no_second_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    face, logo = _detection(100, 100, 150), _detection(420, 120, 100, score=0.7)
    _fake_models(monkeypatch, [face], [logo], {175.0: 1.0, 470.0: 0.2})
    (found,) = find_faces(PHOTO)
    assert found.box == (100.0, 100.0, 250.0, 250.0)


def test_the_full_range_box_of_the_same_face_is_not_meshed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    face = _detection(100, 100, 150)
    _, meshed = _fake_models(monkeypatch, [face], [_detection(90, 92, 165)], {175.0: 1.0})
    (found,) = find_faces(PHOTO)
    assert found.box == (100.0, 100.0, 250.0, 250.0)
    assert meshed == [175.0]


def test_a_second_head_cut_by_the_edge_is_found() -> None:
    # The astronaut's head, and beside it the same head at 80% with only its left 100 px in
    # the frame. Measured: the short-range model scores the cut head 0.42 (below its 0.5),
    # the full-range model 0.58, and the mesh confirms it (presence 1.0).
    import skimage.data

    head = skimage.data.astronaut()[20:260, 120:330]
    small = cv2.resize(head, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    photo = np.full((300, 320, 3), 200, dtype=np.uint8)
    photo[30:270, :210] = head
    photo[300 - small.shape[0] :, 220:] = small[:, :100]
    assert all(d.box[0] < 210 for d in short_range_faces(photo))
    faces = find_faces(photo)
    assert len(faces) == 2
    assert faces[0].box[2] < 210 < faces[1].box[0]


@pytest.mark.evaluation
def test_a_second_person_cut_by_the_edge_of_a_snapshot_is_counted() -> None:
    # insightface_032: a man, and a second person's face cut by the right edge (label 2).
    path = PHOTOS_DIR / "img" / "insightface_032.jpg"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must evaluate on the labelled photos, not found at {PHOTOS_DIR}")
        pytest.skip("development photos not available")
    rgb = photocheck.load_image(path).rgb
    faces = find_faces(rgb)
    assert len(faces) == 2
    assert faces[1].box[2] > rgb.shape[1]  # the second one runs past the right edge


@pytest.mark.evaluation
def test_face_count_agrees_with_the_labels() -> None:
    if not (PHOTOS_DIR / "manifest.csv").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must evaluate on the labelled photos, not found at {PHOTOS_DIR}")
        pytest.skip("development photos not available")
    with (PHOTOS_DIR / "manifest.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["n_faces"] in ("0", "1", "2", "2+")]
    single = [r for r in rows if r["n_faces"] == "1"]
    counts = {
        r["file"]: len(find_faces(photocheck.load_image(PHOTOS_DIR / "img" / r["file"]).rgb))
        for r in rows
    }
    accepted = sum(counts[r["file"]] == 1 for r in single)
    rejected = sum(counts[r["file"]] != 1 for r in rows if r["n_faces"] != "1")
    # Measured (2026-12): 164 / 166 one-face photos give one face (a face behind a mask,
    # glasses and a hat, and a close-up of one eye give none), 17 / 17 others are rejected
    # (a second person cut by the photo's edge is found by the full-range model): balanced
    # accuracy 0.994.
    assert len(single) >= 150 and len(rows) - len(single) >= 15
    assert accepted >= len(single) - 3
    assert rejected >= len(rows) - len(single) - 1
