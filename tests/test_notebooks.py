"""Execute the example notebooks so that they cannot rot (nbclient + ipykernel, dev group)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _kernel_available() -> str | None:
    for module in ("nbclient", "nbformat", "ipykernel", "matplotlib", "pandas"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (dev group / the 'notebook' extra)"
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return "no 'python3' Jupyter kernel is installed"
    return None


# jupyter_client / zmq may warn about their own deprecations while starting a kernel.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_tuning_notebook_runs_top_to_bottom():
    reason = _kernel_available()
    if reason:
        pytest.skip(reason)
    import nbclient
    import nbformat

    notebook = nbformat.read(EXAMPLES / "tuning.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell on any error
    text = "".join(
        o.get("text", "")
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "| sharpness |" in text  # the evaluation table was printed
    assert "FRR" in text  # the tuning report was printed
    kinds = {
        o.output_type for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
    }
    assert "error" not in kinds
