"""Message catalogues: every text shown to a person, keyed by a stable id, in several languages.

The English texts are declared in code (the checks' outcomes, ``passed``, ``retake`` and
``summary``; :data:`REASONS` for why a check could not measure; :data:`UI` for the rest).
``tools/extract_messages.py`` writes them into ``photocheck/locale/messages.pot`` and the
``en`` catalogue; the other languages are gettext catalogues (``.po`` with a compiled
``.mo``) under ``photocheck/locale/<locale>/LC_MESSAGES/photocheck.mo``, read with the
standard library's :mod:`gettext`. A message id is the stable code (``pose.yaw.turned``,
``pose.yaw.ok``, ``pose.yaw.retake``, ``pose.yaw.summary``, ``reason.no_face``...);
templates use named placeholders (``{value:.0f}``, ``{max}``) and sign choices
(``{degrees:to your left|to your right}``).
"""

from __future__ import annotations

import gettext
import re
import warnings
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib.resources import files

from .registry import CheckSpec, OneOf, Outcome, Range, registered

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "REASONS",
    "UI",
    "UnknownLocaleWarning",
    "declared_messages",
    "normalize_locale",
    "outcome_ids",
    "reason_key",
    "text",
]

DEFAULT_LOCALE = "en"
LOCALES = ("en", "zh_CN", "es")
DOMAIN = "photocheck"


class UnknownLocaleWarning(UserWarning):
    """A locale photocheck has no catalogue for was asked for; English is used instead."""


# Why a check could not measure a photo (the text of a NotAssessed, or of the ValueError a
# score raises). A template's fields match any text; an unlisted reason keeps its English
# text inside ``reason.other``.
REASONS: dict[str, str] = {
    "reason.no_face": "no face was found",
    "reason.several_faces": "several faces of similar size were found",
    "reason.no_reference": "no reference photo was given",
    "reason.pose_unknown": "the head pose could not be estimated",
    "reason.not_measured": "this check was not measured",
    "reason.value_missing": "{name} is not available",
    "reason.turned_eyes": "the head is turned {degrees} degrees: too far to see both eyes",
    "reason.turned_cheeks": "the head is turned {degrees} degrees: too far to see both cheeks",
    "reason.turned_face": "the head is turned {degrees} degrees: too far to see the whole face",
    "reason.cheeks_outside": "the cheeks are not both inside the photo",
    "reason.face_outside": "too little of the face is inside the photo",
    "reason.little_background": "too little background is visible around the head",
    "reason.eyes_closed": "the eyes are closed or not visible",
    "reason.face_small": "the face is too small or not inside the photo",
    "reason.eyes_outside": "the eye region is not fully inside the photo",
    "reason.mouth_outside": "the mouth is not fully inside the photo",
    "reason.bridge_outside": "the eye and nose-bridge region is not fully inside the photo",
    "reason.cheek_region_outside": "the eye and cheek region is not fully inside the photo",
    "reason.head_outside": "the head is outside the photo",
    "reason.region_empty": "the region is empty",
    "reason.region_outside": "the region is empty or outside the image",
    "reason.skin_empty": "the skin region is empty",
    "reason.eye_region_empty": "the eye region is empty",
    "reason.mouth_empty": "the mouth region is empty",
    "reason.region_small": "the {what} region is too small",
    "reason.bridge_off": "the nose bridge is outside the photo",
    "reason.top_off": "the top of the head is outside the photo",
    "reason.zone_empty": "a face zone is empty",
    "reason.background_empty": "the background region is empty",
    "reason.background_dark": "the background is too dark to see a shadow on it",
    "reason.background_beside": "too little plain background beside the head",
    "reason.lower_face_off": "the lower face is outside the photo",
    "reason.upper_face_off": "the upper face is outside the photo",
    "reason.lips_off": "the lip outline is outside the photo",
    "reason.brows_off": "the eyebrows are outside the photo",
    "reason.eye_off": "an eye region is outside the photo",
    "reason.eyes_together": "the eyes are less than a pixel apart",
    "reason.no_values": "no values to take the median of",
    "reason.measure_failed": "could not be measured",
    "reason.internal_error": "internal error in check: {detail}",
    "reason.other": "{detail}",
}

