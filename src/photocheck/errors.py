"""Exceptions raised when photocheck is called with input it cannot use.

"Could not measure" is never an exception: a check that cannot assess a photo returns a
``not_assessed`` result with a reason. These exceptions are for caller misuse: unreadable
files, wrong array shapes, unknown profiles or check names, missing models.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ImageTooLargeError",
    "InvalidEncodingError",
    "InvalidImageError",
    "ModelNotFoundError",
    "NoSingleFaceError",
    "NotAssessed",
    "PhotocheckError",
    "ProfileError",
    "UnknownCheckError",
    "UnsupportedFormatError",
]


class PhotocheckError(Exception):
    """Base class of every error photocheck raises on purpose."""


class InvalidImageError(PhotocheckError, ValueError):
    """The photo could not be read: corrupt, truncated, wrong type, shape or dtype."""


class UnsupportedFormatError(InvalidImageError):
    """The data is an image in a format no installed decoder can read (e.g. HEIC)."""


class ImageTooLargeError(InvalidImageError):
    """The image has more pixels than the configured limit (checked before decoding)."""


class ProfileError(PhotocheckError, ValueError):
    """A profile is unknown, or its TOML has unknown keys or values of the wrong type."""


class UnknownCheckError(ProfileError, KeyError):
    """A check id is not registered."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ModelNotFoundError(PhotocheckError, RuntimeError):
    """A bundled model file is missing or cannot be read."""


class NoSingleFaceError(PhotocheckError, ValueError):
    """A photo to encode shows no face, or several: an encoding needs exactly one.

    Attributes
    ----------
    faces : int
        How many faces were found.
    """

    def __init__(self, message: str, faces: int) -> None:
        super().__init__(message)
        self.faces = faces


class InvalidEncodingError(PhotocheckError, ValueError):
    """A stored face encoding is not 128 finite numbers."""


class NotAssessed(Exception):
    """Raised inside a measuring function when the photo cannot be measured.

    Not a :class:`PhotocheckError`: it never reaches the caller. The check's result becomes
    ``not_assessed`` and the message is the reason shown to the person, e.g.
    ``"no face was found"``.
    """


def suggest(name: str, valid: Iterable[str]) -> str:
    """Return a ``" Did you mean ...?"`` hint naming the closest valid names, or ``""``."""
    valid = sorted(valid)
    close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5)
    if close:
        return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
    return ""
