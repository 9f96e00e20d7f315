"""Solving a routing problem: OR-Tools from several first-solution strategies and restarts, the
best kept, then timing the routes. The district's routes and the TOPTW benchmark both come from
:func:`solve_problem`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from patrolsim.routing.model import (
    RoutingModel,
    build_routing_model,
    extract_routes,
    solve_routing,
    solver_starts,
)
from patrolsim.routing.problem import Route, RoutingParams, RoutingProblem, RoutingSolution
from patrolsim.routing.schedule import time_routes

__all__ = ["MIN_RESTART_S", "make_solution", "solve_problem"]

MIN_RESTART_S = 0.5
"""Least wall-clock time worth a restart of its own when solving against the clock. Below
it a search's first solution is cut short and a poorer strategy takes over: on nanhu's
four shifts of 2026-11-24, two restarts in 0.2 s per squad kept 75 % of the prize that one
search kept in the same time."""


def make_solution(
    problem: RoutingProblem,
    routes: Sequence[Route],
    status: str,
    strategy: str,
    wall_s: float,
    log: Sequence[str],
) -> RoutingSolution:
    """A :class:`RoutingSolution` of timed routes: prize, travel and the stops skipped."""
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

    Each of ``params.restarts`` OR-Tools searches starts from the next first-solution strategy
    in turn; the routes with the most mandatory stops, then the most prize, are kept and timed.
    Against the clock, fewer searches are made when each would get less than
    :data:`MIN_RESTART_S`.

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
    params = params or RoutingParams()
    t0 = time.perf_counter()
    log: list[str] = []
    best_seqs: list[list[int]] | None = None
    best_key: tuple[int, int] | None = None
    best_strategy = ""
    best_model: RoutingModel | None = None
    best_assignment: Any = None
    strategies = list(params.first_solution_strategies)
    restarts = params.restarts
    if not params.deterministic:
        restarts = max(1, min(restarts, int(params.time_limit_s // MIN_RESTART_S)))
    for r in range(restarts):
        late = params.time_limit_s - (time.perf_counter() - t0) < 0.2
        if r > 0 and late and not params.deterministic:
            break
        order = strategies[r % len(strategies) :] + strategies[: r % len(strategies)]
        model = build_routing_model(problem)
        # the clock's share is what is left once the model is built
        share = (params.time_limit_s - (time.perf_counter() - t0)) / (restarts - r)
        sub = dataclasses.replace(
            params,
            time_limit_s=max(share, 0.1),
            first_solution_strategies=tuple(order),
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
        return make_solution(problem, routes, "no solution", "", time.perf_counter() - t0, log)
    assert best_model is not None
    starts = solver_starts(best_model, best_assignment, best_seqs)
    routes, _ = time_routes(problem, best_seqs, starts, log)
    return make_solution(problem, routes, "solved", best_strategy, time.perf_counter() - t0, log)
