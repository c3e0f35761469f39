"""The NumPy ports of MediaPipe's custom operations, on built inputs with known answers.

Besides hand-checked cases, the vectorised functions are compared with plain loops written
line by line from the C++ (``mediapipe/util/tflite/operations/*.cc``, version 2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from photocheck.vision.mesh_ops import (
    landmarks_to_transform_matrix,
    transform_landmarks,
    transform_tensor_bilinear,
)

GRID = {"output_height": 16, "output_width": 16}


def _matrix(angle: float, scale: float, shift: tuple[float, float]) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    m = np.eye(4, dtype=np.float32)
    m[:2, :2] = scale * np.array([[c, -s], [s, c]])
    m[:2, 3] = shift
    return m


def _bilinear_loop(tensor: np.ndarray, matrix: np.ndarray, height: int, width: int) -> np.ndarray:
    """TransformTensorBilinearV2, transcribed from the C++ loop."""
    in_h, in_w, channels = tensor.shape
    x_t = [float(v) for v in matrix[0]]
    y_t = [float(v) for v in matrix[1]]
    x_t[3] += x_t[0] * 0.5 + x_t[1] * 0.5 - 0.5
    y_t[3] += y_t[0] * 0.5 + y_t[1] * 0.5 - 0.5
    out = np.zeros((height, width, channels))

    def read(h: int, w: int, z: int) -> float:
        return 0.0 if h < 0 or w < 0 or h >= in_h or w >= in_w else float(tensor[h, w, z])

    for oy in range(height):
        for ox in range(width):
            tx = x_t[0] * ox + x_t[1] * oy + x_t[3]
            ty = y_t[0] * ox + y_t[1] * oy + y_t[3]
            if tx < 0 or tx > in_w - 1 or ty < 0 or ty > in_h - 1:
                continue
            fx, fy = math.floor(tx), math.floor(ty)
            right, lower_w = tx - fx, ty - fy
            for z in range(channels):
                upper = (1 - right) * read(fy, fx, z) + right * read(fy, fx + 1, z)
                lower = (1 - right) * read(fy + 1, fx, z) + right * read(fy + 1, fx + 1, z)
                out[oy, ox, z] = lower_w * lower + (1 - lower_w) * upper
    return out


def _l2tm_loop(landmarks: np.ndarray, subset: list[int], left: int, right: int) -> np.ndarray:
    """LandmarksToTransformMatrixV2 with target 0, scale 1.5 and a 16 x 16 grid, from the C++."""
    lx, ly = landmarks[left, :2]
    rx, ry = landmarks[right, :2]
    r = 0.0 - math.atan2(ry - ly, rx - lx)
    pts = [
        (math.cos(r) * x - math.sin(r) * y, math.sin(r) * x + math.cos(r) * y)
        for x, y in landmarks[subset, :2]
    ]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    cx = math.cos(-r) * mx - math.sin(-r) * my
    cy = math.sin(-r) * mx + math.cos(-r) * my

    def affine(a: float, b: float, c: float, d: float, tx: float, ty: float) -> np.ndarray:
        return np.array([[a, b, 0, tx], [c, d, 0, ty], [0, 0, 1, 0], [0, 0, 0, 1]])

    t = affine(1, 0, 0, 1, cx, cy)
    t = t @ affine(math.cos(-r), -math.sin(-r), math.sin(-r), math.cos(-r), 0, 0)
    t = t @ affine(1.5 * width / 16, 0, 0, 1.5 * height / 16, 0, 0)
    return t @ affine(1, 0, 0, 1, -8, -8)


# ----------------------------------------------------------------- TransformTensorBilinear


def test_identity_matrix_leaves_the_tensor_unchanged() -> None:
    tensor = np.random.default_rng(0).random((16, 16, 5), dtype=np.float32)
    out = transform_tensor_bilinear(tensor, np.eye(4, dtype=np.float32), **GRID)
    np.testing.assert_array_equal(out, tensor)


def test_integer_shift_moves_the_tensor_and_zeroes_outside() -> None:
    tensor = np.random.default_rng(1).random((16, 16, 3), dtype=np.float32)
    out = transform_tensor_bilinear(tensor, _matrix(0.0, 1.0, (3.0, -2.0)), **GRID)
    # Grid point (u, v) samples (u + 3, v - 2): inside only for u <= 12 and v >= 2.
    np.testing.assert_allclose(out[2:, :13], tensor[:14, 3:], atol=1e-6)
    assert not out[:2].any() and not out[:, 13:].any()


def test_half_pixel_shift_averages_neighbours() -> None:
    tensor = np.random.default_rng(2).random((16, 16, 2), dtype=np.float32)
    out = transform_tensor_bilinear(tensor, _matrix(0.0, 1.0, (0.5, 0.0)), **GRID)
    np.testing.assert_allclose(out[:, :15], (tensor[:, :15] + tensor[:, 1:]) / 2, atol=1e-6)
    assert not out[:, 15].any()  # samples at x = 15.5 fall outside


def test_quarter_turn_rotates_the_tensor() -> None:
    tensor = np.random.default_rng(3).random((16, 16, 2), dtype=np.float32)
    # After the pixel-centre correction grid point (u, v) samples (x, y) = (15 - v, u).
    matrix = _matrix(math.pi / 2, 1.0, (16.0, 0.0))
    out = transform_tensor_bilinear(tensor, matrix, **GRID)
    np.testing.assert_allclose(out, np.rot90(tensor, k=1, axes=(0, 1)), atol=1e-5)


@pytest.mark.parametrize("seed", range(6))
def test_bilinear_matches_the_cpp_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tensor = rng.normal(size=(48, 48, 4)).astype(np.float32)
    matrix = _matrix(rng.uniform(-0.6, 0.6), rng.uniform(0.5, 3.5), tuple(rng.uniform(-10, 40, 2)))
    out = transform_tensor_bilinear(tensor, matrix, **GRID)
    np.testing.assert_allclose(out, _bilinear_loop(tensor, matrix, 16, 16), atol=2e-5)
    assert out.dtype == np.float32 and out.shape == (16, 16, 4)


# ----------------------------------------------------------------- TransformLandmarks


def test_transform_landmarks_rotates_and_translates_xy_and_keeps_z() -> None:
    points = np.array([[1.0, 0.0, 7.0], [0.0, 2.0, -3.0], [2.0, 2.0, 0.5]], dtype=np.float32)
    matrix = _matrix(math.pi / 2, 2.0, (10.0, 20.0))
    matrix[0, 2] = matrix[1, 2] = 5.0  # z column: ignored, as in the C++
    out = transform_landmarks(points, matrix)
    # (x, y) -> 2 R(90 deg) (x, y) + (10, 20) = (10 - 2y, 20 + 2x)
    expected = np.array([[10.0, 22.0, 7.0], [6.0, 20.0, -3.0], [6.0, 24.0, 0.5]])
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_transform_landmarks_in_two_dimensions() -> None:
    points = np.array([[3.0, 4.0], [-1.0, 0.5]], dtype=np.float32)
    out = transform_landmarks(points, _matrix(0.0, 0.5, (-1.0, 1.0)))
    np.testing.assert_allclose(out, [[0.5, 3.0], [-1.5, 1.25]])
    assert out.shape == (2, 2)


# ----------------------------------------------------------------- Landmarks2TransformMatrix


def _box_landmarks(angle: float) -> np.ndarray:
    """Ten landmarks: a 20 x 10 box's corners and edge midpoints around (40, 30), turned by angle."""
    local = np.array(
        [
            [-10, 0],
            [10, 0],
            [-10, -5],
            [10, -5],
            [-10, 5],
            [10, 5],
            [0, -5],
            [0, 5],
            [0, 0],
            [3, 1],
        ],
        dtype=np.float64,
    )
    c, s = math.cos(angle), math.sin(angle)
    xy = local @ np.array([[c, -s], [s, c]]).T + [40.0, 30.0]
    return np.hstack([xy, np.arange(10.0)[:, None]]).astype(np.float32)


