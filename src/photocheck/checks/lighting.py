"""Lighting, colour and image-quality checks (ISO/IEC 19794-5, OFIQ, BioLab-ICAO parity).

``lighting.uniformity``, ``lighting.hotspots``, ``background.shadow``, ``colour.natural``,
``eyes.red`` and ``image.compression``. Face regions come from the aligned face
(:attr:`photocheck.analysis.Analysis.canonical_face`, inter-eye distance 64 px), so the
scores do not depend on the photo's size.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from ..analysis import Analysis
from ..errors import NotAssessed
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..scores.colour import EyeWhite, eye_white, red_eye_shares, red_pixels, skin_colour
from ..scores.compression import blockiness, fine_detail, level_coverage
from ..scores.lighting import background_shadow, hot_spots, illumination_balance

# Least pixels a cheek zone / the skin / an eye opening needs on the aligned face.
_MIN_ZONE = 60
_MIN_SKIN = 200
_MIN_EYE = 12
# The face is scored for compression at an inter-eye distance of at most this many pixels.
_DETAIL_IED = 128.0
# Largest side (px) of the full-resolution face window scored for blocking.
_BLOCK_WINDOW = 256
# Half width of the head ellipse left out of the background, in face widths.
_HEAD_HALF_WIDTH = 0.65
# Beyond this yaw (degrees) the far cheek is hidden by the head (a half profile).
_MAX_ABS_YAW = 45.0


def _cheeks(analysis: Analysis) -> tuple[tuple[slice, slice], NDArray[np.bool_], NDArray[np.bool_]]:
    """Return :attr:`Analysis.cheeks`, or raise NotAssessed when a zone is too small.

    A head turned beyond ``_MAX_ABS_YAW`` (a half profile) hides the far cheek: its zone
    runs off the aligned face by an amount that differs at every re-encoding, so the
    decision is taken on the yaw instead (as ``face.occlusion`` and the eye-region checks).
    """
    yaw = abs(float(analysis.geometry["yaw"]))
    if yaw > _MAX_ABS_YAW:
        raise NotAssessed(f"the head is turned {yaw:.0f} degrees: too far to see both cheeks")
    box, left, right = analysis.cheeks
    if np.count_nonzero(left) < _MIN_ZONE or np.count_nonzero(right) < _MIN_ZONE:
        raise NotAssessed("the cheeks are not both inside the photo")
    return box, left, right


@register_check(
    "lighting.uniformity",
    summary="Even light on both sides of the face (left/right cheek luminance histograms, as OFIQ IlluminationUniformity)",
    passed="The face is evenly lit.",
    retake="in even light from the front",
    limits=[
        Range(
            "balance", "min_balance", None, noise=0.018,
            too_low=Outcome("lighting.uniformity.side_shadow", "One side of your face is in shadow: face the light (or a window) squarely and retake the photo."),
        ),
        Range(
            "intersection", "min_intersection", None, noise=0.029,
            too_low=Outcome("lighting.uniformity.uneven", "The light on your face is uneven: use soft light from the front and retake the photo."),
        ),
    ],
)  # fmt: skip
def lighting_uniformity(analysis: Analysis) -> Mapping[str, Scalar]:
    """Compare the luminance of the two cheek zones of the aligned face."""
    box, left, right = _cheeks(analysis)
    return illumination_balance(analysis.canonical_face["grey"][box], left, right)._asdict()


@register_check(
    "lighting.hotspots",
    summary="Flash reflections / specular hot spots on the skin (share of skin far brighter than its median)",
    passed="There are no shiny spots on the face.",
    retake="in soft light, without flash",
    limits=[
        Range(
            "fraction", None, "max_fraction", noise=0.00092,
            too_high=Outcome("lighting.hotspots.present", "There are shiny white spots on your face: avoid the flash and direct light, or dab the shine off, and retake the photo."),
        ),
    ],
)  # fmt: skip
def lighting_hotspots(analysis: Analysis) -> Mapping[str, Scalar]:
    """Share of the bare skin (eyes, brows, nostrils and mouth left out) that is a specular hot spot."""
    canon = analysis.canonical_face
    mask = canon["bare_skin"]
    if np.count_nonzero(mask) < _MIN_SKIN:
        raise NotAssessed("too little of the face is inside the photo")
    return hot_spots(canon["grey"], mask)._asdict()


@register_check(
    "background.shadow",
    summary="Shadow cast on the background beside the head (darkening of the background next to the head)",
    passed="There is no shadow on the background.",
    retake="a step away from the background, in even light",
    limits=[
        Range(
            "darkening", None, "max_darkening", noise=0.0085,
            too_high=Outcome("background.shadow.present", "Your shadow falls on the background: step away from the wall or light the background and retake the photo."),
        ),
        Range(
            "asymmetry", None, "max_asymmetry", noise=0.0075,
            too_high=Outcome("background.shadow.one_side", "A shadow falls on the background on one side of your head: light the background evenly or step away from the wall."),
        ),
    ],
)  # fmt: skip
def background_shadow_check(analysis: Analysis) -> Mapping[str, Scalar]:
    """Darkening of the background band beside the head, relative to the lit background."""
    import cv2

    small, scale = analysis.small
    # Shadows are soft: half the reduced copy (about 100 px wide) is enough and 4x cheaper.
    h, w = small.shape[:2]
    size = (max(8, w // 2), max(8, h // 2))
    half = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
    scale *= size[0] / w
    geo = analysis.geometry
    weight, distance = _beside_head(analysis, size[::-1], scale)
    person = cv2.resize(analysis.small_person_mask, size, interpolation=cv2.INTER_AREA)
    near = max(2.0, 0.35 * geo["face_width"] * scale)
    try:
        shadow = background_shadow(
            half,
            weight,
            geo["eye_midpoint"][0] * scale,
            near=near,
            distance=distance,
            person=person,
        )
        return shadow._asdict()
    except ValueError as exc:
        raise NotAssessed(str(exc)) from exc


def _beside_head(
    analysis: Analysis, shape: tuple[int, int], scale: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Background beside and above the head, down to the chin, on an image of ``shape``.

    Like :attr:`Analysis.background_mask` but with a head ellipse only as wide as the face
    plus the ears (0.65 face widths from the centre line instead of 0.85), so that the band
    where a cast shadow shows stays in. ``scale`` maps photo pixels to ``shape``'s pixels.

    Returns each pixel's weight as background (0-1) and its distance from the head (px,
    <= 0 on it). Both are drawn from the geometry, not rasterised: a pixel on the head's
    outline or the chin's row counts for the share of it outside, so that the region does
    not hinge on a rounding (a 2 px crop moved whole rows and columns of it). Hair outside
    the ellipse is left to the person mask and the score's hue and lightness filter.
    """
    geo = analysis.geometry
    h, w = shape
    crown, chin = geo["crown_y"] * scale, geo["chin"][1] * scale
    cx, face_w = geo["eye_midpoint"][0] * scale, geo["face_width"] * scale
    cy = (crown + chin) / 2
    a = max(0.5, _HEAD_HALF_WIDTH * face_w)
    b = max(0.5, 0.62 * (chin - crown))
    # A column of rows and a row of columns: the grids below broadcast them (the same values
    # as from full np.mgrid grids, without computing them on every pixel).
    ys = np.arange(h, dtype=np.float32)[:, np.newaxis]
    xs = np.arange(w, dtype=np.float32)[np.newaxis, :]
    dx, dy = xs - np.float32(cx), ys - np.float32(cy)
    cos, sin = np.cos(np.radians(geo["roll"])), np.sin(np.radians(geo["roll"]))
    u, v = dx * cos + dy * sin, dy * cos - dx * sin
    # Distance outside the ellipse to first order: (r - 1) / |grad r|, r its normalised radius.
    r = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    gradient = np.sqrt((u / a**2) ** 2 + (v / b**2) ** 2) / np.maximum(r, 1e-6)
    head = (r - 1.0) / np.maximum(gradient, 1e-6)
    neck = 0.45 * face_w
    below = np.hypot(np.maximum(np.abs(dx) - neck, 0.0), np.maximum(chin - 2.0 - ys, 0.0))
    distance = np.minimum(head, below).astype(np.float32)
    outside = np.clip(distance + 0.5, 0.0, 1.0)
    above_chin = np.clip(chin + 0.5 - ys, 0.0, 1.0)
    weight = (outside * above_chin).astype(np.float32)
    if float(weight.sum()) < max(12.0, 0.02 * h * w):
        raise NotAssessed("too little background is visible around the head")
    return weight, distance


