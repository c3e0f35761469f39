"""Where to crop and how much to scale so that every framing rule sits mid-range.

The placement is a similarity map from the (straightened) photo to the profile's frame:
``output = scale * photo + (tx, ty)``. Every ``geometry.*`` rule the profile applies is a
linear function of the scale and the offsets (face width and head height of the scale, eye
line and top margin of the scale and ``ty``, centring of the scale and ``tx``), so the
placement that keeps each value furthest from its limits (in units of the limit's half-width)
is found by a vectorised search over a grid, refined once. Pixels of the frame must come from
the photo: a placement whose frame reaches beyond the photo's edges is not allowed, unless the
caller allows padding on that side (background replacement fills it with the new colour).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..rules.profile import Profile
from ..rules.registry import Range, get_check

__all__ = [
    "FRAMING_CHECKS",
    "FaceFrame",
    "FrameRule",
    "Placement",
    "frame_rules",
    "frame_size",
    "framing_values",
    "margin",
    "place",
]

FRAMING_CHECKS = (
    "geometry.eye_distance",
    "geometry.head_height",
    "geometry.face_width",
    "geometry.eye_line",
    "geometry.centring",
    "geometry.top_margin",
)
# Aspect (width / height) of the frame when the profile fixes neither the size nor the aspect
# nor a minimum size pair: ISO/IEC 19794-5's 35 x 45 mm.
DEFAULT_ASPECT = 35.0 / 45.0
# A one-sided limit counts as fully met this far inside it: the larger of four times the
# value's measurement noise and 5% of the limit.
_ONE_SIDED_NOISE = 4.0
_ONE_SIDED_SHARE = 0.05
_GRID = 25
# Source pixels a frame corner may lie outside the photo (rounding of the warp).
_EDGE_TOLERANCE = 0.75
SIDES = ("top", "bottom", "left", "right")


class FaceFrame(NamedTuple):
    """The face geometry framing needs, in the pixels of the photo being framed.

    Attributes
    ----------
    eye_x, eye_y : float
        The eye midpoint (px).
    eye_distance : float
        Between the iris centres (px, > 0).
    face_width : float
        At ear level (px, > 0).
    crown_y : float
        Top of the head, hair included (px; y grows downwards).
    chin_y : float
        Bottom of the chin (px).
    """

    eye_x: float
    eye_y: float
    eye_distance: float
    face_width: float
    crown_y: float
    chin_y: float

    @classmethod
    def from_geometry(cls, geo: Mapping[str, Any]) -> FaceFrame:
        """Build from :attr:`photocheck.analysis.Analysis.geometry`."""
        return cls(
            float(geo["eye_midpoint"][0]),
            float(geo["eye_midpoint"][1]),
            float(geo["eye_distance"]),
            float(geo["face_width"]),
            float(geo["crown_y"]),
            float(geo["chin"][1]),
        )


@dataclass(frozen=True)
class FrameRule:
    """One numeric framing limit of a profile: ``low <= value <= high`` (either may be None)."""

    check: str
    value: str
    low: float | None
    high: float | None
    noise: float


class Placement(NamedTuple):
    """A crop-and-scale of the photo into the frame (see :func:`place`).

    Attributes
    ----------
    scale : float
        Output pixels per photo pixel (> 0).
    tx, ty : float
        Output position of the photo's origin (px).
    margin : float
        The worst rule's normalised margin: 1 = every value mid-range (or, for one-sided
        limits, well inside), 0 = a value on its limit, < 0 = a rule fails.
    worst : str
        The ``check:value`` with the smallest margin ("" when no rule applies).
    outside : tuple of str
        The sides (``"top"``, ``"bottom"``, ``"left"``, ``"right"``) where the frame reaches
        beyond the photo (padding needed); empty when the photo covers the frame.
    """

    scale: float
    tx: float
    ty: float
    margin: float
    worst: str
    outside: tuple[str, ...]

    def matrix(self) -> NDArray[np.float64]:
        """Return the 2 x 3 affine map from photo pixels to frame pixels."""
        return np.array([[self.scale, 0.0, self.tx], [0.0, self.scale, self.ty]])


def frame_rules(profile: Profile) -> list[FrameRule]:
    """Return the numeric framing limits the profile sets (``geometry.*`` rules).

    Parameters
    ----------
    profile : Profile
        The profile.

    Returns
    -------
    list of FrameRule
        One per Range limit with at least one side set, in the checks' order.
    """
    rules = []
    for check in FRAMING_CHECKS:
        rule = profile.rules.get(check)
        if rule is None:
            continue
        for limit in get_check(check).limits:
            if not isinstance(limit, Range):
                continue
            low = rule.get(limit.min_param) if limit.min_param else None
            high = rule.get(limit.max_param) if limit.max_param else None
            if low is None and high is None:
                continue
            rules.append(
                FrameRule(
                    check,
                    limit.value,
                    None if low is None else float(low),
                    None if high is None else float(high),
                    limit.noise,
                )
            )
    return rules


def frame_size(profile: Profile) -> tuple[int, int] | None:
    """Return the frame ``(width, height)`` in px the profile fixes, or None when it is free.

    A profile fixes the frame when ``image.format`` sets equal minimum and maximum widths and
    heights (``cn-social-security``: 358 x 441).
    """
    rule = profile.rules.get("image.format", {})
    width, height = rule.get("min_width"), rule.get("min_height")
    if width is None or height is None:
        return None
    if width == rule.get("max_width") and height == rule.get("max_height"):
        return int(width), int(height)
    return None


def frame_aspect(profile: Profile) -> float:
    """Return the width / height of a free frame.

    The middle of the profile's ``image.format`` aspect window when it sets one, else the
    ratio of its minimum width and height, else 35 / 45.
    """
    rule = profile.rules.get("image.format", {})
    low, high = rule.get("min_aspect"), rule.get("max_aspect")
    if low is not None and high is not None:
        return (float(low) + float(high)) / 2.0
    if low is not None:
        return float(low)
    if high is not None:
        return float(high)
    width, height = rule.get("min_width"), rule.get("min_height")
    if width and height:
        return float(width) / float(height)
    return DEFAULT_ASPECT


def framing_values(
    face: FaceFrame,
    scale: NDArray[np.float64] | float,
    tx: NDArray[np.float64] | float,
    ty: NDArray[np.float64] | float,
    width: float,
    height: float,
) -> dict[str, Any]:
    """Return every framing value the ``geometry.*`` checks would measure after the map.

    Parameters
    ----------
    face : FaceFrame
        The face in photo pixels.
    scale, tx, ty : float or ndarray
        The map ``output = scale * photo + (tx, ty)`` (arrays broadcast).
    width, height : float
        The frame (px).

    Returns
    -------
    dict
        ``"check:value"`` -> value (float or array), e.g. ``"geometry.face_width:px"``.
    """
    eye_x = scale * face.eye_x + tx
    eye_y = scale * face.eye_y + ty
    crown = scale * face.crown_y + ty
    head = scale * (face.chin_y - face.crown_y)
    face_px = scale * face.face_width
    return {
        "geometry.eye_distance:px": scale * face.eye_distance,
        "geometry.head_height:px": head,
        "geometry.head_height:ratio": head / height,
        "geometry.face_width:px": face_px,
        "geometry.face_width:ratio": face_px / width,
        "geometry.eye_line:ratio_from_top": eye_y / height,
        "geometry.eye_line:px_from_top": eye_y,
        "geometry.eye_line:px_from_bottom": height - eye_y,
        "geometry.centring:ratio": eye_x / width,
        "geometry.centring:px": eye_x,
        "geometry.top_margin:px": crown,
        "geometry.top_margin:ratio": crown / height,
    }


def _margin(rule: FrameRule, value: Any) -> Any:
    """Normalised margin of ``value`` inside ``rule``: 1 mid-range, 0 on a limit, < 0 outside."""
    if rule.low is not None and rule.high is not None:
        half = max((rule.high - rule.low) / 2.0, 1e-9)
        return np.minimum(value - rule.low, rule.high - value) / half
    bound = rule.low if rule.low is not None else rule.high
    assert bound is not None
    scale = max(_ONE_SIDED_NOISE * rule.noise, _ONE_SIDED_SHARE * abs(bound), 1e-9)
    inside = (value - bound) if rule.low is not None else (bound - value)
    return np.minimum(inside / scale, 1.0)


def margin(
    face: FaceFrame, rules: list[FrameRule], placement: Placement, width: int, height: int
) -> float:
    """Return the worst rule's normalised margin for a placed face (1 mid-range, < 0 failing)."""
    values = framing_values(face, placement.scale, placement.tx, placement.ty, width, height)
    margins = [float(_margin(r, values[f"{r.check}:{r.value}"])) for r in rules]
    return min(margins, default=1.0)


