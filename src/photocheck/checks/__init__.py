"""The built-in checks, and :func:`run` to apply one check on its own.

Importing this package registers the built-in checks (see :mod:`photocheck.rules.registry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import (  # noqa: F401 - importing a check module registers its checks
    background,
    face_count,
    features,
    geometry,
    identity,
    image_format,
    lighting,
    occlusion,
    pose,
    quality,
)

if TYPE_CHECKING:
    from ..imaging.load import PhotoInput
    from ..rules.profile import Profile
    from ..rules.verdict import CheckResult

__all__ = ["run"]


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
    from ..imaging.load import load_image
    from ..rules.judging import judge_measurement
    from ..rules.profile import load_profile
    from ..rules.registry import get_check

    spec = get_check(check)
    rules = load_profile(profile).rules
    measurement = spec.measure(Analysis(load_image(photo)))
    return judge_measurement(spec, measurement, rules.get(check, {}))
