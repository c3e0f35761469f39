"""Straighten the head: rotate the photo about the eye midpoint so that the roll is zero.

The rotated photo is drawn on a canvas large enough to hold all of it (nothing is cut); the
corners the rotation uncovers are black and marked as outside the photo, so that framing
never places them in the frame.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["Rotation", "rotate"]


class Rotation(NamedTuple):
    """A photo rotated onto a larger canvas.

    Attributes
    ----------
    rgb : ndarray of uint8, shape (H', W', 3)
        The rotated photo; uncovered corners are black.
    to_canvas : ndarray, shape (2, 3)
        Affine map from the original photo's pixels to the canvas.
    to_source : ndarray, shape (2, 3)
        Its inverse: canvas pixels to the original photo's pixels.
    """

    rgb: NDArray[np.uint8]
    to_canvas: NDArray[np.float64]
    to_source: NDArray[np.float64]


def rotate(rgb: NDArray[np.uint8], degrees: float, centre: tuple[float, float]) -> Rotation:
    """Rotate a photo by ``degrees`` counter-clockwise on screen about ``centre``.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo.
    degrees : float
        The angle; positive turns the content counter-clockwise as seen on screen, which
        undoes a head roll of the same number of degrees (``pose.roll`` > 0 is clockwise).
    centre : tuple of float
        ``(x, y)`` in pixels, e.g. the eye midpoint (it keeps its place relative to the
        content).

    Returns
    -------
    Rotation
        The canvas holds the whole rotated photo (bilinear interpolation: it is only
        measured; the fixed photo is resampled once from the original).
    """
    import cv2

    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(degrees), 1.0)
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], float)
    moved = corners @ matrix.T
    x0, y0 = np.floor(moved.min(axis=0))
    x1, y1 = np.ceil(moved.max(axis=0))
    matrix[:, 2] -= (x0, y0)
    size = (int(x1 - x0), int(y1 - y0))
    canvas = cv2.warpAffine(
        np.ascontiguousarray(rgb), matrix, size, flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0),
    )  # fmt: skip
    return Rotation(canvas, matrix, cv2.invertAffineTransform(matrix))
