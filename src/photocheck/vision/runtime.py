"""Load the bundled LiteRT models lazily: one interpreter per model and per thread.

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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelNotFoundError

__all__ = ["MODEL_DIR", "interpreter", "preload", "run"]

MODEL_DIR = Path(__file__).with_name("models")

_LOCAL = threading.local()
# File descriptor 2 is process-wide: one thread at a time may redirect it.
_STDERR_LOCK = threading.Lock()
_XNNPACK_NOTICE = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"


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
    for detail, array in zip(interp.get_input_details(), inputs, strict=True):
        interp.set_tensor(detail["index"], np.ascontiguousarray(array, dtype=np.float32))
    interp.invoke()
    return {d["name"]: interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()}
