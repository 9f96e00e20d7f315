"""Tests of ``patrolsim routes`` as a user runs it."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from patrolsim.cli import main
from patrolsim.cli.routes import _params, register
from patrolsim.formats.toptw import check_solution, read_toptw
from patrolsim.routing import RoutingParams

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DATE = "2026-11-24"


def _roster(path: Path, rows: list[list[str]]) -> Path:
    header = ["staff_id", "name", "role", "squad", "date", "shift", "start", "end", "unit"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_routes_with_roster_writes_every_output(tmp_path: Path) -> None:
    """Tests that a roster-driven run writes CSV, sheets, GeoJSON, map, planned.json, summary."""
    roster = _roster(
        tmp_path / "roster.csv",
        [
            ["T02", "王芳", "certified", "S1", DATE, "late", "15:00", "23:00", "S1-late-1"],
            ["T03", "李强", "certified", "S1", DATE, "late", "15:00", "23:00", "S1-late-1"],
            ["T04", "刘洋", "certified", "S1", DATE, "late", "15:00", "23:00", "S1-late-2"],
            ["T05", "陈静", "certified", "S1", DATE, "late", "15:00", "23:00", "S1-late-2"],
            ["T01", "张伟", "leader", "S1", DATE, "early", "07:00", "15:00", "S1-early-1"],
            ["T06", "杨磊", "auxiliary", "S1", "2026-11-25", "late", "15:00", "23:00", "S1-late-1"],
        ],
    )
    out = tmp_path / "out"
    code = main(
        [
            "routes",
            str(SCENARIOS / "tiny"),
            "--roster",
            str(roster),
            "--date",
            DATE,
            "--shift",
            "late",
            "--branches",
            "2000",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with (out / "routes.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "date",
        "shift",
        "unit",
        "seq",
        "patch_id",
        "patch_name",
        "arrive",
        "start",
        "depart",
        "purpose",
    ]
    assert {r["unit"] for r in rows} == {"S1-late-1", "S1-late-2"}
    assert {r["shift"] for r in rows} == {"late"}
    assert {"depart", "return", "break"} <= {r["purpose"] for r in rows}
    sheets = sorted((out / "sheets").glob("*.html"))
    assert len(sheets) == 2
    text = sheets[0].read_text(encoding="utf-8")
    assert "巡查路线单" in text
    assert "王芳" in text or "刘洋" in text
    geo = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    assert geo["crs"]["properties"]["name"] == "patrolsim:local-metres"
    assert sum(f["geometry"]["type"] == "LineString" for f in geo["features"]) == 2
    assert (out / f"map_{DATE}_late.png").stat().st_size > 1000
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["shifts"][0]["check_problems"] == []
    planned = json.loads((out / "planned.json").read_text(encoding="utf-8"))
    assert set(planned["late"]) == {"S1-late-1", "S1-late-2"}


def test_routes_without_roster_uses_default_cover(tmp_path: Path) -> None:
    """Tests that without a roster every shift gets the scenario's default units."""
    out = tmp_path / "out"
    assert (
        main(
            [
                "routes",
                str(SCENARIOS / "tiny"),
                "--date",
                DATE,
                "--branches",
                "1000",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [s["shift"] for s in summary["shifts"]] == ["early", "late"]
    assert all(s["units"] == ["S1-1"] for s in summary["shifts"])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [["T02", "x", "certified", "S9", DATE, "late", "15:00", "23:00", "1"]],
            "roster.csv:2: squad: unknown squad; expected one of S1 (got 'S9')",
        ),
        (
            [["T02", "x", "certified", "S1", DATE, "lunch", "15:00", "23:00", "1"]],
            "roster.csv:2: shift: unknown value; expected one of early, late (got 'lunch')",
        ),
        (
            [["T02", "x", "certified", "S1", DATE, "late", "3pm", "23:00", "1"]],
            "roster.csv:2: start: expected a time HH:MM or an ISO date and time (got '3pm')",
        ),
        (
            [["T02", "x", "certified", "S1", "24/11/2026", "late", "15:00", "23:00", "1"]],
            "roster.csv:2: date: expected a date like 2026-03-02 (got '24/11/2026')",
        ),
        (
            [["../x", "x", "certified", "S1", DATE, "late", "15:00", "23:00", "1"]],
            "roster.csv:2: staff_id: not in staff.csv (got '../x')",
        ),
    ],
)
def test_bad_roster_exits_2_with_located_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[list[str]], expected: str
) -> None:
    """Tests that a bad roster value gives FILE:ROW: FIELD lines and exit status 2."""
    roster = _roster(tmp_path / "roster.csv", rows)
    code = main(
        [
            "routes",
            str(SCENARIOS / "tiny"),
            "--roster",
            str(roster),
            "--date",
            DATE,
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out" / "routes.csv").exists()


def test_missing_roster_column_and_bad_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that a missing column and a malformed --date are reported, exit 2."""
    bad = tmp_path / "roster.csv"
    bad.write_text("staff_id,name,squad,date,start,end\n", encoding="utf-8")
    assert (
        main(
            [
                "routes",
                str(SCENARIOS / "tiny"),
                "--roster",
                str(bad),
                "--date",
                DATE,
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "roster.csv:1: shift: missing column" in err
    assert (
        main(
            ["routes", str(SCENARIOS / "tiny"), "--date", "tomorrow", "--out", str(tmp_path / "o")]
        )
        == 2
    )
    assert "date: not a date" in capsys.readouterr().err


def test_toptw_mode_writes_checked_routes(tmp_path: Path, shared_benchmarks: Path) -> None:
    """Tests that --toptw writes routes.csv and a summary whose score the checker confirms."""
    inst_path = shared_benchmarks / "toptw" / "solomon_100_righini_salani" / "c101.txt"
    out = tmp_path / "out"
    assert (
        main(
            [
                "routes",
                "--toptw",
                str(inst_path),
                "--teams",
                "2",
                "--branches",
                "3000",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["feasible"]
    assert summary["teams"] == 2
    assert summary["branch_limit"] == 3000
    assert summary["time_limit_s"] is None
    with (out / "routes.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["route", "seq", "node", "arrival", "start"]
    routes: dict[int, list[int]] = {}
    starts: dict[int, list[float]] = {}
    for r in rows:
        routes.setdefault(int(r["route"]), []).append(int(r["node"]))
        starts.setdefault(int(r["route"]), []).append(float(r["start"]))
    inst = read_toptw(inst_path)
    keys = sorted(routes)
    check = check_solution(inst, [routes[k] for k in keys], 2, starts=[starts[k] for k in keys])
    assert check.feasible
    assert check.score == summary["score"]


def test_toptw_bad_file_exits_2(tmp_path: Path) -> None:
    """Tests that an unreadable TOPTW file ends with exit 2 and no traceback."""
    bad = tmp_path / "bad.txt"
    bad.write_text("1 1 2 1\n0 1\n0 0 0 0 0 0 0 0 100\n1 a b c\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "patrolsim",
            "routes",
            "--toptw",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.txt:4:" in proc.stderr


def test_gb18030_roster_from_chinese_excel_is_read(tmp_path: Path) -> None:
    """Tests that a roster.csv saved by Chinese Excel (GB18030, no unit column) plans routes."""
    roster = tmp_path / "roster.csv"
    lines = ["staff_id,name,date,shift"] + [
        f"{sid},{name},{DATE},late" for sid, name in (("T02", "王芳"), ("T03", "李强"))
    ]
    roster.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    out = tmp_path / "out"
    args = [
        "routes",
        str(SCENARIOS / "tiny"),
        "--roster",
        str(roster),
        "--date",
        DATE,
        "--shift",
        "late",
        "--branches",
        "1500",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["shifts"][0]["units"] == ["S1-late-1"]


def _toptw_run(inst_path: Path, out: Path) -> bytes:
    args = ["routes", "--toptw", str(inst_path), "--teams", "2", "--branches", "2000"]
    assert main([*args, "--out", str(out)]) == 0
    return (out / "routes.csv").read_bytes()


def test_toptw_routes_are_byte_identical(tmp_path: Path, shared_benchmarks: Path) -> None:
    """Tests that the default (branch-limited) budget gives the same routes.csv twice."""
    inst_path = shared_benchmarks / "toptw" / "solomon_100_righini_salani" / "r101.txt"
    first = _toptw_run(inst_path, tmp_path / "a")
    assert first == _toptw_run(inst_path, tmp_path / "b")
    assert first.count(b"\n") > 5


def test_district_routes_are_byte_identical(tmp_path: Path) -> None:
    """Tests that two runs of the district routes with the default budget write the same
    routes.csv and planned.json byte for byte."""
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        args = ["routes", str(SCENARIOS / "tiny"), "--date", DATE, "--shift", "late"]
        assert main([*args, "--branches", "1500", "--out", str(out)]) == 0
        outs.append(out)
    for f in ("routes.csv", "planned.json"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes()


@pytest.mark.parametrize(
    ("extra", "deterministic", "branches", "seconds"),
    [
        ([], True, RoutingParams().branch_limit, None),
        (["--branches", "500"], True, 500, None),
        (["--time-limit", "3"], False, None, 3.0),
    ],
)
def test_budget_options(
    extra: list[str], deterministic: bool, branches: int | None, seconds: float | None
) -> None:
    """Tests that the budget is branch-limited by default and by the clock only on request."""
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    params = _params(parser.parse_args(["routes", "--out", "o", *extra]))
    assert params.deterministic is deterministic
    if branches is not None:
        assert params.branch_limit == branches
    if seconds is not None:
        assert params.time_limit_s == seconds


def test_branches_and_time_limit_exclude_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that --branches with --time-limit is refused (one budget at a time)."""
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "routes",
                "--toptw",
                "x.txt",
                "--branches",
                "5",
                "--time-limit",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
    assert exc.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
