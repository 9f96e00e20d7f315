"""Tests that the notebooks are committed with their outputs stripped."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    """Tests that the notebooks folder holds the narrative notebooks."""
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_no_outputs(path: Path) -> None:
    """Tests that no code cell of the notebook holds outputs or an execution count."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        f"cell {i}: {len(cell.outputs)} outputs, execution_count {cell.execution_count}"
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name} has outputs; clear them before committing "
        f"(e.g. jupyter nbconvert --clear-output --inplace): {dirty}"
    )
