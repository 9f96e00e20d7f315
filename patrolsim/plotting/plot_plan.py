"""Plots of a weekly plan: KPI comparison with confidence intervals, roster grid, daily series."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch as LegendPatch

from patrolsim.scenario.model import Target
from patrolsim.terms import KPI_UNITS, Lang, policy_term, term


def plot_kpi_comparison(
    comparison: pd.DataFrame,
    kpi: str,
    ax: Axes | None = None,
    targets: Sequence[Target] = (),
    lang: Lang = "zh",
) -> Axes:
    """Bars of one KPI per policy with 95 % confidence intervals (rows of ``comparison.csv``).

    Targets for ``kpi`` are drawn as dashed lines; shares are shown in per cent. Names come
    from :mod:`patrolsim.terms` in ``lang``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.2))
    rows = comparison[comparison["kpi"] == kpi]
    unit, scale, _ = KPI_UNITS.get(kpi, ("", 1.0, 1))
    x = np.arange(len(rows))
    mean = rows["mean"].to_numpy() * scale
    err = np.vstack(
        [mean - rows["ci_low"].to_numpy() * scale, rows["ci_high"].to_numpy() * scale - mean]
    )
    colours = ["tab:green" if p == "planned" else "tab:grey" for p in rows["policy"]]
    ax.bar(x, mean, yerr=err, capsize=5, color=colours)
    ax.set_xticks(x, [policy_term(p, lang) for p in rows["policy"]], rotation=12, fontsize=8)
    for t in targets:
        if t.kpi != kpi:
            continue
        for value, sign in ((t.min, "≥"), (t.max, "≤")):
            if value is not None:
                ax.axhline(
                    value * scale,
                    color="#b42318",
                    linestyle="--",
                    linewidth=1.2,
                    label=f"{term('target', lang)} {sign} {value * scale:g}",
                )
        ax.legend(fontsize=7, loc="lower right")
    label = "%" if unit == "%" else term(unit, lang) if unit else ""
    ax.set_title(term(kpi, lang) + (f" ({label})" if label else ""), fontsize=10)
    return ax


def plot_roster_grid(
    roster: pd.DataFrame,
    staff: pd.DataFrame,
    shifts: Sequence[str],
    ax: Axes | None = None,
    shift_labels: Sequence[str] = (),
    lang: Lang = "zh",
) -> Axes:
    """Staff × day grid coloured by shift (``roster.csv`` rows; ``staff`` has id, name, squad).

    ``shift_labels`` name the shifts in the legend (default: their names).
    """
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
    ax.set_yticks(
        range(len(people)),
        [f"{n} ({sq})" for n, sq in zip(people["name"], people["squad"], strict=True)],
        fontsize=7,
    )
    labels = list(shift_labels) or list(shifts)
    ax.legend(
        handles=[LegendPatch(color=palette[i + 1], label=labels[i]) for i in range(len(shifts))]
        + [LegendPatch(color=palette[0], label=term("off", lang))],
        fontsize=7,
        bbox_to_anchor=(1.01, 1),
        loc="upper left",
    )
    ax.set_title(term("roster", lang))
    return ax


def plot_daily_comparison(daily: pd.DataFrame, ax: Axes | None = None, lang: Lang = "zh") -> Axes:
    """Violation-hours per day of the planned week, one line per policy."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for policy, rows in daily.groupby("policy", sort=False):
        style = "-o" if policy == "planned" else "--."
        ax.plot(
            [str(d)[5:] for d in rows["date"]],
            rows["violation_hours"],
            style,
            label=policy_term(str(policy), lang),
        )
    if lang == "zh":
        ax.set_ylabel("违法时长(小时/天)")
        ax.set_title("本周逐日违法时长(各次模拟的平均)")
    else:
        ax.set_ylabel("violation-hours per day")
        ax.set_title("The planned week, day by day (mean of replications)")
    ax.legend(fontsize=8)
    return ax
