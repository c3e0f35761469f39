"""Encode the fixed photo in the profile's format, inside its file-size window.

JPEG quality is found by bisection: the highest quality whose file stays a little under the
profile's largest size (and within its quality limits), so that the photo keeps as much detail
as the window allows. Without a size window the quality is :data:`DEFAULT_QUALITY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["DEFAULT_QUALITY", "Encoded", "encode", "output_format"]

DEFAULT_QUALITY = 92
# Files are aimed this far under the profile's largest size (a re-save or a metadata edit by
# the uploading service should not push them over).
_SIZE_HEADROOM = 0.95
_LOWEST_QUALITY = 10
_HIGHEST_QUALITY = 100
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}


class Encoded(NamedTuple):
    """An encoded photo.

    Attributes
    ----------
    data : bytes
        The file.
    format : str
        ``"JPEG"`` or ``"PNG"``.
    quality : int or None
        The JPEG quality used (None for PNG).
    within : bool
        Whether the file size is inside the profile's window.
    """

    data: bytes
    format: str
    quality: int | None
    within: bool


def output_format(rule: Mapping[str, Any]) -> str:
    """Return the format to write for an ``image.format`` rule: JPEG unless only PNG is allowed."""
    allowed = [str(f).upper() for f in rule.get("allowed_formats", ["JPEG"])]
    if "JPEG" in allowed or not allowed:
        return "JPEG"
    return "PNG" if "PNG" in allowed else "JPEG"


def _jpeg(bgr: NDArray[np.uint8], quality: int) -> bytes:
    import cv2

    ok, buffer = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
        raise RuntimeError("JPEG encoding failed")
    return bytes(buffer.tobytes())


def encode(rgb: NDArray[np.uint8], rule: Mapping[str, Any]) -> Encoded:
    """Encode an RGB image for a profile's ``image.format`` rule.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The image (24-bit colour).
    rule : Mapping
        The profile's ``image.format`` parameters (``allowed_formats``, ``min_file_kb``,
        ``max_file_kb``, ``min_jpeg_quality``, ``max_jpeg_quality``; all optional).

    Returns
    -------
    Encoded
        For JPEG, the highest quality (within the rule's quality limits) whose file is at
        most 95% of ``max_file_kb``; when even the lowest quality is too large, or the highest
        too small, the closest file with ``within`` False.
    """
    import cv2

    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    fmt = output_format(rule)
    min_kb, max_kb = rule.get("min_file_kb"), rule.get("max_file_kb")

    def inside(size: int) -> bool:
        kb = size / 1024.0
        return (min_kb is None or kb >= min_kb) and (max_kb is None or kb <= max_kb)

    if fmt == "PNG":
        _, buffer = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 6])
        data = bytes(buffer.tobytes())
        return Encoded(data, "PNG", None, inside(len(data)))
    low = int(rule.get("min_jpeg_quality", _LOWEST_QUALITY))
    high = int(rule.get("max_jpeg_quality", _HIGHEST_QUALITY))
    if max_kb is None:
        quality = min(max(DEFAULT_QUALITY, low), high)
        data = _jpeg(bgr, quality)
        return Encoded(data, "JPEG", quality, inside(len(data)))
    target = _SIZE_HEADROOM * float(max_kb) * 1024.0
    best: tuple[int, bytes] | None = None
    lo, hi = low, high
    while lo <= hi:  # the highest quality at or under the target (size grows with quality)
        mid = (lo + hi) // 2
        data = _jpeg(bgr, mid)
        if len(data) <= target:
            best = (mid, data)
            lo = mid + 1
        else:
            hi = mid - 1
    if best is None:
        data = _jpeg(bgr, low)
        return Encoded(data, "JPEG", low, inside(len(data)))
    return Encoded(best[1], "JPEG", best[0], inside(len(best[1])))
