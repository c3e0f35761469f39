"""Judging: one measurement against one profile rule. Pure; touches no pixels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .registry import CheckSpec, OneOf, Range
from .verdict import CheckResult, Measurement, Status

__all__ = ["judge_measurement"]


def _format(template: str, value: Any, low: Any, high: Any, allowed: Any) -> str:
    if isinstance(allowed, list | tuple):
        names = [str(a).replace("_", " ") for a in allowed]
        allowed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    shown = value.replace("_", " ") if isinstance(value, str) else value
    try:
        return template.format(value=shown, min=low, max=high, allowed=allowed)
    except (ValueError, TypeError):  # e.g. a format spec that does not fit the value
        return template.format(value=str(shown), min=low, max=high, allowed=allowed)


def judge_measurement(
    spec: CheckSpec, measurement: Measurement, rule: Mapping[str, Any]
) -> CheckResult:
    """Judge one check's measurement against one profile rule.

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
            outcome = None
            if low is not None and value < low:
                outcome = limit.too_low
            elif high is not None and value > high:
                outcome = limit.too_high
            if outcome is not None:
                limits = {"min": low, "max": high}
                message = _format(outcome.message, value, low, high, None)
                return CheckResult(spec.id, failing, outcome.code, message, value, limits)
        elif isinstance(limit, OneOf):
            allowed = list(rule[limit.param])
            if value not in allowed:
                message = _format(limit.outcome.message, value, None, None, allowed)
                return CheckResult(
                    spec.id, failing, limit.outcome.code, message, value, {"allowed": allowed}
                )
    return CheckResult(spec.id, "pass", f"{spec.id}.ok", spec.passed, first_value, applied)
