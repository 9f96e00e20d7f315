"""The weekly roster: who works which shift on which day, in which unit (CP-SAT).

Build, solve and extract are separate functions (STYLE.md §6):
:func:`build_roster_model` → :class:`RosterModel`, :func:`solve_roster` → :class:`Roster`,
:func:`extract_roster`. Cover is soft by default, so a roster always comes back and
``Roster.uncovered`` lists every shift left short; with ``strict_cover`` an infeasible week
raises :class:`~patrolsim.errors.InfeasibleError` whose message explains the conflict in words
(:mod:`patrolsim.optimise.explain`).

Hard rules
----------
* At most one shift a day; people cover only their own squad.
* Minimum rest between shifts (``min_rest_hours``, default 11 h, so no late → early and no
  night → early/day); across the start of the horizon too when a previous roster is given.
* At most ``max_consecutive_days`` working days in a row (previous roster included).
* Days off: each 7-day block from the first roster day has at least ``min_days_off_per_week``
  days without a shift (leave counts as off). A final partial block of n days needs
  ``floor(min_days_off_per_week · n / 7)``.
* Contract hours: each 7-day block has between ``min_weekly_hours`` and ``max_weekly_hours`` of
  shifts. Every day of leave credits ``weekly_hours / 5`` towards the minimum; a partial block
  of n days scales both limits by n / 7.
* Leave from ``leave.csv``: no shift on a day of leave.
* Off-street duties (Friday study, drills, meetings — :class:`~patrolsim.scenario.model.Duty`):
  everyone on one of the duty's shifts that day attends it (the simulation takes them off the
  street for its duration). So that everyone who can attend does, on a duty day the *other*
  shifts carry no spare people: per squad, at most the people their cover asks for (and no
  more auxiliaries than auxiliary places). People not needed elsewhere are rostered on a duty
  shift or given the day off. This is how we read "the Friday study is attended by everyone on
  a day shift that Friday": the study is not skipped by parking people on other shifts.
* Cover in units, with ``strict_cover`` only: each unit wanted needs ``unit_certified``
  certified officers (leaders count as certified); auxiliary places are filled by auxiliaries
  or by certified officers not needed for units.

Soft rules (weights from ``scenario.roster.weights``)
------------------------------------------------------
``shortfall`` per missing unit (a missing auxiliary place costs a quarter of it, rounded up),
``surplus`` per person beyond the cover, ``preference`` × the preference's weight,
``fairness_nights`` / ``fairness_weekends`` per unit of spread (max − min) of night shifts /
weekend shifts within each squad × role group (people with leave in the horizon are left out
of the comparison), ``shift_consistency`` per extra shift type a person works within a week,
``weekend_pair`` per weekend with exactly one of Saturday/Sunday off, ``stability`` per day
that differs from the previous roster (same date if it is in the previous roster, else the
same weekday of its last week).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from patrolsim.errors import InfeasibleError
from patrolsim.optimise.roster_cpsat import (
    SOLVED,
    ProgressCallback,
    RosterParams,
    add_soft_cover,
    improve_lns,
    make_solver,
    solve_until_stall,
)
from patrolsim.optimise.roster_inputs import Preference, PreviousRoster, Requirement
from patrolsim.optimise.roster_result import SOFT_RULES, CoverRow, Roster, RosterEntry
from patrolsim.optimise.roster_soft import add_soft_rules, reference_roster
from patrolsim.scenario.model import Scenario, ShiftType, StaffMember

__all__ = [
    "SOFT_RULES",
    "CoverRow",
    "Roster",
    "RosterEntry",
    "RosterModel",
    "RosterProblem",
    "build_roster_model",
    "extract_roster",
    "forbidden_successions",
    "solve_roster",
]

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
    """

    scenario: Scenario
    start: dt.date
    days: int
    requirements: tuple[Requirement, ...]
    preferences: tuple[Preference, ...] = ()
    previous: PreviousRoster = field(default_factory=dict)
    strict_cover: bool = False

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"Expected days ≥ 1, got {self.days}.")

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


