"""The ``validate-model`` command: report, figures, tables and exit status."""

from __future__ import annotations

import json
from pathlib import Path

from patrolsim.cli import main


def test_validate_model_writes_report_and_figure(tmp_path: Path) -> None:
    """Tests that one quick check writes report.md, a PNG, a CSV and results.json."""
    out = tmp_path / "v"
    status = main(["validate-model", "--out", str(out), "--only", "broken_windows"])
    assert status == 0
    assert (out / "check6_broken_windows.png").stat().st_size > 1000
    assert "How credible is the model?" in (out / "report.md").read_text(encoding="utf-8")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["number"] for r in results] == [6]
    assert results[0]["passed"] is True
    assert (out / "summary.csv").exists()
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_validate_model_rejects_an_unknown_check(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Tests that an unknown check name is a usage error (exit 2)."""
    try:
        status = main(["validate-model", "--out", str(tmp_path), "--only", "nonsense"])
    except SystemExit as exc:
        status = int(exc.code or 0)
    assert status == 2
    assert "invalid choice" in capsys.readouterr().err
