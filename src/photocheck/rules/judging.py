"""Judging: one measurement against one profile rule. Pure; touches no pixels.

A numeric value closer to a limit than the limit's declared ``noise``, on either side, is
*borderline*: the check gets ``warn`` with the code ``<check>.borderline`` and a message
suggesting a retake, because changes to the photo that should not matter (a re-encode, a
mirror image, a small crop or resize) could carry it across. A value beyond a limit by the
noise or more fails, whatever the other limits say.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from . import messages
from .messages import UI, normalize_locale, outcome_ids, reason_key
from .registry import CheckSpec, OneOf, Range, get_check
from .verdict import CheckResult, Measurement, Status, register_localizer

__all__ = [
    "borderline_message",
    "judge_measurement",
    "localize_result",
    "range_judgement",
    "rule_limits",
]


class _Shown(float):
    """A failing value that keeps the side of its limit when a message rounds it.

    ``f"{_Shown(0.79, 1, True):.0f}"`` is ``"0.8"``, not ``"1"``: a fixed precision (``.Nf`` or
    ``.N%``) gets up to three more decimals until the number shown is beyond the limit too.
    """

    bound: float
    below: bool

    def __new__(cls, value: float, bound: float, below: bool) -> _Shown:
        shown = super().__new__(cls, value)
        shown.bound, shown.below = float(bound), below
        return shown

    def __format__(self, spec: str) -> str:
        match = re.fullmatch(r"(.*\.)(\d+)([f%])", spec)
        if match is None or not math.isfinite(self):
            return float.__format__(self, spec)
        head, digits, kind = match.group(1), int(match.group(2)), match.group(3)
        scale = 100.0 if kind == "%" else 1.0
        for places in range(digits, digits + 4):
            shown = round(float(self) * scale, places) / scale
            if (shown < self.bound) if self.below else (shown > self.bound):
                break
        return float.__format__(self, f"{head}{places}{kind}")


class _Formatter(string.Formatter):
    """``str.format`` with a sign choice (``{x:if_negative|otherwise}``) that never raises.

    Numbers follow the language's conventions: ``decimal`` is its decimal sign and
    ``percent`` what precedes a ``%`` (Spanish writes ``32,5 %``).
    """

    def __init__(self, decimal: str = ".", percent: str = "") -> None:
        super().__init__()
        self.decimal, self.percent = decimal, percent

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key in kwargs:
            return kwargs[key]
        return "?"

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            negative, otherwise = format_spec.split("|", 1)
            is_negative = isinstance(value, int | float) and not isinstance(value, bool)
            return negative if is_negative and value < 0 else otherwise
        try:
            text = super().format_field(value, format_spec)
        except (ValueError, TypeError):  # e.g. a number's format spec on a missing value
            return str(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = text.replace(".", self.decimal).replace("%", self.percent + "%")
        return text


_FORMATTER = _Formatter()
# Languages whose numbers are not written like English ones (others use _FORMATTER).
_FORMATTERS = {"es": _Formatter(decimal=",", percent=" ")}


def _word(value: str, locale: str) -> str:
    """Return a categorical value in words (``light_grey`` -> ``light grey``, or its translation)."""
    return messages.text(f"value.{value}", locale, value.replace("_", " "))


def _words(value: Any, locale: str = "en") -> Any:
    if isinstance(value, list | tuple):
        names = [_word(str(a), locale) for a in value]
        if len(names) == 1:
            return names[0]
        first = messages.text("words.separator", locale, ", ").join(names[:-1])
        return _text("words.or", locale).format(first=first, last=names[-1])
    return _word(value, locale) if isinstance(value, str) else value


def _text(msgid: str, locale: str) -> str:
    return messages.text(msgid, locale, UI[msgid])


def _format(
    template: str,
    value: Any,
    low: Any = None,
    high: Any = None,
    allowed: Any = None,
    *,
    values: Mapping[str, Any] | None = None,
    side: str = "",
    locale: str = "en",
) -> str:
    """Fill a message template: the failing value and limits, and every measured value."""
    shown = _words(value, locale)
    bound = low if side == "too_low" else high if side == "too_high" else None
    if isinstance(shown, float) and isinstance(bound, int | float):
        shown = _Shown(shown, bound, below=side == "too_low")
    fields = {name: _words(v, locale) for name, v in (values or {}).items()}
    fields.update(value=shown, min=low, max=high, allowed=_words(allowed, locale))
    return _FORMATTERS.get(locale.split("_")[0], _FORMATTER).vformat(template, (), fields)


def _number(value: Any, other: Any = None) -> str:
    """Show a number briefly, with as many more digits as it takes to differ from ``other``."""
    if not isinstance(value, float):
        return str(value)
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    digits = 3
    while isinstance(other, int | float) and value != other and digits < 8:
        if text != _number(other):
            break
        digits += 1
        text = f"{value:.{digits}g}"
    return text


def borderline_message(
    spec: CheckSpec, limit: Range, value: Any, bound: Any, locale: str = "en"
) -> str:
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
    locale : str, optional
        A catalogue name from :data:`photocheck.rules.messages.LOCALES` (default English).

    Returns
    -------
    str
        E.g. ``"This is close to the limit (head turned left/right: 4.8, limit 5); a retake
        facing the camera squarely is safer."``
    """
    subject = _subject(spec, locale)
    if sum(isinstance(lim, Range) for lim in spec.limits) > 1:
        separator = messages.text("words.separator", locale, ", ")
        subject += f"{separator}{limit.value.replace('_', ' ')}"
    retake = messages.text(f"{spec.id}.retake", locale, spec.retake.strip())
    template = _text("result.borderline" if retake else "result.borderline_plain", locale)
    return template.format(
        subject=subject, value=_number(value, bound), limit=_number(bound), retake=retake
    )


