"""Draw a verdict on its photo: face, landmarks, framing bands, background region, legend.

:func:`annotate` returns a new RGB image (the photo is never modified) drawn with OpenCV only.
The colours are the Okabe-Ito palette, chosen to stay distinguishable for the common forms
of colour blindness; every element is also told apart by its shape (dashed line, band,
hatching, dots) and named in the legend.

The legend speaks the verdict's language (the message catalogues of
:mod:`photocheck.rules.messages`). English is drawn with OpenCV's Hershey font; any other
language with Pillow and a TrueType font that covers it: ``$PHOTOCHECK_FONT`` if set, else the
first of :data:`FONT_PATHS` that exists (WenQuanYi Micro Hei, the Debian package
``fonts-wqy-microhei``, comes first). Without one, the legend falls back to ASCII text and
warns (:class:`FontWarning`).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotAssessed, PhotocheckError
from ..imaging.load import PhotoInput, load_image
from ..rules import messages
from ..rules.messages import UI, normalize_locale
from ..rules.profile import Profile, available_profiles, load_profile
from ..rules.verdict import Verdict

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL import ImageFont

    from ..fixing.api import FixResult

__all__ = [
    "FONT_PATHS",
    "PALETTE",
    "FontWarning",
    "annotate",
    "before_after",
    "find_font",
    "framing_bands",
]

# TrueType fonts with Chinese (and Latin) glyphs, in order of preference: Debian/Ubuntu
# (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk), Fedora, macOS, Windows.
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


class FontWarning(UserWarning):
    """No font covers the legend's language; its text is drawn folded to ASCII."""


# Okabe & Ito (2008), "Color Universal Design": RGB.
PALETTE: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "orange": (230, 159, 0),
    "sky_blue": (86, 180, 233),
    "bluish_green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish_purple": (204, 121, 167),
    "white": (255, 255, 255),
}

# What each framing check bounds, its colour and its legend label.
_FEATURES: dict[str, tuple[str, str]] = {
    "geometry.eye_line": ("sky_blue", "legend.eye_line"),
    "geometry.centring": ("bluish_green", "legend.face_centre"),
    "geometry.top_margin": ("orange", "legend.top_of_head"),
    "geometry.head_height": ("reddish_purple", "legend.chin"),
}
_BAND_ALPHA = 0.22
_TEXT_REPLACEMENTS = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00b0": " deg",
    "\u2265": ">=",
    "\u2264": "<=",
    "\u00b1": "+-",
    "\u00d7": "x",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
}


