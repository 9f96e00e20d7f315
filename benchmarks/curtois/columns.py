"""Column generation for the Curtois & Qu benchmark: a strong relaxation and its rounding.

The benchmark's rules couple no two employees, so a roster is one *column* (a whole-horizon
schedule meeting all of that employee's hard rules) per employee, and the problem is a set
partitioning over columns with soft cover rows. The linear relaxation of that formulation
is much tighter than the compact one: on Instance8 it gives 1296.6 against the compact
relaxation's 1267 (best known 1300), on Instance10 4631.0 (best known 4631).

* :func:`column_generation` solves the master LP with GLOP and prices new columns per
  employee with CP-SAT (one small model per employee, built once; only its objective, the
  cover duals, changes). Every schedule a pricing finds with negative reduced cost becomes
  a column, and pricings stop within a gap that shrinks with the master's distance to its
  bound. Duals are smoothed (Wentges) against the best Lagrangian bound, which every round
  gives from the pricings' own bounds.
* :func:`solve_rounding` fixes, in the whole model, every cell on which the relaxation is
  integral (:func:`integral_cells`) and lets CP-SAT search the rest from the roster of
  each employee's heaviest column (relaxation-enforced neighbourhood search). From the
  relaxation of Instance10 that search finds a roster at the best known value within a
  second; on Instance17 it finds the optimum, which the bound proves.
* :func:`solve_support` searches the whole model with every employee restricted to the
  cells of their columns of small reduced cost (and of the roster it starts from), the
  threshold growing step by step while CP-SAT proves each restricted model optimal. On
  Instance7, where the whole model is out of CP-SAT's reach (1057–1066 in 120 s), it finds
  the best known 1056 within seconds of the relaxation.
"""

from __future__ import annotations

import dataclasses
import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from benchmarks.curtois.model import (
    CurtoisModel,
    add_complete_hint,
    employee_model,
    extract_curtois,
    fix_variables,
)
from benchmarks.curtois.stall import quiet
from patrolsim.formats.curtois import Assignment, CurtoisInstance, CurtoisStaff, evaluate_curtois
from patrolsim.roster.cpsat import SOLVED, RosterParams, make_solver

#: Scale of the pricing objectives (CP-SAT needs integer coefficients). The rounding moves
#: a column's reduced cost by at most ``horizon / PRICE_SCALE``; the bound allows for it.
PRICE_SCALE = 100_000

#: Weight of the best duals so far in the smoothed duals used for pricing (Wentges
#: smoothing). On Instance8 (a prototype pricing one employee at a time) 0.5 gave the
#: relaxation in 36 rounds, the Lagrangian bound within 0.4 of it; without smoothing it
#: took 50 rounds.
SMOOTHING = 0.5

#: Time limit of one pricing solve (seconds); one stopped by it still gives its bound.
PRICE_LIMIT_S = 2.0

#: Most schedules a pricing adds as columns: the last ones CP-SAT found on its way to the
#: cheapest (those of negative reduced cost). From a constructed roster, with exact
#: pricing, the relaxation of Instance19 took 57 rounds and 160 s with these against 87
#: rounds and 221 s with the cheapest alone; Instance13's took 133 s, where with the
#: cheapest alone it was far from converged after 90 s.
MAX_COLUMNS = 5

#: Pricing stops at a schedule proved within a gap of the cheapest (CP-SAT's absolute gap
#: limit): :data:`FIRST_GAP` in the first round, then :data:`GAP_SHARE` of the master's
#: distance to the best bound, shared among the employees, and none once a round finds no
#: column. The round's bound is the sum of the pricings' bounds, so it loses at most that
#: share of the distance; a pricing takes half the time or less (Instance19: 0.07 s
#: against 0.14 s; Instance13: 0.03 s against 0.06 s). Instance19's relaxation
#: came in 128 s against 160 s with exact pricing, Instance13's in 92 s against 133 s.
FIRST_GAP = 100.0
GAP_SHARE = 0.25

