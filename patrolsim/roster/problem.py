"""One roster solve's inputs: the scenario, the days, the cover wanted, wishes, last roster,
personal limits over the horizon and shift successions forbidden outright."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from patrolsim.roster.inputs import Preference, PreviousRoster, Requirement, StaffLimits
from patrolsim.scenario.model import Scenario, ShiftType

__all__ = ["RosterProblem", "RuleKey", "forbidden_successions"]

#: A rule instance that an assumption literal switches on (for explanations):
#: ``(rule, staff_id or squad or "", first date, extra)``.
RuleKey = tuple[str, str, dt.date | None, str]


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """Everything one roster solve needs.

    Parameters
    ----------
    scenario
        Staff, leave, shifts, duties and rules.
    start
        First day of the roster.
    days
        Number of days (7 per week).
    requirements
        Cover per day × shift × squad; combinations not listed need nothing.
    preferences
        Optional wishes of staff.
    previous
        Optional previous roster ``{(staff_id, date): shift}``: rest and consecutive-day rules
        look across the start of the horizon, the stability rule compares with it, and it is
        the solver's starting hint.
    strict_cover
        Make cover a hard rule; an impossible week then raises with an explanation.
    limits
        Optional per-person limits over the whole horizon (at most one per person).
    forbidden_pairs
        ``(shift today, shift tomorrow)`` pairs forbidden on top of those the rest rule
        forbids (a rotation rule such as "no night before a day shift").
    """

    scenario: Scenario
    start: dt.date
    days: int
    requirements: tuple[Requirement, ...]
    preferences: tuple[Preference, ...] = ()
    previous: PreviousRoster = field(default_factory=dict)
    strict_cover: bool = False
    limits: tuple[StaffLimits, ...] = ()
    forbidden_pairs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"Expected days ≥ 1, got {self.days}.")
        ids = [lim.staff_id for lim in self.limits]
        if len(ids) != len(set(ids)):
            raise ValueError(f"Expected at most one StaffLimits per person, got {sorted(ids)}.")

    def limits_of(self, staff_id: str) -> StaffLimits:
        """The limits of ``staff_id`` (none: limits that add nothing)."""
        for lim in self.limits:
            if lim.staff_id == staff_id:
                return lim
        return StaffLimits(staff_id)

    def successions(self) -> set[tuple[str, str]]:
        """Every forbidden ``(shift today, shift tomorrow)`` pair: by rest, and listed."""
        rest = self.scenario.roster.min_rest_hours
        return forbidden_successions(self.scenario.shifts, rest) | set(self.forbidden_pairs)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The roster's days."""
        return tuple(self.start + dt.timedelta(days=k) for k in range(self.days))

    def need(self) -> dict[tuple[int, str, str], Requirement]:
        """Requirements by ``(day index, shift, squad)``, only those inside the horizon."""
        out: dict[tuple[int, str, str], Requirement] = {}
        for r in self.requirements:
            k = (r.date - self.start).days
            if 0 <= k < self.days:
                out[k, r.shift, r.squad] = r
        return out

    def blocks(self) -> list[range]:
        """7-day blocks of day indexes from the first day (the last one may be shorter)."""
        return [range(b, min(b + 7, self.days)) for b in range(0, self.days, 7)]

    def weekends(self) -> list[list[int]]:
        """Day indexes of each weekend (the Saturday and Sunday of one week) in the horizon."""
        out: dict[dt.date, list[int]] = {}
        for k, date in enumerate(self.dates):
            if date.weekday() >= 5:
                saturday = date - dt.timedelta(days=date.weekday() - 5)
                out.setdefault(saturday, []).append(k)
        return list(out.values())


def forbidden_successions(
    shifts: Sequence[ShiftType], min_rest_hours: float
) -> set[tuple[str, str]]:
    """Pairs (shift today, shift tomorrow) that leave less than ``min_rest_hours`` of rest."""
    out: set[tuple[str, str]] = set()
    for s in shifts:
        for t in shifts:
            if 1440 + t.start_min - s.end_min < min_rest_hours * 60:
                out.add((s.name, t.name))
    return out
