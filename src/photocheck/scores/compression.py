"""Image-quality scores: JPEG blocking, posterisation, and the loss of detail of an upscaled photo.

References
----------
.. [1] Z. Wang, A. C. Bovik and B. L. Evans, "Blind measurement of blocking artifacts in
   images", ICIP 2000: block-boundary differences against the differences elsewhere.
.. [2] ISO/IEC 19794-5 clause 7.4 (no compression artefacts, no pixelation; the image must not
   be upscaled from a lower resolution) and the BioLab-ICAO test "pixelation".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["blockiness", "fine_detail", "level_coverage"]


def _phase_ratio(diffs: NDArray[np.floating], period: int, offset: int) -> float:
    """Mean difference at the strongest phase over the mean at the other phases, minus 1."""
    size = diffs.size
    if size < 4 * period:
        return 0.0
    # Difference j lies between image columns offset + j and offset + j + 1: lay the
    # differences out from position offset % period of a zero-padded array, one row per
    # period, so that column p of a row holds phase p. The column sums add the rows in
    # order, in float64, like a weighted bincount.
    shift = offset % period
    rows = -(-(shift + size) // period)
    laid = np.zeros(rows * period)
    laid[shift : shift + size] = diffs
    sums = laid.reshape(rows, period).sum(axis=0).tolist()
    # Phase p occurs at positions shift <= q < shift + size with q % period == p.
    phases = [
        total / ((shift + size - 1 - p) // period - (shift - 1 - p) // period)
        for p, total in enumerate(sums)
    ]
    best = max(range(period), key=phases.__getitem__)
    rest = (sum(phases) - phases[best]) / (period - 1)
    if rest <= 1e-6:
        return 0.0 if phases[best] <= 1e-6 else float(period)
    return phases[best] / rest - 1.0


def blockiness(
    grey: NDArray[np.generic], *, period: int = 8, origin: tuple[int, int] = (0, 0)
) -> float:
    """Return how much stronger the edges on a block grid are than the edges elsewhere.

    JPEG codes 8 x 8 blocks; at low quality neighbouring blocks no longer join and a grid of
    steps appears. The mean absolute difference between neighbouring columns (and rows) is
    averaged per phase modulo ``period``; the score is the strongest phase over the mean of
    the others, minus 1, averaged over the two directions. The phase is searched, so a photo
    cropped after compression is still scored.

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Luminance, any numeric type (0-255 scale).
    period : int, optional
        Block size in pixels (8 for JPEG luminance).
    origin : tuple of int, optional
        ``(row, column)`` of ``grey``'s first pixel in the full image (when ``grey`` is a
        crop), so that phases refer to the image's grid. The score does not depend on it; it
        only keeps the reported phase meaningful.

    Returns
    -------
    float
        0 upwards; about 0-0.1 for a photo without blocking, above about 0.3 for visible
        JPEG blocking (quality 20 and below). Higher is worse.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> smooth = rng.normal(128, 20, (64, 64))
    >>> blockiness(smooth) < 0.1
    True
    >>> blocks = np.kron(rng.normal(128, 20, (8, 8)), np.ones((8, 8)))  # flat 8 x 8 blocks
    >>> blockiness(blocks + rng.normal(0, 1, (64, 64))) > 5
    True
    """
    import cv2

    values = np.asarray(grey)
    if values.ndim != 2:
        raise ValueError(f"grey must be 2-D, got shape {values.shape}")
    if values.dtype != np.uint8:
        values = values.astype(np.float32)
    # OpenCV's saturating absolute difference and row/column means: several times faster
    # than NumPy's on 8-bit images, the same result.
    cols = cv2.reduce(
        cv2.absdiff(values[:, 1:], values[:, :-1]), 0, cv2.REDUCE_AVG, dtype=cv2.CV_32F
    ).ravel()
    rows = cv2.reduce(
        cv2.absdiff(values[1:], values[:-1]), 1, cv2.REDUCE_AVG, dtype=cv2.CV_32F
    ).ravel()
    horizontal = _phase_ratio(cols, period, origin[1])
    vertical = _phase_ratio(rows, period, origin[0])
    return (horizontal + vertical) / 2.0


def fine_detail(grey: NDArray[np.generic], *, fine: float = 0.7, coarse: float = 2.0) -> float:
    """Return the share of the image's detail that lies at its finest scale.

    ``d(s)`` is the mean absolute difference between the image and the image blurred by a
    Gaussian of standard deviation ``s`` pixels. The score is ``d(fine) / d(coarse)``: an
    image with natural detail at its own resolution keeps a good part of its detail at the
    finest scale; an image enlarged from a lower resolution (or blurred) has almost none
    there, and its ratio falls towards the floor of a smooth image, ``(fine / coarse) ** 2``
    (about 0.12 with the defaults; bicubic enlargement leaves about 0.18-0.21).

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Luminance (0-255 scale), at least 16 x 16. Score faces at a fixed scale (the check
        scores the band across the eyes, reduced to an inter-eye distance of at most 128 px).
    fine, coarse : float, optional
        The two blur scales in pixels (``fine < coarse``). 0.7 and 2 separated enlarged
        faces from native ones better than 1 and 4 (see ``docs/checks.md``).

    Returns
    -------
    float
        0-1 (higher is more fine detail); about 0.21-0.45 for faces at their native
        resolution, about 0.18-0.21 for faces enlarged 4 times. A flat image scores 0.

    Examples
    --------
    >>> import numpy as np, cv2
    >>> rng = np.random.default_rng(1)
    >>> sharp = cv2.GaussianBlur(rng.uniform(0, 255, (128, 128)).astype(np.float32), (0, 0), 1)
    >>> small = cv2.resize(sharp, (32, 32), interpolation=cv2.INTER_AREA)
    >>> upscaled = cv2.resize(small, (128, 128), interpolation=cv2.INTER_CUBIC)
    >>> round(fine_detail(sharp), 2), round(fine_detail(upscaled), 2)
    (0.35, 0.18)
    """
    import cv2

    values = np.asarray(grey, dtype=np.float32)
    if values.ndim != 2 or min(values.shape) < 16:
        raise ValueError(f"grey must be 2-D and at least 16 x 16, got shape {values.shape}")
    values = np.ascontiguousarray(values)
    # OpenCV's absolute difference is NumPy's abs(a - b) in one pass, without temporaries.
    low = float(cv2.absdiff(values, cv2.GaussianBlur(values, (0, 0), coarse)).mean())
    if low <= 1e-3:  # flat: no detail at any scale (below rounding noise)
        return 0.0
    high = float(cv2.absdiff(values, cv2.GaussianBlur(values, (0, 0), fine)).mean())
    return min(1.0, high / low)


def level_coverage(
    image: NDArray[np.generic], mask: NDArray[np.bool_] | None = None, *, channel: int = 0
) -> float:
    """Return the share of the grey levels in a region's range that actually occur.

    Posterisation (too few colour levels, as in an over-compressed or 16-colour image) leaves
    a comb-like histogram with empty levels between the occupied ones. Only the levels between
    the 2nd and 98th percentiles are counted.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
        One 8-bit channel, or an image of which ``channel`` is scored (read in place, which
        is cheaper than copying the channel out). Score a single RGB channel: a grey
        conversion would mix the channels and fill the gaps.
    mask : ndarray of bool, shape (H, W), optional
        The region (default the whole image).
    channel : int, optional
        The channel scored when ``image`` has several.

    Returns
    -------
    float
        0-1; 1 means every level in the range occurs, a posterised region scores low (4 bits
        per channel: about 0.07). Higher is better. A region with a single level scores 1.

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.arange(256, dtype=np.uint8), (4, 1))
    >>> level_coverage(ramp), round(level_coverage(ramp // 16 * 16), 5)
    (1.0, 0.06639)
    >>> level_coverage(np.stack([ramp // 16 * 16, ramp, ramp], axis=2), channel=1)
    1.0
    """
    hist = _histogram_u8(np.asarray(image), mask, channel)
    total = float(hist.sum())
    if total == 0:
        raise ValueError("the region is empty")
    cumulative = np.cumsum(hist)
    low_i = int(np.searchsorted(cumulative, 0.02 * total, side="right"))
    high_i = int(np.searchsorted(cumulative, 0.98 * total, side="left"))
    if high_i <= low_i:
        return 1.0
    counts = hist[low_i : high_i + 1]
    return float(np.count_nonzero(counts) / counts.size)


def _histogram_u8(
    image: NDArray[np.generic], mask: NDArray[np.bool_] | None, channel: int
) -> NDArray[np.float32]:
    """Return the 256-bin histogram of one channel of ``image`` (clipped to 0-255) in ``mask``."""
    import cv2

    if image.ndim == 3 and image.dtype == np.uint8 and image.strides[1:] == (image.shape[2], 1):
        # OpenCV reads one channel of rows of interleaved pixels in place (rows may be strided).
        plane, index = image, channel
    else:
        values = image[..., channel] if image.ndim == 3 else image
        if values.dtype != np.uint8:
            values = np.clip(values, 0, 255).astype(np.uint8)
        # Rows may be strided; pixels within a row must be adjacent.
        plane = values if values.strides[1] == 1 else np.ascontiguousarray(values)
        index = 0
    selected = None if mask is None else np.ascontiguousarray(mask, dtype=bool).view(np.uint8)
    hist = cv2.calcHist([plane], [index], selected, [256], [0, 256])
    return hist.ravel()
