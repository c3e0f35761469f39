"""The entry points: ``measure`` (pixels -> raw values), ``judge`` (values -> verdict), ``validate``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import checks as _builtin_checks  # noqa: F401 - registers the built-in checks
from .analysis import Analysis
from .checks.identity import REFERENCE_CHECKS, REFERENCE_RULES
from .errors import NotAssessed
from .imaging.load import DEFAULT_MAX_PIXELS, PhotoInput, load_image
from .rules.judging import judge_measurement
from .rules.messages import normalize_locale
from .rules.profile import Profile, load_profile
from .rules.registry import get_check, registered
from .rules.verdict import Measurement, Measurements, Verdict
from .vision.identity import ReferenceInput

__all__ = ["judge", "measure", "measure_analysis", "validate"]

# Checks that read neither the geometry (its crown) nor the background: measuring only these
# does not start the helper thread's work.
_WITHOUT_PERSON_MASK = frozenset({"image.format", "face.count"})


def measure(
    photo: PhotoInput,
    *,
    checks: Iterable[str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    reference: ReferenceInput | None = None,
) -> Measurements:
    """Measure a photo with every registered check (or the ones named), without judging.

    Checks that compare with a reference photo (``identity.same_person``) are measured only
    when a reference is given.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo (see :func:`photocheck.imaging.load.load_image` for what is accepted).
    checks : iterable of str, optional
        Check ids to run; default all registered checks.
    max_pixels : int, optional
        Refuse images with more pixels than this, from the header (default 50 MP).
    reference : photo or FaceEncoding, optional
        An earlier photo of the same person (e.g. the card photo on file), or its encoding
        from :func:`photocheck.vision.identity.encode_face`. A reference that cannot be read
        or shows no single face is reported by ``identity.same_person``, not raised.

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
    # Unknown check names raise before the photo is read.
    names = None if checks is None else [get_check(c).id for c in checks]
    analysis = Analysis(load_image(photo, max_pixels=max_pixels), reference)
    return measure_analysis(analysis, names)


def measure_analysis(analysis: Analysis, checks: Iterable[str] | None = None) -> Measurements:
    """Measure an already analysed photo (what :func:`measure` does after loading it).

    For callers that hold an :class:`~photocheck.analysis.Analysis` of a photo they made
    themselves (``photocheck.fix`` measures its framed photo this way). Checks that compare
    with a reference photo are left out when the analysis has none.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis (its image and, optionally, its reference).
    checks : iterable of str, optional
        Check ids to run; default all registered checks.

    Returns
    -------
    Measurements
        Raw values per check.
    """
    specs = [get_check(c) for c in checks] if checks is not None else list(registered().values())
    if analysis.reference is None:
        specs = [spec for spec in specs if spec.id not in REFERENCE_CHECKS]
    if any(spec.id not in _WITHOUT_PERSON_MASK for spec in specs):
        analysis.start_helper()  # the person mask beside face detection
    by_check = {spec.id: spec.measure(analysis) for spec in specs}
    try:
        geometry = dict(analysis.geometry)
    except NotAssessed:
        geometry = {}
    return Measurements(analysis.image.source, by_check, geometry)


def judge(
    measurements: Measurements,
    profile: str | Path | Profile = "icao",
    *,
    locale: str | None = None,
) -> Verdict:
    """Judge measurements against a profile's limits. Touches no pixels.

    A check that compares with a reference photo is left out of the verdict when it was not
    measured (no reference was given); when it was, the reference must be readable and show
    one face whatever the profile says (see :mod:`photocheck.checks.identity`).

    Parameters
    ----------
    measurements : Measurements
        From :func:`measure`.
    profile : str, Path or Profile, optional
        A shipped profile name, a TOML file, or a Profile (default ``"icao"``).
    locale : str, optional
        The language of the messages: ``"en"`` (the default), ``"zh_CN"`` or ``"es"``
        (``"zh-CN"``, ``"es_ES"``... are understood; an unknown one warns and gives English).

    Returns
    -------
    Verdict
    """
    loc = normalize_locale(locale)
    prof = load_profile(profile)
    results = []
    for check, rule in prof.rules.items():
        spec = get_check(check)
        measurement = measurements.by_check.get(check)
        if check in REFERENCE_CHECKS:
            if measurement is None:
                continue
            rule = {**REFERENCE_RULES[check], **rule}
        if measurement is None:
            measurement = Measurement(check, {}, "this check was not measured")
        results.append(judge_measurement(spec, measurement, rule, loc))
    return Verdict(prof.name, measurements.source, tuple(results), measurements.geometry, loc)


def validate(
    photo: PhotoInput,
    profile: str | Path | Profile = "icao",
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    reference: ReferenceInput | None = None,
    locale: str | None = None,
) -> Verdict:
    """Check a photo against a profile: ``judge(measure(photo), profile)``.

    Only the checks the profile applies are measured. With a ``reference``, the profile's
    ``identity.same_person`` rule also says whether the photo shows the same person; without
    one, that check is not applied (it is absent from the verdict).

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo.
    profile : str, Path or Profile, optional
        A shipped profile name (``"icao"``, ``"cn-social-security"``...), a TOML file or a
        Profile (default ``"icao"``).
    max_pixels : int, optional
        Refuse images with more pixels than this (default 50 MP).
    reference : photo or FaceEncoding, optional
        The photo on file to compare with (path, bytes, file, array, PIL image), or its
        stored encoding (:func:`photocheck.vision.identity.encode_face`), which saves
        encoding it again on every call. dlib and the encoding model load only when one is
        given.
    locale : str, optional
        The language of the messages: ``"en"`` (the default), ``"zh_CN"`` or ``"es"``; see
        :func:`judge`.

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
    loc = normalize_locale(locale)  # before measuring: an unknown locale warns at once
    prof = load_profile(profile)
    found = measure(photo, checks=prof.checks, max_pixels=max_pixels, reference=reference)
    return judge(found, prof, locale=loc)
