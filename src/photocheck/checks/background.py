"""``background.uniformity`` and ``background.colour``: a plain background of an allowed colour."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import Analysis
from ..rules.registry import OneOf, Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..scores.background import background_colour
from ..scores.plainness import plainness


@register_check(
    "background.uniformity",
    summary="Plain background all around the person: no patches of another colour and little texture (smooth gradients allowed)",
    passed="The background is plain.",
    retake="in front of a plain, even background",
    limits=[
        Range(
            "patches", None, "max_patches", noise=0.0053, plausible=(0.0, 0.3),
            too_high=Outcome("background.uniformity.uneven", "Use a plain background of one colour: {value:.0%} of the background differs in colour from the rest (objects, a door, a second colour or a deep shadow)."),
        ),
        Range(
            "texture", None, "max_texture", noise=0.014, plausible=(0.0, 0.6),
            too_high=Outcome("background.uniformity.busy", "Use a plain background: {value:.0%} of the background is textured or cluttered. Stand in front of a plain wall with nothing else in view."),
        ),
    ],
)  # fmt: skip
def background_uniformity(analysis: Analysis) -> Mapping[str, Scalar]:
    """Score the off-colour patches and the texture of the whole background, at the face's scale.

    Each pixel counts by its chance of being background (:attr:`Analysis.background_weight`).
    """
    _, scale = analysis.small
    feature_size = analysis.geometry["eye_distance"] * scale
    return plainness(
        analysis.small_lab, analysis.background_weight, feature_size=feature_size
    )._asdict()


@register_check(
    "background.colour",
    summary="Colour class of the background (white, light_grey, blue, other)",
    passed="The background colour is allowed.",
    retake="in front of a plain, light background",
    limits=[
        OneOf(
            "colour", "allowed",
            Outcome("background.colour.not_allowed", "The background must be {allowed}; this one is another colour."),
        ),
        Range(
            "lightness", "min_lightness", None, noise=0.4, plausible=(30.0, 95.0),
            too_low=Outcome("background.colour.too_dark", "The background is too dark: use a light, plain background and more light."),
        ),
    ],
)  # fmt: skip
def background_colour_class(analysis: Analysis) -> Mapping[str, Scalar]:
    """Measure the median colour of the background region and name its class."""
    small, _ = analysis.small
    return background_colour(small, analysis.background_mask, lab=analysis.small_lab)._asdict()
