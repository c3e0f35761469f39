"""Load the bundled LiteRT models lazily: one interpreter per model and per thread.

:func:`start` runs work (the person mask) on one helper thread while the caller goes on
(detection and mesh): LiteRT and OpenCV release the GIL while they compute.

LiteRT announces its XNNPACK CPU delegate on standard error ("INFO: Created TensorFlow Lite
XNNPACK delegate for CPU.") the first time an interpreter is allocated, from C++, with no
option to turn it off (``TF_CPP_MIN_LOG_LEVEL`` does not reach it, and running without the
delegate is 3x slower and cannot run the segmentation model's custom op). So file
descriptor 2 is pointed at a temporary file while an interpreter is created, and whatever
was written there meanwhile, by LiteRT or another thread, is written back without that one
line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelNotFoundError

__all__ = ["MODEL_DIR", "Started", "interpreter", "preload", "run", "start", "use_helper"]

MODEL_DIR = Path(__file__).with_name("models")

_LOCAL = threading.local()
# File descriptor 2 is process-wide: one thread at a time may redirect it.
_STDERR_LOCK = threading.Lock()
_XNNPACK_NOTICE = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"

_T = TypeVar("_T")
# The helper thread of :func:`start`, made on first use (and again in a forked child, where
# the parent's thread does not exist).
_HELPER_LOCK = threading.Lock()
_helper: ThreadPoolExecutor | None = None
_helper_enabled: bool | None = None  # None: when a core looks idle (see use_helper)


def _forget_helper() -> None:
    global _helper
    _helper = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helper)


@contextlib.contextmanager
def _without_xnnpack_notice() -> Iterator[None]:
    """Hold back what is written to file descriptor 2; write it back minus LiteRT's notice."""
    with _STDERR_LOCK, contextlib.ExitStack() as stack:
        try:
            held = stack.enter_context(tempfile.TemporaryFile())
            saved = os.dup(2)
        except OSError:  # nowhere to hold it, or no standard error: let it through
            yield
            return
        with contextlib.suppress(Exception):  # sys.stderr may be None or closed
            sys.stderr.flush()
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            rest = held.read().replace(_XNNPACK_NOTICE, b"")
            with contextlib.suppress(OSError):
                while rest:
                    rest = rest[os.write(2, rest) :]


def interpreter(name: str) -> Any:
    """Return this thread's interpreter for the bundled model ``name`` (file stem).

    Parameters
    ----------
    name : str
        The model's file name under ``vision/models/`` without ``.tflite``.

    Returns
    -------
    ai_edge_litert.interpreter.Interpreter
        Allocated and ready; created on first use in each thread.

    Raises
    ------
    ModelNotFoundError
        When the model file is missing or LiteRT cannot read it.
    """
    cache: dict[str, Any] | None = getattr(_LOCAL, "interpreters", None)
    if cache is None:
        cache = _LOCAL.interpreters = {}
    found = cache.get(name)
    if found is None:
        path = MODEL_DIR / f"{name}.tflite"
        if not path.is_file():
            raise ModelNotFoundError(
                f"the face model {path.name} is missing from {MODEL_DIR}; reinstall photocheck"
            )
        from ai_edge_litert.interpreter import Interpreter

        try:
            with _without_xnnpack_notice():
                found = Interpreter(model_path=str(path), num_threads=1)
                found.allocate_tensors()
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(f"LiteRT could not load {path}: {exc}") from exc
        cache[name] = found
    return found


def preload() -> None:
    """Create this thread's interpreter for every bundled model (a worker's warm-up).

    Raises
    ------
    ModelNotFoundError
        When LiteRT cannot read one of the bundled models.
    """
    for path in sorted(MODEL_DIR.glob("*.tflite")):
        interpreter(path.stem)


