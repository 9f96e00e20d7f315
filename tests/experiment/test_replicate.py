"""Tests of replications, confidence intervals and paired differences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from patrolsim.experiment.replicate import (
    mean_ci,
    paired_differences,
    replicate,
    replication_seeds,
    summarise,
    t_quantile,
    welch_ci,
)
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import KPI_NAMES


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.7062),
        (0.975, 2, 4.3027),
        (0.975, 4, 2.7764),
        (0.975, 9, 2.2622),
        (0.975, 19, 2.0930),
        (0.975, 30, 2.0423),
        (0.95, 4, 2.1318),
        (0.995, 10, 3.1693),
        (0.5, 3, 0.0),
    ],
)
def test_t_quantile_matches_tables(p: float, df: int, expected: float) -> None:
    """Tests that Student-t quantiles match the printed tables to four decimals."""
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(("p", "df"), [(0.4, 3), (1.0, 3), (0.975, 0), (0.975, -2)])
def test_t_quantile_rejects_bad_arguments(p: float, df: float) -> None:
    """Tests that probabilities outside [0.5, 1) and non-positive df are refused."""
    with pytest.raises(ValueError, match="Expected"):
        t_quantile(p, df)


def test_mean_ci_is_the_t_interval() -> None:
    """Tests that mean_ci gives mean ± t·s/√n and no interval for one value."""
    x = [1.0, 2.0, 3.0, 4.0, 10.0]
    ci = mean_ci(x)
    half = 2.7764451 * np.std(x, ddof=1) / math.sqrt(5)
    assert ci.mean == pytest.approx(4.0)
    assert (ci.low, ci.high) == pytest.approx((4.0 - half, 4.0 + half))
    assert ci.n == 5
    assert ci.half_width == pytest.approx(half)
    one = mean_ci([3.0])
    assert one.mean == 3.0
    assert math.isnan(one.low)
    assert math.isnan(one.high)
    same = mean_ci([2.0, 2.0, 2.0])
    assert (same.low, same.high) == (2.0, 2.0)
    assert mean_ci([1.0, float("nan"), 3.0]).n == 2


def test_welch_ci_against_a_hand_computation() -> None:
    """Tests Welch's interval of a difference of means on two small samples."""
    a, b = [10.0, 12.0, 14.0], [1.0, 2.0, 3.0, 4.0]
    va, vb = np.var(a, ddof=1) / 3, np.var(b, ddof=1) / 4
    df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 3)
    half = t_quantile(0.975, df) * math.sqrt(va + vb)
    ci = welch_ci(a, b)
    assert ci.mean == pytest.approx(12.0 - 2.5)
    assert ci.high - ci.mean == pytest.approx(half)
    assert ci.n == 3


def test_replication_seeds_common_and_independent() -> None:
    """Tests that CRN gives every cell the same seeds and independent seeds never overlap."""
    assert replication_seeds(5, 3, cell=0) == (5, 6, 7)
    assert replication_seeds(5, 3, cell=4) == (5, 6, 7)
    cells = [set(replication_seeds(5, 3, cell=c, common=False)) for c in range(4)]
    assert all(not (cells[i] & cells[j]) for i in range(4) for j in range(i + 1, 4))
    with pytest.raises(ValueError, match="reps"):
        replication_seeds(0, 0)


def _frame(rows: list[tuple[float, str, int, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["staffing", "policy", "seed", "violation_hours"])
    return df


def test_summarise_orders_cells_and_counts() -> None:
    """Tests that summarise gives one row per cell and KPI with the cell's mean, CI and n."""
    df = _frame(
        [
            (1.0, "b", 0, 4.0),
            (1.0, "b", 1, 6.0),
            (0.5, "a", 0, 1.0),
            (0.5, "a", 1, 3.0),
            (0.5, "b", 0, 9.0),
            (0.5, "b", 1, 11.0),
            (1.0, "a", 0, 0.0),
            (1.0, "a", 1, 2.0),
        ]
    )
    s = summarise(df, ["violation_hours"])
    assert list(s.columns) == ["staffing", "policy", "kpi", "mean", "ci_low", "ci_high", "n"]
    assert list(zip(s["staffing"], s["policy"], s["mean"], strict=True)) == [
        (0.5, "a", 2.0),
        (0.5, "b", 10.0),
        (1.0, "b", 5.0),
        (1.0, "a", 1.0),
    ]
    assert (s["n"] == 2).all()


def test_paired_differences_pair_by_seed_and_fall_back_to_welch() -> None:
    """Tests that differences pair runs by seed, and use Welch when cells share no seed."""
    df = _frame(
        [
            (1.0, "base", 0, 10.0),
            (1.0, "base", 1, 20.0),
            (1.0, "base", 2, 30.0),
            (1.0, "new", 2, 28.0),
            (1.0, "new", 0, 9.0),
            (1.0, "new", 1, 18.5),
            (1.0, "other", 7, 5.0),
            (1.0, "other", 8, 7.0),
        ]
    )
    d = paired_differences(df, "base", ["violation_hours"])
    new = d[d["policy"] == "new"].iloc[0]
    diffs = [-1.0, -1.5, -2.0]
    ci = mean_ci(diffs)
    assert new["method"] == "paired"
    assert new["mean_diff"] == pytest.approx(-1.5)
    assert (new["ci_low"], new["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert new["n"] == 3
    other = d[d["policy"] == "other"].iloc[0]
    assert other["method"] == "welch"
    assert other["mean_diff"] == pytest.approx(6.0 - 20.0)
    assert set(d["baseline"]) == {"base"}


def test_replicate_same_seeds_same_rows(tiny: Scenario) -> None:
    """Tests that replicate gives one row per seed and the same numbers for the same seeds."""
    a = replicate(tiny, "hotspot", [3, 4], days=10).to_frame()
    b = replicate(tiny, "hotspot", [3, 4], days=10).to_frame()
    assert list(a.columns) == ["seed", *KPI_NAMES]
    assert list(a["seed"]) == [3, 4]
    pd.testing.assert_frame_equal(a, b)
    assert not a.iloc[0].equals(a.iloc[1])
