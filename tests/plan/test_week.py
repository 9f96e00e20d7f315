"""Tests of the weekly plan pipeline on the tiny district (small, deterministic budgets)."""

from __future__ import annotations

import datetime as dt

import pytest

from patrolsim.errors import ScenarioError
from patrolsim.plan.week import BASELINES, PLANNED, plan_week
from patrolsim.report import render_report
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import KPI_NAMES


@pytest.fixture(scope="module")
def plan(tiny: Scenario):
    """One small plan of the tiny district's second week."""
    return plan_week(tiny, dt.date(2026, 11, 30), reps=3, seed=1, route_branches=500)


def test_plan_has_roster_routes_and_comparison(plan, tiny: Scenario) -> None:
    """Tests that the pipeline yields a roster, routes for rostered shifts, and three arms."""
    assert plan.roster.entries
    assert {e.date for e in plan.roster.entries} <= {dt.date(2026, 11, 30) + dt.timedelta(days=d)
                                                     for d in range(7)}
    rostered = {(e.date, e.shift) for e in plan.roster.entries}
    assert {(r.date, r.shift) for r in plan.routes} == rostered
    assert set(plan.runs) == {PLANNED, *BASELINES}
    assert all(len(runs) == 3 for runs in plan.runs.values())
    # same seeds in every arm (common random numbers)
    assert [r.seed for r in plan.runs[PLANNED]] == [r.seed for r in plan.runs["hotspot"]]
    comparison = plan.comparison()
    assert len(comparison) == 3 * len(KPI_NAMES)
    assert (comparison["ci_low"] <= comparison["mean"]).all()
    assert (comparison["mean"] <= comparison["ci_high"]).all()
    for runs in plan.runs.values():
        assert all(r.warmup_days == 7 for r in runs)  # KPIs over the planned week only


def test_planned_units_follow_the_roster(plan) -> None:
    """Tests that the simulated plan's units are the rostered people on their shifts."""
    rostered = {(e.date, e.shift, e.staff_id) for e in plan.roster.entries}
    run = plan.runs[PLANNED][0]
    planned = run.units[run.units["kind"] == "planned"]
    assert len(planned) > 0
    assert set(planned["shift"]) <= {e.shift for e in plan.roster.entries}
    assert sum(planned["certified"] + planned["auxiliaries"]) == len(rostered)


def test_report_is_self_contained(plan) -> None:
    """Tests that the report embeds its images and names every arm."""
    page = render_report(plan)
    assert page.startswith("<!doctype html>")
    assert page.count("data:image/png;base64,") >= 6
    assert "src=\"http" not in page
    for arm in (PLANNED, *BASELINES):
        assert arm in page


def test_week_must_be_a_monday_inside_the_horizon(tiny: Scenario) -> None:
    """Tests that a bad week is a clear ScenarioError."""
    with pytest.raises(ScenarioError, match="must be a Monday"):
        plan_week(tiny, dt.date(2026, 12, 1), reps=2)
    with pytest.raises(ScenarioError, match="inside the scenario's horizon"):
        plan_week(tiny, dt.date(2027, 3, 1), reps=2)
