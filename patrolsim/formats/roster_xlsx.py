"""The roster as an Excel workbook: a staff × day grid coloured by shift, cover and hours.

Sheets: ``排班 Roster`` (one row per person, one column per day, the shift's label in each
cell, coloured by shift, leave marked, header row and the name columns frozen),
``Cover`` (cover against the requirement per day × shift × squad, shortfalls highlighted),
``Hours`` (per person: shifts, hours, nights, weekend shifts) and ``Summary``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from patrolsim.outputs import atomic_path
from patrolsim.roster import Roster
from patrolsim.scenario.model import Scenario

#: Fill colours for shifts, in the scenario's shift order (light, print-friendly).
SHIFT_COLOURS = ("FFF2CC", "DDEBF7", "E2EFDA", "D9D2E9", "FCE4D6", "EDEDED", "FFE699", "BDD7EE")
LEAVE_COLOUR = "BFBFBF"
SHORT_COLOUR = "F4B084"
WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")


def _append(ws: object, values: Sequence[object]) -> None:
    """Append a row; text cells are typed as strings, so none is ever run as a formula."""
    ws.append(list(values))  # type: ignore[attr-defined]
    for cell in ws[ws.max_row]:  # type: ignore[attr-defined,index]
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _header(ws: object, names: Sequence[str]) -> None:
    _append(ws, names)
    for cell in ws[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


def write_roster_xlsx(roster: Roster, scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Write ``roster`` as a workbook at ``path`` (atomically).

    Parameters
    ----------
    roster
        The solved roster.
    scenario
        For shift labels, staff order and leave.
    path
        The ``.xlsx`` file to write.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "排班 Roster"
    dates = [roster.start + dt.timedelta(days=k) for k in range(roster.days)]
    labels = {s.name: s.label or s.name for s in scenario.shifts}
    fills = {s.name: PatternFill("solid", fgColor=SHIFT_COLOURS[i % len(SHIFT_COLOURS)])
             for i, s in enumerate(scenario.shifts)}
    _header(ws, ["staff_id", "name", "role", "squad",
                 *[f"{d.isoformat()}\n周{WEEKDAYS_ZH[d.weekday()]}" for d in dates]])
    by_cell = {(e.staff_id, e.date): e for e in roster.entries}
    for p in scenario.staff:
        row = [p.id, p.name, p.role, p.squad]
        for d in dates:
            e = by_cell.get((p.id, d))
            if e is not None:
                row.append(f"{labels[e.shift]} {e.shift}" if labels[e.shift] != e.shift
                           else e.shift)
            elif scenario.on_leave(p.id, d):
                row.append("假 leave")
            else:
                row.append("")
        _append(ws, row)
        r = ws.max_row
        for j, d in enumerate(dates, start=5):
            e = by_cell.get((p.id, d))
            cell = ws.cell(row=r, column=j)
            cell.alignment = Alignment(horizontal="center")
            if e is not None:
                cell.fill = fills[e.shift]
            elif scenario.on_leave(p.id, d):
                cell.fill = PatternFill("solid", fgColor=LEAVE_COLOUR)
    ws.freeze_panes = "E2"
    ws.row_dimensions[1].height = 30
    for j in range(1, 5 + len(dates)):
        ws.column_dimensions[get_column_letter(j)].width = 12 if j > 4 else 9

    cover = wb.create_sheet("Cover")
    df = roster.cover_frame()
    _header(cover, list(df.columns))
    for rec in df.itertuples(index=False):
        _append(cover, list(rec))
        if rec.units_missing or rec.auxiliaries_missing:
            for cell in cover[cover.max_row]:
                cell.fill = PatternFill("solid", fgColor=SHORT_COLOUR)
    cover.freeze_panes = "A2"

    hours = wb.create_sheet("Hours")
    hf = roster.hours_frame()
    _header(hours, list(hf.columns))
    for rec in hf.itertuples(index=False):
        _append(hours, list(rec))
    hours.freeze_panes = "A2"

    summ = wb.create_sheet("Summary")
    for key, value in roster.summary_dict().items():
        if key in ("penalties", "uncovered", "relaxed_rules"):
            continue
        _append(summ, [key, value])
    summ.append([])
    _append(summ, ["soft rule", "penalty"])
    for rule, value in roster.penalty_by_rule.items():
        _append(summ, [rule, value])
    with atomic_path(path) as tmp:
        wb.save(tmp)
