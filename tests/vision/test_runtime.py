"""LiteRT models (photocheck.vision.runtime): one interpreter per thread, typed load errors, quiet.

LiteRT writes "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." to file descriptor 2
when the first interpreter of a process is allocated; photocheck holds that line back and
nothing else. That is only visible from a fresh process, so those tests run one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
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


@pytest.fixture
def helper_on() -> Iterator[None]:
    """The helper thread always used (by default only when the load average leaves a core idle)."""
    runtime.use_helper(True)
    yield
    runtime.use_helper(None)


def _on_helper(work: Any) -> Any:
    """Start ``work`` with :func:`runtime.start`, wait until the helper has begun it, get it."""
    begun = threading.Event()

    def marked() -> Any:
        begun.set()
        return work()

    started = runtime.start(marked)
    assert begun.wait(30)
    return started.take()


def test_start_runs_the_work_on_the_helper_thread(helper_on: None) -> None:
    name, value = _on_helper(lambda: (threading.current_thread().name, 6 * 7))
    assert value == 42
    assert name.startswith("photocheck-helper")
    # The helper is one thread, kept: its interpreters are made once.
    again, _ = _on_helper(lambda: (threading.current_thread().name, None))
    assert again == name


def test_start_hands_back_work_the_helper_has_not_begun(helper_on: None) -> None:
    release = threading.Event()
    begun = threading.Event()

    def block() -> str:
        begun.set()
        release.wait(30)
        return threading.current_thread().name

    done: list[str] = []
    blocking = runtime.start(block)
    assert begun.wait(30)

    def queued_work() -> str:
        done.append("queued")
        return "queued"

    queued = runtime.start(queued_work)
    # The helper is busy: the queued work is handed back (the caller does it) and dropped.
    assert queued.take() is None
    release.set()
    name = blocking.take()
    assert name is not None and name.startswith("photocheck-helper")
    assert _on_helper(lambda: "after") == "after"  # the helper went on past the dropped work
    assert done == []


def test_start_raises_what_the_work_raised(helper_on: None) -> None:
    def fail() -> None:
        raise ModelNotFoundError("from the helper")

    with pytest.raises(ModelNotFoundError, match="from the helper"):
        _on_helper(fail)


def test_use_helper_false_hands_all_work_back(helper_on: None) -> None:
    ran: list[str] = []
    runtime.use_helper(False)
    try:
        started = runtime.start(lambda: ran.append(threading.current_thread().name))
        assert started.take() is None  # the caller does the work
    finally:
        runtime.use_helper(True)
    assert _on_helper(lambda: "again") == "again"
    assert ran == []


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs os.sched_getaffinity")
def test_by_default_the_helper_is_used_only_when_a_core_is_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime.use_helper(None)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(os, "getloadavg", lambda: (1.7, 1.0, 1.0))  # both cores busy
    assert runtime.start(lambda: "busy").take() is None
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 1.0, 1.0))  # this process and a bit
    assert _on_helper(lambda: threading.current_thread().name).startswith("photocheck-helper")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))  # one core: never
    assert runtime.start(lambda: "one core").take() is None


_FORKED = r"""
import os, threading
from photocheck.vision import runtime

runtime.use_helper(True)

def on_helper():
    begun = threading.Event()
    started = runtime.start(lambda: (begun.set(), threading.current_thread().name)[1])
    return started.take() if begun.wait(30) else "never begun"

assert on_helper().startswith("photocheck-helper")  # the parent's helper thread exists now
pid = os.fork()
if pid == 0:
    os._exit(0 if on_helper().startswith("photocheck-helper") else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_gets_its_own_helper() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", _FORKED],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
