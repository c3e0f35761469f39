"""The person mask: MediaPipe's selfie segmentation (general, 256 x 256 model) on LiteRT.

The whole photo is stretched (not padded) to 256 x 256 the way MediaPipe's
``ImageToTensorCalculator`` does (corners to corners, bilinear), the model's ``activation_10``
output is already a per-pixel probability of "person", and it is resized back to the photo's
size with bilinear interpolation (``TensorsToSegmentationCalculator``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidImageError
from .runtime import run

__all__ = ["person_mask"]

MODEL = "selfie_segmentation"
INPUT_SIZE = 256
OUTPUT = "activation_10"


def person_mask(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Return the probability that each pixel shows a person (face, hair, body, clothes).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo, RGB channel order.

    Returns
    -------
    ndarray of float32, shape (H, W)
        Probability of "person" in [0, 1] at the photo's size; 1 = person, 0 = background.
        The model sees the photo at 256 x 256, so edges are soft over a few pixels of the
        original at typical sizes.

    Raises
    ------
    InvalidImageError
        When ``rgb`` is not an (H, W, 3) uint8 array with H, W >= 1.
    """
    import cv2

    image = np.asarray(rgb)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3 or 0 in image.shape:
        raise InvalidImageError(
            f"person_mask needs an (H, W, 3) uint8 RGB array, got {image.dtype} {image.shape}"
        )
    height, width = image.shape[:2]
    # MediaPipe maps the photo's corners onto the tensor's corners (x_tensor = x * 256 / W),
    # which differs by up to half a pixel from cv2.resize's centre-aligned sampling.
    to_tensor = np.array(
        [[INPUT_SIZE / width, 0.0, 0.0], [0.0, INPUT_SIZE / height, 0.0]], dtype=np.float64
    )
    small = cv2.warpAffine(
        np.ascontiguousarray(image),
        to_tensor,
        (INPUT_SIZE, INPUT_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    tensor = (small.astype(np.float32) * np.float32(1 / 255))[None]
    probability = run(MODEL, tensor)[OUTPUT][0, :, :, 0]
    mask = cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)
    result: NDArray[np.float32] = np.ascontiguousarray(mask, dtype=np.float32).reshape(
        height, width
    )
    np.clip(result, 0.0, 1.0, out=result)
    return result
