"""A self-contained HTML report over many photos, and the HTML view of one verdict.

The report is one HTML file: a summary (passed / failed / errored, the most common failure
codes), then one card per photo with its annotated thumbnail (embedded as a base64 JPEG,
lazily decoded), the verdict and every check's value against its limits. A small inline
script filters the cards by status and by failure code, and builds a card's table of every
check (stored as escaped JSON on the card) when it is first opened, so that thousands of
closed tables do not weigh on the page's load. The page fetches nothing (its
Content-Security-Policy forbids it), every string that comes from the input is HTML-escaped
(and set with ``textContent`` by the script), and all page work is linear in the number of
cards, so a few thousand photos stay usable.
"""

from __future__ import annotations

import base64
import html
import json
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PhotocheckError
from ..imaging.load import PhotoInput
from ..rules.messages import UI, normalize_locale, text
from ..rules.profile import Profile
from ..rules.verdict import CheckResult, Verdict

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ..fixing.api import FixResult
    from ..imaging.sources import Source

__all__ = [
    "ReportItem",
    "check_photos",
    "fix_html",
    "render_report",
    "verdict_html",
    "write_fix_report",
    "write_report",
]

_STATUS_LABEL = {"pass": "report.passed", "fail": "report.failed", "error": "report.errored"}
_TOP_CODES = 12
_HTML_LANG = {"en": "en", "zh_CN": "zh-CN", "es": "es"}


def _ui(msgid: str, locale: str, **fields: object) -> str:
    """Return a UI text of the catalogues in ``locale``, filled with ``fields``."""
    found = text(msgid, locale, UI[msgid])
    return found.format(**fields) if fields else found


def _in_locale(verdict: Verdict, locale: str) -> Verdict:
    return verdict if verdict.locale == locale else verdict.localized(locale)


@dataclass(frozen=True)
class ReportItem:
    """One photo in a report.

    Attributes
    ----------
    source : str
        Where the photo came from (shown as the card's title).
    verdict : Verdict or None
        The verdict, or None when the photo could not be checked.
    thumbnail : bytes or None
        The annotated thumbnail, JPEG-encoded, or None.
    error : str or None
        Why the photo could not be checked (None when it was).

    """

    source: str
    verdict: Verdict | None = None
    thumbnail: bytes | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        """``"pass"``, ``"fail"`` or ``"error"``."""
        if self.verdict is None:
            return "error"
        return "pass" if self.verdict.ok else "fail"


def thumbnail_jpeg(rgb: NDArray[np.uint8], *, quality: int = 75) -> bytes:
    """Encode an RGB image as JPEG bytes."""
    import cv2

    ok, data = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise PhotocheckError("could not encode the thumbnail")
    return bytes(data.tobytes())


def check_photos(
    photos: Iterable[PhotoInput | Source],
    profile: str | Path | Profile = "icao",
    *,
    thumb_width: int = 280,
    locale: str | None = None,
) -> Iterator[ReportItem]:
    """Validate photos one by one and annotate each, for :func:`render_report`.

    Parameters
    ----------
    photos : iterable
        Paths (or anything :func:`photocheck.load_image` accepts), or the
        :class:`~photocheck.imaging.sources.Source` items of
        :func:`photocheck.imaging.sources.expand_sources`.
    profile : str, Path or Profile, optional
        The profile to judge with (default ``"icao"``).
    thumb_width : int, optional
        Width of the annotated thumbnails in pixels (default 280).
    locale : str, optional
        The language of the messages: ``"en"`` (default), ``"zh_CN"`` or ``"es"``.

    Yields
    ------
    ReportItem
        One per photo; a photo that cannot be read gives an item with ``error`` set.

    """
    from ..api import validate
    from ..imaging.load import load_image
    from ..imaging.sources import Source, open_payload
    from ..rules.profile import load_profile
    from .annotate import annotate

    loc = normalize_locale(locale)
    prof = load_profile(profile)
    for photo in photos:
        name: str | None
        if isinstance(photo, Source):
            name, payload = photo.label, photo.payload
        else:
            name = str(photo) if isinstance(photo, str | Path) else None
            payload = photo
        try:
            image = load_image(open_payload(payload))
            verdict = validate(image, prof, locale=loc)
        except PhotocheckError as exc:
            yield ReportItem(name or "<photo>", error=str(exc))
            continue
        drawn = annotate(
            image, verdict, profile=prof, width=min(thumb_width, image.width), legend=False
        )
        yield ReportItem(name or verdict.source, verdict, thumbnail_jpeg(drawn))


