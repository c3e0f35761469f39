"""Face occlusion: a mask, a hand or hair covering part of the face (check ``face.occlusion``).

The scores (:mod:`photocheck.scores.occlusion`) read pixels inside regions the face mesh
places on the aligned face (:attr:`photocheck.analysis.Analysis.canonical_face`); the limits
live in the profiles. One limit per cause, judged in this order: a mask (the lower face is
not skin-coloured), then a hand or anything skin-coloured over the mouth (the lip outline has
gone), then hair over an eye (the two eyes' surroundings differ in colour).
``tools/eval_occlusion.py`` chooses the limits by cross-validation and prints their accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from ..analysis import Analysis
from ..errors import NotAssessed
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..scores.occlusion import occlusion_scores

__all__ = ["mesh_in_canonical_face", "occlusion"]

# Beyond this yaw (degrees) the head itself hides one side of the face, and the regions
# compared (the two eyes, the two halves of the lower face) are no longer alike on a bare
# face: the development set's three profile photos measured 59-63 degrees.
_MAX_ABS_YAW = 45.0


@register_check(
    "face.occlusion",
    summary="Nothing covering the face: colour of the lower face, outline of the lips, the two eyes' surroundings compared",
    passed="Nothing covers your face.",
    retake="with nothing covering your face",
    limits=[
        Range(
            "lower_face_difference", None, "max_lower_face_difference", noise=0.45, plausible=(8.0, 40.0),
            too_high=Outcome("face.occlusion.mask", "Take off the face mask: your nose and mouth must be visible."),
        ),
        Range(
            "mouth_contrast", "min_mouth_contrast", None, noise=0.020, plausible=(0.05, 0.6),
            too_low=Outcome("face.occlusion.hand", "Nothing may cover your mouth: move your hand (or whatever covers it) away from your face."),
        ),
        Range(
            "eye_difference", None, "max_eye_difference", noise=0.025, plausible=(0.2, 0.95),
            too_high=Outcome("face.occlusion.hair", "Move your hair away from your eyes: both eyes and eyebrows must be fully visible."),
        ),
    ],
)  # fmt: skip
def occlusion(analysis: Analysis) -> Mapping[str, Scalar]:
    """Lower-face colour difference, lip-outline contrast, eye-surroundings difference."""
    yaw = float(analysis.geometry["yaw"])
    if abs(yaw) > _MAX_ABS_YAW:
        raise NotAssessed(
            f"the head is turned {abs(yaw):.0f} degrees: too far to see the whole face"
        )
    canon = analysis.canonical_face
    mesh = mesh_in_canonical_face(analysis)
    try:
        scores = occlusion_scores(canon["rgb"], canon["valid"], mesh)
    except ValueError as exc:
        raise NotAssessed(str(exc)) from None
    return {name: float(value) for name, value in scores._asdict().items()}


def mesh_in_canonical_face(analysis: Analysis) -> NDArray[np.float64]:
    """Return the main face's mesh in the coordinates of the aligned face crop.

    The crop is a similarity transform of the photo (rotation, scale, shift); the mesh is
    mapped by the same transform as the crop's 68 landmarks, which are mesh points.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis (raises :class:`NotAssessed` when there is no main face).

    Returns
    -------
    ndarray, shape (478, 2)
        Mesh points (x, y) in :attr:`~photocheck.analysis.Analysis.canonical_face` pixels.
    """
    mapped: NDArray[np.float64] = analysis.canonical_face["mesh"]
    return mapped
