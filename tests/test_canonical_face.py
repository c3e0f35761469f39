"""Analysis.canonical_face: which crop pixels lie inside the photo, without warping a mask."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from photocheck.analysis import CANON, Analysis, _inside_source
from photocheck.imaging.load import load_image

SIZE = (int(CANON["width"]), int(CANON["height"]))


def _warped_ones(matrix: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    ones = np.full(shape, 255, np.uint8)
    return cv2.warpAffine(ones, matrix, SIZE, flags=cv2.INTER_NEAREST, borderValue=0) > 0


@pytest.mark.parametrize("seed", range(4))
def test_inside_source_is_the_warped_mask_of_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (600, 450)
    for _ in range(200):
        # Eyes anywhere in (and a little beyond) the photo, at the scales and angles met.
        centre = (rng.uniform(-50, 500), rng.uniform(-50, 650))
        matrix = cv2.getRotationMatrix2D(centre, rng.uniform(-20, 20), rng.uniform(0.3, 2.0))
        matrix[0, 2] += SIZE[0] / 2 - centre[0]
        matrix[1, 2] += CANON["eye_y"] - centre[1]
        assert np.array_equal(_inside_source(matrix, SIZE, shape), _warped_ones(matrix, shape))


def test_a_crop_just_inside_or_just_outside_the_photo() -> None:
    shape = (400, 300)
    for shift in (0.0, 1e-9, -1e-9, 0.49, 0.51, -0.49, -0.51):
        # The crop's top-left corner comes from the photo's pixel (shift, 10).
        matrix = np.array([[1.0, 0.0, -shift], [0.0, 1.0, -10.0]])
        expected = _warped_ones(matrix, shape)
        assert np.array_equal(_inside_source(matrix, SIZE, shape), expected)


def test_canonical_face_of_a_portrait_and_of_a_cut_one() -> None:
    astronaut = skimage.data.astronaut()
    whole = Analysis(load_image(astronaut)).canonical_face
    assert whole["valid"].all()
    cut = Analysis(load_image(np.ascontiguousarray(astronaut[90:, 150:]))).canonical_face
    assert 0 < np.count_nonzero(cut["valid"]) < cut["valid"].size
    assert cut["mesh"].shape == (478, 2)
