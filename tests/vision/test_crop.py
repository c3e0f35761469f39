"""The eye-levelled face crop (photocheck.vision.crop): its geometry, sampling and inverse."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from photocheck.vision.crop import FaceCrop, crop_to_image, face_crop
from photocheck.vision.detection import Detection, detect_faces

# Pupil centres in skimage.data.astronaut(), checked by eye on a 4x enlargement and confirmed
# as the darkest point of the lightly blurred grey image near each eye.
ASTRONAUT_PUPILS = np.array([[204.0, 99.0], [247.0, 102.0]])
# Centre (near her nose) of the turns used to tilt the astronaut.
TILT_CENTRE = (225.0, 130.0)


@pytest.fixture(scope="module")
def astronaut() -> NDArray[np.uint8]:
    import skimage.data

    return np.ascontiguousarray(skimage.data.astronaut())


def _image_to_crop(crop: FaceCrop, points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Invert :func:`crop_to_image` through its affine matrix, read off three points."""
    origin, unit_x, unit_y = crop_to_image(crop, np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    forward = np.column_stack([unit_x - origin, unit_y - origin, origin])
    return cv2.transform(points[None], cv2.invertAffineTransform(forward))[0]


def _darkest_near(
    grey: NDArray[np.float64], point: NDArray[np.float64], reach: int
) -> NDArray[np.float64]:
    x, y = np.rint(point).astype(int)
    window = grey[y - reach : y + reach + 1, x - reach : x + reach + 1]
    row, col = np.unravel_index(np.argmin(window), window.shape)
    return np.array([x - reach + col, y - reach + row], dtype=np.float64)


def _tilted(
    astronaut: NDArray[np.uint8], degrees: float
) -> tuple[NDArray[np.uint8], NDArray[np.float64]]:
    """The astronaut turned ``degrees`` counter-clockwise on screen, and where her pupils went."""
    turn = cv2.getRotationMatrix2D(TILT_CENTRE, degrees, 1.0)
    size = astronaut.shape[1::-1]
    photo = cv2.warpAffine(
        astronaut, turn, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    return photo, cv2.transform(ASTRONAUT_PUPILS[None], turn)[0]


def test_crop_geometry_follows_the_detection(astronaut: NDArray[np.uint8]) -> None:
    (face,) = detect_faces(astronaut)
    crop = face_crop(astronaut, face)
    assert crop.pixels.shape == (192, 192, 3) and crop.pixels.dtype == np.float32
    assert crop.pixels.min() >= 0.0 and crop.pixels.max() <= 1.0
    x0, y0, x1, y1 = face.box
    assert crop.centre == pytest.approx(((x0 + x1) / 2, (y0 + y1) / 2))
    assert crop.side == pytest.approx(1.5 * max(x1 - x0, y1 - y0))
    (ax, ay), (bx, by) = face.keypoints[:2]
    assert crop.angle == pytest.approx(math.atan2(by - ay, bx - ax))
    # The crop's centre pixel is the photo's pixel at the crop centre.
    cx, cy = crop.centre
    expected = cv2.getRectSubPix(astronaut.astype(np.float32), (1, 1), (cx, cy))[0, 0] / 255
    np.testing.assert_allclose(crop.pixels[96, 96], expected, atol=1 / 255 + 1e-6)


@pytest.mark.parametrize("degrees", [-30.0, -15.0, 15.0, 30.0])
def test_crop_of_tilted_face_is_level(astronaut: NDArray[np.uint8], degrees: float) -> None:
    photo, pupils = _tilted(astronaut, degrees)
    (face,) = detect_faces(photo)
    # Put the detection's eye keypoints on the known pupils: BlazeFace's own eye points lag
    # behind a turn by up to ~10 degrees (MediaPipe's too), which is not the crop's concern.
    keypoints = face.keypoints.copy()
    keypoints[:2] = pupils
    crop = face_crop(photo, Detection(face.box, keypoints, face.score))
    eye_line = math.degrees(math.atan2(*(ASTRONAUT_PUPILS[1] - ASTRONAUT_PUPILS[0])[::-1]))
    assert math.degrees(crop.angle) == pytest.approx(eye_line - degrees, abs=1e-6)
    # In the crop the pupils sit on one row: find them as the darkest point near where the
    # mapping puts them, on the pixels themselves.
    grey = cv2.GaussianBlur(
        cv2.cvtColor(crop.pixels, cv2.COLOR_RGB2GRAY).astype(np.float64), (5, 5), 1.5
    )
    predicted = _image_to_crop(crop, pupils)
    assert predicted[0, 1] == pytest.approx(predicted[1, 1], abs=1e-6)
    found = np.array([_darkest_near(grey, point, reach=8) for point in predicted])
    np.testing.assert_allclose(found, predicted, atol=4.5)
    assert abs(found[0, 1] - found[1, 1]) <= 2.0
    assert found[1, 0] - found[0, 0] > 40  # the right eye (image left) stays on the left


def test_crop_of_tilted_face_from_the_detector_is_nearly_level(
    astronaut: NDArray[np.uint8],
) -> None:
    # With the detector's own keypoints, a 25 degree clockwise turn is levelled to within a
    # few degrees (counter-clockwise turns are levelled less well: see the test above).
    photo, pupils = _tilted(astronaut, -25.0)
    (face,) = detect_faces(photo)
    crop = face_crop(photo, face)
    in_crop = _image_to_crop(crop, pupils)
    dx, dy = in_crop[1] - in_crop[0]
    assert abs(math.degrees(math.atan2(dy, dx))) < 5.0


def test_crop_samples_the_photo_at_the_mapped_points() -> None:
    # A photo whose red value is x and green value is y: bilinear sampling reproduces the
    # position exactly, so each crop pixel must hold the photo position crop_to_image gives
    # for it (to the 8-bit rounding and OpenCV's 1/32 px sampling grid).
    ys, xs = np.mgrid[0:256, 0:256]
    photo = np.stack([xs, ys, np.full_like(xs, 128)], axis=-1).astype(np.uint8)
    box = np.array([100.0, 110.0, 160.0, 170.0])
    keypoints = np.zeros((6, 2))
    keypoints[0], keypoints[1] = (110.0, 140.0), (150.0, 125.0)
    crop = face_crop(photo, Detection(box, keypoints, 1.0), size=64)
    v, u = np.mgrid[0:64, 0:64]
    where = crop_to_image(crop, np.column_stack([u.ravel(), v.ravel()]).astype(np.float64))
    sampled = crop.pixels[..., :2].reshape(-1, 2).astype(np.float64) * 255
    np.testing.assert_allclose(sampled, where, atol=0.55)


def test_crop_replicates_the_border() -> None:
    photo = np.zeros((100, 100, 3), dtype=np.uint8)
    photo[:, :50] = (255, 0, 0)
    photo[:, 50:] = (0, 0, 255)
    keypoints = np.zeros((6, 2))
    keypoints[1, 0] = 1.0  # level
    crop = face_crop(photo, Detection(np.array([-50.0, 20.0, 150.0, 80.0]), keypoints, 1.0))
    # The crop is 300 px wide around x = 50: far left repeats red, far right repeats blue.
    np.testing.assert_allclose(crop.pixels[:, 0], [[1.0, 0.0, 0.0]] * 192)
    np.testing.assert_allclose(crop.pixels[:, -1], [[0.0, 0.0, 1.0]] * 192)


_coordinate = st.floats(-500.0, 1500.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    centre=st.tuples(_coordinate, _coordinate),
    side=st.floats(4.0, 2000.0),
    angle=st.floats(-math.pi, math.pi, exclude_max=True),
    size=st.sampled_from([64, 192, 256]),
    points=st.lists(
        st.tuples(st.floats(-50, 300), st.floats(-50, 300), st.floats(-100, 100)),
        min_size=1,
        max_size=20,
    ),
)
def test_crop_to_image_inverts_the_crop_transform(
    centre: tuple[float, float],
    side: float,
    angle: float,
    size: int,
    points: list[tuple[float, float, float]],
) -> None:
    crop = FaceCrop(np.zeros((size, size, 3), dtype=np.float32), centre, side, angle)
    # MediaPipe's own construction: the crop's corners (bottom-left, top-left, top-right) in
    # the photo, from OpenCV's rotated rectangle, onto the tensor's corners.
    corners = cv2.boxPoints((centre, (side, side), math.degrees(angle))).astype(np.float64)
    photo_to_crop = cv2.getAffineTransform(
        corners[:3].astype(np.float32), np.float32([[0, size], [0, 0], [size, 0]])
    )
    crop_points = np.array(points)
    photo_points = crop_to_image(crop, crop_points)
    assert photo_points.shape == crop_points.shape
    back = cv2.transform(photo_points[None, :, :2], photo_to_crop)[0]
    # boxPoints and getAffineTransform work in float32: allow that rounding.
    scale = max(side, abs(centre[0]), abs(centre[1]), 1.0)
    np.testing.assert_allclose(back, crop_points[:, :2], atol=2e-6 * scale * size / side + 1e-3)
    np.testing.assert_allclose(photo_points[:, 2], crop_points[:, 2] * side / size, rtol=1e-12)
    # Two-column points give the same (x, y).
    np.testing.assert_array_equal(crop_to_image(crop, crop_points[:, :2]), photo_points[:, :2])
