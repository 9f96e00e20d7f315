"""Solving a roster model and reading the roster from it (no printing).

:func:`solve_roster` runs CP-SAT (then, under a wall-clock limit, exact re-optimisation of a
few people at a time); an impossible week raises :class:`~patrolsim.errors.InfeasibleError`
whose message names the conflicting rules, people and days (:mod:`patrolsim.roster.explain`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Mapping

from ortools.sat.python import cp_model

from patrolsim.errors import InfeasibleError
from patrolsim.roster.cpsat import (
    SOLVED,
    ProgressCallback,
    RosterParams,
    improve_lns,
    make_solver,
    solve_until_stall,
)
from patrolsim.roster.explain import explain_infeasible
from patrolsim.roster.model import RosterModel, build_roster_model
from patrolsim.roster.problem import RosterProblem
from patrolsim.roster.result import SOFT_RULES, CoverRow, Roster, RosterEntry, unit_labels
from patrolsim.scenario.model import StaffMember

__all__ = ["extract_roster", "solve_roster"]


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
        (:func:`~patrolsim.roster.cpsat.improve_lns`); 0 or a deterministic-time
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
                unit_of = unit_labels([p.id for p in certs], [p.id for p in auxs], sq.id,
                                      s.name, c)
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
