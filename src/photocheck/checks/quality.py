"""``sharpness``, ``exposure`` and ``contrast`` of the face."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import Analysis
from ..errors import NotAssessed
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..scores.exposure import dynamic_range, luminance_stats
from ..scores.sharpness import blur_effect


def _skin(analysis: Analysis, key: str = "skin") -> tuple[object, object]:
    canon = analysis.canonical_face
    skin = canon[key]
    if skin.sum() < 200:
        raise NotAssessed("too little of the face is inside the photo")
    return canon["grey"], skin


@register_check(
    "sharpness",
    summary="The face is in focus (1 - blur effect on the face scaled to a fixed eye distance)",
    passed="The photo is sharp.",
    retake="in focus, holding the camera still",
    limits=[
        Range(
            "sharpness", "min", None, noise=0.018, plausible=(0.1, 0.6),
            too_low=Outcome("sharpness.blurred", "The photo is blurred: hold the camera still, focus on your face and retake it."),
        )
    ],
)  # fmt: skip
def sharpness(analysis: Analysis) -> Mapping[str, Scalar]:
    """Score focus on the aligned face (size-independent)."""
    grey, skin = _skin(analysis)
    return {"sharpness": 1.0 - blur_effect(grey, mask=skin)}  # type: ignore[arg-type]


@register_check(
    "exposure",
    summary="Face brightness and the share of clipped (too dark / too bright) skin pixels",
    passed="The face is well exposed.",
    retake="in even, bright light",
    limits=[
        Range(
            "mean", "min_mean", "max_mean", noise=0.79, plausible=(20.0, 240.0),
            too_low=Outcome("exposure.too_dark", "The face is too dark: face a window or a lamp and retake the photo."),
            too_high=Outcome("exposure.too_bright", "The face is too bright: move away from direct light or turn off the flash."),
        ),
        Range("dark_fraction", None, "max_dark_fraction", noise=0.0022, plausible=(0.0, 0.3), too_high=Outcome("exposure.underexposed_areas", "Parts of your face are black: light your face evenly and retake the photo.")),
        Range("bright_fraction", None, "max_bright_fraction", noise=8.6e-05, plausible=(0.0, 0.3), too_high=Outcome("exposure.overexposed_areas", "Parts of your face are washed out to white: avoid the flash and direct sunlight.")),
    ],
)  # fmt: skip
def exposure(analysis: Analysis) -> Mapping[str, Scalar]:
    """Mean grey level of the bare face skin and its clipped fractions (OFIQ levels 25 / 247).

    Eyes, brows, nostrils and mouth are left out: dark by nature, they are not exposure.
    """
    grey, skin = _skin(analysis, "bare_skin")
    return luminance_stats(grey, skin)._asdict()  # type: ignore[arg-type]


@register_check(
    "contrast",
    summary="Dynamic range of the face (95th - 5th percentile grey level / 255)",
    passed="The face has enough contrast.",
    retake="in even, bright light",
    limits=[
        Range("range", "min_range", None, noise=0.0079, too_low=Outcome("contrast.too_low", "The face shows too little contrast (its shades span {value:.0%} of the grey scale; at least {min:.0%} is needed): take the photo in even, bright light, without haze or filters.")),
        Range("entropy", "min_entropy", None, noise=0.015, too_low=Outcome("contrast.too_few_levels", "The face shows too few shades: take the photo in better light.")),
    ],
)  # fmt: skip
def contrast(analysis: Analysis) -> Mapping[str, Scalar]:
    """Spread of grey levels on the face skin."""
    grey, skin = _skin(analysis)
    return dynamic_range(grey, skin)._asdict()  # type: ignore[arg-type]
