"""Message catalogues: every message in every language, placeholders, locales, CLI and legend."""

from __future__ import annotations

import ast
import gettext
import os
import re
import string
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po

import photocheck
import photocheck.api
from photocheck.cli.main import main
from photocheck.rules import messages
from photocheck.rules.judging import borderline_message, judge_measurement
from photocheck.rules.messages import (
    LOCALES,
    REASONS,
    UnknownLocaleWarning,
    normalize_locale,
    outcome_ids,
    reason_key,
)
from photocheck.rules.registry import CheckSpec, OneOf, Range, registered
from photocheck.rules.verdict import Measurement

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "photocheck"
LOCALE_DIR = SRC / "locale"
EXAMPLES = ROOT / "examples" / "photos"
TRANSLATIONS = [loc for loc in LOCALES if loc != "en"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _builtin() -> dict[str, CheckSpec]:
    """The built-in checks (other tests may register their own in the same session)."""
    return {
        k: s
        for k, s in registered().items()
        if s.measure_values.__module__.startswith("photocheck.")
    }


def declared_messages() -> dict[str, str]:
    return messages.declared_messages(_builtin())


def _po(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "photocheck.po").open("rb") as fp:
        return {str(m.id): str(m.string) for m in read_po(fp) if m.id}


def _mo(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "photocheck.mo").open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalog.items() if k}


def _fields(template: str) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, int]]]:
    """Plain fields as (name, format spec) and sign choices as (name, alternatives)."""
    plain: Counter[tuple[str, str]] = Counter()
    choices: Counter[tuple[str, int]] = Counter()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if spec and "|" in spec:
            choices[(name, spec.count("|") + 1)] += 1
        else:
            plain[(name, spec or "")] += 1
    return plain, choices


# --- every message in every catalogue ------------------------------------------------------


def test_the_english_catalogue_is_the_declarations() -> None:
    declared = declared_messages()
    assert _po("en") == declared
    with (LOCALE_DIR / "messages.pot").open("rb") as fp:
        assert [str(m.id) for m in read_po(fp) if m.id] == list(declared)


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_every_message_is_translated(locale: str) -> None:
    translated = _po(locale)
    missing = [k for k in declared_messages() if not translated.get(k)]
    assert missing == []
    assert sorted(set(translated) - set(declared_messages())) == []  # nothing stale


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_matches_its_source(locale: str) -> None:
    assert _mo(locale) == {k: v for k, v in _po(locale).items() if v}


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_placeholders_match_the_english(locale: str) -> None:
    translated = _po(locale)
    for msgid, english in declared_messages().items():
        assert _fields(translated[msgid]) == _fields(english), msgid


def test_every_outcome_code_has_a_message_id() -> None:
    declared = declared_messages()
    for spec in _builtin().values():
        ids = outcome_ids(spec)
        for i, limit in enumerate(spec.limits):
            outcomes = (
                {"too_low": limit.too_low, "too_high": limit.too_high}
                if isinstance(limit, Range)
                else {"one_of": limit.outcome}
            )
            for side, outcome in outcomes.items():
                if outcome is None:
                    continue
                msgid = ids[(i, side)]
                assert msgid.split("@")[0] == outcome.code
                assert declared[msgid] == outcome.message
        for suffix in ("summary", "ok"):
            assert f"{spec.id}.{suffix}" in declared
        assert (f"{spec.id}.retake" in declared) == bool(spec.retake.strip())


def _failing_case(spec: CheckSpec, index: int, side: str) -> tuple[Measurement, dict[str, object]]:
    """A measurement and a rule on which only limit ``index`` is judged, failing on ``side``."""
    limit = spec.limits[index]
    values: dict[str, object] = {}
    for other in spec.limits:  # every measured value a template may name, negative
        values[other.value] = -3.0
    for name in ("degrees", "width", "height"):
        values.setdefault(name, -3.0)
    if isinstance(limit, OneOf):
        values[limit.value] = "other_thing"
        return Measurement(spec.id, values), {limit.param: ["white", "light_grey", "blue"]}
    step = 10.0 * max(limit.noise, 1.0)
    rule: dict[str, object] = {}
    if side == "too_low" and limit.min_param is not None:
        rule[limit.min_param] = 20.0
        values[limit.value] = 20.0 - step
    if side == "too_high" and limit.max_param is not None:
        rule[limit.max_param] = 20.0
        values[limit.value] = 20.0 + step
    return Measurement(spec.id, values), rule


