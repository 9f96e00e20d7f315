"""The weekly roster: who works which shift on which day, in which unit (CP-SAT).

Build, solve and extract are separate functions (STYLE.md §6):
:func:`build_roster_model` → :class:`RosterModel`, :func:`solve_roster` → :class:`Roster`,
:func:`extract_roster`. Cover is soft by default, so a roster always comes back and
``Roster.uncovered`` lists every shift left short; with ``strict_cover`` an infeasible week
raises :class:`~patrolsim.errors.InfeasibleError` whose message explains the conflict in words
(:mod:`patrolsim.roster.explain`).

Hard rules
----------
* At most one shift a day; people cover only their own squad.
* Minimum rest between shifts (``min_rest_hours``, default 11 h, so no late → early and no
  night → early/day), and the successions ``RosterProblem.forbidden_pairs`` lists; across the
  start of the horizon too when a previous roster is given.
* At most ``max_consecutive_days`` working days in a row (previous roster included), or a
  person's own tighter ``StaffLimits.max_consecutive_days``.
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
* Personal limits over the whole horizon (:class:`~patrolsim.roster.inputs.StaffLimits`):
  most shifts of each type, fewest and most minutes, shortest runs of working days and of
  days off (runs touching the horizon's ends exempt), most weekends with a shift.
* Cover in units, with ``strict_cover`` only: each unit wanted needs ``unit_certified``
  certified officers (leaders count as certified); auxiliary places are filled by auxiliaries
  or by certified officers not needed for units.

Soft rules (weights from ``scenario.roster.weights``)
------------------------------------------------------
``shortfall`` per missing unit (a missing auxiliary place costs a quarter of it, rounded
up), ``surplus`` per person beyond the cover (a requirement's own ``weight_under`` /
``weight_over`` replace these two on its day × shift × squad), ``preference`` × the
preference's weight, ``fairness_nights`` / ``fairness_weekends`` per unit of spread (max −
min) of night shifts / weekend shifts within each squad × role group (people with leave in
the horizon are left out of the comparison), ``shift_consistency`` per extra shift type a
person works within a week, ``weekend_pair`` per weekend with exactly one of Saturday/Sunday
off, ``stability`` per day that differs from the previous roster (same date if it is in the
previous roster, else the same weekday of its last week).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from patrolsim.roster.cpsat import add_min_run_clauses, add_soft_cover
from patrolsim.roster.problem import RosterProblem, RuleKey
from patrolsim.roster.result import SOFT_RULES
from patrolsim.roster.soft import add_soft_rules, reference_roster
from patrolsim.scenario.model import StaffMember

__all__ = ["RosterModel", "build_roster_model"]


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


def build_roster_model(problem: RosterProblem, explain: bool = False) -> RosterModel:
    """Build the CP-SAT model of a roster (rules in the module docstring).

    Parameters
    ----------
    problem
        The roster problem.
    explain
        Guard every hard rule instance with an assumption literal (``model.add_assumptions``)
        so that an infeasibility core names the rules; used by
        :mod:`patrolsim.roster.explain`.

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
    bad_pairs = problem.successions()
    prev = problem.previous
    for p in sc.staff:
        g = guard(("rest", p.id, None, ""))
        before = dates[0] - dt.timedelta(days=1)
        prev_shift = prev.get((p.id, before))
        for today, tomorrow in sorted(bad_pairs):
            if prev_shift == today:
                m.add(x[p.id, 0, tomorrow] == 0).only_enforce_if(g)
            for k in range(n_days - 1):
                m.add_bool_or(
                    [x[p.id, k, today].Not(), x[p.id, k + 1, tomorrow].Not()]
                ).only_enforce_if(g)
        g = guard(("max_consecutive_days", p.id, None, ""))
        own = problem.limits_of(p.id).max_consecutive_days
        mx = rules.max_consecutive_days if own is None else min(own, rules.max_consecutive_days)
        history = [
            1 if (p.id, dates[0] - dt.timedelta(days=j)) in prev else 0 for j in range(mx, 0, -1)
        ]
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

    # Personal limits over the whole horizon.
    staff_ids = {p.id for p in sc.staff}
    for lim in problem.limits:
        if lim.staff_id not in staff_ids:
            continue
        pid = lim.staff_id
        g = guard(("limits", pid, None, ""))
        for sname, most in sorted(lim.max_shifts.items()):
            if any(s.name == sname for s in shifts):
                m.add(sum(x[pid, k, sname] for k in range(n_days)) <= most).only_enforce_if(g)
        if lim.min_minutes > 0 or lim.max_minutes is not None:
            minutes = sum(x[pid, k, s.name] * s.duration_min for k in range(n_days) for s in shifts)
            if lim.min_minutes > 0:
                m.add(minutes >= lim.min_minutes).only_enforce_if(g)
            if lim.max_minutes is not None:
                m.add(minutes <= lim.max_minutes).only_enforce_if(g)
        days_worked = [work[pid, k] for k in range(n_days)]
        add_min_run_clauses(m, days_worked, lim.min_consecutive_days, enforce=g)
        add_min_run_clauses(
            m, [w.Not() for w in days_worked], lim.min_consecutive_days_off, enforce=g
        )
        if lim.max_weekends is not None:
            worked_weekends = []
            for days in problem.weekends():
                wk = m.new_bool_var(f"weekend(staff={pid}, saturday={dates[days[0]]})")
                for k in days:
                    m.add_implication(work[pid, k], wk)
                worked_weekends.append(wk)
            m.add(sum(worked_weekends) <= lim.max_weekends).only_enforce_if(g)

    # Cover.
    need = problem.need()
    by_squad: dict[str, list[StaffMember]] = defaultdict(list)
    for p in sc.staff:
        by_squad[p.squad].append(p)
    units_short: dict[tuple[int, str, str], cp_model.IntVar] = {}
    aux_short: dict[tuple[int, str, str], cp_model.IntVar] = {}
    surplus: dict[tuple[int, str, str], cp_model.IntVar] = {}
    pen: dict[str, tuple[list[cp_model.IntVar], list[int]]] = {r: ([], []) for r in SOFT_RULES}
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
                w_under = (
                    w8.shortfall if req is None or req.weight_under is None else req.weight_under
                )
                w_over = w8.surplus if req is None or req.weight_over is None else req.weight_over
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
                    pen["shortfall"][1].append(w_under)
                    pen["auxiliary_shortfall"][0].append(aus)
                    pen["auxiliary_shortfall"][1].append(-(-w_under // 4))
                vs, cs = add_soft_cover(
                    m, cert + aux, c * units + places, len(people), 0, w_over, f"cover{name}"
                )
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
                    m.add(
                        sum(x[p.id, k, s.name] for p in people) <= c * units + places
                    ).only_enforce_if(g)
                    m.add(
                        sum(x[p.id, k, s.name] for p in people if not p.certified) <= places
                    ).only_enforce_if(g)

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
        problem,
        m,
        x,
        work,
        units_short,
        aux_short,
        surplus,
        {r: (tuple(pen[r][0]), tuple(pen[r][1])) for r in SOFT_RULES},
        assumptions,
    )