@register_check(
    "colour.natural",
    summary="Natural skin colour: mean CIELAB a*, b* of the cheeks (as OFIQ NaturalColour); flags grey and tinted photos",
    passed="The skin colour looks natural.",
    retake="in daylight, without filters",
    limits=[
        Range(
            "chroma", "min_chroma", None, noise=0.23,
            too_low=Outcome("colour.natural.greyscale", "The photo has no colour: send a colour photo."),
        ),
        Range(
            "hue", "min_hue", "max_hue", noise=0.34,
            too_low=Outcome("colour.natural.cast", "The skin colour looks unnatural (a blue, magenta or red tint): turn off filters, use daylight or white light and retake the photo."),
            too_high=Outcome("colour.natural.cast", "The skin colour looks unnatural (a green tint): turn off filters, use daylight or white light and retake the photo."),
        ),
        Range(
            "a", "min_a", "max_a", noise=0.18,
            too_low=Outcome("colour.natural.green_cast", "The colours look green or washed out: turn off filters, use daylight or white light and retake the photo."),
            too_high=Outcome("colour.natural.red_cast", "The colours look too red or magenta: turn off filters and coloured lights and retake the photo."),
        ),
        Range(
            "b", "min_b", "max_b", noise=0.2,
            too_low=Outcome("colour.natural.blue_cast", "The colours look blue: turn off filters, use daylight or white light and retake the photo."),
            too_high=Outcome("colour.natural.yellow_cast", "The colours look too yellow or orange: avoid warm lamps and filters and retake the photo."),
        ),
        Range(
            "eye_white_b", "min_eye_white_b", None, noise=0.72,
            too_low=Outcome("colour.natural.blue_cast", "The colours look blue: turn off filters, use daylight or white light and retake the photo."),
        ),
        Range(
            "eye_white_a", None, "max_eye_white_a", noise=0.65,
            too_high=Outcome("colour.natural.red_cast", "The colours look too red or magenta: turn off filters and coloured lights and retake the photo."),
        ),
    ],
)  # fmt: skip
def colour_natural(analysis: Analysis) -> Mapping[str, Scalar]:
    """Mean a*, b* of the two cheek zones of the aligned face, and a*, b* of the eye whites."""
    box, left, right = _cheeks(analysis)
    skin = skin_colour(analysis.canonical_face["rgb"][box], left | right)
    values: dict[str, Scalar] = skin._asdict()
    white = _eye_white(analysis)
    values["eye_white_a"] = None if white is None else white.a
    values["eye_white_b"] = None if white is None else white.b
    return values


