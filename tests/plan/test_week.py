"""Tests of the weekly plan pipeline on the tiny district (small, deterministic budgets)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest

from patrolsim.errors import ScenarioError
from patrolsim.plan.cover import short_rows, standard_cover
from patrolsim.plan.week import BASELINES, PLANNED, plan_week
from patrolsim.report import render_report
from patrolsim.roster import RosterProblem, solve_roster
from patrolsim.roster.cpsat import RosterParams
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import KPI_NAMES
from patrolsim.sim.engine import simulate
from patrolsim.terms import policy_term, term


@pytest.fixture(scope="module")
def plan(tiny: Scenario):
    """One small plan of the tiny district's second week."""
    return plan_week(tiny, dt.date(2026, 11, 30), reps=3, seed=1, route_branches=500)


def test_plan_has_roster_routes_and_comparison(plan, tiny: Scenario) -> None:
    """Tests that the pipeline yields a roster, routes for rostered shifts, and three arms."""
    assert plan.roster.entries
    assert {e.date for e in plan.roster.entries} <= {
        dt.date(2026, 11, 30) + dt.timedelta(days=d) for d in range(7)
    }
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_is_self_contained(plan, lang: str) -> None:
    """Tests that the report embeds its images and its font and names every arm in words."""
    page = render_report(plan, lang)
    assert page.startswith("<!doctype html>")
    assert page.count("data:image/png;base64,") >= 6
    assert page.count("data:font/otf;base64,") == 1
    assert 'src="http' not in page
    for arm in (PLANNED, *BASELINES):
        assert html.escape(policy_term(arm, lang)) in page


def test_report_verdict_names_every_kpi_without_jargon(plan) -> None:
    """Tests that the verdict names every KPI in Chinese and no solver figures reach the page."""
    page = render_report(plan, "zh")
    verdict = page[page.index('class="verdict"') : page.index("</div>")]
    for kpi in KPI_NAMES:
        assert term(kpi) in verdict, kpi
    text = re.sub(r"<style>.*?</style>|data:[^\"')]+", "", page, flags=re.S)
    for jargon in ("FEASIBLE", "OPTIMAL", "objective", "bound", "gap", "e+0", "difference"):
        assert jargon not in text, jargon
    for words in ("应配", "实配", "缺口"):
        assert words in verdict


def test_week_must_be_a_monday_inside_the_horizon(tiny: Scenario) -> None:
    """Tests that a bad week is a clear ScenarioError."""
    with pytest.raises(ScenarioError, match="must be a Monday"):
        plan_week(tiny, dt.date(2026, 12, 1), reps=2)
    with pytest.raises(ScenarioError, match="inside the scenario's horizon"):
        plan_week(tiny, dt.date(2027, 3, 1), reps=2)


def test_first_week_of_the_horizon_can_be_simulated_from_day_0(tiny: Scenario) -> None:
    """Tests that a run measured from its first day is not refused for the warm-up (the
    weekly plan of the horizon's first week)."""
    sc = dataclasses.replace(tiny, warmup_days=7)
    result = simulate(sc, "posts+mobile", 0, days=7, measure_from_day=0)
    assert result.kpis["violations_started"] > 0
    with pytest.raises(ScenarioError, match="--days: must be longer than the warm-up"):
        simulate(sc, "posts+mobile", 0, days=7)


def test_plan_and_roster_agree_on_uncovered_shifts(plan, tiny: Scenario) -> None:
    """Tests that a roster solved for the plan's cover is short on exactly the plan's shifts,
    both measured against the standard cover (required, provided and short apart)."""
    roster = solve_roster(
        RosterProblem(tiny, plan.week_start, 7, plan.demand.requirements),
        RosterParams(time_limit_s=None, max_deterministic_time=2.0, num_workers=1, seed=0),
    )
    cover = standard_cover(plan.roster, tiny)
    assert {"units_required", "units_provided", "units_short"} <= set(cover.columns)
    keys = ["date", "shift", "squad", "units_short"]
    assert (
        short_rows(cover)[keys].values.tolist()
        == short_rows(standard_cover(roster, tiny))[keys].values.tolist()
    )