def test_every_failure_code_runs_through_every_catalogue() -> None:
    """Each check's each failure, judged in the three languages: same code, filled message."""
    seen = 0
    for spec in _builtin().values():
        for (index, side), _msgid in outcome_ids(spec).items():
            measurement, rule = _failing_case(spec, index, side)
            results = {loc: judge_measurement(spec, measurement, rule, loc) for loc in LOCALES}
            codes = {r.code for r in results.values()}
            assert len(codes) == 1 and results["en"].status == "fail", (spec.id, side, codes)
            for loc, result in results.items():
                assert result.message and "{" not in result.message, (loc, result.message)
                assert "?" not in result.message.replace("(?)", ""), (loc, result.message)
            assert CJK.search(results["zh_CN"].message), results["zh_CN"].message
            assert results["es"].message != results["en"].message
            seen += 1
    assert seen >= 80


def test_sign_choices_are_translated_both_ways() -> None:
    spec = registered()["pose.yaw"]
    for degrees, zh, es in (
        (-12.0, "向左", "hacia su derecha"),
        (12.0, "向右", "hacia su izquierda"),
    ):
        values = {"degrees": degrees, "abs_degrees": abs(degrees)}
        rule = {p: 5.0 for p in spec.params}
        message = {
            loc: judge_measurement(spec, Measurement(spec.id, values), rule, loc).message
            for loc in ("zh_CN", "es")
        }
        # The head is turned one way; the message says to turn it back the other way.
        assert message["zh_CN"].count(zh) == 1
        assert es in message["es"]


@pytest.mark.parametrize("locale", LOCALES)
def test_borderline_messages_render(locale: str) -> None:
    for spec in _builtin().values():
        for limit in spec.limits:
            if isinstance(limit, Range):
                text = borderline_message(spec, limit, 4.8, 5.0, locale)
                assert "{" not in text and "4.8" in text
                if locale == "zh_CN":
                    assert CJK.search(text)


# --- reasons a check could not measure -----------------------------------------------------


def _raised_texts(path: Path, exception: str) -> list[str]:
    """The texts of ``raise <exception>("...")`` in a module (f-string fields become 12)."""
    texts = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        call = node.exc
        if not (isinstance(call.func, ast.Name) and call.func.id == exception and call.args):
            continue
        arg = call.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            texts.append(arg.value)
        elif isinstance(arg, ast.JoinedStr):
            texts.append(
                "".join(v.value if isinstance(v, ast.Constant) else "12" for v in arg.values)
            )
    return texts


def _inside_reasons() -> list[str]:
    """The reasons ``checks/features.py`` builds from ``_inside(..., what)``."""
    tree = ast.parse((SRC / "checks" / "features.py").read_text(encoding="utf-8"))
    whats = [
        node.args[3].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_inside"
        and isinstance(node.args[3], ast.Constant)
    ]
    assert whats
    return [f"the {what} is not fully inside the photo" for what in whats]


def test_every_not_assessed_reason_has_a_key() -> None:
    modules = [*sorted((SRC / "checks").glob("*.py")), SRC / "analysis.py"]
    reasons = [t for m in modules for t in _raised_texts(m, "NotAssessed")]
    reasons.remove("the 12 is not fully inside the photo")  # _inside's own template:
    reasons += _inside_reasons()  # its callers' texts instead
    # Scores raise ValueError on regions they cannot measure; checks pass the text on.
    for module in sorted((SRC / "scores").glob("*.py")):
        reasons += [
            t
            for t in _raised_texts(module, "ValueError")
            if not re.search(r"must be|expected|does not match|got shape", t)
        ]
    assert len(reasons) > 25
    unkeyed = [r for r in reasons if reason_key(r)[0] == "reason.other"]
    assert unkeyed == []