@dataclass(frozen=True, slots=True)
class RosterModel:
    """A built roster model: the CP-SAT model and its tuple-keyed variables."""

    problem: RosterProblem
    model: cp_model.CpModel
    x: Mapping[tuple[str, int, str], cp_model.IntVar]
    """``x[staff_id, day, shift]``: the person works that shift on that day (day index)."""
    work: Mapping[tuple[str, int], cp_model.IntVar]
    units_short: Mapping[tuple[int, str, str], cp_model.IntVar]
    """``units_short[day, shift, squad]``: sanctioning units missing."""
    aux_short: Mapping[tuple[int, str, str], cp_model.IntVar]
    surplus: Mapping[tuple[int, str, str], cp_model.IntVar]
    penalties: Mapping[str, tuple[tuple[cp_model.IntVar, ...], tuple[int, ...]]]
    """Per soft rule: the penalty variables and their coefficients."""
    assumptions: Mapping[int, RuleKey]
    """Assumption literal index → the rule instance it switches on (only when built for an
    explanation)."""


def forbidden_successions(shifts: Sequence[ShiftType], min_rest_hours: float
                          ) -> set[tuple[str, str]]:
    """Pairs (shift today, shift tomorrow) that leave less than ``min_rest_hours`` of rest."""
    out: set[tuple[str, str]] = set()
    for s in shifts:
        for t in shifts:
            if 1440 + t.start_min - s.end_min < min_rest_hours * 60:
                out.add((s.name, t.name))
    return out


