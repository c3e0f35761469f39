"""Make a photo meet a profile: straighten, crop and scale, re-encode, repaint the background.

``fix(photo, profile)`` (:mod:`.api`) returns a :class:`FixResult` with the fixed photo, the
verdicts before and after, the actions taken and, when no fix was possible, the reason.
"""

from __future__ import annotations

from .api import FixAction, FixResult, fix

__all__ = ["FixAction", "FixResult", "fix"]
