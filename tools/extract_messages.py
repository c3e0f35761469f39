"""Write the message catalogues from the declarations, and compile them.

Run from the repository root after adding or changing a message (an outcome, a check's
``passed``/``retake``/``summary``, a NotAssessed reason in ``photocheck.rules.messages``):

    uv run --frozen python tools/extract_messages.py          # write and compile
    uv run --frozen python tools/extract_messages.py --check  # fail if anything is stale

It writes ``src/photocheck/locale/messages.pot`` and the English catalogue
``en/LC_MESSAGES/photocheck.po`` (msgstr = the declared text), then, for every translation
(``zh_CN``, ``es``), lists the ids it lacks or no longer needs, and compiles every ``.po`` into
its ``.mo`` (Babel; the package reads the ``.mo`` with the standard library's gettext).
Translations are written by hand in their ``.po``: add a missing id there.
"""

from __future__ import annotations

import argparse
import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import photocheck.api  # noqa: F401 - registers the built-in checks
from photocheck.rules.messages import DOMAIN, LOCALES, declared_messages

_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
LOCALE_DIR = Path(__file__).resolve().parents[1] / "src" / "photocheck" / "locale"


def _catalogue(locale: str | None, messages: dict[str, str], *, fill: bool) -> Catalog:
    catalog = Catalog(
        locale=locale, domain=DOMAIN, project="photocheck", version="", fuzzy=False,
        copyright_holder="the photocheck authors",
    )  # fmt: skip
    for msgid, english in messages.items():
        catalog.add(msgid, english if fill else "", auto_comments=[english])
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, no_location=True)
    # The creation date changes on every run; drop it so the file is stable.
    lines = buffer.getvalue().decode("utf-8").splitlines(keepends=True)
    return "".join(
        line for line in lines if not line.startswith(('"POT-Creation-Date', '"PO-Revision'))
    ).encode("utf-8")


def _mo_bytes(catalog: Catalog) -> bytes:
    # Fixed dates: the header would otherwise hold the time of the run.
    catalog.creation_date = catalog.revision_date = _EPOCH
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def run(check: bool) -> int:
    """Write (or with ``check``, compare) the catalogues; return the exit status."""
    messages = declared_messages()
    wanted: dict[Path, bytes] = {
        LOCALE_DIR / "messages.pot": _po_bytes(_catalogue(None, messages, fill=False)),
    }
    en_po = LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
    wanted[en_po] = _po_bytes(_catalogue("en", messages, fill=True))
    problems: list[str] = []
    for locale in LOCALES:
        po = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if locale == "en":
            catalog = read_po(io.BytesIO(wanted[en_po]), locale="en", domain=DOMAIN)
        elif not po.exists():
            problems.append(f"{po}: missing")
            continue
        else:
            with po.open("rb") as fp:
                catalog = read_po(fp, locale=locale, domain=DOMAIN)
            have = {m.id for m in catalog if m.id and m.string}
            missing = [k for k in messages if k not in have]
            extra = sorted(str(k) for k in have if k not in messages)
            problems += [f"{locale}: no translation of {k!r}" for k in missing]
            problems += [f"{locale}: {k!r} is no longer declared" for k in extra]
        wanted[po.with_suffix(".mo")] = _mo_bytes(catalog)
    for path, content in wanted.items():
        if check:
            if not path.exists() or path.read_bytes() != content:
                problems.append(f"{path}: out of date (run tools/extract_messages.py)")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a catalogue is stale"
    )
    return run(parser.parse_args().check)


if __name__ == "__main__":
    sys.exit(main())
