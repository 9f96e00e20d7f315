"""The roster as a print-ready Excel workbook, in the bureau's language.

Sheets: ``汇总`` (summary: every squad's units on each day and shift against the standard
cover, and the legend), then one sheet per squad: a title (district, squad, week), a legend
with each shift's times, one row per person and one column per day holding the shift's name,
``休`` for a day off and ``假(年假)`` for leave with its kind, each person's hours against
their contract, and below the grid the day's units per shift against the standard cover.

Every sheet prints landscape, one page wide, with its header row repeated on each page. No
cell is a formula: text is written with an explicit string data type, so a name that begins
with ``=`` stays a name (and totals are values, computed here).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from patrolsim.outputs import write_bytes
from patrolsim.roster import Roster
from patrolsim.roster.inputs import default_requirements
from patrolsim.scenario.model import Scenario
from patrolsim.terms import Lang, leave_kind, term, weekday

#: Fill colours for shifts, in the scenario's shift order (light, print-friendly).
SHIFT_COLOURS = ("FFF2CC", "DDEBF7", "E2EFDA", "D9D2E9", "FCE4D6", "EDEDED", "FFE699", "BDD7EE")
LEAVE_COLOUR = "BFBFBF"
SHORT_COLOUR = "F4B084"
TITLE_ROWS = 3
"""Rows above the grid's header: title, legend, blank."""

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    bold: bool = False,
    fill: str | None = None,
    centre: bool = True,
    border: bool = True,
) -> None:
    """Write one cell; text always as a string (never a formula)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    if centre:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if border:
        cell.border = BORDER


def _print_setup(ws: Worksheet, header_row: int, title: str) -> None:
    """Landscape, one page wide, header row repeated, title in the page header."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "&P / &N"


def _shift_name(scenario: Scenario, name: str, lang: Lang) -> str:
    s = scenario.shift(name)
    return (s.label or s.name) if lang == "zh" else s.name


def _clock(minutes: int) -> str:
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"


def _legend(scenario: Scenario, lang: Lang) -> str:
    parts = [
        f"{_shift_name(scenario, s.name, lang)} {_clock(s.start_min)}–{_clock(s.end_min)}"
        for s in scenario.shifts
    ]
    parts.append(f"{term('off', lang)} = {'休息' if lang == 'zh' else 'day off'}")
    parts.append(f"{term('leave', lang)} = {'请假(括号内为类别)' if lang == 'zh' else 'leave'}")
    return term("legend", lang) + ("：" if lang == "zh" else ": ") + "  ·  ".join(parts)


def _week_words(roster: Roster, lang: Lang) -> str:
    last = roster.start + dt.timedelta(days=roster.days - 1)
    return (
        f"{roster.start.isoformat()} 至 {last.isoformat()}"
        if lang == "zh"
        else f"{roster.start.isoformat()} to {last.isoformat()}"
    )