#: A cell counts as integral in the relaxation when every shift's value is within this of
#: 0 or 1.
INTEGRAL_TOL = 0.01

Schedule = tuple[tuple[int, str], ...]
"""One employee's worked ``(day, shift_id)`` pairs, sorted by day."""


def roster_schedules(roster: Assignment, staff: Iterable[str]) -> dict[str, Schedule]:
    """Each of ``staff``'s schedule in ``roster`` (empty for anyone it does not list)."""
    own: dict[str, list[tuple[int, str]]] = {e: [] for e in staff}
    for (e, d), s in roster.items():
        own[e].append((d, s))
    return {e: tuple(sorted(cells)) for e, cells in own.items()}


@dataclass(frozen=True, slots=True)
class ColumnRelaxation:
    """The (possibly unconverged) linear relaxation of the column formulation."""

    x: Mapping[tuple[str, int, str], float]
    """Value of ``x[staff_id, day, shift_id]`` implied by the master LP's columns."""
    roster: Mapping[tuple[str, int], str]
    """Every employee on their column of largest weight: a feasible roster that agrees with
    the relaxation wherever it is integral."""
    value: float
    """The master LP's objective (over the columns generated so far)."""
    bound: int
    """A lower bound on the benchmark objective (0 when no round gave a valid one)."""
    converged: bool
    """Whether no column with negative reduced cost is left (``value`` is the optimum)."""
    rounds: int
    columns: int
    reduced: tuple[tuple[float, str, Schedule], ...] = ()
    """Every column generated, as ``(reduced cost, staff_id, schedule)`` at the master LP's
    last duals, cheapest first (the columns of positive weight cost about 0)."""


class _Pricer:
    """One employee's pricing problem: the cheapest schedule against the cover duals, with
    the shift (``None``: day off) of each day in ``pins`` imposed."""

    def __init__(
        self,
        instance: CurtoisInstance,
        e: CurtoisStaff,
        pins: Mapping[int, str | None] | None = None,
    ) -> None:
        self.model, self.x = employee_model(instance, e)
        if pins:
            for (_, d, s), v in self.x.items():
                if d in pins:
                    self.model.add(v == int(pins[d] == s))
        self.request_cost: dict[tuple[int, str], int] = {}
        """Request penalty of working shift ``s`` on day ``d``: an on-request's weight is
        counted in :attr:`on_weight` and taken back here when the shift is worked."""
        self.on_weight = 0
        for sign, requests in ((-1, instance.on_requests), (1, instance.off_requests)):
            for r in requests:
                if r.staff == e.id:
                    self.on_weight += r.weight if sign < 0 else 0
                    cell = (r.day, r.shift)
                    self.request_cost[cell] = self.request_cost.get(cell, 0) + sign * r.weight
        self.solver = cp_model.CpSolver()
        self.solver.parameters.num_workers = 1
        # The full linear relaxation: eight pricings of Instance18 (84 days) take 0.4 s
        # with it, 13 s without (and five not solved to optimality).
        self.solver.parameters.linearization_level = 2
        self.weeks = instance.weeks
        self._weekend_literals: list[cp_model.IntVar] = []

    def restrict(
        self,
        shift_id: str,
        days: AbstractSet[int] | None,
        weekends: AbstractSet[int] | None = None,
    ) -> None:
        """Make the schedules priced from now on work ``shift_id`` on exactly ``days`` and
        work on exactly the weekends ``weekends`` (weekend ``w`` is days ``7w + 5`` and
        ``7w + 6``); ``None`` lifts either restriction. Set as assumptions, so the model is
        kept."""
        self.model.clear_assumptions()
        literals = []
        if days is not None:
            literals += [
                v if d in days else v.Not() for (_, d, s), v in self.x.items() if s == shift_id
            ]
        if weekends is not None:
            literals += [
                lit if w in weekends else lit.Not() for w, lit in enumerate(self.weekend_literals())
            ]
        if literals:
            self.model.add_assumptions(literals)

    def weekend_literals(self) -> list[cp_model.IntVar]:
        """Per weekend, a literal true exactly when the schedule works on it (added to the
        model on first use)."""
        if not self._weekend_literals:
            for w in range(self.weeks):
                worked = [v for (_, d, _), v in self.x.items() if d in (7 * w + 5, 7 * w + 6)]
                lit = self.model.new_bool_var(f"works_weekend_{w}")
                self.model.add_bool_or(worked).only_enforce_if(lit)
                for v in worked:
                    self.model.add_implication(v, lit)
                self._weekend_literals.append(lit)
        return self._weekend_literals

    def cost(self, schedule: Schedule) -> int:
        """The request penalties of ``schedule``."""
        return self.on_weight + sum(self.request_cost.get(c, 0) for c in schedule)

    def price(
        self, duals: Mapping[tuple[int, str], float], deadline: float, gap: float
    ) -> tuple[list[Schedule], float | None, bool]:
        """Search for the schedule of least ``cost − Σ duals`` until ``deadline`` (a
        ``time.perf_counter()`` value) or until one within ``gap`` of the least is proved.

        Returns
        -------
        tuple
            The schedules CP-SAT found on its way, the best last; a lower bound on the
            least ``cost − Σ duals`` (``None`` if no schedule was found); and whether the
            best is proved least.
        """
        terms = []
        for (_, d, s), v in self.x.items():
            c = round((self.request_cost.get((d, s), 0) - duals.get((d, s), 0.0)) * PRICE_SCALE)
            if c:
                terms.append(c * v)
        self.model.minimize(sum(terms))
        left = deadline - time.perf_counter()
        self.solver.parameters.max_time_in_seconds = max(0.05, min(PRICE_LIMIT_S, left))
        self.solver.parameters.absolute_gap_limit = gap * PRICE_SCALE
        found = _Schedules(self.x)
        status = self.solver.solve(self.model, found)
        if status not in SOLVED:
            return [], None, False
        lower = self.on_weight + self.solver.best_objective_bound / PRICE_SCALE
        return found.schedules, lower, status == cp_model.OPTIMAL and not gap


