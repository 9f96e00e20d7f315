"""Inputs of the weekly roster besides the scenario: cover requirements, preferences, last roster.

* ``requirements.csv`` — ``date,shift,squad,units,auxiliaries``: sanctioning units (each
  ``RosterRules.unit_certified`` certified officers) and auxiliary places wanted per day ×
  shift × squad. Missing rows mean no cover wanted. :func:`default_requirements` builds the
  same from ``RosterRules.default_cover`` when no file is given.
* ``preferences.csv`` (optional) — ``staff_id,date,shift,kind,weight`` with ``kind`` ``want``
  or ``avoid``; ``shift`` may be ``off`` (want: a day off; avoid: any work) or a shift name.
* a previous roster (``--previous ROSTER.csv``, the ``roster.csv`` patrolsim wrote) —
  ``staff_id,date,shift`` are used, other columns are ignored.
* :class:`StaffLimits` (no file yet) — one person's limits over the whole horizon on top of
  the scenario's weekly rules: most shifts of a type, total minutes (as under a
  comprehensive working-hours system, 综合计算工时), shortest and longest runs of working
  days, shortest run of days off, most weekends worked.

Every reader reports all bad values at once as :class:`~patrolsim.errors.ScenarioError`
lines ``FILE:ROW: FIELD: what is wrong (got VALUE)``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from patrolsim.scenario.model import Scenario
from patrolsim.scenario.tables import Cells, Problems, read_table

PreferenceKind = Literal["want", "avoid"]
OFF = "off"


@dataclass(frozen=True, slots=True)
class Requirement:
    """Cover wanted on one day × shift × squad."""

    date: dt.date
    shift: str
    squad: str
    units: int
    """Sanctioning units, each of ``unit_certified`` certified officers."""
    auxiliaries: int
    """Auxiliary places; spare certified officers may fill them too."""
    weight_under: int | None = None
    """Penalty per missing unit on this shift; ``None``: the scenario's ``shortfall`` weight
    (a missing auxiliary place costs a quarter of it, rounded up)."""
    weight_over: int | None = None
    """Penalty per person beyond the cover; ``None``: the scenario's ``surplus`` weight."""

    def __post_init__(self) -> None:
        if self.units < 0:
            raise ValueError(f"Expected units ≥ 0, got {self.units}.")
        if self.auxiliaries < 0:
            raise ValueError(f"Expected auxiliaries ≥ 0, got {self.auxiliaries}.")
        if self.weight_under is not None and self.weight_under < 0:
            raise ValueError(f"Expected weight_under ≥ 0, got {self.weight_under}.")
        if self.weight_over is not None and self.weight_over < 0:
            raise ValueError(f"Expected weight_over ≥ 0, got {self.weight_over}.")


@dataclass(frozen=True, slots=True)
class StaffLimits:
    """One person's hard limits over the whole roster horizon, beyond the weekly rules.

    Every limit left at its default adds nothing. Runs of work or rest that touch the first
    or last day of the horizon are exempt from the minimum-run rules (they may continue
    outside it).
    """

    staff_id: str
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    """Most shifts of each named type over the horizon (0: never that type); types not
    listed are not limited."""
    min_minutes: int = 0
    """Fewest minutes of shifts over the horizon."""
    max_minutes: int | None = None
    """Most minutes of shifts over the horizon (``None``: no limit)."""
    max_consecutive_days: int | None = None
    """Most working days in a row; the tighter of this and the scenario's rule holds."""
    min_consecutive_days: int = 1
    """Fewest working days in a row."""
    min_consecutive_days_off: int = 1
    """Fewest days off in a row."""
    max_weekends: int | None = None
    """Most weekends (Saturday and Sunday of one week) with a shift on either day."""

    def __post_init__(self) -> None:
        for shift, n in self.max_shifts.items():
            if n < 0:
                raise ValueError(f"Expected max_shifts[{shift}] ≥ 0, got {n}.")
        if self.min_minutes < 0:
            raise ValueError(f"Expected min_minutes ≥ 0, got {self.min_minutes}.")
        if self.max_minutes is not None and self.max_minutes < self.min_minutes:
            raise ValueError(
                f"Expected max_minutes ≥ min_minutes ({self.min_minutes}), got {self.max_minutes}."
            )
        if self.max_consecutive_days is not None and self.max_consecutive_days < 1:
            raise ValueError(f"Expected max_consecutive_days ≥ 1, got {self.max_consecutive_days}.")
        if self.min_consecutive_days < 1:
            raise ValueError(f"Expected min_consecutive_days ≥ 1, got {self.min_consecutive_days}.")
        if self.min_consecutive_days_off < 1:
            raise ValueError(
                f"Expected min_consecutive_days_off ≥ 1, got {self.min_consecutive_days_off}."
            )
        if self.max_weekends is not None and self.max_weekends < 0:
            raise ValueError(f"Expected max_weekends ≥ 0, got {self.max_weekends}.")


@dataclass(frozen=True, slots=True)
class Preference:
    """A person's wish to work (want) or not work (avoid) a shift on a day; shift ``off`` = rest."""

    staff_id: str
    date: dt.date
    shift: str
    kind: PreferenceKind
    weight: int = 1


#: ``{(staff_id, date): shift}`` for every worked day of a previous roster.
PreviousRoster = Mapping[tuple[str, dt.date], str]


