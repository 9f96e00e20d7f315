"""Tests of ``patrolsim plan`` as a scheduler runs it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from matplotlib.image import imread

from patrolsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_plan_writes_roster_routes_comparison_and_report(tmp_path: Path) -> None:
    """Tests the Monday-morning job end to end on the tiny district (small budgets)."""
    out = tmp_path / "plan"
    assert main(["plan", str(SCENARIOS / "tiny"), "--week", "2026-11-30", "--reps", "2",
                 "--roster-time-limit", "3", "--route-branches", "300", "--out", str(out)]) == 0
    for name in ("roster.csv", "roster.xlsx", "coverage.csv", "routes.csv", "routes.geojson",
                 "requirements.csv", "comparison.csv", "paired.csv", "report.html", "report.png"):
        assert (out / name).stat().st_size > 0, name
    with (out / "comparison.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["policy", "kpi", "mean", "ci_low", "ci_high"]
    assert {r["policy"] for r in rows} == {"planned", "posts+mobile", "hotspot"}
    picture = imread(out / "report.png")
    assert picture.shape[0] > 500
    assert picture.shape[1] > 800
    assert not list(out.glob(".*"))  # no temporary files left behind
    # one story: coverage.csv shows required, provided and short against the standard cover
    with (out / "coverage.csv").open(encoding="utf-8-sig") as fh:
        cover = list(csv.DictReader(fh))
    assert {"units_required", "units_provided", "units_short"} <= set(cover[0])
    assert (out / "packets" / "packet_2026-11-30_S1.html").is_file()


@pytest.mark.slow
def test_plan_keep_re_plans_around_the_issued_roster(tmp_path: Path) -> None:
    """Tests that plan --keep writes changes.csv and an English report with --lang en."""
    out = tmp_path / "plan"
    assert main(["plan", str(SCENARIOS / "tiny"), "--week", "2026-11-30", "--reps", "2",
                 "--roster-time-limit", "3", "--route-branches", "300", "--out", str(out)]) == 0
    again = tmp_path / "again"
    assert main(["plan", str(SCENARIOS / "tiny"), "--week", "2026-11-30", "--reps", "2",
                 "--roster-time-limit", "3", "--route-branches", "300", "--lang", "en",
                 "--keep", str(out / "roster.csv"), "--out", str(again)]) == 0
    with (again / "changes.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == ["staff_id", "name", "date", "before", "after", "reason"]
    assert "Weekly plan" in (again / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-12-01"], "--week: must be a Monday"),
    (["--week", "2026-11-30", "--reps", "1"], "--reps: need at least 2"),
    (["--week", "2026-11-30", "--route-branches", "0"], "--route-branches: must be positive"),
])
def test_bad_arguments_exit_2_with_a_clear_line(tmp_path: Path, capsys, args: list[str],
                                                message: str) -> None:
    """Tests that bad arguments give one clear line, exit status 2 and no output folder."""
    out = tmp_path / "plan"
    assert main(["plan", str(SCENARIOS / "tiny"), *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
