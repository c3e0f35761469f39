"""BlazeFace detection (photocheck.vision.detection) on the astronaut and images built from it.

The detector was checked against the ``mediapipe`` 0.10.21 package outside the project (same
face count on all 184 development photos, boxes and keypoints within 0.05% of the box width
at the median); these tests pin the behaviour that matters to the checks without it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from photocheck.vision.detection import (
    Detection,
    detect_faces,
    full_range_faces,
    same_face,
    short_range_faces,
)

PHOTOS_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "photos"

# Regions checked by eye on skimage.data.astronaut() (512 x 512, drawn enlarged 4x with a 10 px
# grid): the pupils are at about (203, 100) and (247, 103), the nose tip at about (222, 126),
# the mouth (centre of the teeth) at about (221, 145), the face spans x 175-272, y 80-180.
# (x_min, x_max, y_min, y_max) per keypoint, in the detector's order.
ASTRONAUT_REGIONS = {
    0: (193, 211, 94, 110),  # right eye, on the image's left
    1: (238, 256, 97, 113),  # left eye
    2: (212, 232, 116, 136),  # nose tip
    3: (209, 233, 136, 156),  # mouth centre
}


@pytest.fixture(scope="module")
def astronaut() -> NDArray[np.uint8]:
    import skimage.data

    return np.ascontiguousarray(skimage.data.astronaut())


@pytest.fixture(scope="module")
def astronaut_face(astronaut: NDArray[np.uint8]) -> Detection:
    found = detect_faces(astronaut)
    assert len(found) == 1
    return found[0]


def test_astronaut_has_one_face_with_features_in_place(astronaut_face: Detection) -> None:
    face = astronaut_face
    assert face.box.shape == (4,) and face.keypoints.shape == (6, 2)
    assert face.box.dtype == np.float64 and face.keypoints.dtype == np.float64
    assert 0.8 < face.score <= 1.0
    for index, (x0, x1, y0, y1) in ASTRONAUT_REGIONS.items():
        x, y = face.keypoints[index]
        assert x0 <= x <= x1 and y0 <= y <= y1, (index, x, y)
    left, top, right, bottom = face.box
    assert 165 <= left <= 190 and 260 <= right <= 285
    assert 70 <= top <= 95 and 165 <= bottom <= 190
    # The ear tragions sit left and right of the eyes, at about their height.
    assert face.keypoints[4, 0] < face.keypoints[0, 0] < face.keypoints[1, 0] < face.keypoints[5, 0]


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_image_has_no_face(value: int) -> None:
    assert detect_faces(np.full((480, 640, 3), value, dtype=np.uint8)) == []


def test_mirrored_photo_gives_mirrored_face(
    astronaut: NDArray[np.uint8], astronaut_face: Detection
) -> None:
    width = astronaut.shape[1]
    (mirrored,) = detect_faces(np.ascontiguousarray(astronaut[:, ::-1]))
    # Pixel centres are at integer coordinates, so x mirrors to width - 1 - x.
    left, top, right, bottom = mirrored.box
    back = np.array([width - 1 - right, top, width - 1 - left, bottom])
    np.testing.assert_allclose(back, astronaut_face.box, atol=5.0)
    # The mirror swaps the two eyes (and ears); eyes, nose and mouth agree within a few px.
    points = mirrored.keypoints[[1, 0, 2, 3, 5, 4]].copy()
    points[:, 0] = width - 1 - points[:, 0]
    np.testing.assert_allclose(points[:4], astronaut_face.keypoints[:4], atol=8.0)


def test_padding_keeps_the_face_in_place(
    astronaut: NDArray[np.uint8], astronaut_face: Detection
) -> None:
    # 64 px of black on every side: the model sees the face 20% smaller, so about one model
    # pixel (5 photo px) of wobble is expected.
    padded = cv2.copyMakeBorder(astronaut, 64, 64, 64, 64, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    (face,) = detect_faces(padded)
    np.testing.assert_allclose(face.box - 64, astronaut_face.box, atol=6.0)
    np.testing.assert_allclose(face.keypoints[:4] - 64, astronaut_face.keypoints[:4], atol=6.0)


def test_wide_letterbox_keeps_the_face_in_place(
    astronaut: NDArray[np.uint8], astronaut_face: Detection
) -> None:
    # A non-square photo is padded to a centred square before detection; undoing that must
    # put the face back where it is (to within the model's resolution, 712 / 128 = 5.6 px).
    wide = cv2.copyMakeBorder(astronaut, 0, 0, 0, 200, cv2.BORDER_REPLICATE)
    (face,) = detect_faces(wide)
    np.testing.assert_allclose(face.box, astronaut_face.box, atol=7.0)
    np.testing.assert_allclose(face.keypoints[:4], astronaut_face.keypoints[:4], atol=7.0)


@pytest.mark.parametrize("factor", [0.75, 1.5, 2.5])
def test_rescaling_keeps_the_face_in_place(
    astronaut: NDArray[np.uint8], astronaut_face: Detection, factor: float
) -> None:
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(astronaut, None, fx=factor, fy=factor, interpolation=interpolation)
    (face,) = detect_faces(resized)
    # Pixel centres at integers: x in the resized photo is (x + 0.5) * factor - 0.5.
    np.testing.assert_allclose((face.box + 0.5) / factor - 0.5, astronaut_face.box, atol=3.0)
    np.testing.assert_allclose(
        (face.keypoints[:4] + 0.5) / factor - 0.5, astronaut_face.keypoints[:4], atol=3.0
    )


def test_small_face_falls_back_to_full_range(
    astronaut: NDArray[np.uint8], astronaut_face: Detection
) -> None:
    # The astronaut at half size on a light 800 x 800 canvas: the face is 6% of the width, too
    # small for the short-range model (MediaPipe's finds nothing either); the full-range one
    # finds it.
    canvas = np.full((800, 800, 3), 200, dtype=np.uint8)
    canvas[300:556, 300:556] = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    (face,) = detect_faces(canvas)
    expected = (astronaut_face.box + 0.5) * 0.5 - 0.5 + 300
    # The full-range model places boxes and points less tightly (here about 5 px higher on a
    # 48 px face, as MediaPipe's own output): allow 15% of the face width.
    tolerance = 0.15 * (expected[2] - expected[0])
    np.testing.assert_allclose(face.box, expected, atol=tolerance)
    eyes = (astronaut_face.keypoints[:2] + 0.5) * 0.5 - 0.5 + 300
    np.testing.assert_allclose(face.keypoints[:2], eyes, atol=tolerance)
    assert 0.6 <= face.score <= 1.0


def test_largest_face_comes_first(astronaut: NDArray[np.uint8]) -> None:
    # Two heads side by side, the right one at 80%; the smaller one scores slightly higher
    # (0.96 against 0.95), so this checks the ordering by size, not by score.
    head = astronaut[20:260, 120:330]
    small = cv2.resize(head, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    photo = np.full((240, 460, 3), 200, dtype=np.uint8)
    photo[:, :210] = head
    photo[240 - small.shape[0] :, 240 : 240 + small.shape[1]] = small
    faces = detect_faces(photo)
    assert len(faces) == 2
    widths = [face.box[2] - face.box[0] for face in faces]
    assert widths[0] > widths[1]
    assert faces[0].box[2] < 210 < faces[1].box[0]


def test_both_models_find_the_astronaut_in_the_same_place(
    astronaut: NDArray[np.uint8], astronaut_face: Detection
) -> None:
    (short,) = short_range_faces(astronaut)
    (full,) = full_range_faces(astronaut)
    np.testing.assert_array_equal(short.box, astronaut_face.box)
    # The full-range box sits about 10 px higher on this 95 px face: still the same face.
    assert same_face(short.box, full.box)
    assert same_face(full.box, short.box)


def test_boxes_side_by_side_are_different_faces(astronaut_face: Detection) -> None:
    box = astronaut_face.box
    width = box[2] - box[0]
    assert same_face(box, box)
    # Shifted by half its width the box still overlaps by IoU 1/3 (> 0.3); by 0.6, 0.25.
    assert same_face(box, box + np.array([0.5, 0, 0.5, 0]) * width)
    assert not same_face(box, box + np.array([0.6, 0, 0.6, 0]) * width)
    assert not same_face(box, box + np.array([width, 0, width, 0]))


def _face_count_matches(count: int, label: str) -> bool | None:
    return {"0": count == 0, "1": count == 1, "2": count == 2, "2+": count >= 2}.get(label)


@pytest.mark.evaluation
@pytest.mark.skipif(not PHOTOS_DIR.is_dir(), reason="development photos not available")
def test_face_count_agrees_with_the_labels() -> None:
    with (PHOTOS_DIR / "manifest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    verdicts = []
    for row in rows:
        bgr = cv2.imread(str(PHOTOS_DIR / "img" / row["file"]), cv2.IMREAD_COLOR)
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        verdict = _face_count_matches(len(detect_faces(rgb)), row["n_faces"])
        if verdict is not None:
            verdicts.append(verdict)
    # Measured 179 / 183 labelled photos (2026-12); MediaPipe itself gives the same counts.
    assert len(verdicts) >= 150
    assert sum(verdicts) >= 0.96 * len(verdicts)