def build_roster_model(problem: RosterProblem, explain: bool = False) -> RosterModel:
    """Build the CP-SAT model of a roster (rules in the module docstring).

    Parameters
    ----------
    problem
        The roster problem.
    explain
        Guard every hard rule instance with an assumption literal (``model.add_assumptions``)
        so that an infeasibility core names the rules; used by
        :mod:`patrolsim.optimise.explain`.

    Returns
    -------
    RosterModel
        The model and its variables.
    """
    sc = problem.scenario
    rules = sc.roster
    w8 = rules.weights
    m = cp_model.CpModel()
    dates = problem.dates
    n_days = len(dates)
    shifts = sc.shifts
    c = rules.unit_certified
    assumptions: dict[int, RuleKey] = {}
    guards: dict[RuleKey, cp_model.IntVar] = {}

    def guard(key: RuleKey) -> list[cp_model.IntVar]:
        if not explain:
            return []
        if key not in guards:
            lit = m.new_bool_var(f"assume{key}")
            guards[key] = lit
            assumptions[lit.index] = key
        return [guards[key]]

    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    work: dict[tuple[str, int], cp_model.IntVar] = {}
    for p in sc.staff:
        for k in range(n_days):
            w = m.new_bool_var(f"work(staff={p.id}, day={dates[k]})")
            work[p.id, k] = w
            day_x = []
            for s in shifts:
                v = m.new_bool_var(f"x(staff={p.id}, day={dates[k]}, shift={s.name})")
                x[p.id, k, s.name] = v
                day_x.append(v)
            m.add(sum(day_x) == w)

    # Leave.
    for lv in sc.leave:
        if lv.staff_id not in {p.id for p in sc.staff}:
            continue
        days_on_leave = [k for k, d in enumerate(dates) if lv.covers(d)]
        if not days_on_leave:
            continue
        g = guard(("leave", lv.staff_id, lv.start, f"{lv.end.isoformat()} {lv.kind}"))
        for k in days_on_leave:
            m.add(work[lv.staff_id, k] == 0).only_enforce_if(g)

    # Rest and consecutive days, looking back into the previous roster.
    bad_pairs = forbidden_successions(shifts, rules.min_rest_hours)
    prev = problem.previous
    for p in sc.staff:
        g = guard(("rest", p.id, None, ""))
        before = dates[0] - dt.timedelta(days=1)
        prev_shift = prev.get((p.id, before))
        for today, tomorrow in sorted(bad_pairs):
            if prev_shift == today:
                m.add(x[p.id, 0, tomorrow] == 0).only_enforce_if(g)
            for k in range(n_days - 1):
                m.add_bool_or([x[p.id, k, today].Not(),
                               x[p.id, k + 1, tomorrow].Not()]).only_enforce_if(g)
        g = guard(("max_consecutive_days", p.id, None, ""))
        mx = rules.max_consecutive_days
        history = [1 if (p.id, dates[0] - dt.timedelta(days=j)) in prev else 0
                   for j in range(mx, 0, -1)]
        seq: list[Any] = [*history, *(work[p.id, k] for k in range(n_days))]
        for start in range(len(seq) - mx):
            window = seq[start : start + mx + 1]
            if all(isinstance(v, int) for v in window):
                continue
            m.add(sum(window) <= mx).only_enforce_if(g)

    # Days off and contract hours per 7-day block.
    for p in sc.staff:
        for block in problem.blocks():
            n = len(block)
            first = dates[block[0]]
            g = guard(("days_off", p.id, first, ""))
            off_needed = math.floor(rules.min_days_off_per_week * n / 7)
            m.add(sum(work[p.id, k] for k in block) <= n - off_needed).only_enforce_if(g)
            g = guard(("hours", p.id, first, ""))
            minutes = sum(x[p.id, k, s.name] * s.duration_min for k in block for s in shifts)
            leave_days = sum(1 for k in block if sc.on_leave(p.id, dates[k]))
            lo = max(0.0, p.min_weekly_hours * 60 * n / 7 - leave_days * p.weekly_hours * 12)
            hi = p.max_weekly_hours * 60 * n / 7
            m.add(minutes <= math.floor(hi)).only_enforce_if(g)
            m.add(minutes >= math.ceil(lo)).only_enforce_if(g)

    # Cover.
    need = problem.need()
    by_squad: dict[str, list[StaffMember]] = defaultdict(list)
    for p in sc.staff:
        by_squad[p.squad].append(p)
    units_short: dict[tuple[int, str, str], cp_model.IntVar] = {}
    aux_short: dict[tuple[int, str, str], cp_model.IntVar] = {}
    surplus: dict[tuple[int, str, str], cp_model.IntVar] = {}
    pen: dict[str, tuple[list[cp_model.IntVar], list[int]]] = {r: ([], []) for r in SOFT_RULES}
    aux_weight = -(-w8.shortfall // 4)
    for k in range(n_days):
        for s in shifts:
            for sq in sc.squads:
                req = need.get((k, s.name, sq.id))
                units = req.units if req else 0
                places = req.auxiliaries if req else 0
                people = by_squad[sq.id]
                cert = sum(x[p.id, k, s.name] for p in people if p.certified)
                aux = sum(x[p.id, k, s.name] for p in people if not p.certified)
                key = (k, s.name, sq.id)
                name = f"(day={dates[k]}, shift={s.name}, squad={sq.id})"
                us = m.new_int_var(0, units, f"units_short{name}")
                m.add(cert + c * us >= c * units)
                aus = m.new_int_var(0, places, f"aux_short{name}")
                # Spare certified officers (beyond the units formed) may fill auxiliary places.
                m.add(aus + aux + cert - c * (units - us) >= places)
                units_short[key], aux_short[key] = us, aus
                if problem.strict_cover and (units or places):
                    g = guard(("cover", sq.id, dates[k], s.name))
                    m.add(us == 0).only_enforce_if(g)
                    m.add(aus == 0).only_enforce_if(g)
                else:
                    pen["shortfall"][0].append(us)
                    pen["shortfall"][1].append(w8.shortfall)
                    pen["auxiliary_shortfall"][0].append(aus)
                    pen["auxiliary_shortfall"][1].append(aux_weight)
                vs, cs = add_soft_cover(m, cert + aux, c * units + places, len(people), 0,
                                        w8.surplus, f"cover{name}")
                surplus[key] = vs[0] if vs else m.new_constant(0)
                pen["surplus"][0].extend(vs)
                pen["surplus"][1].extend(cs)

    # Off-street duties: on a duty day other shifts carry no spare people.
    for k, date in enumerate(dates):
        for duty in sc.duties:
            if not duty.on(date, sc.start_date):
                continue
            g = guard(("duty", duty.name, date, ",".join(duty.shifts)))
            for s in shifts:
                if s.name in duty.shifts:
                    continue
                for sq in sc.squads:
                    req = need.get((k, s.name, sq.id))
                    units = req.units if req else 0
                    places = req.auxiliaries if req else 0
                    people = by_squad[sq.id]
                    m.add(sum(x[p.id, k, s.name] for p in people)
                          <= c * units + places).only_enforce_if(g)
                    m.add(sum(x[p.id, k, s.name] for p in people if not p.certified)
                          <= places).only_enforce_if(g)

    add_soft_rules(problem, m, x, work, pen)
    m.minimize(sum(cf * v for r in SOFT_RULES for v, cf in zip(*pen[r], strict=True)))

    # Warm start from the previous roster (same date, else same weekday).
    ref = reference_roster(problem)
    if ref:
        for (pid, k, sname), v in x.items():
            m.add_hint(v, ref.get((pid, k)) == sname)
    if explain:
        m.add_assumptions(list(guards.values()))
    return RosterModel(
        problem, m, x, work, units_short, aux_short, surplus,
        {r: (tuple(pen[r][0]), tuple(pen[r][1])) for r in SOFT_RULES}, assumptions,
    )


def solve_roster(
    built: RosterModel | RosterProblem,
    params: RosterParams | None = None,
    lns_share: float = 0.4,
) -> Roster:
    """Solve a roster model and extract the roster.

    Parameters
    ----------
    built
        A built model, or a problem to build first.
    params
        Solver settings (default :class:`RosterParams`).
    lns_share
        Largest share of the wall-clock limit given, after a first CP-SAT solve of the whole
        model (which runs on while it improves, :func:`solve_until_stall`), to exact
        re-optimisation of a few people at a time
        (:func:`~patrolsim.optimise.roster_cpsat.improve_lns`); 0 or a deterministic-time
        limit: none.

    Returns
    -------
    Roster
        The best roster found within the limits.

    Raises
    ------
    InfeasibleError
        If the hard rules cannot all hold (with ``strict_cover``: including cover); the message
        names the conflicting rules, people and days.
    """
    if isinstance(built, RosterProblem):
        built = build_roster_model(built)
    params = params if params is not None else RosterParams()
    use_lns = (0 < lns_share < 1 and params.time_limit_s is not None
               and params.max_deterministic_time is None)
    t0 = time.perf_counter()
    deadline = t0 + (params.time_limit_s or 0.0)
    if use_lns:
        solver, status = solve_until_stall(built.model, params, 1 - lns_share)
    else:
        solver = make_solver(params)
        callback = ProgressCallback("roster") if params.progress else None
        status = solver.solve(built.model, callback)
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        from patrolsim.optimise.explain import explain_infeasible

        reasons = explain_infeasible(built.problem, params)
        raise InfeasibleError(
            f"no roster meets every hard rule (CP-SAT status {solver.status_name(status)}):\n"
            + "\n".join(f"  - {r}" for r in reasons)
        )
    if status not in SOLVED:
        raise InfeasibleError(
            f"no roster found within the limits (CP-SAT status {solver.status_name(status)}); "
            "raise --time-limit"
        )
    status_name = solver.status_name(status)
    bound = solver.best_objective_bound
    objective = solver.objective_value
    if use_lns and status != cp_model.OPTIMAL and objective > bound:
        objective_expr = sum(cf * v for r in SOFT_RULES
                             for v, cf in zip(*built.penalties[r], strict=True))
        values = {key: bool(solver.boolean_value(v)) for key, v in built.x.items()}
        values, objective = improve_lns(built.model, built.x, values, objective_expr,
                                        objective, bound, deadline, params,
                                        hot_days=_short_days(built.problem))
        # Re-solve with every assignment fixed to read the cover and penalty variables.
        fixed = built.model.clone()
        for key, v in built.x.items():
            fixed.add(v == int(values[key]))
        solver = make_solver(dataclasses.replace(params, time_limit_s=30.0, progress=False))
        solver.solve(fixed)
        status_name = "OPTIMAL" if objective <= bound else "FEASIBLE"
    roster = extract_roster(built, solver, status_name, time.perf_counter() - t0)
    return dataclasses.replace(roster, best_bound=float(bound))


def _short_days(
    problem: RosterProblem,
) -> Callable[[Mapping[tuple[str, int, str], bool]], list[int]]:
    """A function giving the day indexes with a unit or auxiliary place missing."""
    sc = problem.scenario
    c = sc.roster.unit_certified
    staff = {p.id: p for p in sc.staff}
    need = problem.need()

    def days(values: Mapping[tuple[str, int, str], bool]) -> list[int]:
        cert: dict[tuple[int, str, str], int] = defaultdict(int)
        everyone: dict[tuple[int, str, str], int] = defaultdict(int)
        for (pid, k, s), on in values.items():
            if on:
                p = staff[pid]
                everyone[k, s, p.squad] += 1
                if p.certified:
                    cert[k, s, p.squad] += 1
        return sorted({k for (k, s, q), r in need.items()
                       if cert[k, s, q] < c * r.units
                       or everyone[k, s, q] < c * r.units + r.auxiliaries})

    return days


def extract_roster(
    built: RosterModel, solver: cp_model.CpSolver, status: str = "", wall_time_s: float = 0.0
) -> Roster:
    """Read the roster, cover and penalties from a solved model (no printing)."""
    problem = built.problem
    sc = problem.scenario
    dates = problem.dates
    c = sc.roster.unit_certified
    tz = zoneinfo.ZoneInfo(sc.timezone) if sc.timezone else None
    need = problem.need()
    by_key: dict[tuple[int, str, str], list[StaffMember]] = defaultdict(list)
    for p in sc.staff:
        for k in range(len(dates)):
            for s in sc.shifts:
                if solver.boolean_value(built.x[p.id, k, s.name]):
                    by_key[k, s.name, p.squad].append(p)
    entries: list[RosterEntry] = []
    cover: list[CoverRow] = []
    for k, date in enumerate(dates):
        midnight = dt.datetime.combine(date, dt.time(0), tzinfo=tz)
        for s in sc.shifts:
            for sq in sc.squads:
                people = by_key.get((k, s.name, sq.id), [])
                certs = sorted((p for p in people if p.certified), key=lambda p: p.id)
                auxs = sorted((p for p in people if not p.certified), key=lambda p: p.id)
                n_units = len(certs) // c if c else 0
                unit_of: dict[str, str] = {}
                for i, p in enumerate(certs):
                    unit_of[p.id] = (f"{sq.id}-{s.name}-{min(i // c, n_units - 1) + 1}"
                                     if n_units else f"{sq.id}-{s.name}-aux")
                for i, p in enumerate(auxs):
                    unit_of[p.id] = (f"{sq.id}-{s.name}-{i % n_units + 1}" if n_units
                                     else f"{sq.id}-{s.name}-aux")
                for p in sorted(people, key=lambda p: p.id):
                    entries.append(RosterEntry(
                        p.id, p.name, p.role, p.squad, date, s.name,
                        midnight + dt.timedelta(minutes=s.start_min),
                        midnight + dt.timedelta(minutes=s.end_min), unit_of[p.id]))
                req = need.get((k, s.name, sq.id))
                key = (k, s.name, sq.id)
                if req is None and not people:
                    continue
                cover.append(CoverRow(
                    date, s.name, sq.id, req.units if req else 0, req.auxiliaries if req else 0,
                    len(certs), len(auxs), n_units, solver.value(built.units_short[key]),
                    solver.value(built.aux_short[key]), solver.value(built.surplus[key])))
    by_rule = {
        r: int(sum(cf * solver.value(v) for v, cf in zip(*built.penalties[r], strict=True)))
        for r in SOFT_RULES
    }
    if problem.strict_cover:
        by_rule["shortfall"] = 0
        by_rule["auxiliary_shortfall"] = 0
    entries.sort(key=lambda e: (e.date, e.squad, e.staff_id))
    return Roster(
        problem.start, problem.days, tuple(entries), tuple(cover), status,
        float(solver.objective_value), float(solver.best_objective_bound), wall_time_s, by_rule,
        problem.strict_cover, tuple(sc.staff), tuple(s.name for s in sc.shifts if s.night),
    )
