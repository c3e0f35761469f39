"""Where to crop and how much to scale so that every framing rule sits mid-range.

The placement is a similarity map from the (straightened) photo to the profile's frame:
``output = scale * photo + (tx, ty)``. Every ``geometry.*`` rule the profile applies is a
linear function of the scale and the offsets (face width and head height of the scale, eye
line and top margin of the scale and ``ty``, centring of the scale and ``tx``), so the
placement that keeps each value furthest from its limits (in units of the limit's half-width,
the limits first moved inwards by the value's declared noise) is a small linear program,
solved exactly: when mid-range does not fit in the photo, the nearest placement that does is
found whenever one exists. Pixels of the frame must come from
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
    "failing",
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
# Source pixels a frame corner may lie outside the photo (rounding of the warp).
_EDGE_TOLERANCE = 0.75
# Worst normalised margin an enlarged placement keeps (see :func:`place`).
_ENLARGE_MARGIN = 0.5
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


def _window(rule: FrameRule) -> tuple[float | None, float | None, float]:
    """Return the rule's limits moved inwards by its noise, and the margin's unit."""
    low = None if rule.low is None else rule.low + rule.noise
    high = None if rule.high is None else rule.high - rule.noise
    if low is not None and high is not None:
        return low, high, max((high - low) / 2.0, 1e-9)
    bound = rule.low if rule.low is not None else rule.high
    assert bound is not None
    return low, high, max(_ONE_SIDED_NOISE * rule.noise, _ONE_SIDED_SHARE * abs(bound), 1e-9)


def _margin(rule: FrameRule, value: Any) -> Any:
    """Normalised margin of ``value`` inside ``rule``'s limits moved in by its noise.

    1 = mid-range (or, for a one-sided limit, well inside it), 0 = the value is its declared
    noise inside a limit, < 0 = closer than that (or outside).
    """
    low, high, unit = _window(rule)
    if low is not None and high is not None:
        return np.minimum(value - low, high - value) / unit
    inside = (value - low) if low is not None else (high - value)
    return np.minimum(inside / unit, 1.0)


def margin(
    face: FaceFrame, rules: list[FrameRule], placement: Placement, width: int, height: int
) -> float:
    """Return the worst rule's normalised margin for a placed face (1 mid-range, < 0 too close).

    0 means the worst value is its declared noise inside its limit (see :func:`place`).
    """
    values = framing_values(face, placement.scale, placement.tx, placement.ty, width, height)
    margins = [float(_margin(r, values[f"{r.check}:{r.value}"])) for r in rules]
    return min(margins, default=1.0)


def failing(
    face: FaceFrame, rules: list[FrameRule], placement: Placement, width: int, height: int
) -> str:
    """Return the ``check:value`` furthest outside its limits for a placed face ("" if none).

    Like the checks' judging, a value fails when it is beyond a limit by its noise or more.
    """
    values = framing_values(face, placement.scale, placement.tx, placement.ty, width, height)
    worst, most = "", 0.0
    for rule in rules:
        value = float(values[f"{rule.check}:{rule.value}"])
        below = rule.low - value if rule.low is not None else 0.0
        above = value - rule.high if rule.high is not None else 0.0
        excess = max(below, above)
        if excess > 0.0 and excess >= rule.noise and excess / max(rule.noise, 1e-9) > most:
            worst, most = f"{rule.check}:{rule.value}", excess / max(rule.noise, 1e-9)
    return worst


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

    Every framing value, and every frame corner's position in the original photo (times the
    scale), is linear in ``(scale, tx, ty)``, so the placement whose worst rule is furthest
    inside its window (the max-min of the normalised margins, ties broken by their mean) is
    a small linear program, solved exactly. Each rule's window is its limits moved inwards by
    the value's declared noise, so ``margin >= 0`` means every value passes by at least its
    noise: when mid-range does not fit in the photo, the placement nearest mid-range that
    fits is found whenever one exists.

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
    scales = _scale_range(face, rules, width, height)
    picks = []
    for edges in (True, False):
        args = (face, rules, width, height, to_source, source_shape, pad)
        found = _solve(*args, scales, edges)
        if found is not None and found[0] > 1.0:
            # Enlarging adds no detail (and the checks see it as an upscaled photo): enlarge
            # only as much as the rules need, with every value half-way between its limit
            # (moved in by its noise) and mid-range, so that it measures as passing again.
            tightest = _solve(*args, scales, edges, smallest=_ENLARGE_MARGIN)
            tightest = tightest or _solve(*args, scales, edges, smallest=0.0)
            cap = max(1.0, tightest[0]) if tightest is not None else found[0]
            if cap < found[0]:
                found = _solve(*args, (scales[0], cap), edges) or found
        if found is None:
            picks.append(Placement(1.0, 0.0, 0.0, float("-inf"), "", ()))
            continue
        s, tx, ty = found
        margins = [float(_margin(r, v)) for r, v in
                   zip(rules, _values(face, rules, s, tx, ty, width, height), strict=True)]  # fmt: skip
        worst, least = "", 1.0
        if rules:
            idx = int(np.argmin(margins))
            # a solution on a constraint can come back a rounding error outside it
            worst, least = f"{rules[idx].check}:{rules[idx].value}", margins[idx]
            least = 0.0 if -1e-9 < least < 0.0 else least
        outside = _outside(np.array(s), np.array(tx), np.array(ty), width, height,
                           to_source, source_shape)  # fmt: skip
        # the solver may return a corner a rounding error beyond its allowed slack
        slack = _EDGE_TOLERANCE + 1e-6
        sides = tuple(side for side in SIDES if float(outside[side]) > slack)
        picks.append(Placement(s, tx, ty, least, worst, sides))
    return picks[0], picks[1]


def _values(
    face: FaceFrame, rules: list[FrameRule], s: float, tx: float, ty: float, w: int, h: int
) -> list[float]:
    values = framing_values(face, s, tx, ty, w, h)
    return [float(values[f"{r.check}:{r.value}"]) for r in rules]


def _solve(
    face: FaceFrame,
    rules: list[FrameRule],
    width: int,
    height: int,
    to_source: NDArray[np.float64],
    source_shape: tuple[int, int],
    pad: tuple[str, ...],
    scales: tuple[float, float],
    edges: bool,
    *,
    smallest: float | None = None,
) -> tuple[float, float, float] | None:
    """Maximise the worst margin over ``(scale, tx, ty)``; None when no placement is allowed.

    Variables ``(s, tx, ty, m, z_1..z_R)``: ``z_r`` is rule r's margin (at most each of its
    linear pieces, and 1), ``m`` the worst; the objective is ``m`` plus a thousandth of the
    mean ``z``; with ``smallest``, it is the smallest scale whose worst margin is at least
    ``smallest``. With ``edges``, every frame corner must map inside the original photo on the
    sides not in ``pad`` (``_EDGE_TOLERANCE`` px of slack), which is linear once multiplied
    by the scale.
    """
    from scipy.optimize import linprog  # type: ignore[import-untyped]

    n_rules = len(rules)
    n_vars = 4 + n_rules
    # value_r = offset_r + coef_r . (s, tx, ty): read off at the origin and the unit vectors
    offset = np.array(_values(face, rules, 0.0, 0.0, 0.0, width, height))
    units = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    coef = np.zeros((n_rules, 3))
    for k, (s1, tx1, ty1) in enumerate(units):
        coef[:, k] = np.array(_values(face, rules, s1, tx1, ty1, width, height)) - offset
    rows: list[NDArray[np.float64]] = []
    rhs: list[float] = []

    def add(p: NDArray[np.float64], z: dict[int, float], bound: float) -> None:
        row = np.zeros(n_vars)
        row[:3] = p
        for index, weight in z.items():
            row[index] += weight
        rows.append(row)
        rhs.append(bound)

    for r, rule in enumerate(rules):
        low, high, unit = _window(rule)
        zi = 4 + r
        if low is not None:  # z <= (value - low) / unit
            add(-coef[r] / unit, {zi: 1.0}, (offset[r] - low) / unit)
        if high is not None:  # z <= (high - value) / unit
            add(coef[r] / unit, {zi: 1.0}, (high - offset[r]) / unit)
        add(np.zeros(3), {3: 1.0, zi: -1.0}, 0.0)  # m <= z
    if edges:
        src_h, src_w = source_shape
        for cx, cy in ((0.0, 0.0), (width, 0.0), (0.0, height), (width, height)):
            for axis, size, (low_side, high_side) in ((0, src_w, ("left", "right")),
                                                       (1, src_h, ("top", "bottom"))):  # fmt: skip
                a, b, c = to_source[axis]
                # scale * original coordinate = const + g . (s, tx, ty)
                const = a * cx + b * cy
                g = np.array([c, -a, -b])
                tol = np.array([_EDGE_TOLERANCE, 0.0, 0.0])
                if low_side not in pad:  # coordinate >= -tolerance
                    add(-g - tol, {}, const)
                if high_side not in pad:  # coordinate <= size + tolerance
                    add(g - np.array([size, 0.0, 0.0]) - tol, {}, -const)
    cost = np.zeros(n_vars)
    cost[3] = -1.0
    if n_rules:
        cost[4:] = -1e-3 / n_rules
    worst: tuple[float | None, float] = (None, 1.0)
    if smallest is not None:
        cost[:] = 0.0
        cost[0] = 1.0
        worst = (smallest, 1.0)
    bounds = [scales, (None, None), (None, None), worst] + [(None, 1.0)] * n_rules
    solved = linprog(cost, A_ub=np.array(rows) if rows else None,
                     b_ub=np.array(rhs) if rhs else None, bounds=bounds, method="highs")  # fmt: skip
    if solved.status != 0:
        return None
    s, tx, ty = (float(v) for v in solved.x[:3])
    return s, tx, ty


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