def _eye_white(analysis: Analysis) -> EyeWhite | None:
    """CIELAB colour of the whites of both eyes on the aligned face, None when not visible.

    Red-eye pixels are left out: ``eyes.red`` judges them, and a red pupil among the
    brightest pixels of a small eye would read as a red cast.
    """
    box, (right, left) = analysis.eye_openings
    rgb = analysis.canonical_face["rgb"][box]
    both = (left | right) & ~red_pixels(rgb)
    if np.count_nonzero(both) < 2 * _MIN_EYE:
        return None
    return eye_white(rgb, both)


@register_check(
    "eyes.red",
    summary="Red-eye from the flash (share of saturated red pixels in the eye openings)",
    passed="There is no red-eye.",
    retake="without flash",
    limits=[
        Range(
            "red_fraction", None, "max_red_fraction", noise=0.00072,
            too_high=Outcome("eyes.red.present", "Your eyes look red from the flash: turn the flash off or use more room light and retake the photo."),
        ),
    ],
)  # fmt: skip
def eyes_red(analysis: Analysis) -> Mapping[str, Scalar]:
    """Measure the larger share of red pixels of the two eye openings.

    Red counts over each iris only (a disc of the mesh's iris radius, soft-edged), where a
    flash-lit retina shows; the share is of the whole opening, or of the iris's area when
    less of the eye is open (a nearly closed eye's few pixels make a jumpy share).
    """
    from ..vision.geometry import (
        LEFT_IRIS_CENTRE,
        LEFT_IRIS_RING,
        RIGHT_IRIS_CENTRE,
        RIGHT_IRIS_RING,
    )

    canon = analysis.canonical_face
    box, openings = analysis.eye_openings
    mesh = canon["mesh"]
    rows, cols = box
    ys = np.arange(rows.start, rows.stop, dtype=np.float32)[:, None]
    xs = np.arange(cols.start, cols.stop, dtype=np.float32)[None, :]
    visible, irises, areas = [], [], []
    for eye, centre, ring in (
        (openings[0], RIGHT_IRIS_CENTRE, RIGHT_IRIS_RING),
        (openings[1], LEFT_IRIS_CENTRE, LEFT_IRIS_RING),
    ):
        if np.count_nonzero(eye) < _MIN_EYE:
            continue
        cx, cy = float(mesh[centre, 0]), float(mesh[centre, 1])
        edge = mesh[list(ring), :2] - mesh[centre, :2]
        radius = float(np.hypot(edge[:, 0], edge[:, 1]).mean())
        irises.append(np.clip(radius + 0.5 - np.hypot(xs - cx, ys - cy), 0.0, 1.0))
        areas.append(np.pi * radius * radius)
        visible.append(eye)
    if not visible:
        raise NotAssessed("the eyes are closed or not visible")
    shares = red_eye_shares(canon["rgb"][box], visible, pupils=irises, min_areas=areas)
    return {"red_fraction": max(shares)}


