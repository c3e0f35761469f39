"""Generate the example photos in examples/photos/ from scikit-image's astronaut.

``skimage.data.astronaut()`` is a public-domain NASA portrait (Eileen Collins) that ships
with scikit-image. This script derives every example from it: the open smile warped
closed (ICAO wants the mouth closed), a person mask by OpenCV's
GrabCut (seeded from the detected face), a plain background composited behind, crops that
meet or break the framing rules, and degradations (blur, darkness, tilt). Run it with
``uv run python examples/make_example_photos.py``; it overwrites examples/photos/*.jpg.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import skimage.data
from PIL import Image

import photocheck
from photocheck.vision.face import find_faces

OUT = Path(__file__).parent / "photos"


def person_mask(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """GrabCut foreground mask, seeded with the face box as sure foreground."""
    left, top, right, bottom = box
    w = right - left
    mask = np.full(rgb.shape[:2], cv2.GC_PR_BGD, np.uint8)
    mask[:, : max(0, left - w)] = cv2.GC_BGD
    mask[:, min(rgb.shape[1], right + w) :] = cv2.GC_BGD
    mask[: max(0, top - w), :] = cv2.GC_BGD
    mask[max(0, top - w // 2) :, max(0, left - w // 2) : right + w // 2] = cv2.GC_PR_FGD
    mask[top:bottom, left:right] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(
        cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), mask, None, bgd, fgd, 8, cv2.GC_INIT_WITH_MASK
    )
    fg = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    return cv2.GaussianBlur(fg, (0, 0), 1.5)[:, :, None]


def close_mouth(rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Close the open smile by pulling the lower lip and jaw up to the upper lip.

    The astronaut smiles with her teeth showing, which ICAO forbids; this local warp (the
    lower face moves up by the height of the opening, fading out towards the chin) gives the
    examples a photo that can pass.
    """
    height, width = rgb.shape[:2]
    upper = landmarks[[60, 61, 62, 63, 64]]
    lower = landmarks[[60, 67, 66, 65, 64]]
    xs = np.arange(width, dtype=np.float32)
    top = np.interp(xs, upper[:, 0], upper[:, 1]).astype(np.float32)
    gap = (np.interp(xs, lower[:, 0], lower[:, 1]) - top).astype(np.float32)
    left, right = upper[0, 0], upper[-1, 0]
    # Fade the pull out sideways beyond the mouth corners.
    span = (right - left) * 0.35
    side = np.clip(np.minimum(xs - (left - span), (right + span) - xs) / span, 0, 1)
    gap = np.maximum(gap, 0) + side * 2.0  # a little extra so the lips press together
    gap *= side
    chin = float(landmarks[8, 1])
    ys = np.arange(height, dtype=np.float32)[:, None]
    fade = np.clip((chin + 0.3 * (chin - top.min()) - ys) / (chin - top[None, :] + 1e-6), 0, 1)
    pull = np.where(ys >= top[None, :] - 1, gap[None, :] * fade, 0).astype(np.float32)
    map_x = np.broadcast_to(xs[None, :], (height, width)).astype(np.float32)
    map_y = (ys + pull).astype(np.float32)
    return cv2.remap(rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def busy_background(shape: tuple[int, ...], seed: int = 7) -> np.ndarray:
    """A generated cluttered backdrop: shelves of random coloured boxes and stripes."""
    rng = np.random.default_rng(seed)
    image = np.full(shape, (190, 170, 140), np.uint8)
    height, width = shape[:2]
    for _ in range(160):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(10, 60)), int(rng.integers(10, 60))
        colour = tuple(int(c) for c in rng.integers(20, 235, 3))
        cv2.rectangle(image, (x, y), (x + w, y + h), colour, -1)
    for y in range(0, height, 37):
        cv2.line(image, (0, y), (width, y), (60, 40, 30), 3)
    return image


def crop(
    rgb: np.ndarray, centre_x: float, eye_y: float, width: float, height: float, eye_share: float
) -> np.ndarray:
    """Crop a width x height window with the eyes at eye_share of the height from the top."""
    left = round(centre_x - width / 2)
    top = round(eye_y - eye_share * height)
    pad = 400
    padded = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return padded[top + pad : top + pad + round(height), left + pad : left + pad + round(width)]


def save(
    rgb: np.ndarray, name: str, size: tuple[int, int] | None = None, quality: int = 92
) -> None:
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if size is not None:
        image = image.resize(size, Image.LANCZOS)
    image.save(OUT / name, quality=quality)


# The astronaut's eyes are 43 px apart; icao wants at least 90, so the examples are enlarged
# about 2.6 times. Larger enlargements (3x and more) are what ``image.compression`` rejects.
ICAO_SIZE = (440, 565)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    source = skimage.data.astronaut()
    landmarks = find_faces(source)[0].landmarks  # the mesh at the 68 iBUG positions
    source = close_mouth(source, landmarks)
    geo = photocheck.measure(source).geometry
    plain_white = np.full_like(source, 246)
    alpha = person_mask(source, geo["box"])
    on_white = (source * alpha + plain_white * (1 - alpha)).astype(np.uint8)

    cx, ey = geo["eye_midpoint"]
    head = geo["chin"][1] - geo["crown_y"]
    # Portrait framing for icao: head ~72% of the height, eyes 42% from the top.
    h = head / 0.72
    w = h * 0.78
    good = crop(on_white, cx, ey, w, h, 0.42)
    save(good, "compliant_icao.jpg", ICAO_SIZE)
    clutter = busy_background(source.shape)
    on_clutter = (source * alpha + clutter * (1 - alpha)).astype(np.uint8)
    save(crop(on_clutter, cx, ey, w, h, 0.42), "busy_background.jpg", ICAO_SIZE)
    blurred = cv2.GaussianBlur(good, (0, 0), 0.06 * geo["eye_distance"])
    save(blurred, "blurred.jpg", ICAO_SIZE)
    save((good.astype(np.float32) * 0.22).astype(np.uint8), "too_dark.jpg", ICAO_SIZE)
    # A loose framing of the same source: 600 px wide is an enlargement of only 1.6x.
    save(crop(on_white, cx, ey, w * 2.2, h * 2.2, 0.42), "face_too_small.jpg", (600, 770))
    centre = (good.shape[1] / 2, good.shape[0] * 0.42)
    turn = cv2.getRotationMatrix2D(centre, 15, 1.0)
    tilted = cv2.warpAffine(good, turn, good.shape[1::-1], borderMode=cv2.BORDER_REPLICATE)
    save(tilted, "head_tilted.jpg", ICAO_SIZE)
    # China social-security card: 358 x 441 px, JPEG about q70, hair top 7-21 px from the top.
    card_h = (head) / 0.78
    card = crop(on_white, cx, ey, card_h * 358 / 441, card_h, 0.44)
    save(card, "cn_social_security_card.jpg", (358, 441), quality=70)


if __name__ == "__main__":
    main()
