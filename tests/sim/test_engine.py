"""Tests of the simulation engine: invariants, reproducibility, responses to staff and campaigns."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrolsim.errors import ScenarioError
from patrolsim.scenario import Scenario
from patrolsim.sim import SimResult, simulate
from patrolsim.sim.policies import BASE_POLICIES, scale_staff
from patrolsim.sim.units import BUDGET_CATEGORIES
from patrolsim.sim.violations import sample_candidates


def _conserved(result: SimResult) -> None:
    k = result.kpis
    assert k["violations_started"] == (
        k["violations_handled"] + k["violations_self_ended"] + k["violations_active_end"]
    )
    assert k["violations_active_end"] >= 0


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    policy=st.sampled_from(BASE_POLICIES),
    staffing=st.sampled_from([0.0, 0.5, 1.0, 1.5]),
    days=st.integers(1, 10),
)
def test_conservation_of_violations(
    tiny: Scenario, seed: int, policy: str, staffing: float, days: int
) -> None:
    """Tests that started = handled + self-ended + active at end in every replication."""
    result = simulate(tiny, policy, seed, days=days, staffing=staffing)
    _conserved(result)
    v = result.violations
    assert set(v["outcome"]) <= {"active", "handled", "self_ended", "fled"}
    assert (v["end"] >= v["start"]).all()


@pytest.fixture(scope="module")
def nanhu_runs(nanhu: Scenario) -> dict[str, SimResult]:
    """One 35-day replication of the reference district per base policy, seed 3."""
    return {p: simulate(nanhu, p, seed=3, days=35) for p in BASE_POLICIES}


def test_conservation_and_budget_on_reference_district(nanhu_runs: dict[str, SimResult]) -> None:
    """Tests conservation and that every unit's time budget sums to its shift length."""
    for result in nanhu_runs.values():
        _conserved(result)
        u = result.units
        assert len(u) > 0
        total = u[list(BUDGET_CATEGORIES)].sum(axis=1)
        np.testing.assert_allclose(total, u["end"] - u["start"], atol=1e-6)
        assert (u[list(BUDGET_CATEGORIES)] >= -1e-9).all().all()
        assert (u["overtime"] >= 0).all()


def test_only_units_with_two_certified_officers_sanction(nanhu_runs: dict[str, SimResult]) -> None:
    """Tests that no violation is sanctioned by a unit with fewer than 2 certified officers."""
    for result in nanhu_runs.values():
        certified = dict(zip(result.units["unit"], result.units["certified"], strict=True))
        v = result.violations
        sanctioned = v[v["sanctioned"]]
        assert len(sanctioned) > 0
        assert all(certified[u] >= 2 for u in sanctioned["unit"])
        persuaded = v[(v["outcome"] == "handled") & ~v["sanctioned"]]
        assert all(certified[u] < 2 for u in persuaded["unit"])


def test_auxiliary_only_units_exist_and_only_persuade(
    nanhu_runs: dict[str, SimResult], nanhu: Scenario
) -> None:
    """Tests that spare auxiliaries form persuasion units that never handle sanction-only types."""
    result = nanhu_runs["hotspot"]
    aux_units = set(result.units.loc[result.units["certified"] < 2, "unit"])
    assert aux_units
    sanction_types = {
        i for i, vt in enumerate(nanhu.violation_types) if vt.handled_by == "sanction"
    }
    v = result.violations
    by_aux = v[v["unit"].isin(aux_units) & (v["outcome"] == "handled")]
    assert not set(by_aux["type"]) & sanction_types


def test_same_seed_same_result(tiny: Scenario) -> None:
    """Tests that the same seed gives identical tables; another seed gives different ones."""
    a = simulate(tiny, "hotspot", seed=11, days=10)
    b = simulate(tiny, "hotspot", seed=11, days=10)
    c = simulate(tiny, "hotspot", seed=12, days=10)
    assert a.kpis == b.kpis
    assert a.violations.equals(b.violations)
    assert a.units.equals(b.units)
    assert not a.violations.equals(c.violations)


def test_common_random_numbers_across_policies(tiny: Scenario) -> None:
    """Tests that base arrivals depend only on the seed, not on policy or staffing."""
    first = sample_candidates(tiny, 5, 7)
    again = sample_candidates(tiny, 5, 7)
    np.testing.assert_array_equal(first.time, again.time)
    # with no enforcement at all, two policies see exactly the same violations
    a = simulate(tiny, "posts", seed=5, days=7, staffing=0.0, campaigns=False)
    b = simulate(tiny, "hotspot", seed=5, days=7, staffing=0.0, campaigns=False)
    assert a.violations[["patch", "type", "start"]].equals(b.violations[["patch", "type", "start"]])


def test_more_staff_fewer_violation_hours(nanhu: Scenario) -> None:
    """Tests that violation-hours fall as staffing rises (mean of 3 seeds, CRN, 3 levels)."""
    means = []
    for staffing in (0.5, 1.0, 2.0):
        hours = [
            simulate(nanhu, "hotspot", seed, days=21, staffing=staffing, campaigns=False).kpis[
                "violation_hours"
            ]
            for seed in (1, 2, 3)
        ]
        means.append(np.mean(hours))
    assert means[0] > means[1] > means[2]


