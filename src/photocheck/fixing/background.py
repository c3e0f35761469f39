"""Replace the background with a plain colour, using the person mask, without a halo.

Around hair the person mask is soft: a pixel there is a mix ``I = a * F + (1 - a) * B_old``
of the person and the old background. Painting the new colour with the mask as alpha keeps
``(1 - a) * B_old`` in those pixels, a rim of the old colour (a halo). Instead the old
background's contribution is swapped for the new colour, ``I + (1 - a) * (B_new - B_old)``,
with ``B_old`` the old background near each pixel (a normalised blur of the pixels the mask
calls background), and the outer half of the soft edge fades to the plain new colour.

The replacement is refused (:class:`MaskUnsure`) when the mask cannot be trusted: the face
is not inside it, it reaches the frame's top edge or the photo's sides beside the head, or
its outline is blurred over a wide band (low confidence along the outline).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["MaskUnsure", "Replacement", "mask_doubt", "replace_background", "side_doubt"]

# Mask probability below which a pixel is background for estimating the old colour.
_SURE_BACKGROUND = 0.1
# The alpha ramp: probability -> alpha from 0 at _ALPHA_LOW to 1 at _ALPHA_HIGH.
_ALPHA_LOW = 0.15
_ALPHA_HIGH = 0.85
# Mean width of the unsure band (0.25 < p < 0.75) along the outline, as a share of the face
# width, above which the mask is unsure. A sharp mask on a 358 x 441 frame is 2-4 px wide
# (the model sees the photo at 256 x 256).
MAX_BAND_SHARE = 0.06
# Share of a frame edge (top; sides above the eye line) the person may touch.
MAX_EDGE_TOUCH = 0.03
# Blur of the old-background estimate, as a share of the frame width.
_BACKGROUND_BLUR = 0.06
_FEATHER = 0.004


class MaskUnsure(NamedTuple):
    """Why the person mask is not trusted: a machine code and a message."""

    code: str
    message: str


class Replacement(NamedTuple):
    """A photo with its background replaced.

    Attributes
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The new photo.
    alpha : ndarray of float32, shape (H, W)
        The person's opacity used (0 background, 1 person).
    old_background : ndarray of float32, shape (3,)
        The median RGB of the old background.
    """

    rgb: NDArray[np.uint8]
    alpha: NDArray[np.float32]
    old_background: NDArray[np.float32]


def mask_doubt(
    mask: NDArray[np.float32],
    valid: NDArray[np.bool_],
    eyes: tuple[float, float],
    chin: tuple[float, float],
    face_width: float,
) -> MaskUnsure | None:
    """Say why a person mask should not be used to replace the background, or None.

    Parameters
    ----------
    mask : ndarray of float32, shape (H, W)
        Person probability in [0, 1] on the framed photo.
    valid : ndarray of bool, shape (H, W)
        Pixels that come from the photo (False: padding).
    eyes, chin : tuple of float
        The eye midpoint and the chin, (x, y) px in the frame.
    face_width : float
        Face width in the frame (px, > 0).

    Returns
    -------
    MaskUnsure or None
        ``fix.mask_misses_face`` (the mask is below 0.5 at the eyes or the chin),
        ``fix.mask_touches_top`` (the person reaches the frame's top edge, which framing
        keeps clear of the hair), ``fix.mask_blurred`` (the mean width of the 0.25-0.75 band
        along the outline is more than ``MAX_BAND_SHARE`` face widths); None when the mask can
        be used. See :func:`side_doubt` for the photo's sides.
    """
    height, width = mask.shape
    for name, (x, y) in (("eyes", eyes), ("chin", chin)):
        xi, yi = min(max(round(x), 0), width - 1), min(max(round(y), 0), height - 1)
        if mask[yi, xi] < 0.5:
            return MaskUnsure(
                "fix.mask_misses_face",
                f"The background cannot be replaced safely: the person outline misses the {name}. "
                "Retake the photo in front of a plain wall.",
            )
    person = (mask >= 0.5) & valid
    top = person[0][valid[0]]
    if top.size and top.mean() > MAX_EDGE_TOUCH:
        return MaskUnsure(
            "fix.mask_touches_top",
            "The background cannot be replaced safely: the person outline reaches the top edge. "
            "Retake the photo with space above your head.",
        )
    unsure = (mask > 0.25) & (mask < 0.75) & valid
    outline = _outline_length(person)
    if outline > 0 and np.count_nonzero(unsure) / outline > MAX_BAND_SHARE * face_width:
        return MaskUnsure(
            "fix.mask_blurred",
            "The background cannot be replaced safely: the outline of your hair and shoulders "
            "against the background is unclear. Retake the photo in front of a plain wall that "
            "contrasts with your hair.",
        )
    return None


def side_doubt(mask: NDArray[np.float32], eye_y: float) -> MaskUnsure | None:
    """Say whether the person mask reaches the photo's left or right edge beside the head.

    In a head-and-shoulders photo the person meets the photo's sides at most below the head
    (shoulders). A person region reaching a side above the eye line is something beside the
    head merged with the person (a door frame, a second person, a chair back) or a head cut by
    the side of the photo: the outline there is not the person's.

    Parameters
    ----------
    mask : ndarray of float32, shape (H, W)
        Person probability in [0, 1] on the whole photo (before framing).
    eye_y : float
        Row of the eye midpoint in that photo (px).

    Returns
    -------
    MaskUnsure or None
        ``fix.mask_touches_side`` when more than ``MAX_EDGE_TOUCH`` of a side's rows above the
        eye line are the person; None otherwise.
    """
    rows = slice(0, max(1, round(eye_y)))
    for side, column in (("left", 0), ("right", mask.shape[1] - 1)):
        if (mask[rows, column] >= 0.5).mean() > MAX_EDGE_TOUCH:
            return MaskUnsure(
                "fix.mask_touches_side",
                "The background cannot be replaced safely: the person outline reaches the photo's "
                f"{side} edge beside your head. Retake the photo with nothing but a plain wall "
                "around your head.",
            )
    return None


def _outline_length(person: NDArray[np.bool_]) -> float:
    """Length (px) of the boundary between person and background, frame edges left out."""
    vertical = np.count_nonzero(person[1:] != person[:-1])
    horizontal = np.count_nonzero(person[:, 1:] != person[:, :-1])
    return float(vertical + horizontal)


def replace_background(
    rgb: NDArray[np.uint8],
    mask: NDArray[np.float32],
    valid: NDArray[np.bool_],
    colour: tuple[int, int, int],
) -> Replacement:
    """Paint a plain colour behind the person, with feathered, decontaminated edges.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The framed photo.
    mask : ndarray of float32, shape (H, W)
        Person probability in [0, 1].
    valid : ndarray of bool, shape (H, W)
        Pixels that come from the photo; the others (padding) get the new colour.
    colour : tuple of int
        The new background, sRGB 0-255.

    Returns
    -------
    Replacement
    """
    import cv2

    width = mask.shape[1]
    new = np.asarray(colour, dtype=np.float32)
    image = rgb.astype(np.float32)
    alpha = np.clip((mask - _ALPHA_LOW) / (_ALPHA_HIGH - _ALPHA_LOW), 0.0, 1.0)
    feather = max(0.5, _FEATHER * width)
    alpha = cv2.GaussianBlur(alpha, (0, 0), feather) * valid
    sure = ((mask < _SURE_BACKGROUND) & valid).astype(np.float32)
    if sure.any():
        median = np.median(image[sure > 0], axis=0).astype(np.float32)
    else:
        median = np.median(image[valid], axis=0).astype(np.float32) if valid.any() else new
    sigma = max(2.0, _BACKGROUND_BLUR * width)
    weight = cv2.GaussianBlur(sure, (0, 0), sigma)
    local = cv2.GaussianBlur(image * sure[:, :, None], (0, 0), sigma)
    trusted = weight > 1e-3
    old = np.where(trusted[:, :, None], local / np.maximum(weight, 1e-6)[:, :, None], median)
    # Swap the old background's share of each pixel for the new colour...
    swapped = image + (1.0 - alpha)[:, :, None] * (new - old)
    # ...and let the outer half of the soft edge fade into the plain new colour.
    keep = np.clip(2.0 * alpha, 0.0, 1.0)[:, :, None]
    out = keep * swapped + (1.0 - keep) * new
    result = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    result[~valid] = np.asarray(colour, dtype=np.uint8)
    return Replacement(result, alpha.astype(np.float32), median)
