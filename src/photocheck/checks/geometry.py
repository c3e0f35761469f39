"""``geometry.*``: where the face sits in the frame and how large it is."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import Analysis
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar

_CLOSER = "Move closer to the camera"
_BACK = "Move back from the camera"


@register_check(
    "geometry.eye_distance",
    summary="Distance between the eye centres in pixels",
    passed="The face has enough resolution.",
    retake="a little closer to the camera",
    limits=[Range("px", "min_px", "max_px", noise=0.81,
                  too_low=Outcome("geometry.eye_distance.too_small", "The face is too small in pixels (eyes {value:.0f} px apart; at least {min} px needed): take the photo at a higher resolution."),
                  too_high=Outcome("geometry.eye_distance.too_large", "The eyes are {value:.0f} px apart; at most {max} px is allowed: scale the photo down."))],
)  # fmt: skip
def eye_distance(analysis: Analysis) -> Mapping[str, Scalar]:
    """Inter-eye distance in pixels."""
    return {"px": analysis.geometry["eye_distance"]}


@register_check(
    "geometry.head_height",
    summary="Head height, chin to crown (including hair), as a share of the image height",
    passed="Your head is the right size in the photo.",
    retake="with your head filling the frame as the guide shows",
    limits=[
        Range("ratio", "min_ratio", "max_ratio", noise=0.0026, plausible=(0.5, 0.95),
              too_low=Outcome("geometry.head_height.too_small", _CLOSER + ": your head fills {value:.1%} of the photo's height; at least {min:.0%} is needed."),
              too_high=Outcome("geometry.head_height.too_large", _BACK + ": your head fills {value:.1%} of the photo's height; at most {max:.0%} is allowed.")),
        Range("px", "min_px", "max_px", noise=1.6,
              too_low=Outcome("geometry.head_height.too_small", _CLOSER + ": your head is {value:.0f} px high; at least {min} px is needed."),
              too_high=Outcome("geometry.head_height.too_large", _BACK + ": your head is {value:.0f} px high; at most {max} px is allowed.")),
    ],
)  # fmt: skip
def head_height(analysis: Analysis) -> Mapping[str, Scalar]:
    """Chin-to-crown height (px and share of the image height)."""
    geo = analysis.geometry
    px = geo["chin"][1] - geo["crown_y"]
    return {"px": px, "ratio": px / analysis.height, "crown_method": geo["crown_method"]}


@register_check(
    "geometry.face_width",
    summary="Face width (jaw line at the ears, landmarks 0-16) in px and as a share of the image width",
    passed="Your face is the right size in the photo.",
    retake="with your head filling the frame as the guide shows",
    limits=[
        Range("ratio", "min_ratio", "max_ratio", noise=0.0025, plausible=(0.4, 0.85),
              too_low=Outcome("geometry.face_width.too_small", "Your face is narrow for the photo: it fills {value:.1%} of the width; at least {min:.0%} is needed. Crop the photo's sides closer to your face."),
              too_high=Outcome("geometry.face_width.too_large", "Your face is wide for the photo: it fills {value:.1%} of the width; at most {max:.0%} is allowed. Leave more room on both sides of your face.")),
        Range("px", "min_px", "max_px", noise=1.9,
              too_low=Outcome("geometry.face_width.too_small", "Your face is {value:.0f} px wide; at least {min} px is needed: crop the photo's sides closer to your face."),
              too_high=Outcome("geometry.face_width.too_large", "Your face is {value:.0f} px wide; at most {max} px is allowed: leave more room on both sides of your face.")),
    ],
)  # fmt: skip
def face_width(analysis: Analysis) -> Mapping[str, Scalar]:
    """Face width (px and share of the image width)."""
    px = analysis.geometry["face_width"]
    return {"px": px, "ratio": px / analysis.width}


@register_check(
    "geometry.eye_line",
    summary="Height of the eye line: share of the image height from the top, and px from the bottom",
    passed="Your eyes are at the right height.",
    retake="with your eyes at the height the frame guide shows",
    limits=[
        Range("ratio_from_top", "min_ratio_from_top", "max_ratio_from_top", noise=0.00059, plausible=(0.2, 0.6),
              too_low=Outcome("geometry.eye_line.too_high", "Your eyes are too near the top of the photo ({value:.1%} from the top; at least {min:.0%}): lower the camera or move down."),
              too_high=Outcome("geometry.eye_line.too_low", "Your eyes are too low in the photo ({value:.1%} from the top; at most {max:.0%}): raise the camera or move up.")),
        Range("px_from_bottom", "min_px_from_bottom", "max_px_from_bottom", noise=0.44,
              too_low=Outcome("geometry.eye_line.too_low", "Your eyes are too low in the photo ({value:.0f} px above the bottom edge; at least {min} px)."),
              too_high=Outcome("geometry.eye_line.too_high", "Your eyes are too high in the photo ({value:.0f} px above the bottom edge; at most {max} px).")),
    ],
)  # fmt: skip
def eye_line(analysis: Analysis) -> Mapping[str, Scalar]:
    """Vertical position of the eye midpoint."""
    y = analysis.geometry["eye_midpoint"][1]
    return {
        "ratio_from_top": y / analysis.height,
        "px_from_top": y,
        "px_from_bottom": analysis.height - y,
    }


@register_check(
    "geometry.centring",
    summary="Horizontal position of the face centre (eye midpoint), share of the width and px from the left",
    passed="Your face is centred.",
    retake="with your face in the middle of the frame",
    limits=[
        Range("ratio", "min_ratio", "max_ratio", noise=0.0023, plausible=(0.35, 0.65),
              too_low=Outcome("geometry.centring.too_far_left", "Centre your face: it sits at {value:.1%} of the width from the left edge; it must be between {min:.0%} and {max:.0%}."),
              too_high=Outcome("geometry.centring.too_far_right", "Centre your face: it sits at {value:.1%} of the width from the left edge; it must be between {min:.0%} and {max:.0%}.")),
        Range("px", "min_px", "max_px", noise=1.2,
              too_low=Outcome("geometry.centring.too_far_left", "Centre your face: the middle of your eyes is {value:.0f} px from the left edge; it must be {min}-{max} px."),
              too_high=Outcome("geometry.centring.too_far_right", "Centre your face: the middle of your eyes is {value:.0f} px from the left edge; it must be {min}-{max} px.")),
    ],
)  # fmt: skip
def centring(analysis: Analysis) -> Mapping[str, Scalar]:
    """Horizontal position of the eye midpoint."""
    x = analysis.geometry["eye_midpoint"][0]
    return {"ratio": x / analysis.width, "px": x}


@register_check(
    "geometry.top_margin",
    summary="Space between the top of the head (hair included) and the top edge, px and share of the height",
    passed="There is the right space above your head.",
    retake="with your head placed as the frame guide shows",
    limits=[
        Range("px", "min_px", "max_px", noise=0.58,
              too_low=Outcome("geometry.top_margin.too_small", "Leave more space above your head: the top of your hair is {value:.0f} px from the top edge; at least {min} px is needed."),
              too_high=Outcome("geometry.top_margin.too_large", "Leave less space above your head: the top of your hair is {value:.0f} px from the top edge; at most {max} px is allowed.")),
        Range("ratio", "min_ratio", "max_ratio", noise=0.0013, plausible=(0.0, 0.2),
              too_low=Outcome("geometry.top_margin.too_small", "Leave more space above your head: the top of your head is {value:.1%} of the height from the top edge; at least {min:.0%} is needed."),
              too_high=Outcome("geometry.top_margin.too_large", "Leave less space above your head: it is {value:.1%} of the height from the top edge; at most {max:.0%} is allowed.")),
    ],
)  # fmt: skip
def top_margin(analysis: Analysis) -> Mapping[str, Scalar]:
    """Distance from the top edge to the crown."""
    geo = analysis.geometry
    return {
        "px": geo["crown_y"],
        "ratio": geo["crown_y"] / analysis.height,
        "crown_method": geo["crown_method"],
    }
