"""The HTML report, the verdict's HTML view and the CLI's report / --annotate."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import photocheck
from photocheck.cli.main import main
from photocheck.imaging.sources import expand_sources
from photocheck.rules.verdict import CheckResult, Verdict
from photocheck.visual.report import (
    ReportItem,
    check_photos,
    format_limits,
    format_value,
    render_report,
    verdict_html,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "photos"
HOSTILE = '<img src=x onerror="alert(1)">&amp;'


def _verdict(source: str, *statuses: tuple[str, str]) -> Verdict:
    results = tuple(
        CheckResult(
            code.rsplit(".", 1)[0],
            status,
            code,
            f"message for {code}",
            0.5,
            {"min": 0.1, "max": 0.9},
        )  # type: ignore[arg-type]
        for status, code in statuses
    )
    return Verdict("icao", source, results)


def _example_photos(folder: Path) -> list[Path]:
    """The example photos, or (until examples/photos exists) photos made from the astronaut."""
    found = [Path(s.label) for s in expand_sources(EXAMPLES)] if EXAMPLES.is_dir() else []
    if found:
        return found
    import cv2
    import skimage.data
    from PIL import Image

    astronaut = skimage.data.astronaut()
    portrait = cv2.resize(astronaut[0:240, 145:305], (400, 600), interpolation=cv2.INTER_CUBIC)
    Image.fromarray(astronaut).save(folder / "astronaut.jpg", quality=90)
    Image.fromarray(portrait).save(folder / "portrait.png")
    Image.fromarray(portrait[:, ::-1]).save(folder / "portrait_mirrored.jpg", quality=85)
    Image.fromarray(np.full((400, 300, 3), 235, np.uint8)).save(folder / "blank.png")
    (folder / "not_a_photo.jpg").write_bytes(b"this is not an image")
    return [Path(s.label) for s in expand_sources(folder)]


@pytest.fixture(scope="module")
def example_items(tmp_path_factory: pytest.TempPathFactory) -> list[ReportItem]:
    photos = _example_photos(tmp_path_factory.mktemp("examples"))
    return list(check_photos(photos, "icao"))


# --- the page ------------------------------------------------------------------------------


def test_everything_from_the_input_is_escaped() -> None:
    verdict = _verdict(HOSTILE, ("fail", 'x.y."><script>alert(2)</script>'))
    items = [
        ReportItem(HOSTILE, verdict, b"\xff\xd8jpeg"),
        ReportItem("<b>broken</b>.jpg", error="<script>alert(3)</script>"),
    ]
    page = render_report(items, title="<title>", profile="<p>")
    assert "<script>alert" not in page
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;amp;" in page
    assert "&lt;b&gt;broken&lt;/b&gt;.jpg" in page
    assert page.count("<script>") == 1  # only the page's own filter script
    html_view = verdict_html(verdict)
    assert "<img src=x" not in html_view and "&lt;img src=x" in html_view


def test_summary_counts_and_most_common_codes() -> None:
    items = [
        ReportItem("a.jpg", _verdict("a.jpg", ("pass", "sharpness.ok"))),
        ReportItem(
            "b.jpg", _verdict("b.jpg", ("fail", "sharpness.blurred"), ("fail", "pose.yaw.turned"))
        ),
        ReportItem("c.jpg", _verdict("c.jpg", ("fail", "sharpness.blurred"))),
        ReportItem("d.jpg", _verdict("d.jpg", ("not_assessed", "face.count.not_assessed"))),
        ReportItem("e.jpg", error="unreadable"),
    ]
    page = render_report(items)
    assert '<span class="pass">1 passed</span>' in page
    assert '<span class="fail">3 failed</span>' in page
    assert '<span class="error">1 errored</span>' in page
    top = re.findall(
        r'<button type="button" data-code="([^"]+)">[^<]*</button></td><td>(\d+)<', page
    )
    assert top[0] == ("sharpness.blurred", "2")
    assert set(top) == {
        ("sharpness.blurred", "2"),
        ("pose.yaw.turned", "1"),
        ("face.count.not_assessed", "1"),
    }
    assert page.count('<article class="card') == 5
    statuses = re.findall(r'<article class="card[^"]*" data-status="(\w+)"', page)
    assert statuses == ["pass", "fail", "fail", "fail", "error"]


def test_page_is_self_contained(example_items: list[ReportItem]) -> None:
    page = render_report(example_items)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r'(src|href)\s*=\s*"(?!data:)[a-z]+:', page)
    assert "@import" not in page and "url(" not in page
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == sum(item.thumbnail is not None for item in example_items) > 0
    assert all('loading="lazy"' in img and 'src="data:image/jpeg;base64,' in img for img in images)


def test_every_check_is_shown_with_its_value_and_limits(example_items: list[ReportItem]) -> None:
    item = next(i for i in example_items if i.verdict is not None and i.verdict.geometry)
    assert item.verdict is not None
    page = render_report([item])
    (attribute,) = re.findall(r'<details data-results="([^"]*)">', page)
    rows = json.loads(html.unescape(attribute))
    assert [row[0] for row in rows] == [r.check for r in item.verdict.results]
    for row, result in zip(rows, item.verdict.results, strict=True):
        assert row == [
            result.check,
            result.status,
            format_value(result.value),
            format_limits(result.limits),
            result.message,
            result.code,
            result.status.replace("_", " "),  # the status label, in the report's language
        ]


def test_format_limits_and_values() -> None:
    assert format_limits({"min": 0.6, "max": 0.9}) == "0.6 \u2013 0.9"
    assert format_limits({"min": 90, "max": None}) == "\u2265 90"
    assert format_limits({"min": None, "max": 5.0}) == "\u2264 5"
    assert format_limits({"allowed": ["white", "light_grey"]}) == "one of white, light grey"
    assert format_limits({"min_ratio": 0.5, "max_ratio": 0.75}) == "ratio 0.5 \u2013 0.75"
    assert format_limits({}) == ""
    assert format_value(0.123456) == "0.1235"
    assert format_value(float("nan")) == "\u2013"
    assert format_value(None) == "\u2013"
    assert format_value(True) == "yes"


def test_verdict_html_shows_the_table_and_a_thumbnail_when_given_the_photo() -> None:
    import skimage.data

    photo = skimage.data.astronaut()
    verdict = photocheck.validate(photo)
    table_only = verdict_html(verdict)
    assert table_only.count("<tr>") == len(verdict.results) + 1
    assert "<img" not in table_only
    markdown = verdict._repr_markdown_()  # what a notebook shows: no HTML in the rules layer
    assert markdown.count("\n| ") == len(verdict.results) + 1
    assert "<table" not in markdown and "<tr" not in markdown
    with_photo = verdict_html(verdict, photo, thumb_width=200)
    assert with_photo.count('src="data:image/jpeg;base64,') == 1


def test_check_photos_takes_expanded_sources(tmp_path: Path) -> None:
    from PIL import Image

    Image.fromarray(np.full((40, 30, 3), 235, np.uint8)).save(tmp_path / "a.png")
    sources = list(expand_sources([str(tmp_path), str(tmp_path / "*.gif")]))
    items = list(check_photos(sources, "icao"))
    assert [i.source for i in items] == [str(tmp_path / "a.png"), str(tmp_path / "*.gif")]
    assert (
        items[0].verdict is not None
        and items[1].error == f"no files match {str(tmp_path / '*.gif')!r}"
    )


# --- the command line ----------------------------------------------------------------------


def test_cli_report_writes_one_card_per_photo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(np.full((400, 300, 3), 235, np.uint8)).save(folder / "blank.png")
    (folder / "broken.jpg").write_bytes(b"nope")
    out = tmp_path / "report.html"
    # 2: one photo could not be read (an input error outranks the failed photo's 1)
    assert main(["report", str(folder), "-o", str(out), "--profile", "cn-social-security"]) == 2
    page = out.read_text(encoding="utf-8")
    assert page.count('<article class="card') == 2
    assert (
        '<span class="fail">1 failed</span>' in page
        and '<span class="error">1 errored</span>' in page
    )
    assert "profile cn-social-security" in page
    assert "2 photos" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty), "-o", str(tmp_path / "none.html")]) == 2
    assert not (tmp_path / "none.html").exists()
    assert main(["report", str(tmp_path / "missing"), "-o", str(out)]) == 2


def test_cli_report_expands_folders_and_globs_like_a_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    blank = Image.fromarray(np.full((400, 300, 3), 235, np.uint8))
    (tmp_path / "sub").mkdir()
    blank.save(tmp_path / "a.jpe", format="JPEG")  # a suffix the report used to skip
    blank.save(tmp_path / "sub" / "b.png")
    blank.save(tmp_path / ".hidden.png")
    (tmp_path / "notes.txt").write_text("not a photo")
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path), "-o", str(out)]) == 1  # the photos fail
    assert out.read_text(encoding="utf-8").count('<article class="card') == 2
    assert main(["report", str(tmp_path / "**" / "*.png"), "-o", str(out)]) == 1  # a quoted glob
    assert out.read_text(encoding="utf-8").count('<article class="card') == 1
    capsys.readouterr()
    assert main(["report", str(tmp_path / "*.gif"), "-o", str(out)]) == 2
    assert "no files match" in capsys.readouterr().err


def test_cli_check_annotate_writes_one_png_per_photo(tmp_path: Path) -> None:
    import skimage.data
    from PIL import Image

    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        Image.fromarray(skimage.data.astronaut()).save(tmp_path / sub / "photo.png")
    out = tmp_path / "annotated"
    photos = [str(tmp_path / "one" / "photo.png"), str(tmp_path / "two" / "photo.png")]
    assert main(["check", "--annotate", str(out), *photos]) == 1  # the astronaut fails
    written = sorted(p.name for p in out.iterdir())
    assert written == ["photo-2.png", "photo.png"]
    drawn = np.asarray(Image.open(out / "photo.png"))
    assert drawn.shape[1] == 640 and drawn.shape[0] > 640  # photo resized, legend below


# --- in a real browser ---------------------------------------------------------------------


def _browser() -> tuple[str, str]:
    pytest.importorskip("selenium", reason="selenium is not installed (uv sync --group dev)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip(
            "headless Chromium is not installed (apt-get install -y chromium chromium-driver)"
        )
    return chromium, driver


def test_report_in_headless_chromium(example_items: list[ReportItem], tmp_path: Path) -> None:
    chromium, chromedriver = _browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import Select

    # The example photos plus one card full of markup, which must show as text.
    hostile = _verdict(HOSTILE, ("fail", "x.<b>'bold'</b>"), ("pass", "y.ok"))
    example_items = [*example_items, ReportItem(HOSTILE, hostile)]
    page = tmp_path / "report.html"
    page.write_text(render_report(example_items, profile="icao"), encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,1600",
    ):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get(page.as_uri())
        problems = [
            entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")
        ]
        assert problems == []
        # Nothing was fetched: the page is self-contained.
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => !n.startsWith('data:'))"
        )
        assert fetched == []

        def visible() -> int:
            return int(
                driver.execute_script(
                    "return document.querySelectorAll('article.card:not([hidden])').length"
                )
            )

        statuses = Counter(item.status for item in example_items)
        assert int(
            driver.execute_script("return document.querySelectorAll('article.card').length")
        ) == len(example_items)
        assert visible() == len(example_items)
        status = Select(driver.find_element("id", "status-filter"))
        for value in ("fail", "pass", "error"):
            status.select_by_value(value)
            assert visible() == statuses[value]
            shown = driver.find_element("id", "shown").text
            assert shown == f"{statuses[value]} of {len(example_items)} shown"
        status.select_by_value("")
        assert visible() == len(example_items)
        codes = Counter(
            code
            for item in example_items
            if item.verdict is not None
            for code in dict.fromkeys(r.code for r in item.verdict.results if r.status != "pass")
        )
        code, n = codes.most_common()[-1]  # the rarest problem
        Select(driver.find_element("id", "code-filter")).select_by_value(code)
        assert visible() == n < len(example_items)
        status.select_by_value("error")
        assert visible() == 0  # both filters apply
        status.select_by_value("")
        # The summary's buttons set the problem filter.
        top_code = codes.most_common(1)[0][0]
        driver.find_element("css selector", f'button[data-code="{top_code}"]').click()
        assert visible() == codes[top_code]
        # Opening a card builds its table of every check, as text.
        driver.find_element("css selector", f'button[data-code="{top_code}"]').click()
        status.select_by_value("")
        Select(driver.find_element("id", "code-filter")).select_by_value("")
        details = driver.find_elements("css selector", "article.card details")
        assert len(details) == sum(item.verdict is not None for item in example_items)
        for element, item in zip(
            details, [i for i in example_items if i.verdict is not None], strict=True
        ):
            driver.execute_script("arguments[0].open = true", element)
            assert item.verdict is not None
            cells = driver.execute_script(
                "return Array.from(arguments[0].querySelectorAll('tbody tr'))"
                ".map(tr => tr.cells[0].textContent)",
                element,
            )
            assert cells == [r.check for r in item.verdict.results]
        last = details[-1]
        assert (
            driver.execute_script("return arguments[0].querySelectorAll('img').length", last) == 0
        )
        message = driver.execute_script(
            "return arguments[0].querySelector('tbody td:last-child').firstChild.textContent", last
        )
        assert message == "message for x.<b>'bold'</b>"
        title = driver.execute_script(
            "return document.querySelector('article.card:last-child h2').textContent"
        )
        assert title == HOSTILE
        assert driver.get_log("browser") == []
        assert (
            driver.execute_script(
                "return performance.getEntriesByType('resource').filter(e => !e.name.startsWith('data:')).length"
            )
            == 0
        )
        artifacts = Path(os.environ.get("PHOTOCHECK_ARTIFACTS", ROOT / "artifacts"))
        artifacts.mkdir(parents=True, exist_ok=True)
        Select(driver.find_element("id", "code-filter")).select_by_value("")
        assert driver.save_screenshot(str(artifacts / "report-chromium.png"))
    finally:
        driver.quit()
