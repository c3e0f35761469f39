"""Screenshots of a Chinese and a Spanish verdict for docs/i18n.md, from examples/photos.

    uv run --frozen python tools/make_i18n_screenshots.py

Writes, for each language (``zh_CN``, ``es``):

- ``docs/i18n/cli-<locale>.txt``: the text ``photocheck check --lang <locale>`` prints;
- ``docs/i18n/report-<locale>.png``: the HTML report (``photocheck report --lang``) in
  headless Chromium (selenium and the Debian packages ``chromium chromium-driver``, as in
  tests/test_report.py), with the first card's table of every check opened;
- ``docs/i18n/annotated-<locale>.png``: the annotated photo with its legend (a CJK font is
  needed for Chinese: ``fonts-wqy-microhei`` or ``$PHOTOCHECK_FONT``).

Then rewrites the CLI blocks of docs/i18n.md between its ``<!-- cli:<locale> -->`` markers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

import cv2

from photocheck.cli.main import main as cli
from photocheck.visual.annotate import annotate, find_font
from photocheck.visual.report import write_report

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "examples" / "photos"
OUT = ROOT / "docs" / "i18n"
DOC = ROOT / "docs" / "i18n.md"
LOCALES = ("zh_CN", "es")
# The photos shown: a dark photo (failures, a borderline result, a check not assessed, the
# allowed background colours in words) and a tilted head (a sign-dependent message).
PHOTO = "too_dark.jpg"
CLI_PHOTOS = ("too_dark.jpg", "head_tilted.jpg")
REPORT_PHOTOS = ("too_dark.jpg", "head_tilted.jpg", "compliant_icao.jpg")


def cli_text(locale: str) -> str:
    """Return what ``photocheck check --failures-only --lang <locale>`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli(["check", *(str(PHOTOS / p) for p in CLI_PHOTOS), "--failures-only", "--lang", locale])
    return out.getvalue().replace(str(PHOTOS) + "/", "examples/photos/")


def annotated(locale: str) -> Path:
    """Write the annotated example photo with its legend in ``locale``."""
    import photocheck

    verdict = photocheck.validate(PHOTOS / PHOTO, locale=locale)
    drawn = annotate(PHOTOS / PHOTO, verdict, width=560)
    path = OUT / f"annotated-{locale}.png"
    cv2.imwrite(str(path), drawn[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return path


def report(locale: str, work: Path) -> Path:
    """Render the HTML report in ``locale`` in headless Chromium and save a screenshot."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        raise SystemExit("needs chromium and chromium-driver (apt-get install -y ...)")
    page = work / f"report-{locale}.html"
    # Relative names, so that the cards are titled examples/photos/<name>.
    with contextlib.chdir(ROOT):
        photos = [f"examples/photos/{name}" for name in REPORT_PHOTOS]
        write_report(photos, page, thumb_width=220, locale=locale)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={work / ('profile-' + locale)}",
        "--window-size=1000,1300", "--hide-scrollbars",
    ):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    path = OUT / f"report-{locale}.png"
    try:
        driver.set_page_load_timeout(60)
        driver.get(page.as_uri())
        driver.execute_script(
            "var d = document.querySelector('article.card details'); if (d) { d.open = true; }"
        )
        driver.save_screenshot(str(path))
    finally:
        driver.quit()
    return path


def update_doc(texts: dict[str, str]) -> None:
    """Put each CLI text between its markers in docs/i18n.md."""
    doc = DOC.read_text(encoding="utf-8")
    for locale, text in texts.items():
        photos = " ".join(f"examples/photos/{p}" for p in CLI_PHOTOS)
        command = f"photocheck check {photos} --failures-only --lang {locale}"
        block = f"<!-- cli:{locale} -->\n```text\n$ {command}\n"
        block += f"{text}```\n<!-- /cli:{locale} -->"
        pattern = re.compile(f"<!-- cli:{locale} -->.*?<!-- /cli:{locale} -->", re.DOTALL)
        match = pattern.search(doc)
        if match is None:
            raise SystemExit(f"docs/i18n.md has no <!-- cli:{locale} --> block")
        doc = doc[: match.start()] + block + doc[match.end() :]
    DOC.write_text(doc, encoding="utf-8")


def main() -> int:
    """Write every screenshot and update docs/i18n.md."""
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    if find_font() is None:
        raise SystemExit("no CJK font: apt-get install -y fonts-wqy-microhei (or PHOTOCHECK_FONT)")
    OUT.mkdir(parents=True, exist_ok=True)
    texts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for locale in LOCALES:
            texts[locale] = cli_text(locale)
            (OUT / f"cli-{locale}.txt").write_text(texts[locale], encoding="utf-8")
            print(annotated(locale))
            print(report(locale, Path(tmp)))
    update_doc(texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
