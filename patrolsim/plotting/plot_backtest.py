"""Plots of a back-test: weekly totals, hotspot maps, calibration curve (labels Chinese first)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes

from patrolsim.caselog.terms import term

COLOURS = {
    "observed": "#222222",
    "simulation": "#d62728",
    "historical_mean": "#1f77b4",
    "seasonal_naive": "#2ca02c",
}


def _axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_weekly_totals(weekly: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Observed and forecast recorded cases per held-out week (``BacktestResult.weekly``)."""
    ax = _axes(ax)
    table = weekly.pivot(index="week", columns="model", values="forecast")
    observed = weekly.groupby("week")["observed"].first()
    ax.plot(
        observed.index,
        observed.to_numpy(),
        "o-",
        color=COLOURS["observed"],
        label=term("observed"),
        linewidth=2,
    )
    for model in table.columns:
        ax.plot(
            table.index, table[model].to_numpy(), ".--", color=COLOURS.get(model), label=term(model)
        )
    ax.set_xlabel(term("week"))
    ax.set_ylabel(term("cases"))
    ax.set_title("每周实际与预测案件 Observed vs forecast cases per week")
    ax.legend(fontsize=8)
    ax.set_ylim(bottom=0)
    return ax


def plot_hotspots(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    values: npt.ArrayLike,
    title: str,
    top: npt.ArrayLike | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Patches as squares coloured by ``values``; ``top`` outlines the top-10 % patches."""
    ax = _axes(ax, (5, 5))
    v = np.asarray(values, dtype=float)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    sc = ax.scatter(
        lon, lat, c=v, s=60, marker="s", cmap="YlOrRd", vmin=0, vmax=max(float(v.max()), 1e-9)
    )
    if top is not None:
        mask = np.asarray(top, dtype=bool)
        ax.scatter(
            lon[mask],
            lat[mask],
            s=90,
            marker="s",
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
        )
    ax.figure.colorbar(sc, ax=ax, shrink=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect(1 / np.cos(np.radians(float(np.mean(lat)))))
    return ax


def plot_calibration_curve(curve: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Mean observed against mean forecast per forecast decile of the cells, per model."""
    ax = _axes(ax, (5, 5))
    top = float(max(curve["forecast"].max(), curve["observed"].max())) * 1.05
    ax.plot([0, top], [0, top], color="#999999", linewidth=1, label="y = x")
    for model, c in curve.groupby("model", sort=False):
        ax.plot(
            c["forecast"],
            c["observed"],
            "o-",
            color=COLOURS.get(str(model)),
            label=term(str(model)),
        )
    ax.set_xlabel("预测均值 mean forecast per cell")
    ax.set_ylabel("实际均值 mean observed per cell")
    ax.set_title("校准曲线 Calibration curve (deciles of cells)")
    ax.legend(fontsize=8)
    return ax
