"""The built-in checks, and :func:`run` to apply one check on its own.

Importing this package registers the built-in checks (see :mod:`photocheck.registry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import background, face_count, features, geometry, image_format, lighting, pose, quality

if TYPE_CHECKING:
    from ..image import PhotoInput
    from ..profile import Profile
    from ..verdict import CheckResult

__all__ = ["run"]

_MODULES = (background, face_count, features, geometry, image_format, lighting, pose, quality)


def run(check: str, photo: PhotoInput, profile: str | Profile = "icao") -> CheckResult:
    """Measure and judge one check on one photo.

    Parameters
    ----------
    check : str
        A registered check id, e.g. ``"sharpness"``.
    photo : path, bytes, file, ndarray or PIL image
        The photo.
    profile : str or Profile, optional
        Where the limits come from (default ``"icao"``). When the profile has no rule for
        the check, the check is judged with no limits (it passes when it can measure).

    Returns
    -------
    CheckResult
    """
    from ..analysis import Analysis
    from ..api import judge_measurement
    from ..image import load_image
    from ..profile import load_profile
    from ..registry import get_check

    spec = get_check(check)
    rules = load_profile(profile).rules
    measurement = spec.measure(Analysis(load_image(photo)))
    return judge_measurement(spec, measurement, rules.get(check, {}))
