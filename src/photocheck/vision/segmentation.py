"""The person mask: MediaPipe's selfie segmentation (general, 256 x 256 model) on LiteRT.

The whole photo is stretched (not padded) to 256 x 256 (bilinear), the model's
``activation_10`` output is already a per-pixel probability of "person", and it is resized
back to the photo's size with bilinear interpolation (``TensorsToSegmentationCalculator``).

Two departures from MediaPipe, so that a mirror image gives the mirrored mask (invisible
changes to a photo must not change verdicts; ``tools/stability.py`` measures it):

* The model is not mirror-symmetric: on a mirrored photo its probabilities differ by up to
  0.96 around hair and shoulders, enough to move the crown and the background region. The
  mask is the mean of the model's output on the tensor and the un-mirrored output on the
  mirrored tensor (test-time mirror averaging): a second model run, about 5 ms, which
  :meth:`photocheck.analysis.Analysis.start_helper` runs on the helper thread when a core
  is idle.
* MediaPipe's ``ImageToTensorCalculator`` maps the photo's corners onto the tensor's corners
  (``x_tensor = x * 256 / W``), which is not mirror-equivariant. Pixel centres are mapped
  onto pixel centres instead (``x_tensor = (x + 0.5) * 256 / W - 0.5``, edges replicated),
  so the tensor of a mirror image is the mirrored tensor.
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
    sx, sy = INPUT_SIZE / width, INPUT_SIZE / height
    # Pixel centres onto pixel centres (x_tensor = (x + 0.5) * 256 / W - 0.5): a mirror image
    # gives the mirrored tensor, so the two runs below see the same two tensors.
    to_tensor = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]])
    small = cv2.warpAffine(
        np.ascontiguousarray(image),
        to_tensor,
        (INPUT_SIZE, INPUT_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    tensor = small.astype(np.float32) * np.float32(1 / 255)
    # The model is not mirror-symmetric: test-time mirror averaging.
    probability = run(MODEL, tensor[None])[OUTPUT][0, :, :, 0]
    # cv2.flip: the same pixels as np.ascontiguousarray(tensor[:, ::-1]), about 10x faster.
    mirrored = run(MODEL, cv2.flip(tensor, 1)[None])[OUTPUT][0, :, ::-1, 0]
    probability = 0.5 * (probability + mirrored)
    mask = cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)
    result: NDArray[np.float32] = np.ascontiguousarray(mask, dtype=np.float32).reshape(
        height, width
    )
    np.clip(result, 0.0, 1.0, out=result)
    return result
