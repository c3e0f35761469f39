"""LiteRT models (photocheck.vision.runtime): one interpreter per thread, typed load errors, quiet.

LiteRT writes "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." to file descriptor 2
when the first interpreter of a process is allocated; photocheck holds that line back and
nothing else. That is only visible from a fresh process, so those tests run one.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from photocheck.errors import ModelNotFoundError
from photocheck.vision import runtime

MODEL = "face_detection_short_range"


def _in_thread(function: Any) -> Any:
    """Call ``function`` in a new thread; return its result or the exception it raised."""
    box: list[Any] = []

    def call() -> None:
        try:
            box.append(function())
        except Exception as exc:
            box.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    return box[0]


def test_one_interpreter_per_thread() -> None:
    here = runtime.interpreter(MODEL)
    assert runtime.interpreter(MODEL) is here
    other = _in_thread(lambda: runtime.interpreter(MODEL))
    assert other is not here
    assert runtime.interpreter(MODEL) is here


def test_missing_model_raises_the_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "MODEL_DIR", tmp_path)
    # A fresh thread: this one may already hold a working interpreter for MODEL.
    error = _in_thread(lambda: runtime.interpreter(MODEL))
    assert isinstance(error, ModelNotFoundError)
    assert "missing" in str(error)


def test_unreadable_model_raises_the_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.tflite").write_bytes(b"TFL3 not really a flatbuffer" * 10)
    monkeypatch.setattr(runtime, "MODEL_DIR", tmp_path)
    error = _in_thread(lambda: runtime.interpreter("broken"))
    assert isinstance(error, ModelNotFoundError)
    assert "could not load" in str(error)


_QUIET = r"""
import os, sys
import ai_edge_litert.interpreter as litert
from photocheck.vision import runtime

real = litert.Interpreter

class Chatty(real):
    def allocate_tensors(self):
        os.write(2, b"from elsewhere before\n")
        result = super().allocate_tensors()
        os.write(2, b"from elsewhere after\n")
        return result

litert.Interpreter = Chatty
for name in ("face_detection_short_range", "face_landmark_attention_stage1", "selfie_segmentation"):
    runtime.interpreter(name)
sys.stderr.write("python stderr still works\n")
"""


def test_the_xnnpack_notice_is_held_back_and_nothing_else() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _QUIET], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    expected = "from elsewhere before\nfrom elsewhere after\n" * 3
    assert done.stderr == expected + "python stderr still works\n"


def test_without_the_redirect_litert_does_print_the_notice() -> None:
    # Guards the test above: if LiteRT stops printing the line, the redirect can go.
    code = (
        "from ai_edge_litert.interpreter import Interpreter\n"
        "from photocheck.vision.runtime import MODEL_DIR\n"
        f"Interpreter(model_path=str(MODEL_DIR / '{MODEL}.tflite')).allocate_tensors()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "XNNPACK delegate" in done.stderr
