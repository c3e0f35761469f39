"""Synthetic variants for the lighting, colour and image-quality checks.

Importing this module registers its variants with :mod:`photocheck.evaluation.synthetic`
(the shared generator): a shadow across the face, a shadow cast on the background, a hot spot
on a cheek, colour casts and a black-and-white copy, red pupils, eyes closed by lowering the
upper lids, a low-quality JPEG round trip and a down-then-up rescale. Variants that need the
face place themselves on the face mesh's points at the 68 iBUG positions
(:class:`photocheck.analysis.Analysis`) and raise
:class:`~photocheck.evaluation.synthetic.VariantNotApplicable` when there is no clear face.

==========================  ================================================  =======  =======
name                        severity                                          passes   fails
==========================  ================================================  =======  =======
``lighting.side_shadow``    light lost on the darker side of the face (0-1)   <= 0.15  >= 0.75
``background.cast_shadow``  light lost in the shadow on the background (0-1)  <= 0.15  >= 0.5
``lighting.hotspot``        blend of a cheek spot towards white (0-1)         <= 0.3   >= 1.0
``colour.cast_blue``        white-balance error towards blue (0-1)            <= 0.05  >= 0.5
``colour.cast_red``         white-balance error towards red (0-1)             <= 0.05  >= 0.5
``colour.cast_green``       white-balance error towards green (0-1)           <= 0.05  >= 0.5
``colour.greyscale``        saturation removed (0-1; 1 is black and white)    <= 0.3   >= 1.0
``eyes.red``                opacity of a red disc on each pupil (0-1)         <= 0.1   >= 0.6
``eyes.closed``             share of the eye opening the lid covers (0-1)     <= 0.25  >= 1.0
``compression.jpeg``        JPEG quality (1-100)                              >= 90    <= 10
``compression.rescale``     reduction factor before enlarging back (> 1)      <= 1.5   >= 4
==========================  ================================================  =======  =======

Expected verdicts follow from what each variant does to the photo, never from what the
checks measure on it (between the two zones no verdict is expected). They assume a source
photo that passes the check concerned:

- ``lighting.side_shadow``: at 0.75 the shaded side gets a quarter of the light of the lit
  side, two stops (a 4:1 lighting ratio, the modelling light of a portrait, not the even light
  ICAO asks for); even if the photo was already half a stop brighter on that side, 1.5 stops
  remain. At 0.15 the difference is a quarter of a stop.
- ``background.cast_shadow``: at 0.5 a person-shaped shadow one stop darker than the
  backdrop lies beside the person (ICAO: no shadows on the background). At 0.15 it is a
  quarter of a stop, a soft darkening.
- ``lighting.hotspot``: at 1.0 the spot's core is burnt out to white (no skin detail left,
  a hot spot by definition); at 0.3 the cheek is brightened and keeps 70% of its texture.
- colour casts: a log gain of +-s between channels in linear light. At 0.5 the ratio of the
  two opposed channels changes by a factor e (blue) or e^0.75 = 2.1 (red, green), an
  uncorrected tungsten or fluorescent white balance; at 0.05 it changes by 8-10%, within
  the white-balance error of cameras.
- ``colour.greyscale``: at 1.0 the photo has no colour at all; at 0.3 it keeps 70% of its
  saturation.
- ``eyes.red``: at 0.6 and above each pupil is covered by a red disc with 60% or more
  opacity (a red pupil, flash red-eye); at 0.1 the pupil stays dark.
- ``eyes.closed``: at 1.0 skin is painted over the whole eye opening and a lash line drawn
  where the lids meet: the eyes are closed by construction (``eyes.open`` must fail). At
  0.25 the upper lids come down a quarter of the opening and the eyes are still open.
- ``compression.jpeg``: at quality 10 and below 8 x 8 blocks show across the face; at 90
  and above JPEG artefacts are not visible.
- ``compression.rescale``: at 4 the photo holds the detail of one a quarter its size (the
  evaluation's bases, at most 800 px, then hold under 90 px between the eyes, ICAO's
  minimum, unless the face fills the frame); at 1.5 the loss is slight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .synthetic import (
    VariantNotApplicable,
    expect,
    jpeg,
    plain_background_mask,
    register_variant,
    to_linear,
    to_srgb,
)

if TYPE_CHECKING:
    from ..batch.table import MeasurementTable

__all__ = [
    "base_rows",
    "cast_shadow",
    "closed_eyes",
    "colour_cast",
    "greyscale",
    "hotspot",
    "jpeg_round_trip",
    "lighting_set",
    "red_eyes",
    "reduce_to",
    "rescale",
    "side_shadow",
]

RGB = NDArray[np.uint8]


def _landmarks(rgb: RGB) -> NDArray[np.float64]:
    """Return the main face's mesh points at the 68 iBUG positions, ``(68, 2)`` pixels."""
    from ..analysis import Analysis
    from ..imaging.load import load_image

    face = Analysis(load_image(np.ascontiguousarray(rgb))).face
    if face is None:
        raise VariantNotApplicable("no clear main face to place the variant on")
    return np.asarray(face.landmarks, dtype=np.float64)