def annotate(
    photo: PhotoInput,
    verdict: Verdict,
    *,
    profile: str | Path | Profile | None = None,
    width: int | None = 640,
    legend: bool = True,
    locale: str | None = None,
) -> NDArray[np.uint8]:
    """Draw a verdict on its photo.

    Draws the face box, 68 face-mesh points (brows, eyes, nose, lips, jaw), the eye centres and eye line, the top-of-head and
    chin lines, the profile's allowed framing as translucent bands (where the eye line, the
    face centre, the top of the head and the chin must fall), the background region the
    background checks sampled (hatched), and a legend
    below the photo with a colour key and each failed check's message.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray, PIL image or LoadedImage
        The photo the verdict was computed on (anything :func:`photocheck.load_image`
        accepts). The verdict's geometry is in this photo's pixel coordinates.
    verdict : Verdict
        From :func:`photocheck.validate` or :func:`photocheck.judge`.
    profile : str, Path or Profile, optional
        The profile the verdict was judged with, for the framing bands. By default the
        shipped profile named ``verdict.profile``; when there is none, the limits recorded on
        the verdict's passing results are used. Give it when you judged with a modified
        profile.
    width : int or None, optional
        Width in pixels of the drawn photo (default 640), so that lines and text have the
        same size whatever the photo's resolution; ``None`` keeps the photo's width.
    legend : bool, optional
        Add the legend panel below the photo (default True).
    locale : str, optional
        The language of the legend: ``"en"``, ``"zh_CN"`` or ``"es"`` (default: the
        verdict's own, :attr:`Verdict.locale`); the messages are rendered again if needed.

    Returns
    -------
    ndarray of uint8, shape (H', W', 3)
        A new RGB image: the photo resized to ``width`` plus, if ``legend``, the legend
        panel below it.

    Raises
    ------
    InvalidImageError
        When the photo cannot be read.
    ValueError
        When ``width`` is not a positive integer.

    Examples
    --------
    >>> import photocheck, skimage.data
    >>> from photocheck.visual.annotate import annotate
    >>> photo = skimage.data.astronaut()
    >>> drawn = annotate(photo, photocheck.validate(photo), width=400)
    >>> drawn.shape[1], drawn.shape[0] > 400
    (400, True)

    """
    import cv2
    import numpy as np

    loc = verdict.locale if locale is None else normalize_locale(locale)
    if verdict.locale != loc:
        verdict = verdict.localized(loc)
    image = load_image(photo)
    if width is not None and (not isinstance(width, int) or width < 1):
        raise ValueError(f"width must be a positive integer or None, got {width!r}")
    out_w = image.width if width is None else width
    scale = out_w / image.width
    out_h = max(1, round(image.height * scale))
    canvas: NDArray[np.uint8]
    if scale == 1.0:
        canvas = image.rgb.copy()
    else:
        interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
        canvas = np.asarray(cv2.resize(image.rgb, (out_w, out_h), interpolation=interp), np.uint8)
    thick = max(1, round(out_w / 400))
    geo = verdict.geometry
    failed = {r.check for r in verdict.failures}
    if geo:
        bands = framing_bands(verdict, (image.width, image.height), profile=profile)
        for check, (axis, low, high) in bands.items():
            colour = PALETTE[_FEATURES[check][0]]
            lo = None if low is None else low * scale
            hi = None if high is None else high * scale
            _draw_band(canvas, axis, lo, hi, colour, thick)
        mask = _background_region(image, geo)
        if mask is not None:
            _draw_hatching(canvas, mask, PALETTE["blue"], thick, outline=True)
        _draw_face(canvas, geo, scale, thick, failed)
    if not legend:
        return canvas
    panel = _legend(verdict, out_w, bool(geo), failed)
    return np.vstack([canvas, panel])


def find_font() -> Path | None:
    """Return the TrueType font the legend draws non-English text with, or None.

    Returns
    -------
    Path or None
        ``$PHOTOCHECK_FONT`` when it names an existing file, else the first of
        :data:`FONT_PATHS` that exists; None when there is none.
    """
    chosen = os.environ.get("PHOTOCHECK_FONT")
    for candidate in (chosen, *FONT_PATHS) if chosen else FONT_PATHS:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    from PIL import ImageFont

    path = find_font()
    if path is None:
        return None
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return None


def _ui(msgid: str, locale: str, **fields: object) -> str:
    found = messages.text(msgid, locale, UI[msgid])
    return found.format(**fields) if fields else found


# A CJK character or full-width punctuation: a line may break before or after any of them.
_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_TOKENS = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+|\\s+")


