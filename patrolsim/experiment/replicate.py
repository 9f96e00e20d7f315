"""Replications with common random numbers, means with confidence intervals, paired differences.

Common random numbers (CRN): every cell of an experiment (a staffing level and a policy) is
simulated with the *same* seeds ``seed, seed + 1, …``. The simulator draws the base violation
arrivals from a stream that depends on the seed only (:mod:`patrolsim.streams`), so two cells
run with one seed face the same street; the difference between their KPIs is then mostly the
effect of the policy, not of the luck of the draw, and a paired comparison (by seed) has a much
narrower confidence interval than a comparison of independent runs.

Confidence intervals are Student-t intervals of the mean over replications,
``mean ± t(1 - α/2, n - 1) · s / √n``; paired differences use the same interval on the
per-seed differences. When two cells share no seed (independent seeds), the difference of
means gets Welch's interval instead.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from patrolsim.scenario.model import KPI_NAMES, Scenario
from patrolsim.sim.engine import simulate

SUMMARY_COLUMNS = ("staffing", "policy", "kpi", "mean", "ci_low", "ci_high", "n")
DIFFERENCE_COLUMNS = (
    "staffing",
    "policy",
    "baseline",
    "kpi",
    "mean_diff",
    "ci_low",
    "ci_high",
    "n",
    "method",
)


@dataclass(frozen=True, slots=True)
class MeanCI:
    """A sample mean with its two-sided confidence interval.

    ``low`` and ``high`` are NaN when fewer than two values were given (no interval exists).
    """

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval (NaN without one)."""
        return (self.high - self.low) / 2.0


def _t_pdf(x: np.ndarray, df: float) -> np.ndarray:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return np.asarray(np.exp(log_c - (df + 1) / 2 * np.log1p(x * x / df)), dtype=float)


def _t_cdf_upper_half(t: float, df: float) -> float:
    """P(0 <= T <= t) for Student's t with ``df`` degrees of freedom (Simpson's rule)."""
    n = 4000  # even; the density is smooth, so the error is far below 1e-9 here
    x = np.linspace(0.0, t, n + 1)
    y = _t_pdf(x, df)
    return float((t / n) / 3.0 * (y[0] + y[-1] + 4.0 * y[1:-1:2].sum() + 2.0 * y[2:-1:2].sum()))


