"""The results photocheck returns: measurements, per-check results and the verdict."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import UnknownCheckError, suggest

__all__ = ["CheckResult", "Measurement", "Measurements", "Status", "Verdict"]

Status = Literal["pass", "fail", "warn", "not_assessed"]
Scalar = float | int | str | bool | None


@dataclass(frozen=True)
class Measurement:
    """The raw output of one check on one photo: named values, no thresholds.

    Attributes
    ----------
    check : str
        The dotted check id, e.g. ``"sharpness"``.
    values : Mapping[str, float | int | str | bool | None]
        The measured values by name (e.g. ``{"ratio": 0.72, "px": 310}``). Empty when the
        check could not measure.
    reason : str or None
        Why the check could not measure (``None`` when it did).
    """

    check: str
    values: Mapping[str, Scalar] = field(default_factory=dict)
    reason: str | None = None

    @property
    def assessed(self) -> bool:
        """Whether the check could measure the photo."""
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"check": self.check, "values": jsonable(dict(self.values)), "reason": self.reason}


@dataclass(frozen=True)
class Measurements:
    """Everything ``measure()`` found in one photo, ready to be judged by any profile.

    Attributes
    ----------
    source : str
        A short description of where the photo came from (file name, ``"<array>"``...).
    by_check : Mapping[str, Measurement]
        One measurement per registered check.
    geometry : Mapping[str, Any]
        The face geometry the checks used (eye centres, chin, crown, pose...), or empty when
        no single face was found.
    """

    source: str
    by_check: Mapping[str, Measurement]
    geometry: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, check: str) -> Measurement:
        if check not in self.by_check:
            raise UnknownCheckError(
                f"no measurement of {check!r}.{suggest(check, self.by_check)} "
                f"Measured checks: {', '.join(self.by_check)}"
            )
        return self.by_check[check]

    def __iter__(self) -> Iterator[Measurement]:
        return iter(self.by_check.values())

    def __len__(self) -> int:
        return len(self.by_check)

    def flat(self) -> dict[str, Scalar]:
        """Return the values as one flat mapping ``"check:value_name" -> value``."""
        row: dict[str, Scalar] = {}
        for m in self.by_check.values():
            for name, value in m.values.items():
                row[f"{m.check}:{name}"] = value
            if m.reason is not None:
                row[f"{m.check}:reason"] = m.reason
        return row

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "source": self.source,
            "geometry": jsonable(dict(self.geometry)),
            "measurements": [m.to_dict() for m in self.by_check.values()],
        }


@dataclass(frozen=True)
class CheckResult:
    """The judgement of one check on one photo.

    Attributes
    ----------
    check : str
        The dotted check id.
    status : {"pass", "fail", "warn", "not_assessed"}
        ``warn`` is a failure of a rule the profile marks as advisory.
    code : str
        Stable machine code, e.g. ``"geometry.head_height.too_large"``, ``"sharpness.ok"``.
    message : str
        What the person should do, in plain words.
    value : float, int, str, bool or None
        The measured value the decision rests on.
    limits : Mapping[str, Any]
        The limits the value was judged against (e.g. ``{"min": 0.6, "max": 0.9}``).
    """

    check: str
    status: Status
    code: str
    message: str
    value: Scalar = None
    limits: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the check passed (``warn`` counts as passed)."""
        return self.status in ("pass", "warn")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "check": self.check,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "value": jsonable(self.value),
            "limits": jsonable(dict(self.limits)),
        }


@dataclass(frozen=True)
class Verdict:
    """The verdict of a profile on one photo.

    Attributes
    ----------
    profile : str
        The profile's name.
    source : str
        Where the photo came from.
    results : tuple of CheckResult
        One result per check the profile applies, in the profile's order.
    geometry : Mapping[str, Any]
        The face geometry the verdict was judged on.
    """

    profile: str
    source: str
    results: tuple[CheckResult, ...]
    geometry: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every check passed or warned; ``not_assessed`` is not ok."""
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The results that keep the photo from being accepted (fail and not_assessed)."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def warnings(self) -> tuple[CheckResult, ...]:
        """The results with status ``warn``."""
        return tuple(r for r in self.results if r.status == "warn")

    def __getitem__(self, check: str) -> CheckResult:
        for r in self.results:
            if r.check == check:
                return r
        raise KeyError(f"check {check!r} is not in this verdict (profile {self.profile!r})")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "source": self.source,
            "profile": self.profile,
            "ok": self.ok,
            "results": [r.to_dict() for r in self.results],
            "geometry": jsonable(dict(self.geometry)),
        }

    def to_json(self, **kwargs: Any) -> str:
        """Return the verdict as JSON text (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.to_dict(), **kwargs)

    def _repr_markdown_(self) -> str:
        """Return a Markdown table of the results (what notebooks show).

        A verdict holds no pixels; :func:`photocheck.visual.report.verdict_html` renders it
        as HTML with the annotated thumbnail when given the photo.
        """
        head = "accepted" if self.ok else f"rejected ({len(self.failures)} of {len(self.results)})"
        lines = [
            f"**{_md(self.source)}**: **{head}** by profile {_md(self.profile)}",
            "",
            "| check | status | message |",
            "|---|---|---|",
        ]
        lines += [f"| {r.check} | {r.status} | {_md(r.message)} |" for r in self.results]
        return "\n".join(lines)


def _md(text: str) -> str:
    """Escape text for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def jsonable(value: Any) -> Any:
    """Convert NumPy scalars, tuples and non-finite floats into JSON-ready values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    tolist = getattr(value, "tolist", None)  # NumPy array or scalar (-> list or Python scalar)
    if callable(tolist):
        return jsonable(tolist())
    return str(value)
