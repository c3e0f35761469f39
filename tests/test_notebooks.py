"""Execute the example notebooks so that they cannot rot (nbclient + ipykernel, dev group).

``examples/tuning.ipynb`` starts from a labelled manifest: the development photos when present
(a subset of them, see the notebook), the bundled examples' ``photos/manifest.csv`` otherwise.
Both starts are executed, and every plot cell (tagged ``plot``) must hold a rendered PNG.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from .conftest import PHOTOS_DIR

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


def _outputs(cell):
    return cell.get("outputs", []) if cell.cell_type == "code" else []


# jupyter_client / zmq may warn about their own deprecations while starting a kernel.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("start", ["bundled", "development"])
def test_tuning_notebook_runs_and_renders_its_plots(
    start: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = _kernel_available()
    if reason:
        pytest.skip(reason)
    import nbclient
    import nbformat

    monkeypatch.delenv("PHOTOCHECK_TABLE", raising=False)  # measure, do not read a cache
    if start == "bundled":
        monkeypatch.setenv("PHOTOCHECK_MANIFEST", "photos/manifest.csv")
        expected_manifest = "photos/manifest.csv"
    else:
        if not (PHOTOS_DIR / "manifest.csv").is_file():
            pytest.skip(f"development photos not available ({PHOTOS_DIR} is absent)")
        monkeypatch.delenv("PHOTOCHECK_MANIFEST", raising=False)  # the notebook's own choice
        expected_manifest = "shared/data/photos/manifest.csv"
    notebook = nbformat.read(EXAMPLES / "tuning.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell on any error

    outputs = [o for c in notebook.cells for o in _outputs(c)]
    assert all(o.output_type != "error" for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    assert expected_manifest in text  # it started from the manifest meant
    assert "| check | compliant (n) | non-compliant (n) | FRR | FAR |" in text
    assert "FRR" in text and "->" in text  # the tuning report
    plot_cells = [c for c in notebook.cells if "plot" in c.metadata.get("tags", [])]
    assert len(plot_cells) >= 4  # distributions, threshold sweep, ROC, tuned profile
    for cell in plot_cells:
        images = [o for o in _outputs(cell) if "image/png" in o.get("data", {})]
        assert images, f"no image rendered by:\n{cell.source[:300]}"
        assert len(images[0]["data"]["image/png"]) > 1000  # a real picture, not an empty one
