"""The OR-Tools routing model of a :class:`~patrolsim.routing.problem.RoutingProblem`.

Building, solving and extracting are separate (STYLE.md §6): :func:`build_routing_model`,
:func:`solve_routing` and :func:`extract_routes`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from patrolsim.routing.problem import RoutingParams, RoutingProblem

__all__ = ["RoutingModel", "build_routing_model", "extract_routes", "solve_routing"]

DETERMINISTIC_LNS_LIMIT_S = 86_400
"""Time cap of each OR-Tools large-neighbourhood sub-search in deterministic mode: a day, so
that in practice only the branch and solution counts stop the search."""


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
        # OR-Tools also caps each large-neighbourhood sub-search by the clock (0.1 s by
        # default), so a busy machine would change the routes; no clock at all here.
        sp.lns_time_limit.FromSeconds(DETERMINISTIC_LNS_LIMIT_S)
    else:
        sp.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    sp.log_search = params.log_search
    return sp


def solve_routing(model: RoutingModel, params: RoutingParams) -> tuple[Any, str, tuple[str, ...]]:
    """Run the OR-Tools search on a built model.

    First-solution strategies are tried in order until one gives a solution; the
    metaheuristic then improves it within the budget. In deterministic mode every strategy
    gets the same branch and solution limits and none is skipped for lack of time, so the
    outcome does not depend on the machine's speed or load.

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
        if not params.deterministic and remaining <= 0.05 and i > 0:
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


def solver_starts(model: RoutingModel, assignment: Any, seqs: list[list[int]]) -> dict[int, int]:
    """Start of service of every visited stop in the solver's assignment."""
    out: dict[int, int] = {}
    dim = model.time_dimension
    for seq in seqs:
        for k in seq:
            index = model.manager.NodeToIndex(model.first_stop_node + k)
            out[k] = int(assignment.Min(dim.CumulVar(index)))
    return out
