"""Tests that exported files stay inside the output folder and text is never a formula.

Issue 40, items 1 (path traversal, .ics line injection) and 2 (formula injection).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from patrolsim.errors import ScenarioError
from patrolsim.formats.roster_ics import ics_text, write_roster_ics
from patrolsim.formats.roster_xlsx import write_roster_xlsx
from patrolsim.formats.route_exports import write_district_outputs
from patrolsim.formats.run_outputs import write_csv
from patrolsim.outputs import (
    guard_cell,
    guard_frame,
    inside_root,
    run_folder,
    safe_name,
    unguard_cell,
    write_text,
)
from patrolsim.roster import Roster, RosterEntry
from patrolsim.routing.district import DistrictRoutes, DutyUnit, UnitRoute, VisitRow
from patrolsim.scenario import Scenario
from patrolsim.scenario.tables import Problems, read_table

EVIL = ["../../../x", "/abs/x", "x/../../../../evil_sheet", "..", ".", "", "a\r\nb", "C:\\x"]


@pytest.mark.parametrize("text", EVIL)
def test_safe_names_never_leave_their_folder(text: str, tmp_path: Path) -> None:
    """Tests that an encoded name is one plain component: no separator, not '.' or '..'."""
    name = safe_name(text)
    assert name not in ("", ".", "..")
    assert "/" not in name
    assert "\\" not in name
    assert name.isprintable()
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()


def test_safe_names_keep_ordinary_ids_readable() -> None:
    """Tests that ids of letters, digits (Chinese too), dashes and underscores are unchanged."""
    assert safe_name("S1-张三_01") == "S1-张三_01"
    assert safe_name("a" * 400) != safe_name("a" * 401)
    assert len(safe_name("a" * 400).encode()) <= 150


def test_writes_outside_the_run_folder_are_refused(tmp_path: Path) -> None:
    """Tests that inside a run folder, a path that resolves outside it is never written."""
    with (
        pytest.raises(ScenarioError, match="outside the output folder"),
        run_folder(tmp_path / "out") as stage,
    ):
        write_text(stage / "sheets" / ".." / ".." / "evil.txt", "x")
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    with run_folder(tmp_path / "out") as stage:
        assert inside_root(stage / "a" / "b.txt") == stage / "a" / "b.txt"


def _entry(sid: str, name: str, unit: str = "S1-early-1") -> RosterEntry:
    day = dt.date(2026, 11, 23)
    return RosterEntry(
        sid,
        name,
        "certified",
        "S1",
        day,
        "early",
        dt.datetime(2026, 11, 23, 7),
        dt.datetime(2026, 11, 23, 15),
        unit,
    )


def _roster(*entries: RosterEntry) -> Roster:
    return Roster(dt.date(2026, 11, 23), 7, tuple(entries), (), "FEASIBLE", 0.0, 0.0, 0.0, {})


@pytest.mark.parametrize("sid", ["../../../x", "/abs/x", "a/b"])
def test_ics_files_stay_in_their_folder(sid: str, tmp_path: Path) -> None:
    """Tests that a staff id that looks like a path becomes a plain file name in ics/."""
    folder = tmp_path / "out" / "ics"
    paths = write_roster_ics(_roster(_entry(sid, "张三")), folder)
    assert [p.resolve().parent for p in paths] == [folder.resolve()]
    assert [p.name for p in tmp_path.rglob("*.ics")] == [paths[0].name]


def test_line_breaks_cannot_inject_ics_lines() -> None:
    """Tests that CR/LF in any text field is escaped (RFC 5545), so no new property appears."""
    text = ics_text(
        [_entry("T1\r\nATTENDEE:evil", "名\rBEGIN:VEVENT\nX", "u\r\nEND:VCALENDAR")],
        "名\r\nX-EVIL:1",
    )
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1
    assert lines.count("END:VCALENDAR") == 1
    assert not any(
        line.startswith(("ATTENDEE", "X-EVIL", "X\r", "BEGIN:VEVENT\\n")) for line in lines
    )
    assert "\r" not in text.replace("\r\n", "")
    assert "\n" not in text.replace("\r\n", "")


def test_route_sheet_names_stay_in_sheets(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that a unit label with ../ from a roster.csv names a sheet inside sheets/."""
    unit = DutyUnit("S1", "x/../../../../evil_sheet", 420, 900, ("张三",))
    rows = (VisitRow(0, 0, 420, 420, 420, "depart"), VisitRow(1, 0, 900, 900, 900, "return"))
    plan = DistrictRoutes(dt.date(2026, 11, 24), "early", (UnitRoute(unit, rows),), 0.0, ())
    out = tmp_path / "a" / "b" / "out"
    written = write_district_outputs(out, tiny, [plan])
    for path in written:
        assert out.resolve() in path.resolve().parents
    assert [p for p in tmp_path.rglob("*evil*") if out not in p.parents] == []


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "'=1", "''+x", "ok", "'ok", "", "张三"]
)
def test_guard_round_trips(text: str) -> None:
    """Tests that guarded text never starts with a formula character and reads back exactly."""
    guarded = guard_cell(text)
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unguard_cell(guarded) == text


def test_csv_cells_are_neutralised_and_read_back(tmp_path: Path) -> None:
    """Tests that a CSV for Excel guards formula text and patrolsim's reader strips the guard."""
    frame = pd.DataFrame({"id": ['=HYPERLINK("http://x")', "@a", "T1"], "n": [-1, 2, 3]})
    path = write_csv(frame, tmp_path / "t.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "'@a", "T1"]
    assert [r[1] for r in rows[1:]] == ["-1", "2", "3"]  # numbers are numbers, not text
    table = read_table(path, "t.csv", Problems(), required=("id", "n"))
    assert table is not None
    assert [r.cells["id"] for r in table.rows] == list(frame["id"])
    assert guard_frame(frame)["n"].tolist() == [-1, 2, 3]


def test_xlsx_text_cells_are_strings(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that names and ids that look like formulas are stored as text in roster.xlsx."""
    staff = tuple(
        dataclasses.replace(s, id="@x" if i == 0 else s.id, name="=1+1" if i == 0 else s.name)
        for i, s in enumerate(tiny.staff)
    )
    sc = dataclasses.replace(tiny, staff=staff, leave=())
    path = tmp_path / "roster.xlsx"
    write_roster_xlsx(_roster(_entry("@x", "=1+1")), sc, path)
    cells = [
        c for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row
    ]
    assert [c.data_type for c in cells if c.value == "=1+1"] == ["s"]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


def test_routes_csv_neutralises_patch_names(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that routes.csv (written for Excel) guards a patch name that starts with '='."""
    patches = tuple(dataclasses.replace(p, name="=cmd|' /C calc'!A0") for p in tiny.patches)
    sc = dataclasses.replace(tiny, patches=patches)
    unit = DutyUnit("S1", "1", 420, 900)
    rows = (
        VisitRow(0, 0, 420, 420, 420, "depart"),
        VisitRow(1, 1, 430, 430, 445, "patrol"),
        VisitRow(2, 0, 900, 900, 900, "return"),
    )
    plan = DistrictRoutes(dt.date(2026, 11, 24), "early", (UnitRoute(unit, rows),), 0.0, ())
    write_district_outputs(tmp_path, sc, [plan])
    with (tmp_path / "routes.csv").open(encoding="utf-8-sig", newline="") as fh:
        names = {r["patch_name"] for r in csv.DictReader(fh)}
    assert names == {"'=cmd|' /C calc'!A0"}
