"""Facial features and accessories: eyes, mouth, glasses, sunglasses, headwear.

The checks are ``eyes.open``, ``eyes.visible``, ``mouth.closed``, ``accessory.glasses``,
``accessory.sunglasses`` and ``accessory.headwear``.

All but ``accessory.headwear`` read the aligned face
(:attr:`photocheck.analysis.Analysis.canonical_face`) and its landmarks; ``accessory.headwear``
reads a taller, wider head crop at half that scale with the person mask and the face mesh on
it, made here from the photo. The scores are in :mod:`photocheck.scores.features` and
:mod:`photocheck.scores.headwear`; the limits in profiles.
See ``docs/features.md`` for the method and its measured accuracy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..analysis import Analysis
from ..errors import NotAssessed
from ..imaging.resample import halve
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar
from ..scores.features import (
    eye_visibility,
    frame_edge,
    lens_darkness,
    teeth_share,
)
from ..scores.headwear import headwear_scores

# The head crop: eyes level like the canonical face at half its scale, with room for the crown
# (3.5 inter-eye distances above the eyes) and for hair or a covering beside the face (2.5
# either side of the eyes' midpoint).
HEAD = {"ied": 32.0, "width": 160, "height": 192, "eye_y": 112.0}
_EYES = list(range(17, 48))  # brows, nose bridge and eyes
_MOUTH = list(range(48, 68))


# Beyond this yaw (degrees) the far eye and cheek are foreshortened or hidden by the head, and
# their regions run off the aligned face by an amount the mesh places differently at every
# re-encoding: the eye-region checks are not assessed (as ``face.occlusion``). The development
# set's profile photos measure 55-63 degrees, its other faces at most 42.
_MAX_ABS_YAW = 45.0


def _frontal_enough(analysis: Analysis) -> None:
    """Raise NotAssessed when the head is turned too far to see both eyes (a half profile)."""
    yaw = abs(float(analysis.geometry["yaw"]))
    if yaw > _MAX_ABS_YAW:
        raise NotAssessed(f"the head is turned {yaw:.0f} degrees: too far to see both eyes")


def _inside(canon: Mapping[str, Any], points: list[int], margin: float, what: str) -> None:
    """Raise NotAssessed unless the landmarks' box (plus margin) lies inside the photo."""
    lm = canon["landmarks"].tolist()
    valid = canon["valid"]
    h, w = valid.shape
    xs, ys = [lm[i][0] for i in points], [lm[i][1] for i in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    x0, y0 = math.floor(left - margin), math.floor(top - margin)
    x1, y1 = math.ceil(right + margin), math.ceil(bottom + margin)
    if x0 < 0 or y0 < 0 or x1 >= w or y1 >= h or not valid[y0 : y1 + 1, x0 : x1 + 1].all():
        raise NotAssessed(f"the {what} is not fully inside the photo")


@register_check(
    "eyes.open",
    summary="Both eyes open (lid gap over eye width of the less open eye, from the face mesh)",
    passed="Your eyes are open.",
    retake="with your eyes wide open",
    limits=[
        Range(
            "openness", "min_openness", None, noise=0.012, plausible=(0.03, 0.2),
            too_low=Outcome("eyes.open.closed", "Keep both eyes open and look at the camera: an eye looks closed or half closed."),
        ),
    ],
)  # fmt: skip
def eyes_open(analysis: Analysis) -> Mapping[str, Scalar]:
    """Mean lid gap over corner distance of each eye (mesh); ``openness`` is the smaller one."""
    from ..vision.geometry import eye_openness as mesh_eye_openness

    canon = analysis.canonical_face
    _inside(canon, list(range(36, 48)), 4.0, "eye region")
    right, left = mesh_eye_openness(analysis.require_face().mesh)
    return {"openness": min(right, left), "right": right, "left": left}


@register_check(
    "eyes.visible",
    summary="Eyes clearly visible: contrast inside each eye and glare around it",
    passed="Your eyes are clearly visible.",
    retake="with your eyes clearly visible and no glare on them",
    limits=[
        Range(
            "contrast", "min_contrast", None, noise=0.041,
            too_low=Outcome("eyes.visible.hidden", "Make sure both eyes are clearly visible: nothing (hair, frames, tinted lenses, a hand) may cover them."),
        ),
        Range(
            "glare", None, "max_glare", noise=0.0029,
            too_high=Outcome("eyes.visible.glare", "There is glare over your eyes: tilt your glasses slightly or move the light."),
        ),
    ],
)  # fmt: skip
def eyes_visible(analysis: Analysis) -> Mapping[str, Scalar]:
    """Contrast within the eyes and clipped-white share around them on the aligned face."""
    _frontal_enough(analysis)
    canon = analysis.canonical_face
    _inside(canon, list(range(29, 48)), 8.0, "eye region")
    return eye_visibility(canon["grey"], canon["landmarks"])._asdict()


@register_check(
    "mouth.closed",
    summary="Mouth closed: 3D gap between the inner lips over the distance between the eyes (face mesh), and teeth showing",
    passed="Your mouth is closed.",
    retake="with a neutral expression and your mouth closed",
    limits=[
        Range(
            "opening", None, "max_opening", noise=0.0077, plausible=(0.005, 0.1),
            too_high=Outcome("mouth.closed.open", "Close your mouth and keep a neutral expression."),
        ),
        Range(
            "teeth", None, "max_teeth", noise=0.0075, plausible=(0.0, 0.1),
            too_high=Outcome("mouth.closed.teeth", "Close your lips: your teeth must not show (no smile with open lips)."),
        ),
    ],
)  # fmt: skip
def mouth_closed(analysis: Analysis) -> Mapping[str, Scalar]:
    """Inner-lip gap over the iris distance (mesh, 3D) and the share of teeth-like mouth pixels."""
    from ..vision.geometry import mouth_opening as mesh_mouth_opening

    canon = analysis.canonical_face
    _inside(canon, _MOUTH, 3.0, "mouth")
    return {
        "opening": mesh_mouth_opening(analysis.require_face().mesh),
        "teeth": teeth_share(canon["rgb"], canon["landmarks"]),
    }


@register_check(
    "accessory.glasses",
    summary="Eyeglasses: horizontal edges of a frame across the nose bridge and under both eyes",
    passed="No glasses were detected.",
    retake="without glasses",
    limits=[
        Range(
            "frame_edge", None, "max_frame_edge", noise=0.99, plausible=(4.0, 40.0),
            too_high=Outcome("accessory.glasses.present", "Glasses were detected: take them off for this photo."),
        ),
    ],
)  # fmt: skip
def glasses(analysis: Analysis) -> Mapping[str, Scalar]:
    """Geometric mean of the horizontal edges across the nose bridge and under the eyes."""
    _frontal_enough(analysis)
    canon = analysis.canonical_face
    _inside(canon, _EYES, 4.0, "eye and nose-bridge region")
    try:
        edges = frame_edge(canon["grey"], canon["landmarks"])
    except ValueError:  # the region under an eye is outside the aligned face
        raise NotAssessed("the eye and nose-bridge region is not fully inside the photo") from None
    return {"frame_edge": edges.frame, "bridge_edge": edges.bridge, "rim_edge": edges.rims}


@register_check(
    "accessory.sunglasses",
    summary="Tinted or dark lenses: darkness of the lids around both eyes against the cheeks",
    passed="No sunglasses or tinted lenses were detected.",
    retake="without tinted glasses",
    limits=[
        Range(
            "lens_darkness", None, "max_lens_darkness", noise=0.024, plausible=(0.05, 0.6),
            too_high=Outcome("accessory.sunglasses.present", "Take off your sunglasses or tinted glasses: your eyes must be clearly visible."),
        ),
    ],
)  # fmt: skip
def sunglasses(analysis: Analysis) -> Mapping[str, Scalar]:
    """Darkness of the bands above and below each eye relative to the lower cheeks."""
    _frontal_enough(analysis)
    canon = analysis.canonical_face
    _inside(canon, [*range(29, 48), 51], 14.0, "eye and cheek region")
    try:
        darkness = lens_darkness(canon["grey"], canon["landmarks"])
    except ValueError:  # a band above or below an eye is empty in the aligned face
        raise NotAssessed("the eye and cheek region is not fully inside the photo") from None
    return {"lens_darkness": darkness}


@register_check(
    "accessory.headwear",
    summary="Head covering: hair-or-covering around the face off the hair hues, or one even surface above the forehead; covered share of the face",
    passed="No head covering was detected.",
    retake="without a hat or head covering",
    limits=[
        Range(
            "covering_colour", None, "max_covering_colour", noise=0.00046, plausible=(0.005, 0.2),
            too_high=Outcome("accessory.headwear.present", "Take off your hat or head covering (head coverings worn for religious reasons are accepted where the profile allows them)."),
        ),
        Range(
            "top_evenness", None, "max_top_evenness", noise=0.0082, plausible=(0.5, 0.95),
            too_high=Outcome("accessory.headwear.present", "Take off your hat or head covering (head coverings worn for religious reasons are accepted where the profile allows them)."),
        ),
        Range(
            "covered_face", None, "max_covered_face", noise=0.018, plausible=(0.05, 0.5),
            too_high=Outcome("accessory.headwear.covers_face", "Your face must be visible from the chin to the forehead: push back the head covering or hair."),
        ),
    ],
)  # fmt: skip
def headwear(analysis: Analysis) -> Mapping[str, Scalar]:
    """Colour and evenness of the head around the face (mesh and person mask), face coverage."""
    # On a half profile the mesh's face oval no longer follows the face's edge (the ring runs
    # over the nose), and the crop's scale, from the foreshortened eyes, moves by a tenth
    # between two encodings of the same photo.
    _frontal_enough(analysis)
    crop = head_crop(analysis)
    try:
        return headwear_scores(crop.rgb, crop.valid, crop.person, crop.mesh)._asdict()
    except ValueError as exc:
        raise NotAssessed(str(exc)) from None


class HeadCrop(NamedTuple):
    """The head crop (see :func:`head_crop`).

    Attributes
    ----------
    rgb : ndarray of uint8, shape (192, 160, 3)
        The head, eyes level at about (64, 112) and (96, 112): inter-eye distance 32 px.
    valid : ndarray of bool, shape (192, 160)
        Pixels inside the photo.
    person : ndarray of float32, shape (192, 160)
        The person mask (:attr:`photocheck.analysis.Analysis.person_mask`) on the crop, 0-1.
    mesh : ndarray, shape (478, 2)
        The face mesh in the crop's coordinates.
    """

    rgb: NDArray[np.uint8]
    valid: NDArray[np.bool_]
    person: NDArray[np.float32]
    mesh: NDArray[np.float64]


def head_crop(analysis: Analysis) -> HeadCrop:
    """Return the head with the eyes level, inter-eye distance 32 px, up to the crown.

    Returns
    -------
    HeadCrop
        160 x 192 px: 3.5 inter-eye distances of room above the eyes, 2.5 below and 2.5
        either side of the eyes' midpoint (the regions
        :func:`photocheck.scores.headwear.headwear_scores` reads), with the person mask and
        the face mesh on it.

    """
    import cv2

    geo = analysis.geometry
    width, height = int(HEAD["width"]), int(HEAD["height"])
    scale = HEAD["ied"] / max(geo["eye_distance"], 1e-6)
    mx, my = geo["eye_midpoint"]
    # Photo -> crop, in full-resolution photo coordinates.
    matrix = cv2.getRotationMatrix2D((mx, my), geo["eye_line_angle"], scale)
    matrix[0, 2] += width / 2 - mx
    matrix[1, 2] += HEAD["eye_y"] - my
    inverse = cv2.invertAffineTransform(matrix).tolist()
    # The crop's corners in the photo (plain floats: four points do not need NumPy).
    seen = [
        (
            inverse[0][0] * cx + inverse[0][1] * cy + inverse[0][2],
            inverse[1][0] * cx + inverse[1][1] * cy + inverse[1][2],
        )
        for cx, cy in ((0, 0), (width, 0), (0, height), (width, height))
    ]
    xs, ys = [p[0] for p in seen], [p[1] for p in seen]
    # Halve until the warp reduces at most twofold (a 2 x 2 mean: cheap and alias-free,
    # unlike a resize by an arbitrary factor), from the shared reduced copy when it is not
    # reduced further than that.
    factor = 1
    while scale * factor < 0.5:
        factor *= 2
    small, small_scale = analysis.small
    reduced = round(1.0 / small_scale)  # the shared copy is the photo halved to 1/reduced
    if 1 < reduced <= factor:
        # Start from the shared reduced copy (never enlarge it: enlarging smooths the fine
        # texture of hair more than the face's, so hair would look more like fabric).
        src: NDArray[Any] = small
    else:
        src, reduced = analysis.rgb, 1
    # Cut the part of the copy the crop sees, then halve it down to 1/factor.
    x0 = max(math.floor(min(xs) / reduced) - 2, 0)
    y0 = max(math.floor(min(ys) / reduced) - 2, 0)
    x1 = min(src.shape[1], math.ceil(max(xs) / reduced) + 2)
    y1 = min(src.shape[0], math.ceil(max(ys) / reduced) + 2)
    more = factor // reduced
    if x1 - x0 < 2 * more or y1 - y0 < 2 * more:
        raise NotAssessed("the head is outside the photo")
    src = src[y0:y1, x0:x1]
    for _ in range(more.bit_length() - 1):
        src = halve(src)
    x0, y0 = x0 * reduced, y0 * reduced  # where the cut starts in the photo
    # Source pixel (i, j) of a copy halved k times covers the photo block starting at
    # factor * (i, j) + (x0, y0), whose centre is factor * (i, j) + (factor - 1) / 2.
    ox, oy = x0 + (factor - 1) / 2.0, y0 + (factor - 1) / 2.0
    (a, b, c), (d, e, f) = matrix.tolist()
    to_source = np.array(
        [
            [a * factor, b * factor, c + (a * ox + b * oy)],
            [d * factor, e * factor, f + (d * ox + e * oy)],
        ]
    )
    rgb = cv2.warpAffine(
        src, to_source, (width, height), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0)
    )
    # Which crop pixels come from inside the photo (all of them, unless a corner maps outside).
    last_x, last_y = analysis.width - 1.0, analysis.height - 1.0
    if min(xs) >= 0 and min(ys) >= 0 and max(xs) <= last_x and max(ys) <= last_y:
        valid = np.ones((height, width), dtype=bool)
    else:
        # The copy covers the part of the photo the crop sees: outside it is outside the photo.
        ones = np.ones(src.shape[:2], dtype=np.uint8)  # warped to 0 and 1: a bool view
        flags = cv2.INTER_NEAREST
        valid = cv2.warpAffine(ones, to_source, (width, height), flags=flags, borderValue=0)
        valid = valid.view(bool)
    # The person mask is smooth (the model sees the photo at 256 x 256): sampling it at the
    # crop's pixels needs no reduction first.
    person = cv2.warpAffine(
        analysis.person_mask, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0.0
    )
    mesh = analysis.require_face().mesh[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    return HeadCrop(rgb.astype(np.uint8, copy=False), valid, person, mesh)
