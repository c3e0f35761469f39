"""``fix()``: make a photo meet a profile's framing and file rules, and prove it.

It straightens, crops and scales, converts, re-encodes (and optionally repaints the
background), then validates the result.

It never invents pixels: when the frame would need image beyond the photo's edges, the fix is
refused with a code and a message saying what to retake; only with background replacement on
may the top and the sides of the frame be padded with the new background colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..analysis import Analysis
from ..api import judge, measure_analysis
from ..errors import NotAssessed, ProfileError
from ..imaging.load import DEFAULT_MAX_PIXELS, LoadedImage, PhotoInput, load_image
from ..rules.profile import Profile, load_profile
from ..rules.verdict import FIXABLE_ROLL_DEGREES, Verdict, jsonable
from . import framing
from .background import mask_doubt, replace_background, side_doubt
from .encode import encode
from .straighten import rotate

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["ROLL_KEPT_DEGREES", "STRAIGHTEN_FROM_DEGREES", "FixAction", "FixResult", "fix"]

# A roll below this is left alone (straightening leaves about half a degree of measurement
# noise, so a fixed photo is not straightened again).
STRAIGHTEN_FROM_DEGREES = 1.0
# When the full turn does not fit, the roll left in the photo: under 2 degrees (the aim
# for the output) by more than the roll's declared measurement noise (pose.roll's Range).
ROLL_KEPT_DEGREES = 1.4
_ROLL_AIM_DEGREES = 2.0
# Nominal frame height for profiles that do not fix the pixel size (the scale is then chosen
# so that the photo keeps its own resolution).
_NOMINAL_HEIGHT = 1000.0
# Re-placements from the framed photo's own measurements (each costs one face analysis).
_REFINE_PASSES = 2
_PAD_SIDES = ("top", "left", "right")
# Share of the top row above the face (one face width) that the person must cover for the
# head to count as cut by the top edge.
_CUT_SHARE = 0.25
_FRAME_CODES = frozenset(
    f"image.format.{c}" for c in ("too_narrow", "too_wide", "too_short", "too_tall", "aspect")
)
_SIDE_ADVICE = {
    "top": (
        "fix.no_space_above",
        "There is too little space above your head in the photo to frame it: retake it with "
        "more space above your hair (or let fix replace the background, which may fill it).",
    ),
    "left": (
        "fix.head_near_edge",
        "Your head is too close to the left edge of the photo to frame it: retake it with your "
        "head in the middle and more space around it.",
    ),
    "right": (
        "fix.head_near_edge",
        "Your head is too close to the right edge of the photo to frame it: retake it with your "
        "head in the middle and more space around it.",
    ),
    "bottom": (
        "fix.cut_below",
        "The photo ends too close below your chin to frame it: retake it showing your neck "
        "and shoulders.",
    ),
}


class _Framed(NamedTuple):
    """A framed photo, and how its framing measures."""

    placement: framing.Placement
    face: framing.FaceFrame
    rgb: NDArray[np.uint8]
    valid: NDArray[np.bool_]
    matrix: NDArray[np.float64]
    failing: str
    analysis: Analysis  # of ``rgb``: what was measured on it stays cached


class _Choice(NamedTuple):
    """The straightening and framing ``fix`` goes on with."""

    angle: float
    geometry: dict[str, Any]
    face: framing.FaceFrame
    size: tuple[int, int]
    framed: _Framed | None


@dataclass(frozen=True)
class FixAction:
    """One thing ``fix`` did, or the reason it could not: a machine code and a message."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dict."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class FixResult:
    """What :func:`fix` made of a photo.

    Attributes
    ----------
    source : str
        Where the photo came from.
    profile : str
        The profile's name.
    before : Verdict
        The photo's verdict as it was.
    after : Verdict or None
        The verdict of the fixed photo (its encoded file); None when no fix was possible.
    image : ndarray of uint8, shape (H, W, 3), or None
        The fixed photo's pixels, decoded from ``encoded``.
    encoded : bytes or None
        The fixed photo's file (the original bytes when nothing needed to change).
    format : str or None
        ``"JPEG"`` or ``"PNG"``.
    actions : tuple of FixAction
        What was done, in order (``fix.straightened``, ``fix.framed``, ``fix.padded``,
        ``fix.colour``, ``fix.background``, ``fix.encoded``); empty when nothing was needed.
    reason : FixAction or None
        Why no fix was possible (e.g. ``fix.no_space_above``), with what to retake.
    transform : ndarray, shape (2, 3), or None
        The affine map from the original photo's pixels to the fixed photo's (rotation,
        scale and crop), None when the photo was not reframed.
    """

    source: str
    profile: str
    before: Verdict
    after: Verdict | None
    image: NDArray[np.uint8] | None
    encoded: bytes | None
    format: str | None
    actions: tuple[FixAction, ...]
    reason: FixAction | None = None
    transform: NDArray[np.float64] | None = None

    @property
    def ok(self) -> bool:
        """Whether the fixed photo passes the profile."""
        return self.after is not None and self.after.ok

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (without the pixels and the file)."""
        return {
            "source": self.source,
            "profile": self.profile,
            "ok": self.ok,
            "actions": [a.to_dict() for a in self.actions],
            "reason": None if self.reason is None else self.reason.to_dict(),
            "format": self.format,
            "file_bytes": None if self.encoded is None else len(self.encoded),
            "size": None if self.image is None else [self.image.shape[1], self.image.shape[0]],
            "before": self.before.to_dict(),
            "after": None if self.after is None else self.after.to_dict(),
        }


def background_colours(profile: Profile) -> dict[str, tuple[int, int, int]]:
    """Return the profile's named background colours (``[background_colours]`` in its TOML)."""
    named = getattr(profile, "background_colours", None) or {}
    return {str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in dict(named).items()}