def _scale_range(
    face: FaceFrame, rules: list[FrameRule], width: float, height: float
) -> tuple[float, float]:
    """Return a range of scales wide enough to hold every size rule's window."""
    per_unit = {  # the value each size rule measures at scale 1
        "geometry.eye_distance:px": face.eye_distance,
        "geometry.head_height:px": face.chin_y - face.crown_y,
        "geometry.head_height:ratio": (face.chin_y - face.crown_y) / height,
        "geometry.face_width:px": face.face_width,
        "geometry.face_width:ratio": face.face_width / width,
    }
    bounds = []
    for rule in rules:
        unit = per_unit.get(f"{rule.check}:{rule.value}")
        if unit is None or unit <= 0:
            continue
        bounds += [b / unit for b in (rule.low, rule.high) if b is not None]
    if not bounds:  # no size rule: the face fills about 60% of the frame's width
        bounds = [0.45 * width / face.face_width, 0.75 * width / face.face_width]
    low, high = min(bounds), max(bounds)
    return 0.85 * low, 1.15 * high


def place(
    face: FaceFrame,
    rules: list[FrameRule],
    width: int,
    height: int,
    to_source: NDArray[np.float64],
    source_shape: tuple[int, int],
    *,
    pad: tuple[str, ...] = (),
) -> tuple[Placement, Placement]:
    """Find the crop and scale that keep every framing value furthest inside its limits.

    Parameters
    ----------
    face : FaceFrame
        The face in the pixels of the photo being framed.
    rules : list of FrameRule
        The profile's framing limits (:func:`frame_rules`).
    width, height : int
        The frame (px).
    to_source : ndarray, shape (2, 3)
        Affine map from the framed photo's pixels back to the original photo's pixels (the
        identity, or the inverse of a straightening rotation), to tell which frame corners
        would lie outside the original.
    source_shape : tuple of int
        ``(height, width)`` of the original photo.
    pad : tuple of str, optional
        Sides on which the frame may reach beyond the photo (padding allowed).

    Returns
    -------
    best, unconstrained : Placement
        The best placement whose frame the photo covers (on the sides not in ``pad``), and
        the best placement ignoring the photo's edges (its ``outside`` says which sides the
        ideal frame would need). ``best.margin`` is ``-inf`` when no placement is covered.
    """
    rules = list(rules)
    s_low, s_high = _scale_range(face, rules, width, height)
    scales = np.linspace(s_low, s_high, _GRID)
    crowns = np.linspace(-0.15 * height, 0.5 * height, _GRID)  # output y of the crown
    eyes_x = np.linspace(0.2 * width, 0.8 * width, _GRID)  # output x of the eye midpoint
    steps = (scales[1] - scales[0], crowns[1] - crowns[0], eyes_x[1] - eyes_x[0])
    best, free = _search(face, rules, width, height, to_source, source_shape, pad,
                         scales, crowns, eyes_x)  # fmt: skip
    refined = []
    for found in (best, free):
        if not np.isfinite(found.margin):
            refined.append(found)
            continue
        crown_out = found.scale * face.crown_y + found.ty
        eye_out = found.scale * face.eye_x + found.tx
        fine = [np.linspace(c - 1.5 * st, c + 1.5 * st, 13)
                for c, st in zip((found.scale, crown_out, eye_out), steps, strict=True)]  # fmt: skip
        fine[0] = fine[0][fine[0] > 0]
        b2, f2 = _search(face, rules, width, height, to_source, source_shape, pad, *fine)
        pick = b2 if found is best else f2
        refined.append(pick if pick.margin >= found.margin else found)
    return refined[0], refined[1]