@functools.lru_cache(maxsize=256)
def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom.

    Parameters
    ----------
    p
        Probability, 0.5 <= p < 1 (e.g. 0.975 for a two-sided 95 % interval).
    df
        Degrees of freedom, > 0 (need not be an integer, for Welch's interval).
    """
    if not 0.5 <= p < 1.0:
        raise ValueError(f"Expected p in [0.5, 1), got {p}.")
    if not df > 0:
        raise ValueError(f"Expected df > 0, got {df}.")
    target = p - 0.5
    lo, hi = 0.0, 1.0
    while _t_cdf_upper_half(hi, df) < target:
        lo, hi = hi, hi * 2.0
    for _ in range(60):
        mid = (lo + hi) / 2.0
        if _t_cdf_upper_half(mid, df) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def mean_ci(values: Iterable[float], confidence: float = 0.95) -> MeanCI:
    """Mean of ``values`` with its Student-t confidence interval.

    Parameters
    ----------
    values
        One value per replication (NaNs are dropped).
    confidence
        Two-sided confidence level, 0 < confidence < 1.
    """
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return MeanCI(mean, math.nan, math.nan, n)
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return MeanCI(mean, mean - half, mean + half, n)


def welch_ci(a: Iterable[float], b: Iterable[float], confidence: float = 0.95) -> MeanCI:
    """Difference of means ``mean(a) - mean(b)`` of two independent samples, Welch interval.

    ``n`` of the result is the smaller sample size.
    """
    x = np.asarray(list(a), dtype=float)
    y = np.asarray(list(b), dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n = min(len(x), len(y))
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, 0)
    diff = float(x.mean() - y.mean())
    if n < 2:
        return MeanCI(diff, math.nan, math.nan, n)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = math.sqrt(vx + vy)
    if se == 0.0:
        return MeanCI(diff, diff, diff, n)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    half = t_quantile(0.5 + confidence / 2.0, df) * se
    return MeanCI(diff, diff - half, diff + half, n)


def replication_seeds(seed: int, reps: int, cell: int = 0, common: bool = True) -> tuple[int, ...]:
    """The seeds of one experiment cell.

    Parameters
    ----------
    seed
        First seed of the experiment, >= 0.
    reps
        Replications per cell, >= 1.
    cell
        Index of the cell (only used when ``common`` is false).
    common
        Common random numbers: every cell gets ``seed .. seed + reps - 1``. Otherwise cell
        ``c`` gets ``seed + c·reps .. seed + (c+1)·reps - 1``, so no two cells share a seed.
    """
    if seed < 0:
        raise ValueError(f"Expected seed >= 0, got {seed}.")
    if reps < 1:
        raise ValueError(f"Expected reps >= 1, got {reps}.")
    first = seed if common else seed + cell * reps
    return tuple(range(first, first + reps))


@dataclass(frozen=True, slots=True)
class Replications:
    """Replications of one policy and staffing: one row of KPIs per seed."""

    policy: str
    staffing: float
    runs: pd.DataFrame
    """Columns ``seed`` and every KPI, one row per seed."""

    def to_frame(self) -> pd.DataFrame:
        """One row per seed: ``seed`` and the KPIs."""
        return self.runs.copy()

    def summary(self) -> str:
        """Each KPI's mean with its 95 % confidence interval."""
        lines = [f"{self.policy} · staffing {self.staffing:g} · {len(self.runs)} replications"]
        for kpi in KPI_NAMES:
            ci = mean_ci(self.runs[kpi])
            lines.append(f"  {kpi}: {ci.mean:.4g} (95% CI {ci.low:.4g} to {ci.high:.4g})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def replicate(
    scenario: Scenario,
    policy: str,
    seeds: Sequence[int],
    days: int | None = None,
    staffing: float = 1.0,
    campaigns: bool = False,
) -> Replications:
    """Simulate one cell in this process, one row of KPIs per seed.

    Parameters
    ----------
    scenario
        The district.
    policy
        A base policy name (``posts``, ``mobile``, ``posts+mobile``, ``hotspot``).
    seeds
        One replication per seed; use the same seeds for every cell (common random numbers).
    days, staffing, campaigns
        As for :func:`patrolsim.sim.engine.simulate`.
    """
    rows = []
    for seed in seeds:
        result = simulate(scenario, policy, seed, days=days, staffing=staffing, campaigns=campaigns)
        rows.append({"seed": seed, **{k: float(result.kpis[k]) for k in KPI_NAMES}})
    return Replications(policy, staffing, pd.DataFrame(rows, columns=["seed", *KPI_NAMES]))


def _ordered(values: pd.Series) -> list[object]:
    return list(dict.fromkeys(values.tolist()))


def summarise(
    results: pd.DataFrame, kpis: Sequence[str] = KPI_NAMES, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean and confidence interval of every KPI in every (staffing, policy) cell.

    Parameters
    ----------
    results
        One row per run with columns ``staffing``, ``policy``, ``seed`` and the KPIs.
    kpis
        The KPI columns to summarise.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns ``staffing, policy, kpi, mean, ci_low, ci_high, n``; staffing ascending,
        policies in order of first appearance, KPIs in the order given.
    """
    rows = []
    for staffing in sorted(set(results["staffing"])):
        at = results[results["staffing"] == staffing]
        for policy in _ordered(at["policy"]):
            cell = at[at["policy"] == policy]
            for kpi in kpis:
                ci = mean_ci(cell[kpi], confidence)
                rows.append((staffing, policy, kpi, ci.mean, ci.low, ci.high, ci.n))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def paired_differences(
    results: pd.DataFrame, baseline: str, kpis: Sequence[str] = KPI_NAMES, confidence: float = 0.95
) -> pd.DataFrame:
    """Differences ``policy − baseline`` at each staffing level, with confidence intervals.

    Runs of the two cells are paired by seed (common random numbers): the interval is the
    t interval of the per-seed differences over the seeds both cells have. Cells that share
    fewer than two seeds (independent seeds) are compared by Welch's interval of the
    difference of means instead; the ``method`` column says which (``paired`` or ``welch``).

    Parameters
    ----------
    results
        One row per run with columns ``staffing``, ``policy``, ``seed`` and the KPIs.
    baseline
        The policy every other policy is compared with.
    kpis
        The KPI columns to compare.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns ``staffing, policy, baseline, kpi, mean_diff, ci_low, ci_high, n, method``;
        ``n`` is the number of pairs (paired) or the smaller cell size (welch).
    """
    rows = []
    for staffing in sorted(set(results["staffing"])):
        at = results[results["staffing"] == staffing]
        base = at[at["policy"] == baseline]
        if base.empty:
            continue
        for policy in _ordered(at["policy"]):
            if policy == baseline:
                continue
            other = at[at["policy"] == policy]
            pairs = other.merge(base, on="seed", suffixes=("", "_base"))
            for kpi in kpis:
                if len(pairs) >= 2:
                    ci = mean_ci(pairs[kpi] - pairs[f"{kpi}_base"], confidence)
                    method = "paired"
                else:
                    ci = welch_ci(other[kpi], base[kpi], confidence)
                    method = "welch"
                rows.append(
                    (staffing, policy, baseline, kpi, ci.mean, ci.low, ci.high, ci.n, method)
                )
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))
