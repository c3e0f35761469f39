"""photocheck: is this portrait acceptable for an identity document, and if not, why not.

>>> import photocheck
>>> verdict = photocheck.validate("photo.jpg", profile="icao")  # doctest: +SKIP
>>> verdict.ok, [r.message for r in verdict.failures]  # doctest: +SKIP

Importing photocheck is light: the public names below and the subpackages (``checks``,
``batch``, ``evaluation``, ``visual``, ``authoring``...) load on first use, and NumPy, OpenCV
and the face models load when a photo is first measured. ``photocheck.report`` is
:mod:`photocheck.visual.report`; ``photocheck.annotate`` is :mod:`photocheck.visual.annotate`
made callable, so both ``photocheck.annotate(photo, verdict)`` and
``photocheck.annotate.annotate(photo, verdict)`` draw a verdict.
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any

from .errors import (
    ImageTooLargeError,
    InvalidEncodingError,
    InvalidImageError,
    ModelNotFoundError,
    NoSingleFaceError,
    PhotocheckError,
    ProfileError,
    UnknownCheckError,
    UnsupportedFormatError,
)

if TYPE_CHECKING:
    from .api import judge, measure, validate
    from .batch.runner import BatchResult, validate_many
    from .batch.table import MeasurementTable, measure_many
    from .fixing.api import FixResult, fix
    from .imaging.load import DEFAULT_MAX_PIXELS, load_image
    from .rules.messages import UnknownLocaleWarning
    from .rules.profile import Profile, available_profiles, load_profile
    from .rules.registry import available_checks
    from .rules.verdict import CheckResult, Measurement, Measurements, Verdict
    from .vision.identity import FaceEncoding, encode_face
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
    "fix": "photocheck.fixing.api",
    "FixResult": "photocheck.fixing.api",
    "UnknownLocaleWarning": "photocheck.rules.messages",
    "encode_face": "photocheck.vision.identity",
    "FaceEncoding": "photocheck.vision.identity",
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
    "fixing",
    "imaging",
    "rules",
    "scores",
    "vision",
    "visual",
)
# Short names for modules deeper down (``photocheck.tuning.evaluate(...)``).
_MODULE_ALIASES = {
    "tuning": "photocheck.evaluation.tuning",
    "report": "photocheck.visual.report",
    "annotate": "photocheck.visual.annotate",
}


class _CallableModule(types.ModuleType):
    """A module that, called, calls its function of the same name (``photocheck.annotate``)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)


__all__ = [
    "DEFAULT_MAX_PIXELS",
    "BatchResult",
    "CheckResult",
    "FaceEncoding",
    "FixResult",
    "ImageTooLargeError",
    "InvalidEncodingError",
    "InvalidImageError",
    "Measurement",
    "MeasurementTable",
    "Measurements",
    "ModelNotFoundError",
    "NoSingleFaceError",
    "PhotocheckError",
    "Profile",
    "ProfileError",
    "UnknownCheckError",
    "UnknownLocaleWarning",
    "UnsupportedFormatError",
    "Verdict",
    "__version__",
    "annotate",
    "available_checks",
    "available_profiles",
    "encode_face",
    "fix",
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
    elif name in _MODULE_ALIASES:
        value = importlib.import_module(_MODULE_ALIASES[name])
        if name == "annotate":
            value.__class__ = _CallableModule
    else:
        raise AttributeError(f"module 'photocheck' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_NAMES, *_SUBPACKAGES, *_MODULE_ALIASES})
