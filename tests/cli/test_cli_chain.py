"""Tests that the scheduler's commands chain: the roster's roster.csv feeds the routes command."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from patrolsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.slow  # routes --deterministic at its default budget: tens of seconds
def test_roster_output_feeds_routes(tmp_path: Path) -> None:
    """Tests that routes read roster.csv as the roster writes it (ISO datetimes, unit labels)."""
    tiny = str(SCENARIOS / "tiny")
    assert (
        main(
            [
                "roster",
                tiny,
                "--week",
                "2026-11-30",
                "--time-limit",
                "5",
                "--out",
                str(tmp_path / "roster"),
            ]
        )
        == 0
    )
    roster_csv = tmp_path / "roster" / "roster.csv"
    with roster_csv.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert "T" in rows[0]["start"]  # ISO datetime
    assert (
        main(
            [
                "routes",
                tiny,
                "--roster",
                str(roster_csv),
                "--date",
                "2026-11-30",
                "--deterministic",
                "--out",
                str(tmp_path / "routes"),
            ]
        )
        == 0
    )
    with (tmp_path / "routes" / "routes.csv").open(encoding="utf-8-sig") as fh:
        visits = list(csv.DictReader(fh))
    rostered_units = {f"{r['squad']}-{r['unit']}" for r in rows if r["date"] == "2026-11-30"}
    assert visits
    assert {v["unit"] for v in visits} <= rostered_units | {r["unit"] for r in rows}
