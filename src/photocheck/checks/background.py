"""``background.uniformity`` and ``background.colour``: a plain background of an allowed colour."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import Analysis
from ..rules.registry import OneOf, Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..scores.background import background_colour, uniformity

_BUSY = "Use a plain background: stand in front of a plain wall with nothing else in view."


@register_check(
    "background.uniformity",
    summary="Plain, untextured background beside and above the head (scored near the image borders)",
    passed="The background is plain.",
    limits=[
        Range("edge_density", None, "max_edge_density", too_high=Outcome("background.uniformity.busy", _BUSY)),
        Range(
            "colour_spread", None, "max_colour_spread",
            too_high=Outcome("background.uniformity.uneven", "Use a plain, evenly lit background: this one changes colour or brightness across the photo."),
        ),
    ],
)  # fmt: skip
def background_uniformity(analysis: Analysis) -> Mapping[str, Scalar]:
    """Score the texture and colour spread of the background near the borders."""
    small, _ = analysis.small
    return uniformity(small, analysis.background_band, lab=analysis.small_lab)._asdict()


@register_check(
    "background.colour",
    summary="Colour class of the background (white, light_grey, blue, other)",
    passed="The background colour is allowed.",
    limits=[
        OneOf(
            "colour", "allowed",
            Outcome("background.colour.not_allowed", "The background must be {allowed}; this one looks {value}."),
        ),
        Range(
            "lightness", "min_lightness", None,
            too_low=Outcome("background.colour.too_dark", "The background is too dark: use a light, plain background and more light."),
        ),
    ],
)  # fmt: skip
def background_colour_class(analysis: Analysis) -> Mapping[str, Scalar]:
    """Measure the median colour of the background region and name its class."""
    small, _ = analysis.small
    return background_colour(small, analysis.background_mask, lab=analysis.small_lab)._asdict()