def write_report(
    sources: Iterable[Any],
    output: str | Path,
    *,
    profile: str | Path | Profile = "icao",
    title: str | None = None,
    thumb_width: int = 280,
    locale: str | None = None,
) -> dict[str, int]:
    """Check every photo in ``sources`` (files, folders or globs) and write the HTML report.

    Parameters
    ----------
    sources : iterable
        Photo files, folders (searched recursively) and globs, or anything else
        :func:`photocheck.imaging.sources.expand_sources` expands (as a batch does). A glob
        that matches nothing or a folder without photos gives an errored card.
    output : str or Path
        The HTML file to write.
    profile : str, Path or Profile, optional
        The profile to judge with (default ``"icao"``).
    title : str, optional
        The page title (default "photocheck report", in ``locale``).
    thumb_width : int, optional
        Width of the thumbnails in pixels (default 280).
    locale : str, optional
        The language of the report and its messages: ``"en"`` (default), ``"zh_CN"`` or
        ``"es"``.

    Returns
    -------
    dict
        Counts: ``photos``, ``pass``, ``fail``, ``error``, and ``bytes`` written.

    """
    from ..imaging.sources import expand_sources
    from ..rules.profile import load_profile

    loc = normalize_locale(locale)
    prof = load_profile(profile)
    items = list(check_photos(expand_sources(sources), prof, thumb_width=thumb_width, locale=loc))
    page = render_report(items, title=title, profile=prof.name, locale=loc)
    data = page.encode("utf-8")
    Path(output).write_bytes(data)
    counts = Counter(item.status for item in items)
    return {
        "photos": len(items),
        "pass": counts["pass"],
        "fail": counts["fail"],
        "error": counts["error"],
        "bytes": len(data),
    }


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def format_value(value: Any) -> str:
    """Format a measured value or limit for display (not escaped)."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "\u2013" if not math.isfinite(value) else f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v).replace("_", " ") for v in value)
    return str(value)


def format_limits(limits: Mapping[str, Any]) -> str:
    """Format a result's limits: ``"0.6 - 0.9"``, ``">= 90"``, ``"one of white, blue"``..."""
    if not limits:
        return ""
    if set(limits) <= {"min", "max"}:
        low, high = limits.get("min"), limits.get("max")
        if low is not None and high is not None:
            return f"{format_value(low)} \u2013 {format_value(high)}"
        if low is not None:
            return f"\u2265 {format_value(low)}"
        return f"\u2264 {format_value(high)}" if high is not None else ""
    if set(limits) == {"allowed"}:
        return f"one of {format_value(limits['allowed'])}"
    # Every parameter of the check, None where the profile sets none: show the set ones, a
    # min_x / max_x pair as one range ("ratio 0.6 - 0.9", "abs degrees <= 5").
    parts: list[str] = []
    for name, setting in limits.items():
        if setting is None:
            continue
        side, _, base = name.partition("_")
        if side in ("min", "max") and base:
            if f"min_{base}" in limits and side == "max" and limits[f"min_{base}"] is not None:
                continue  # shown with its min
            pair = {"min": limits.get(f"min_{base}"), "max": limits.get(f"max_{base}")}
            parts.append(f"{base.replace('_', ' ')} {format_limits(pair)}")
        elif isinstance(setting, list | tuple):
            label = "" if name == "allowed" else f"{name.replace('_', ' ')}: "
            parts.append(f"{label}one of {format_value(setting)}")
        else:
            parts.append(f"{name.replace('_', ' ')} {format_value(setting)}")
    return "; ".join(parts)


