"""The NumPy landmark model against dlib's own predictor on the same face boxes."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import dlib
import numpy as np
import pytest
import skimage.data
from hypothesis import given, settings
from hypothesis import strategies as st

from photocheck.errors import ModelNotFoundError
from photocheck.imaging.load import load_image
from photocheck.vision import dlib_faces as face
from photocheck.vision.dlib_landmarks import load_landmark_model, predict_landmarks

PHOTOS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
# Measured over the 104 development photos with a face (mean 0.015, worst face 0.064);
# dlib itself moves its landmarks by 0.017 on average when the box moves by one pixel.
MEAN_ERROR_FLOOR = 0.02
WORST_FACE_FLOOR = 0.09


@pytest.fixture(scope="module")
def dlib_predictor() -> dlib.shape_predictor:
    return dlib.shape_predictor(str(face._model_dir() / "shape_predictor_68_face_landmarks.dat"))


def dlib_points(predictor: dlib.shape_predictor, grey: np.ndarray, box: tuple) -> np.ndarray:
    shape = predictor(grey, dlib.rectangle(*box))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def error_over_eye_distance(ours: np.ndarray, reference: np.ndarray) -> float:
    """Mean point distance divided by the reference's inter-eye distance."""
    eye_distance = np.linalg.norm(reference[36:42].mean(0) - reference[42:48].mean(0))
    return float(np.linalg.norm(ours - reference, axis=1).mean() / eye_distance)


def astronaut_grey() -> np.ndarray:
    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)


def test_matches_dlib_on_the_astronaut(dlib_predictor):
    grey = astronaut_grey()
    box = face.detect_faces(grey)[0].box
    assert (
        error_over_eye_distance(
            predict_landmarks(grey, box), dlib_points(dlib_predictor, grey, box)
        )
        < 0.03
    )


def test_box_partly_outside_the_image_matches_dlib(dlib_predictor):
    grey = astronaut_grey()
    left, top, right, bottom = face.detect_faces(grey)[0].box
    cropped = np.ascontiguousarray(grey[top + 30 :, left + 25 :])
    box = (-25, -30, right - left - 25, bottom - top - 30)  # the face's top left is cut off
    ours = predict_landmarks(cropped, box)
    assert error_over_eye_distance(ours, dlib_points(dlib_predictor, cropped, box)) < 0.05


@settings(max_examples=15, deadline=None)
@given(dx=st.integers(0, 40), dy=st.integers(0, 40))
def test_moving_image_and_box_together_moves_the_landmarks_exactly(dx, dy):
    grey = astronaut_grey()
    box = face.detect_faces(grey)[0].box
    padded = cv2.copyMakeBorder(grey, dy, 0, dx, 0, cv2.BORDER_CONSTANT, value=0)
    moved = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
    shift = np.array([dx, dy], dtype=np.float64)
    assert np.allclose(predict_landmarks(padded, moved), predict_landmarks(grey, box) + shift)


def test_unreadable_model_file_raises_the_typed_error(tmp_path):
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelNotFoundError, match="cannot read the landmark model"):
        load_landmark_model(broken)
    with pytest.raises(ModelNotFoundError):
        load_landmark_model(tmp_path / "missing.npz")


def test_landmarker_falls_back_to_dlibs_file(monkeypatch, dlib_predictor):
    def missing(path=None):
        raise ModelNotFoundError("gone")

    monkeypatch.setattr("photocheck.vision.dlib_landmarks.load_landmark_model", missing)
    landmarker = face._landmarker()
    grey = astronaut_grey()
    box = face.detect_faces(grey)[0].box
    assert np.array_equal(landmarker(grey, box), dlib_points(dlib_predictor, grey, box))


@pytest.mark.skipif(not PHOTOS_DIR.is_dir(), reason="development photos not available")
def test_matches_dlib_on_the_development_photos(dlib_predictor):
    errors = []
    with open(PHOTOS_DIR / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows[::2]:
        grey = cv2.cvtColor(
            np.ascontiguousarray(load_image(PHOTOS_DIR / "img" / row["file"]).rgb),
            cv2.COLOR_RGB2GRAY,
        )
        faces = face.detect_faces(grey)
        if faces:
            box = faces[0].box
            errors.append(
                error_over_eye_distance(
                    predict_landmarks(grey, box), dlib_points(dlib_predictor, grey, box)
                )
            )
    assert len(errors) > 40
    assert np.mean(errors) < MEAN_ERROR_FLOOR
    assert max(errors) < WORST_FACE_FLOOR