def run(name: str, *inputs: NDArray[np.float32]) -> dict[str, NDArray[np.float32]]:
    """Run the model ``name`` on ``inputs`` (in the model's input order).

    Parameters
    ----------
    name : str
        The model's file stem (see :func:`interpreter`).
    *inputs : ndarray
        float32 arrays, each of the exact shape the model declares.

    Returns
    -------
    dict of str to ndarray
        Every output tensor by its name, copied out of the interpreter.
    """
    interp = interpreter(name)
    input_indexes, outputs = _tensor_indexes(name, interp)
    for index, array in zip(input_indexes, inputs, strict=True):
        interp.set_tensor(index, np.ascontiguousarray(array, dtype=np.float32))
    interp.invoke()
    # get_tensor already returns a copy (LiteRT's GetTensor), not a view of the interpreter.
    return {output: interp.get_tensor(index) for output, index in outputs}


def _tensor_indexes(name: str, interp: Any) -> tuple[list[int], list[tuple[str, int]]]:
    """Return the input indexes and (name, index) outputs of ``interp``, read once per thread.

    LiteRT builds the whole details dicts (quantisation, sparsity) on every
    ``get_input_details``/``get_output_details`` call; the indexes never change.
    """
    cache: dict[str, tuple[list[int], list[tuple[str, int]]]] | None = getattr(
        _LOCAL, "indexes", None
    )
    if cache is None:
        cache = _LOCAL.indexes = {}
    found = cache.get(name)
    if found is None:
        found = (
            [int(d["index"]) for d in interp.get_input_details()],
            [(str(d["name"]), int(d["index"])) for d in interp.get_output_details()],
        )
        cache[name] = found
    return found


class Started(Generic[_T]):
    """Work handed to the helper thread by :func:`start`."""

    def __init__(self, future: Future[_T] | None) -> None:
        self._future = future

    def take(self) -> _T | None:
        """Return the work's result, waiting for it if the helper has begun it.

        Returns None, and the helper will not do it, when it had not begun (it was busy with
        other callers' work): the caller does the work itself, which never takes longer than
        waiting. Raises what the work raised.
        """
        if self._future is None or self._future.cancel():
            return None
        return self._future.result()


def use_helper(enabled: bool | None) -> None:
    """Say when :func:`start` uses the helper thread: always, never, or when a core is idle.

    The helper shortens a call by the work it takes over when a core is idle. When none is
    (other processes, one worker process per core as batch pools run), the two threads take
    turns on one core, and the switches cost more than they save: measured on 2 cores, a
    ``validate()`` about 18% faster with a core free, 10-15% slower without one.

    Parameters
    ----------
    enabled : bool or None
        True: always; False: never (every piece of work is handed back to its caller);
        None (the default): when the 1-minute load average leaves at least half a core idle
        besides this process's own work.
    """
    global _helper_enabled
    _helper_enabled = enabled


def _core_idle() -> bool:
    """Whether the load average leaves a core idle: fewer than ``cores - 0.5`` tasks running."""
    try:
        load = os.getloadavg()[0]
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on this platform: assume a free core
        return True
    return load < cores - 0.5


def start(work: Callable[[], _T]) -> Started[_T]:
    """Start ``work`` on photocheck's helper thread while the caller goes on.

    The helper is one thread for the whole process, with its own interpreters; it does the
    work it is given in turn. When the result is asked for before the helper has begun the
    work (see :meth:`Started.take`), the caller does it instead, so many threads calling at
    once are no slower than without the helper. See :func:`use_helper` for when the work is
    handed back at once.

    Parameters
    ----------
    work : callable
        Called with no arguments, at most once, on the helper thread, beside the caller: it
        must not write anything the caller reads or writes meanwhile.

    Returns
    -------
    Started
        Its :meth:`~Started.take` gives the result, or None when the caller must do the work.
    """
    global _helper
    if _helper_enabled is False or (_helper_enabled is None and not _core_idle()):
        return Started(None)
    try:
        with _HELPER_LOCK:
            if _helper is None:
                _helper = ThreadPoolExecutor(1, thread_name_prefix="photocheck-helper")
            return Started(_helper.submit(work))
    except RuntimeError:  # the interpreter is shutting down: no new threads
        return Started(None)
