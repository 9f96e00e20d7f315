"""Tests of atomic output writing (patrolsim.outputs)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from patrolsim.outputs import atomic_path, write_figure, write_json, write_text


def test_written_files_are_readable_like_plain_files(tmp_path: Path) -> None:
    """Tests that files get the permissions open() would give (not mkstemp's private 0600)."""
    old = os.umask(0o022)
    try:
        path = write_text(tmp_path / "a.txt", "南湖")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text(encoding="utf-8") == "南湖"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    """Tests that an exception inside the block leaves the previous file untouched."""
    path = write_json(tmp_path / "summary.json", {"v": 1})

    def interrupted_write() -> None:
        with atomic_path(path) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_write()
    assert path.read_text(encoding="utf-8").strip().endswith("}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_write_figure_saves_atomically_and_closes_the_figure(tmp_path: Path) -> None:
    """Tests that a figure lands as a PNG, leaves no temporary file and is closed."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = write_figure(tmp_path / "plots" / "line.png", fig, tight=True)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in path.parent.iterdir()) == ["line.png"]
    assert not plt.fignum_exists(fig.number)
