"""Tests of the week's demand: Erlang C, sharing units out, risk and rates from simulation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrolsim.demand.cover import (
    _share_out,
    erlang_c_wait_probability,
    units_for_response,
    weekly_demand,
)
from patrolsim.scenario import Scenario
from patrolsim.sim import simulate
from patrolsim.sim.policies import PostsMobilePolicy

WEEK = dt.date(2026, 11, 30)


def test_erlang_c_matches_the_formula_by_hand() -> None:
    """Tests P(wait) for M/M/3 at offered load A = 1.8 (ρ = 0.6) against the formula by hand:
    (A³/3! · 3/(3 − A)) / (1 + A + A²/2 + A³/3! · 3/(3 − A)) = 2.43 / 6.85."""
    assert erlang_c_wait_probability(3, 1.8) == pytest.approx(2.43 / 6.85, rel=1e-12)
    assert erlang_c_wait_probability(2, 2.5) == 1.0
    assert erlang_c_wait_probability(4, 0.0) == 0.0


def test_units_for_response_grow_with_the_load() -> None:
    """Tests that more complaints or a stricter target never ask for fewer units."""
    low = units_for_response(1.0, 30.0, 20.0, 0.8)
    high = units_for_response(4.0, 30.0, 20.0, 0.8)
    strict = units_for_response(4.0, 30.0, 5.0, 0.95)
    assert 1 <= low <= high <= strict
    assert units_for_response(0.0, 30.0, 20.0, 0.8) == 0


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(0, 60),
    weights=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=6),
    data=st.data(),
)
def test_share_out_keeps_total_and_floors(total: int, weights: list[float], data) -> None:
    """Tests largest-remainder sharing: floors kept, the total met whenever floors allow."""
    floors = data.draw(st.lists(st.integers(0, 5), min_size=len(weights), max_size=len(weights)))
    out = _share_out(total, weights, floors)
    assert all(o >= f for o, f in zip(out, floors, strict=True))
    assert sum(out) == max(total, sum(floors))


@pytest.fixture(scope="module")
def demand(tiny: Scenario):
    """Demand of the tiny district's second week from two baseline replications."""
    runs = [simulate(tiny, PostsMobilePolicy(), seed, days=14) for seed in (0, 1)]
    return weekly_demand(tiny, runs, WEEK)


def test_demand_shapes_and_bases(demand, tiny: Scenario) -> None:
    """Tests the arrays: one week, every patch, 24 hours (and types); nothing at squad bases."""
    n_p, n_v = len(tiny.patches), len(tiny.violation_types)
    assert demand.rates.shape == (7, n_p, 24, n_v)
    assert (demand.rates >= 0).all()
    assert demand.rates.sum() > 0
    for sq in tiny.squads:
        assert demand.rates[:, sq.base_index].sum() == 0
    assert demand.patch_rates(3).rates.shape == (n_p, 24, n_v)


def test_requirements_use_the_officers_there_are(demand, tiny: Scenario) -> None:
    """Tests cover requirements: every day × shift × squad, never more units a day than the
    squad's certified officers on duty can form, and at least what Erlang C asks."""
    rules = tiny.roster
    shifts = [s.name for s in tiny.shifts if rules.default_cover.get(s.name, 0) > 0]
    seen = {(r.date, r.shift, r.squad) for r in demand.requirements}
    assert len(seen) == len(demand.requirements) == 7 * len(shifts) * len(tiny.squads)
    for sq in tiny.squads:
        for d in range(7):
            date = WEEK + dt.timedelta(days=d)
            present = [
                m
                for m in tiny.staff
                if m.squad == sq.id and m.certified and not tiny.on_leave(m.id, date)
            ]
            units = [r for r in demand.requirements if r.date == date and r.squad == sq.id]
            assert sum(r.units for r in units) <= len(present) // rules.unit_certified
            assert all(r.auxiliaries >= r.units * rules.unit_auxiliaries for r in units)
    assert np.all(demand.complaint_units >= 0)


def test_short_of_units_the_floors_keep_every_hour_covered() -> None:
    """Tests that when Erlang C asks for more units than there are, the unit given up is the
    one whose hours others cover (the day shift between early and late), not the only one on
    at six in the morning."""
    from patrolsim.demand.cover import _fit_floors

    hours = {
        "early": range(6, 14),
        "day": range(8, 17),
        "late": range(14, 22),
        "night": [18, 19, 20, 21, 22, 23, 0, 1],
    }
    complaints = np.full(24, 0.3)
    floors = _fit_floors([1, 1, 1, 1], 3, list(hours.values()), complaints)
    assert floors == [1, 0, 1, 1]
    assert _fit_floors([2, 1, 1, 1], 3, list(hours.values()), complaints) == [1, 0, 1, 1]
    assert sum(_fit_floors([3, 3, 3, 3], 5, list(hours.values()), complaints)) == 5
