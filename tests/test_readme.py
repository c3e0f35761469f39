"""The README's Python examples run as typed into a fresh interpreter, one line at a time.

Every ```python block of README.md is fed, line by line, to one interactive console
(:class:`code.InteractiveConsole`, what ``python`` without a script runs) in a new process,
in README order (later blocks may use names an earlier one made), with a blank line after
each block as a reader pressing Enter would. Any traceback fails the test. The process runs
in a scratch folder where ``examples/`` points at the repository's, so the examples' paths
resolve and the files they write stay out of the repository. A block that needs something a
test machine does not have is preceded by ``<!-- readme-test: skip (reason) -->``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: skip \((?P<reason>[^)]+)\) -->\n)?```python\n(?P<code>.*?)^```",
    re.S | re.M,
)
_CONSOLE = r"""
import code, json, sys

class Console(code.InteractiveConsole):
    failed = False

    def showtraceback(self):
        Console.failed = True
        super().showtraceback()

    def showsyntaxerror(self, filename=None, **kwargs):
        Console.failed = True
        super().showsyntaxerror(filename)

console = Console(locals={"__name__": "__main__"})
for line_number, block in json.load(sys.stdin):
    for offset, line in enumerate(block.splitlines()):
        console.push(line)
        if Console.failed:
            sys.exit(f"README.md line {line_number + offset}: the example above failed")
    console.push("")  # the blank line that ends a compound statement at the prompt
    if Console.failed:
        sys.exit(f"README.md block at line {line_number}: the example above failed")
"""


def readme_blocks() -> list[tuple[int, str, str | None]]:
    """Return the README's Python blocks as ``(first code line, code, skip reason or None)``."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("reason"))
        for m in _BLOCK.finditer(text)
    ]


def test_the_readme_has_python_examples() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 4
    assert sum(reason is None for _, _, reason in blocks) >= 3
    assert README.read_text(encoding="utf-8").count("```python") == len(blocks)


def test_the_readme_python_examples_run(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    runnable = [(line, code) for line, code, reason in readme_blocks() if reason is None]
    done = subprocess.run(
        [sys.executable, "-c", _CONSOLE],
        input=json.dumps(runnable),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def test_a_failing_example_is_caught(tmp_path: Path) -> None:
    """The console reports an error in the middle of a block, with its README line."""
    blocks = [(10, "x = 1\nfor i in range(2):\n    y = i\n\nundefined_name\n")]
    done = subprocess.run(
        [sys.executable, "-c", _CONSOLE],
        input=json.dumps(blocks),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "NameError" in done.stderr and "README.md line 14" in done.stderr


@pytest.mark.parametrize("snippet", ["if True:\n    x = 1\nx\n"])
def test_a_compound_statement_needs_its_blank_line(tmp_path: Path, snippet: str) -> None:
    """At the prompt, a statement right after an indented block is a syntax error."""
    done = subprocess.run(
        [sys.executable, "-c", _CONSOLE],
        input=json.dumps([(1, snippet)]),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "SyntaxError" in done.stderr
