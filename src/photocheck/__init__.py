"""photocheck: is this portrait acceptable for an identity document, and if not, why not.

>>> import photocheck
>>> verdict = photocheck.validate("photo.jpg", profile="icao")  # doctest: +SKIP
>>> verdict.ok, [r.message for r in verdict.failures]  # doctest: +SKIP

Importing photocheck is light: the public names below and the subpackages (``checks``,
``batch``, ``evaluation``, ``visual``, ``authoring``...) load on first use, and NumPy, OpenCV
and the face models load when a photo is first measured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ImageTooLargeError,
    InvalidImageError,
    ModelNotFoundError,
    PhotocheckError,
    ProfileError,
    UnknownCheckError,
    UnsupportedFormatError,
)

if TYPE_CHECKING:
    from .api import judge, measure, validate
    from .batch.runner import BatchResult, validate_many
    from .batch.table import MeasurementTable, measure_many
    from .imaging.load import DEFAULT_MAX_PIXELS, load_image
    from .rules.profile import Profile, available_profiles, load_profile
    from .rules.registry import available_checks
    from .rules.verdict import CheckResult, Measurement, Measurements, Verdict
    from .visual.annotate import annotate

__version__ = "0.1.0"

# Public name -> the module that defines it; resolved on first attribute access.
_LAZY_NAMES = {
    "validate": "photocheck.api",
    "measure": "photocheck.api",
    "judge": "photocheck.api",
    "validate_many": "photocheck.batch.runner",
    "BatchResult": "photocheck.batch.runner",
    "measure_many": "photocheck.batch.table",
    "MeasurementTable": "photocheck.batch.table",
    "annotate": "photocheck.visual.annotate",
    "load_image": "photocheck.imaging.load",
    "DEFAULT_MAX_PIXELS": "photocheck.imaging.load",
    "Profile": "photocheck.rules.profile",
    "available_profiles": "photocheck.rules.profile",
    "load_profile": "photocheck.rules.profile",
    "available_checks": "photocheck.rules.registry",
    "CheckResult": "photocheck.rules.verdict",
    "Measurement": "photocheck.rules.verdict",
    "Measurements": "photocheck.rules.verdict",
    "Verdict": "photocheck.rules.verdict",
}
_SUBPACKAGES = (
    "analysis",
    "api",
    "authoring",
    "batch",
    "checks",
    "cli",
    "evaluation",
    "imaging",
    "rules",
    "scores",
    "vision",
    "visual",
)

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "BatchResult",
    "CheckResult",
    "ImageTooLargeError",
    "InvalidImageError",
    "Measurement",
    "MeasurementTable",
    "Measurements",
    "ModelNotFoundError",
    "PhotocheckError",
    "Profile",
    "ProfileError",
    "UnknownCheckError",
    "UnsupportedFormatError",
    "Verdict",
    "__version__",
    "annotate",
    "available_checks",
    "available_profiles",
    "judge",
    "load_image",
    "load_profile",
    "measure",
    "measure_many",
    "validate",
    "validate_many",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        # The API module registers the built-in checks, which profiles are validated against.
        importlib.import_module("photocheck.api")
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"photocheck.{name}")
    else:
        raise AttributeError(f"module 'photocheck' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_NAMES, *_SUBPACKAGES})
