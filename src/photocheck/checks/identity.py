"""``identity.same_person``: the photo shows the same person as a reference photo.

The reference is the photo on file (the card being replaced), given to
``validate(photo, profile, reference=...)`` as a photo or as a stored
:class:`~photocheck.vision.identity.FaceEncoding`. Without a reference the check is not
applied: ``measure`` skips it and ``judge`` leaves it out of the verdict (see
:data:`REFERENCE_CHECKS`). The value is the distance between the two faces' 128-d encodings
(:mod:`photocheck.vision.identity`); the profile's ``max_distance`` bounds it. The reference
must also be readable and show exactly one face, each with its own code: ``judge`` applies
these requirements (:data:`REFERENCE_RULES`) whatever the profile says, so that a profile
that sets only ``max_distance`` cannot pass a photo compared with nothing. The distance is
NaN (which no limit fails) when there was no usable reference face to compare with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..analysis import Analysis
from ..errors import InvalidImageError, NotAssessed
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..vision.identity import NoSingleFaceError, encode_face, face_distance, face_encoding

__all__ = ["REFERENCE_CHECKS", "REFERENCE_RULES", "same_person"]

# Checks that compare with a reference photo (not applied when no reference is given), and the
# parameters judge() adds to their profile rule: the reference must be readable and show one face.
REFERENCE_RULES: Mapping[str, Mapping[str, int]] = {
    "identity.same_person": {
        "min_reference_readable": 1,
        "min_reference_faces": 1,
        "max_reference_faces": 1,
    },
}
REFERENCE_CHECKS = frozenset(REFERENCE_RULES)


@register_check(
    "identity.same_person",
    summary="Face distance to the reference photo (128-d face encodings)",
    passed="The face matches the reference photo.",
    # No noise is declared, so a distance is never borderline: a warning passes, and a photo
    # just beyond the limit must not pass as the same person.
    retake="facing the camera in even light, as in the reference photo",
    limits=[
        Range(
            "distance", None, "max_distance", plausible=(0.3, 0.8),
            too_high=Outcome("identity.same_person.different_person", "This photo does not seem to show the same person as the reference photo (face distance {value:.2f}; at most {max} is allowed)."),
        ),
        Range(
            "reference_readable", "min_reference_readable", None,
            too_low=Outcome("identity.same_person.reference_unreadable", "The reference photo could not be read, so this photo could not be compared with it."),
        ),
        Range(
            "reference_faces", "min_reference_faces", "max_reference_faces",
            too_low=Outcome("identity.same_person.reference_no_single_face", "No face was found in the reference photo, so this photo could not be compared with it."),
            too_high=Outcome("identity.same_person.reference_no_single_face", "{value} faces were found in the reference photo: it must show exactly one face to compare with."),
        ),
    ],
)  # fmt: skip
def same_person(analysis: Analysis) -> Mapping[str, Scalar]:
    """Compare the photo's face with the reference's: readability, face count, distance."""
    if analysis.reference is None:
        raise NotAssessed("no reference photo was given")
    try:
        reference = encode_face(analysis.reference)
    except InvalidImageError:
        return {"distance": math.nan, "reference_readable": 0, "reference_faces": None}
    except NoSingleFaceError as exc:
        return {"distance": math.nan, "reference_readable": 1, "reference_faces": exc.faces}
    face = analysis.require_face()
    distance = face_distance(face_encoding(analysis.rgb, face.box), reference)
    return {"distance": distance, "reference_readable": 1, "reference_faces": 1}
