"""Tests of ``patrolsim validate`` and ``patrolsim schema`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from patrolsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_validate_reference_district(capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that the reference district validates with a summary and exit status 0."""
    assert main(["validate", str(SCENARIOS / "nanhu")]) == 0
    out = capsys.readouterr().out
    assert "patches: 50" in out
    assert "market (农贸市场) 6" in out
    assert "squad S1" in out
    assert "squad S2" in out
    assert "holidays in range" in out
    assert "春节" in out
    assert "street_vending" in out


def test_validate_damaged_copy_exits_2_without_traceback(tmp_path: Path) -> None:
    """Tests that a damaged scenario gives one line per problem, exit 2 and no traceback."""
    folder = tmp_path / "nanhu"
    shutil.copytree(SCENARIOS / "nanhu", folder)
    text = (folder / "staff.csv").read_text(encoding="utf-8")
    (folder / "staff.csv").write_text(
        text.replace(",certified,S1,40", ",certifed,S1,forty", 1), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "patrolsim", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(
        line.endswith(
            "role: unknown value; expected one of certified, auxiliary, leader (got 'certifed')"
        )
        for line in lines
    )
    assert any(": weekly_hours: expected a number (got 'forty')" in line for line in lines)
    assert lines[-1].startswith("patrolsim: 2 problems found")


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that an unknown subcommand or missing argument exits with status 2."""
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_schema_is_json_schema(tmp_path: Path) -> None:
    """Tests that ``patrolsim schema`` writes a JSON Schema naming the scenario's tables."""
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["type"] == "object"
    for key in ("violation_types", "shifts", "squads", "roster", "campaigns", "targets"):
        assert key in schema["properties"]
    assert set(schema["required"]) >= {"name", "start_date", "horizon_days"}