def _search(
    face: FaceFrame,
    rules: list[FrameRule],
    width: int,
    height: int,
    to_source: NDArray[np.float64],
    source_shape: tuple[int, int],
    pad: tuple[str, ...],
    scales: NDArray[np.float64],
    crowns: NDArray[np.float64],
    eyes_x: NDArray[np.float64],
) -> tuple[Placement, Placement]:
    s = scales[:, None, None]
    ty = crowns[None, :, None] - s * face.crown_y
    tx = eyes_x[None, None, :] - s * face.eye_x
    values = framing_values(face, s, tx, ty, width, height)
    shape = (scales.size, crowns.size, eyes_x.size)
    margins = [np.broadcast_to(_margin(r, values[f"{r.check}:{r.value}"]), shape) for r in rules]
    if margins:
        stack = np.stack(margins)
        # The worst rule decides; the mean breaks ties between equally good placements.
        score = stack.min(axis=0) + 1e-3 * stack.mean(axis=0)
    else:
        stack = np.zeros((0, *shape))
        score = np.zeros(shape)
    outside = _outside(s, tx, ty, width, height, to_source, source_shape)
    allowed = np.ones(shape, dtype=bool)
    for side, amount in outside.items():
        if side not in pad:
            allowed &= amount <= _EDGE_TOLERANCE
    picks = []
    for mask in (allowed, np.ones(shape, dtype=bool)):
        if not mask.any():
            picks.append(Placement(1.0, 0.0, 0.0, float("-inf"), "", ()))
            continue
        masked = np.where(mask, score, -np.inf)
        i, j, k = np.unravel_index(int(np.argmax(masked)), shape)
        worst, margin = "", 1.0
        if rules:
            idx = int(np.argmin(stack[:, i, j, k]))
            worst = f"{rules[idx].check}:{rules[idx].value}"
            margin = float(stack[idx, i, j, k])
        sides = tuple(side for side in SIDES if outside[side][i, j, k] > _EDGE_TOLERANCE)
        picks.append(
            Placement(
                float(scales[i]), float(tx[i, 0, k]), float(ty[i, j, 0]), margin, worst, sides
            )
        )
    return picks[0], picks[1]


def _outside(
    s: NDArray[np.float64],
    tx: NDArray[np.float64],
    ty: NDArray[np.float64],
    width: int,
    height: int,
    to_source: NDArray[np.float64],
    source_shape: tuple[int, int],
) -> dict[str, NDArray[np.float64]]:
    """How far (original px) the frame's corners reach beyond each side of the original."""
    src_h, src_w = source_shape
    shape = np.broadcast_shapes(s.shape, tx.shape, ty.shape)
    out = {side: np.zeros(shape) for side in SIDES}
    for cx, cy in ((0.0, 0.0), (width, 0.0), (0.0, height), (width, height)):
        # frame corner -> framed photo -> original photo
        px = (cx - tx) / s
        py = (cy - ty) / s
        ox = to_source[0, 0] * px + to_source[0, 1] * py + to_source[0, 2]
        oy = to_source[1, 0] * px + to_source[1, 1] * py + to_source[1, 2]
        out["left"] = np.maximum(out["left"], -ox)
        out["right"] = np.maximum(out["right"], ox - src_w)
        out["top"] = np.maximum(out["top"], -oy)
        out["bottom"] = np.maximum(out["bottom"], oy - src_h)
    return out
