"""The hostile-input corpus, run in a subprocess under a memory cap and a per-input time cap.

Also: nothing that comes from the input (file names, EXIF text) reaches the terminal or JSON
output as escape sequences or markup.

The caps are resource limits, not speed assertions: an input fails only when it needs more
than 2 CPU seconds (about 30x what a normal portrait takes here), rings the 20 s wall-clock
alarm (a hang), or fails to fit in the capped address space.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photocheck.cli.main import json_line, main, safe_text

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "hostile" / "run_corpus.py"
sys.path.insert(0, str(HERE / "hostile"))
import hostile_corpus as corpus  # noqa: E402

CPU_CAP_S = 2.0


def _run_corpus(tmp_path: Path, *args: str) -> list[dict[str, object]]:
    proc = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--folder",
            str(tmp_path),
            "--cpu-cap",
            str(CPU_CAP_S),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]  # 1 = some input failed: see below
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_corpus_under_memory_and_time_caps(tmp_path: Path) -> None:
    # Bombs and over-limit inputs run with only 64 MB of address space to spare: decoding any
    # of them would need gigabytes, so an ImageTooLargeError (not a MemoryError) shows each
    # was refused from its header.
    rows = _run_corpus(
        tmp_path, "--memory-mb", "1024", "--bomb-memory-mb", "64", "--wall-cap", "20"
    )
    assert {r["name"] for r in rows} == {c.name for c in corpus.cases()}
    unexpected = [
        f"{r['name']}: expected {r['expect']}, got {r['outcome']}: {r['detail']}"
        for r in rows
        if not r["ok"]
    ]
    assert not unexpected, "\n".join(unexpected)
    slow = [f"{r['name']}: {r['cpu_s']} CPU s" for r in rows if r["cpu_s"] > CPU_CAP_S]  # type: ignore[operator]
    assert not slow, slow
    for row in rows:
        assert row["detail"], row["name"]  # every error and verdict says something
        if row["name"] in ("bomb_png", "bomb_tiff", "bomb_bmp"):
            assert "100000 x 100000 pixels" in str(row["detail"])
            assert row["memory_cap_mb"] == 64
        if row["outcome"] == "verdict" and row["group"] == "size":
            assert "not_assessed" in row["detail"] or "pass" in row["detail"]


# --- nothing from the input reaches the output as escapes or markup --------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain name.jpg", "plain name.jpg"),
        ("é 中文 ok", "é 中文 ok"),
        ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
        ("bell\x07\x00nul", "bell\\x07\\x00nul"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("tab\tnew\nline\r", "tab\\x09new\\x0aline\\x0d"),
        ("rlo\u202egpj.exe", "rlo\\u202egpj.exe"),
        ("sep\u2028x", "sep\\u2028x"),
        ("bad\udcffbyte", "bad\\udcffbyte"),
    ],
)
def test_safe_text(text: str, expected: str) -> None:
    assert safe_text(text) == expected
    assert safe_text(text).isprintable()


def test_json_line_escapes_markup_and_controls() -> None:
    line = json_line({"source": "</script><img src=x onerror=alert(1)>&\x1b[31m\u2028"})
    assert "<" not in line and ">" not in line and "&" not in line and "\x1b" not in line
    assert line.isascii() and "\n" not in line
    assert json.loads(line)["source"] == "</script><img src=x onerror=alert(1)>&\x1b[31m\u2028"


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-names")
    good = folder / corpus.HOSTILE_NAME
    good.write_bytes(corpus.png())
    bad = folder / ("\x1b]0;title\x07<b>bad</b>".replace("/", "") + ".jpg")
    bad.write_bytes(b"not an image \x1b[31m")
    description = "\x1b[2J\x1b[31m<script>alert(1)</script>"
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = description  # ImageDescription
    exif[0x010F] = "\x1b]0;EXIFTEXT\x07"  # Make
    tagged = folder / "tagged.jpg"
    tagged.write_bytes(corpus.encode(corpus.portrait(), "JPEG", exif=exif.tobytes()))
    return {"good": good, "bad": bad, "tagged": tagged}


def _assert_no_escapes(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "\u202e" not in text


def _assert_no_markup(text: str) -> None:
    assert "<" not in text and ">" not in text and "&" not in text


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_cli_output_is_clean(
    hostile_files: dict[str, Path], capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    args = ["check", *(str(p) for p in hostile_files.values())] + (["--json"] if as_json else [])
    status = main(args)
    out, err = capsys.readouterr()
    assert status == 2  # the bad file is an input error
    _assert_no_escapes(out)
    _assert_no_escapes(err)  # markup on a terminal is harmless text; escapes are not
    assert "photocheck: error:" in err and "\\x1b]0;title\\x07" in err
    if as_json:
        _assert_no_markup(out)
        sources = [json.loads(line)["source"] for line in out.splitlines()]
        assert sources == [corpus.HOSTILE_NAME, "tagged.jpg"]  # data survives, escaped
    else:
        assert safe_text(corpus.HOSTILE_NAME) in out
        assert "EXIFTEXT" not in out and "alert(1)</script>" not in out  # EXIF text is not shown


def test_error_messages_from_the_library_quote_names_safely(tmp_path: Path) -> None:
    import photocheck

    missing = tmp_path / "\x1b[31mmissing.jpg"
    with pytest.raises(photocheck.InvalidImageError) as info:
        photocheck.load_image(missing)
    assert "\x1b" not in str(info.value)  # paths are quoted with repr()
    folder = tmp_path / "\x1b[31mdir"
    folder.mkdir()
    with pytest.raises(photocheck.InvalidImageError) as info:
        photocheck.load_image(folder)
    assert "\x1b" not in str(info.value)
    garbage = tmp_path / "\x1b[31m\x9bgarbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0 broken")
    with pytest.raises(photocheck.InvalidImageError) as info:
        photocheck.load_image(garbage)
    assert "\x1b" not in str(info.value) and "\x9b" not in str(info.value)
    assert "\\x1b[31m\\x9bgarbage.jpg" in str(info.value)


def test_verdict_json_keeps_the_name_as_data() -> None:
    import photocheck

    verdict = photocheck.validate(np.zeros((10, 10, 3), np.uint8))
    assert json.loads(json_line(verdict.to_dict()))["source"] == "<array>"
    assert all(r.status in ("fail", "not_assessed") for r in verdict.results)