def _cover_counts(
    roster: Roster, scenario: Scenario
) -> dict[tuple[dt.date, str, str], tuple[int, int]]:
    """``(units required, units provided)`` per day, shift and squad (standard cover)."""
    c = scenario.roster.unit_certified
    certified = {m.id for m in scenario.staff if m.certified}
    counts: dict[tuple[dt.date, str, str], int] = {}
    for e in roster.entries:
        if e.staff_id in certified:
            key = (e.date, e.shift, e.squad)
            counts[key] = counts.get(key, 0) + 1
    out = {}
    for r in default_requirements(scenario, roster.start, roster.days):
        key = (r.date, r.shift, r.squad)
        out[key] = (r.units, counts.get(key, 0) // c if c else 0)
    return out


def _squad_sheet(
    wb: Workbook,
    roster: Roster,
    scenario: Scenario,
    squad_id: str,
    dates: Sequence[dt.date],
    lang: Lang,
) -> None:
    squad = scenario.squad(squad_id)
    ws = wb.create_sheet(squad.name if lang == "zh" else squad.id)
    title = f"{scenario.name} · {squad.name} · {term('roster', lang)} · {_week_words(roster, lang)}"
    n_cols = 4 + len(dates) + 2
    _put(ws, 1, 1, title, bold=True, centre=False, border=False)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    _put(ws, 2, 1, _legend(scenario, lang), centre=False, border=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n_cols)
    header = TITLE_ROWS + 1
    heads = [
        term("name", lang),
        "编号" if lang == "zh" else "id",
        term("role", lang),
        term("squad", lang),
        *[f"{d.month:02d}-{d.day:02d}\n{weekday(d.weekday(), lang)}" for d in dates],
        term("hours", lang),
        term("contract_hours", lang),
    ]
    for j, h in enumerate(heads, start=1):
        _put(ws, header, j, h, bold=True, fill="EDEDED")
    fills = {s.name: SHIFT_COLOURS[i % len(SHIFT_COLOURS)] for i, s in enumerate(scenario.shifts)}
    by_cell = {(e.staff_id, e.date): e for e in roster.entries}
    leave_of = {(lv.staff_id, d): lv for lv in scenario.leave for d in dates if lv.covers(d)}
    row = header
    for p in sorted(
        (m for m in scenario.staff if m.squad == squad_id),
        key=lambda m: (m.role != "leader", not m.certified, m.id),
    ):
        row += 1
        _put(ws, row, 1, p.name, centre=False)
        _put(ws, row, 2, p.id)
        _put(
            ws,
            row,
            3,
            term(p.role, lang)
            if lang == "en"
            else {"leader": "中队长", "certified": "执法队员", "auxiliary": "协管员"}[p.role],
        )
        _put(ws, row, 4, squad.name if lang == "zh" else squad.id)
        minutes = 0
        for j, d in enumerate(dates, start=5):
            e = by_cell.get((p.id, d))
            lv = leave_of.get((p.id, d))
            if e is not None:
                minutes += scenario.shift(e.shift).duration_min
                _put(ws, row, j, _shift_name(scenario, e.shift, lang), fill=fills[e.shift])
            elif lv is not None:
                _put(
                    ws,
                    row,
                    j,
                    f"{term('leave', lang)}({leave_kind(lv.kind, lang)})",
                    fill=LEAVE_COLOUR,
                )
            else:
                _put(ws, row, j, term("off", lang))
        contract = p.weekly_hours * len(dates) / 7
        hours = round(minutes / 60, 1)
        _put(ws, row, 5 + len(dates), hours)
        _put(ws, row, 6 + len(dates), round(contract, 1))
    counts = _cover_counts(roster, scenario)
    row += 1
    label = "在岗组数(实配/应配)" if lang == "zh" else "units on duty (provided/required)"
    _put(ws, row, 1, label, bold=True, centre=False, border=False)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    for s in scenario.shifts:
        row += 1
        _put(ws, row, 1, _shift_name(scenario, s.name, lang), bold=True, fill=fills[s.name])
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        for j, d in enumerate(dates, start=5):
            need, got = counts.get((d, s.name, squad_id), (0, 0))
            _put(ws, row, j, f"{got}/{need}", fill=SHORT_COLOUR if got < need else None)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 7
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 9
    for j in range(5, 5 + len(dates)):
        ws.column_dimensions[get_column_letter(j)].width = 10
    ws.column_dimensions[get_column_letter(5 + len(dates))].width = 8
    ws.column_dimensions[get_column_letter(6 + len(dates))].width = 9
    ws.row_dimensions[header].height = 30
    ws.freeze_panes = ws.cell(row=header + 1, column=5)
    _print_setup(ws, header, title)


def _summary_sheet(
    ws: Worksheet, roster: Roster, scenario: Scenario, dates: Sequence[dt.date], lang: Lang
) -> None:
    title = (
        f"{scenario.name} · {term('roster', lang)} {term('summary', lang)} · "
        f"{_week_words(roster, lang)}"
    )
    n_cols = 2 + len(dates)
    _put(ws, 1, 1, title, bold=True, centre=False, border=False)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    _put(ws, 2, 1, _legend(scenario, lang), centre=False, border=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n_cols)
    header = TITLE_ROWS + 1
    heads = [
        term("squad", lang),
        term("shift", lang),
        *[f"{d.month:02d}-{d.day:02d}\n{weekday(d.weekday(), lang)}" for d in dates],
    ]
    for j, h in enumerate(heads, start=1):
        _put(ws, header, j, h, bold=True, fill="EDEDED")
    counts = _cover_counts(roster, scenario)
    row = header
    short_total = 0
    for sq in scenario.squads:
        for s in scenario.shifts:
            row += 1
            _put(ws, row, 1, sq.name if lang == "zh" else sq.id)
            _put(ws, row, 2, _shift_name(scenario, s.name, lang))
            for j, d in enumerate(dates, start=3):
                need, got = counts.get((d, s.name, sq.id), (0, 0))
                short_total += max(0, need - got)
                _put(ws, row, j, f"{got}/{need}", fill=SHORT_COLOUR if got < need else None)
    row += 2
    note = (
        f"格内为在岗组数(实配/应配，每组 {scenario.roster.unit_certified} 名执法队员)；"
        f"橙色为未达标准配置，本周共缺 {short_total} 组次。"
        if lang == "zh"
        else f"Cells: units on duty, provided/required (a unit is "
        f"{scenario.roster.unit_certified} certified officers); orange: short of the "
        f"standard cover; {short_total} unit-shifts short this week."
    )
    _put(ws, row, 1, note, centre=False, border=False)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 10
    for j in range(3, 3 + len(dates)):
        ws.column_dimensions[get_column_letter(j)].width = 10
    ws.row_dimensions[header].height = 30
    _print_setup(ws, header, title)


def write_roster_xlsx(
    roster: Roster, scenario: Scenario, path: str | os.PathLike[str], lang: Lang = "zh"
) -> None:
    """Write ``roster`` as a print-ready workbook at ``path`` (atomically).

    Parameters
    ----------
    roster
        The solved roster.
    scenario
        For shift labels and times, staff order, leave and the standard cover.
    path
        The ``.xlsx`` file to write.
    lang
        Language of every word on the sheets (names from the CSV files stay as written).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = term("summary", lang)
    dates = [roster.start + dt.timedelta(days=k) for k in range(roster.days)]
    _summary_sheet(ws, roster, scenario, dates, lang)
    for sq in scenario.squads:
        _squad_sheet(wb, roster, scenario, sq.id, dates, lang)
    # dated by the roster's first day, so that the same roster gives the same file
    write_bytes(path, workbook_bytes(wb, dt.datetime.combine(roster.start, dt.time())))


def workbook_bytes(wb: Workbook, stamp: dt.datetime) -> bytes:
    """The ``.xlsx`` file of ``wb`` with every timestamp set to ``stamp``.

    openpyxl dates the document properties and each part of the zip archive with the clock;
    dated by ``stamp`` instead, the same workbook always gives the same bytes.
    """
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            dst.writestr(part, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
