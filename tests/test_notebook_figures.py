"""Tests that notebooks show their charts: an executed notebook must hold image outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(autouse=True)
def _notebook_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the kernel choose its inline backend, as Jupyter does (the root conftest.py sets
    MPLBACKEND=Agg for everything else, and a kernel would inherit it)."""
    monkeypatch.delenv("MPLBACKEND", raising=False)


def _execute(notebook: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return notebook


def _images(notebook: nbformat.NotebookNode) -> list[int]:
    """Indexes of the code cells with at least one PNG output."""
    return [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and any("image/png" in out.get("data", {}) for out in cell.outputs)
    ]


def test_importing_plotting_keeps_inline_figures(tmp_path: Path) -> None:
    """Tests that plt.show() still draws in a notebook after importing patrolsim.plotting."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import matplotlib.pyplot as plt\nimport patrolsim.plotting  # noqa: F401\n"
                "plt.plot([0, 1], [1, 0])\nplt.title('违法时长')\nplt.show()"
            )
        ]
    )
    assert _images(_execute(notebook, tmp_path)) == [0]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_chart_cell_of_a_notebook_shows_an_image(path: Path) -> None:
    """Tests that each cell calling plt.show() has an image output once executed."""
    notebook = _execute(nbformat.read(path, as_version=4), path.parent)
    charts = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and "plt.show()" in cell.source
    ]
    assert charts, f"{path.name} draws no chart"
    assert set(charts) <= set(_images(notebook))