class _Schedules(cp_model.CpSolverSolutionCallback):
    """Records every solution of a pricing model as a schedule."""

    def __init__(self, x: Mapping[tuple[str, int, str], cp_model.IntVar]) -> None:
        super().__init__()
        self.x = x
        self.schedules: list[Schedule] = []

    def on_solution_callback(self) -> None:
        self.schedules.append(
            tuple(sorted((d, s) for (_, d, s), v in self.x.items() if self.boolean_value(v)))
        )


class _Master:
    """The restricted master LP: one column per employee, soft cover rows."""

    def __init__(self, instance: CurtoisInstance) -> None:
        self.instance = instance
        self.columns: dict[str, dict[Schedule, pywraplp.Variable]] = {
            e.id: {} for e in instance.staff
        }
        self.cost: dict[tuple[str, Schedule], int] = {}
        self.allowed: dict[str, Callable[[Schedule], bool]] = {}
        """Per employee, which of their columns the LP may use (all where absent)."""
        self._build("GLOP")

    def _build(self, backend: str) -> None:
        """(Re)build the LP with ``backend``, holding every column added so far."""
        self.lp = pywraplp.Solver.CreateSolver(backend)
        self.objective = self.lp.Objective()
        self.one = {e.id: self.lp.Constraint(1.0, 1.0) for e in self.instance.staff}
        self.cover: dict[tuple[int, str], pywraplp.Constraint] = {}
        for c in self.instance.cover:
            row = self.lp.Constraint(float(c.requirement), float(c.requirement))
            under, over = self.lp.NumVar(0.0, math.inf, ""), self.lp.NumVar(0.0, math.inf, "")
            row.SetCoefficient(under, 1.0)
            row.SetCoefficient(over, -1.0)
            self.objective.SetCoefficient(under, float(c.weight_under))
            self.objective.SetCoefficient(over, float(c.weight_over))
            self.cover[c.day, c.shift] = row
        for e, cols in self.columns.items():
            for schedule in cols:
                self._add_var(e, schedule)  # replaces the value only: safe while iterating

    def add(self, staff_id: str, schedule: Schedule, cost: int) -> bool:
        """Add a column unless it is there already; return whether it was added."""
        if schedule in self.columns[staff_id]:
            return False
        self.cost[staff_id, schedule] = cost
        self._add_var(staff_id, schedule)
        return True

    def restrict(self, staff_id: str, allowed: Callable[[Schedule], bool] | None) -> None:
        """Let the LP use only the columns of ``staff_id`` that ``allowed`` accepts (the
        others keep their place with an upper bound of 0); ``None``: all of them."""
        if allowed is None:
            self.allowed.pop(staff_id, None)
        else:
            self.allowed[staff_id] = allowed
        for schedule, v in self.columns[staff_id].items():
            v.SetUb(float(allowed is None or allowed(schedule)))

    def perturb(self, rng: random.Random, most: float) -> float:
        """Add to each column's cost in the LP an amount drawn uniformly from ``[0, most)``
        (columns added later enter at their cost), so that a degenerate LP settles on
        another of its optimal vertices. Return how much this can raise the LP's value at
        most: ``most`` per employee, as each employee's columns sum to 1."""
        for (e, schedule), cost in self.cost.items():
            self.objective.SetCoefficient(self.columns[e][schedule], cost + rng.uniform(0.0, most))
        return most * len(self.columns)

    def _add_var(self, e: str, schedule: Schedule) -> None:
        """The LP variable of a column, in its rows and the objective."""
        allowed = self.allowed.get(e)
        v = self.lp.NumVar(0.0, float(allowed is None or allowed(schedule)), "")
        self.one[e].SetCoefficient(v, 1.0)
        for cell in schedule:
            row = self.cover.get(cell)
            if row is not None:
                row.SetCoefficient(v, 1.0)
        self.objective.SetCoefficient(v, float(self.cost[e, schedule]))
        self.columns[e][schedule] = v

    def solve(self) -> tuple[float, dict[tuple[int, str], float], dict[str, float]]:
        """Solve; return the objective, the cover duals and the one-column duals.

        GLOP failed twice, both times on Instance13 without its weekday rows (once in a
        scratch run, once at the first master solve of a 300-s benchmark run); neither
        failure came back on a rerun of the same instance and seed. A failed solve is
        retried without the warm start from the last basis, then with the LP rebuilt on
        CLP, which is kept from then on.
        """
        self.objective.SetMinimization()
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            cold = pywraplp.MPSolverParameters()
            cold.SetIntegerParam(cold.INCREMENTALITY, cold.INCREMENTALITY_OFF)
            status = self.lp.Solve(cold)
        if status != pywraplp.Solver.OPTIMAL:
            self._build("CLP")
            self.objective.SetMinimization()
            status = self.lp.Solve()
            if status != pywraplp.Solver.OPTIMAL:
                raise RuntimeError(f"The restricted master LP was not solved (status {status})")
        return (
            self.objective.Value(),
            {k: row.dual_value() for k, row in self.cover.items()},
            {e: row.dual_value() for e, row in self.one.items()},
        )

    def heaviest(self) -> dict[tuple[str, int], str]:
        """Every employee on their column of largest value in the current LP solution."""
        out: dict[tuple[str, int], str] = {}
        for e, cols in self.columns.items():
            schedule = max(cols, key=lambda c: cols[c].solution_value())
            out.update(((e, d), s) for d, s in schedule)
        return out

    def reduced_costs(
        self, pi: Mapping[tuple[int, str], float], mu: Mapping[str, float]
    ) -> tuple[tuple[float, str, Schedule], ...]:
        """Every column's reduced cost at the duals ``pi`` (cover) and ``mu`` (one column
        per employee), cheapest first."""
        out = [
            (self.cost[e, schedule] - sum(pi.get(c, 0.0) for c in schedule) - mu[e], e, schedule)
            for e, cols in self.columns.items()
            for schedule, v in cols.items()
        ]
        out.sort()
        return tuple(out)

    def x(self) -> dict[tuple[str, int, str], float]:
        """The assignment values implied by the current LP solution."""
        out: dict[tuple[str, int, str], float] = {}
        for e, cols in self.columns.items():
            for schedule, v in cols.items():
                value = v.solution_value()
                if value > 1e-9:
                    for d, s in schedule:
                        out[e, d, s] = out.get((e, d, s), 0.0) + value
        return out


