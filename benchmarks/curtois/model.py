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
* Rotation: ``x[e, d, s] + Σ_{t ∈ CannotFollow(s)} x[e, d+1, t] ≤ 1`` (one row per shift
  and day: a clique, tighter than one clause per forbidden pair).
* Minimum runs of work and of days off as forbidden-pattern clauses (no run-length
  variables); maximum runs as sliding windows; weekends as ``wk ≥ work`` on Saturday/Sunday.
* Cover is soft: ``n + under − over = req`` (tight; :func:`add_soft_cover`).
* Requests are linear in ``x``; on-requests contribute ``w − w·x``.
* Redundant bounds on the number of shifts per employee (from the minute limits) help the
  LP relaxation.

Restricted models
-----------------
``build_curtois_model(instance, fixed=roster, free={staff: days})`` builds the same model
over the free cells only: every other cell is a constant from ``roster``, rules lying
entirely in the fixed part are left out and fixed employees only add to the cover counts.
The construction and the neighbourhood search of :mod:`benchmarks.curtois.lns`
solve such models, which on the large instances are a hundred times smaller than the whole.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from benchmarks.curtois.stall import quiet, solve_until_stall
from patrolsim.errors import InfeasibleError
from patrolsim.formats.curtois import Assignment, CurtoisInstance, CurtoisStaff, evaluate_curtois
from patrolsim.roster.cpsat import (
    SOLVED,
    ProgressCallback,
    RosterParams,
    add_soft_cover,
    make_solver,
    relative_gap,
)

#: Default solver settings for the benchmark: the ``max_lp`` subsolver (full linear
#: relaxation) proves Instances 1–4 optimal in seconds where the default portfolio on two
#: workers stalls at a weak bound.
CURTOIS_PARAMS = RosterParams.wall_clock(120.0)

#: Models with at most this many assignment variables get at least half the limit for the
#: whole-model solve, and more while it improves; it starts without a hint (on Instance8 a
#: constructed hint leads ``max_lp`` astray). Larger ones get none (see
#: :func:`default_lns_share`).
SMALL_MODEL = 2000
SMALL_LNS_SHARE = 0.5

#: Largest share of the limit for the whole-model solve of a small model (it goes on past
#: ``1 − lns_share`` only while it improves), so that column generation and the support
#: search have time after it: on Instance7 (seed 1) it went on improving slowly for all
#: 120 s (1060) where, stopped at 66 s, the support search found 1056. Instances 1–6 are
#: proved optimal within 49 s (two runs).
SMALL_SOLVE_SHARE = 0.6

#: Up to this horizon (days) the neighbourhood search starts from the column-generation
#: relaxation (:mod:`benchmarks.curtois.columns`) and its rounding: on models above
#: :data:`SMALL_MODEL` instead of a whole-model solve, below it after one that proved
#: nothing (Instance7: bound 1055 against 1050). Pricing one employee over 84 days takes
#: about 0.1 s (Instance19), over 182 days about 1 s exactly (Instance20): there, after 90
#: s and 22 rounds, the relaxation stood at 7978 (best known 4769), far from converged.
#: Seed 0, one run each, at 300 s, against the compact relaxation (the limit was 8000
#: variables before): Instance12 proved optimal in 38 s (was +0.45 %), Instance13 +7.8 %
#: and +1.6 % in another run (was +13.9 %), Instance19 +0.4 % (was +9.5 %).
COLUMN_HORIZON = 84

#: Largest shares of the time limit for column generation and for the rounding search.
#: Column generation stops earlier once its bound meets its value: within 25 s on
#: Instances 7, 8, 10–12, 14, 16 and 17, in 52–60 s on 15 and 18, 100–108 s on 13 and
#: 125 s on 19. The rounding search with 0.05 instead of 0.25 (one run each): Instance13 1474
#: against 1453, Instance18 4465 against 4554, within the runs' noise.
COLUMN_SHARE = 0.5
ROUNDING_SHARE = 0.25