def _results_rows(results: Sequence[CheckResult], locale: str = "en") -> list[list[str]]:
    """Each result as ``[check, status, value, limits, message, code, status label]``."""
    return [
        [
            r.check,
            r.status,
            format_value(r.value),
            format_limits(r.limits),
            r.message,
            r.code,
            _ui(f"status.{r.status}", locale),
        ]
        for r in results
    ]


def _img(jpeg: bytes, alt: str) -> str:
    data = base64.b64encode(jpeg).decode("ascii")
    return (
        f'<img loading="lazy" decoding="async" alt="{_e(alt)}" src="data:image/jpeg;base64,{data}">'
    )


def _issue_codes(verdict: Verdict) -> list[str]:
    """Codes of the results that are not a plain pass (fail, warn, not_assessed), unique."""
    return list(dict.fromkeys(r.code for r in verdict.results if r.status != "pass"))


def _card(item: ReportItem, locale: str = "en") -> str:
    status = item.status
    if item.verdict is None:
        body = (
            f'<p class="verdict">{_e(_ui("report.could_not_check", locale, error=item.error))}</p>'
        )
        return (
            f'<article class="card" data-status="error" data-codes="">'
            f'<h2>{_e(item.source)}</h2><div class="body">{body}</div></article>'
        )
    verdict = _in_locale(item.verdict, locale)
    codes = _issue_codes(verdict)
    if verdict.ok:
        head = _ui("verdict.accepted_title", locale)
    else:
        failed, total = len(verdict.failures), len(verdict.results)
        head = _ui("verdict.rejected_title", locale, failed=failed, total=total)
    problems = "".join(f"<li>{_e(r.message)}</li>" for r in verdict.failures)
    alt = _ui("report.annotated", locale, source=item.source)
    thumb = _img(item.thumbnail, alt) if item.thumbnail else ""
    data_codes = _e(" ".join(codes))
    card_profile = _ui("report.card_profile", locale, profile=verdict.profile)
    profile = f'<span class="profile">{_e(card_profile)}</span>'
    # The per-check table is built by the page script when the card is opened: thousands of
    # closed tables would dominate the page's parse time.
    rows = json.dumps(
        _results_rows(verdict.results, locale), ensure_ascii=False, separators=(",", ":")
    )
    return (
        f'<article class="card st-{status}" data-status="{status}" data-codes="{data_codes}">'
        f"<h2>{_e(item.source)}</h2>"
        f'<div class="body"><div class="thumb">{thumb}</div><div class="text">'
        f'<p class="verdict">{_e(head)} {profile}</p>'
        f'<ul class="problems">{problems}</ul>'
        f'<details data-results="{_e(rows)}"><summary>'
        f"{_e(_ui('report.all_checks', locale, count=len(verdict.results)))}"
        "</summary></details></div></div></article>"
    )


_CSS = """
:root{--pass:#009E73;--fail:#D55E00;--error:#CC79A7;--warn:#E69F00;--ink:#222;--muted:#666}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;color:var(--ink);margin:0;background:#f4f4f4}
header{background:#fff;padding:12px 20px 0}
h1{font-size:20px;margin:0 0 6px}
h2{font-size:15px;margin:0 0 6px;word-break:break-all}
.counts span{margin-right:14px;font-weight:600}
.counts .pass{color:var(--pass)}.counts .fail{color:var(--fail)}
.counts .error{color:var(--error)}
#summary table{border-collapse:collapse;margin:6px 0}
#summary td,#summary th{padding:1px 8px;text-align:left}
#summary button{font:inherit;background:none;border:0;color:#0072B2;cursor:pointer;padding:0;
  text-decoration:underline}
#filters{background:#fff;padding:8px 20px;border-bottom:1px solid #ddd;position:sticky;top:0;
  z-index:1}
#filters label{margin-right:12px}
main{padding:12px 20px;display:grid;gap:12px}
[hidden]{display:none!important}
.card{background:#fff;border:1px solid #ddd;border-left:6px solid var(--muted);
  border-radius:4px;padding:10px 12px;content-visibility:auto;contain-intrinsic-size:auto 300px}
.card.st-pass{border-left-color:var(--pass)}.card.st-fail{border-left-color:var(--fail)}
.card[data-status=error]{border-left-color:var(--error)}
.body{display:flex;gap:14px;align-items:flex-start}
.thumb{flex:0 0 auto;max-width:40%}
.thumb img{max-width:280px;width:100%;height:auto;display:block}
.text{flex:1 1 auto;min-width:0}
.verdict{font-weight:600;margin:0 0 4px}.profile{font-weight:400;color:var(--muted)}
.problems{margin:0 0 6px;padding-left:18px}
table.results{border-collapse:collapse;width:100%;font-size:12px}
table.results td,table.results th{border-top:1px solid #eee;padding:2px 6px;text-align:left;
  vertical-align:top}
table.results code{color:var(--muted)}
.s-fail .st{color:var(--fail);font-weight:600}.s-pass .st{color:var(--pass)}
.s-warn .st{color:var(--warn);font-weight:600}
.s-not_assessed .st{color:var(--error);font-weight:600}
"""