def framing_bands(
    verdict: Verdict,
    size: tuple[int, int],
    *,
    profile: str | Path | Profile | None = None,
) -> dict[str, tuple[str, float | None, float | None]]:
    """Return the allowed framing bands of a verdict's profile, in photo pixels.

    Parameters
    ----------
    verdict : Verdict
        The verdict (its geometry gives the crown, from which the chin band is placed).
    size : tuple of int
        ``(width, height)`` of the photo.
    profile : str, Path or Profile, optional
        As for :func:`annotate`.

    Returns
    -------
    dict
        Check id -> ``(axis, low, high)``: ``axis`` is ``"y"`` (a horizontal band between rows
        ``low`` and ``high``) or ``"x"`` (a vertical band between columns), clipped to the
        photo; ``low`` or ``high`` is None when the profile leaves that side open.
        ``geometry.eye_line`` bounds the eye midpoint's row, ``geometry.centring`` its
        column, ``geometry.top_margin`` the crown's row and ``geometry.head_height`` the
        chin's row given the measured crown. Checks the profile does not bound, or whose
        band lies outside the photo, are absent.

    """
    width, height = size
    rules = _framing_rules(verdict, profile)
    intervals: dict[str, tuple[str, list[tuple[float | None, float | None]]]] = {}

    def ratio(rule: Mapping[str, Any], lo: str, hi: str, unit: float) -> tuple[Any, Any]:
        low, high = rule.get(lo), rule.get(hi)
        return (None if low is None else low * unit, None if high is None else high * unit)

    if rule := rules.get("geometry.eye_line"):
        spans = [ratio(rule, "min_ratio_from_top", "max_ratio_from_top", height)]
        low_b, high_b = rule.get("min_px_from_bottom"), rule.get("max_px_from_bottom")
        spans.append(
            (None if high_b is None else height - high_b, None if low_b is None else height - low_b)
        )
        intervals["geometry.eye_line"] = ("y", spans)
    if rule := rules.get("geometry.centring"):
        spans = [ratio(rule, "min_ratio", "max_ratio", width), ratio(rule, "min_px", "max_px", 1.0)]
        intervals["geometry.centring"] = ("x", spans)
    if rule := rules.get("geometry.top_margin"):
        spans = [
            ratio(rule, "min_ratio", "max_ratio", height),
            ratio(rule, "min_px", "max_px", 1.0),
        ]
        intervals["geometry.top_margin"] = ("y", spans)
    crown = verdict.geometry.get("crown_y")
    if (rule := rules.get("geometry.head_height")) and crown is not None:
        spans = [
            ratio(rule, "min_ratio", "max_ratio", height),
            ratio(rule, "min_px", "max_px", 1.0),
        ]
        shifted = [
            (None if a is None else crown + a, None if b is None else crown + b) for a, b in spans
        ]
        intervals["geometry.head_height"] = ("y", shifted)
    bands: dict[str, tuple[str, float | None, float | None]] = {}
    for check, (axis, spans) in intervals.items():
        lows = [float(a) for a, _ in spans if a is not None]
        highs = [float(b) for _, b in spans if b is not None]
        if not lows and not highs:
            continue
        extent = float(width if axis == "x" else height)
        low = max(lows) if lows else None
        high = min(highs) if highs else None
        if (low if low is not None else 0.0) >= (high if high is not None else extent):
            continue  # contradictory limits, or a band entirely outside the photo
        if (low is not None and low > extent) or (high is not None and high < 0):
            continue
        bands[check] = (
            axis,
            None if low is None else max(0.0, low),
            None if high is None else min(extent, high),
        )
    return bands


def _framing_rules(
    verdict: Verdict, profile: str | Path | Profile | None
) -> Mapping[str, Mapping[str, Any]]:
    """Return the profile's rules for the framing checks (see :func:`annotate`'s ``profile``)."""
    if profile is not None:
        return load_profile(profile).rules
    if verdict.profile in available_profiles():
        try:
            return load_profile(verdict.profile).rules
        except PhotocheckError:  # pragma: no cover - shipped profiles load
            pass
    # A passing result records the parameters it was judged against, by name.
    return {r.check: r.limits for r in verdict.results if r.status == "pass"}


def _background_region(image: Any, geo: Mapping[str, Any]) -> NDArray[np.bool_] | None:
    """Return the background region the checks sample (on the reduced photo), or None."""
    from ..analysis import Analysis

    analysis = Analysis(image)
    # Reuse the verdict's geometry rather than detecting the face again: the mask depends
    # only on the geometry, the person mask and the reduced photo.
    analysis.__dict__["geometry"] = dict(geo)
    try:
        return analysis.background_mask
    except (NotAssessed, KeyError, TypeError, ValueError):
        return None


def _draw_band(
    canvas: NDArray[np.uint8],
    axis: str,
    low: float | None,
    high: float | None,
    colour: tuple[int, int, int],
    thick: int,
) -> None:
    """Draw a translucent band between two limits, or a limit line with arrows if one-sided."""
    import cv2
    import numpy as np

    h, w = canvas.shape[:2]
    extent = h if axis == "y" else w
    across = w if axis == "y" else h

    def line(at: int, width: int) -> None:
        p0, p1 = ((0, at), (w - 1, at)) if axis == "y" else ((at, 0), (at, h - 1))
        cv2.line(canvas, p0, p1, colour, width, cv2.LINE_AA)

    if low is not None and high is not None:
        lo, hi = round(low), round(high)
        p0, p1 = ((0, lo), (w - 1, hi)) if axis == "y" else ((lo, 0), (hi, h - 1))
        overlay = canvas.copy()
        cv2.rectangle(overlay, p0, p1, colour, -1)
        cv2.addWeighted(overlay, _BAND_ALPHA, canvas, 1 - _BAND_ALPHA, 0, dst=canvas)
        line(lo, 1)
        line(hi, 1)
        return
    # One side open: the limit line, with arrows pointing to the allowed side.
    at = round(low if low is not None else high)  # type: ignore[arg-type]
    if at <= 0 or at >= extent - 1:
        return
    sign = 1 if low is not None else -1
    line(at, thick)
    size = 4 * thick + 3
    for k in range(1, 6):
        c = round(k * across / 6)
        tip = at + sign * 2 * size
        pts = (
            [(c - size, at), (c + size, at), (c, tip)]
            if axis == "y"
            else [(at, c - size), (at, c + size), (tip, c)]
        )
        cv2.fillConvexPoly(canvas, np.array(pts, dtype=np.int32), colour, cv2.LINE_AA)


