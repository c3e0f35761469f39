"""The check registry: every check, built-in or user-made, is registered here.

A check is a measuring function (photo context in, named raw values out) plus a declarative
list of limits saying which profile parameters bound which value, and what to tell the person
when a value falls outside. Profiles only set the parameters; :func:`photocheck.judge` applies
them without touching pixels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from ..errors import NotAssessed, PhotocheckError, UnknownCheckError, suggest
from .verdict import Measurement, Scalar

if TYPE_CHECKING:
    from ..analysis import Analysis

__all__ = [
    "CheckSpec",
    "OneOf",
    "Outcome",
    "Range",
    "available_checks",
    "get_check",
    "register_check",
]


@dataclass(frozen=True)
class Outcome:
    """A machine code and a message template for one way a check can fail.

    The template may use ``{value}`` (the value the failing limit bounds), ``{min}``,
    ``{max}``, ``{allowed}`` and every value the check measured, by name (``{degrees}``).
    A format spec ``when_negative|otherwise`` picks a text by the number's sign
    (``{degrees:to your right|to your left}``). A number shown with a fixed precision gets
    more decimals when rounding would put it on the wrong side of its limit ("0.8 px; at
    least 1 px", never "1 px; at least 1 px").
    """

    code: str
    message: str


@dataclass(frozen=True)
class Range:
    """A numeric limit: ``min_param <= values[value] <= max_param``.

    Either parameter may be ``None`` (no such side) and a profile may set either or both.

    ``noise`` is how much the value moves, in its own unit, under changes to a photo that
    should not matter (a re-encode, a mirror image, a small crop or resize;
    ``tools/stability.py --noise`` measures it). A value closer to a limit than ``noise`` is
    judged ``warn`` with the code ``<check>.borderline`` rather than pass or fail, whichever
    side it is on; only a value beyond the limit by ``noise`` or more fails. 0 (the default)
    judges the limit exactly.

    ``plausible`` is ``(lo, hi)``, in the value's unit: the limits that still make sense for
    the rule (from what the value means and the standards, not from any photo set). A
    parameter set outside it is legal, but ``photocheck tune`` refuses to write one there
    without ``--force``. None (the default) declares no range.
    """

    value: str
    min_param: str | None
    max_param: str | None
    too_low: Outcome | None = None
    too_high: Outcome | None = None
    noise: float = 0.0
    plausible: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not self.noise >= 0.0:  # also rejects NaN
            raise PhotocheckError(f"Range({self.value!r}): noise must be >= 0, not {self.noise!r}")
        if self.plausible is not None:
            lo, hi = self.plausible
            if not lo <= hi:  # also rejects NaN
                raise PhotocheckError(
                    f"Range({self.value!r}): plausible must be (lo, hi) with lo <= hi, "
                    f"not {self.plausible!r}"
                )
            object.__setattr__(self, "plausible", (float(lo), float(hi)))

    @property
    def params(self) -> tuple[str, ...]:
        """The profile parameter names this limit reads."""
        return tuple(p for p in (self.min_param, self.max_param) if p is not None)


@dataclass(frozen=True)
class OneOf:
    """A categorical limit: ``values[value]`` must be one of the profile's ``param`` list."""

    value: str
    param: str
    outcome: Outcome

    @property
    def params(self) -> tuple[str, ...]:
        """The profile parameter names this limit reads."""
        return (self.param,)


Limit: TypeAlias = Range | OneOf
MeasureFn: TypeAlias = "Callable[[Analysis], Mapping[str, Scalar]]"


@dataclass(frozen=True)
class CheckSpec:
    """A registered check.

    Attributes
    ----------
    id : str
        Stable dotted id, e.g. ``"geometry.head_height"``.
    summary : str
        One line saying what is measured.
    measure_values : callable
        ``fn(analysis) -> {name: value}``; raises :class:`NotAssessed` when it cannot measure.
    limits : tuple of Range or OneOf
        Which profile parameters bound which values.
    passed : str
        The message shown when every limit holds.
    retake : str
        How a retake would move a borderline value clear of its limit, completing "a retake
        ... is safer" (e.g. ``"facing the camera squarely"``); empty for no advice.
    value : str
        The name of the measured value every result of this check reports as its ``value``
        (the others go in ``details``); empty for the default, :attr:`value_name`.
    """

    id: str
    summary: str
    measure_values: MeasureFn
    limits: tuple[Limit, ...]
    passed: str
    retake: str = ""
    value: str = ""

    @property
    def params(self) -> tuple[str, ...]:
        """Every profile parameter this check understands (besides ``severity``), in order."""
        return tuple(dict.fromkeys(p for limit in self.limits for p in limit.params))

    @property
    def value_name(self) -> str:
        """The measured value a result reports as ``value``, whatever its status.

        The ``value`` given at registration; by default the first limit's value, except that
        a limit on ``abs_<name>`` reports the signed ``<name>`` (a signed angle says which
        way; its magnitude is what the limit bounds) when the check measures it. Empty for a
        check without limits.
        """
        if self.value:
            return self.value
        if not self.limits:
            return ""
        first = self.limits[0].value
        return first[len("abs_") :] if first.startswith("abs_") else first

    def measure(self, analysis: Analysis) -> Measurement:
        """Run the measuring function; a :class:`NotAssessed` becomes a reasoned result.

        Any other exception inside a check is caught too, so that one broken check never
        breaks the others; its reason names the exception.
        """
        try:
            values = self.measure_values(analysis)
        except NotAssessed as exc:
            return Measurement(self.id, {}, str(exc) or "could not be measured")
        except PhotocheckError:
            raise
        except Exception as exc:
            return Measurement(self.id, {}, f"internal error in check: {type(exc).__name__}: {exc}")
        return Measurement(self.id, dict(values))


_REGISTRY: dict[str, CheckSpec] = {}
_LOCK = threading.Lock()


def register_check(
    check_id: str,
    *,
    summary: str,
    limits: tuple[Limit, ...] | list[Limit],
    passed: str,
    retake: str = "",
    value: str = "",
    replace: bool = False,
) -> Callable[[MeasureFn], MeasureFn]:
    """Register a measuring function as a check (a decorator).

    Parameters
    ----------
    check_id : str
        The stable dotted id profiles and results will use.
    summary : str
        One line saying what is measured.
    limits : sequence of Range or OneOf
        Which profile parameters bound which measured values, and the failure messages.
    passed : str
        The message shown when the check passes.
    retake : str, optional
        How a retake would move a value that is within a limit's ``noise`` of it clear of
        the limit, completing "a retake ... is safer" (e.g. ``"in even, bright light"``);
        default: no advice.
    value : str, optional
        The measured value every result reports as ``value`` (the others go in its
        ``details``); default: the first limit's value, or the signed ``<name>`` when that
        limit bounds ``abs_<name>``.
    replace : bool, optional
        Allow replacing an existing check with the same id (default False raises).

    Returns
    -------
    callable
        The decorator; it returns the function unchanged.

    Examples
    --------
    >>> from photocheck.authoring import register_check, Range, Outcome
    >>> @register_check(
    ...     "custom.width", summary="Image width in pixels", passed="Width is fine.",
    ...     limits=[Range("px", "min_px", None,
    ...                   too_low=Outcome("custom.width.small", "Use a wider photo."))],
    ... )
    ... def width(analysis):
    ...     return {"px": analysis.width}
    """

    def decorator(fn: MeasureFn) -> MeasureFn:
        spec = CheckSpec(check_id, summary, fn, tuple(limits), passed, retake, value)
        with _LOCK:
            if check_id in _REGISTRY and not replace:
                raise PhotocheckError(f"a check named {check_id!r} is already registered")
            _REGISTRY[check_id] = spec
        return fn

    return decorator


def available_checks() -> tuple[str, ...]:
    """Return the ids of every registered check, built-in ones first."""
    return tuple(_REGISTRY)


def get_check(check_id: str) -> CheckSpec:
    """Return the registered check ``check_id``.

    The built-in checks are registered when :mod:`photocheck.checks` is imported, which
    :mod:`photocheck.api` (and so every top-level function) does.

    Raises
    ------
    UnknownCheckError
        When no check has that id; the message suggests the closest ids.
    """
    try:
        return _REGISTRY[check_id]
    except KeyError:
        if not _REGISTRY:
            raise UnknownCheckError(
                f"unknown check {check_id!r}: no check is registered yet. Import "
                "photocheck.checks (photocheck.load_profile and the other top-level "
                "functions do) to register the built-in checks."
            ) from None
        raise UnknownCheckError(
            f"unknown check {check_id!r}.{suggest(check_id, _REGISTRY)} "
            f"Known checks: {', '.join(_REGISTRY)}"
        ) from None


def registered() -> Mapping[str, CheckSpec]:
    """Return the registry (id -> spec): every check registered so far."""
    return dict(_REGISTRY)
