"""photocheck: is this portrait acceptable for an identity document, and if not, why not.

>>> import photocheck
>>> verdict = photocheck.validate("photo.jpg", profile="icao")  # doctest: +SKIP
>>> verdict.ok, [r.message for r in verdict.failures]  # doctest: +SKIP

Importing photocheck is light: NumPy, OpenCV and the face models load on first use.
"""

from .api import judge, measure, validate
from .errors import (
    ImageTooLargeError,
    InvalidImageError,
    ModelNotFoundError,
    PhotocheckError,
    ProfileError,
    UnknownCheckError,
    UnsupportedFormatError,
)
from .image import DEFAULT_MAX_PIXELS, load_image
from .profile import Profile, available_profiles, load_profile
from .registry import (
    NotAssessed,
    OneOf,
    Outcome,
    Range,
    available_checks,
    get_check,
    register_check,
)
from .verdict import CheckResult, Measurement, Measurements, Verdict

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "CheckResult",
    "ImageTooLargeError",
    "InvalidImageError",
    "Measurement",
    "Measurements",
    "ModelNotFoundError",
    "NotAssessed",
    "OneOf",
    "Outcome",
    "PhotocheckError",
    "Profile",
    "ProfileError",
    "Range",
    "UnknownCheckError",
    "UnsupportedFormatError",
    "Verdict",
    "__version__",
    "available_checks",
    "available_profiles",
    "get_check",
    "judge",
    "load_image",
    "load_profile",
    "measure",
    "register_check",
    "validate",
]
