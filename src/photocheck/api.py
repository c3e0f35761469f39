"""The entry points: ``measure`` (pixels -> raw values), ``judge`` (values -> verdict), ``validate``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .analysis import Analysis
from .image import DEFAULT_MAX_PIXELS, PhotoInput, load_image
from .profile import Profile, load_profile
from .registry import CheckSpec, NotAssessed, OneOf, Range, get_check, registered
from .verdict import CheckResult, Measurement, Measurements, Status, Verdict

__all__ = ["judge", "judge_measurement", "measure", "validate"]


def measure(
    photo: PhotoInput,
    *,
    checks: Iterable[str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Measurements:
    """Measure a photo with every registered check (or the ones named), without judging.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo (see :func:`photocheck.image.load_image` for what is accepted).
    checks : iterable of str, optional
        Check ids to run; default all registered checks.
    max_pixels : int, optional
        Refuse images with more pixels than this, from the header (default 50 MP).

    Returns
    -------
    Measurements
        Raw values per check; judge them with any profile via :func:`judge`.

    Raises
    ------
    InvalidImageError, UnsupportedFormatError, ImageTooLargeError
        When the photo cannot be read.
    UnknownCheckError
        When a check id is not registered.
    """
    specs = [get_check(c) for c in checks] if checks is not None else list(registered().values())
    analysis = Analysis(load_image(photo, max_pixels=max_pixels))
    by_check = {spec.id: spec.measure(analysis) for spec in specs}
    try:
        geometry = dict(analysis.geometry)
    except NotAssessed:
        geometry = {}
    return Measurements(analysis.image.source, by_check, geometry)


def judge(measurements: Measurements, profile: str | Path | Profile = "icao") -> Verdict:
    """Judge measurements against a profile's limits. Touches no pixels.

    Parameters
    ----------
    measurements : Measurements
        From :func:`measure`.
    profile : str, Path or Profile, optional
        A shipped profile name, a TOML file, or a Profile (default ``"icao"``).

    Returns
    -------
    Verdict
    """
    prof = load_profile(profile)
    results = []
    for check, rule in prof.rules.items():
        spec = get_check(check)
        measurement = measurements.by_check.get(check)
        if measurement is None:
            measurement = Measurement(check, {}, "this check was not measured")
        results.append(judge_measurement(spec, measurement, rule))
    return Verdict(prof.name, measurements.source, tuple(results), measurements.geometry)


def validate(
    photo: PhotoInput,
    profile: str | Path | Profile = "icao",
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Verdict:
    """Check a photo against a profile: ``judge(measure(photo), profile)``.

    Only the checks the profile applies are measured.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo.
    profile : str, Path or Profile, optional
        A shipped profile name (``"icao"``, ``"cn-social-security"``...), a TOML file or a
        Profile (default ``"icao"``).
    max_pixels : int, optional
        Refuse images with more pixels than this (default 50 MP).

    Returns
    -------
    Verdict
        ``verdict.ok`` says whether the photo is accepted; ``verdict.failures`` says why not.

    Examples
    --------
    >>> import photocheck, skimage.data
    >>> verdict = photocheck.validate(skimage.data.astronaut())
    >>> verdict.ok
    False
    >>> verdict["background.uniformity"].code
    'background.uniformity.uneven'
    """
    prof = load_profile(profile)
    return judge(measure(photo, checks=prof.checks, max_pixels=max_pixels), prof)


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