@register_check(
    "image.compression",
    summary="Compression and pixelation artefacts on the face: JPEG blocking, posterisation, loss of fine detail",
    passed="The image shows no compression artefacts.",
    retake="saved at full quality",
    limits=[
        Range(
            "blockiness", None, "max_blockiness", noise=0.028,
            too_high=Outcome("image.compression.blocky", "The photo is too compressed (blocky): save it at a higher quality or send the original."),
        ),
        Range(
            "level_coverage", "min_level_coverage", None, noise=1.8e-05,
            too_low=Outcome("image.compression.posterised", "The photo shows too few shades (banding): send the original photo, not a converted copy."),
        ),
        Range(
            "fine_detail", "min_fine_detail", None, noise=0.0062,
            too_low=Outcome("image.compression.upscaled", "The photo looks enlarged from a small image: send the original, full-resolution photo."),
        ),
    ],
)  # fmt: skip
def image_compression(analysis: Analysis) -> Mapping[str, Scalar]:
    """Blocking and posterisation at full resolution, detail across the eyes at a fixed scale."""
    import cv2

    geo = analysis.geometry
    left, top, right, bottom = geo["box"]
    x0, y0 = max(0, int(left)), max(0, int(top))
    x1, y1 = min(analysis.width, int(right)), min(analysis.height, int(bottom))
    if x1 - x0 < 32 or y1 - y0 < 32:
        raise NotAssessed("the face is too small or not inside the photo")
    # Grey levels of the two regions read, not of the whole photo (the same pixel by pixel).
    rgb = analysis.rgb
    # Blocking: a window of at most _BLOCK_WINDOW px at the face centre, full resolution.
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    half_w, half_h = min(_BLOCK_WINDOW, x1 - x0) // 2, min(_BLOCK_WINDOW, y1 - y0) // 2
    bx, by = cx - half_w, cy - half_h
    window = cv2.cvtColor(rgb[by : cy + half_h, bx : cx + half_w], cv2.COLOR_RGB2GRAY)
    blocks = blockiness(window, origin=(by, bx))
    # Every other row is plenty to see which levels occur (and half the memory traffic).
    coverage = level_coverage(analysis.rgb[by : cy + half_h : 2, bx : cx + half_w], channel=1)
    # Detail: the band across the eyes (lashes, iris edges: the finest detail of a face),
    # 1.8 x 0.7 eye distances, reduced to an eye distance of at most _DETAIL_IED px.
    ied = max(float(geo["eye_distance"]), 1e-6)
    mx, my = geo["eye_midpoint"]
    ex0, ex1 = max(0, int(mx - 0.9 * ied)), min(analysis.width, int(mx + 0.9 * ied) + 1)
    ey0, ey1 = max(0, int(my - 0.35 * ied)), min(analysis.height, int(my + 0.35 * ied) + 1)
    # In float: rounding a reduced band to 8 bits would add fine "detail" to a smooth face.
    band = cv2.cvtColor(rgb[ey0:ey1, ex0:ex1], cv2.COLOR_RGB2GRAY).astype(np.float32)
    scale = min(1.0, _DETAIL_IED / ied)
    if scale < 1.0:
        size = (max(1, round(band.shape[1] * scale)), max(1, round(band.shape[0] * scale)))
        band = cv2.resize(band, size, interpolation=cv2.INTER_AREA)
    detail = fine_detail(band) if min(band.shape) >= 16 else None
    return {
        "blockiness": blocks,
        "level_coverage": coverage,
        "fine_detail": detail,
    }
