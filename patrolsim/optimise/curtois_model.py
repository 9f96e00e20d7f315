"""CP-SAT model of the Curtois & Qu shift-scheduling benchmark.

Build, solve and extract are separate (STYLE.md §6): :func:`build_curtois_model` returns a
:class:`CurtoisModel` holding the model and its tuple-keyed variables,
:func:`solve_curtois` runs CP-SAT and :func:`extract_curtois` turns the solver's values into
an assignment. The objective reported to users is always recomputed by
:func:`patrolsim.formats.curtois.evaluate_curtois`, never read back from the solver.

Formulation
-----------
* ``x[e, d, s]`` exists only where employee *e* may work shift *s* on day *d* (not a fixed day
  off, ``MaxShifts > 0``); ``work[e, d]`` is their sum (at most one shift a day).
* Rotation: ``x[e, d, s] + x[e, d+1, t] ≤ 1`` for every forbidden succession.
* Minimum runs of work and of days off as forbidden-pattern clauses (no run-length
  variables); maximum runs as sliding windows; weekends as ``wk ≥ work`` on Saturday/Sunday.
* Cover is soft: ``n + under − over = req`` (tight; :func:`add_soft_cover`).
* Requests are linear in ``x``; on-requests contribute ``w − w·x``.
* Redundant bounds on the number of shifts per employee (from the minute limits) help the
  LP relaxation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from patrolsim.errors import InfeasibleError
from patrolsim.formats.curtois import CurtoisInstance, evaluate_curtois
from patrolsim.optimise.roster_cpsat import (
    SOLVED,
    ProgressCallback,
    RosterParams,
    add_max_run,
    add_min_run_clauses,
    add_soft_cover,
    improve_lns,
    make_solver,
    relative_gap,
    solve_until_stall,
)

#: Default solver settings for the benchmark: the ``max_lp`` subsolver (full linear
#: relaxation) proves Instances 1–4 optimal in seconds where the default portfolio on two
#: workers stalls at a weak bound.
CURTOIS_PARAMS = RosterParams(time_limit_s=120.0, num_workers=2, subsolvers=("max_lp",))


@dataclass(frozen=True, slots=True)
class CurtoisModel:
    """A built CP-SAT model and its variables."""

    instance: CurtoisInstance
    model: cp_model.CpModel
    x: Mapping[tuple[str, int, str], cp_model.IntVar]
    """``x[staff_id, day, shift_id]``: the employee works that shift that day."""
    work: Mapping[tuple[str, int], cp_model.IntVar]
    """``work[staff_id, day]``: the employee works any shift that day."""
    penalty_vars: tuple[cp_model.IntVar, ...]
    penalty_coeffs: tuple[int, ...]
    objective_offset: int
    """Constant part of the objective (weights of on-requests that cannot be granted)."""


@dataclass(frozen=True, slots=True)
class CurtoisResult:
    """A benchmark solve: the assignment, its evaluated objective and the solver's figures."""

    instance: str
    status: str
    assignment: Mapping[tuple[str, int], str]
    objective: int | None
    """The benchmark objective computed by the evaluator."""
    solver_objective: float
    best_bound: float
    wall_time_s: float
    violations: tuple[str, ...] = field(default=())
    terms: Mapping[str, int] = field(default_factory=dict)

    def is_optimal(self) -> bool:
        """Whether CP-SAT proved the solution optimal."""
        return self.status == "OPTIMAL"

    @property
    def gap(self) -> float:
        """Relative gap between the evaluated objective and the solver's bound."""
        if self.objective is None:
            return math.nan
        return relative_gap(float(self.objective), self.best_bound)

    def summary(self) -> str:
        """One line with status, objective, bound, gap and time."""
        return (
            f"{self.instance}: {self.status} objective {self.objective} bound "
            f"{self.best_bound:.0f} gap {self.gap:.2%} time {self.wall_time_s:.1f} s"
        )

    def __str__(self) -> str:
        return self.summary()


