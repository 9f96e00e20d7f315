"""Tests of what a patrol stop is worth (patrolsim.demand.values)."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrolsim.demand.values import (
    PatchRates,
    TypeResponse,
    default_rates,
    failing_hours,
    hidden_hours,
    patch_values,
    shift_slots,
    shift_value,
)
from patrolsim.scenario import Scenario
from patrolsim.sim.deterrence import advance, rate_factor

rates_st = st.floats(0.0, 5.0)
lives_st = st.one_of(st.floats(0.05, 500.0), st.just(math.inf))
intervals_st = st.floats(0.05, 48.0)


def _one_type(life_h: float, residual_h: float = 1.0, presence: float = 0.7) -> TypeResponse:
    one = np.ones(1)
    return TypeResponse(
        life_h * one, 0.1 * one, presence * one, 2.0 * one, residual_h * one, 0.5 * one
    )


def test_hidden_hours_limits() -> None:
    """Tests f(I): r I²/2 for violations that stay, r D (I − D) for short-lived ones."""
    assert hidden_hours(2.0, math.inf, 3.0) == pytest.approx(2.0 * 9.0 / 2.0)
    assert hidden_hours(2.0, 1e6, 3.0) == pytest.approx(9.0 * (1 - 3.0 / 3e6), rel=1e-9)
    assert hidden_hours(1.0, 0.5, 40.0) == pytest.approx(0.5 * (40.0 - 0.5), rel=1e-6)


def test_hidden_hours_is_continuous_where_the_series_takes_over() -> None:
    """Tests that the series and the closed form agree on both sides of the switch."""
    interval = 1.0
    below = hidden_hours(1.0, interval / 0.99e-4, interval)
    above = hidden_hours(1.0, interval / 1.01e-4, interval)
    assert below == pytest.approx(above, rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(rate=rates_st, life=lives_st, interval=intervals_st)
def test_a_visit_in_the_middle_never_adds_hidden_hours(
    rate: float, life: float, interval: float
) -> None:
    """Tests convexity: f(I) ≥ 2 f(I/2) ≥ 0, and f grows with I."""
    whole = float(hidden_hours(rate, life, interval))
    half = float(hidden_hours(rate, life, interval / 2))
    assert whole >= 2 * half - 1e-9 * max(1.0, whole)
    assert half >= 0.0
    assert float(hidden_hours(rate, life, interval * 1.5)) >= whole - 1e-12


@settings(max_examples=100, deadline=None)
@given(life=lives_st, residual=st.floats(0.1, 48.0), window=st.floats(0.1, 24.0))
def test_deterred_hours_grow_with_the_window_and_stay_below_it(
    life: float, residual: float, window: float
) -> None:
    """Tests P(W): non-negative, increasing in W, at most (1 − latent share) · W."""
    resp = _one_type(life, residual)
    p = float(resp.deterred_hours(window)[0])
    assert 0.0 <= p <= 0.5 * window + 1e-9
    assert float(resp.deterred_hours(window * 2)[0]) >= p - 1e-12


def test_no_deterrence_when_presence_does_not_raise_risk() -> None:
    """Tests that P(W) is 0 when a unit's presence leaves the perceived risk at its prior."""
    assert _one_type(5.0, presence=0.1).deterred_hours(8.0)[0] == pytest.approx(0.0)


def test_deterred_hours_follow_the_simulators_deterrence(nanhu: Scenario) -> None:
    """Tests that P(W) is the simulator's own deterrence after a stop: R from the presence
    risk, advanced with no unit present (:func:`patrolsim.sim.deterrence.advance`), the rate
    scaled by its f(R) (:func:`patrolsim.sim.deterrence.rate_factor`)."""
    window_h, steps = 6.0, 200
    resp = TypeResponse.from_scenario(nanhu)
    for k, vt in enumerate(nanhu.violation_types):
        dyn = vt.dynamics
        risk = dyn.presence_risk
        suppressed = [1.0 - rate_factor(risk, dyn)]
        for _ in range(steps):
            risk, _, _, _ = advance(
                risk, dyn.prior_risk, 1.0, 0.0, 60.0 * window_h / steps, False, dyn
            )
            suppressed.append(1.0 - rate_factor(risk, dyn))
        area = sum(a + b for a, b in itertools.pairwise(suppressed)) * window_h / (2 * steps)
        expected = (1.0 - dyn.latent_share) * area
        assert resp.deterred_hours(window_h)[k] == pytest.approx(expected, rel=1e-9), vt.name


