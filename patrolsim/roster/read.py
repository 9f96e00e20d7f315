"""Reading a roster back from ``roster.csv``: the one patrolsim wrote, or one edited in Excel.

Columns ``staff_id,date,shift`` are required; ``name,role,squad,start,end,unit`` are read
when present (``roster.csv`` as :meth:`Roster.to_frame` writes it has them all). Missing
optional cells take the scenario's values: the person's squad, the shift's times, and the
units :func:`~patrolsim.roster.result.unit_labels` forms. The file may be saved by Excel in
any of its encodings (:func:`~patrolsim.scenario.tables.read_table`).
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections import defaultdict
from pathlib import Path

from patrolsim.roster.result import RosterEntry, unit_labels
from patrolsim.scenario.model import Scenario
from patrolsim.scenario.tables import Cells, Problems, read_table

__all__ = ["ROSTER_COLUMNS", "read_roster"]

ROSTER_COLUMNS = ("staff_id", "name", "role", "squad", "date", "shift", "start", "end", "unit")


def _clock(text: str, date: dt.date) -> int | None:
    """Minutes after ``date``'s midnight from ``HH:MM`` or an ISO datetime; None if neither."""
    text = text.strip()
    if "T" in text or " " in text:
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        delta = moment.replace(tzinfo=None) - dt.datetime.combine(date, dt.time(0))
        return int(delta.total_seconds() // 60)
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    if m >= 60 or h > 47:
        return None
    return h * 60 + m


def read_roster(path: str | os.PathLike[str], scenario: Scenario) -> tuple[RosterEntry, ...]:
    """Read a roster.csv into entries, one per person and shift worked.

    Parameters
    ----------
    path
        The CSV file.
    scenario
        Staff, squads and shifts the roster must name.

    Returns
    -------
    tuple of RosterEntry
        Sorted by date, squad and staff id.

    Raises
    ------
    ScenarioError
        One ``FILE:ROW: FIELD: what is wrong (got VALUE)`` line per problem, all at once.
    """
    p = Path(path)
    problems = Problems()
    display = os.fspath(path)
    table = read_table(
        p,
        display,
        problems,
        ("staff_id", "date", "shift"),
        optional=("name", "role", "squad", "start", "end", "unit"),
    )
    problems.raise_if_any()
    assert table is not None
    staff = {m.id: m for m in scenario.staff}
    squads = [s.id for s in scenario.squads]
    shifts = {s.name: s for s in scenario.shifts}
    tz = zoneinfo.ZoneInfo(scenario.timezone) if scenario.timezone else None
    rows: list[tuple[str, str, dt.date, str, int, int, str]] = []
    for row in table.rows:
        c = Cells(table, row, problems)
        sid = c.text("staff_id")
        if sid and sid not in staff:
            c.flag("staff_id", "not in staff.csv", sid)
        date = c.date("date")
        shift = c.choice("shift", list(shifts))
        squad = row.cells.get("squad", "") or (staff[sid].squad if sid in staff else "")
        if squad and squad not in squads:
            c.flag("squad", f"unknown squad; expected one of {', '.join(squads)}", squad)
        if not c.ok or date is None or shift is None:
            continue
        st = shifts[shift]
        start, end = st.start_min, st.end_min
        for name in ("start", "end"):
            raw = row.cells.get(name, "")
            if raw:
                value = _clock(raw, date)
                if value is None:
                    c.flag(name, "expected a time HH:MM or an ISO date and time", raw)
                elif name == "start":
                    start = value
                else:
                    end = value
        if not c.ok:
            continue
        if end <= start:
            end += 1440
        rows.append((sid, squad, date, shift, start, end, row.cells.get("unit", "")))
    problems.raise_if_any()
    c_unit = scenario.roster.unit_certified
    by_group: dict[tuple[dt.date, str, str], list[str]] = defaultdict(list)
    for sid, squad, date, shift, *_ in rows:
        by_group[date, shift, squad].append(sid)
    formed: dict[tuple[dt.date, str, str], dict[str, str]] = {}
    for (date, shift, squad), ids in by_group.items():
        ids = sorted(ids)
        formed[date, shift, squad] = unit_labels(
            [i for i in ids if staff[i].certified],
            [i for i in ids if not staff[i].certified],
            squad,
            shift,
            c_unit,
        )
    entries = []
    for sid, squad, date, shift, start, end, unit in rows:
        member = staff[sid]
        midnight = dt.datetime.combine(date, dt.time(0), tzinfo=tz)
        entries.append(
            RosterEntry(
                sid,
                member.name,
                member.role,
                squad,
                date,
                shift,
                midnight + dt.timedelta(minutes=start),
                midnight + dt.timedelta(minutes=end),
                unit or formed[date, shift, squad][sid],
            )
        )
    entries.sort(key=lambda e: (e.date, e.squad, e.staff_id, e.shift))
    return tuple(entries)