def build_curtois_model(instance: CurtoisInstance) -> CurtoisModel:
    """Build the CP-SAT model of ``instance`` (see the module docstring)."""
    m = cp_model.CpModel()
    H = instance.horizon
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    work: dict[tuple[str, int], cp_model.IntVar] = {}
    lengths = {s.id: s.length_min for s in instance.shifts}
    for e in instance.staff:
        off = set(e.days_off)
        allowed = [s.id for s in instance.shifts if e.max_shifts.get(s.id, 0) > 0]
        for d in range(H):
            w = m.new_bool_var(f"work(staff={e.id}, day={d})")
            work[e.id, d] = w
            day_x = []
            if d not in off:
                for s in allowed:
                    v = m.new_bool_var(f"x(staff={e.id}, day={d}, shift={s})")
                    x[e.id, d, s] = v
                    day_x.append(v)
            m.add(sum(day_x) == w)
        # Rotation.
        for sh in instance.shifts:
            for t in sh.cannot_follow:
                for d in range(H - 1):
                    a, b = x.get((e.id, d, sh.id)), x.get((e.id, d + 1, t))
                    if a is not None and b is not None:
                        m.add_bool_or([a.Not(), b.Not()])
        # Max shifts per type.
        for s in allowed:
            vs = [x[e.id, d, s] for d in range(H) if (e.id, d, s) in x]
            if len(vs) > e.max_shifts[s]:
                m.add(sum(vs) <= e.max_shifts[s])
        # Minutes.
        minutes = sum(lengths[s] * v for (ee, _, s), v in x.items() if ee == e.id)
        m.add(minutes <= e.max_total_min)
        m.add(minutes >= e.min_total_min)
        # Redundant: number of worked days from the minute limits.
        if allowed:
            lo = math.ceil(e.min_total_min / max(lengths[s] for s in allowed))
            hi = e.max_total_min // min(lengths[s] for s in allowed)
            n_work = sum(work[e.id, d] for d in range(H))
            m.add(n_work >= lo)
            m.add(n_work <= hi)
        lits = [work[e.id, d] for d in range(H)]
        add_max_run(m, lits, e.max_consecutive)
        add_min_run_clauses(m, lits, e.min_consecutive, exempt_edges=True)
        add_min_run_clauses(m, [w.Not() for w in lits], e.min_consecutive_off, exempt_edges=True)
        # Weekends.
        weekends = []
        for wk in range(instance.weeks):
            v = m.new_bool_var(f"weekend(staff={e.id}, week={wk})")
            m.add_implication(work[e.id, 7 * wk + 5], v)
            m.add_implication(work[e.id, 7 * wk + 6], v)
            weekends.append(v)
        if len(weekends) > e.max_weekends:
            m.add(sum(weekends) <= e.max_weekends)

    pen_vars: list[cp_model.IntVar] = []
    coeffs: list[int] = []
    offset = 0
    for r in instance.on_requests:
        on = x.get((r.staff, r.day, r.shift))
        offset += r.weight
        if on is not None:
            pen_vars.append(on)
            coeffs.append(-r.weight)
    for r in instance.off_requests:
        unwanted = x.get((r.staff, r.day, r.shift))
        if unwanted is not None:
            pen_vars.append(unwanted)
            coeffs.append(r.weight)
    for c in instance.cover:
        people = [x[e.id, c.day, c.shift] for e in instance.staff if (e.id, c.day, c.shift) in x]
        vs, cs = add_soft_cover(
            m, sum(people), c.requirement, len(people), c.weight_under, c.weight_over,
            f"cover(day={c.day}, shift={c.shift})",
        )
        pen_vars.extend(vs)
        coeffs.extend(cs)
    m.minimize(sum(c * v for c, v in zip(coeffs, pen_vars, strict=True)) + offset)
    return CurtoisModel(instance, m, x, work, tuple(pen_vars), tuple(coeffs), offset)


