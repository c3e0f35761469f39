"""RGB to CIELAB: the one colour conversion every score and the analysis use."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["to_lab"]

# OpenCV's 8-bit Lab levels (L* * 255 / 100, a* + 128, b* + 128) to CIELAB, one affine map.
_FROM_LEVELS = np.array(
    [[100.0 / 255.0, 0, 0, 0], [0, 1, 0, -128.0], [0, 0, 1, -128.0]], dtype=np.float32
)


def to_lab(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Convert sRGB uint8 pixels to CIELAB (D65 white), float32.

    The conversion is OpenCV's 8-bit one: L* comes in steps of 100 / 255 and a*, b* in whole
    units, at most 0.63 L* and 2.8 a* or b* units from the exact values over all 2^24 colours
    (0.15 to 0.27 on average). It is faster than the exact (float) conversion.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (..., 3)
        sRGB pixels: an image (H, W, 3) or a list of pixels (N, 3).

    Returns
    -------
    ndarray of float32, same shape as ``rgb``
        L* (0-100, higher is lighter), a* (green - / red +) and b* (blue - / yellow +),
        each within -128 to 127, 0 for greys.

    Examples
    --------
    >>> import numpy as np
    >>> to_lab(np.array([[255, 255, 255], [0, 0, 0]], np.uint8)).tolist()
    [[100.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    import cv2

    pixels = np.asarray(rgb, dtype=np.uint8)
    shape = pixels.shape
    if shape[-1:] != (3,):
        raise ValueError(f"expected RGB pixels (..., 3), got shape {shape}")
    image = np.ascontiguousarray(pixels if pixels.ndim == 3 else pixels.reshape(1, -1, 3))
    levels = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab: NDArray[np.float32] = cv2.transform(levels, _FROM_LEVELS).reshape(shape)
    return lab