# Every other text: how results are phrased, and the words of the command line, the HTML
# report and the annotated image.
UI: dict[str, str] = {
    "result.not_assessed": "Could not check this ({subject}): {reason}.",
    "result.borderline": (
        "This is close to the limit ({subject}: {value}, limit {limit}); a retake {retake} is safer."
    ),
    "result.borderline_plain": (
        "This is close to the limit ({subject}: {value}, limit {limit}); a retake is safer."
    ),
    "result.frame_first": (
        "{size}; `photocheck fix` can crop and scale it (framing is judged on the result)."
    ),
    "result.frame_width": "The photo must be {required} px wide (it is {measured} px)",
    "result.frame_height": "The photo must be {required} px high (it is {measured} px)",
    "result.frame_size": "The photo must be {width} x {height} pixels (it is {got})",
    "words.or": "{first} or {last}",
    "words.separator": ", ",
    "value.white": "white",
    "value.light_grey": "light grey",
    "value.blue": "blue",
    "value.other": "other",
    "status.pass": "pass",
    "status.fail": "fail",
    "status.warn": "warn",
    "status.not_assessed": "not assessed",
    "verdict.accepted": "accepted",
    "verdict.rejected": "REJECTED",
    "verdict.accepted_title": "Accepted",
    "verdict.rejected_title": "Rejected: {failed} of {total} checks did not pass",
    "verdict.not_checked": "Not checked: {reason} ({which})",
    "verdict.n_checks": "{count} checks",
    "verdict.json_lists": "--json lists them",
    "report.title": "photocheck report",
    "report.meta_photos": "{count} photos",
    "report.meta_profile": ", profile {profile}",
    "report.meta_generated": ", generated {time}",
    "report.passed": "passed",
    "report.failed": "failed",
    "report.errored": "errored",
    "report.common_problems": "most common problems",
    "report.photos": "photos",
    "report.no_problems": "No problems found.",
    "report.status": "Status",
    "report.problem": "Problem",
    "report.all": "all",
    "report.any": "any",
    "report.shown": "{shown} of {total} shown",
    "report.card_profile": "(profile {profile})",
    "report.all_checks": "All {count} checks",
    "report.could_not_check": "Could not check this photo: {error}",
    "report.check": "check",
    "report.status_column": "status",
    "report.value": "value",
    "report.limits": "limits",
    "report.message": "message",
    "report.annotated": "annotated {source}",
    "report.rejected_short": "rejected ({failed} of {total})",
    "report.by_profile": "by profile {profile}",
    "legend.title": "{source}: {head} by profile {profile}",
    "legend.accepted": "ACCEPTED",
    "legend.rejected": "REJECTED ({failed} of {total} checks)",
    "legend.face_box": "face box",
    "legend.mesh": "face mesh points",
    "legend.eye_line": "eyes, eye line",
    "legend.face_centre": "face centre",
    "legend.top_of_head": "top of head",
    "legend.chin": "chin",
    "legend.failed": " (FAILED)",
    "legend.background": "background sampled",
    "legend.bands": "Bands of the same colour: where each line must fall.",
    "legend.item": "{check}: {message}",
}

_NAME = re.compile(r"\{(\w+)\}")


def normalize_locale(locale: str | None) -> str:
    """Return the catalogue a locale name asks for: ``"en"``, ``"zh_CN"`` or ``"es"``.

    ``zh-CN``, ``zh_Hans_CN``, ``zh`` and ``zh_CN.UTF-8`` give ``zh_CN``; ``es_ES``, ``es-MX``
    give ``es``; ``None`` or ``""`` give English. Any other name warns
    (:class:`UnknownLocaleWarning`) and gives English.

    Parameters
    ----------
    locale : str or None
        A POSIX or BCP 47 locale name.

    Returns
    -------
    str
        One of :data:`LOCALES`.
    """
    if not locale:
        return DEFAULT_LOCALE
    parts = [p.lower() for p in re.split(r"[-_]", locale.split(".")[0].split("@")[0]) if p]
    language = parts[0] if parts else ""
    if language == "zh" and not {"tw", "hk", "mo", "hant"} & set(parts[1:]):
        return "zh_CN"
    if language in ("es", "en"):
        return language
    warnings.warn(
        f"no messages in {locale!r}: photocheck speaks {', '.join(LOCALES)}; using English",
        UnknownLocaleWarning,
        stacklevel=3,
    )
    return DEFAULT_LOCALE


@lru_cache(maxsize=8)
def _catalogue(locale: str) -> gettext.NullTranslations:
    path = files("photocheck").joinpath("locale", locale, "LC_MESSAGES", f"{DOMAIN}.mo")
    try:
        with path.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    except OSError:
        return gettext.NullTranslations()