_SCRIPT = """
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.card"));
  var codes = cards.map(function (c) {
    return (c.getAttribute("data-codes") || "").split(" ").filter(Boolean);
  });
  var statuses = cards.map(function (c) { return c.getAttribute("data-status"); });
  var statusSel = document.getElementById("status-filter");
  var codeSel = document.getElementById("code-filter");
  var shown = document.getElementById("shown");
  var labels = JSON.parse(document.body.getAttribute("data-labels") || "{}");
  function apply() {
    var s = statusSel.value, k = codeSel.value, n = 0;
    for (var i = 0; i < cards.length; i++) {
      var keep = (!s || statuses[i] === s) && (!k || codes[i].indexOf(k) >= 0);
      cards[i].hidden = !keep;
      if (keep) { n++; }
    }
    shown.textContent = labels.shown.replace("{shown}", n).replace("{total}", cards.length);
  }
  statusSel.addEventListener("change", apply);
  codeSel.addEventListener("change", apply);
  Array.prototype.forEach.call(document.querySelectorAll("button[data-code]"), function (b) {
    b.addEventListener("click", function () {
      codeSel.value = b.getAttribute("data-code");
      apply();
    });
  });
  apply();
  // Build a card's table of every check the first time it is opened.
  document.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (d.tagName !== "DETAILS" || !d.open || d.hasAttribute("data-built")) { return; }
    d.setAttribute("data-built", "");
    var rows = JSON.parse(d.getAttribute("data-results") || "[]");
    var table = document.createElement("table");
    table.className = "results";
    var head = table.createTHead().insertRow();
    labels.columns.forEach(function (h) {
      var th = document.createElement("th");
      th.textContent = h;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (r) {
      var tr = body.insertRow();
      tr.className = "s-" + r[1];
      [r[0], r[6], r[2], r[3]].forEach(function (text, j) {
        var td = tr.insertCell();
        td.textContent = text;
        if (j === 1) { td.className = "st"; }
      });
      var td = tr.insertCell();
      td.appendChild(document.createTextNode(r[4]));
      td.appendChild(document.createElement("br"));
      var code = document.createElement("code");
      code.textContent = r[5];
      td.appendChild(code);
    });
    d.appendChild(table);
  }, true);
})();
"""