def _colour(profile: Profile, background: str | None) -> tuple[str, tuple[int, int, int]] | None:
    if background is None:
        return None
    named = background_colours(profile)
    if not isinstance(background, str) or background not in named:
        choices = ", ".join(named) or "none"
        raise ProfileError(
            f"profile {profile.name!r} names no background colour {background!r}; "
            f"it names: {choices}"
        )
    return background, named[background]


def _verdict(analysis: Analysis, profile: Profile) -> Verdict:
    """Judge an analysed photo: the same as ``validate`` on it, sharing its analysis."""
    return judge(measure_analysis(analysis, profile.checks), profile)


def _original_bytes(photo: PhotoInput) -> bytes | None:
    if isinstance(photo, bytes | bytearray | memoryview):
        return bytes(photo)
    if isinstance(photo, str | Path):
        try:
            return Path(photo).read_bytes()
        except OSError:
            return None
    return None


def fix(
    photo: PhotoInput,
    profile: str | Path | Profile = "icao",
    *,
    background: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> FixResult:
    """Straighten, crop, scale, convert and re-encode a photo to meet a profile; validate it.

    Steps, in order: straighten the head's roll about the eye midpoint (when it is at least
    1 degree; when the full turn uncovers corners the frame needs, only as far as leaves
    1.4 degrees, or not at all when it is already that small); crop and scale to the
    profile's frame, with every framing rule's value as far inside its limits as the photo
    allows (mid-range when it fits, else the nearest placement that keeps every value its
    declared noise inside its limits; a small face is enlarged only as much as the rules
    need); convert to 24-bit colour; replace the background when asked; encode in the
    profile's format and file-size window (JPEG quality by bisection); validate the result.
    A step that is not needed is skipped, so fixing a fixed photo changes nothing.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo.
    profile : str, Path or Profile, optional
        The profile (default ``"icao"``). A profile with a fixed pixel size
        (``cn-social-security``: 358 x 441) gets exactly that frame; otherwise the frame takes
        the profile's aspect and keeps the photo's resolution (at least its minimum size).
    background : str, optional
        A colour the profile names (``"white"``, ``"blue"``; see its ``[background_colours]``):
        replace the background with it, using the person mask, with feathered edges. Refused
        (see ``reason``) when the mask is unsure. With it, the frame may be padded with that
        colour at the top and the sides.
    max_pixels : int, optional
        Refuse images with more pixels than this (default 50 MP).

    Returns
    -------
    FixResult
        ``after`` is the fixed photo's verdict, ``actions`` what was done; ``reason`` says why
        no fix was possible (no single face, head too close to an edge, too little space
        above the hair, a roll beyond 12 degrees, a face too small in pixels, a black-and-white
        photo for a profile that asks for colour...).

    Raises
    ------
    InvalidImageError, UnsupportedFormatError, ImageTooLargeError
        When the photo cannot be read.
    ProfileError
        Unknown profile, or a background colour the profile does not name.

    Examples
    --------
    >>> import photocheck, skimage.data
    >>> result = photocheck.fix(skimage.data.astronaut(), "cn-social-security")
    >>> result.image.shape if result.image is not None else result.reason.code
    (441, 358, 3)
    """
    prof = load_profile(profile)
    colour = _colour(prof, background)
    loaded = load_image(photo, max_pixels=max_pixels)
    analysis = Analysis(loaded)
    before = _verdict(analysis, prof)

    def refuse(code: str, message: str, actions: list[FixAction] | None = None) -> FixResult:
        return FixResult(loaded.source, prof.name, before, None, None, None, None,
                         tuple(actions or ()), FixAction(code, message))  # fmt: skip

    try:
        geo = analysis.geometry
    except NotAssessed as exc:
        return refuse(
            "fix.no_face",
            f"There is no single face to frame ({exc}): retake the photo with one face, "
            "looking at the camera.",
        )
    min_eyes = prof.rules.get("geometry.eye_distance", {}).get("min_px")
    if min_eyes is not None and geo["eye_distance"] < min_eyes:
        return refuse(
            "fix.low_resolution",
            f"The face is too small in pixels to fix (eyes {geo['eye_distance']:.0f} px apart; "
            f"at least {min_eyes} px needed): retake it closer or at a higher resolution.",
        )
    allowed_colour = prof.rules.get("image.format", {}).get("allowed_colour") or ("grey",)
    if "grey" not in allowed_colour and before["image.format"].details.get("colour") == "grey":
        return refuse(
            "fix.not_colour",
            "The photo is in black and white and fix cannot add colour: retake it in colour.",
        )
    actions: list[FixAction] = []
    eye_y_in_photo = float(geo["eye_midpoint"][1])
    roll = float(geo.get("roll", float("nan")))
    if math.isfinite(roll) and abs(roll) > FIXABLE_ROLL_DEGREES:
        return refuse(
            "fix.roll_too_large",
            f"Your head leans {abs(roll):.0f} degrees towards a shoulder; fix straightens "
            f"at most {FIXABLE_ROLL_DEGREES:.0f}: retake it holding your head straight.",
        )
    rules = framing.frame_rules(prof)
    fmt_rule = prof.rules.get("image.format", {})
    pad = _PAD_SIDES if colour is not None else ()
    framing_checks = [c for c in framing.FRAMING_CHECKS if c in prof.rules]
    fixed = framing.frame_size(prof)
    size_ok = fixed is None or (loaded.width, loaded.height) == fixed
    if "image.format" in prof.rules:
        size_ok = size_ok and before["image.format"].code not in _FRAME_CODES
    in_frame = size_ok and all(before[c].status == "pass" for c in framing_checks)
    # A photo already in its frame passes the top margin: hair a few pixels under the edge
    # (a fixed photo's) is not cut, whatever the coarse person mask says at the top row.
    if not in_frame and _head_cut(analysis, geo):
        return refuse(
            "fix.head_cut",
            "The top of your head is cut by the photo's top edge: retake it with space "
            "above your hair.",
        )
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    fill = colour[1] if colour is not None else None
    found: _Choice | None = None
    refusal: tuple[str, str] = ("fix.no_face", "")
    for angle in _angles(roll, in_frame):
        work, to_source, to_canvas = analysis, identity, identity
        if angle:
            turn = rotate(analysis.rgb, angle, geo["eye_midpoint"])
            canvas = LoadedImage(turn.rgb, loaded.source, None, "RGB", None, None)
            work, to_source, to_canvas = Analysis(canvas), turn.to_source, turn.to_canvas
        try:
            turned = work.geometry
        except NotAssessed as exc:  # pragma: no cover - the face was found before turning
            return refuse("fix.no_face", f"The face was lost when straightening ({exc}).")
        face = framing.FaceFrame.from_geometry(turned)
        size = _frame(prof, face, rules, to_source, loaded)
        if not angle and in_frame:
            found = _Choice(angle, turned, face, size, None)
            break
        best, free = framing.place(face, rules, size[0], size[1], to_source,
                                   (loaded.height, loaded.width), pad=pad)  # fmt: skip
        if not best.margin >= 0.0:
            refusal = _placement_refusal(free, best)
            continue
        framed = _frame_into(loaded, face, best, rules, size, (to_source, to_canvas), pad, fill)
        if not framed.failing:
            found = _Choice(angle, turned, framed.face, size, framed)
            break
        refusal = _measured_refusal(framed.failing)
    if found is None:
        return refuse(*refusal)
    angle, geo, face, size, chosen = found
    if angle:
        kept = f" (not the full {abs(roll):.1f}: that frame would need pixels beyond the photo)"
        actions.append(
            FixAction(
                "fix.straightened",
                f"Straightened the head by {abs(angle):.1f} degrees"
                f"{kept if abs(angle) < abs(roll) else ''}.",
            )
        )
    rgb = loaded.rgb
    valid: NDArray[np.bool_] = np.ones(rgb.shape[:2], dtype=bool)
    placement = None
    transform = None
    if chosen is not None:
        placement, rgb, valid, transform = chosen.placement, chosen.rgb, chosen.valid, chosen.matrix
        width, height = size
        actions.append(FixAction("fix.framed", _framed_message(face, placement, width, height)))
        if placement.outside:
            actions.append(
                FixAction(
                    "fix.padded",
                    f"Filled the {' and '.join(placement.outside)} of the frame with the new "
                    "background colour (the photo did not reach that far).",
                )
            )
    if loaded.mode != "RGB" and not loaded.is_grey_mode:
        actions.append(
            FixAction("fix.colour", f"Converted the {loaded.mode} image to 24-bit RGB colour.")
        )
    if colour is not None and not _has_background(before, colour[0]):
        frame = placement.matrix() if placement is not None else np.eye(2, 3)
        eyes = frame @ np.array([face.eye_x, face.eye_y, 1.0])
        chin = frame @ np.array([geo["chin"][0], geo["chin"][1], 1.0])
        face_px = face.face_width * (placement.scale if placement is not None else 1.0)
        # the person mask of ``rgb``: the framed photo's, or the photo's own when unframed
        mask = (chosen.analysis if chosen is not None else analysis).person_mask
        doubt = side_doubt(analysis.person_mask, eye_y_in_photo) or mask_doubt(
            mask, valid, (eyes[0], eyes[1]), (chin[0], chin[1]), face_px
        )
        if doubt is not None:
            return refuse(doubt.code, doubt.message, actions)
        rgb = replace_background(rgb, mask, valid, colour[1]).rgb
        actions.append(
            FixAction(
                "fix.background",
                f"Replaced the background with {colour[0]} (RGB {', '.join(map(str, colour[1]))}).",
            )
        )
    original = _original_bytes(photo)
    keep = (
        not actions
        and original is not None
        and (before["image.format"].passed if "image.format" in prof.rules else True)
    )
    if keep:
        assert original is not None
        data, fmt = original, loaded.format or "JPEG"
    else:
        encoded = encode(np.ascontiguousarray(rgb), fmt_rule)
        data, fmt = encoded.data, encoded.format
        kb = len(data) / 1024.0
        quality = f" quality {encoded.quality}" if encoded.quality is not None else ""
        actions.append(FixAction("fix.encoded", f"Saved as {fmt}{quality} ({kb:.0f} KB)."))
        if not encoded.within:
            return refuse(
                "fix.file_size",
                f"No {fmt} quality gives a file inside the profile's size window "
                f"({kb:.0f} KB at the closest).",
                actions,
            )
    out = load_image(data, max_pixels=max_pixels)
    after = _verdict(Analysis(LoadedImage(out.rgb, loaded.source, out.format, out.mode,
                                          out.file_bytes, out.jpeg_quality)), prof)  # fmt: skip
    return FixResult(loaded.source, prof.name, before, after, out.rgb, data, fmt, tuple(actions),
                     None, transform)  # fmt: skip


def _head_cut(analysis: Analysis, geo: dict[str, Any]) -> bool:
    """Whether the hair reaches the photo's top edge above the face (in the photo as it is).

    Measured on the photo itself, not the straightened one: a turn moves the crown along the
    hair, so a crown near the edge is not a cut. The crown is at the edge, or the person mask
    gave no crown and the person covers at least a quarter of the top row above the face (a
    few loose strands of a bun reaching the edge are not a cut head).
    """
    from ..vision.geometry import MASK_PERSON

    if float(geo["crown_y"]) <= 1.0:
        return True
    if geo.get("crown_method") == "person_mask":
        return False
    half = 0.5 * float(geo["face_width"])
    x = float(geo["eye_midpoint"][0])
    left, right = max(int(x - half), 0), max(int(x + half) + 1, 1)
    top = analysis.person_mask[0, left:right] >= MASK_PERSON
    return bool(top.size and top.mean() >= _CUT_SHARE)


def _frame_into(
    loaded: LoadedImage,
    face: framing.FaceFrame,
    best: framing.Placement,
    rules: list[framing.FrameRule],
    size: tuple[int, int],
    maps: tuple[NDArray[np.float64], NDArray[np.float64]],
    pad: tuple[str, ...],
    fill: tuple[int, int, int] | None,
) -> _Framed:
    """Resample the photo into the frame, re-placing from what the framed photo measures.

    The checks measure the framed photo, where the mask and the mesh see the head at another
    size (a crown in curly hair moves by several pixels): re-place from the mean of what they
    measure there, and keep the placement whose own framed photo measures best. ``failing``
    names a framing value that photo still measures outside its limits ("" when none).
    """
    to_source, to_canvas = maps
    width, height = size
    tried: list[tuple[float, str, _Framed]] = []
    seen_faces: list[framing.FaceFrame] = []
    for attempt in range(1 + _REFINE_PASSES):
        if attempt:
            estimate = framing.FaceFrame(*np.mean(np.array(seen_faces), axis=0).tolist())
            again, _free = framing.place(estimate, rules, width, height, to_source,
                                         (loaded.height, loaded.width), pad=pad)  # fmt: skip
            moved = abs(again.scale / best.scale - 1.0) * max(width, height)
            moved += abs(again.tx - best.tx) + abs(again.ty - best.ty)
            if not again.margin >= 0.0 or moved < 0.5:
                break
            best, face = again, estimate
        matrix = _compose(best.matrix(), to_canvas)
        framed, inside = _warp(loaded.rgb, matrix, (width, height), fill)
        measured_photo = Analysis(LoadedImage(framed, "<framed>", None, "RGB", None, None))
        seen = _measured_face(measured_photo, best)
        measured, failing = best.margin, ""
        if seen is not None:
            measured = framing.margin(seen, rules, best, width, height)
            failing = framing.failing(seen, rules, best, width, height)
        tried.append(
            (
                measured,
                failing,
                _Framed(best, face, framed, inside, matrix, failing, measured_photo),
            )
        )
        if seen is None:
            break
        seen_faces.append(seen)
    return max(tried, key=lambda t: (not t[1], t[0]))[2]


def _measured_refusal(failing: str) -> tuple[str, str]:
    """Return the code and message when the framed photo measures a value outside its limits."""
    if failing == "geometry.top_margin:px" or failing == "geometry.top_margin:ratio":
        return _SIDE_ADVICE["top"]
    return (
        "fix.framing_conflict",
        f"The framing rules cannot all be met for this face ({failing.replace(':', ' ')} "
        "measures outside its limits in the framed photo): retake it facing the camera "
        "squarely, with your head upright.",
    )


def _angles(roll: float, in_frame: bool) -> list[float]:
    """Rotations to try, best first: the full roll, then the least that leaves it under 2 degrees.

    The full turn is preferred (an upright head). When its frame would need pixels beyond the
    photo (straightening uncovers the corners), the smallest turn that leaves a roll of at
    most :data:`ROLL_KEPT_DEGREES` is tried, or none when the roll is already that small: the
    output's roll then still measures under 2 degrees (with the roll's measurement noise).
    A photo already in its frame with a roll under 2 degrees is not turned (it may be such
    an output: turning it again would resample it for nothing).
    """
    small = STRAIGHTEN_FROM_DEGREES if not in_frame else _ROLL_AIM_DEGREES
    if not math.isfinite(roll) or abs(roll) < small:
        return [0.0]
    least = math.copysign(max(abs(roll) - ROLL_KEPT_DEGREES, 0.0), roll)
    return [roll, least]


def _placement_refusal(free: framing.Placement, best: framing.Placement) -> tuple[str, str]:
    """Return the code and message when no covered placement meets every framing rule."""
    if free.margin >= 0.0 and free.outside:
        side = next(s for s in ("top", "bottom", "left", "right") if s in free.outside)
        return _SIDE_ADVICE[side]
    worst = (free.worst or best.worst).replace(":", " ")
    return (
        "fix.framing_conflict",
        f"The framing rules cannot all be met for this face ({worst} stays outside its "
        "limits): retake it facing the camera squarely, with your head upright.",
    )


def _measured_face(framed: Analysis, placement: framing.Placement) -> framing.FaceFrame | None:
    """Measure the face on the framed photo; return it in the straightened photo's pixels."""
    try:
        seen = framing.FaceFrame.from_geometry(framed.geometry)
    except NotAssessed:
        return None
    s, tx, ty = placement.scale, placement.tx, placement.ty
    return framing.FaceFrame(
        (seen.eye_x - tx) / s, (seen.eye_y - ty) / s, seen.eye_distance / s,
        seen.face_width / s, (seen.crown_y - ty) / s, (seen.chin_y - ty) / s,
    )  # fmt: skip


def _has_background(before: Verdict, name: str) -> bool:
    """Whether the photo already has a plain background of the named colour class."""
    try:
        colour, plain = before["background.colour"], before["background.uniformity"]
    except KeyError:
        return False
    return colour.status == "pass" and colour.value == name and plain.status == "pass"


def _frame(
    profile: Profile,
    face: framing.FaceFrame,
    rules: list[framing.FrameRule],
    to_source: NDArray[np.float64],
    loaded: LoadedImage,
) -> tuple[int, int]:
    """Return the frame size in px: the profile's, or its aspect at the photo's resolution."""
    fixed = framing.frame_size(profile)
    if fixed is not None:
        return fixed
    rule = profile.rules.get("image.format", {})
    aspect = framing.frame_aspect(profile)
    nominal_w = round(aspect * _NOMINAL_HEIGHT)
    best, free = framing.place(face, rules, nominal_w, round(_NOMINAL_HEIGHT), to_source,
                               (loaded.height, loaded.width))  # fmt: skip
    scale = best.scale if math.isfinite(best.margin) else free.scale
    # Total scale 1: the frame keeps the photo's own resolution...
    height = _NOMINAL_HEIGHT / scale
    # ...but is at least the profile's minimum size, and at most its maximum.
    height = max(height, float(rule.get("min_height", 0)), rule.get("min_width", 0) / aspect)
    if rule.get("max_height") is not None:
        height = min(height, float(rule["max_height"]))
    if rule.get("max_width") is not None:
        height = min(height, rule["max_width"] / aspect)
    return max(1, round(aspect * height)), max(1, round(height))


def _compose(frame: NDArray[np.float64], to_canvas: NDArray[np.float64]) -> NDArray[np.float64]:
    """``frame o to_canvas`` as one 2 x 3 affine map."""
    a = np.vstack([frame, [0.0, 0.0, 1.0]])
    b = np.vstack([to_canvas, [0.0, 0.0, 1.0]])
    return (a @ b)[:2]


def _warp(
    rgb: NDArray[np.uint8],
    matrix: NDArray[np.float64],
    size: tuple[int, int],
    fill: tuple[int, int, int] | None,
) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Resample the photo into the frame in one step (halving first when reducing a lot).

    Beyond the photo's edges the frame gets ``fill`` (the new background colour); without one
    the edge pixels are repeated, which only ever covers the placement's sub-pixel slack
    (``framing._EDGE_TOLERANCE``), so no black creeps into the edge rows.
    """
    import cv2

    from ..imaging.resample import halve

    scale = math.sqrt(abs(float(np.linalg.det(matrix[:, :2]))))
    src, factor = rgb, 1
    while scale * factor < 0.5 and min(src.shape[:2]) >= 4:
        src, factor = halve(src), factor * 2
    if factor > 1:  # a halved pixel i covers photo pixels factor*i .. factor*i + factor - 1
        offset = (factor - 1) / 2.0
        up = np.array([[factor, 0.0, offset], [0.0, factor, offset], [0.0, 0.0, 1.0]])
        matrix = (np.vstack([matrix, [0.0, 0.0, 1.0]]) @ up)[:2]
    flags = cv2.INTER_CUBIC if scale * factor > 1.0 else cv2.INTER_LINEAR
    if fill is None:
        out = cv2.warpAffine(np.ascontiguousarray(src), matrix, size, flags=flags,
                             borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    else:
        out = cv2.warpAffine(np.ascontiguousarray(src), matrix, size, flags=flags,
                             borderMode=cv2.BORDER_CONSTANT,
                             borderValue=tuple(int(c) for c in fill))  # fmt: skip
    ones = np.full(src.shape[:2], 255, dtype=np.uint8)
    valid = cv2.warpAffine(ones, matrix, size, flags=cv2.INTER_NEAREST, borderValue=0) > 0
    return out, valid


def _framed_message(
    face: framing.FaceFrame, placement: framing.Placement, width: int, height: int
) -> str:
    values = framing.framing_values(face, placement.scale, placement.tx, placement.ty,
                                    width, height)  # fmt: skip
    return (
        f"Cropped and scaled to {width} x {height} px (scale {placement.scale:.2f}): face "
        f"{float(values['geometry.face_width:px']):.0f} px wide, eyes "
        f"{float(values['geometry.centring:px']):.0f} px from the left and "
        f"{float(values['geometry.eye_line:px_from_bottom']):.0f} px above the bottom, top of "
        f"the hair {float(values['geometry.top_margin:px']):.0f} px below the top edge."
    )


def result_json(result: FixResult) -> dict[str, Any]:
    """``result.to_dict()`` with every value JSON-ready."""
    data: dict[str, Any] = jsonable(result.to_dict())
    return data
