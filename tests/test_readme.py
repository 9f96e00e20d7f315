"""Tests that the README's Python example runs as printed."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that the README's Python block runs from the repository root and prints results."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    script = tmp_path / "example.py"
    script.write_text(blocks[0], encoding="utf-8")
    monkeypatch.chdir(ROOT)
    runpy.run_path(os.fspath(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "posts+mobile" in out
    assert "roster 2026-11-30" in out
    assert "late:" in out