def default_requirements(
    scenario: Scenario, week_start: dt.date, days: int = 7
) -> tuple[Requirement, ...]:
    """Cover from ``RosterRules.default_cover``: the same units on every day, for every squad.

    Parameters
    ----------
    scenario
        The scenario; its ``roster.default_cover`` maps shift name to units per squad.
    week_start
        First day of the roster.
    days
        Number of days (7 for one week).

    Returns
    -------
    tuple[Requirement, ...]
        One requirement per day × shift × squad named in ``default_cover``; auxiliary places
        are ``units × unit_auxiliaries``.
    """
    rules = scenario.roster
    out: list[Requirement] = []
    for k in range(days):
        date = week_start + dt.timedelta(days=k)
        for shift in scenario.shifts:
            units = int(rules.default_cover.get(shift.name, 0))
            if units <= 0:
                continue
            for squad in scenario.squads:
                out.append(
                    Requirement(date, shift.name, squad.id, units, units * rules.unit_auxiliaries)
                )
    return tuple(out)


MAX_UNITS = 1000
"""Most units (or auxiliaries) one squad may need on one shift: far above any squad, low
enough for the roster model's integer domains."""


def _display(path: Path) -> str:
    return str(path)


def read_requirements(path: str | os.PathLike[str], scenario: Scenario) -> tuple[Requirement, ...]:
    """Read ``requirements.csv`` (``date,shift,squad,units,auxiliaries``).

    ``auxiliaries`` may be left empty: it then defaults to ``units × unit_auxiliaries``.

    Raises
    ------
    ScenarioError
        Every bad row and field, one line each.
    """
    p = Path(path)
    problems = Problems()
    table = read_table(
        p, _display(p), problems, ("date", "shift", "squad", "units"), optional=("auxiliaries",)
    )
    problems.raise_if_any()
    assert table is not None
    shifts = [s.name for s in scenario.shifts]
    squads = [s.id for s in scenario.squads]
    out: list[Requirement] = []
    seen: dict[tuple[dt.date, str, str], int] = {}
    for row in table.rows:
        c = Cells(table, row, problems)
        date = c.date("date")
        shift = c.choice("shift", shifts)
        squad_raw = c.text("squad")
        if squad_raw and squad_raw not in squads:
            c.flag("squad", f"unknown squad; expected one of {', '.join(squads)}", squad_raw)
        units = c.number("units", minimum=0, maximum=MAX_UNITS)
        if units is not None and units != int(units):
            c.flag("units", "expected a whole number", row.cells["units"])
        aux = c.number("auxiliaries", minimum=0, maximum=MAX_UNITS, required=False)
        if aux is not None and aux != int(aux):
            c.flag("auxiliaries", "expected a whole number", row.cells["auxiliaries"])
        if not c.ok or date is None or shift is None or units is None:
            continue
        key = (date, shift, squad_raw)
        if key in seen:
            problems.add(
                table.file,
                row.line,
                "date",
                f"second row for {date} {shift} {squad_raw}, first in row {seen[key]}",
                row.cells["date"],
            )
            continue
        seen[key] = row.line
        n_aux = int(aux) if aux is not None else int(units) * scenario.roster.unit_auxiliaries
        out.append(Requirement(date, shift, squad_raw, int(units), n_aux))
    problems.raise_if_any()
    return tuple(out)


def read_preferences(path: str | os.PathLike[str], scenario: Scenario) -> tuple[Preference, ...]:
    """Read ``preferences.csv`` (``staff_id,date,shift,kind,weight``).

    ``kind`` is ``want`` or ``avoid`` (想上 / 不想上 are accepted too); ``weight`` is a whole
    number ≥ 1 (empty: 1); ``shift`` is a shift name or ``off``.

    Raises
    ------
    ScenarioError
        Every bad row and field, one line each.
    """
    p = Path(path)
    problems = Problems()
    table = read_table(
        p, _display(p), problems, ("staff_id", "date", "shift", "kind"), optional=("weight",)
    )
    problems.raise_if_any()
    assert table is not None
    staff = {s.id for s in scenario.staff}
    shifts = [s.name for s in scenario.shifts] + [OFF]
    out: list[Preference] = []
    for row in table.rows:
        c = Cells(table, row, problems)
        sid = c.text("staff_id")
        if sid and sid not in staff:
            c.flag("staff_id", "unknown staff id", sid)
        date = c.date("date")
        shift = c.choice("shift", shifts)
        kind = c.choice("kind", ("want", "avoid"), aliases={"想上": "want", "不想上": "avoid"})
        weight = c.number("weight", minimum=1, required=False)
        if weight is not None and weight != int(weight):
            c.flag("weight", "expected a whole number", row.cells["weight"])
        if not c.ok or date is None or shift is None or kind is None:
            continue
        out.append(
            Preference(
                sid,
                date,
                shift,
                kind,  # type: ignore[arg-type]
                int(weight) if weight is not None else 1,
            )
        )
    problems.raise_if_any()
    return tuple(out)


def read_previous_roster(path: str | os.PathLike[str], scenario: Scenario) -> PreviousRoster:
    """Read a previous ``roster.csv`` into ``{(staff_id, date): shift}``.

    Rows of unknown staff are ignored (people leave); unknown shifts are errors.

    Raises
    ------
    ScenarioError
        Every bad row and field, one line each.
    """
    p = Path(path)
    problems = Problems()
    table = read_table(
        p,
        _display(p),
        problems,
        ("staff_id", "date", "shift"),
        optional=("name", "role", "squad", "start", "end", "unit"),
    )
    problems.raise_if_any()
    assert table is not None
    staff = {s.id for s in scenario.staff}
    shifts = [s.name for s in scenario.shifts]
    out: dict[tuple[str, dt.date], str] = {}
    for row in table.rows:
        c = Cells(table, row, problems)
        sid = c.text("staff_id")
        date = c.date("date")
        shift = c.choice("shift", shifts)
        if c.ok and date is not None and shift is not None and sid in staff:
            out[sid, date] = shift
    problems.raise_if_any()
    return out
