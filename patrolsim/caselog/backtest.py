"""Back-test: how well the calibrated simulator forecasts weeks the fit has not seen.

Rolling origin, week by week: for each held-out week, fit on everything before it
(:func:`~patrolsim.caselog.fit.fit_scenario`, continuing from the previous week's fit), then
forecast the week's recorded cases per patch × type × day by simulation, and score them
against the log. Two baselines are forecast on the same cells:

``historical_mean``
    The mean recorded cases per day of the patch and type over everything before the week.
``seasonal_naive``
    The mean of the patch and type on the same weekday over the last 4 weeks.

The simulation forecast is the mean of replications, taken as a yield: each replication
simulates the fitted scenario over the fit's warm-up and window before the week and the week
itself; its recorded cases per patch × type over the last :data:`YIELD_SPAN_DAYS` days, over
the replications, divided by the true base arrivals there and pooled towards the type's yield
like the fit's, give the share of true violations that get recorded. Forecast = that yield ×
the fitted true rate × the day's (recorded) weekday and holiday weight. This is the
replications' mean with much less Monte-Carlo noise per cell than raw counts of one week give
(a cell averages 0.05 cases a day, and broken windows make single runs swing).

Scores per model: mean Poisson deviance per cell, mean absolute error, the share of the week's
cases in the 10 % of patches with the highest forecast (hit rate) and the prediction accuracy
index PAI = hit rate / area share (Chainey et al. 2008), both averaged over the weeks. The
deviance needs a positive forecast: every model's forecast is floored at
:data:`FORECAST_FLOOR` before scoring (none of the simulation's cells is below it).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd
from tqdm import tqdm

from patrolsim.caselog.fit import (
    WARMUP_DAYS,
    YIELD_PSEUDO,
    FitSettings,
    FitState,
    fit_scenario,
    recorded_counts,
    window_scenario,
)
from patrolsim.caselog.targets import day_weights, log_targets
from patrolsim.caselog.terms import term
from patrolsim.scenario.model import Scenario
from patrolsim.sim.engine import simulate

MODELS = ("simulation", "historical_mean", "seasonal_naive")
METRICS = ("poisson_deviance", "mae", "hit_rate_10", "pai_10")
FORECAST_FLOOR = 0.01
"""Cases per cell-day below which no forecast is scored (Poisson deviance is infinite for a
zero forecast of a cell that has a case): one case in a hundred days."""
SEASONAL_WEEKS = 4
"""Weeks of the seasonal naive baseline (as issue 37 defines it)."""
TOP_SHARE = 0.10
"""Share of patches in the hit rate and PAI (as issue 37 defines them)."""
YIELD_SPAN_DAYS = 28
"""Days (the held-out week and the three before it) over which a replication's recorded
share of the true violations is measured for the forecast."""


@dataclass(frozen=True, slots=True)
class BacktestSettings:
    """Weeks, replications and the fit's settings."""

    weeks: int = 13
    reps: int = 4
    """Forecast replications per week."""
    refit_iter: int = 6
    """Iterations of each week's refit (it continues from the previous week's fit)."""
    fit: FitSettings = field(default_factory=FitSettings)

    def __post_init__(self) -> None:
        """Check the settings."""
        if self.weeks < 1:
            raise ValueError(f"Expected weeks >= 1, got {self.weeks}.")
        if self.reps < 1:
            raise ValueError(f"Expected reps >= 1, got {self.reps}.")
        if self.refit_iter < 1:
            raise ValueError(f"Expected refit_iter >= 1, got {self.refit_iter}.")


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """Forecasts and scores of a rolling-origin back-test."""

    train_until: dt.date
    weeks: int
    cells: pd.DataFrame = field(repr=False)
    """``week, patch, type, date, observed, forecast_<model>`` (one row per cell)."""
    scores: pd.DataFrame = field(repr=False)
    """``model, metric, value``."""
    weekly: pd.DataFrame = field(repr=False)
    """Per week and model: observed and forecast totals, hit rate."""
    fits: pd.DataFrame = field(repr=False)
    """Per week: iterations and whether the refit converged."""

    def summary(self) -> str:
        """The scores table (Chinese first)."""
        table = self.scores.pivot(index="model", columns="metric", values="value")
        lines = [f"back-test: {self.weeks} weeks after {self.train_until}, {len(self.cells)} cells"]
        head = "  ".join(f"{term(m)}" for m in METRICS)
        lines.append(f"  {'model':<26}{head}")
        for model in MODELS:
            values = "  ".join(f"{table.loc[model, m]:.4f}" for m in METRICS)
            lines.append(f"  {term(model):<26}{values}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The scores, one row per model and metric."""
        return self.scores


def poisson_deviance(observed: npt.ArrayLike, forecast: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Unit Poisson deviance per cell, 2 (y log(y/μ) − (y − μ)); μ must be positive."""
    y = np.asarray(observed, dtype=float)
    mu = np.asarray(forecast, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term_ = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * (term_ - (y - mu))


def score(cells: pd.DataFrame, n_patches: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores per model (``model, metric, value``) and per week."""
    rows = []
    weekly_rows = []
    k = max(1, math.ceil(TOP_SHARE * n_patches))
    for model in MODELS:
        f = np.maximum(cells[f"forecast_{model}"].to_numpy(), FORECAST_FLOOR)
        y = cells["observed"].to_numpy()
        rows.append((model, "poisson_deviance", float(poisson_deviance(y, f).mean())))
        rows.append((model, "mae", float(np.abs(y - f).mean())))
        hits = []
        for week, c in cells.groupby("week"):
            per_patch = c.groupby("patch")[["observed", f"forecast_{model}"]].sum()
            top = per_patch[f"forecast_{model}"].sort_values(ascending=False, kind="stable")
            chosen = top.index[:k]
            total = per_patch["observed"].sum()
            hit = per_patch.loc[chosen, "observed"].sum() / total if total else math.nan
            hits.append(hit)
            weekly_rows.append(
                (
                    week,
                    model,
                    float(per_patch["observed"].sum()),
                    float(per_patch[f"forecast_{model}"].sum()),
                    hit,
                )
            )
        hit_rate = float(np.nanmean(hits))
        rows.append((model, "hit_rate_10", hit_rate))
        rows.append((model, "pai_10", hit_rate / (k / n_patches)))
    scores = pd.DataFrame(rows, columns=["model", "metric", "value"])
    weekly = pd.DataFrame(
        weekly_rows, columns=["week", "model", "observed", "forecast", "hit_rate_10"]
    )
    return scores, weekly


def _counts(
    cases: pd.DataFrame, patches: dict[str, int], types: dict[str, int], days: list[dt.date]
) -> npt.NDArray[np.float64]:
    """Cases per day × patch × type on ``days``."""
    index = {d: i for i, d in enumerate(days)}
    out = np.zeros((len(days), len(patches), len(types)))
    day = cases["reported_at"].dt.date
    m = day.isin(index.keys()).to_numpy()
    sub = cases[m]
    np.add.at(
        out,
        (
            day[m].map(index).to_numpy(dtype=np.int64),
            sub["patch"].map(patches).to_numpy(dtype=np.int64),
            sub["type"].map(types).to_numpy(dtype=np.int64),
        ),
        1,
    )
    return out


def simulation_forecast(
    scenario: Scenario,
    state: FitState,
    targets_types: tuple[str, ...],
    patch_ids: tuple[str, ...],
    week: list[dt.date],
    weekday: npt.NDArray[np.float64],
    holiday: npt.NDArray[np.float64],
    settings: BacktestSettings,
    seed: int,
) -> npt.NDArray[np.float64]:
    """Forecast recorded cases per day × patch × type of ``week`` by simulating the fitted
    ``scenario`` (see the module's docstring)."""
    lead = settings.fit.fit_days + WARMUP_DAYS
    first = week[0] - dt.timedelta(days=lead)
    sc = window_scenario(scenario, first, lead + len(week))
    street = [sc.patch_index(pid) for pid in patch_ids]
    type_index = [sc.violation_types.index(sc.violation_type(t)) for t in targets_types]
    span = YIELD_SPAN_DAYS
    lo, hi = (lead + len(week) - span) * 1440.0, (lead + len(week)) * 1440.0
    rec = np.zeros((len(sc.patches), len(type_index)))
    for r in range(settings.reps):
        result = simulate(sc, settings.fit.policy, seed + r, campaigns=False)
        a, _ = recorded_counts(result.violations, lo, hi, len(sc.patches), type_index)
        rec += a
    rec = rec[street] / settings.reps
    hol = {d.date for d in sc.days if d.holiday}
    span_days = [sc.days[i].date for i in range(lead + len(week) - span, lead + len(week))]
    truth = state.rates * day_weights(span_days, weekday, hol, holiday).sum(axis=0)[None, :]
    type_yield = rec.sum(axis=0) / np.maximum(truth.sum(axis=0), 1e-12)
    yields = (rec + YIELD_PSEUDO * type_yield[None, :]) / (truth + YIELD_PSEUDO)
    w = day_weights(week, weekday, hol, holiday)  # D × V
    return (yields * state.rates)[None, :, :] * w[:, None, :]


def backtest(
    scenario: Scenario,
    cases: pd.DataFrame,
    patch_ids: tuple[str, ...],
    types: tuple[str, ...],
    train_until: dt.date,
    settings: BacktestSettings = BacktestSettings(),
    progress: bool = True,
) -> BacktestResult:
    """Rolling-origin back-test of the calibrated simulator against the two baselines.

    Parameters
    ----------
    scenario
        The (uncalibrated or calibrated) scenario; it is refitted before every week.
    cases
        The placed cases of the whole log (columns ``patch``, ``type``, ``reported_at``, ...).
    patch_ids, types
        The street patches and the fitted types.
    train_until
        The last day of the first fit; the first held-out week starts the day after.
    settings
        Weeks, replications and the fit's settings.
    """
    country = scenario.calendar.country
    p_index = {p: i for i, p in enumerate(patch_ids)}
    v_index = {t: i for i, t in enumerate(types)}
    cases = cases[cases["patch"].isin(p_index) & cases["type"].isin(v_index)]
    first_day = cases["reported_at"].min().date()
    state: FitState | None = None
    frames = []
    fits = []
    bar = tqdm(
        range(settings.weeks),
        desc="back-testing",
        unit="week",
        file=sys.stderr,
        disable=not progress,
    )
    for k in bar:
        start = train_until + dt.timedelta(days=1 + 7 * k)
        until = start - dt.timedelta(days=1)
        week = [start + dt.timedelta(days=i) for i in range(7)]
        targets = log_targets(cases, patch_ids, types, until, country, settings.fit.window_days)
        fit_settings = (
            settings.fit if state is None else replace(settings.fit, max_iter=settings.refit_iter)
        )
        fit = fit_scenario(scenario, targets, fit_settings, start=state, progress=False)
        state = fit.state
        fits.append((k + 1, start, fit.iterations, fit.converged, "; ".join(fit.unfitted)))
        sim = simulation_forecast(
            fit.scenario,
            fit.state,
            types,
            patch_ids,
            week,
            targets.weekday_profile,
            targets.holiday_multiplier,
            settings,
            settings.fit.seed + 1000 * (k + 1),
        )
        history_days = [
            first_day + dt.timedelta(days=i) for i in range((until - first_day).days + 1)
        ]
        hist = _counts(cases, p_index, v_index, history_days)
        hist_mean = hist.mean(axis=0)  # P × V per day
        recent = hist[-7 * SEASONAL_WEEKS :]
        recent_days = history_days[-7 * SEASONAL_WEEKS :]
        by_weekday = np.zeros((7, len(patch_ids), len(types)))
        n_weekday = np.zeros(7)
        for d, counts in zip(recent_days, recent, strict=True):
            by_weekday[d.weekday()] += counts
            n_weekday[d.weekday()] += 1
        seasonal = by_weekday / np.maximum(n_weekday, 1)[:, None, None]
        observed = _counts(cases, p_index, v_index, week)
        for i, d in enumerate(week):
            grid_p, grid_v = np.meshgrid(
                np.arange(len(patch_ids)), np.arange(len(types)), indexing="ij"
            )
            frames.append(
                pd.DataFrame(
                    {
                        "week": k + 1,
                        "patch": np.array(patch_ids, dtype=object)[grid_p.ravel()],
                        "type": np.array(types, dtype=object)[grid_v.ravel()],
                        "date": d.isoformat(),
                        "observed": observed[i].ravel().astype(np.int64),
                        "forecast_simulation": sim[i].ravel(),
                        "forecast_historical_mean": hist_mean.ravel(),
                        "forecast_seasonal_naive": seasonal[d.weekday()].ravel(),
                    }
                )
            )
        bar.set_postfix(week=str(start))
    bar.close()
    cells = pd.concat(frames, ignore_index=True)
    scores, weekly = score(cells, len(patch_ids))
    fit_frame = pd.DataFrame(fits, columns=["week", "start", "iterations", "converged", "unfitted"])
    return BacktestResult(train_until, settings.weeks, cells, scores, weekly, fit_frame)


def calibration_curve(cells: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Per model and forecast decile of the cells: mean forecast and mean observed."""
    rows = []
    for model in MODELS:
        f = cells[f"forecast_{model}"].to_numpy()
        y = cells["observed"].to_numpy()
        order = np.argsort(f, kind="stable")
        for i, chunk in enumerate(np.array_split(order, bins)):
            if len(chunk):
                rows.append(
                    (model, i + 1, float(f[chunk].mean()), float(y[chunk].mean()), len(chunk))
                )
    return pd.DataFrame(rows, columns=["model", "bin", "forecast", "observed", "cells"])


def patch_totals(cells: pd.DataFrame) -> pd.DataFrame:
    """Per patch, over all held-out weeks: observed cases and each model's forecast."""
    columns = ["observed", *(f"forecast_{m}" for m in MODELS)]
    return cells.groupby("patch", sort=False)[columns].sum().reset_index()