def test_campaign_lowers_violations_then_they_return(tiny: Scenario) -> None:
    """Tests that a campaign lowers violations at its targets during it and they rise after."""
    campaign = tiny.campaigns[0]
    targets = [p.index for p in tiny.patches if campaign.targets_patch(p) and p.kind != "base"]
    lo = (campaign.start - tiny.start_date).days * 1440.0
    hi = (campaign.end - tiny.start_date).days * 1440.0 + 1440.0
    after_hi = hi + (hi - lo)

    def counts(result: SimResult) -> tuple[int, int]:
        v = result.violations
        at = v[v["patch"].isin(targets)]
        during = int(((at["start"] >= lo) & (at["start"] < hi)).sum())
        after = int(((at["start"] >= hi) & (at["start"] < after_hi)).sum())
        return during, after

    with_c = np.array([counts(simulate(tiny, "mobile", s, days=28)) for s in range(6)])
    without = np.array(
        [counts(simulate(tiny, "mobile", s, days=28, campaigns=False)) for s in range(6)]
    )
    assert with_c[:, 0].sum() < without[:, 0].sum()  # lower during the campaign
    assert with_c[:, 1].sum() > with_c[:, 0].sum()  # and rising again after it ends


def test_staffing_is_stratified(nanhu: Scenario) -> None:
    """Tests that scaling the staff keeps the mix of roles and squads."""
    half = scale_staff(nanhu.staff, 0.5)
    double = scale_staff(nanhu.staff, 2.0)
    assert len(double) == 2 * len(nanhu.staff)
    for squad in ("S1", "S2"):
        for role in ("certified", "auxiliary", "leader"):
            n = sum(1 for s in nanhu.staff if s.squad == squad and s.role == role)
            kept = sum(1 for s in half if s.squad == squad and s.role == role)
            assert kept == max(1, round(n / 2))
    assert len({s.id for s in double}) == len(double)


def test_off_street_duties_are_taken(nanhu_runs: dict[str, SimResult], nanhu: Scenario) -> None:
    """Tests that day-shift units spend time off the street on duty days (Friday study)."""
    u = nanhu_runs["posts"].units
    friday = [d for d in range(35) if (nanhu.start_date + dt.timedelta(days=d)).weekday() == 4]
    day_units = u[(u["shift"] == "day") & ((u["start"] // 1440).isin(friday))]
    assert len(day_units) > 0
    # 15:00–16:30 study; a unit busy with a case when it starts comes late (or not at all)
    assert (day_units["off_street"] > 0).mean() >= 0.8
    assert day_units["off_street"].max() == pytest.approx(90.0)
    assert (day_units["off_street"] <= 90.0 + 1e-6).all()
    tuesday = [d for d in range(35) if (nanhu.start_date + dt.timedelta(days=d)).weekday() == 1]
    assert (u.loc[(u["start"] // 1440).isin(tuesday), "off_street"] == 0).all()
    assert (u["break"] > 0).any()


def test_bad_arguments(tiny: Scenario) -> None:
    """Tests that impossible days, seeds and staffing are one clear ScenarioError."""
    with pytest.raises(ScenarioError) as info:
        simulate(tiny, "posts", seed=-1, days=400, staffing=-1)
    text = "\n".join(info.value.problems)
    assert "--days" in text
    assert "--seed" in text
    assert "--staffing" in text
    with pytest.raises(ScenarioError, match="unknown policy"):
        simulate(tiny, "patrol-everywhere", seed=1, days=2)


def test_persistent_violations_grow(tiny: Scenario) -> None:
    """Tests that handling a persistent, growing violation takes longer the older it is."""
    from patrolsim.sim.violations import Violation, ViolationField

    vt = dataclasses.replace(
        tiny.violation_types[1],
        dynamics=dataclasses.replace(tiny.violation_types[1].dynamics, growth_per_day=0.5),
    )
    scenario = dataclasses.replace(tiny, violation_types=(tiny.violation_types[0], vt))
    field = ViolationField(scenario, seed=1, days=2)
    young = Violation(0, 1, 1, 0.0, float("inf"), "fresh")
    draws_young = np.mean([field.handling_minutes(young, 10.0) for _ in range(400)])
    draws_old = np.mean([field.handling_minutes(young, 10 * 1440.0) for _ in range(400)])
    assert draws_old > 3 * draws_young


def test_no_violation_is_handled_after_it_ended_by_itself(nanhu_runs: dict[str, SimResult]) -> None:
    """Tests that a unit only starts handling a violation that has not yet ended by itself."""
    for result in nanhu_runs.values():
        v = result.violations
        handled = v[v["outcome"] == "handled"]
        assert len(handled) > 0
        assert (handled["handling_from"] < handled["self_end"]).all()
        assert (handled["handling_from"] >= handled["start"]).all()
        self_ended = v[v["outcome"] == "self_ended"]
        assert (self_ended["end"] == self_ended["self_end"]).all()