#: The support search (:func:`~benchmarks.curtois.columns.solve_support`) runs after
#: column generation where the cells of the relaxation's support (and of the roster) number
#: at most :data:`SUPPORT_MODEL`, for at most :data:`SUPPORT_SHARE` of the limit, each of its
#: steps for at most :data:`SUPPORT_STEP_SHARE`; its rounding search is then left out if a
#: step was proved optimal. Measured: Instance7's support (510–565 cells) gives the best
#: known 1056 in 4–8 s, where nothing else reached it in 120 s; Instance14's (1519) proves
#: the optimum at 28.9 s, Instance16's (1195) gives the best known 3225 at 98 s (300-s
#: runs); Instance8's (756–928) is not proved in 20–25 s a step (1303–1400). Instance15's
#: (1679–1701) was not proved in its 60-s step, which the search then lacked (3943 at 300 s
#: against 3837–3855 without), and Instance13's (12,254) gained nothing in 60 s. The other
#: column-path instances have larger supports (11, 17, 18 above 2000; 19 3442, 12 4284)
#: and keep the rounding search.
SUPPORT_MODEL = 1600
SUPPORT_SHARE = 0.3
SUPPORT_STEP_SHARE = 0.2

#: The relaxation is rounded, and guides the search, when it is solved (its bound within 1
#: of its value) or else at least this share of the cells came out integral (else the
#: compact relaxation guides it). Instances 8–11 and 14–18 give 49–69 %, and the rounding
#: reached or came near the best known; with a relaxation far from converged (Instance15
#: with slower pricing: 25 %; Instance19 33 %, Instance13 19 %) the rounding search is
#: hopeless (Instance15: 6201, where the neighbourhood search reaches about 4100). Solved,
#: Instance13's relaxation has 40 % integral cells and guides the search to +1.6 %.
MIN_INTEGRAL_SHARE = 0.4

#: Where some shift type is scarce (:func:`~benchmarks.curtois.branch.
#: scarce_shift`) and the model has at most this many assignment variables, the column
#: relaxation's columns start a branch-and-price over the weekends and that shift's plan for
#: the rest of the limit, in place of the support, rounding and neighbourhood searches
#: (:mod:`~benchmarks.curtois.branch`). Measured on Instance8 (2158 variables)
#: only; Instances 14 and 15, whose nights are scarce too, are larger and keep their path.
BRANCH_MODEL = 3000

#: Up to this many assignment variables the search also uses the linear relaxation (GLOP
#: takes about 10 s on Instance12's 11 256; two minutes on Instance13's 43 008).
LP_MODEL = 15000


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


def build_curtois_model(
    instance: CurtoisInstance,
    fixed: Assignment | None = None,
    free: Mapping[str, AbstractSet[int]] | None = None,
) -> CurtoisModel:
    """Build the CP-SAT model of ``instance``, whole or restricted to some free cells.

    Parameters
    ----------
    instance
        The benchmark instance.
    fixed
        Roster ``{(staff_id, day): shift_id}`` giving the value of every cell that is not
        free; employees without entries are off on those days. Ignored when ``free`` is
        ``None``.
    free
        ``{staff_id: days}`` to optimise; employees not listed are fixed to ``fixed`` and
        only count towards cover. ``None``: every cell is free (the whole problem). The
        fixed part must meet the hard rules; constraints lying entirely in it are left out.

    Returns
    -------
    CurtoisModel
        The model; its objective equals the benchmark objective when ``free`` is ``None``
        and otherwise differs from it by a constant.
    """
    m = cp_model.CpModel()
    H = instance.horizon
    roster: Assignment = fixed if fixed is not None and free is not None else {}
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    work: dict[tuple[str, int], cp_model.IntVar] = {}
    constant_count: dict[tuple[int, str], int] = {}
    every_day = frozenset(range(H))
    free_days_of: dict[str, AbstractSet[int]] = {}
    for e in instance.staff:
        free_days = every_day if free is None else free.get(e.id, frozenset())
        free_days_of[e.id] = free_days
        if not free_days:
            for d in range(H):
                s = roster.get((e.id, d))
                if s is not None:
                    constant_count[d, s] = constant_count.get((d, s), 0) + 1
            continue
        _add_employee(m, instance, e, free_days, roster, x, work, constant_count)

    pen_vars: list[cp_model.IntVar] = []
    coeffs: list[int] = []
    offset = 0
    for r in instance.on_requests:
        if r.day not in free_days_of.get(r.staff, ()):
            continue
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
    people_on: dict[tuple[int, str], list[cp_model.IntVar]] = {}
    for (_, d, s), v in x.items():
        people_on.setdefault((d, s), []).append(v)
    for c in instance.cover:
        people = people_on.get((c.day, c.shift), [])
        if not people and free is not None:
            continue
        base = constant_count.get((c.day, c.shift), 0)
        vs, cs = add_soft_cover(
            m,
            base + sum(people),
            c.requirement,
            base + len(people),
            c.weight_under,
            c.weight_over,
            f"cover(day={c.day}, shift={c.shift})",
        )
        pen_vars.extend(vs)
        coeffs.extend(cs)
    m.minimize(sum(c * v for c, v in zip(coeffs, pen_vars, strict=True)) + offset)
    return CurtoisModel(instance, m, x, work, tuple(pen_vars), tuple(coeffs), offset)


