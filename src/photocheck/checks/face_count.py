"""``face.count``: exactly one face in the photo."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import Analysis
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar


@register_check(
    "face.count",
    summary="Number of faces in the photo",
    passed="One face was found.",
    retake="with only you in the picture",
    limits=[
        Range(
            "count", "min", "max", plausible=(1, 1),
            too_low=Outcome("face.count.none", "No face was found: take a photo of your face, looking at the camera, in good light."),
            too_high=Outcome("face.count.several", "{value} faces were found: only you may be in the photo."),
        )
    ],
)  # fmt: skip
def face_count(analysis: Analysis) -> Mapping[str, Scalar]:
    """Count the faces found by the detector."""
    return {"count": len(analysis.faces)}
