"""Tests of the print-ready roster workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from patrolsim.formats.roster_xlsx import write_roster_xlsx
from patrolsim.roster import RosterProblem, solve_roster
from patrolsim.roster.cpsat import RosterParams
from patrolsim.roster.inputs import default_requirements
from patrolsim.scenario import Scenario


@pytest.fixture(scope="module")
def workbook(tiny: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny district's roster, one staff name made to look like a formula."""
    staff = list(tiny.staff)
    staff[1] = dataclasses.replace(staff[1], name="=SUM(A1:A9)")
    sc = dataclasses.replace(tiny, staff=tuple(staff))
    week = dt.date(2026, 11, 23)
    roster = solve_roster(
        RosterProblem(sc, week, 7, default_requirements(sc, week)),
        RosterParams(max_deterministic_time=2.0, num_workers=1, seed=0, time_limit_s=None),
    )
    path = tmp_path_factory.mktemp("xlsx") / "roster.xlsx"
    write_roster_xlsx(roster, sc, path)
    return path


def test_every_sheet_prints_landscape_one_page_wide_with_header_repeated(workbook: Path) -> None:
    """Tests the page set-up of the summary and of each squad's sheet."""
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames[0] == "汇总"
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows
        assert ws["A1"].value.startswith("tiny · ")


def test_no_cell_is_a_formula_and_text_is_chinese(workbook: Path) -> None:
    """Tests that a name beginning with '=' stays text and every word is Chinese."""
    wb = openpyxl.load_workbook(workbook)
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "=SUM(A1:A9)" in {c.value for c in cells}
    values = {str(c.value) for c in cells}
    assert {"休", "early", "执法队员", "中队长"} <= values
    assert any(v.startswith("假(") for v in values)
    assert any(v.startswith("图例：") and "07:00–15:00" in v for v in values)
    ws = wb.worksheets[1]
    assert any("/" in str(c.value) for c in ws[ws.max_row])  # provided/required per day
    assert ws.cell(row=4, column=ws.max_column).value == "合同工时"
