"""The attention landmark model's three custom operations, in NumPy.

Ported from MediaPipe (Apache License 2.0, Copyright 2021 The MediaPipe Authors):
``mediapipe/util/tflite/operations/landmarks_to_transform_matrix.cc``,
``transform_tensor_bilinear.cc`` and ``transform_landmarks.cc`` at github
google-ai-edge/mediapipe commit 85c0cdc7d70653888903c88df45962b764296342, version 2 of each
operation (the one ``face_landmark_with_attention.tflite`` uses). Attribute names are those of
the operations' flexbuffer ``custom_options``, as LiteRT's
``tflite/delegates/gpu/common/mediapipe/`` parsers read them; ``tools/fetch_mediapipe_models.py``
stores them in ``models/face_landmark_attention.json``. Arithmetic is float32, as in the C++.
Attribution: ``models/NOTICE``.

The operations work on one item, without the batch axis of the model tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["landmarks_to_transform_matrix", "transform_landmarks", "transform_tensor_bilinear"]

Float32 = NDArray[np.float32]


def _rotation(angle: np.float32) -> Float32:
    """Return the 2x2 matrix rotating by ``angle`` radians (x right, y down: clockwise)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]], dtype=np.float32)


@cache
def _indexes(idxs: tuple[int, ...]) -> NDArray[np.intp]:
    """Return ``idxs`` as a read-only index array (made once per operation's subset)."""
    out = np.asarray(idxs, dtype=np.intp)
    out.setflags(write=False)
    return out


@cache
def _grid(height: int, width: int) -> tuple[Float32, Float32]:
    """Return the output grid's column and row numbers ``(u, v)``, float32, read-only."""
    v, u = np.mgrid[:height, :width].astype(np.float32)
    u.setflags(write=False)
    v.setflags(write=False)
    return u, v


def landmarks_to_transform_matrix(
    landmarks: Float32,
    *,
    subset_idxs: Sequence[int],
    left_rotation_idx: int,
    right_rotation_idx: int,
    target_rotation_radians: float,
    output_height: int,
    output_width: int,
    scale_x: float,
    scale_y: float,
) -> Float32:
    """Return the matrix mapping a region's sampling grid to landmark coordinates.

    The region is the box around the ``subset_idxs`` landmarks, aligned with the line from
    the left to the right rotation landmark, enlarged by ``scale_x``/``scale_y`` and divided
    into an ``output_width`` x ``output_height`` grid (Landmarks2TransformMatrix v2).

    Parameters
    ----------
    landmarks : ndarray, shape (N, 3), float32
        Landmarks (x, y, z) in the coordinates the matrix maps to (z is ignored).
    subset_idxs : sequence of int
        Landmarks bounding the region. The C++ reads them in pairs and repeats the last one
        of an odd count; only the set matters for the box, so they are used as given.
    left_rotation_idx, right_rotation_idx : int
        Landmarks whose connecting line sets the region's rotation.
    target_rotation_radians : float
        Rotation the line should have in the region.
    output_height, output_width : int
        Size of the grid the matrix is for.
    scale_x, scale_y : float
        Enlargement of the landmarks' box.

    Returns
    -------
    ndarray, shape (4, 4), float32
        Row-major; grid point (u, v) maps to (m[0,0] u + m[0,1] v + m[0,3],
        m[1,0] u + m[1,1] v + m[1,3]), grid centre to the box centre.
    """
    points = np.asarray(landmarks, dtype=np.float32).reshape(-1, 3)
    (left_x, left_y), (right_x, right_y) = points[[left_rotation_idx, right_rotation_idx], :2]
    rotation = np.float32(target_rotation_radians) - np.arctan2(right_y - left_y, right_x - left_x)
    back = _rotation(-rotation)
    rotated = (points[_indexes(tuple(subset_idxs)), :2] @ _rotation(rotation).T).T
    low, high = rotated.min(axis=1), rotated.max(axis=1)
    width, height = high - low
    centre = back @ ((low + high) / np.float32(2))
    # The four factors of the C++ (shift to the centre, turn back, scale, shift the grid
    # centre to 0), multiplied in its order: float32 products, as there.
    to_centre, turn, scale, from_grid = np.tile(np.eye(4, dtype=np.float32), (4, 1, 1))
    to_centre[:2, 3] = centre
    turn[:2, :2] = back
    scale[0, 0] = np.float32(scale_x) * width / output_width
    scale[1, 1] = np.float32(scale_y) * height / output_height
    from_grid[:2, 3] = (-output_width / 2.0, -output_height / 2.0)
    matrix: Float32 = to_centre @ turn @ scale @ from_grid
    return matrix


