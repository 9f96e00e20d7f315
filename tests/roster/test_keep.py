"""Tests of stable re-planning around an issued roster (``--keep``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from patrolsim.roster import RosterProblem, solve_roster
from patrolsim.roster.cpsat import RosterParams
from patrolsim.roster.inputs import default_requirements
from patrolsim.roster.keep import (
    CHANGES_COLUMNS,
    change_summary,
    changes_frame,
    keep_problem,
    keep_weight,
    kept_share,
)
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import Leave

WEEK = dt.date(2026, 11, 30)
PARAMS = RosterParams(time_limit_s=None, max_deterministic_time=3.0, num_workers=1, seed=0)


@pytest.fixture(scope="module")
def replanned(tiny: Scenario):
    """The tiny week's roster, then the same week re-planned with two new absences."""
    issued = solve_roster(RosterProblem(tiny, WEEK, 7, default_requirements(tiny, WEEK)), PARAMS)
    before = {(e.staff_id, e.date): e.shift for e in issued.entries}
    worked = sorted(before)
    absent = [worked[0], worked[-1]]
    leave = (*tiny.leave, *(Leave(sid, d, d, "sick") for sid, d in absent))
    now = dataclasses.replace(tiny, leave=leave)
    problem = keep_problem(RosterProblem(now, WEEK, 7, default_requirements(now, WEEK)), before)
    return now, before, absent, solve_roster(problem, PARAMS)


def test_keep_outweighs_every_soft_rule_but_cover(tiny: Scenario) -> None:
    """Tests that a change costs more than any soft rule except missing cover."""
    w = tiny.roster.weights
    weight = keep_weight(w)
    assert weight > max(
        w.surplus,
        w.preference,
        w.fairness_nights,
        w.fairness_weekends,
        w.shift_consistency,
        w.weekend_pair,
    )
    assert weight < w.shortfall


@pytest.mark.slow
def test_two_new_absences_keep_at_least_90_percent(replanned) -> None:
    """Tests that re-planning keeps ≥ 90 % of the issued assignments and honours the leave."""
    _, before, absent, roster = replanned
    kept, total = kept_share(before, roster)
    assert kept / total >= 0.9
    now = {(e.staff_id, e.date) for e in roster.entries}
    assert not now & set(absent)


@pytest.mark.slow
def test_changes_list_every_change_with_a_reason(replanned) -> None:
    """Tests changes.csv's rows and the one-line summary in both languages."""
    scenario, before, absent, roster = replanned
    changes = changes_frame(before, roster, scenario)
    assert tuple(changes.columns) == CHANGES_COLUMNS
    kept, total = kept_share(before, roster)
    assert len(changes) >= total - kept
    leave_rows = changes[changes["after"] == "假"]
    assert {(r.staff_id, dt.date.fromisoformat(r.date)) for r in leave_rows.itertuples()} == set(
        absent
    )
    assert all(leave_rows["reason"] == "请假(病假)")
    people = changes["staff_id"].nunique()
    assert change_summary(changes) == f"{people} 人调整 {len(changes)} 个班次"
    assert change_summary(changes, "en").endswith(f"{len(changes)} shifts")
