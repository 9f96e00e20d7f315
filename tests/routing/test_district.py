"""Tests of district patrol routes: model, independent checker, risk, simulator hand-off."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from patrolsim.demand.values import default_rates, default_risk
from patrolsim.routing import RoutingParams
from patrolsim.routing.check import check_district_routes, check_routing_solution
from patrolsim.routing.district import (
    DutyUnit,
    VisitRow,
    build_squad_problem,
    default_units,
    planned_visits,
    solve_district_routes,
)
from patrolsim.scenario import Scenario
from patrolsim.workers import local_executor

DAY = dt.date(2026, 11, 24)
#: A deterministic budget (branches, not seconds): the same routes on a busy machine.
QUICK = RoutingParams(branch_limit=2000, solution_limit=200, restarts=1)


def test_default_risk_follows_rates_and_profiles(tiny: Scenario) -> None:
    """Tests that default risk is rate/24 x hour profile x visibility, and zero at the base."""
    risk = default_risk(tiny, DAY)
    assert risk.shape == (len(tiny.patches), 24)
    base = tiny.patches[tiny.squads[0].base_index].index
    assert risk[base].sum() == 0
    market = next(p for p in tiny.patches if p.kind == "market")
    vt = tiny.violation_type("street_vending")
    hour = 8
    expected = (
        vt.base_rate_per_day["market"]
        / 24
        * vt.hour_profile[hour]
        * vt.weekday_profile[DAY.weekday()]
        * vt.visibility
    )
    assert risk[market.index, hour] == pytest.approx(expected)


@pytest.mark.parametrize("shift", ["early", "late"])
def test_tiny_routes_pass_the_independent_checker(tiny: Scenario, shift: str) -> None:
    """Tests that every route of the tiny district keeps windows, breaks, gaps and posts."""
    plan = solve_district_routes(tiny, DAY, shift, params=QUICK)
    assert check_district_routes(tiny, plan) == []
    assert all(
        r.rows[0].purpose == "depart" and r.rows[-1].purpose == "return" for r in plan.routes
    )
    strict = {p.index for p in tiny.patches if p.tier == "strict" and p.kind != "base"}
    visited = {row.patch_index for r in plan.routes for row in r.stops}
    assert strict <= visited | set(plan.unmet_posts)
    for sol in plan.solutions.values():
        assert sol.status == "solved"


def test_nanhu_shift_with_two_units_per_squad(nanhu: Scenario) -> None:
    """Tests that nanhu's day shift with two units per squad keeps every rule across units."""
    st = nanhu.shift("day")
    units = [
        DutyUnit(sq.id, str(u), st.start_min, st.end_min) for sq in nanhu.squads for u in (1, 2)
    ]
    params = RoutingParams(branch_limit=3000, solution_limit=300, restarts=1)
    plan = solve_district_routes(nanhu, DAY, st, units=units, params=params)
    assert check_district_routes(nanhu, plan) == []
    assert len(plan.routes) == 4
    assert all(len(r.stops) > 5 for r in plan.routes)
    assert plan.unmet_posts == ()


def test_squad_problem_solution_passes_generic_checker(nanhu: Scenario) -> None:
    """Tests that the solver's own solution of a squad problem passes the generic checker."""
    from patrolsim.routing import solve_problem

    st = nanhu.shift("late")
    sp = build_squad_problem(
        nanhu, "S1", default_units(nanhu, st)[:1], default_rates(nanhu, DAY), st
    )
    sol = solve_problem(sp.problem, QUICK)
    assert check_routing_solution(sp.problem, sol) == []
    assert sp.problem.min_gap == 120 * 60
    groups = [s.group for s in sp.problem.stops]
    assert len(set(groups)) < len(groups)  # repeated visits exist


def test_checker_catches_broken_rules(tiny: Scenario) -> None:
    """Tests that the district checker flags a too-short stop, a gap breach and a missed post."""
    plan = solve_district_routes(tiny, DAY, "early", params=QUICK)
    route = plan.routes[0]
    rows = list(route.rows)
    k = next(i for i, r in enumerate(rows) if r.purpose in ("post", "patrol"))
    short = dataclasses.replace(rows[k], depart_min=rows[k].start_min + 3)
    bad = dataclasses.replace(
        plan, routes=(dataclasses.replace(route, rows=tuple([*rows[:k], short, *rows[k + 1 :]])),)
    )
    assert any("stop of 3.0 min" in p for p in check_district_routes(tiny, bad))
    # Two visits of one patch 10 minutes apart.
    twin = VisitRow(
        rows[k].seq,
        rows[k].patch_index,
        rows[k].start_min + 10,
        rows[k].start_min + 10,
        rows[k].start_min + 22,
        rows[k].purpose,
    )
    doubled = [*rows[: k + 1], twin, *rows[k + 1 :]]
    doubled = [dataclasses.replace(r, seq=i) for i, r in enumerate(doubled)]
    bad2 = dataclasses.replace(plan, routes=(dataclasses.replace(route, rows=tuple(doubled)),))
    assert any("apart <" in p for p in check_district_routes(tiny, bad2))
    # Drop every stop: the fixed posts are neither visited nor reported.
    empty = [rows[0], dataclasses.replace(rows[-1], seq=1)]
    bad3 = dataclasses.replace(plan, routes=(dataclasses.replace(route, rows=tuple(empty)),))
    assert any("fixed post" in p for p in check_district_routes(tiny, bad3))


