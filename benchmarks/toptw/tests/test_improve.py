"""Tests of the specialised TOPTW solver (OR-Tools, then the iterated local search)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.toptw.improve import ImproveParams, improvable, solve_specialised
from patrolsim.formats.toptw import check_solution, read_toptw
from patrolsim.routing import RoutingParams, RoutingProblem, Stop, Vehicle, solve_problem
from patrolsim.routing.check import check_routing_solution
from patrolsim.routing.toptw import toptw_problem, toptw_result

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks"
QUICK = RoutingParams(solution_limit=50, branch_limit=5_000)


def _random_problem(seed: int, n: int, vehicles: int, tmax: int) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 60, size=(n + 1, 2))
    travel = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(
        np.int64
    )
    stops = []
    for i in range(1, n + 1):
        a = int(rng.integers(0, 100))
        stops.append(
            Stop(
                location=i,
                prize=int(rng.integers(1, 30)),
                service=int(rng.integers(3, 15)),
                windows=((a, a + int(rng.integers(10, 60))),),
            )
        )
    vs = tuple(Vehicle(0, 0, 0, tmax) for _ in range(vehicles))
    return RoutingProblem(travel=travel, stops=tuple(stops), vehicles=vs)


@pytest.mark.parametrize("seed", [41, 42])
def test_local_search_keeps_routes_feasible_and_never_loses_prize(seed: int) -> None:
    """Tests that the iterated local search on a 40-stop, 3-vehicle problem gives checked routes
    with at least OR-Tools' prize, and the same routes again for the same seed."""
    problem = _random_problem(seed, n=40, vehicles=3, tmax=200)
    assert improvable(problem)
    improve = ImproveParams(iterations=200, seed=seed)
    alone = solve_problem(problem, QUICK)
    first = solve_specialised(problem, QUICK, improve)
    again = solve_specialised(problem, QUICK, improve)
    assert check_routing_solution(problem, first) == []
    assert first.prize >= alone.prize
    assert [[v.stop for v in r.visits] for r in first.routes] == [
        [v.stop for v in r.visits] for r in again.routes
    ]


def test_problems_with_breaks_are_left_to_ortools() -> None:
    """Tests that a problem with a meal break is not improvable and gets OR-Tools' routes."""
    problem = _random_problem(7, n=8, vehicles=1, tmax=200)
    broken = RoutingProblem(
        travel=problem.travel,
        stops=problem.stops,
        vehicles=(Vehicle(0, 0, 0, 200, break_window=(50, 100), break_duration=10),),
    )
    assert not improvable(broken)
    sol = solve_specialised(broken, QUICK, ImproveParams(iterations=50))
    assert sol.log == solve_problem(broken, QUICK).log
    assert check_routing_solution(broken, sol) == []


def test_c101_reaches_the_optimum() -> None:
    """Tests that the specialised solver reaches c101's optimum 320 (m=1), checked."""
    path = SHARED / "toptw" / "solomon_100_righini_salani" / "c101.txt"
    if not path.is_file():
        pytest.skip("../shared/benchmarks is not available")
    inst = read_toptw(path)
    sol = solve_specialised(
        toptw_problem(inst, 1),
        RoutingParams(solution_limit=300, branch_limit=5_000, restarts=1),
        ImproveParams(iterations=300),
    )
    res = toptw_result(inst, 1, sol)
    assert res.feasible, res.violations
    assert res.score == 320
    assert check_solution(inst, res.routes, 1, starts=res.starts).score == 320
