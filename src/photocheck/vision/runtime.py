"""Load the bundled LiteRT models lazily: one interpreter per model and per thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelNotFoundError

__all__ = ["MODEL_DIR", "interpreter", "run"]

MODEL_DIR = Path(__file__).with_name("models")

_LOCAL = threading.local()


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
            found = Interpreter(model_path=str(path), num_threads=1)
            found.allocate_tensors()
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(f"LiteRT could not load {path}: {exc}") from exc
        cache[name] = found
    return found


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