def test_explicit_risk_changes_priorities(tiny: Scenario) -> None:
    """Tests that an explicit risk input is used: a patch with zero risk gets no patrol stop."""
    risk = default_risk(tiny, DAY).sum(axis=1)
    target = next(p for p in tiny.patches if p.tier == "normal" and p.kind != "base")
    flat = np.where(np.arange(len(risk)) == target.index, 0.0, risk)
    plan = solve_district_routes(tiny, DAY, "early", risk=flat, params=QUICK)
    assert all(r.patch_index != target.index for u in plan.routes for r in u.stops)
    with pytest.raises(ValueError, match="risk"):
        solve_district_routes(tiny, DAY, "early", risk=np.ones((2, 3)), params=QUICK)


def test_planned_visits_for_the_simulator(tiny: Scenario) -> None:
    """Tests that planned_visits gives (patch, start_min, depart_min) per unit in time order."""
    plan = solve_district_routes(tiny, DAY, "late", params=QUICK)
    visits = planned_visits(plan)
    assert set(visits) == {r.unit.label for r in plan.routes}
    for lst in visits.values():
        starts = [s for _, s, _ in lst]
        assert starts == sorted(starts)
        assert all(d - s >= tiny.patrol.stop_min - 1e-9 for _, s, d in lst)
        assert all(0 <= p < len(tiny.patches) for p, _, _ in lst)


def test_deterministic_district_routes_repeat(tiny: Scenario) -> None:
    """Tests that the default deterministic mode gives the same district routes twice."""
    params = RoutingParams(solution_limit=200, branch_limit=1500, restarts=1)
    a = solve_district_routes(tiny, DAY, "early", params=params)
    b = solve_district_routes(tiny, DAY, "early", params=params)
    assert [r.rows for r in a.routes] == [r.rows for r in b.routes]
    assert check_district_routes(tiny, a) == []


def test_a_squad_without_a_first_solution_is_searched_again(monkeypatch, tiny: Scenario) -> None:
    """Tests that units are never sent out without routes because the first search found no
    solution: the squad is searched again with twice the budget."""
    import patrolsim.routing.district as rd

    real = rd.solve_problem
    budgets: list[int] = []

    def flaky(problem, params):
        budgets.append(params.branch_limit)
        sol = real(problem, params)
        if len(budgets) == 1:
            return dataclasses.replace(
                sol,
                status="no solution",
                routes=tuple(dataclasses.replace(r, visits=()) for r in sol.routes),
            )
        return sol

    monkeypatch.setattr(rd, "solve_problem", flaky)
    units = [u for u in default_units(tiny, tiny.shift("late"))][:1]
    plan = solve_district_routes(tiny, DAY, "late", units=units, params=QUICK)
    assert len(budgets) == 2
    assert budgets[1] == 2 * budgets[0]
    assert all(sol.status == "solved" for sol in plan.solutions.values())
    assert plan.routes[0].stops


def test_routes_are_the_same_for_any_number_of_workers(nanhu: Scenario) -> None:
    """Tests that solving the squads in worker processes changes nothing in the routes under
    a deterministic budget, whether the pool is made for the call or passed in."""
    alone = solve_district_routes(nanhu, DAY, "early", params=QUICK)
    assert len(alone.solutions) > 1  # more than one squad, so the pool has work to share
    made = solve_district_routes(nanhu, DAY, "early", params=QUICK, workers=2)
    with local_executor(2) as pool:
        given = solve_district_routes(nanhu, DAY, "early", params=QUICK, workers=2, executor=pool)
    for other in (made, given):
        assert [r.rows for r in other.routes] == [r.rows for r in alone.routes]
        assert other.prize == alone.prize
        assert list(other.solutions) == list(alone.solutions)
    with pytest.raises(ValueError, match="workers"):
        solve_district_routes(nanhu, DAY, "early", params=QUICK, workers=0)