def text(msgid: str, locale: str, default: str) -> str:
    """Return the message ``msgid`` in ``locale`` (already normalised), or ``default``.

    English is the declared text itself (``default``), as is any id a catalogue lacks.
    """
    if locale == DEFAULT_LOCALE:
        return default
    found = _catalogue(locale).gettext(msgid)
    return default if found == msgid else found


@lru_cache(maxsize=1)
def _reason_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    patterns = []
    for key, template in REASONS.items():
        if key == "reason.other":
            continue
        parts = _NAME.split(template)
        regex = "".join(
            f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
        )
        patterns.append((key, re.compile(regex + r"\Z", re.DOTALL)))
    return tuple(patterns)


def reason_key(reason: str) -> tuple[str, dict[str, str]]:
    """Return the :data:`REASONS` key an English reason matches, and its fields.

    Parameters
    ----------
    reason : str
        E.g. ``"the head is turned 52 degrees: too far to see both eyes"``.

    Returns
    -------
    tuple of (str, dict)
        E.g. ``("reason.turned_eyes", {"degrees": "52"})``; ``("reason.other",
        {"detail": reason})`` for a reason no template matches.
    """
    for key, pattern in _reason_patterns():
        match = pattern.match(reason)
        if match is not None:
            return key, match.groupdict()
    return "reason.other", {"detail": reason}


def outcome_ids(spec: CheckSpec) -> dict[tuple[int, str], str]:
    """Return the message id of each outcome of a check, by (limit index, side).

    The id is the outcome's code; when one code carries different templates on different
    limits (a ratio and a pixel version), each gets ``code@<value name>``, with ``.<side>``
    added if that still does not tell them apart.

    Parameters
    ----------
    spec : CheckSpec
        A registered check.

    Returns
    -------
    dict
        ``{(limit_index, side): msgid}``, side ``"too_low"``, ``"too_high"`` or ``"one_of"``.
    """
    found: list[tuple[int, str, str, str, str]] = []  # index, side, code, template, value
    for i, limit in enumerate(spec.limits):
        sides: tuple[tuple[str, Outcome | None], ...] = ()
        if isinstance(limit, Range):
            sides = (("too_low", limit.too_low), ("too_high", limit.too_high))
        elif isinstance(limit, OneOf):
            sides = (("one_of", limit.outcome),)
        for side, outcome in sides:
            if outcome is not None:
                found.append((i, side, outcome.code, outcome.message, limit.value))
    ids: dict[tuple[int, str], str] = {}
    for i, side, code, _, value in found:
        same = [f for f in found if f[2] == code]
        if len({f[3] for f in same}) == 1:
            ids[(i, side)] = code
        elif len({f[3] for f in same if f[4] == value}) == 1:
            ids[(i, side)] = f"{code}@{value}"
        else:
            ids[(i, side)] = f"{code}@{value}.{side}"
    return ids


def _check_messages(spec: CheckSpec) -> Iterator[tuple[str, str]]:
    yield f"{spec.id}.summary", spec.summary
    yield f"{spec.id}.ok", spec.passed
    if spec.retake.strip():
        yield f"{spec.id}.retake", spec.retake.strip()
    templates: dict[tuple[int, str], str] = {}
    for i, limit in enumerate(spec.limits):
        if isinstance(limit, Range):
            for side, outcome in (("too_low", limit.too_low), ("too_high", limit.too_high)):
                if outcome is not None:
                    templates[(i, side)] = outcome.message
        elif isinstance(limit, OneOf):
            templates[(i, "one_of")] = limit.outcome.message
    for key, msgid in outcome_ids(spec).items():
        yield msgid, templates[key]


def declared_messages(
    checks: Mapping[str, CheckSpec] | None = None,
) -> dict[str, str]:
    """Return every message id with its English text: checks, reasons and UI words.

    Parameters
    ----------
    checks : Mapping, optional
        The checks to include (default: every registered check).

    Returns
    -------
    dict
        ``{msgid: English template}``, checks first (in registry order), then
        :data:`REASONS`, then :data:`UI`.
    """
    messages: dict[str, str] = {}
    for spec in (checks if checks is not None else registered()).values():
        messages.update(_check_messages(spec))
    messages.update(REASONS)
    messages.update(UI)
    return messages
