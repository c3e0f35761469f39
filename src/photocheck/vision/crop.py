"""Cut the square, eye-levelled face crop that the face-landmark model reads.

This reproduces MediaPipe's ``face_detection_front_detection_to_roi.pbtxt`` followed by the
landmark graph's ``ImageToTensorCalculator`` (CPU): the region is the detection box's centre,
turned so that the line from keypoint 0 to keypoint 1 (the eyes) is level, with a side of
ROI_SCALE times the box's longer side. Crop pixel ``(u, v)`` samples the photo at
``C + (side / size) R(angle) ((u, v) - size / 2)`` (bilinear, edges replicated), where pixel
indices are pixel centres in both images, exactly as OpenCV's warp inside MediaPipe does;
:func:`crop_to_image` applies the same map to points, so it inverts the crop exactly.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np
from numpy.typing import NDArray

from .detection import Detection

__all__ = ["CROP_SIZE", "ROI_SCALE", "FaceCrop", "crop_to_image", "face_crop"]

# Side of the landmark model's square input, px.
CROP_SIZE = 192
# The crop's side over the detection box's longer side (``scale_x``/``scale_y`` with
# ``square_long`` in the pbtxt).
ROI_SCALE = 1.5
# Keypoints whose connecting line is turned to horizontal (``rotation_vector_*_keypoint_index``).
_ROTATION_START, _ROTATION_END = 0, 1


class FaceCrop(NamedTuple):
    """A square face crop and where it came from in the photo.

    Attributes
    ----------
    pixels : ndarray of float32, shape (size, size, 3)
        The crop, RGB in ``[0, 1]``.
    centre : tuple of float
        ``(x, y)`` of the crop's centre in the photo, px.
    side : float
        The crop's side measured in the photo, px.
    angle : float
        Rotation of the crop's x axis from the photo's x axis, radians in ``[-pi, pi)``;
        positive turns clockwise on screen (y points down).
    """

    pixels: NDArray[np.float32]
    centre: tuple[float, float]
    side: float
    angle: float


def face_crop(rgb: NDArray[np.uint8], detection: Detection, size: int = CROP_SIZE) -> FaceCrop:
    """Cut the eye-levelled square crop around a detected face.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo the detection was made on, RGB.
    detection : Detection
        The face, from :func:`photocheck.vision.detection.detect_faces`.
    size : int, optional
        Side of the crop in pixels (the landmark model wants 192).

    Returns
    -------
    FaceCrop
        The crop (float32 RGB in ``[0, 1]``; parts outside the photo repeat its edge pixels)
        with its centre, side and angle in the photo.
    """
    x0, y0, x1, y1 = (float(v) for v in detection.box)
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    side = ROI_SCALE * max(x1 - x0, y1 - y0)
    (ax, ay), (bx, by) = detection.keypoints[[_ROTATION_START, _ROTATION_END]]
    angle = _normalise_radians(math.atan2(float(by - ay), float(bx - ax)))
    to_image = _crop_to_image_matrix(centre, side, angle, size)
    pixels = cv2.warpAffine(
        rgb,
        to_image,
        (size, size),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return FaceCrop(pixels.astype(np.float32) * np.float32(1 / 255), centre, side, angle)


def crop_to_image(crop: FaceCrop, points: NDArray[np.floating]) -> NDArray[np.float64]:
    """Map points from crop pixels to photo pixels.

    Parameters
    ----------
    crop : FaceCrop
        The crop the points are measured in.
    points : ndarray, shape (N, 2) or (N, 3)
        ``(x, y)`` or ``(x, y, z)`` in crop pixels (x right, y down, same pixel-centre
        convention as the crop's pixels); z is a depth in crop pixels.

    Returns
    -------
    ndarray of float64, same shape as ``points``
        ``(x, y)`` in photo pixels; z, if given, scaled to photo pixels (times
        ``side / size``).
    """
    given = np.asarray(points, dtype=np.float64)
    size = crop.pixels.shape[1]
    to_image = _crop_to_image_matrix(crop.centre, crop.side, crop.angle, size)
    mapped = given.copy()
    mapped[:, :2] = given[:, :2] @ to_image[:, :2].T + to_image[:, 2]
    if given.shape[1] > 2:
        mapped[:, 2:] *= crop.side / size
    return mapped


def _crop_to_image_matrix(
    centre: tuple[float, float], side: float, angle: float, size: int
) -> NDArray[np.float64]:
    """Return the 2 x 3 affine map ``p -> C + (side / size) R(angle) (p - size / 2)``."""
    cos, sin = math.cos(angle), math.sin(angle)
    linear = side / size * np.array([[cos, -sin], [sin, cos]])
    offset = np.asarray(centre) - linear @ np.array([size / 2, size / 2])
    return np.hstack([linear, offset[:, None]])


def _normalise_radians(angle: float) -> float:
    """``angle`` wrapped into ``[-pi, pi)``, as MediaPipe's ``NormalizeRadians``."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))