def render_report(
    items: Iterable[ReportItem],
    *,
    title: str | None = None,
    profile: str | None = None,
    locale: str | None = None,
) -> str:
    """Render report items as one self-contained HTML page.

    Parameters
    ----------
    items : iterable of ReportItem
        One per photo, e.g. from :func:`check_photos`.
    title : str, optional
        The page title (default "photocheck report", in ``locale``).
    profile : str, optional
        The profile name shown in the header.
    locale : str, optional
        The language of the page and the messages: ``"en"`` (default), ``"zh_CN"`` or
        ``"es"``; a verdict in another language is rendered again in this one.

    Returns
    -------
    str
        The HTML page. It loads nothing from the network.

    """
    loc = normalize_locale(locale)
    title = _ui("report.title", loc) if title is None else title
    items = list(items)
    statuses = Counter(item.status for item in items)
    code_counts: Counter[str] = Counter()
    for item in items:
        if item.verdict is not None:
            code_counts.update(_issue_codes(item.verdict))
    counts = "".join(
        f'<span class="{s}">{statuses[s]} {_ui(_STATUS_LABEL[s], loc)}</span>'
        for s in ("pass", "fail", "error")
    )
    top = code_counts.most_common(_TOP_CODES)
    top_rows = "".join(
        f'<tr><td><button type="button" data-code="{_e(code)}">{_e(code)}</button></td>'
        f"<td>{n}</td></tr>"
        for code, n in top
    )
    top_table = (
        f"<table><thead><tr><th>{_ui('report.common_problems', loc)}</th>"
        f"<th>{_ui('report.photos', loc)}</th></tr></thead>"
        f"<tbody>{top_rows}</tbody></table>"
        if top
        else f"<p>{_ui('report.no_problems', loc)}</p>"
    )
    status_options = "".join(
        f'<option value="{s}">{_ui(_STATUS_LABEL[s], loc)} ({statuses[s]})</option>'
        for s in ("pass", "fail", "error")
    )
    code_options = "".join(
        f'<option value="{_e(code)}">{_e(code)} ({n})</option>'
        for code, n in code_counts.most_common()
    )
    meta = _ui("report.meta_photos", loc, count=len(items))
    if profile is not None:
        meta += _e(_ui("report.meta_profile", loc, profile=profile))
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    meta += _ui("report.meta_generated", loc, time=now)
    columns = ("report.check", "report.status_column", "report.value", "report.limits")
    labels = {
        "shown": _ui("report.shown", loc),
        "columns": [_ui(c, loc) for c in (*columns, "report.message")],
    }
    shown = _ui("report.shown", loc, shown=len(items), total=len(items))
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )
    parts = [
        f'<!DOCTYPE html><html lang="{_HTML_LANG[loc]}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f'<body data-labels="{_e(json.dumps(labels, ensure_ascii=False))}"><header>',
        f'<h1>{_e(title)}</h1><p class="meta">{meta}</p>',
        f'<section id="summary"><p class="counts">{counts}</p>{top_table}</section></header>',
        '<form id="filters" onsubmit="return false">',
        f'<label>{_ui("report.status", loc)} <select id="status-filter">'
        f'<option value="">{_ui("report.all", loc)} ({len(items)})</option>'
        f"{status_options}</select></label>",
        f'<label>{_ui("report.problem", loc)} <select id="code-filter">'
        f'<option value="">{_ui("report.any", loc)}</option>{code_options}'
        "</select></label>",
        f'<output id="shown">{_e(shown)}</output></form>',
        '<main id="cards">',
    ]
    parts.extend(_card(item, loc) for item in items)
    parts.append(f"</main><script>{_SCRIPT}</script></body></html>\n")
    return "".join(parts)