def employee_model(
    instance: CurtoisInstance, e: CurtoisStaff
) -> tuple[cp_model.CpModel, dict[tuple[str, int, str], cp_model.IntVar]]:
    """One employee's hard rules over the whole horizon, with no objective, and their
    assignment variables ``x[staff_id, day, shift_id]`` (the pricing problem of column
    generation, :mod:`benchmarks.curtois.columns`)."""
    m = cp_model.CpModel()
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    _add_employee(m, instance, e, frozenset(range(instance.horizon)), {}, x, {}, {})
    return m, x


#: A literal of the restricted model: a Boolean variable, its negation or a constant 0 / 1
#: (``Any``: OR-Tools types negations loosely).
_Lit = Any


def _add_employee(
    m: cp_model.CpModel,
    instance: CurtoisInstance,
    e: CurtoisStaff,
    free_days: AbstractSet[int],
    roster: Assignment,
    x: dict[tuple[str, int, str], cp_model.IntVar],
    work: dict[tuple[str, int], cp_model.IntVar],
    constant_count: dict[tuple[int, str], int],
) -> None:
    """Add one employee's variables and hard rules; fixed days enter as constants."""
    H = instance.horizon
    lengths = {s.id: s.length_min for s in instance.shifts}
    off = set(e.days_off)
    allowed = [s.id for s in instance.shifts if e.max_shifts.get(s.id, 0) > 0]
    cell: dict[tuple[int, str], _Lit] = {}
    w: list[_Lit] = []
    for d in range(H):
        if d in free_days:
            wv = m.new_bool_var(f"work(staff={e.id}, day={d})")
            work[e.id, d] = wv
            day_x = []
            if d not in off:
                for s in allowed:
                    v = m.new_bool_var(f"x(staff={e.id}, day={d}, shift={s})")
                    x[e.id, d, s] = v
                    cell[d, s] = v
                    day_x.append(v)
            if day_x:
                m.add(sum(day_x) == wv)
            else:
                m.add(wv == 0)
            w.append(wv)
        else:
            given = roster.get((e.id, d))
            if given is not None:
                cell[d, given] = 1
                constant_count[d, given] = constant_count.get((d, given), 0) + 1
            w.append(int(given is not None))
    # Rotation, one row per shift and day: the shift excludes every shift it cannot be
    # followed by (a clique, tighter than pairwise clauses).
    for sh in instance.shifts:
        if not sh.cannot_follow:
            continue
        for d in range(H - 1):
            if d not in free_days and d + 1 not in free_days:
                continue
            first = cell.get((d, sh.id), 0)
            if isinstance(first, int) and first == 0:
                continue
            nxt = [cell[d + 1, t] for t in sh.cannot_follow if (d + 1, t) in cell]
            if nxt:
                m.add(first + sum(nxt) <= 1)
    # Max shifts per type.
    for s in allowed:
        terms = [cell[d, s] for d in range(H) if (d, s) in cell]
        const = sum(t for t in terms if isinstance(t, int))
        vs = [t for t in terms if not isinstance(t, int)]
        if vs and const + len(vs) > e.max_shifts[s]:
            m.add(sum(vs) <= e.max_shifts[s] - const)
    # Minutes, and (redundant) the number of worked days they allow.
    minutes = sum(lengths[s] * v for (_, s), v in cell.items())
    m.add(minutes <= e.max_total_min)
    m.add(minutes >= e.min_total_min)
    if allowed:
        lo = math.ceil(e.min_total_min / max(lengths[s] for s in allowed))
        hi = e.max_total_min // min(lengths[s] for s in allowed)
        m.add(sum(w) >= lo)
        m.add(sum(w) <= hi)
    # Runs of work and rest, only where a free day is involved.
    mx = e.max_consecutive
    for start in range(H - mx):
        if any(d in free_days for d in range(start, start + mx + 1)):
            m.add(sum(w[start : start + mx + 1]) <= mx)
    rest: list[_Lit] = [1 - v if isinstance(v, int) else v.Not() for v in w]
    _min_run_clauses(m, w, e.min_consecutive, free_days)
    _min_run_clauses(m, rest, e.min_consecutive_off, free_days)
    # Weekends.
    worked_weekends = 0
    weekend_vars = []
    for wk in range(instance.weeks):
        days = [w[7 * wk + 5], w[7 * wk + 6]]
        if any(isinstance(v, int) and v == 1 for v in days):
            worked_weekends += 1
            continue
        vs = [v for v in days if not isinstance(v, int)]
        if not vs:
            continue
        wv = m.new_bool_var(f"weekend(staff={e.id}, week={wk})")
        for v in vs:
            m.add_implication(v, wv)
        weekend_vars.append(wv)
    if weekend_vars and worked_weekends + len(weekend_vars) > e.max_weekends:
        m.add(sum(weekend_vars) <= e.max_weekends - worked_weekends)


