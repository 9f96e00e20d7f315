"""Tests of the general prize-collecting routing model (patrolsim.routing)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrolsim.routing import (
    RoutingParams,
    RoutingProblem,
    Stop,
    Vehicle,
    scale_prizes,
    solve_problem,
)
from patrolsim.routing.check import check_routing_solution
from patrolsim.routing.model import DETERMINISTIC_LNS_LIMIT_S, _search_parameters

FAST = RoutingParams(solution_limit=200, branch_limit=50_000)


def _random_problem(seed: int, n: int = 6, vehicles: int = 2, tmax: int = 160) -> RoutingProblem:
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


def _route_ok(problem: RoutingProblem, v: Vehicle, seq: tuple[int, ...]) -> bool:
    """Earliest-start replay written for the test (independent of the library's scheduler).

    With a meal break, every break position is tried; the break starts as early as allowed.
    """
    positions = [None] if v.break_window is None else range(len(seq) + 1)
    for brk in positions:
        t, loc, last, ok = v.start_time, v.start_location, {}, True
        for pos, k in enumerate([*seq, None]):
            if brk == pos:
                t = max(t, v.break_window[0])  # type: ignore[index]
                if t > v.break_window[1]:  # type: ignore[index]
                    ok = False
                    break
                t += v.break_duration
            if k is None:
                break
            s = problem.stops[k]
            t += int(problem.travel[loc, s.location])
            if s.group is not None and s.group in last:
                t = max(t, last[s.group] + problem.min_gap)
            starts = [max(t, a) for a, b in s.windows if max(t, a) <= b] if s.windows else [t]
            if not starts:
                ok = False
                break
            t = min(starts)
            if s.group is not None:
                last[s.group] = t
            t += s.service
            loc = s.location
        if ok and t + int(problem.travel[loc, v.end_location]) <= v.end_time:
            return True
    return False


def _brute_force(problem: RoutingProblem) -> int:
    """Best prize by enumerating every assignment of stops to vehicles and every order."""
    n, m = len(problem.stops), len(problem.vehicles)
    feasible_sets: dict[tuple[int, frozenset[int]], bool] = {}

    def ok(vi: int, subset: frozenset[int]) -> bool:
        key = (vi, subset)
        if key not in feasible_sets:
            feasible_sets[key] = any(
                _route_ok(problem, problem.vehicles[vi], perm)
                for perm in itertools.permutations(sorted(subset))
            )
        return feasible_sets[key]

    best = 0
    for assign in itertools.product(range(-1, m), repeat=n):
        sets = [frozenset(k for k in range(n) if assign[k] == vi) for vi in range(m)]
        prize = sum(problem.stops[k].prize for k in range(n) if assign[k] >= 0)
        if prize > best and all(ok(vi, s) for vi, s in enumerate(sets)):
            best = prize
    return best


@pytest.mark.parametrize(
    ("seed", "n", "vehicles"),
    [(1, 6, 2), (2, 6, 2), (3, 6, 2), (4, 6, 2), (5, 6, 2), (6, 6, 2), (11, 5, 1), (12, 5, 1)],
)
def test_tiny_instances_match_brute_force(seed: int, n: int, vehicles: int) -> None:
    """Tests that tiny random instances are solved to the brute-force optimum, feasibly."""
    problem = _random_problem(seed, n=n, vehicles=vehicles)
    sol = solve_problem(problem, dataclasses.replace(FAST, solution_limit=500))
    assert check_routing_solution(problem, sol) == []
    assert sol.prize == _brute_force(problem)


def test_revisits_and_break_match_brute_force() -> None:
    """Tests that repeat visits keep their gap, the break is taken, and the optimum is found."""
    travel = np.array([[0, 5, 8, 6], [5, 0, 4, 7], [8, 4, 0, 5], [6, 7, 5, 0]], dtype=np.int64)
    stops = (
        Stop(1, 10, 10, group=1),
        Stop(1, 8, 10, group=1),
        Stop(1, 6, 10, group=1),
        Stop(2, 9, 10, windows=((0, 30), (90, 120))),
        Stop(3, 7, 10, group=3),
        Stop(3, 7, 10, group=3),
    )
    vehicle = Vehicle(0, 0, 0, 150, break_window=(60, 80), break_duration=20)
    problem = RoutingProblem(travel=travel, stops=stops, vehicles=(vehicle,), min_gap=60)
    sol = solve_problem(problem, FAST)
    assert check_routing_solution(problem, sol) == []
    assert sol.routes[0].break_start is not None
    assert sol.prize == _brute_force(problem)


def test_mandatory_stop_kept_or_reported() -> None:
    """Tests that a reachable mandatory stop beats a big prize; an unreachable one is reported."""
    travel = np.array(
        [[0, 10, 10, 500], [10, 0, 15, 500], [10, 15, 0, 500], [500, 500, 500, 0]], dtype=np.int64
    )
    stops = (
        Stop(1, 100, 5, windows=((10, 20),)),
        Stop(2, 1, 5, windows=((10, 20),), mandatory=True),
        Stop(3, 1, 5, mandatory=True),
    )
    problem = RoutingProblem(travel=travel, stops=stops, vehicles=(Vehicle(0, 0, 0, 60),))
    sol = solve_problem(problem, FAST)
    assert [v.stop for v in sol.routes[0].visits] == [1]
    assert sol.dropped_mandatory == (2,)
    assert check_routing_solution(problem, sol) == []


def test_multiple_windows_are_respected() -> None:
    """Tests that a stop with two windows is served inside one of them, never in the gap."""
    travel = np.array([[0, 40], [40, 0]], dtype=np.int64)
    stops = (Stop(1, 5, 5, windows=((0, 20), (70, 90))),)
    problem = RoutingProblem(travel=travel, stops=stops, vehicles=(Vehicle(0, 0, 0, 200),))
    sol = solve_problem(problem, FAST)
    (visit,) = sol.routes[0].visits
    assert 70 <= visit.start <= 90
    assert check_routing_solution(problem, sol) == []


def test_deterministic_mode_repeats() -> None:
    """Tests that deterministic mode gives identical routes for identical input."""
    problem = _random_problem(21, n=9, vehicles=2, tmax=200)
    a = solve_problem(problem, FAST)
    b = solve_problem(problem, FAST)
    assert [[v.stop for v in r.visits] for r in a.routes] == [
        [v.stop for v in r.visits] for r in b.routes
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_limit_s", 0.0),
        ("restarts", 0),
        ("branch_limit", 0),
        ("solution_limit", 0),
        ("metaheuristic", "NOPE"),
        ("first_solution_strategies", ("NOPE",)),
        ("first_solution_strategies", ()),
    ],
)
def test_routing_params_reject_bad_values(field: str, value: object) -> None:
    """Tests that RoutingParams names the bad field."""
    with pytest.raises(ValueError, match=field):
        RoutingParams(**{field: value})  # type: ignore[arg-type]


def test_routing_params_from_mapping_rejects_unknown_keys() -> None:
    """Tests that a [routing] table with an unknown key is refused and a good one is read."""
    assert RoutingParams.from_mapping({"time_limit_s": 2}).time_limit_s == 2
    with pytest.raises(ValueError, match="bogus"):
        RoutingParams.from_mapping({"bogus": 1})


def test_scale_prizes_keeps_proportions() -> None:
    """Tests that risk values become whole prizes, the largest at the level, none lost to 0."""
    assert scale_prizes([0.0, 1e-9, 0.5, 2.0], levels=100) == [0, 1, 25, 100]
    with pytest.raises(ValueError, match="finite"):
        scale_prizes([-1.0])


@settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 8), vehicles=st.integers(1, 3))
def test_property_routes_are_feasible_and_visit_existing_stops(
    seed: int, n: int, vehicles: int
) -> None:
    """Tests that any small random problem gives feasible routes over existing stops only."""
    problem = _random_problem(seed, n=n, vehicles=vehicles)
    sol = solve_problem(problem, FAST)
    assert check_routing_solution(problem, sol) == []
    visited = [v.stop for r in sol.routes for v in r.visits]
    assert all(0 <= k < n for k in visited)
    assert len(visited) == len(set(visited))
    assert sorted(visited + list(sol.dropped)) == list(range(n))


def test_first_solution_fallback_is_used() -> None:
    """Tests that a strategy giving no first solution is logged and the next one is used."""
    problem = _random_problem(31, n=5, vehicles=1)
    params = RoutingParams(
        branch_limit=5000,
        restarts=1,
        first_solution_strategies=("SWEEP", "PARALLEL_CHEAPEST_INSERTION"),
    )
    sol = solve_problem(problem, params)
    assert sol.log[0].startswith("SWEEP: no first solution")
    assert sol.strategy == "PARALLEL_CHEAPEST_INSERTION"
    assert sol.status == "solved"
    assert check_routing_solution(problem, sol) == []


def test_deterministic_search_carries_no_clock() -> None:
    """Tests that a deterministic search has no wall-clock limit: none overall and, unlike
    OR-Tools' default (0.1 s), none that a busy machine reaches on its neighbourhood
    sub-searches, which made a week's plan of nanhu differ between two runs."""
    sp = _search_parameters(RoutingParams(deterministic=True), "PATH_CHEAPEST_ARC", 1.0)
    assert not sp.HasField("time_limit")
    assert sp.lns_time_limit.seconds == DETERMINISTIC_LNS_LIMIT_S


def test_a_short_clock_is_not_split_among_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that against a clock too short to share, one search gets all of it (restarts of
    a few tenths of a second each lost a quarter of nanhu's prize), while a deterministic
    budget makes every restart asked for. The searches are counted, not run, so that no
    solver gets a clock."""
    import patrolsim.routing.solve as rs

    searches: list[float] = []

    def counted(model, params):  # type: ignore[no-untyped-def]
        searches.append(params.time_limit_s)
        return None, "", ()

    monkeypatch.setattr(rs, "solve_routing", counted)
    problem = _random_problem(41, n=6, vehicles=1)
    short = RoutingParams(deterministic=False, time_limit_s=2 * rs.MIN_RESTART_S - 0.01)
    solve_problem(problem, dataclasses.replace(short, restarts=3))
    assert len(searches) == 1
    searches.clear()
    solve_problem(problem, dataclasses.replace(FAST, restarts=3))
    assert len(searches) == 3