def _eye_distance(points: NDArray[np.float64]) -> float:
    return float(np.hypot(*(points[42:48].mean(axis=0) - points[36:42].mean(axis=0))))


@register_variant(
    "lighting.side_shadow",
    severities=(0.15, 0.3, 0.5, 0.75, 0.85),
    expected=expect("lighting.uniformity", fails=lambda s: s >= 0.75, passes=lambda s: s <= 0.15),
)
def side_shadow(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Shade one side of the face: it loses ``severity`` of its light (linear light).

    The gain falls smoothly from 1 on one side of the face to ``1 - severity`` on the
    other, across the middle half of the face; the side is chosen by ``rng``.
    """
    points = _landmarks(rgb)
    cx = float(points[27:31, 0].mean())
    half = 0.5 * float(points[16, 0] - points[0, 0])
    x = np.arange(rgb.shape[1], dtype=np.float32)
    sign = 1.0 if rng.random() < 0.5 else -1.0
    t = np.clip(0.5 + sign * (x - cx) / max(half, 1.0), 0.0, 1.0)
    ramp = t * t * (3.0 - 2.0 * t)  # smoothstep: 0 on the lit side, 1 on the dark side
    gain = 1.0 - float(severity) * ramp
    return to_srgb(to_linear(rgb) * gain[None, :, None])


@register_variant(
    "background.cast_shadow",
    severities=(0.15, 0.3, 0.5, 0.7),
    expected=expect("background.shadow", fails=lambda s: s >= 0.5, passes=lambda s: s <= 0.15),
)
def cast_shadow(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Cast a soft shadow of the person on a plain background, offset sideways and down.

    The person's silhouette (everything that is not plain background) is shifted by 12% of
    the image width to one side (chosen by ``rng``) and 4% of the height down, softened, and
    darkens the background by ``severity`` (linear light). Raises ``VariantNotApplicable``
    when the background is not plain.
    """
    import cv2

    background = plain_background_mask(rgb)
    h, w = rgb.shape[:2]
    person = (~background).astype(np.float32)
    dx = (1.0 if rng.random() < 0.5 else -1.0) * 0.12 * w
    shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, 0.04 * h]], dtype=np.float32)
    shadow = cv2.warpAffine(person, shift, (w, h), borderMode=cv2.BORDER_REPLICATE)
    shadow = cv2.GaussianBlur(shadow, (0, 0), max(1.0, 0.01 * w))
    gain = 1.0 - float(severity) * shadow * background.astype(np.float32)
    return to_srgb(to_linear(rgb) * gain[..., None])