def verdict_html(
    verdict: Verdict,
    photo: PhotoInput | None = None,
    *,
    profile: str | Path | Profile | None = None,
    thumb_width: int = 240,
    locale: str | None = None,
) -> str:
    """Return a compact HTML view of a verdict, with the annotated thumbnail if given the photo.

    A :class:`~photocheck.Verdict` holds no pixels, so its own ``_repr_html_`` (what a
    notebook shows) is this table without a thumbnail. To see the annotated photo too,
    display ``IPython.display.HTML(verdict_html(verdict, photo))``.

    Parameters
    ----------
    verdict : Verdict
        The verdict.
    photo : optional
        The photo it was computed on (anything :func:`photocheck.load_image` accepts).
    profile : str, Path or Profile, optional
        For the framing bands (see :func:`photocheck.visual.annotate.annotate`).
    thumb_width : int, optional
        Width of the thumbnail in pixels (default 240).
    locale : str, optional
        The language of the view (default: the verdict's own, :attr:`Verdict.locale`).

    Returns
    -------
    str
        An HTML fragment; every string from the verdict is escaped.

    """
    loc = verdict.locale if locale is None else normalize_locale(locale)
    verdict = _in_locale(verdict, loc)
    failed, total = len(verdict.failures), len(verdict.results)
    head = (
        _ui("verdict.accepted", loc)
        if verdict.ok
        else _ui("report.rejected_short", loc, failed=failed, total=total)
    )
    colour = "#009E73" if verdict.ok else "#D55E00"
    rows = "".join(
        f'<tr><td style="text-align:left">{_e(r.check)}</td>'
        f'<td style="text-align:left;color:{_STATUS_COLOUR[r.status]}">'
        f"{_e(r.status if loc == 'en' else _ui(f'status.{r.status}', loc))}</td>"
        f'<td style="text-align:left">{_e(format_value(r.value))}</td>'
        f'<td style="text-align:left">{_e(format_limits(r.limits))}</td>'
        f'<td style="text-align:left">{_e(r.message)}</td></tr>'
        for r in verdict.results
    )
    columns = ("report.check", "report.status_column", "report.value", "report.limits")
    heads = "".join(
        f'<th style="text-align:left">{_ui(c, loc)}</th>' for c in (*columns, "report.message")
    )
    table = (
        f'<table style="font-size:12px"><thead><tr>{heads}</tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )
    by_profile = _e(_ui("report.by_profile", loc, profile=verdict.profile))
    title = (
        f'<p><b>{_e(verdict.source)}</b>: <b style="color:{colour}">{_e(head)}</b> {by_profile}</p>'
    )
    if photo is None:
        return f"<div>{title}{table}</div>"
    from .annotate import annotate

    drawn = annotate(photo, verdict, profile=profile, width=thumb_width, legend=False)
    img = _img(thumbnail_jpeg(drawn), _ui("report.annotated", loc, source=verdict.source))
    return (
        f'<div>{title}<div style="display:flex;gap:12px;align-items:flex-start">'
        f"<div>{img}</div><div>{table}</div></div></div>"
    )


_STATUS_COLOUR = {
    "pass": "#009E73",
    "fail": "#D55E00",
    "warn": "#E69F00",
    "not_assessed": "#CC79A7",
}


def fix_html(result: FixResult, photo: PhotoInput | None = None, *, thumb_width: int = 240) -> str:
    """Return an HTML view of a fix: the verdicts before and after, side by side, and the actions.

    Parameters
    ----------
    result : FixResult
        What :func:`photocheck.fix` returned.
    photo : optional
        The photo given to ``fix`` (for the annotated "before" thumbnail).
    thumb_width : int, optional
        Width of each thumbnail in pixels (default 240).

    Returns
    -------
    str
        An HTML fragment; every string from the result is escaped.
    """
    before = verdict_html(result.before, photo, thumb_width=thumb_width)
    after = "<p><b>No fix was possible.</b></p>"
    if result.after is not None and result.image is not None:
        after = verdict_html(result.after, result.image, thumb_width=thumb_width)
    items = "".join(f"<li><code>{_e(a.code)}</code> {_e(a.message)}</li>" for a in result.actions)
    if result.reason is not None:
        items += (
            f'<li style="color:#D55E00"><code>{_e(result.reason.code)}</code> '
            f"{_e(result.reason.message)}</li>"
        )
    return (
        f"<section><h3>{_e(result.source)}: fix for {_e(result.profile)}</h3>"
        f"<ul>{items}</ul>"
        '<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap">'
        f"<div><h4>Before</h4>{before}</div><div><h4>After</h4>{after}</div></div></section>"
    )


def write_fix_report(
    pairs: Sequence[tuple[FixResult, PhotoInput]],
    output: str | Path,
    *,
    title: str = "photocheck fix",
) -> None:
    """Write a self-contained HTML page with :func:`fix_html` for each (result, photo) pair."""
    body = "".join(fix_html(result, photo) for result, photo in pairs)
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>{body}</body></html>\n"
    )
    Path(output).write_text(page, encoding="utf-8")
