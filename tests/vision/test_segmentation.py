"""The person mask (MediaPipe selfie segmentation on LiteRT) on the astronaut portrait."""

from __future__ import annotations

import numpy as np
import pytest

from photocheck.errors import InvalidImageError
from photocheck.vision.segmentation import person_mask


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    import skimage.data

    return np.ascontiguousarray(skimage.data.astronaut())


@pytest.fixture(scope="module")
def astronaut_mask(astronaut: np.ndarray) -> np.ndarray:
    return person_mask(astronaut)


def test_mask_shape_dtype_and_range(astronaut: np.ndarray, astronaut_mask: np.ndarray) -> None:
    assert astronaut_mask.shape == astronaut.shape[:2]
    assert astronaut_mask.dtype == np.float32
    assert astronaut_mask.min() >= 0.0
    assert astronaut_mask.max() <= 1.0


def test_mask_is_high_on_the_face_and_body(astronaut_mask: np.ndarray) -> None:
    # The 512 x 512 astronaut: face about rows 40-200, columns 170-290; the white suit fills
    # the bottom rows from column 60 to the right edge.
    face = astronaut_mask[70:150, 200:250]
    forehead_and_hair = astronaut_mask[40:60, 180:260]
    body = astronaut_mask[400:512, 80:420]
    assert face.min() > 0.9
    assert forehead_and_hair.mean() > 0.9
    assert body.mean() > 0.9
    assert np.mean(body > 0.5) > 0.99


def test_mask_is_low_in_the_top_corners(astronaut_mask: np.ndarray) -> None:
    # Top left: the US flag; top right: the shuttle model and backdrop.
    assert astronaut_mask[0:60, 0:60].max() < 0.05
    assert astronaut_mask[0:60, 452:512].max() < 0.05


def test_no_person_in_a_blank_image() -> None:
    blank = np.full((300, 200, 3), 128, dtype=np.uint8)
    assert person_mask(blank).max() < 0.05


@pytest.mark.parametrize(("rows", "cols"), [(401, 303), (255, 257), (37, 513), (1, 1)])
def test_output_size_equals_input_size(astronaut: np.ndarray, rows: int, cols: int) -> None:
    import cv2

    resized = cv2.resize(astronaut, (cols, rows), interpolation=cv2.INTER_AREA)
    mask = person_mask(resized)
    assert mask.shape == (rows, cols)
    assert mask.dtype == np.float32
    assert 0.0 <= mask.min() <= mask.max() <= 1.0


def test_crop_keeps_the_person_where_it_was(astronaut: np.ndarray) -> None:
    # A head-and-shoulders crop stretched to 256 x 256 still finds the face in the same place.
    crop = np.ascontiguousarray(astronaut[0:301, 121:340])  # odd size, face centred
    mask = person_mask(crop)
    assert mask[70:150, 200 - 121 : 250 - 121].mean() > 0.9


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10), dtype=np.uint8),
        np.zeros((10, 10, 4), dtype=np.uint8),
        np.zeros((10, 10, 3), dtype=np.float32),
        np.zeros((0, 10, 3), dtype=np.uint8),
    ],
)
def test_rejects_arrays_that_are_not_rgb_uint8(bad: np.ndarray) -> None:
    with pytest.raises(InvalidImageError):
        person_mask(bad)


@pytest.mark.parametrize("width", [512, 333])
def test_a_mirror_image_gives_the_mirrored_mask(astronaut: np.ndarray, width: int) -> None:
    # The model alone is not mirror-symmetric (its masks of a photo and of its mirror image
    # differ by up to several pixels at the hair); mirror averaging and the centre-aligned warp
    # make the mask of a mirror image the mirror image of the mask.
    photo = np.ascontiguousarray(astronaut[:, :width])
    mask = person_mask(photo)
    mirrored = person_mask(np.ascontiguousarray(photo[:, ::-1]))[:, ::-1]
    np.testing.assert_allclose(mirrored, mask, atol=1e-5)