def test_reasons_round_trip_and_unknown_ones_keep_their_text() -> None:
    for key, template in REASONS.items():
        if key == "reason.other":
            continue
        names = re.findall(r"\{(\w+)\}", template)
        text = template.format(**{n: "42" for n in names})
        assert reason_key(text) == (key, dict.fromkeys(names, "42"))
    assert reason_key("a reason nobody wrote down") == (
        "reason.other",
        {"detail": "a reason nobody wrote down"},
    )


# --- locales -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (None, "en"), ("en_GB", "en"), ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"),
        ("zh_Hans_CN", "zh_CN"), ("zh", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"),
        ("es", "es"), ("es_ES", "es"), ("es-MX", "es"),
    ],
)  # fmt: skip
def test_locale_names_normalise(name: str | None, expected: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert normalize_locale(name) == expected
    if name is not None:  # Babel (dev only) reads the name as the same language
        from babel import Locale

        base = name.split(".")[0]
        parsed = Locale.parse(base, sep="-" if "-" in base else "_")
        assert parsed.language == expected.split("_")[0]


@pytest.mark.parametrize("name", ["fr_FR", "zh_TW", "klingon"])
def test_an_unknown_locale_warns_and_gives_english(name: str) -> None:
    with pytest.warns(UnknownLocaleWarning, match="using English"):
        assert normalize_locale(name) == "en"


@pytest.fixture(scope="module")
def tilted() -> dict[str, photocheck.Verdict]:
    photo = EXAMPLES / "head_tilted.jpg"
    return {loc: photocheck.validate(photo, locale=loc) for loc in LOCALES}


def test_validate_in_chinese_keeps_codes_and_values(tilted: dict[str, photocheck.Verdict]) -> None:
    english, chinese = tilted["en"], tilted["zh_CN"]
    assert chinese.locale == "zh_CN" and english.locale == "en"
    assert not english.ok
    for en, zh in zip(english.results, chinese.results, strict=True):
        assert (zh.check, zh.status, zh.code, zh.value) == (en.check, en.status, en.code, en.value)
        assert (dict(zh.limits), dict(zh.details)) == (dict(en.limits), dict(en.details))
        assert CJK.search(zh.message), zh.message
        assert zh.message != en.message
    assert english.to_dict()["results"][0].keys() == chinese.to_dict()["results"][0].keys()


def test_localized_renders_the_same_messages_as_validate(
    tilted: dict[str, photocheck.Verdict],
) -> None:
    english = tilted["en"]
    for loc in LOCALES:
        again = english.localized(loc)
        assert [r.message for r in again.results] == [r.message for r in tilted[loc].results]
        assert [r.code for r in again.results] == [r.code for r in english.results]
    back = tilted["zh_CN"].localized("en")
    assert [r.message for r in back.results] == [r.message for r in english.results]


def test_localized_to_an_unknown_locale_warns_and_keeps_english(
    tilted: dict[str, photocheck.Verdict],
) -> None:
    with pytest.warns(UnknownLocaleWarning):
        verdict = tilted["zh_CN"].localized("fr")
    assert verdict.locale == "en"
    assert [r.message for r in verdict.results] == [r.message for r in tilted["en"].results]


def test_not_assessed_and_frame_first_messages_are_translated() -> None:
    blank = np.full((400, 300, 3), 235, dtype=np.uint8)
    verdict = photocheck.validate(blank, "cn-social-security", locale="zh_CN")
    not_assessed = [r for r in verdict.results if r.status == "not_assessed"]
    assert not_assessed
    assert all("没有检测到人脸" in r.message for r in not_assessed)
    english = verdict.localized("en")
    assert all(
        r.message.endswith(": no face was found.")
        for r in english.results
        if r.status == "not_assessed"
    )
    # A photo of the wrong fixed size: its framing failures say so first, in Chinese too.
    size = [r for r in verdict.results if r.code == "image.format.too_narrow"]
    assert size and "像素" in size[0].message


# --- command line --------------------------------------------------------------------------


def test_cli_speaks_the_language_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    photo = str(EXAMPLES / "head_tilted.jpg")
    status_en = main(["check", photo])
    english = capsys.readouterr().out
    status_zh = main(["check", photo, "--lang", "zh_CN"])
    chinese = capsys.readouterr().out
    status_es = main(["check", photo, "--lang", "es-ES", "--failures-only"])
    spanish = capsys.readouterr().out
    assert status_en == status_zh == status_es == 1
    assert "REJECTED" in english and "不合格" in chinese and "RECHAZADA" in spanish
    assert "pose." in chinese and CJK.search(chinese.splitlines()[1])
    status_fr = main(["check", photo, "--lang", "fr"])
    out, err = capsys.readouterr()
    assert status_fr == 1 and out == english
    assert "warning" in err and "using English" in err


def test_cli_groups_reasons_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.fromarray(np.full((400, 300, 3), 235, dtype=np.uint8)).save(path)
    assert main(["check", str(path), "--lang", "zh_CN"]) == 1
    out = capsys.readouterr().out
    grouped = [line for line in out.splitlines() if "未检查：没有检测到人脸" in line]
    assert len(grouped) == 1 and "项检查" in grouped[0]


# --- annotated image legend ----------------------------------------------------------------


def _font_or_skip() -> Path:
    from photocheck.visual.annotate import find_font

    font = find_font()
    if font is None:
        reason = "no CJK font (apt-get install fonts-wqy-microhei, or set PHOTOCHECK_FONT)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must render the Chinese legend: {reason}")
        pytest.skip(reason)
    return font