@register_variant(
    "lighting.hotspot",
    severities=(0.3, 0.6, 1.0),
    expected=expect("lighting.hotspots", fails=lambda s: s >= 1.0, passes=lambda s: s <= 0.3),
)
def hotspot(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Add a flash reflection: a white spot (0.4 of the eye distance across) on one cheek.

    ``severity`` is the blend towards white at the spot's core (1 is a burnt-out spot).
    """
    points = _landmarks(rgb)
    ied = _eye_distance(points)
    side = (1, 31, 41) if rng.random() < 0.5 else (15, 35, 46)
    centre = points[list(side)].mean(axis=0)
    sigma = 0.2 * ied
    yy, xx = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]].astype(np.float32)
    blob = np.exp(-((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) / (2.0 * sigma**2))
    alpha = (float(severity) * np.clip(1.6 * blob, 0.0, 1.0))[..., None]
    out = rgb.astype(np.float32) * (1.0 - alpha) + 255.0 * alpha
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _cast(gains: tuple[float, float, float]) -> Callable[[RGB, Any, np.random.Generator], RGB]:
    direction = np.array(gains, dtype=np.float32)

    def fn(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
        return colour_cast(rgb, direction * float(severity))

    return fn


def colour_cast(rgb: RGB, shift: NDArray[np.floating[Any]]) -> RGB:
    """Scale R, G, B in linear light by ``exp(shift)``, keeping the luminance (a white-balance error).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo.
    shift : array-like of 3 floats
        Log gains of R, G and B (e.g. ``(-0.3, 0, 0.3)`` is a blue cast).

    Returns
    -------
    ndarray of uint8
        The recoloured photo.
    """
    gains = np.exp(np.asarray(shift, dtype=np.float32))
    luminance = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    gains = gains / float(luminance @ gains)
    return to_srgb(to_linear(rgb) * gains[None, None, :])


_CAST_SEVERITIES = (0.05, 0.15, 0.3, 0.5)
for _name, _gains in (
    ("colour.cast_blue", (-1.0, 0.0, 1.0)),
    ("colour.cast_red", (1.0, -0.5, -0.5)),
    ("colour.cast_green", (-0.5, 1.0, -0.5)),
):
    register_variant(
        _name,
        severities=_CAST_SEVERITIES,
        expected=expect("colour.natural", fails=lambda s: s >= 0.5, passes=lambda s: s <= 0.05),
        summary=f"A white-balance error towards {_name.rsplit('_', 1)[1]} (log gain in linear light).",
    )(_cast(_gains))


@register_variant(
    "colour.greyscale",
    severities=(0.3, 0.7, 1.0),
    expected=expect("colour.natural", fails=lambda s: s >= 1.0, passes=lambda s: s <= 0.3),
)
def greyscale(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Remove ``severity`` of the saturation (1 gives a black-and-white photo in RGB)."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None]
    out = rgb.astype(np.float32) * (1.0 - float(severity)) + grey * float(severity)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@register_variant(
    "eyes.red",
    severities=(0.1, 0.3, 0.6, 1.0),
    expected=expect("eyes.red", fails=lambda s: s >= 0.6, passes=lambda s: s <= 0.1),
)
def red_eyes(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Paint red pupils (flash red-eye): a red disc on each pupil, ``severity`` its opacity.

    Each disc is centred on the eye opening (mean of its six landmarks) with a radius of
    half the opening's height, keeps a little of the underlying shading, and has a soft edge.
    """
    import cv2

    points = _landmarks(rgb)
    out = rgb.astype(np.float32)
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for eye in (points[36:42], points[42:48]):
        centre = eye.mean(axis=0)
        opening = float(np.mean([eye[5, 1] - eye[1, 1], eye[4, 1] - eye[2, 1]]))
        radius = max(1.5, 0.5 * opening)
        distance = np.hypot(xx - centre[0], yy - centre[1])
        disc = np.clip(radius + 0.5 - distance, 0.0, 1.0)
        disc = cv2.GaussianBlur(disc, (0, 0), max(0.5, 0.15 * radius))
        shade = 0.6 + 0.4 * out.mean(axis=2, keepdims=True) / 255.0
        red = np.array([215.0, 35.0, 30.0], dtype=np.float32) * shade
        alpha = float(severity) * disc[..., None]
        out = out * (1.0 - alpha) + red * alpha
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@register_variant(
    "eyes.closed",
    severities=(0.25, 0.5, 1.0),
    expected=expect("eyes.open", fails=lambda s: s >= 1.0, passes=lambda s: s <= 0.25),
)
def closed_eyes(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Lower each upper lid by ``severity`` of the eye opening: skin painted over it.

    The part of each eye opening (its six landmarks) between the upper lid and the new lid
    line is filled with the skin colour of the cheek below the eye (soft edge, a margin of
    1/30 of the eye distance that covers the lid margin and lashes), and a thin dark lash
    line is drawn along the new lid. At 1 the new lid line is the lower lid: a closed eye.
    """
    import cv2

    points = _landmarks(rgb)
    ied = _eye_distance(points)
    share = float(np.clip(severity, 0.0, 1.0))
    h, w = rgb.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    lids = []
    for eye in (points[36:42], points[42:48]):
        # 0 and 3 are the corners, 1-2 the upper lid, 5-4 the lower lid below them.
        lid = eye[[1, 2]] + share * (eye[[5, 4]] - eye[[1, 2]])
        covered = np.vstack([eye[[0, 1, 2, 3]], lid[::-1]])
        cv2.fillPoly(mask, [np.round(covered).astype(np.int32)], 255)
        lids.append(np.vstack([eye[0], lid, eye[3]]))
    margin = max(1, round(ied / 30))
    mask = cv2.dilate(mask, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
    cheeks = points[36:48] + np.array([0.0, 0.35 * ied])  # below both eyes
    ys = np.clip(np.round(cheeks[:, 1]).astype(int), 0, h - 1)
    xs = np.clip(np.round(cheeks[:, 0]).astype(int), 0, w - 1)
    skin = np.median(rgb[ys, xs].astype(np.float32), axis=0)
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(0.5, margin / 2))
    out = rgb.astype(np.float32) * (1.0 - alpha[..., None]) + skin * alpha[..., None]
    lash = tuple(float(c) for c in 0.45 * skin)
    for line in lids:
        cv2.polylines(
            out,
            [np.round(line).astype(np.int32)],
            False,
            lash,
            max(1, round(ied / 40)),
            cv2.LINE_AA,
        )
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@register_variant(
    "compression.jpeg",
    severities=(90, 50, 20, 10, 5),
    expected=expect("image.compression", fails=lambda s: s <= 10, passes=lambda s: s >= 90),
)
def jpeg_round_trip(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Save as JPEG at quality ``severity`` (1-100) and decode again (OpenCV, 4:2:0).

    The same round trip as :func:`photocheck.evaluation.synthetic.jpeg`, with expectations for
    ``image.compression`` instead of ``sharpness``.
    """
    return jpeg(rgb, severity, rng)


@register_variant(
    "compression.rescale",
    severities=(1.5, 2.0, 3.0, 4.0),
    expected=expect("image.compression", fails=lambda s: s >= 4.0, passes=lambda s: s <= 1.5),
)
def rescale(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Reduce by ``severity`` (area average) and enlarge back (bicubic): a low-resolution photo."""
    import cv2

    factor = max(1.0, float(severity))
    h, w = rgb.shape[:2]
    small = cv2.resize(
        rgb, (max(8, round(w / factor)), max(8, round(h / factor))), interpolation=cv2.INTER_AREA
    )
    return np.ascontiguousarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))


# --- evaluation -----------------------------------------------------------------------------

#: The checks these variants exercise.
CHECKS = (
    "lighting.uniformity",
    "lighting.hotspots",
    "background.shadow",
    "colour.natural",
    "eyes.red",
    "eyes.open",
    "image.compression",
)
#: Which check each variant is aimed at, and the mildest severity at which that check is
#: expected to fail (see the module docstring for why).
TARGETS: Mapping[str, tuple[str, Any]] = {
    "lighting.side_shadow": ("lighting.uniformity", 0.75),
    "background.cast_shadow": ("background.shadow", 0.5),
    "lighting.hotspot": ("lighting.hotspots", 1.0),
    "colour.cast_blue": ("colour.natural", 0.5),
    "colour.cast_red": ("colour.natural", 0.5),
    "colour.cast_green": ("colour.natural", 0.5),
    "colour.greyscale": ("colour.natural", 1.0),
    "eyes.red": ("eyes.red", 0.6),
    "eyes.closed": ("eyes.open", 1.0),
    "compression.jpeg": ("image.compression", 10),
    "compression.rescale": ("image.compression", 4.0),
}
#: The strongest severity of each variant at which its target check is expected to pass.
MILDEST: Mapping[str, Any] = {
    "lighting.side_shadow": 0.15,
    "background.cast_shadow": 0.15,
    "lighting.hotspot": 0.3,
    "colour.cast_blue": 0.05,
    "colour.cast_red": 0.05,
    "colour.cast_green": 0.05,
    "colour.greyscale": 0.3,
    "eyes.red": 0.1,
    "eyes.closed": 0.25,
    "compression.jpeg": 90,
    "compression.rescale": 1.5,
}


def reduce_to(rgb: RGB, max_side: int = 800) -> RGB:
    """Reduce a photo (area average) so that its longer side is at most ``max_side`` px."""
    import cv2

    scale = max_side / max(rgb.shape[:2])
    if scale >= 1.0:
        return rgb
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


def base_rows(rows: Iterable[Mapping[str, str]]) -> list[Mapping[str, str]]:
    """Return the manifest rows these variants are evaluated on.

    One face, a plain background (dark included), exposure ok, sharp and frontal.
    """
    return [
        r
        for r in rows
        if r["n_faces"] == "1"
        and r["background"].startswith("plain_")
        and r["exposure"] == "ok"
        and r["sharp"] == "yes"
        and r["frontal"] == "yes"
    ]


def lighting_set(
    rows: Iterable[Mapping[str, str]],
    *,
    severities: Mapping[str, Sequence[Any]] | None = None,
    workers: int | None = None,
    progress: bool = False,
    seed: int = 0,
) -> MeasurementTable:
    """Measure :data:`CHECKS` on photos reduced to 800 px and on their variants of this module.

    Parameters
    ----------
    rows : iterable of mapping
        Manifest rows with a ``path`` (see :func:`photocheck.evaluation.labels.read_manifest`),
        usually those of :func:`base_rows`.
    severities : mapping, optional
        Variant name -> severities (default: every variant of :data:`TARGETS` at its listed
        severities).
    workers : int, optional
        Worker processes (default: one per core; 1: in this process).
    progress : bool, optional
        Show a progress bar.
    seed : int, optional
        Seed of the variants' random choices.

    Returns
    -------
    MeasurementTable
        One row per untouched photo (``meta:variant`` ``"none"``) and per variant that applies
        to it, with ``meta:base`` (the file), ``meta:variant``, ``meta:severity`` and the
        variants' ``label:`` columns; see :func:`photocheck.evaluation.tuning.synthetic_set`.
    """
    from ..imaging.load import load_image
    from .tuning import synthetic_set

    bases = [(row["file"], reduce_to(load_image(row["path"]).rgb)) for row in rows]
    return synthetic_set(
        bases=bases, names=list(TARGETS), severities=severities, frame=False, originals=True,
        checks=CHECKS, workers=workers, progress=progress, seed=seed,
    )  # fmt: skip
