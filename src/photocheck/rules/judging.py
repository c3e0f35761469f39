"""Judging: one measurement against one profile rule. Pure; touches no pixels.

A numeric value closer to a limit than the limit's declared ``noise``, on either side, is
*borderline*: the check gets ``warn`` with the code ``<check>.borderline`` and a message
suggesting a retake, because changes to the photo that should not matter (a re-encode, a
mirror image, a small crop or resize) could carry it across. A value beyond a limit by the
noise or more fails, whatever the other limits say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .registry import CheckSpec, OneOf, Range
from .verdict import CheckResult, Measurement, Status

__all__ = ["borderline_message", "judge_measurement", "range_judgement"]

_BORDERLINE = (
    "This is close to the limit ({subject}: {value}, limit {limit}); a retake{retake} is safer."
)


def _format(template: str, value: Any, low: Any, high: Any, allowed: Any) -> str:
    if isinstance(allowed, list | tuple):
        names = [str(a).replace("_", " ") for a in allowed]
        allowed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    shown = value.replace("_", " ") if isinstance(value, str) else value
    try:
        return template.format(value=shown, min=low, max=high, allowed=allowed)
    except (ValueError, TypeError):  # e.g. a format spec that does not fit the value
        return template.format(value=str(shown), min=low, max=high, allowed=allowed)


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def borderline_message(spec: CheckSpec, limit: Range, value: Any, bound: Any) -> str:
    """Return the message of a borderline result: what is close to which limit, and a retake.

    Parameters
    ----------
    spec : CheckSpec
        The check; its summary names what was measured and its ``retake`` says how a retake
        would do better.
    limit : Range
        The limit the value is close to.
    value : float
        The measured value.
    bound : float
        The limit's value in the profile.

    Returns
    -------
    str
        E.g. ``"This is close to the limit (head turned left/right: 4.8, limit 5); a retake
        facing the camera squarely is safer."``
    """
    subject = re.sub(r"\s*\([^)]*\)", "", spec.summary).split(":", 1)[0].strip()
    if subject[1:2].islower():
        subject = subject[0].lower() + subject[1:]
    if sum(isinstance(lim, Range) for lim in spec.limits) > 1:
        subject += f", {limit.value.replace('_', ' ')}"
    retake = f" {spec.retake.strip()}" if spec.retake.strip() else ""
    return _BORDERLINE.format(
        subject=subject, value=_number(value), limit=_number(bound), retake=retake
    )


def range_judgement(limit: Range, value: Any, low: Any, high: Any) -> tuple[str, Any]:
    """Judge one value against one numeric limit, its noise included.

    A value closer to a limit than the limit's ``noise`` (strictly) is borderline, on either
    side of it; any other value is judged exactly (``noise = 0`` judges every value exactly).

    Parameters
    ----------
    limit : Range
        The limit (its outcomes say which sides can fail or be borderline).
    value : float
        The measured value (NaN passes, as no comparison holds for it).
    low, high : float or None
        The profile's minimum and maximum (None: no such side).

    Returns
    -------
    tuple of (str, object)
        ``("too_low", low)`` or ``("too_high", high)``: beyond the limit by the noise or more,
        on a side that can fail; ``("borderline", bound)``: closer than the noise to the
        limit ``bound``; ``("pass", None)`` otherwise.
    """
    noise = limit.noise
    if low is not None and value < low:
        if limit.too_low is None:
            return "pass", None
        return ("too_low", low) if low - value >= noise else ("borderline", low)
    if high is not None and value > high:
        if limit.too_high is None:
            return "pass", None
        return ("too_high", high) if value - high >= noise else ("borderline", high)
    if low is not None and limit.too_low is not None and value - low < noise:
        return "borderline", low
    if high is not None and limit.too_high is not None and high - value < noise:
        return "borderline", high
    return "pass", None


def judge_measurement(
    spec: CheckSpec, measurement: Measurement, rule: Mapping[str, Any]
) -> CheckResult:
    """Judge one check's measurement against one profile rule.

    Limits are applied in the check's order: the first whose value is missing makes the
    check ``not_assessed``, the first a value is beyond by its noise or more decides the
    failure; when none fails, the first limit the value is closer to than its noise makes
    the check ``warn`` with the code ``<check>.borderline``.

    Parameters
    ----------
    spec : CheckSpec
        The registered check.
    measurement : Measurement
        Its raw values on one photo.
    rule : Mapping
        The profile's parameters for this check (missing limits are open).

    Returns
    -------
    CheckResult
        ``fail`` (``warn`` when the rule's ``severity`` is ``"warn"``) with the limit's
        outcome, ``warn`` when borderline, ``not_assessed`` or ``pass``.
    """
    if not measurement.assessed:
        return CheckResult(
            spec.id,
            "not_assessed",
            f"{spec.id}.not_assessed",
            f"Could not check this ({spec.summary.lower()}): {measurement.reason}.",
        )
    failing: Status = "warn" if rule.get("severity") == "warn" else "fail"
    first_value: Any = None
    applied: dict[str, Any] = {}
    borderline: CheckResult | None = None
    for limit in spec.limits:
        active = {p: rule[p] for p in limit.params if p in rule}
        if not active:
            continue
        value = measurement.values.get(limit.value)
        applied.update(active)
        if first_value is None:
            first_value = value
        if value is None:
            return CheckResult(
                spec.id,
                "not_assessed",
                f"{spec.id}.not_assessed",
                f"Could not check this ({spec.summary.lower()}): {limit.value} is not available.",
                None,
                active,
            )
        if isinstance(limit, Range):
            low = rule.get(limit.min_param) if limit.min_param else None
            high = rule.get(limit.max_param) if limit.max_param else None
            side, bound = range_judgement(limit, value, low, high)
            limits = {"min": low, "max": high}
            outcome = {"too_low": limit.too_low, "too_high": limit.too_high}.get(side)
            if outcome is not None:
                message = _format(outcome.message, value, low, high, None)
                return CheckResult(spec.id, failing, outcome.code, message, value, limits)
            if side == "borderline" and borderline is None:
                message = borderline_message(spec, limit, value, bound)
                code = f"{spec.id}.borderline"
                borderline = CheckResult(spec.id, "warn", code, message, value, limits)
        elif isinstance(limit, OneOf):
            allowed = list(rule[limit.param])
            if value not in allowed:
                message = _format(limit.outcome.message, value, None, None, allowed)
                return CheckResult(
                    spec.id, failing, limit.outcome.code, message, value, {"allowed": allowed}
                )
    if borderline is not None:
        return borderline
    return CheckResult(spec.id, "pass", f"{spec.id}.ok", spec.passed, first_value, applied)