def test_the_legend_draws_chinese_glyphs() -> None:
    _font_or_skip()
    from photocheck.visual.annotate import _font, _legend_truetype

    font = _font(18)
    assert font is not None

    def draw(text: str) -> np.ndarray:
        return _legend_truetype(font, 300, [], text, None, [])

    one, other = draw("背景颜色"), draw("面部中心")
    assert one.shape == other.shape
    # A font without the glyphs draws the same empty box for every character.
    assert (one != other).any()
    assert (one < 128).any() and (other < 128).any()


def test_annotate_in_chinese_and_spanish(tilted: dict[str, photocheck.Verdict]) -> None:
    _font_or_skip()
    from photocheck.visual.annotate import annotate

    photo = EXAMPLES / "head_tilted.jpg"
    english = annotate(photo, tilted["en"], width=480)
    chinese = annotate(photo, tilted["zh_CN"], width=480)
    spanish = annotate(photo, tilted["en"], width=480, locale="es")
    height = english.shape[0] - 1
    top = 480 * 3 // 4  # the photo part is identical whatever the language
    assert (english[:top] == chinese[:top]).all() and (english[:top] == spanish[:top]).all()
    assert height > top
    assert not np.array_equal(english[-60:], chinese[-60:])
    assert not np.array_equal(chinese[-60:], spanish[-60:])


def test_the_legend_warns_without_a_font(
    tilted: dict[str, photocheck.Verdict], monkeypatch: pytest.MonkeyPatch
) -> None:
    from photocheck.visual import annotate as module

    monkeypatch.setattr(module, "FONT_PATHS", ())
    monkeypatch.setenv("PHOTOCHECK_FONT", "/nonexistent/font.ttc")
    with pytest.warns(module.FontWarning):
        drawn = module.annotate(EXAMPLES / "head_tilted.jpg", tilted["zh_CN"], width=320)
    assert drawn.shape[1] == 320
    assert messages.DEFAULT_LOCALE == "en"


def test_the_verdicts_own_english_texts_are_the_catalogues() -> None:
    from photocheck.rules.verdict import _FRAME_TEXTS

    assert {k: messages.UI[k] for k in _FRAME_TEXTS} == _FRAME_TEXTS


def test_spanish_numbers_use_a_decimal_comma_and_a_spaced_percent():
    measured = photocheck.measure(EXAMPLES / "face_too_small.jpg", checks=["geometry.head_height"])
    english = photocheck.judge(measured, "icao")["geometry.head_height"].message
    spanish = photocheck.judge(measured, "icao", locale="es")["geometry.head_height"].message
    chinese = photocheck.judge(measured, "icao", locale="zh_CN")["geometry.head_height"].message
    assert re.search(r"\d\.\d%", english) and re.search(r"\d\.\d%", chinese)
    assert re.search(r"\d,\d %", spanish) and not re.search(r"\d\.\d", spanish)