def _min_run_clauses(
    m: cp_model.CpModel, lits: list[_Lit], min_run: int, free_days: AbstractSet[int]
) -> None:
    """Forbid *false, L × true, false* for L < ``min_run`` inside the horizon (runs touching
    its ends are exempt), skipping patterns already ruled out by constants."""
    n = len(lits)
    for length in range(1, min_run):
        for start in range(1, n - length):
            span = range(start - 1, start + length + 1)
            if not any(d in free_days for d in span):
                continue
            clause: list[cp_model.LiteralT] = []
            satisfied = False
            for d in span:
                inner = start <= d < start + length
                lit = lits[d]
                if isinstance(lit, int):
                    if lit == (0 if inner else 1):
                        satisfied = True
                        break
                    continue
                clause.append(lit.Not() if inner else lit)
            if not satisfied:
                m.add_bool_or(clause)


def solve_curtois(
    built: CurtoisModel,
    params: RosterParams | None = None,
    hint: Mapping[tuple[str, int], str] | None = None,
    lns_share: float | None = None,
) -> CurtoisResult:
    """Solve a built benchmark model and evaluate the result independently.

    With a wall-clock limit (and no deterministic one) these steps share it. Unless
    ``hint`` is given or the model is small (:data:`SMALL_MODEL`), a feasible roster is
    constructed employee by employee (:func:`~benchmarks.curtois.lns.
    construct_curtois`). CP-SAT solves the whole model from that hint (``max_lp`` by
    default: it gives the lower bound, and on the small instances the proof) for at least
    ``1 − lns_share`` of the limit and on while it keeps improving, up to
    :data:`SMALL_SOLVE_SHARE` (:func:`solve_until_stall`); by default only small models
    get this step. Then, unless that was proved optimal, a large-neighbourhood search
    re-optimises a few employees or a window of days at a time with everything else fixed
    (:func:`~benchmarks.curtois.lns.improve_curtois`). A relaxation, solved before
    the search, guides it and gives a lower bound (the best of those found is reported):
    on horizons of up to :data:`COLUMN_HORIZON` days the column formulation's, by column
    generation, followed by a CP-SAT search with the cells it leaves integral fixed
    (:mod:`~benchmarks.curtois.columns`), or where the relaxation's support is
    small, by a CP-SAT search restricted to the cells of columns of small reduced cost; on
    others of up to :data:`LP_MODEL` variables, or where too few cells came out integral,
    the compact model's (its bound on Instance19 is 2691, the column bound 3148; best
    known 3149). Where the staff may not work as many shifts of some type as its cover
    asks (Instance8's nights), branch-and-price over the weekends and that shift's plan
    follows the column relaxation instead (:mod:`~benchmarks.curtois.branch`).
    Where weekend cover is the scarce part of a large instance, the weekends are solved
    first and the weekdays filled around them (:mod:`~benchmarks.curtois.weekends`)
    before the search. With a deterministic-time limit (tests) only the whole-model solve
    runs.

    Parameters
    ----------
    built
        From :func:`build_curtois_model` (the whole model, ``free=None``).
    params
        Solver settings (default :data:`CURTOIS_PARAMS`).
    hint
        Optional starting roster ``{(staff_id, day): shift_id}`` (solution hint).
    lns_share
        Largest share of ``params.time_limit_s`` left to the neighbourhood search, in
        [0, 1]; 1 skips the whole-model solve. ``None``: chosen from the model's size
        (:func:`default_lns_share`).

    Returns
    -------
    CurtoisResult
        The roster with the evaluator's objective and the solver's bound.

    Raises
    ------
    InfeasibleError
        If CP-SAT proves the hard constraints infeasible or finds the model invalid.
    """
    from benchmarks.curtois.lns import construct_curtois, improve_curtois, lp_relaxation
    from benchmarks.curtois.weekends import solve_weekends_first, weekends_first

    params = params if params is not None else CURTOIS_PARAMS
    if lns_share is None:
        lns_share = default_lns_share(built)
    if not 0 <= lns_share <= 1:
        raise ValueError(f"Expected 0 ≤ lns_share ≤ 1, got {lns_share}.")
    instance = built.instance
    use_lns = (
        lns_share > 0 and params.time_limit_s is not None and params.max_deterministic_time is None
    )
    t0 = time.perf_counter()
    deadline = t0 + (params.time_limit_s or 0.0)
    label = instance.name if params.progress else None
    if use_lns and hint is None and lns_share > SMALL_LNS_SHARE:
        hint = construct_curtois(instance, params)
        if label is not None:
            print(
                f"{label}: {time.perf_counter() - t0:7.1f} s  constructed, objective "
                f"{evaluate_curtois(instance, hint).objective}",
                file=sys.stderr,
                flush=True,
            )
    built.model.clear_hints()
    if hint is not None:
        add_complete_hint(built, hint, params)
    assignment: dict[tuple[str, int], str] | None = None
    bound = 0.0
    status_name = "UNKNOWN"
    if not use_lns or lns_share < 1:
        if use_lns and lns_share <= SMALL_LNS_SHARE:
            # Small models: on while it improves (it may prove optimality).
            left = SMALL_SOLVE_SHARE * (deadline - time.perf_counter())
            phase = dataclasses.replace(params, time_limit_s=max(left, 0.1))
            solver, status = solve_until_stall(
                built.model, phase, min(1.0, (1 - lns_share) / SMALL_SOLVE_SHARE), instance.name
            )
        elif use_lns:
            left = (1 - lns_share) * (deadline - time.perf_counter())
            solver = make_solver(dataclasses.replace(params, time_limit_s=max(left, 0.1)))
            callback = ProgressCallback(instance.name) if params.progress else None
            status = solver.solve(built.model, callback)
        else:
            solver = make_solver(params)
            callback = ProgressCallback(instance.name) if params.progress else None
            status = solver.solve(built.model, callback)
        if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            raise InfeasibleError(
                f"{instance.name}: the hard constraints cannot all hold "
                f"(CP-SAT status {solver.status_name(status)})"
            )
        status_name = solver.status_name(status)
        bound = solver.best_objective_bound
        if status in SOLVED:
            assignment = extract_curtois(built, solver)
    if (
        use_lns
        and hint is not None
        and (
            assignment is None
            or evaluate_curtois(instance, hint).objective
            < evaluate_curtois(instance, assignment).objective
        )
    ):
        assignment = dict(hint)
    if assignment is None:
        return CurtoisResult(
            instance.name, status_name, {}, None, math.nan, bound, time.perf_counter() - t0
        )
    objective = float(evaluate_curtois(instance, assignment).objective)
    if use_lns and status_name != "OPTIMAL" and objective > bound:
        lp = None
        if weekends_first(instance):
            assignment, objective, stage_bound, lp = solve_weekends_first(
                built, assignment, params, t0, deadline, label
            )
            bound = max(bound, stage_bound)
        elif instance.horizon <= COLUMN_HORIZON:
            assignment, objective, bound, lp = _columns_phase(
                built, assignment, objective, bound, params, t0, deadline, label
            )
        if lp is None and objective > bound and len(built.x) <= LP_MODEL:
            left = deadline - time.perf_counter()
            relaxation = lp_relaxation(built, time_limit_s=min(30.0, 0.2 * left))
            if relaxation is not None:
                bound = max(bound, relaxation.bound)
                lp = relaxation.x
            if label is not None:
                print(
                    f"{label}: {time.perf_counter() - t0:7.1f} s  linear relaxation "
                    + (f"bound {relaxation.bound}" if relaxation is not None else "not solved"),
                    file=sys.stderr,
                    flush=True,
                )
        if objective > bound and deadline - time.perf_counter() >= 0.1:
            assignment, best = improve_curtois(
                instance, assignment, deadline, params, bound=bound, label=label, lp=lp
            )
            objective = float(best)
        status_name = "OPTIMAL" if objective <= bound else "FEASIBLE"
    elif not use_lns:
        objective = solver.objective_value
    wall = time.perf_counter() - t0
    ev = evaluate_curtois(instance, assignment)
    return CurtoisResult(
        instance.name,
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


def _columns_phase(
    built: CurtoisModel,
    assignment: dict[tuple[str, int], str],
    objective: float,
    bound: float,
    params: RosterParams,
    t0: float,
    deadline: float,
    label: str | None,
) -> tuple[dict[tuple[str, int], str], float, float, Mapping[tuple[str, int, str], float] | None]:
    """Column generation from ``assignment``; then, where a shift type is scarce and the
    model small (:data:`BRANCH_MODEL`), branch-and-price over the weekends and that shift's
    plan for the rest of the limit; otherwise the support search of the relaxation where
    the support is small (:data:`SUPPORT_MODEL`) and, unless that proved a step optimal,
    the rounding search.

    Returns
    -------
    tuple
        The better roster, its objective, the bound and the relaxation's values to guide
        the search (``None`` when it is neither solved nor has enough integral cells to
        round it: :data:`MIN_INTEGRAL_SHARE`).
    """
    from benchmarks.curtois.branch import branch_and_price, scarce_shift
    from benchmarks.curtois.columns import (
        column_generation,
        integral_cells,
        solve_rounding,
        solve_support,
        support_cells,
    )

    instance = built.instance
    limit = deadline - t0
    relaxation = column_generation(
        instance,
        assignment,
        min(deadline, time.perf_counter() + COLUMN_SHARE * limit),
        workers=params.num_workers,
        label=label,
    )
    bound = max(bound, relaxation.bound)
    share = len(integral_cells(instance, relaxation.x)) / (len(instance.staff) * instance.horizon)
    if label is not None:
        print(
            f"{label}: {time.perf_counter() - t0:7.1f} s  column relaxation "
            f"{relaxation.value:.1f} ({'converged' if relaxation.converged else 'stopped'}, "
            f"{relaxation.rounds} rounds, {relaxation.columns} columns), bound "
            f"{relaxation.bound}, {share:.0%} of the cells integral",
            file=sys.stderr,
            flush=True,
        )
    shift = scarce_shift(instance)
    if shift is not None and len(built.x) <= BRANCH_MODEL and objective > bound:
        assignment, found = branch_and_price(
            built, relaxation, shift, assignment, params, deadline, label
        )
        return assignment, float(found), bound, relaxation.x
    if share < MIN_INTEGRAL_SHARE and relaxation.value - relaxation.bound >= 1:
        return assignment, objective, bound, None
    delta = None
    if objective > bound:
        # The support search starts from the better of the roster and the relaxation's
        # roster of heaviest columns (which lies in the support).
        start = (
            relaxation.roster
            if evaluate_curtois(instance, relaxation.roster).objective < objective
            else assignment
        )
        free = len(support_cells(relaxation, 0.0) | {(e, d, s) for (e, d), s in start.items()})
        if free <= SUPPORT_MODEL:
            supported, delta = solve_support(
                built,
                relaxation,
                start,
                params,
                min(deadline, time.perf_counter() + SUPPORT_SHARE * limit),
                SUPPORT_STEP_SHARE * limit,
                bound,
            )
            found = evaluate_curtois(instance, supported).objective
            if label is not None:
                print(
                    f"{label}: {time.perf_counter() - t0:7.1f} s  support search ({free} "
                    f"cells at first): objective {found}, proved optimal up to reduced cost "
                    f"{delta}",
                    file=sys.stderr,
                    flush=True,
                )
            if found < objective:
                assignment, objective = supported, float(found)
    if objective > bound and delta is None:
        left = deadline - time.perf_counter()
        rounded = solve_rounding(built, relaxation, params, min(left, ROUNDING_SHARE * limit))
        found = evaluate_curtois(instance, rounded).objective
        if label is not None:
            print(
                f"{label}: {time.perf_counter() - t0:7.1f} s  rounding: objective {found}",
                file=sys.stderr,
                flush=True,
            )
        if found < objective:
            assignment, objective = rounded, float(found)
    return assignment, objective, bound, relaxation.x


def fix_variables(model: cp_model.CpModel, values: Iterable[tuple[cp_model.IntVar, int]]) -> None:
    """Fix each variable (of ``model`` or of the model it was cloned from: the same index)
    to its value, by narrowing its domain."""
    proto = model.proto
    for var, value in values:
        domain = proto.variables[var.index].domain
        domain.clear()
        domain.extend([value, value])


def add_complete_hint(
    built: CurtoisModel, roster: Mapping[tuple[str, int], str], params: RosterParams
) -> bool:
    """Hint ``roster`` to the model, with the values it implies for every other variable.

    CP-SAT uses a complete, feasible hint as its first solution; a hint of the assignment
    variables alone is often lost. The other values come from a solve of the model with the
    assignment fixed (propagation only). If that fails (``roster`` breaks a hard rule, or
    the solve times out), only the assignment variables are hinted.

    Returns
    -------
    bool
        Whether the hint is complete.
    """
    fixed = built.model.clone()
    fix_variables(fixed, ((v, int(roster.get((e, d)) == s)) for (e, d, s), v in built.x.items()))
    solver = make_solver(quiet(params, 30.0, num_workers=1))
    status = solver.solve(fixed)
    if status not in SOLVED:
        for (e, d, s), v in built.x.items():
            built.model.add_hint(v, roster.get((e, d)) == s)
        return False
    solution = solver.response_proto.solution
    for i, value in enumerate(solution):
        built.model.add_hint(built.model.get_int_var_from_proto_index(i), value)
    return True


def default_lns_share(built: CurtoisModel) -> float:
    """Share of the time limit for the neighbourhood search: the whole-model solve pays off
    on small models (it proves Instances 1–4 and 6 optimal); on larger ones column
    generation does better up to :data:`COLUMN_HORIZON` days, and beyond it the
    compact linear relaxation alone takes minutes."""
    n = len(built.x)
    return SMALL_LNS_SHARE if n <= SMALL_MODEL else 1.0


def extract_curtois(built: CurtoisModel, solver: cp_model.CpSolver) -> dict[tuple[str, int], str]:
    """Read the assignment ``{(staff_id, day): shift_id}`` from a solved model."""
    return {(e, d): s for (e, d, s), v in built.x.items() if solver.boolean_value(v)}
