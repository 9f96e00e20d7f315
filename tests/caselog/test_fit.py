"""Tests of the log targets and the simulation-based fit (patrolsim.caselog.targets, fit)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from patrolsim.caselog.fit import FitSettings, fit_scenario, window_scenario
from patrolsim.caselog.targets import log_targets
from patrolsim.scenario import Scenario
from patrolsim.sim.engine import simulate
from patrolsim.sim.violations import base_rates

FIRST = dt.date(2026, 10, 12)  # a Monday; no public holiday in the 77 days that follow
WARMUP = 21
LOG_DAYS = 56


def _district(tiny: Scenario, factor: float = 4.0) -> Scenario:
    """The tiny district with its rates multiplied by ``factor`` (enough cases to fit)."""
    types = tuple(
        dataclasses.replace(
            t, base_rate_per_day={k: factor * x for k, x in t.base_rate_per_day.items()}
        )
        for t in tiny.violation_types
    )
    return dataclasses.replace(tiny, violation_types=types)


def simulated_log(scenario: Scenario, seed: int) -> pd.DataFrame:
    """The cases the simulator records in ``LOG_DAYS`` days after a warm-up, as a placed log."""
    true = window_scenario(scenario, FIRST, WARMUP + LOG_DAYS)
    v = simulate(true, "posts+mobile", seed, campaigns=False).violations
    when = np.fmin(v["detected"], v["complained"])
    m = (when >= WARMUP * 1440).to_numpy()
    complained = v["complained"][m]
    detected = v["detected"][m]
    citizen = complained.notna() & (detected.isna() | (complained <= detected))
    return pd.DataFrame(
        {
            "patch": [true.patches[p].id for p in v["patch"][m]],
            "type": [true.violation_types[t].name for t in v["type"][m]],
            "reported_at": pd.Timestamp(FIRST) + pd.to_timedelta(when[m], unit="min"),
            "channel": np.where(citizen, "citizen", "patrol"),
            "closed_at": pd.NaT,
        }
    )


def _targets(scenario: Scenario, cases: pd.DataFrame):
    street = tuple(p.id for p in scenario.patches if p.kind != "base")
    types = tuple(t.name for t in scenario.violation_types)
    until = FIRST + dt.timedelta(days=WARMUP + LOG_DAYS - 1)
    return log_targets(cases, street, types, until, "CN", window_days=LOG_DAYS)


def test_fit_recovers_known_parameters(tiny: Scenario) -> None:
    """Tests that a log simulated from known parameters is fitted back within tolerance.

    The log (seed 8, ~760 recorded cases in 8 weeks) is fitted with other seeds from a
    scenario whose complaint probabilities are three times too high. Stated tolerances: each
    type's total true rate within 25 % (street vending comes out 10–15 % low on such logs:
    its recorded share is only about a sixth of the true violations, so a little error in the
    citizens' share moves the rate a lot) and complaint probabilities within a factor 1.6.
    """
    truth = _district(tiny)
    cases = simulated_log(truth, seed=8)
    targets = _targets(truth, cases)
    wrong = dataclasses.replace(
        truth,
        violation_types=tuple(
            dataclasses.replace(t, complaint_probability=3 * t.complaint_probability)
            for t in truth.violation_types
        ),
    )
    fit = fit_scenario(
        wrong, targets, FitSettings(window_days=LOG_DAYS, min_iter=6, max_iter=8), progress=False
    )
    street = [truth.patch_index(p) for p in targets.patches]
    true_rates = base_rates(truth)[street]
    totals = fit.state.rates.sum(axis=0) / true_rates.sum(axis=0)
    assert np.all(np.abs(totals - 1) < 0.25), totals
    cp_true = np.array([t.complaint_probability for t in truth.violation_types])
    ratio = fit.state.complaint_probability / cp_true
    assert np.all((ratio > 1 / 1.6) & (ratio < 1.6)), ratio
    # the busiest patch of each type stays the busiest
    assert np.array_equal(fit.state.rates.argmax(axis=0), true_rates.argmax(axis=0))
    last = fit.history[fit.history["iteration"] == fit.iterations]
    gap = np.abs(last["simulated"] / last["target"] - 1)
    assert np.all(gap <= np.maximum(0.03, last["noise"]) + 0.15)


def test_fit_is_reproducible(tiny: Scenario) -> None:
    """Tests that the same seed gives the same fitted rates, profiles and channels."""
    truth = _district(tiny)
    targets = _targets(truth, simulated_log(truth, seed=3))
    settings = FitSettings(window_days=LOG_DAYS, fit_days=14, min_iter=2, max_iter=2)
    a = fit_scenario(truth, targets, settings, progress=False)
    b = fit_scenario(truth, targets, settings, progress=False)
    assert np.array_equal(a.state.rates, b.state.rates)
    assert np.array_equal(a.state.hour_profile, b.state.hour_profile)
    assert np.array_equal(a.state.complaint_probability, b.state.complaint_probability)
    assert a.history.equals(b.history)


def test_targets_shrink_sparse_patches(tiny: Scenario) -> None:
    """Tests that a patch without cases gets a small positive rate, profiles have mean 1, and
    a log without holidays leaves the holiday multipliers at 1."""
    truth = _district(tiny)
    cases = simulated_log(truth, seed=5)
    targets = _targets(truth, cases)
    v = targets.types.index("street_vending")
    empty = targets.recent_cases[:, v] == 0
    assert empty.any()  # the back lane has no vending
    assert np.all(targets.recorded_rate[empty, v] > 0)
    assert np.all(targets.recorded_rate[empty, v] < targets.recorded_rate[~empty, v].min())
    assert np.allclose(targets.hour_profile.mean(axis=1), 1)
    assert np.allclose(targets.weekday_profile.mean(axis=1), 1)
    assert np.allclose(targets.holiday_multiplier, 1)
    lo, hi = targets.rate_ci[..., 0], targets.rate_ci[..., 1]
    assert np.all((lo <= targets.recorded_rate) & (targets.recorded_rate <= hi))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reps": 0}, "reps"),
        ({"fit_days": 3}, "fit_days"),
        ({"tolerance": 0}, "tolerance"),
        ({"min_iter": 5, "max_iter": 2}, "min_iter"),
    ],
)
def test_fit_settings_are_checked(kwargs: dict, field: str) -> None:
    """Tests that bad fit settings are refused, naming the field."""
    with pytest.raises(ValueError, match=field):
        FitSettings(**kwargs)
