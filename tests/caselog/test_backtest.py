"""Tests of the back-test's scores and forecasts (patrolsim.caselog.backtest)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from patrolsim.caselog.backtest import (
    METRICS,
    MODELS,
    BacktestSettings,
    backtest,
    calibration_curve,
    poisson_deviance,
    score,
)
from patrolsim.caselog.fit import FitSettings
from patrolsim.scenario import Scenario
from tests.caselog.test_fit import FIRST, LOG_DAYS, WARMUP, _district, simulated_log


def test_poisson_deviance_known_values() -> None:
    """Tests the unit deviance: zero for a perfect forecast, 2μ for a zero count."""
    assert poisson_deviance([0, 3], [0.5, 3.0]) == pytest.approx([1.0, 0.0])
    assert poisson_deviance([1], [np.e]) == pytest.approx([2 * (-1 - (1 - np.e))])


def _cells() -> pd.DataFrame:
    rows = []
    for week in (1, 2):
        for p in range(10):
            observed = 5 if p == 0 else 0
            rows.append(
                {
                    "week": week,
                    "patch": f"P{p}",
                    "type": "a",
                    "date": "2015-10-01",
                    "observed": observed,
                    "forecast_simulation": 5.0 if p == 0 else 0.1,
                    "forecast_historical_mean": 1.0,
                    "forecast_seasonal_naive": 5.0 if p == 9 else 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_hit_rate_and_pai() -> None:
    """Tests that the hit rate counts the cases in the top 10 % of patches by forecast, and
    PAI divides it by the area share."""
    scores, weekly = score(_cells(), n_patches=10)
    table = scores.pivot(index="model", columns="metric", values="value")
    assert table.loc["simulation", "hit_rate_10"] == 1.0
    assert table.loc["simulation", "pai_10"] == pytest.approx(10.0)
    assert table.loc["seasonal_naive", "hit_rate_10"] == 0.0
    assert (
        table.loc["simulation", "poisson_deviance"]
        < table.loc["historical_mean", "poisson_deviance"]
    )
    assert set(scores["model"]) == set(MODELS)
    assert set(scores["metric"]) == set(METRICS)
    assert len(weekly) == 2 * len(MODELS)
    curve = calibration_curve(_cells(), bins=5)
    assert (curve.groupby("model")["cells"].sum() == 20).all()


def test_backtest_on_a_simulated_log(tiny: Scenario) -> None:
    """Tests a two-week back-test on a log the simulator made: one cell per patch × type ×
    day, every forecast positive, and the simulation's weekly totals near the observed."""
    truth = _district(tiny)
    cases = simulated_log(truth, seed=11)
    street = tuple(p.id for p in truth.patches if p.kind != "base")
    types = tuple(t.name for t in truth.violation_types)
    train_until = FIRST + dt.timedelta(days=WARMUP + LOG_DAYS - 15)
    settings = BacktestSettings(
        weeks=2, reps=1, refit_iter=2, fit=FitSettings(window_days=28, max_iter=3, min_iter=1)
    )
    result = backtest(truth, cases, street, types, train_until, settings, progress=False)
    assert len(result.cells) == 2 * 7 * len(street) * len(types)
    assert (result.cells["forecast_simulation"] > 0).all()
    weekly = result.weekly[result.weekly["model"] == "simulation"]
    ratio = weekly["forecast"] / weekly["observed"]
    assert ratio.between(0.6, 1.6).all(), ratio
    assert "Poisson deviance" in result.summary()
