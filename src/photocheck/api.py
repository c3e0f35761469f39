"""The entry points: ``measure`` (pixels -> raw values), ``judge`` (values -> verdict), ``validate``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import checks as _builtin_checks  # noqa: F401 - registers the built-in checks
from .analysis import Analysis
from .errors import NotAssessed
from .imaging.load import DEFAULT_MAX_PIXELS, PhotoInput, load_image
from .rules.judging import judge_measurement
from .rules.profile import Profile, load_profile
from .rules.registry import get_check, registered
from .rules.verdict import Measurement, Measurements, Verdict

__all__ = ["judge", "measure", "validate"]


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
        The photo (see :func:`photocheck.imaging.load.load_image` for what is accepted).
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
