"""The results photocheck returns: measurements, per-check results and the verdict."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..errors import UnknownCheckError, suggest

__all__ = [
    "FIXABLE_ROLL_DEGREES",
    "SCHEMA_VERSION",
    "CheckResult",
    "Measurement",
    "Measurements",
    "Status",
    "Verdict",
    "is_fixable",
    "register_localizer",
]

Status = Literal["pass", "fail", "warn", "not_assessed"]
Scalar = float | int | str | bool | None

# The version of Verdict.to_dict()'s shape, published as docs/verdict.schema.json. A change
# that can break a reader (a key removed, renamed or retyped) bumps the major number.
SCHEMA_VERSION = "2.0"

# Failures ``photocheck fix`` can repair without a retake: the frame (crop and scale), the file
# (re-encode), a head roll up to FIXABLE_ROLL_DEGREES (straighten), and the background colour
# when it is asked to replace the background. A grey photo, a face too small in pixels, a
# turned head or anything about the person are not fixable.
FIXABLE_ROLL_DEGREES = 12.0
_FIXABLE_CODES = frozenset({
    "image.format.too_narrow", "image.format.too_wide", "image.format.too_short",
    "image.format.too_tall", "image.format.aspect", "image.format.file_type",
    "image.format.file_too_small", "image.format.file_too_large",
    "image.format.quality_too_low", "image.format.quality_too_high",
    "geometry.eye_distance.too_large",
    "geometry.head_height.too_small", "geometry.head_height.too_large",
    "geometry.face_width.too_small", "geometry.face_width.too_large",
    "geometry.eye_line.too_high", "geometry.eye_line.too_low",
    "geometry.centring.too_far_left", "geometry.centring.too_far_right",
    "geometry.top_margin.too_small", "geometry.top_margin.too_large",
    "background.colour.not_allowed", "background.colour.too_dark",
})  # fmt: skip
_FRAME_CODES = frozenset({
    "image.format.too_narrow", "image.format.too_wide", "image.format.too_short",
    "image.format.too_tall", "image.format.aspect",
})  # fmt: skip
# The English texts of the frame-first message; other languages come from the catalogues
# (``result.frame_*`` in photocheck.rules.messages.UI), through the registered localizer.
_FRAME_TEXTS = {
    "result.frame_first": (
        "{size}; `photocheck fix` can crop and scale it (framing is judged on the result)."
    ),
    "result.frame_width": "The photo must be {required} px wide (it is {measured} px)",
    "result.frame_height": "The photo must be {required} px high (it is {measured} px)",
    "result.frame_size": "The photo must be {width} x {height} pixels (it is {got})",
}

# Re-renders one result's message in a locale (photocheck.rules.judging registers it; the
# judging layer sits above this module, so it cannot be imported from here).
Localizer = Callable[["CheckResult", str], "CheckResult"]
_LOCALIZER: list[Localizer] = []
# Looks a UI text up: (msgid, locale, English default) -> text; registered with the localizer.
_TEXT: list[Callable[[str, str, str], str]] = []
_NORMALIZE: list[Callable[[str], str]] = []


def register_localizer(
    localize: Localizer,
    text: Callable[[str, str, str], str],
    normalize: Callable[[str], str],
) -> None:
    """Set the functions :meth:`Verdict.localized` renders messages with.

    Parameters
    ----------
    localize : callable
        ``localize(result, locale) -> result`` with the message in ``locale`` (a catalogue
        name).
    text : callable
        ``text(msgid, locale, english) -> str``: the catalogue lookup for the verdict's own
        texts (the frame-first message).
    normalize : callable
        ``normalize(locale_name) -> catalogue name`` (warns on an unknown one).
    """
    _LOCALIZER[:] = [localize]
    _TEXT[:] = [text]
    _NORMALIZE[:] = [normalize]


def _ui(msgid: str, locale: str) -> str:
    english = _FRAME_TEXTS[msgid]
    return _TEXT[0](msgid, locale, english) if _TEXT else english


def is_fixable(code: str, value: Scalar = None) -> bool:
    """Whether ``photocheck fix`` can repair a failure with this code (and value).

    Parameters
    ----------
    code : str
        A failure code, e.g. ``"geometry.centring.too_far_right"``.
    value : float, int, str, bool or None, optional
        The measured value (``pose.roll.tilted`` is fixable up to FIXABLE_ROLL_DEGREES).

    Returns
    -------
    bool
        True for the frame, the file, a moderate roll and the background colour (the last
        when ``fix`` is asked to replace the background).
    """
    if code == "pose.roll.tilted":
        return isinstance(value, int | float) and abs(value) <= FIXABLE_ROLL_DEGREES
    return code in _FIXABLE_CODES


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
        The check's main measured value: always the same quantity, in the same unit, for the
        same check whatever the status (``None`` when it could not be measured), e.g. the
        signed head angle in degrees for ``pose.yaw``.
    limits : Mapping[str, Any]
        Every parameter of the check with the profile's setting, ``None`` where the profile
        sets none: the same keys for the same check whatever the status (e.g.
        ``{"min_ratio": 0.6, "max_ratio": 0.9, "min_px": None, "max_px": None}``).
    details : Mapping[str, float | int | str | bool | None]
        The check's other measured values by name (e.g. ``{"px": 412.0}``); a failure's code
        says which limit failed, and so which value it rests on.
    reason : str or None
        For ``not_assessed``: why the check could not measure, in English (e.g. ``"no face
        was found"``), kept to re-render the message in another language; not in
        :meth:`to_dict` (the message says it).
    """

    check: str
    status: Status
    code: str
    message: str
    value: Scalar = None
    limits: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Scalar] = field(default_factory=dict)
    reason: str | None = None

    @property
    def passed(self) -> bool:
        """Whether the check passed (``warn`` counts as passed)."""
        return self.status in ("pass", "warn")

    @property
    def fixable(self) -> bool:
        """Whether this is a failure ``photocheck fix`` can repair (see :func:`is_fixable`)."""
        return not self.passed and is_fixable(self.code, self.value)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "check": self.check,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "value": jsonable(self.value),
            "limits": jsonable(dict(self.limits)),
            "details": jsonable(dict(self.details)),
            "fixable": self.fixable,
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
    locale : str
        The language of the messages (``"en"``, ``"zh_CN"``, ``"es"``); see
        :meth:`localized`.
    """

    profile: str
    source: str
    results: tuple[CheckResult, ...]
    geometry: Mapping[str, Any] = field(default_factory=dict)
    locale: str = "en"

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", _frame_first(tuple(self.results), self.locale))

    def localized(self, locale: str) -> Verdict:
        """Return the verdict with every message in another language.

        Codes, statuses, values, limits and details are unchanged; only the messages are
        rendered again from the catalogues (:mod:`photocheck.rules.messages`).

        Parameters
        ----------
        locale : str
            ``"en"``, ``"zh_CN"`` or ``"es"`` (``"zh-CN"``, ``"es_ES"``... are understood); an
            unknown locale warns (``UnknownLocaleWarning``) and gives English.

        Returns
        -------
        Verdict
            A new verdict whose ``locale`` is the catalogue used.

        Examples
        --------
        >>> import photocheck, skimage.data
        >>> verdict = photocheck.validate(skimage.data.astronaut())
        >>> verdict.localized("zh_CN")["face.count"].message
        '检测到一张人脸。'
        """
        if not _LOCALIZER:
            raise RuntimeError("import photocheck.api (photocheck does) to localize verdicts")
        loc = _NORMALIZE[0](locale)
        results = tuple(_LOCALIZER[0](r, loc) for r in self.results)
        return replace(self, results=results, locale=loc)

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
            "schema_version": SCHEMA_VERSION,
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


def _frame_first(results: tuple[CheckResult, ...], locale: str = "en") -> tuple[CheckResult, ...]:
    """When the photo is not at the profile's fixed pixel size, say so first in pixel framing failures.

    Pixel limits on the face (``geometry.*`` judged in px) mean nothing on a photo of the
    wrong size: their failure messages become "The photo must be 358 px wide (it is 1350
    px); `photocheck fix` can crop and scale it" (codes, values and limits unchanged).
    """
    size = next((r for r in results if r.code in _FRAME_CODES and not r.passed), None)
    if size is None or not size.code.endswith(("too_narrow", "too_wide", "too_short", "too_tall")):
        return results
    side = "width" if size.code.endswith(("too_narrow", "too_wide")) else "height"
    required = size.limits.get(f"min_{side}")
    if required is None or required != size.limits.get(f"max_{side}"):
        return results
    measured = size.details.get(side, size.value)
    text = _ui(f"result.frame_{side}", locale).format(required=required, measured=measured)
    width, height = size.limits.get("min_width"), size.limits.get("min_height")
    fixed = width == size.limits.get("max_width") and height == size.limits.get("max_height")
    if width is not None and height is not None and fixed:
        # the result's value is its first limit's (the width); the details hold the others
        got_w = size.details.get("width", size.value)
        got = f"{got_w} x {size.details.get('height', '?')}"
        text = _ui("result.frame_size", locale).format(width=width, height=height, got=got)
    return tuple(
        replace(r, message=_ui("result.frame_first", locale).format(size=text))
        if r.check.startswith("geometry.")
        and r.status in ("fail", "warn")
        and r.code.split(".")[-1] not in ("ok", "borderline")
        and _is_pixel_limit(r)
        else r
        for r in results
    )


def _is_pixel_limit(result: CheckResult) -> bool:
    """Whether a result was judged on a pixel value (the profile sets a ``*_px*`` limit)."""
    return any(v is not None and "px" in k.split("_") for k, v in result.limits.items())


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
