"""Prize-collecting patrol routing with time windows (OR-Tools routing library).

One general model serves both the district's patrol routes and the public TOPTW benchmark
(DESIGN.md "Routes"):

* a :class:`RoutingProblem` has *locations* (a travel-time matrix in integer time units) and
  *stops*: a visit to a location with a prize, a service (stop) duration, one or several
  windows for the start of service, and optionally ``mandatory``;
* several stops at one location that share a ``group`` are repeated visits: when two of them
  are made (by any vehicle) their starts are at least ``min_gap`` apart;
* each :class:`Vehicle` starts and ends at its own locations within its own time limits and
  may have a meal break (a fixed-length interval inside a window, taken between stops).

Skipping a stop costs its prize times a factor larger than any possible total travel, so a
prize always outweighs distance (distance only breaks ties). A mandatory stop costs far more
than all prizes together: it is dropped only when it cannot be made, and is then reported.

Building, solving and extracting are separate (STYLE.md §6): :func:`build_routing_model`,
:func:`solve_routing` and :func:`extract_routes`; :func:`solve_problem` does all three.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

__all__ = [
    "FIRST_SOLUTION_STRATEGIES",
    "Route",
    "RoutingModel",
    "RoutingParams",
    "RoutingProblem",
    "RoutingSolution",
    "Stop",
    "Vehicle",
    "Visit",
    "build_routing_model",
    "extract_routes",
    "solve_problem",
    "solve_routing",
]

FIRST_SOLUTION_STRATEGIES: tuple[str, ...] = tuple(
    name
    for name in routing_enums_pb2.FirstSolutionStrategy.Value.keys()  # noqa: SIM118
    if name not in ("UNSET",)
)
METAHEURISTICS: tuple[str, ...] = tuple(
    name
    for name in routing_enums_pb2.LocalSearchMetaheuristic.Value.keys()  # noqa: SIM118
    if name != "UNSET"
)


@dataclass(frozen=True, slots=True)
class Stop:
    """One possible visit.

    Attributes
    ----------
    location
        Row/column of the travel matrix.
    prize
        Value of making the visit (>= 0, whole units; scale risk before building).
    service
        Stop duration in time units.
    windows
        Allowed intervals ``(earliest, latest)`` for the *start* of service; empty: any time.
    mandatory
        Must be visited if at all possible; reported when it is not.
    group
        Stops of one group are repeated visits to one place; two made visits are at least
        :attr:`RoutingProblem.min_gap` apart (start to start). ``None``: no group.
    choice
        Stops of one choice are alternatives: at most one of them is made, and its prize is
        earned once (e.g. a patch's first visit of the shift, in whichever slot it falls).
        Alternatives share one prize and cannot be mandatory. ``None``: a stop of its own.
    label
        Free text carried to the output (e.g. patch id and visit number).
    """

    location: int
    prize: int
    service: int
    windows: tuple[tuple[int, int], ...] = ()
    mandatory: bool = False
    group: int | None = None
    choice: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.location < 0:
            raise ValueError(f"Expected location >= 0, got {self.location}.")
        if self.prize < 0:
            raise ValueError(f"Expected prize >= 0, got {self.prize}.")
        if self.service < 0:
            raise ValueError(f"Expected service >= 0, got {self.service}.")
        for a, b in self.windows:
            if b < a:
                raise ValueError(f"Expected window start <= end, got {(a, b)}.")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A patrol unit (or benchmark team) with its depots, shift and meal break.

    Attributes
    ----------
    start_location, end_location
        Where the route starts and ends (matrix indices).
    start_time, end_time
        The route leaves ``start_location`` at or after ``start_time`` and is back at
        ``end_location`` by ``end_time``.
    break_window
        ``(earliest, latest)`` start of the meal break, or ``None`` for no break.
    break_duration
        Length of the meal break (time units).
    name
        Label carried to the output.
    """

    start_location: int
    end_location: int
    start_time: int
    end_time: int
    break_window: tuple[int, int] | None = None
    break_duration: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if self.end_time < self.start_time:
            raise ValueError(f"Expected end_time >= start_time, got {self.end_time}.")
        if self.break_window is not None:
            a, b = self.break_window
            if b < a:
                raise ValueError(f"Expected break_window start <= end, got {self.break_window}.")
            if self.break_duration <= 0:
                raise ValueError(f"Expected break_duration > 0, got {self.break_duration}.")


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """A prize-collecting multi-vehicle routing problem with time windows.

    Attributes
    ----------
    travel
        Square integer matrix of travel times between locations (time units).
    stops
        The possible visits.
    vehicles
        The units (routes).
    min_gap
        Minimum start-to-start gap between two made visits of one stop group.
    """

    travel: npt.NDArray[np.int64]
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    min_gap: int = 0

    def __post_init__(self) -> None:
        t = np.asarray(self.travel)
        if t.ndim != 2 or t.shape[0] != t.shape[1]:
            raise ValueError(f"Expected a square travel matrix, got shape {t.shape}.")
        if (t < 0).any():
            raise ValueError("Expected travel times >= 0, got a negative one.")
        if not self.vehicles:
            raise ValueError("Expected at least one vehicle, got 0.")
        n = t.shape[0]
        for s in self.stops:
            if s.location >= n:
                raise ValueError(f"Expected stop location < {n}, got {s.location}.")
        for v in self.vehicles:
            if max(v.start_location, v.end_location) >= n:
                raise ValueError(f"Expected vehicle locations < {n}, got {v}.")
        if self.min_gap < 0:
            raise ValueError(f"Expected min_gap >= 0, got {self.min_gap}.")
        choices: dict[int, Stop] = {}
        for s in self.stops:
            if s.choice is None:
                continue
            if s.mandatory:
                raise ValueError(f"Expected no mandatory stop in a choice, got {s}.")
            first = choices.setdefault(s.choice, s)
            if first.prize != s.prize:
                raise ValueError(
                    f"Expected one prize per choice, got {first.prize} and {s.prize} "
                    f"in choice {s.choice}."
                )

    @property
    def total_prize(self) -> int:
        """Sum of the prizes that can be earned (a choice's prize once)."""
        once = {s.choice: s.prize for s in self.stops if s.choice is not None}
        return sum(s.prize for s in self.stops if s.choice is None) + sum(once.values())


@dataclass(frozen=True, slots=True)
class RoutingParams:
    """Solver settings for the routing model (STYLE.md §6).

    Attributes
    ----------
    time_limit_s
        Wall-clock budget for the whole solve, first solutions and improvement included.
    first_solution_strategies
        OR-Tools first-solution strategies, tried in order until one finds a solution
        (PATH_CHEAPEST_ARC may find none on tight windows). PARALLEL_CHEAPEST_INSERTION comes
        first: it weighs the skip penalties, PATH_CHEAPEST_ARC ignores them; on nanhu's day
        shift with two units per squad it covered 39.1 risk-hours with every fixed post
        against 26.3 and six posts missed (4 s).
    metaheuristic
        OR-Tools local-search metaheuristic (``GUIDED_LOCAL_SEARCH`` by default).
    restarts
        Number of independent OR-Tools searches (each from the next strategy that works) the
        budget is split into; the best is kept.
    improve
        Run the insertion / ruin-and-recreate post-step of
        :mod:`patrolsim.optimise.routes_improve` on the best solution with the rest of the budget
        (only for problems without breaks and stop groups).
    improve_share
        Share of the budget given to the post-step when ``improve`` is on and the problem
        suits it (measured on the TOPTW benchmark: OR-Tools' guided local search gains little
        after its first seconds, the post-step a lot).
    improve_noise
        Relative random noise on the post-step's insertion ratios after each shake (0: none).
    deterministic
        Stop by counts rather than the clock, so the same input gives the same routes:
        OR-Tools stops after ``solution_limit`` solutions and the post-step after
        ``improve_iterations`` iterations.
    solution_limit
        OR-Tools solution limit in deterministic mode.
    improve_iterations
        Post-step iterations in deterministic mode.
    branch_limit
        OR-Tools search branches in deterministic mode (a second, reproducible stop; guided
        local search may otherwise never reach the solution limit). 20 000 branches took about
        7 s for nanhu's day shift (two squads, two restarts each) on the shared test machine.
    seed
        Seed of the post-step's random generator.
    log_search
        Let OR-Tools log its search.
    """

    time_limit_s: float = 10.0
    first_solution_strategies: tuple[str, ...] = (
        "PARALLEL_CHEAPEST_INSERTION",
        "PATH_CHEAPEST_ARC",
        "LOCAL_CHEAPEST_INSERTION",
        "BEST_INSERTION",
    )
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    restarts: int = 2
    improve: bool = True
    improve_share: float = 0.8
    improve_noise: float = 0.2
    deterministic: bool = False
    solution_limit: int = 1000
    improve_iterations: int = 3000
    branch_limit: int = 20_000
    seed: int = 0
    log_search: bool = False

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"Expected time_limit_s > 0, got {self.time_limit_s}.")
        if not self.first_solution_strategies:
            raise ValueError("Expected at least one first_solution_strategies entry, got none.")
        for s in self.first_solution_strategies:
            if s not in FIRST_SOLUTION_STRATEGIES:
                raise ValueError(
                    f"Expected first_solution_strategies to be OR-Tools names, got {s!r}."
                )
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(
                f"Expected metaheuristic to be an OR-Tools name, got {self.metaheuristic!r}."
            )
        if self.restarts < 1:
            raise ValueError(f"Expected restarts >= 1, got {self.restarts}.")
        if not 0.0 <= self.improve_noise < 1.0:
            raise ValueError(f"Expected improve_noise in [0, 1), got {self.improve_noise}.")
        if not 0.0 <= self.improve_share < 1.0:
            raise ValueError(f"Expected improve_share in [0, 1), got {self.improve_share}.")
        if self.solution_limit < 1:
            raise ValueError(f"Expected solution_limit >= 1, got {self.solution_limit}.")
        if self.branch_limit < 1:
            raise ValueError(f"Expected branch_limit >= 1, got {self.branch_limit}.")
        if self.improve_iterations < 0:
            raise ValueError(f"Expected improve_iterations >= 0, got {self.improve_iterations}.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RoutingParams:
        """Build from a mapping (e.g. a ``[routing]`` table of a TOML file); unknown keys fail."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"Expected routing parameters among {sorted(names)}, got {unknown}.")
        kwargs = dict(values)
        if "first_solution_strategies" in kwargs:
            kwargs["first_solution_strategies"] = tuple(kwargs["first_solution_strategies"])
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Visit:
    """One made visit on a route (times in the problem's units)."""

    stop: int
    """Index into :attr:`RoutingProblem.stops`."""
    location: int
    arrive: int
    start: int
    depart: int


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's route."""

    vehicle: int
    depart_start: int
    """Time the vehicle leaves its start location."""
    visits: tuple[Visit, ...]
    arrive_end: int
    """Time the vehicle is back at its end location."""
    break_start: int | None = None
    """Start of the meal break (taken at the location of the visit before it, or at the start
    location when no visit precedes it), or ``None``."""
    break_after: int = -1
    """Number of visits made before the break (-1: no break)."""


@dataclass(frozen=True, slots=True)
class RoutingSolution:
    """The outcome of a routing solve.

    Attributes
    ----------
    routes
        One route per vehicle (possibly without visits).
    prize
        Sum of the prizes of the visits made.
    travel
        Total travel time.
    dropped
        Stops not visited.
    dropped_mandatory
        Mandatory stops that could not be visited.
    status
        ``"solved"`` or ``"no solution"``.
    strategy
        The first-solution strategy that produced the kept solution.
    wall_s
        Time taken.
    """

    routes: tuple[Route, ...]
    prize: int
    travel: int
    dropped: tuple[int, ...]
    dropped_mandatory: tuple[int, ...]
    status: str
    strategy: str
    wall_s: float
    log: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """A one-paragraph account of the solution."""
        used = sum(1 for r in self.routes if r.visits)
        visits = sum(len(r.visits) for r in self.routes)
        text = (
            f"{self.status}: prize {self.prize}, {visits} visits on {used}/{len(self.routes)} "
            f"routes, travel {self.travel}, {len(self.dropped)} stops skipped "
            f"({len(self.dropped_mandatory)} mandatory), {self.wall_s:.1f} s ({self.strategy})"
        )
        return text

    def __str__(self) -> str:
        return self.summary()


@dataclass(slots=True)
class RoutingModel:
    """The built OR-Tools model and the index maps needed to read a solution.

    Attributes
    ----------
    problem
        The problem it was built from.
    manager, routing
        The OR-Tools index manager and routing model.
    time_dimension
        The time dimension (cumul = start of service at stops).
    node_location, node_service
        Per routing node (depot nodes first, then one per stop) its matrix location and
        service time.
    first_stop_node
        Routing node of stop 0 (stop ``k`` is node ``first_stop_node + k``).
    prize_weight
        Factor by which prizes are multiplied in the objective.
    """

    problem: RoutingProblem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dimension: pywrapcp.RoutingDimension
    node_location: list[int]
    node_service: list[int]
    first_stop_node: int
    prize_weight: int


def _horizon(problem: RoutingProblem) -> int:
    hi = max(v.end_time for v in problem.vehicles)
    for s in problem.stops:
        for _, b in s.windows:
            hi = max(hi, b)
    return int(hi) + int(problem.travel.max()) + max((s.service for s in problem.stops), default=0)


def build_routing_model(problem: RoutingProblem) -> RoutingModel:
    """Build the OR-Tools routing model of ``problem``.

    Parameters
    ----------
    problem
        The problem.

    Returns
    -------
    RoutingModel
        The model with its index maps; solve it with :func:`solve_routing`.
    """
    travel = np.asarray(problem.travel, dtype=np.int64)
    depot_locs: list[int] = []
    for v in problem.vehicles:
        for loc in (v.start_location, v.end_location):
            if loc not in depot_locs:
                depot_locs.append(loc)
    node_location = depot_locs + [s.location for s in problem.stops]
    node_service = [0] * len(depot_locs) + [s.service for s in problem.stops]
    first_stop = len(depot_locs)
    starts = [depot_locs.index(v.start_location) for v in problem.vehicles]
    ends = [depot_locs.index(v.end_location) for v in problem.vehicles]
    manager = pywrapcp.RoutingIndexManager(len(node_location), len(problem.vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    node_locs = np.asarray(node_location, dtype=np.int64)
    arc = travel[node_locs][:, node_locs]
    timing = arc + np.asarray(node_service, dtype=np.int64)[:, None]
    cost_cb = routing.RegisterTransitMatrix(arc.tolist())
    time_cb = routing.RegisterTransitMatrix(timing.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)

    horizon = _horizon(problem)
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    solver = routing.solver()

    for vi, v in enumerate(problem.vehicles):
        time_dim.CumulVar(routing.Start(vi)).SetRange(v.start_time, v.end_time)
        time_dim.CumulVar(routing.End(vi)).SetRange(v.start_time, v.end_time)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(vi)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(vi)))

    # Every route lasts at most its shift, so total travel < sum of shift lengths + 1.
    max_travel = sum(v.end_time - v.start_time for v in problem.vehicles) + 1
    prize_weight = max(1, max_travel)
    mandatory_penalty = (problem.total_prize + 1) * prize_weight
    for k, s in enumerate(problem.stops):
        index = manager.NodeToIndex(first_stop + k)
        cumul = time_dim.CumulVar(index)
        if s.windows:
            wins = sorted(s.windows)
            cumul.SetRange(wins[0][0], max(b for _, b in wins))
            reach = wins[0][1]
            for a, b in wins[1:]:
                if a > reach + 1:
                    cumul.RemoveInterval(reach + 1, a - 1)
                reach = max(reach, b)
        if s.choice is None:
            penalty = mandatory_penalty if s.mandatory else s.prize * prize_weight
            routing.AddDisjunction([index], int(penalty))
        routing.AddVariableMinimizedByFinalizer(cumul)
    alternatives: dict[int, list[int]] = {}
    for k, s in enumerate(problem.stops):
        if s.choice is not None:
            alternatives.setdefault(s.choice, []).append(k)
    for members in alternatives.values():
        indices = [manager.NodeToIndex(first_stop + k) for k in members]
        routing.AddDisjunction(indices, int(problem.stops[members[0]].prize * prize_weight), 1)

    # Repeated visits: two made visits of one group start at least min_gap apart.
    if problem.min_gap > 0:
        groups: dict[int, list[int]] = {}
        for k, s in enumerate(problem.stops):
            if s.group is not None:
                groups.setdefault(s.group, []).append(k)
        for members in groups.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    ia = manager.NodeToIndex(first_stop + a)
                    ib = manager.NodeToIndex(first_stop + b)
                    both = routing.ActiveVar(ia) * routing.ActiveVar(ib)
                    diff = time_dim.CumulVar(ia) - time_dim.CumulVar(ib)
                    solver.Add(abs(diff) >= problem.min_gap * both)

    # Meal breaks: a fixed-length interval between visits inside the break window.
    node_visit_transits = [node_service[manager.IndexToNode(i)] for i in range(routing.Size())]
    node_visit_transits += [0] * (routing.Size() + routing.vehicles() - len(node_visit_transits))
    for vi, v in enumerate(problem.vehicles):
        if v.break_window is None:
            continue
        a, b = v.break_window
        interval = solver.FixedDurationIntervalVar(
            a, b, v.break_duration, False, f"break(vehicle={vi})"
        )
        time_dim.SetBreakIntervalsOfVehicle([interval], vi, node_visit_transits)
        # The unit is on duty until the break is over: the route cannot end before it.
        time_dim.CumulVar(routing.End(vi)).SetMin(a + v.break_duration)

    return RoutingModel(
        problem=problem,
        manager=manager,
        routing=routing,
        time_dimension=time_dim,
        node_location=node_location,
        node_service=node_service,
        first_stop_node=first_stop,
        prize_weight=prize_weight,
    )


def _search_parameters(params: RoutingParams, strategy: str, time_limit_s: float) -> Any:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    sp.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    if params.deterministic:
        sp.solution_limit = params.solution_limit
    else:
        sp.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    sp.log_search = params.log_search
    return sp


def solve_routing(model: RoutingModel, params: RoutingParams) -> tuple[Any, str, tuple[str, ...]]:
    """Run the OR-Tools search on a built model.

    First-solution strategies are tried in order until one gives a solution; the
    metaheuristic then improves it within the budget.

    Parameters
    ----------
    model
        From :func:`build_routing_model`.
    params
        Solver settings.

    Returns
    -------
    tuple
        ``(assignment or None, strategy name, log lines)``.
    """
    routing = model.routing
    log: list[str] = []
    t0 = time.perf_counter()
    if params.deterministic:
        # Guided local search on a problem with few neighbours may never reach the solution
        # limit; a branch count also stops it, and is as reproducible.
        routing.AddSearchMonitor(routing.solver().BranchesLimit(params.branch_limit))
    budget = params.time_limit_s
    strategies = list(params.first_solution_strategies)
    for i, strategy in enumerate(strategies):
        remaining = budget - (time.perf_counter() - t0)
        if remaining <= 0.05 and i > 0:
            break
        # Leave room for the fallbacks: the first attempts only get their share.
        share = (
            max(remaining / max(1, len(strategies) - i), 0.1)
            if i + 1 < len(strategies)
            else remaining
        )
        sp = _search_parameters(params, strategy, max(share, remaining))
        assignment = routing.SolveWithParameters(sp)
        if assignment is not None:
            log.append(f"{strategy}: solution (status {routing.status()})")
            return assignment, strategy, tuple(log)
        log.append(f"{strategy}: no first solution (status {routing.status()})")
    return None, "", tuple(log)


def extract_routes(model: RoutingModel, assignment: Any) -> list[list[int]]:
    """Read the stop sequences of each vehicle from an OR-Tools assignment.

    Returns
    -------
    list of list of int
        Per vehicle the stop indices in visiting order.
    """
    routing, manager = model.routing, model.manager
    out: list[list[int]] = []
    for vi in range(len(model.problem.vehicles)):
        seq: list[int] = []
        index = routing.Start(vi)
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            seq.append(manager.IndexToNode(index) - model.first_stop_node)
            index = assignment.Value(routing.NextVar(index))
        out.append(seq)
    return out


def _solver_starts(model: RoutingModel, assignment: Any, seqs: list[list[int]]) -> dict[int, int]:
    """Start of service of every visited stop in the solver's assignment."""
    out: dict[int, int] = {}
    dim = model.time_dimension
    for seq in seqs:
        for k in seq:
            index = model.manager.NodeToIndex(model.first_stop_node + k)
            out[k] = int(assignment.Min(dim.CumulVar(index)))
    return out


def _make_solution(
    problem: RoutingProblem,
    routes: Sequence[Route],
    status: str,
    strategy: str,
    wall_s: float,
    log: Sequence[str],
) -> RoutingSolution:
    visited = {vis.stop for r in routes for vis in r.visits}
    prize = sum(problem.stops[k].prize for k in visited)
    travel = 0
    for r in routes:
        v = problem.vehicles[r.vehicle]
        prev = v.start_location
        for vis in r.visits:
            travel += int(problem.travel[prev, vis.location])
            prev = vis.location
        if r.visits:
            travel += int(problem.travel[prev, v.end_location])
    dropped = tuple(k for k in range(len(problem.stops)) if k not in visited)
    dropped_mandatory = tuple(k for k in dropped if problem.stops[k].mandatory)
    return RoutingSolution(
        routes=tuple(routes),
        prize=prize,
        travel=travel,
        dropped=dropped,
        dropped_mandatory=dropped_mandatory,
        status=status,
        strategy=strategy,
        wall_s=wall_s,
        log=tuple(log),
    )


def solve_problem(problem: RoutingProblem, params: RoutingParams | None = None) -> RoutingSolution:
    """Build, solve and extract: the best routes found within the budget.

    Parameters
    ----------
    problem
        The routing problem.
    params
        Solver settings; defaults to :class:`RoutingParams()`.

    Returns
    -------
    RoutingSolution
        Timed routes, prize collected, stops skipped (mandatory ones listed apart).
    """
    from patrolsim.optimise.routes_schedule import time_routes

    params = params or RoutingParams()
    t0 = time.perf_counter()
    log: list[str] = []
    best_seqs: list[list[int]] | None = None
    best_key: tuple[int, int] | None = None
    best_strategy = ""
    best_model: RoutingModel | None = None
    best_assignment: Any = None
    from patrolsim.optimise.routes_improve import improvable

    use_post = params.improve and improvable(problem)
    ortools_budget = params.time_limit_s * (1.0 - (params.improve_share if use_post else 0.0))
    strategies = list(params.first_solution_strategies)
    for r in range(params.restarts):
        elapsed = time.perf_counter() - t0
        remaining = ortools_budget - elapsed
        if r > 0 and remaining < 0.2 and not params.deterministic:
            break
        share = remaining / (params.restarts - r)
        order = strategies[r % len(strategies) :] + strategies[: r % len(strategies)]
        model = build_routing_model(problem)
        sub = dataclasses.replace(
            params,
            time_limit_s=max(share, 0.1),
            first_solution_strategies=tuple(order),
            improve=False,
        )
        assignment, strategy, sub_log = solve_routing(model, sub)
        log.extend(sub_log)
        if assignment is None:
            continue
        seqs = extract_routes(model, assignment)
        visited = {k for seq in seqs for k in seq}
        mand = sum(1 for k in visited if problem.stops[k].mandatory)
        key = (mand, sum(problem.stops[k].prize for k in visited))
        if best_key is None or key > best_key:
            best_key, best_seqs, best_strategy = key, seqs, strategy
            best_model, best_assignment = model, assignment
    if best_seqs is None:
        routes, _ = time_routes(problem, [[] for _ in problem.vehicles], None, log)
        return _make_solution(problem, routes, "no solution", "", time.perf_counter() - t0, log)
    if use_post:
        from patrolsim.optimise.routes_improve import improve_solution

        remaining = params.time_limit_s - (time.perf_counter() - t0)
        new_seqs = improve_solution(problem, best_seqs, params, remaining)
        if new_seqs is not best_seqs:
            log.append("post-step improved the solution")
            best_seqs = new_seqs
            best_model = None
    starts = (
        _solver_starts(best_model, best_assignment, best_seqs) if best_model is not None else None
    )
    routes, _ = time_routes(problem, best_seqs, starts, log)
    return _make_solution(problem, routes, "solved", best_strategy, time.perf_counter() - t0, log)


def scale_prizes(values: Sequence[float], levels: int = 10_000) -> list[int]:
    """Turn non-negative float values (e.g. risk) into whole prizes, the largest = ``levels``.

    Parameters
    ----------
    values
        Non-negative values.
    levels
        Whole number the largest value maps to.

    Returns
    -------
    list of int
        Rounded, proportional prizes; a positive value never rounds to 0.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return []
    if (arr < 0).any() or not np.isfinite(arr).all():
        raise ValueError("Expected finite values >= 0, got a negative or non-finite one.")
    top = float(arr.max())
    if top <= 0:
        return [0] * len(arr)
    out = np.rint(arr / top * levels).astype(np.int64)
    out[(arr > 0) & (out == 0)] = 1
    return [int(v) for v in out]
