"""Tests of ``patrolsim roster`` as a user runs it: district rosters and benchmark instances."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from patrolsim.cli import main
from patrolsim.formats.curtois import evaluate_curtois, read_assignment_csv, read_curtois

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_roster_writes_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that a tiny-district week writes roster.csv/xlsx, coverage.csv, summary.json, .ics."""
    out = tmp_path / "out"
    code = main(
        [
            "roster",
            str(SCENARIOS / "tiny"),
            "--week",
            "2026-11-23",
            "--work-limit",
            "2",
            "--quiet",
            "--ics",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with (out / "roster.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "staff_id",
        "name",
        "role",
        "squad",
        "date",
        "shift",
        "start",
        "end",
        "unit",
    ]
    assert rows[0]["start"].startswith(rows[0]["date"] + "T")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert set(summary["penalties"]) >= {"shortfall", "surplus", "fairness_nights", "stability"}
    for u in summary["uncovered"]:
        assert {"date", "shift", "squad", "units_missing"} <= set(u)
    with (out / "coverage.csv").open(encoding="utf-8") as fh:
        cover = list(csv.DictReader(fh))
    assert len(cover) == 14  # 7 days × (early, late) × 1 squad
    assert (out / "ics" / f"{rows[0]['staff_id']}.ics").read_text().startswith("BEGIN:VCALENDAR")

    wb = openpyxl.load_workbook(out / "roster.xlsx")
    assert wb.sheetnames == ["汇总", "一中队"]
    ws = wb["一中队"]
    header = 4
    assert ws.print_title_rows == f"${header}:${header}"
    names = {ws.cell(row=r, column=2).value: r for r in range(header + 1, ws.max_row + 1)}
    assert {f"T0{i}" for i in range(1, 9)} <= set(names)
    # Every roster.csv row appears in the grid under the shift's name, coloured.
    for row in rows:
        cell = ws.cell(row=names[row["staff_id"]], column=5 + (int(row["date"][-2:]) - 23))
        assert cell.value in (row["shift"], {"early": "早班", "late": "晚班"}.get(row["shift"]))
        assert cell.fill.fgColor.rgb.endswith(("FFF2CC", "DDEBF7", "E2EFDA", "D9D2E9"))
    assert ws.cell(row=names["T04"], column=5 + 2).value.startswith("假")
    assert "休" in {ws.cell(row=r, column=c).value for r in names.values() for c in range(5, 12)}


def test_strict_cover_explains_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that an impossible strict-cover week exits 1 with the reasons in words."""
    out = tmp_path / "out"
    code = main(
        [
            "roster",
            str(SCENARIOS / "tiny"),
            "--week",
            "2026-11-23",
            "--strict-cover",
            "--work-limit",
            "5",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "needs 1 unit = 2 certified officers" in err
    assert "T04 刘洋 is on leave" in err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "INFEASIBLE"
    assert any("days off" in line for line in summary["explanation"])


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--week", "2026-02-30"], "--week: expected a date"),
        (["--week", "2026-11-23", "--weeks", "0"], "--weeks: must be at least 1"),
        (["--week", "2026-11-23", "--time-limit", "0"], "--time-limit: must be positive"),
        (["--week", "2026-11-23", "--work-limit", "-1"], "--work-limit: must be positive"),
        (["--week", "2026-11-23", "--workers", "0"], "--workers: must be at least 1"),
        ([], "DIR and --week are required"),
    ],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], match: str
) -> None:
    """Tests that bad arguments give one clear line and exit status 2."""
    code = main(["roster", str(SCENARIOS / "tiny"), *argv, "--out", str(tmp_path)])
    assert code == 2
    assert match in capsys.readouterr().err


def test_bad_requirements_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that a bad requirements.csv is reported as FILE:ROW: FIELD and exits 2."""
    req = tmp_path / "requirements.csv"
    req.write_text("date,shift,squad,units\n2026-11-23,lunch,S1,1\n", encoding="utf-8")
    code = main(
        [
            "roster",
            str(SCENARIOS / "tiny"),
            "--week",
            "2026-11-23",
            "--requirements",
            str(req),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "requirements.csv:2: shift: unknown value" in capsys.readouterr().err
    assert not (tmp_path / "out" / "roster.csv").exists()


def test_curtois_instance_through_the_roster_model(
    shared_benchmarks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that --curtois solves Instance1 with the roster model and writes staff_id,day,shift
    and the evaluated objective, with the budget it ran under."""
    inst_path = shared_benchmarks / "shift-scheduling" / "Instance1.txt"
    code = main(
        [
            "roster",
            "--curtois",
            str(inst_path),
            "--work-limit",
            "10",
            "--quiet",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    with (tmp_path / "roster.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["staff_id", "day", "shift"]
    assignment = read_assignment_csv(tmp_path / "roster.csv")
    ev = evaluate_curtois(read_curtois(inst_path), assignment)
    assert ev.violations == ()
    assert summary["objective"] == ev.objective == summary["solver_objective"] == 607
    assert summary["best_known"] == 607
    assert summary["hard_violations"] == []
    budget = ("work_limit", "time_limit_s", "num_workers", "interleaved")
    assert tuple(summary[k] for k in budget) == (10.0, None, 2, True)
    assert "Instance1: OPTIMAL objective 607" in capsys.readouterr().out


def test_curtois_bad_instance_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that a bad benchmark file gives one FILE:ROW: FIELD line and exit status 2."""
    bad = tmp_path / "Bad.txt"
    bad.write_text(
        "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
        "A,D=x,4800,0,5,1,1,1\n\nSECTION_DAYS_OFF\nA\n\n"
        "SECTION_SHIFT_ON_REQUESTS\n\nSECTION_SHIFT_OFF_REQUESTS\n\n"
        "SECTION_COVER\n0,D,1,100,1\n",
        encoding="utf-8",
    )
    code = main(["roster", "--curtois", str(bad), "--quiet", "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if str(bad) in line] == [
        f"{bad}:8: MaxShifts: expected an integer (got 'x')"
    ]
    assert not (tmp_path / "out" / "roster.csv").exists()