def transform_tensor_bilinear(
    tensor: Float32, matrix: Float32, *, output_height: int, output_width: int
) -> Float32:
    """Resample ``tensor`` on the grid ``matrix`` places on it (TransformTensorBilinear v2).

    Parameters
    ----------
    tensor : ndarray, shape (H, W, C), float32
        Feature map, indexed [row, column, channel].
    matrix : ndarray, shape (4, 4), float32
        Grid-to-tensor matrix from :func:`landmarks_to_transform_matrix`, with pixel-centre
        (align-corners) correction applied here as in the C++.
    output_height, output_width : int
        Size of the output grid.

    Returns
    -------
    ndarray, shape (output_height, output_width, C), float32
        Bilinear samples; every channel of a grid point that falls outside
        [0, W - 1] x [0, H - 1] is 0.
    """
    height, width = tensor.shape[:2]
    m = np.asarray(matrix, dtype=np.float32)
    half = np.float32(0.5)
    x_shift = m[0, 3] + (m[0, 0] * half + m[0, 1] * half - half)
    y_shift = m[1, 3] + (m[1, 0] * half + m[1, 1] * half - half)
    u, v = _grid(output_height, output_width)
    tx = m[0, 0] * u + m[0, 1] * v + x_shift
    ty = m[1, 0] * u + m[1, 1] * v + y_shift
    inside = (tx >= 0) & (tx <= width - 1) & (ty >= 0) & (ty <= height - 1)
    fx, fy = np.floor(tx), np.floor(ty)
    ax, ay = (tx - fx)[..., None], (ty - fy)[..., None]
    # Outside points are zeroed below, so any valid index will do for them. Inside, x0 + 1 can
    # reach W only when tx == W - 1 exactly, where its weight is 0: the C++ reads a 0 there,
    # clamping reads a finite value times 0.
    x0 = np.clip(fx, 0, width - 1).astype(np.intp)
    y0 = np.clip(fy, 0, height - 1).astype(np.intp)
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    row0, row1 = y0 * width, y1 * width
    # The four neighbours in one gather from the flattened map (cheaper than four 2-D fancy
    # indexings).
    corners = tensor.reshape(height * width, -1).take(
        np.stack([row0 + x0, row0 + x1, row1 + x0, row1 + x1]), axis=0
    )
    upper = (1 - ax) * corners[0] + ax * corners[1]
    lower = (1 - ax) * corners[2] + ax * corners[3]
    out = ay * lower + (1 - ay) * upper
    out[~inside] = 0
    return out.astype(np.float32, copy=False)


def transform_landmarks(landmarks: Float32, matrix: Float32) -> Float32:
    """Map landmarks with the first two rows of ``matrix`` (TransformLandmarks v2).

    Parameters
    ----------
    landmarks : ndarray, shape (N, D), float32
        Points (x, y) or (x, y, z), D = 2 or 3.
    matrix : ndarray, shape (4, 4), float32
        Row-major transform; z is treated as 0 in the product and copied unchanged.

    Returns
    -------
    ndarray, shape (N, D), float32
        ``(m[0,0] x + m[0,1] y + m[0,3], m[1,0] x + m[1,1] y + m[1,3][, z])``.
    """
    m = np.asarray(matrix, dtype=np.float32)
    out = np.array(landmarks, dtype=np.float32)
    out[:, :2] = landmarks[:, :2] @ m[:2, :2].T + m[:2, 3]
    return out