OPTIONS = {
    "subset_idxs": [2, 3, 4, 5, 6, 7, 8],  # odd count, as in the eye subsets
    "left_rotation_idx": 0,
    "right_rotation_idx": 1,
    "target_rotation_radians": 0.0,
    "output_height": 16,
    "output_width": 16,
    "scale_x": 1.5,
    "scale_y": 1.5,
}


@pytest.mark.parametrize("angle", [0.0, 0.3, -1.2, 2.5])
def test_transform_matrix_frames_the_turned_box(angle: float) -> None:
    landmarks = _box_landmarks(angle)
    matrix = landmarks_to_transform_matrix(landmarks, **OPTIONS)
    c, s = math.cos(angle), math.sin(angle)
    # Grid x runs along the box's long side: 1.5 * 20 / 16 px per cell, 1.5 * 10 / 16 along y.
    np.testing.assert_allclose(
        matrix[:2, :2], [[c * 30 / 16, -s * 15 / 16], [s * 30 / 16, c * 15 / 16]], atol=1e-5
    )
    # The grid centre (8, 8) lands on the box centre.
    np.testing.assert_allclose(matrix[:2, :2] @ [8, 8] + matrix[:2, 3], [40, 30], atol=1e-4)
    np.testing.assert_array_equal(matrix[2:], [[0, 0, 1, 0], [0, 0, 0, 1]])
    assert matrix.dtype == np.float32


def test_transform_matrix_matches_the_cpp() -> None:
    rng = np.random.default_rng(7)
    landmarks = rng.uniform(0, 48, (30, 3)).astype(np.float32)
    subset = [int(i) for i in rng.choice(30, 11, replace=False)]
    options = {**OPTIONS, "subset_idxs": subset, "left_rotation_idx": 3, "right_rotation_idx": 17}
    matrix = landmarks_to_transform_matrix(landmarks, **options)
    np.testing.assert_allclose(matrix, _l2tm_loop(landmarks, subset, 3, 17), rtol=1e-5, atol=1e-4)


def test_matrix_and_resampling_compose_to_a_crop_of_the_box() -> None:
    # A feature map whose value is its own x coordinate: the resampled grid must read the
    # x of the points the matrix sends it to.
    landmarks = _box_landmarks(0.4)
    matrix = landmarks_to_transform_matrix(landmarks, **OPTIONS)
    ramp = np.broadcast_to(np.arange(64, dtype=np.float32)[None, :, None], (64, 64, 1)).copy()
    out = transform_tensor_bilinear(ramp, matrix, **GRID)
    v, u = np.mgrid[:16, :16] + 0.5  # pixel-centre correction of the v2 operation
    expected_x = matrix[0, 0] * u + matrix[0, 1] * v + matrix[0, 3] - 0.5
    np.testing.assert_allclose(out[..., 0], expected_x, atol=1e-4)
