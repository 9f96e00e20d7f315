"""Solving a roster model and reading the roster from it (no printing).

:func:`solve_roster` runs CP-SAT on the whole model; an impossible week raises
:class:`~patrolsim.errors.InfeasibleError` whose message names the conflicting rules, people
and days (:mod:`patrolsim.roster.explain`).
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections import defaultdict

from ortools.sat.python import cp_model

from patrolsim.errors import InfeasibleError
from patrolsim.roster.cpsat import SOLVED, ProgressCallback, RosterParams, make_solver
from patrolsim.roster.explain import explain_infeasible
from patrolsim.roster.model import RosterModel, build_roster_model
from patrolsim.roster.problem import RosterProblem
from patrolsim.roster.result import SOFT_RULES, CoverRow, Roster, RosterEntry, unit_labels
from patrolsim.scenario.model import StaffMember

__all__ = ["extract_roster", "solve_roster"]


def solve_roster(built: RosterModel | RosterProblem, params: RosterParams | None = None) -> Roster:
    """Solve a roster model and extract the roster.

    One CP-SAT solve of the whole model under the limits of ``params``: under a
    deterministic budget (:meth:`RosterParams.reproducible`) the same problem and seed always
    give the same roster.

    Parameters
    ----------
    built
        A built model, or a problem to build first.
    params
        Solver settings (default :class:`RosterParams`).

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
    t0 = time.perf_counter()
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
            "raise --work-limit or --time-limit"
        )
    return extract_roster(built, solver, solver.status_name(status), time.perf_counter() - t0)


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
                unit_of = unit_labels([p.id for p in certs], [p.id for p in auxs], sq.id, s.name, c)
                for p in sorted(people, key=lambda p: p.id):
                    entries.append(
                        RosterEntry(
                            p.id,
                            p.name,
                            p.role,
                            p.squad,
                            date,
                            s.name,
                            midnight + dt.timedelta(minutes=s.start_min),
                            midnight + dt.timedelta(minutes=s.end_min),
                            unit_of[p.id],
                        )
                    )
                req = need.get((k, s.name, sq.id))
                key = (k, s.name, sq.id)
                if req is None and not people:
                    continue
                cover.append(
                    CoverRow(
                        date,
                        s.name,
                        sq.id,
                        req.units if req else 0,
                        req.auxiliaries if req else 0,
                        len(certs),
                        len(auxs),
                        n_units,
                        solver.value(built.units_short[key]),
                        solver.value(built.aux_short[key]),
                        solver.value(built.surplus[key]),
                    )
                )
    by_rule = {
        r: int(sum(cf * solver.value(v) for v, cf in zip(*built.penalties[r], strict=True)))
        for r in SOFT_RULES
    }
    if problem.strict_cover:
        by_rule["shortfall"] = 0
        by_rule["auxiliary_shortfall"] = 0
    entries.sort(key=lambda e: (e.date, e.squad, e.staff_id))
    return Roster(
        problem.start,
        problem.days,
        tuple(entries),
        tuple(cover),
        status,
        float(solver.objective_value),
        float(solver.best_objective_bound),
        wall_time_s,
        by_rule,
        problem.strict_cover,
        tuple(sc.staff),
        tuple(s.name for s in sc.shifts if s.night),
    )