def _subject(spec: CheckSpec, locale: str) -> str:
    """Return what a check measures, briefly: its summary without details in brackets or after ':'."""
    summary = messages.text(f"{spec.id}.summary", locale, spec.summary)
    subject = re.split(r"[:：]", re.sub(r"\s*[(（][^)）]*[)）]", "", summary), maxsplit=1)[0]
    subject = subject.strip()
    if subject[1:2].islower():
        subject = subject[0].lower() + subject[1:]
    return subject


def _not_assessed(spec: CheckSpec, reason: str, locale: str) -> str:
    """Return the message of a check that could not measure: what, and why, in ``locale``."""
    key, fields = reason_key(reason)
    why = messages.text(key, locale, messages.REASONS[key]).format(**fields)
    # English names the whole summary (as it always has); a translation its short subject.
    subject = spec.summary.lower() if locale == messages.DEFAULT_LOCALE else _subject(spec, locale)
    return _text("result.not_assessed", locale).format(subject=subject, reason=why)


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


def rule_limits(spec: CheckSpec, rule: Mapping[str, Any]) -> dict[str, Any]:
    """Return every parameter of a check with the rule's setting, None where it sets none.

    Parameters
    ----------
    spec : CheckSpec
        The registered check.
    rule : Mapping
        The profile's parameters for this check.

    Returns
    -------
    dict
        ``{param: value or None}`` for every parameter of the check, in the check's order
        (a categorical parameter's setting as a list): the same keys for every result of
        the check, whatever its status or profile.
    """
    limits: dict[str, Any] = {}
    for limit in spec.limits:
        for param in limit.params:
            setting = rule.get(param)
            if isinstance(limit, OneOf) and isinstance(setting, list | tuple):
                setting = list(setting)
            limits[param] = setting
    return limits