def column_generation(
    instance: CurtoisInstance,
    roster: Assignment,
    deadline: float,
    workers: int = 1,
    label: str | None = None,
    pinned_days: AbstractSet[int] = frozenset(),
) -> ColumnRelaxation:
    """Solve the column formulation's linear relaxation by column generation.

    Parameters
    ----------
    instance
        The instance.
    roster
        A feasible roster; its schedules are the first columns (so the master is feasible).
    deadline
        ``time.perf_counter()`` value at which to stop, converged or not.
    workers
        Threads pricing employees side by side (one CP-SAT worker each).
    label
        Print a progress line per round to stderr under this label (``None``: quiet).
    pinned_days
        Days on which every employee keeps their shift (or day off) of ``roster``: the
        relaxation and its bound are then those of that restriction.

    Returns
    -------
    ColumnRelaxation
        The relaxation reached, with the best valid Lagrangian bound.
    """
    staff = [e.id for e in instance.staff]
    pricers = {
        e.id: _Pricer(instance, e, {d: roster.get((e.id, d)) for d in pinned_days})
        for e in instance.staff
    }
    master = _Master(instance)
    for e, start in roster_schedules(roster, staff).items():
        master.add(e, start, pricers[e].cost(start))
    requirement = {(c.day, c.shift): c.requirement for c in instance.cover}
    slack = len(staff) * instance.horizon / PRICE_SCALE  # rounding of the pricing costs
    best_bound = -math.inf
    centre: dict[tuple[int, str], float] | None = None
    rounds = 0
    converged = False
    exact_pricing = False  # set once pricing within a gap finds no column
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        while True:
            value, pi, mu = master.solve()
            if best_bound > -math.inf and math.ceil(best_bound - 1e-6) >= math.ceil(value - 1e-6):
                break  # no better integer bound to be had
            if time.perf_counter() >= deadline:
                break
            smoothed = centre is not None
            duals = (
                {k: SMOOTHING * centre[k] + (1 - SMOOTHING) * pi[k] for k in pi}
                if centre is not None
                else pi
            )
            gap = (
                0.0
                if exact_pricing
                else (
                    FIRST_GAP
                    if best_bound == -math.inf
                    else GAP_SHARE * (value - best_bound) / len(staff)
                )
            )
            lagrangian, added, exact = _price_round(
                pool, pricers, master, duals, pi, mu, deadline, gap, requirement, slack
            )
            rounds += 1
            if lagrangian > best_bound:
                best_bound, centre = lagrangian, duals
            if label is not None:
                print(
                    f"{label}: columns round {rounds}  LP {value:.1f}  bound {best_bound:.1f}  "
                    f"{added} new  {time.perf_counter() - t0:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            if not added:
                if smoothed:
                    centre = None  # mispricing: price the LP's own duals next round
                    continue
                if not exact_pricing:
                    exact_pricing = True  # none within the gap: price exactly
                    continue
                converged = exact
                if exact:  # the LP's optimum over all columns is a bound
                    best_bound = max(best_bound, value - slack)
                break
    bound = max(0, math.ceil(best_bound - 1e-6)) if best_bound > -math.inf else 0
    return ColumnRelaxation(
        master.x(),
        master.heaviest(),
        value,
        bound,
        converged,
        rounds,
        sum(len(c) for c in master.columns.values()),
        master.reduced_costs(pi, mu),
    )


def _price_round(
    pool: ThreadPoolExecutor,
    pricers: Mapping[str, _Pricer],
    master: _Master,
    duals: Mapping[tuple[int, str], float],
    pi: Mapping[tuple[int, str], float],
    mu: Mapping[str, float],
    deadline: float,
    gap: float,
    requirement: Mapping[tuple[int, str], int],
    slack: float,
) -> tuple[float, int, bool]:
    """Price every employee of ``pricers`` against ``duals``; add to ``master`` each schedule
    found whose reduced cost at the LP's duals ``pi`` and ``mu`` is negative.

    Returns
    -------
    tuple
        The Lagrangian bound at ``duals`` (``-inf`` if a pricing found no schedule), the
        number of columns added and whether every pricing was proved exact.
    """
    lagrangian = sum(duals[k] * requirement[k] for k in duals) - slack
    exact = True
    added = 0
    priced = pool.map(_Pricer.price, pricers.values(), repeat(duals), repeat(deadline), repeat(gap))
    for e, (schedules, lower, optimal) in zip(pricers, priced, strict=True):
        exact &= optimal
        if lower is None:
            lagrangian = -math.inf
            continue
        lagrangian += lower
        for schedule in schedules[-MAX_COLUMNS:]:
            cost = pricers[e].cost(schedule)
            reduced = cost - sum(pi.get(c, 0.0) for c in schedule) - mu[e]
            if reduced < -1e-6:
                added += master.add(e, schedule, cost)
    return lagrangian, added, exact


def integral_cells(
    instance: CurtoisInstance, x: Mapping[tuple[str, int, str], float]
) -> list[tuple[str, int]]:
    """The cells ``(staff_id, day)`` on which ``x`` is integral: every shift's value is
    within :data:`INTEGRAL_TOL` of 0 or 1."""
    shifts = [s.id for s in instance.shifts]
    return [
        (e.id, d)
        for e in instance.staff
        for d in range(instance.horizon)
        if all(
            v < INTEGRAL_TOL or v > 1 - INTEGRAL_TOL
            for v in (x.get((e.id, d, s), 0.0) for s in shifts)
        )
    ]


def integral_fixings(
    built: CurtoisModel, x: Mapping[tuple[str, int, str], float]
) -> list[tuple[cp_model.IntVar, int]]:
    """Every assignment variable of ``built`` in a cell where ``x`` is integral
    (:func:`integral_cells`), with its value there."""
    return [
        (built.x[e, d, s.id], int(x.get((e, d, s.id), 0.0) > 0.5))
        for e, d in integral_cells(built.instance, x)
        for s in built.instance.shifts
        if (e, d, s.id) in built.x
    ]


def solve_rounding(
    built: CurtoisModel,
    relaxation: ColumnRelaxation,
    params: RosterParams,
    limit_s: float,
    support_delta: float | None = None,
) -> dict[tuple[str, int], str]:
    """Search the whole model with every cell on which the relaxation is integral
    (:func:`integral_cells`) fixed: a relaxation-enforced neighbourhood search.

    Every column of positive weight agrees with the relaxation on those cells, so the
    sub-model holds the relaxation's roster of heaviest columns, which starts the search.
    With ``support_delta``, every other shift is also kept off unless it lies in a column
    of reduced cost at most ``support_delta`` (:func:`support_cells`) or in that roster.
    The sub-model is then much smaller: Instance13's weekend stage (its weekday rows left
    out, relaxation 1335.0 with 70 % of the cells integral) rounds to 1335 in 4 of 4 runs,
    3 of them proved optimal in 8–20 s, with ``support_delta=0``, where 21 s without it
    gave 1335, 1336, 1338 and 1535 from the same relaxation.

    Returns
    -------
    dict
        The best roster CP-SAT finds within ``limit_s`` seconds (at worst that start).
    """
    fixings = integral_fixings(built, relaxation.x)
    if support_delta is not None:
        keep = support_cells(relaxation, support_delta)
        keep.update((e, d, s) for (e, d), s in relaxation.roster.items())
        integral = {v.index for v, _ in fixings}
        fixings += [
            (v, 0) for cell, v in built.x.items() if cell not in keep and v.index not in integral
        ]
    _, found = _solve_restricted(
        built, fixings, relaxation.roster, quiet(params, max(limit_s, 0.1))
    )
    return dict(relaxation.roster) if found is None else found


def _solve_restricted(
    built: CurtoisModel,
    fixings: Iterable[tuple[cp_model.IntVar, int]],
    hint: Assignment,
    params: RosterParams,
    clauses: Iterable[list[cp_model.IntVar]] = (),
) -> tuple[Any, dict[tuple[str, int], str] | None]:
    """Solve a copy of the whole model with ``fixings`` applied and each of ``clauses``
    (at least one of its variables true) added, from the complete hint of ``hint`` (which
    must meet them); return the status and the roster found (``None`` if none was)."""
    model = built.model.clone()
    model.clear_hints()
    fix_variables(model, fixings)
    for clause in clauses:
        model.add_bool_or(model.get_bool_var_from_proto_index(v.index) for v in clause)
    add_complete_hint(dataclasses.replace(built, model=model), hint, params)
    solver = make_solver(params)
    status = solver.solve(model)
    if status not in SOLVED:
        return status, None
    return status, extract_curtois(built, solver)  # the clone keeps the variables' indices


#: Reduced-cost thresholds of the support search (:func:`solve_support`), in turn: each
#: step frees the cells of every column whose reduced cost is at most the threshold (the
#: relaxation's own columns cost 0).
#: Instance7 (from its relaxation, 1054.08): 0 frees 510 of 1248 cells, proved optimal at
#: 1058 in 4 s; 0.25 frees 561, proved optimal at 1056 (the best known) in 4 s; up to 1.5
#: (697 cells) proves 1056 again in 8–19 s a step. Instance8 (1296.57): 0 frees 756 of
#: 2158, proved optimal at 1304 in 17 s; 0.25 and more found 1303 in 20 s, proving nothing.
SUPPORT_DELTAS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


def support_cells(relaxation: ColumnRelaxation, delta: float) -> set[tuple[str, int, str]]:
    """The cells ``(staff_id, day, shift_id)`` of the columns whose reduced cost is at most
    ``delta`` (with it, every column of positive weight in the relaxation)."""
    out: set[tuple[str, int, str]] = set()
    for reduced, e, schedule in relaxation.reduced:
        if reduced > delta + 1e-9:
            break
        out.update((e, d, s) for d, s in schedule)
    return out


def solve_support(
    built: CurtoisModel,
    relaxation: ColumnRelaxation,
    roster: Assignment,
    params: RosterParams,
    deadline: float,
    step_limit_s: float,
    bound: float = 0.0,
) -> tuple[dict[tuple[str, int], str], float | None]:
    """Search the whole model with each employee's shifts restricted to the cells of their
    columns of small reduced cost and of ``roster``, growing the threshold step by step
    (:data:`SUPPORT_DELTAS`) while each step is proved optimal within ``step_limit_s``.

    The optimum of a tight relaxation is made of columns of small reduced cost, so a
    roster at or near the optimum usually lives on few cells: CP-SAT proves the restricted
    model optimal in seconds where the whole model is out of its reach. The restriction
    is a neighbourhood (``roster`` always lies in it), so every step is no worse.

    Returns
    -------
    tuple
        The best roster found (at worst ``roster``) and the largest threshold whose
        restricted model was proved optimal (``None`` if none was).
    """
    instance = built.instance
    best = dict(roster)
    objective = evaluate_curtois(instance, best).objective
    proved: float | None = None
    for delta in SUPPORT_DELTAS:
        left = deadline - time.perf_counter()
        if left < 0.5 or objective <= bound:
            break
        keep = support_cells(relaxation, delta)
        keep.update((e, d, s) for (e, d), s in best.items())
        status, found = _solve_restricted(
            built,
            ((v, 0) for cell, v in built.x.items() if cell not in keep),
            best,
            quiet(params, min(left, step_limit_s)),
        )
        if found is not None:
            value = evaluate_curtois(instance, found).objective
            if value < objective:
                best, objective = found, value
        if status != cp_model.OPTIMAL:
            break
        proved = delta
    return best, proved