def test_first_visit_counts_most_for_violations_that_last() -> None:
    """Tests the concavity that spreads stops: the shift's first visit is worth many repeat
    visits for flyposting-like types, and about one for vendor-like types."""
    slots = shift_slots(8 * 60, 16 * 60, 120)
    rates = np.full((24, 1), 0.2)
    lasting, lasting_first = patch_values(rates, _one_type(math.inf, 12.0), slots, 120)
    brief, brief_first = patch_values(rates, _one_type(0.5, 1.0), slots, 120)
    assert lasting_first > 3 * lasting.max()
    assert brief_first < 1.5 * brief.max()
    assert min(lasting.min(), brief.min()) > 0


def test_repeat_values_follow_the_hour_of_day() -> None:
    """Tests that a slot in the busy hours is worth more than a quiet one."""
    rates = np.zeros((24, 1))
    rates[8:10] = 1.0
    slots = shift_slots(8 * 60, 14 * 60, 120)
    repeat, _ = patch_values(rates, _one_type(1.0), slots, 120)
    assert repeat[0] > repeat[1] >= 0.0
    assert repeat[0] > repeat[2]


@settings(max_examples=100, deadline=None)
@given(rate=rates_st, life=lives_st, interval=intervals_st)
def test_failing_hours_are_a_share_of_the_interval(
    rate: float, life: float, interval: float
) -> None:
    """Tests that an inspection can fail for at most the whole interval, never less than 0."""
    hours = failing_hours(np.array([rate]), np.array([life]), interval)
    assert -1e-12 <= hours <= interval + 1e-9


def test_inspections_weigh_only_in_their_hours() -> None:
    """Tests that failing hours add value to daytime stops and none to night stops."""
    rates = np.full((24, 1), 0.3)
    night = shift_slots(0, 6 * 60, 120)
    day = shift_slots(9 * 60, 15 * 60, 120)
    resp = _one_type(3.0)
    base_night, _ = patch_values(rates, resp, night, 120, (8 * 60, 20 * 60), fail_weight=0.0)
    weighted_night, _ = patch_values(rates, resp, night, 120, (8 * 60, 20 * 60), fail_weight=5)
    base_day, _ = patch_values(rates, resp, day, 120, (8 * 60, 20 * 60), fail_weight=0.0)
    weighted_day, _ = patch_values(rates, resp, day, 120, (8 * 60, 20 * 60), fail_weight=5)
    np.testing.assert_allclose(weighted_night, base_night)
    assert (weighted_day > base_day).all()


def test_patch_rates_reject_mismatched_shapes() -> None:
    """Tests the validation of PatchRates."""
    with pytest.raises(ValueError, match="patches, 24, types"):
        PatchRates(np.zeros((3, 23, 1)), _one_type(1.0))
    with pytest.raises(ValueError, match="response"):
        PatchRates(np.zeros((3, 24, 2)), _one_type(1.0))
    with pytest.raises(ValueError, match=">= 0"):
        PatchRates(-np.ones((3, 24, 1)), _one_type(1.0))


def test_default_rates_sum_to_default_risk_and_value_busy_shifts(nanhu: Scenario) -> None:
    """Tests the scenario-default rates and that a squad's day shift is worth more than its
    small hours (what the demand module shares units by)."""
    day = dt.date(2026, 12, 1)
    rates = default_rates(nanhu, day)
    assert rates.rates.shape == (len(nanhu.patches), 24, len(nanhu.violation_types))
    assert np.isinf(rates.response.life_h).sum() == sum(
        vt.duration_mean_min is None for vt in nanhu.violation_types
    )
    squad = nanhu.squads[0].id
    values = {s.name: shift_value(nanhu, rates, squad, s) for s in nanhu.shifts}
    assert all(v > 0 for v in values.values())
    assert values["day"] > values["night"]


def test_patches_valued_together_equal_patches_valued_one_by_one(nanhu: Scenario) -> None:
    """Tests that valuing a squad's patches in one call (as the routes do) gives each patch
    the value it has alone, across midnight and with inspections weighed in."""
    rates = default_rates(nanhu, dt.date(2026, 12, 1))
    street = [p.index for p in nanhu.patches if p.kind != "base"]
    for shift in nanhu.shifts:
        slots = shift_slots(shift.start_min, shift.end_min, 120)
        repeat, first = patch_values(rates.rates[street], rates.response, slots, 120)
        assert repeat.shape == (len(street), len(slots))
        for row, p in enumerate(street):
            one_repeat, one_first = patch_values(rates.rates[p], rates.response, slots, 120)
            np.testing.assert_allclose(repeat[row], one_repeat, rtol=1e-12)
            assert first[row] == pytest.approx(float(one_first), rel=1e-12)