def judge_measurement(
    spec: CheckSpec, measurement: Measurement, rule: Mapping[str, Any], locale: str = "en"
) -> CheckResult:
    """Judge one check's measurement against one profile rule.

    Limits are applied in the check's order: the first whose value is missing makes the
    check ``not_assessed``, the first a value is beyond by its noise or more decides the
    failure; when none fails, the first limit the value is closer to than its noise makes
    the check ``warn`` with the code ``<check>.borderline``. Whatever the status, the result
    reports the same measured value (``spec.value_name``) as ``value``, the other measured
    values in ``details`` and every parameter of the check in ``limits`` (see
    :func:`rule_limits`).

    Parameters
    ----------
    spec : CheckSpec
        The registered check.
    measurement : Measurement
        Its raw values on one photo.
    rule : Mapping
        The profile's parameters for this check (missing limits are open).
    locale : str, optional
        The language of the message: a catalogue name from
        :data:`photocheck.rules.messages.LOCALES` (default English).

    Returns
    -------
    CheckResult
        ``fail`` (``warn`` when the rule's ``severity`` is ``"warn"``) with the limit's
        outcome, ``warn`` when borderline, ``not_assessed`` or ``pass``.
    """
    limits = rule_limits(spec, rule)
    if measurement.reason is not None:
        return CheckResult(
            spec.id,
            "not_assessed",
            f"{spec.id}.not_assessed",
            _not_assessed(spec, measurement.reason, locale),
            limits=limits,
            reason=measurement.reason,
        )
    values = measurement.values
    name = spec.value_name
    if name not in values and not spec.value and spec.limits:  # abs_<name> without <name>
        name = spec.limits[0].value
    value = values.get(name)
    # A value that could not be measured (None) is left out, as a measurement table stores it.
    details = {k: v for k, v in values.items() if k != name and v is not None}

    def result(status: Status, code: str, message: str) -> CheckResult:
        return CheckResult(spec.id, status, code, message, value, limits, details)

    failing: Status = "warn" if rule.get("severity") == "warn" else "fail"
    borderline: CheckResult | None = None

    def template(index: int, side: str, english: str) -> str:
        if locale == messages.DEFAULT_LOCALE:  # the declaration itself; no lookup
            return english
        return messages.text(outcome_ids(spec)[(index, side)], locale, english)

    for index, limit in enumerate(spec.limits):
        if not any(p in rule for p in limit.params):
            continue
        measured = values.get(limit.value)
        if measured is None:
            reason = f"{limit.value} is not available"
            return CheckResult(
                spec.id, "not_assessed", f"{spec.id}.not_assessed",
                _not_assessed(spec, reason, locale), value, limits, details, reason,
            )  # fmt: skip
        if isinstance(limit, Range):
            low = rule.get(limit.min_param) if limit.min_param else None
            high = rule.get(limit.max_param) if limit.max_param else None
            side, bound = range_judgement(limit, measured, low, high)
            outcome = {"too_low": limit.too_low, "too_high": limit.too_high}.get(side)
            if outcome is not None:
                message = _format(
                    template(index, side, outcome.message), measured, low, high,
                    values=values, side=side, locale=locale,
                )  # fmt: skip
                return result(failing, outcome.code, message)
            if side == "borderline" and borderline is None:
                message = borderline_message(spec, limit, measured, bound, locale)
                borderline = result("warn", f"{spec.id}.borderline", message)
        elif isinstance(limit, OneOf):
            allowed = list(rule[limit.param])
            if measured not in allowed:
                message = _format(
                    template(index, "one_of", limit.outcome.message), measured,
                    allowed=allowed, values=values, locale=locale,
                )  # fmt: skip
                return result(failing, limit.outcome.code, message)
    if borderline is not None:
        return borderline
    return result("pass", f"{spec.id}.ok", messages.text(f"{spec.id}.ok", locale, spec.passed))


def localize_result(result: CheckResult, locale: str) -> CheckResult:
    """Return a result with its message in another language; code, values and limits unchanged.

    The result is judged again from its own values and limits (judging is pure), so the
    message is the one :func:`judge_measurement` would have given in ``locale``.

    Parameters
    ----------
    result : CheckResult
        A result of a registered check.
    locale : str
        A locale name (``"zh_CN"``, ``"zh-CN"``, ``"es_ES"``...); an unknown one warns and
        gives English.

    Returns
    -------
    CheckResult
        The same result with the message in ``locale`` (the result itself when it cannot be
        judged again the same way, e.g. its check is no longer registered).
    """
    loc = normalize_locale(locale)
    try:
        spec = get_check(result.check)
    except LookupError:
        return result
    values = dict(result.details)
    if result.value is not None or result.status != "not_assessed":
        values[spec.value_name or "value"] = result.value
        if spec.limits and spec.limits[0].value not in values:  # the value is abs_<name>
            values[spec.limits[0].value] = result.value
    reason = result.reason
    if result.status == "not_assessed" and reason is None:  # e.g. read back from JSON
        reason = re.split(r"\): |）：", result.message, maxsplit=1)[-1].rstrip(".。")
    if reason is not None and not reason.endswith(" is not available"):
        measurement = Measurement(result.check, {}, reason)
    else:
        measurement = Measurement(result.check, values)
    rule: dict[str, Any] = {k: v for k, v in result.limits.items() if v is not None}
    if result.status == "warn" and not result.code.endswith(".borderline"):
        rule["severity"] = "warn"
    again = judge_measurement(spec, measurement, rule, loc)
    if again.code != result.code or again.status != result.status:
        return result
    return replace(result, message=again.message)


register_localizer(localize_result, messages.text, normalize_locale)