def _draw_hatching(
    canvas: NDArray[np.uint8],
    mask: NDArray[np.bool_],
    colour: tuple[int, int, int],
    thick: int,
    *,
    anti: bool = False,
    outline: bool = False,
) -> None:
    """Hatch ``mask`` (scaled to the canvas) with diagonal stripes (``anti``: the other way)."""
    import cv2
    import numpy as np

    h, w = canvas.shape[:2]
    full = cv2.resize(mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
    step = 6 * thick + 4
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = (((xx - yy) if anti else (xx + yy)) % step) < thick
    hatch = (full > 0) & stripes
    canvas[hatch] = (0.4 * canvas[hatch] + 0.6 * np.array(colour)).astype(np.uint8)
    if outline:
        contours, _ = cv2.findContours(full, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(canvas, contours, -1, colour, thick, cv2.LINE_AA)


def _dashed(
    canvas: NDArray[np.uint8],
    p0: tuple[float, float],
    p1: tuple[float, float],
    colour: tuple[int, int, int],
    thick: int,
) -> None:
    import cv2

    length = math.hypot(p1[0] - p0[0], p1[1] - p0[1])
    dash = 8.0 * thick
    n = max(1, int(length // dash))
    for i in range(0, n, 2):
        a, b = i / n, min(1.0, (i + 1) / n)
        q0 = (round(p0[0] + a * (p1[0] - p0[0])), round(p0[1] + a * (p1[1] - p0[1])))
        q1 = (round(p0[0] + b * (p1[0] - p0[0])), round(p0[1] + b * (p1[1] - p0[1])))
        cv2.line(canvas, q0, q1, colour, thick, cv2.LINE_AA)


def _point(p: Any, scale: float) -> tuple[float, float]:
    return float(p[0]) * scale, float(p[1]) * scale


def _draw_face(
    canvas: NDArray[np.uint8], geo: Mapping[str, Any], scale: float, thick: int, failed: set[str]
) -> None:
    """Feature lines, face box, eye centres and landmarks (drawn last, on top)."""
    import cv2

    h, w = canvas.shape[:2]
    black = PALETTE["black"]

    def weight(check: str) -> int:
        return thick + 1 if check in failed else thick

    if "eye_midpoint" in geo:
        mx, my = _point(geo["eye_midpoint"], scale)
        _dashed(canvas, (0, my), (w - 1, my), PALETTE["sky_blue"], weight("geometry.eye_line"))
        _dashed(canvas, (mx, 0), (mx, h - 1), PALETTE["bluish_green"], weight("geometry.centring"))
    if "crown_y" in geo:
        y = float(geo["crown_y"]) * scale
        _dashed(canvas, (0, y), (w - 1, y), PALETTE["orange"], weight("geometry.top_margin"))
    if "chin" in geo:
        y = _point(geo["chin"], scale)[1]
        _dashed(
            canvas, (0, y), (w - 1, y), PALETTE["reddish_purple"], weight("geometry.head_height")
        )
    if "box" in geo:
        left, top, right, bottom = (round(v * scale) for v in geo["box"])
        cv2.rectangle(canvas, (left, top), (right, bottom), black, thick + 2, cv2.LINE_AA)
        cv2.rectangle(canvas, (left, top), (right, bottom), PALETTE["white"], thick, cv2.LINE_AA)
    if "right_eye" in geo and "left_eye" in geo:
        r, lft = _point(geo["right_eye"], scale), _point(geo["left_eye"], scale)
        dx, dy = lft[0] - r[0], lft[1] - r[1]
        a = (round(r[0] - 0.6 * dx), round(r[1] - 0.6 * dy))
        b = (round(lft[0] + 0.6 * dx), round(lft[1] + 0.6 * dy))
        cv2.line(canvas, a, b, PALETTE["sky_blue"], thick, cv2.LINE_AA)
        radius = max(3, round(0.12 * math.hypot(dx, dy)))
        for eye in (r, lft):
            centre = (round(eye[0]), round(eye[1]))
            cv2.circle(canvas, centre, radius, black, thick + 2, cv2.LINE_AA)
            cv2.circle(canvas, centre, radius, PALETTE["sky_blue"], thick, cv2.LINE_AA)
    # Landmark dots sized to the face, so that they do not hide a small face.
    dot = max(1, min(thick + 1, round(float(geo.get("eye_distance", 100.0)) * scale / 30)))
    for p in geo.get("landmarks", ()):
        centre = (round(float(p[0]) * scale), round(float(p[1]) * scale))
        cv2.circle(canvas, centre, dot + 1, black, -1, cv2.LINE_AA)
        cv2.circle(canvas, centre, dot, PALETTE["yellow"], -1, cv2.LINE_AA)


def plain_text(text: str) -> str:
    """Fold text to printable ASCII for OpenCV's Hershey fonts."""
    for old, new in _TEXT_REPLACEMENTS.items():
        text = text.replace(old, new)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch if ch.isprintable() else " " for ch in folded)


def _wrap(text: str, max_width: int, font: int, size: float) -> list[str]:
    import cv2

    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and cv2.getTextSize(trial, font, size, 1)[0][0] > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _legend(verdict: Verdict, width: int, has_face: bool, failed: set[str]) -> NDArray[np.uint8]:
    """Draw the legend panel: colour key, then the verdict and each failed check's message."""
    import cv2
    import numpy as np

    font = cv2.FONT_HERSHEY_SIMPLEX
    size = max(0.35, min(0.8, width / 1300))
    line_h = round(cv2.getTextSize("Ag", font, size, 1)[0][1] * 1.9) + 2
    pad = max(4, line_h // 2)
    swatch = line_h - 6
    loc = verdict.locale
    key: list[tuple[str, str]] = []
    if has_face:
        flag = _ui("legend.failed", loc)
        key = [
            ("white", _ui("legend.face_box", loc)),
            ("yellow", _ui("legend.mesh", loc)),
            *[(colour, f"{_ui(label, loc)}{flag if check in failed else ''}")
              for check, (colour, label) in _FEATURES.items()],
            ("blue", _ui("legend.background", loc)),
        ]  # fmt: skip
    failures, total = len(verdict.failures), len(verdict.results)
    head = (
        _ui("legend.accepted", loc)
        if verdict.ok
        else _ui("legend.rejected", loc, failed=failures, total=total)
    )
    title = _ui("legend.title", loc, source=verdict.source, head=head, profile=verdict.profile)
    items = [
        (_ui("legend.item", loc, check=r.check, message=r.message), r.status == "fail")
        for r in verdict.failures
    ]
    bands = _ui("legend.bands", loc) if has_face else None
    if loc != "en":
        truetype = _font(max(11, round(22 * size)))
        if truetype is not None:
            return _legend_truetype(truetype, width, key, title, bands, items)
        every = " ".join([title, *(label for _, label in key), *(t for t, _ in items)])
        if plain_text(every) != every:
            warnings.warn(
                "no font for the legend's language was found (install fonts-wqy-microhei or "
                "set PHOTOCHECK_FONT); it is drawn folded to ASCII",
                FontWarning,
                stacklevel=3,
            )
    title = plain_text(title)
    # (text, bullet colour or None, indent)
    lines: list[tuple[str, tuple[int, int, int] | None, int]] = []
    lines += [(line, None, 0) for line in _wrap(title, width - 2 * pad, font, size)]
    if bands is not None:
        lines.append((plain_text(bands), None, 0))
    indent = swatch + 6
    for item, is_fail in items:
        bullet: tuple[int, int, int] | None = PALETTE["vermillion"]
        if not is_fail:
            bullet = PALETTE["black"]
        wrapped = _wrap(plain_text(item), width - 2 * pad - indent, font, size)
        lines += [(line, bullet if i == 0 else None, indent) for i, line in enumerate(wrapped)]
    columns = 2 if width >= 420 else 1
    key_rows = math.ceil(len(key) / columns)
    height = 2 * pad + (key_rows + len(lines)) * line_h
    panel = np.full((height, width, 3), 255, dtype=np.uint8)
    black = PALETTE["black"]
    col_w = (width - 2 * pad) // columns
    for i, (colour, label) in enumerate(key):
        x = pad + (i % columns) * col_w
        y = pad + (i // columns) * line_h
        cv2.rectangle(panel, (x, y + 3), (x + swatch, y + 3 + swatch), PALETTE[colour], -1)
        cv2.rectangle(panel, (x, y + 3), (x + swatch, y + 3 + swatch), black, 1)
        baseline = (x + swatch + 6, y + line_h - 5)
        cv2.putText(panel, plain_text(label), baseline, font, size, black, 1, cv2.LINE_AA)
    y0 = pad + key_rows * line_h
    for j, (text, bullet, shift) in enumerate(lines):
        y = y0 + j * line_h
        if bullet is not None:
            centre = (pad + swatch // 2, y + 3 + swatch // 2)
            cv2.circle(panel, centre, max(2, swatch // 3), bullet, -1, cv2.LINE_AA)
        cv2.putText(panel, text, (pad + shift, y + line_h - 5), font, size, black, 1, cv2.LINE_AA)
    return panel


def _wrap_truetype(line: str, max_width: int, font: ImageFont.FreeTypeFont) -> list[str]:
    """Wrap text at spaces and between CJK characters to fit ``max_width`` pixels."""
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(line):
        trial = current + token
        if current.strip() and not token.isspace() and font.getlength(trial) > max_width:
            lines.append(current.rstrip())
            current = token
        else:
            current = trial
    if current.strip():
        lines.append(current.strip())
    return lines or [""]


def _legend_truetype(
    font: ImageFont.FreeTypeFont,
    width: int,
    key: list[tuple[str, str]],
    title: str,
    bands: str | None,
    items: list[tuple[str, bool]],
) -> NDArray[np.uint8]:
    """Draw the legend panel with a TrueType font (any script the font covers)."""
    import numpy as np
    from PIL import Image, ImageDraw

    ascent, descent = font.getmetrics()
    line_h = round((ascent + descent) * 1.35) + 2
    pad = max(4, line_h // 2)
    swatch = max(6, line_h - 8)
    indent = swatch + 6
    lines: list[tuple[str, tuple[int, int, int] | None, int]] = []
    bullet: tuple[int, int, int] | None
    lines += [(t, None, 0) for t in _wrap_truetype(title, width - 2 * pad, font)]
    if bands is not None:
        lines += [(t, None, 0) for t in _wrap_truetype(bands, width - 2 * pad, font)]
    for item, is_fail in items:
        bullet = PALETTE["vermillion"] if is_fail else PALETTE["black"]
        wrapped = _wrap_truetype(item, width - 2 * pad - indent, font)
        lines += [(t, bullet if i == 0 else None, indent) for i, t in enumerate(wrapped)]
    columns = 2 if width >= 420 else 1
    key_rows = math.ceil(len(key) / columns)
    height = 2 * pad + (key_rows + len(lines)) * line_h
    panel = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(panel)
    black = PALETTE["black"]
    col_w = (width - 2 * pad) // columns
    top = (line_h - swatch) // 2
    for i, (colour, label) in enumerate(key):
        x = pad + (i % columns) * col_w
        y = pad + (i // columns) * line_h
        draw.rectangle(
            (x, y + top, x + swatch, y + top + swatch), fill=PALETTE[colour], outline=black
        )
        draw.text((x + swatch + 6, y + line_h // 2), label, fill=black, font=font, anchor="lm")
    y0 = pad + key_rows * line_h
    for j, (line, bullet, shift) in enumerate(lines):
        y = y0 + j * line_h
        if bullet is not None:
            r = max(2, swatch // 3)
            cx, cy = pad + swatch // 2, y + line_h // 2
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=bullet)
        draw.text((pad + shift, y + line_h // 2), line, fill=black, font=font, anchor="lm")
    return np.asarray(panel, dtype=np.uint8)


def before_after(photo: PhotoInput, result: FixResult, *, height: int = 480) -> NDArray[np.uint8]:
    """Draw a photo and its fix side by side: each annotated with its verdict, and what was done.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray, PIL image or LoadedImage
        The photo given to :func:`photocheck.fix`.
    result : FixResult
        What :func:`photocheck.fix` returned for it.
    height : int, optional
        Height in pixels of both drawn photos (default 480).

    Returns
    -------
    ndarray of uint8
        A new RGB image: left, the photo annotated with the verdict before, with the fixed
        frame outlined (dashed, vermillion); right, the fixed photo annotated with the verdict
        after (or, when no fix was possible, the reason); below, the actions taken.
    """
    import cv2
    import numpy as np

    image = load_image(photo)
    scale = height / image.height
    left = annotate(image, result.before, width=max(1, round(image.width * scale)), legend=False)
    if result.transform is not None and result.image is not None:
        fixed_h, fixed_w = result.image.shape[:2]
        inverse = cv2.invertAffineTransform(np.asarray(result.transform, dtype=np.float64))
        corners = np.array([[0, 0, 1], [fixed_w, 0, 1], [fixed_w, fixed_h, 1], [0, fixed_h, 1]])
        outline = (corners @ inverse.T) * scale
        thick = max(1, round(left.shape[1] / 300))
        for i in range(4):
            _dashed(
                left, tuple(outline[i]), tuple(outline[(i + 1) % 4]), PALETTE["vermillion"], thick
            )
    if result.image is not None and result.after is not None:
        after_w = max(1, round(result.image.shape[1] * height / result.image.shape[0]))
        right = annotate(result.image, result.after, width=after_w, legend=False)
        right = cv2.resize(right, (after_w, height), interpolation=cv2.INTER_AREA)
    else:
        right = np.full((height, max(1, height * 3 // 4), 3), 255, dtype=np.uint8)
    left = cv2.resize(left, (left.shape[1], height), interpolation=cv2.INTER_AREA)
    gap = np.full((height, 12, 3), 255, dtype=np.uint8)
    top = np.hstack([left, gap, right])
    width = top.shape[1]
    lines: list[tuple[str, tuple[int, int, int] | None]] = [
        ("BEFORE: " + _verdict_line(result.before), None)
    ]
    if result.after is not None:
        lines.append(("AFTER: " + _verdict_line(result.after), None))
    lines += [(f"{a.code}: {a.message}", PALETTE["bluish_green"]) for a in result.actions]
    if result.reason is not None:
        lines.append(
            (f"NOT FIXED {result.reason.code}: {result.reason.message}", PALETTE["vermillion"])
        )
    font = cv2.FONT_HERSHEY_SIMPLEX
    size = max(0.35, min(0.6, width / 1500))
    line_h = round(cv2.getTextSize("Ag", font, size, 1)[0][1] * 1.9) + 2
    pad = max(4, line_h // 2)
    wrapped: list[tuple[str, tuple[int, int, int] | None]] = []
    for text, colour in lines:
        parts = _wrap(plain_text(text), width - 2 * pad - line_h, font, size)
        wrapped += [(part, colour if i == 0 else None) for i, part in enumerate(parts)]
    panel = np.full((2 * pad + len(wrapped) * line_h, width, 3), 255, dtype=np.uint8)
    for j, (text, colour) in enumerate(wrapped):
        y = pad + j * line_h
        if colour is not None:
            cv2.circle(panel, (pad + line_h // 3, y + line_h // 2), max(2, line_h // 5), colour, -1)
        cv2.putText(panel, text, (pad + line_h, y + line_h - 5), font, size, PALETTE["black"], 1,
                    cv2.LINE_AA)  # fmt: skip
    return np.vstack([top, panel])


def _verdict_line(verdict: Verdict) -> str:
    if verdict.ok:
        return f"accepted by {verdict.profile}"
    failed = ", ".join(r.check for r in verdict.failures)
    return f"rejected by {verdict.profile} ({len(verdict.failures)} of {len(verdict.results)}: {failed})"
