"""Black fill added around a photo: letterbox bars and the corners a rotation leaves.

Such pixels are not part of the scene, so background statistics must leave them out: a
black bar beside a white wall would read as a dark object, and a bar around a cluttered
scene as a plain backdrop.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["fill_mask"]

# A pixel is fill-dark when no channel exceeds this level (JPEG leaves fill at 0 to a few).
_DARK = 8
# A border row or column is a letterbox bar when at least this share of it is fill-dark.
_BAR_SHARE = 0.98
# A dark region touching the border is fill (a rotation corner, a bar not spanning the whole
# side) when it is at least this convex (area over convex hull area) and this large (share
# of the image); dark scenery wraps around the head and is far less convex.
_SOLIDITY = 0.9
_MIN_AREA = 0.002
# Fill is grown by this many pixels so that the blurred step into the photo stays out too.
_GROW = 2


def fill_mask(rgb: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Return the black fill pixels of a photo (letterbox bars, rotation corners).

    Outer rows and columns that are almost entirely black are peeled off as bars; inside
    what remains, black regions that touch its border and are nearly convex (triangles and
    rectangles) are fill too. The result is grown by two pixels.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo, any size (a reduced copy about 200 px wide is what the analysis uses).

    Returns
    -------
    ndarray of bool, shape (H, W)
        True on fill. A black backdrop around the person is not convex and stays False.

    Examples
    --------
    >>> import numpy as np
    >>> photo = np.full((40, 60, 3), 200, np.uint8)
    >>> photo[:, :10] = 0  # a bar on the left
    >>> fill = fill_mask(photo)
    >>> bool(fill[:, :12].all()), bool(fill[:, 13:].any())
    (True, False)
    """
    import cv2

    pixels = np.asarray(rgb)
    dark = np.maximum(np.maximum(pixels[:, :, 0], pixels[:, :, 1]), pixels[:, :, 2]) <= _DARK
    h, w = dark.shape
    top, bottom, left, right = _bars(dark)
    fill = np.ones((h, w), dtype=bool)
    fill[top:bottom, left:right] = False
    inside = np.ascontiguousarray(dark[top:bottom, left:right], dtype=np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(inside, connectivity=8)
    if count > 1:
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        large = stats[:, cv2.CC_STAT_AREA] >= _MIN_AREA * h * w
        for label in edge[(edge > 0) & large[edge]]:
            x, y, bw, bh = stats[label, :4]
            region = labels[y : y + bh, x : x + bw] == label
            hull = cv2.convexHull(cv2.findNonZero(region.astype(np.uint8)))
            # Pixel centres understate the hull's area by about half its perimeter.
            hull_area = cv2.contourArea(hull) + 0.5 * cv2.arcLength(hull, True) + 1.0
            if stats[label, cv2.CC_STAT_AREA] >= _SOLIDITY * hull_area:
                fill[top + y : top + y + bh, left + x : left + x + bw] |= region
    if not fill.any():
        return fill
    kernel = np.ones((2 * _GROW + 1, 2 * _GROW + 1), np.uint8)
    grown: NDArray[np.bool_] = cv2.dilate(fill.astype(np.uint8), kernel) > 0
    return grown


def _bars(dark: NDArray[np.bool_]) -> tuple[int, int, int, int]:
    """Return the (top, bottom, left, right) box inside the almost entirely dark outer lines.

    Bars on the other sides are dark as well, so a whole row or column is judged at once.
    """
    h, w = dark.shape
    rows = dark.mean(axis=1) >= _BAR_SHARE
    cols = dark.mean(axis=0) >= _BAR_SHARE
    top, left = _leading(rows), _leading(cols)
    bottom, right = h - _leading(rows[::-1]), w - _leading(cols[::-1])
    if bottom - top < 3 or right - left < 3:  # nearly all dark: no photo to frame
        return 0, h, 0, w
    return top, bottom, left, right


def _leading(flags: NDArray[np.bool_]) -> int:
    """Count the leading True values."""
    return int(np.argmin(flags)) if not flags.all() else flags.size
