"""Plots of a weekly plan: KPI comparison with confidence intervals, roster grid, daily series."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch as LegendPatch


def plot_kpi_comparison(comparison: pd.DataFrame, kpi: str, ax: Axes | None = None) -> Axes:
    """Bars of one KPI per policy with 95 % confidence intervals (rows of ``comparison.csv``)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.2))
    rows = comparison[comparison["kpi"] == kpi]
    x = np.arange(len(rows))
    mean = rows["mean"].to_numpy()
    err = np.vstack([mean - rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy() - mean])
    colours = ["tab:green" if p == "planned" else "tab:grey" for p in rows["policy"]]
    ax.bar(x, mean, yerr=err, capsize=5, color=colours)
    ax.set_xticks(x, rows["policy"], rotation=15)
    ax.set_title(kpi.replace("_", " "), fontsize=10)
    return ax


def plot_roster_grid(roster: pd.DataFrame, staff: pd.DataFrame, shifts: Sequence[str],
                     ax: Axes | None = None) -> Axes:
    """Staff × day grid coloured by shift (``roster.csv`` rows; ``staff`` has id, name, squad)."""
    dates = sorted(roster["date"].unique())
    people = staff.sort_values(["squad", "role", "id"])
    codes = {s: i + 1 for i, s in enumerate(shifts)}
    grid = np.zeros((len(people), len(dates)))
    row_of = {sid: i for i, sid in enumerate(people["id"])}
    col_of = {d: j for j, d in enumerate(dates)}
    for r in roster.itertuples():
        grid[row_of[r.staff_id], col_of[r.date]] = codes[r.shift]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.22 * len(people) + 1.2))
    palette = ["#f2f2f2", "#8dd3c7", "#ffffb3", "#fb8072", "#80b1d3", "#bebada", "#fdb462"]
    cmap = ListedColormap(palette[: len(shifts) + 1])
    ax.imshow(grid, aspect="auto", cmap=cmap, vmin=0, vmax=len(shifts), interpolation="none")
    ax.set_xticks(range(len(dates)), [str(d)[5:] for d in dates])
    ax.set_yticks(range(len(people)),
                  [f"{n} ({sq})" for n, sq in zip(people["name"], people["squad"], strict=True)],
                  fontsize=7)
    ax.legend(handles=[LegendPatch(color=palette[i + 1], label=s) for i, s in enumerate(shifts)]
              + [LegendPatch(color=palette[0], label="off")], fontsize=7,
              bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title("Roster")
    return ax


def plot_daily_comparison(daily: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Violation-hours per day of the planned week, one line per policy."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for policy, rows in daily.groupby("policy", sort=False):
        style = "-o" if policy == "planned" else "--."
        ax.plot([str(d)[5:] for d in rows["date"]], rows["violation_hours"], style, label=policy)
    ax.set_ylabel("violation-hours per day")
    ax.set_title("The planned week, day by day (mean of replications)")
    ax.legend(fontsize=8)
    return ax
