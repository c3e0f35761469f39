"""What a check author needs: the registration decorator, limit types and the photo context.

>>> from photocheck.authoring import Outcome, Range, register_check
>>> @register_check(
...     "custom.wide_enough", summary="Image width in pixels", passed="Wide enough.",
...     limits=[Range("px", "min_px", None,
...                   too_low=Outcome("custom.wide_enough.narrow", "Use a wider photo."))],
... )
... def wide_enough(analysis):
...     return {"px": analysis.width}

A profile can then name ``custom.wide_enough`` with a ``min_px`` parameter. Importing this
module registers the built-in checks too, so :func:`get_check` sees every check.
"""

from __future__ import annotations

from . import checks as _builtin_checks  # noqa: F401 - registers the built-in checks
from .analysis import Analysis
from .errors import NotAssessed
from .rules.registry import (
    CheckSpec,
    OneOf,
    Outcome,
    Range,
    available_checks,
    get_check,
    register_check,
    registered,
)
from .rules.verdict import Scalar

__all__ = [
    "Analysis",
    "CheckSpec",
    "NotAssessed",
    "OneOf",
    "Outcome",
    "Range",
    "Scalar",
    "available_checks",
    "get_check",
    "register_check",
    "registered",
]
