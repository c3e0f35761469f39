"""find_faces: a second face cut by the photo's edge, beside a face the short-range model sees.

The short-range model scores a face cut by the frame low; the full-range model, asked at
MediaPipe's public default threshold, finds it, and the mesh's presence gate confirms it.
"""

from __future__ import annotations

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
PHOTO = np.zeros((400, 600, 3), dtype=np.uint8)


def _detection(x0: float, y0: float, size: float, score: float = 0.9) -> Detection:
    box = np.array([x0, y0, x0 + size, y0 + size])
    eyes = np.array([[x0 + 0.3 * size, y0 + 0.4 * size], [x0 + 0.7 * size, y0 + 0.4 * size]])
    keypoints = np.vstack([eyes, np.tile(box[:2] + size / 2, (4, 1))])
    return Detection(box, keypoints, score)


def _fake_models(
    monkeypatch: pytest.MonkeyPatch,
    short: list[Detection],
    full: list[Detection],
    presence: dict[float, float],
) -> tuple[list[float], list[float]]:
    """Stand-in detectors and mesh; returns the full-range thresholds asked for and the
    crop centres (x) the mesh ran on. The presence is looked up by the crop's centre x."""
    thresholds: list[float] = []
    meshed: list[float] = []

    def full_range(rgb: NDArray[np.uint8], min_score: float = 0.6) -> list[Detection]:
        thresholds.append(min_score)
        return [d for d in full if d.score >= min_score]

    def mesh(crop: FaceCrop) -> FaceMesh:
        meshed.append(float(crop.centre[0]))
        return FaceMesh(np.zeros((478, 3)), presence[crop.centre[0]])

    monkeypatch.setattr(face_module, "short_range_faces", lambda rgb: short)
    monkeypatch.setattr(face_module, "full_range_faces", full_range)
    monkeypatch.setattr(face_module, "face_mesh", mesh)
    return thresholds, meshed


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
