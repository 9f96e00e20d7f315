"""The Curtois & Qu shift-scheduling benchmark solved by the district roster's CP-SAT core.

:func:`curtois_problem` turns a benchmark instance (:mod:`patrolsim.formats.curtois`) into a
:class:`~patrolsim.roster.problem.RosterProblem`, :func:`solve_curtois_roster` solves it with
:func:`~patrolsim.roster.solve.solve_roster` (the solver a bureau runs) and scores the roster
with the benchmark's independent evaluator, which also lists any hard rule it breaks.

How the instance becomes a roster problem
-----------------------------------------
* A roster-only :class:`~patrolsim.scenario.model.Scenario`: one squad, every employee a
  certified officer of it, no places, no duties, day 0 on :data:`CURTOIS_START` (a Monday,
  as in the benchmark). Weekly contract hours and weekly days off are switched off
  (0–168 h, no day off required): the benchmark has no weekly rules.
* Shift types keep their ids and lengths. The benchmark gives no clock times, so every shift
  starts at 08:00 and the rest rule is set to 0 h: it forbids nothing, and the instance's
  ``CannotFollow`` lists become ``RosterProblem.forbidden_pairs``.
* Fixed days off become one-day leave records.
* ``MaxShifts``, ``Min/MaxTotalMinutes``, ``Min/MaxConsecutiveShifts``,
  ``MinConsecutiveDaysOff`` and ``MaxWeekends`` become one
  :class:`~patrolsim.roster.inputs.StaffLimits` per employee (the longest run also caps the
  scenario's ``max_consecutive_days``, set to the largest of them).
* Cover: one requirement per day × shift with ``units = Requirement`` and one certified
  officer per unit (``unit_certified = 1``, no auxiliary places), and the row's under / over
  weights as the requirement's ``weight_under`` / ``weight_over``.
* Shift-on requests become ``want`` preferences and shift-off requests ``avoid`` preferences
  with their weights; the preference weight is 1 and every district soft rule the benchmark
  lacks (fairness, shift consistency, weekend pairs, stability) has weight 0.

Every rule of the benchmark is then expressed, and the roster's objective equals the
evaluator's. What the model does not take from the benchmark is only its interpretation of
the horizon's edges, which agrees: runs touching the first or last day are exempt from the
minimum-run rules, and the days outside the horizon count as days off for the longest run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from patrolsim.formats.curtois import CurtoisEvaluation, CurtoisInstance, evaluate_curtois
from patrolsim.roster.cpsat import RosterParams
from patrolsim.roster.inputs import Preference, Requirement, StaffLimits
from patrolsim.roster.problem import RosterProblem
from patrolsim.roster.result import Roster
from patrolsim.roster.solve import solve_roster
from patrolsim.scenario.model import (
    CalendarRules,
    DayInfo,
    Leave,
    Network,
    PatrolRules,
    RosterRules,
    RosterWeights,
    Scenario,
    ShiftType,
    Squad,
    StaffMember,
    TravelRules,
)

__all__ = [
    "CURTOIS_START",
    "CurtoisRoster",
    "curtois_problem",
    "curtois_scenario",
    "roster_assignment",
    "solve_curtois_roster",
]

#: The date given to day 0 of every instance: a Monday, as the benchmark's day 0.
CURTOIS_START = dt.date(2024, 1, 1)

#: The one squad every employee belongs to.
SQUAD = "S1"

#: Clock time at which every benchmark shift starts (the benchmark gives lengths only).
SHIFT_START_MIN = 8 * 60


def curtois_scenario(instance: CurtoisInstance, start: dt.date = CURTOIS_START) -> Scenario:
    """A roster-only scenario holding the instance's staff, shifts and fixed days off.

    The scenario has no places and no simulation parameters: it serves the roster only.
    """
    shifts = tuple(
        ShiftType(s.id, s.id, SHIFT_START_MIN, SHIFT_START_MIN + s.length_min)
        for s in instance.shifts
    )
    staff = tuple(
        StaffMember(i, e.id, e.id, "certified", SQUAD, 0.0, 0.0, 168.0)
        for i, e in enumerate(instance.staff)
    )
    leave = tuple(
        Leave(e.id, start + dt.timedelta(days=d), start + dt.timedelta(days=d), "day off")
        for e in instance.staff
        for d in sorted(set(e.days_off))
    )
    longest = max((e.max_consecutive for e in instance.staff), default=instance.horizon)
    rules = RosterRules(
        min_rest_hours=0.0,
        max_consecutive_days=max(1, longest),
        min_days_off_per_week=0,
        unit_certified=1,
        unit_auxiliaries=0,
        hours_tolerance=0.0,
        weights=RosterWeights(
            shortfall=100,
            surplus=1,
            preference=1,
            fairness_nights=0,
            fairness_weekends=0,
            shift_consistency=0,
            weekend_pair=0,
            stability=0,
        ),
    )
    dates = [start + dt.timedelta(days=k) for k in range(instance.horizon)]
    return Scenario(
        name=instance.name,
        folder="",
        start_date=start,
        horizon_days=instance.horizon,
        timezone="",
        warmup_days=0,
        violation_types=(),
        patch_kinds={},
        patches=(),
        squads=(Squad(0, SQUAD, SQUAD, "", -1),),
        staff=staff,
        leave=leave,
        shifts=shifts,
        duties=(),
        roster=rules,
        patrol=PatrolRules(),
        campaigns=(),
        exam_periods=(),
        calendar=CalendarRules(public_holidays=False),
        days=tuple(DayInfo(d, None, d.weekday() < 5, (), False) for d in dates),
        travel=TravelRules({}),
        roads=(),
        network=Network(np.zeros((0, 0), dtype=np.int64), {}),
        targets=(),
        complaint_target_min=0.0,
        inspections_per_day=0,
        content_hash=f"curtois:{instance.name}",
    )


def curtois_problem(instance: CurtoisInstance, start: dt.date = CURTOIS_START) -> RosterProblem:
    """The roster problem of a benchmark instance (the mapping is in the module docstring).

    Parameters
    ----------
    instance
        The benchmark instance.
    start
        Date of day 0; a Monday, so that days 5 and 6 of each week are the weekend.

    Returns
    -------
    RosterProblem
        Soft cover, one requirement per day × shift, the requests as preferences, one
        :class:`~patrolsim.roster.inputs.StaffLimits` per employee and the ``CannotFollow``
        pairs as forbidden successions.
    """
    if start.weekday() != 0:
        raise ValueError(f"Expected start on a Monday, got {start} ({start:%A}).")
    sc = curtois_scenario(instance, start)

    def date(day: int) -> dt.date:
        return start + dt.timedelta(days=day)

    requirements = tuple(
        Requirement(date(c.day), c.shift, SQUAD, c.requirement, 0, c.weight_under, c.weight_over)
        for c in instance.cover
    )
    preferences = tuple(
        [Preference(r.staff, date(r.day), r.shift, "want", r.weight) for r in instance.on_requests]
        + [
            Preference(r.staff, date(r.day), r.shift, "avoid", r.weight)
            for r in instance.off_requests
        ]
    )
    limits = tuple(
        StaffLimits(
            e.id,
            max_shifts={s.id: e.max_shifts.get(s.id, 0) for s in instance.shifts},
            min_minutes=e.min_total_min,
            max_minutes=max(e.max_total_min, e.min_total_min),
            max_consecutive_days=max(1, e.max_consecutive),
            min_consecutive_days=max(1, e.min_consecutive),
            min_consecutive_days_off=max(1, e.min_consecutive_off),
            max_weekends=e.max_weekends,
        )
        for e in instance.staff
    )
    pairs = tuple((s.id, t) for s in instance.shifts for t in s.cannot_follow)
    return RosterProblem(
        sc, start, instance.horizon, requirements, preferences, limits=limits, forbidden_pairs=pairs
    )


@dataclass(frozen=True, slots=True)
class CurtoisRoster:
    """A benchmark instance solved by the district roster, scored by the evaluator."""

    instance: str
    roster: Roster
    assignment: Mapping[tuple[str, int], str]
    """``{(staff_id, day): shift_id}`` for every worked day."""
    evaluation: CurtoisEvaluation
    params: RosterParams

    @property
    def objective(self) -> int:
        """The benchmark objective computed by the evaluator."""
        return self.evaluation.objective

    def summary(self) -> str:
        """One line: instance, status, evaluated objective, bound, violations and time."""
        r = self.roster
        return (
            f"{self.instance}: {r.status} objective {self.objective} bound "
            f"{r.best_bound:.0f} (roster objective {r.objective:.0f}), "
            f"{len(self.evaluation.violations)} hard violation(s), {r.solve_time_s:.1f} s"
        )

    def __str__(self) -> str:
        return self.summary()


def roster_assignment(roster: Roster, start: dt.date = CURTOIS_START) -> dict[tuple[str, int], str]:
    """``{(staff_id, day index): shift}`` of a roster whose day 0 is ``start``."""
    return {(e.staff_id, (e.date - start).days): e.shift for e in roster.entries}


def solve_curtois_roster(
    instance: CurtoisInstance, params: RosterParams | None = None
) -> CurtoisRoster:
    """Solve a benchmark instance with the district roster and evaluate it independently.

    Parameters
    ----------
    instance
        The benchmark instance.
    params
        Solver settings (default :class:`RosterParams`).

    Returns
    -------
    CurtoisRoster
        The roster, its assignment and the evaluator's objective and violations.
    """
    params = params if params is not None else RosterParams()
    roster = solve_roster(curtois_problem(instance), params)
    assignment = roster_assignment(roster)
    return CurtoisRoster(
        instance.name, roster, assignment, evaluate_curtois(instance, assignment), params
    )
