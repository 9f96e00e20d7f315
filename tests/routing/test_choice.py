"""Tests of stop choices (alternatives earning one prize) and of the district's first visits."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from patrolsim.demand.values import default_rates
from patrolsim.routing import (
    RoutingParams,
    RoutingProblem,
    Stop,
    Vehicle,
    solve_problem,
)
from patrolsim.routing.check import check_district_routes, check_routing_solution
from patrolsim.routing.district import (
    build_squad_problem,
    default_units,
    solve_district_routes,
)
from patrolsim.scenario import Scenario

DAY = dt.date(2026, 11, 24)


def _line(n: int) -> np.ndarray:
    """Travel matrix of n locations on a line, 5 time units apart."""
    pos = np.arange(n) * 5
    return np.abs(pos[:, None] - pos[None, :]).astype(np.int64)


def _problem() -> RoutingProblem:
    """One vehicle, one place offered three times as a choice (prize 50) and as repeat
    visits (prize 10), 100 apart at least."""
    slots = ((0, 90), (100, 190), (200, 290))
    stops = [
        Stop(1, 50, 10, (w,), group=1, choice=0, label=f"first{k}") for k, w in enumerate(slots)
    ]
    stops += [Stop(1, 10, 10, (w,), group=1, label=f"repeat{k}") for k, w in enumerate(slots)]
    return RoutingProblem(_line(2), tuple(stops), (Vehicle(0, 0, 0, 400),), min_gap=100)


def test_a_choice_earns_its_prize_once() -> None:
    """Tests that the solver makes one alternative of the choice and repeat visits besides."""
    problem = _problem()
    assert problem.total_prize == 50 + 3 * 10
    sol = solve_problem(problem, RoutingParams(branch_limit=5000, solution_limit=200))
    assert check_routing_solution(problem, sol) == []
    made = [problem.stops[v.stop].label for r in sol.routes for v in r.visits]
    assert sum(label.startswith("first") for label in made) == 1
    assert sum(label.startswith("repeat") for label in made) == 2
    assert sol.prize == 50 + 2 * 10


def test_checker_flags_two_alternatives_of_one_choice() -> None:
    """Tests that the independent checker refuses a route making a choice twice."""
    problem = _problem()
    sol = solve_problem(problem, RoutingParams(branch_limit=5000, solution_limit=200))
    route = sol.routes[0]
    firsts = [k for k, s in enumerate(problem.stops) if s.choice == 0]
    visits = tuple(dataclasses.replace(v, stop=firsts[i]) for i, v in enumerate(route.visits))
    bad = dataclasses.replace(
        sol, routes=(dataclasses.replace(route, visits=visits),), prize=50 * len(visits)
    )
    assert any("alternatives made" in p for p in check_routing_solution(problem, bad))


def test_choice_rules_are_validated() -> None:
    """Tests that a choice needs one prize and no mandatory member."""
    travel = _line(2)
    vehicle = (Vehicle(0, 0, 0, 100),)
    with pytest.raises(ValueError, match="one prize per choice"):
        RoutingProblem(travel, (Stop(1, 5, 1, choice=3), Stop(1, 6, 1, choice=3)), vehicle)
    with pytest.raises(ValueError, match="mandatory"):
        RoutingProblem(travel, (Stop(1, 5, 1, choice=3, mandatory=True),), vehicle)


def test_district_offers_one_first_visit_per_patch(nanhu: Scenario) -> None:
    """Tests the district model: every street patch but the strict ones (whose fixed post is
    their first visit) has one choice of first visits worth at least an average repeat visit."""
    st = nanhu.shift("day")
    sp = build_squad_problem(
        nanhu, "S1", default_units(nanhu, st)[:1], default_rates(nanhu, DAY), st
    )
    by_patch: dict[int, list[int]] = {}
    for k in range(len(sp.problem.stops)):
        by_patch.setdefault(sp.stop_patch[k], []).append(k)
    for patch, ks in by_patch.items():
        stops = [sp.problem.stops[k] for k in ks]
        strict = nanhu.patches[patch].tier == "strict"
        firsts = [s for s in stops if s.choice is not None or s.mandatory]
        repeats = [s for s in stops if s.choice is None and not s.mandatory]
        assert len({s.choice for s in firsts}) == 1
        assert (len(firsts) == 1) == strict
        mean_repeat = sum(s.prize for s in repeats) / len(repeats)
        assert min(s.prize for s in firsts) >= mean_repeat - 1


def test_routes_spread_first_visits_over_the_squad(nanhu: Scenario) -> None:
    """Tests that one unit's route visits most of its squad's patches before revisiting any
    (the shift's first visits are worth most) and passes the district checker."""
    st = nanhu.shift("day")
    units = [u for u in default_units(nanhu, st) if u.squad == "S1"][:1]
    plan = solve_district_routes(
        nanhu,
        DAY,
        st,
        units=units,
        params=RoutingParams(deterministic=True, branch_limit=3000, solution_limit=300, restarts=1),
    )
    assert check_district_routes(nanhu, plan) == []
    patches = [r.patch_index for r in plan.routes[0].stops]
    area = [p for p in nanhu.patches if p.squad == "S1" and p.kind != "base"]
    assert len(set(patches)) >= 0.8 * len(area)


def test_deterministic_routes_repeat_exactly(tiny: Scenario) -> None:
    """Tests that a branch-limited search gives the same routes twice (the plan relies on it)."""
    params = RoutingParams(deterministic=True, branch_limit=800, solution_limit=100, restarts=1)
    a = solve_district_routes(tiny, DAY, "late", params=params)
    b = solve_district_routes(tiny, DAY, "late", params=params)
    assert [r.rows for r in a.routes] == [r.rows for r in b.routes]
    assert a.prize == b.prize