def solve_curtois(
    built: CurtoisModel,
    params: RosterParams | None = None,
    hint: Mapping[tuple[str, int], str] | None = None,
    lns_share: float = 0.5,
) -> CurtoisResult:
    """Solve a built benchmark model and evaluate the result independently.

    Two phases share the time limit: CP-SAT on the whole model (``max_lp`` by default: it
    finds the lower bound and a first roster; it runs at least ``1 − lns_share`` of the limit
    and on while it keeps improving, :func:`solve_until_stall`), then, unless that was
    proved optimal, a
    large-neighbourhood search of our own (:func:`improve_lns`) that frees a few employees
    (or, on long horizons, a window of days) at a time and re-optimises them exactly with
    everything else fixed. With a deterministic-time limit (tests) only the first phase runs.

    Parameters
    ----------
    built
        From :func:`build_curtois_model`.
    params
        Solver settings (default :data:`CURTOIS_PARAMS`).
    hint
        Optional starting assignment ``{(staff_id, day): shift_id}`` (solution hint).
    lns_share
        Largest share of ``params.time_limit_s`` left to the second phase (0: none).

    Returns
    -------
    CurtoisResult
        The assignment with the evaluator's objective and the solver's bound.

    Raises
    ------
    InfeasibleError
        If CP-SAT proves the hard constraints infeasible or finds the model invalid.
    """
    params = params if params is not None else CURTOIS_PARAMS
    if not 0 <= lns_share < 1:
        raise ValueError(f"Expected 0 ≤ lns_share < 1, got {lns_share}.")
    if hint is not None:
        built.model.clear_hints()
        for (e, d, s), v in built.x.items():
            built.model.add_hint(v, hint.get((e, d)) == s)
    use_lns = (lns_share > 0 and params.time_limit_s is not None
               and params.max_deterministic_time is None)
    t0 = time.perf_counter()
    deadline = t0 + (params.time_limit_s or 0.0)
    if use_lns:
        solver, status = solve_until_stall(built.model, params, 1 - lns_share,
                                           built.instance.name)
    else:
        solver = make_solver(params)
        callback = ProgressCallback(built.instance.name) if params.progress else None
        status = solver.solve(built.model, callback)
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        raise InfeasibleError(
            f"{built.instance.name}: the hard constraints cannot all hold "
            f"(CP-SAT status {solver.status_name(status)})"
        )
    if status not in SOLVED:
        return CurtoisResult(built.instance.name, solver.status_name(status), {}, None,
                             math.nan, solver.best_objective_bound, time.perf_counter() - t0)
    assignment = extract_curtois(built, solver)
    objective = solver.objective_value
    bound = solver.best_objective_bound
    status_name = solver.status_name(status)
    if use_lns and status != cp_model.OPTIMAL and objective > bound:
        objective_expr = sum(c * v for c, v in zip(built.penalty_coeffs, built.penalty_vars,
                                                     strict=True)) + built.objective_offset
        values = {key: assignment.get((key[0], key[1])) == key[2] for key in built.x}
        values, objective = improve_lns(built.model, built.x, values, objective_expr, objective,
                                        bound, deadline, params, built.instance.name,
                                        hot_days=_missed_cover_days(built.instance))
        assignment = {(e, d): s for (e, d, s), on in values.items() if on}
        status_name = "OPTIMAL" if objective <= bound else "FEASIBLE"
    wall = time.perf_counter() - t0
    ev = evaluate_curtois(built.instance, assignment)
    return CurtoisResult(
        built.instance.name,
        status_name,
        assignment,
        ev.objective,
        objective,
        bound,
        wall,
        ev.violations,
        {
            "on_requests": ev.on_request_penalty,
            "off_requests": ev.off_request_penalty,
            "under_cover": ev.under_cover_penalty,
            "over_cover": ev.over_cover_penalty,
        },
    )


def _missed_cover_days(
    instance: CurtoisInstance,
) -> Callable[[Mapping[tuple[str, int, str], bool]], list[int]]:
    """A function giving the days whose cover is under or over the requirement."""

    def days(values: Mapping[tuple[str, int, str], bool]) -> list[int]:
        counts: dict[tuple[int, str], int] = {}
        for (_, d, s), on in values.items():
            if on:
                counts[d, s] = counts.get((d, s), 0) + 1
        return sorted({c.day for c in instance.cover
                       if counts.get((c.day, c.shift), 0) != c.requirement})

    return days


def extract_curtois(built: CurtoisModel, solver: cp_model.CpSolver) -> dict[tuple[str, int], str]:
    """Read the assignment ``{(staff_id, day): shift_id}`` from a solved model."""
    return {(e, d): s for (e, d, s), v in built.x.items() if solver.boolean_value(v)}
