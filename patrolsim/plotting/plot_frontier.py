"""The cost–KPI picture of a mix search: every mix, its interval, the frontier and the choice.

Draws the table a search already computed (:attr:`patrolsim.experiment.mix.MixResult.table`);
computes no statistics (STYLE.md §8). Labels are Chinese first (the bureau reads them).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from patrolsim.scenario.model import Target

KPI_LABELS = {
    "violation_hours": "违法时长(小时) violation-hours",
    "violation_hours:street_vending": "流动摊贩时长(小时) vending hours",
    "violation_hours:night_market_stall": "夜市占道时长(小时) night-market hours",
    "violation_hours:muck_spill": "渣土时长(小时) muck hours",
    "complaint_response_p90_min": "投诉响应90分位(分钟) complaint p90 (min)",
    "complaints_within_target_share": "按时响应比例 answered in time",
    "inspection_pass_rate": "检查通过率 inspection pass rate",
}
STATUS_STYLE = {
    "meets": ("#1a7f37", "达标 meets every target"),
    "unclear": ("#d4a017", "不确定 unclear"),
    "fails": ("#b42318", "不达标 fails a target"),
}


def kpi_label(kpi: str) -> str:
    """Chinese-first axis label of a KPI (the KPI's own name when none is known)."""
    return KPI_LABELS.get(kpi, kpi)


def plot_frontier(
    table: pd.DataFrame,
    kpi: str,
    frontier: pd.DataFrame | None = None,
    choice: str | None = None,
    targets: Sequence[Target] = (),
    ax: Axes | None = None,
) -> Axes:
    """Mean annual cost against ``kpi`` for every mix, with confidence intervals.

    Parameters
    ----------
    table
        One row per mix (``mixes.csv``): ``cost_mean``, ``cost_ci_low/high``, ``status``,
        ``<kpi>:mean``, ``<kpi>:ci_low``, ``<kpi>:ci_high``.
    kpi
        The KPI on the vertical axis.
    frontier
        Rows of ``table`` on the cost–KPI frontier, drawn as a line.
    choice
        Name of the chosen mix, marked with a star.
    targets
        Targets; those for ``kpi`` are drawn as dashed lines.
    ax
        Axes to draw on; a new figure is made when ``None``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 5.2))
    wan = 1e4
    for status, (colour, label) in STATUS_STYLE.items():
        rows = table[table["status"] == status]
        if rows.empty:
            continue
        x = rows["cost_mean"].to_numpy(dtype=float) / wan
        y = rows[f"{kpi}:mean"].to_numpy(dtype=float)
        yerr = [
            y - rows[f"{kpi}:ci_low"].to_numpy(dtype=float),
            rows[f"{kpi}:ci_high"].to_numpy(dtype=float) - y,
        ]
        ax.errorbar(
            x,
            y,
            yerr=yerr,
            fmt="o",
            ms=4,
            color=colour,
            alpha=0.75,
            elinewidth=0.8,
            capsize=2,
            label=label,
        )
    if frontier is not None and not frontier.empty:
        ax.plot(
            frontier["cost_mean"].to_numpy(dtype=float) / wan,
            frontier[f"{kpi}:mean"].to_numpy(dtype=float),
            color="black",
            linewidth=1.0,
            drawstyle="steps-post",
            label="成本–效果前沿 frontier",
        )
    if choice is not None:
        row = table[table["mix"] == choice]
        if not row.empty:
            ax.plot(
                float(row["cost_mean"].iloc[0]) / wan,
                float(row[f"{kpi}:mean"].iloc[0]),
                marker="*",
                ms=16,
                color="#1f4e9c",
                linestyle="none",
                label=f"推荐 choice: {choice}",
            )
    for target in targets:
        if target.kpi != kpi:
            continue
        for value, word in ((target.min, "≥"), (target.max, "≤")):
            if value is not None:
                ax.axhline(
                    value,
                    color="black",
                    linestyle="--",
                    linewidth=1.0,
                    label=f"目标 target {word} {value:g}",
                )
    ax.set_xlabel("年度成本(万元) annual cost (10k yuan)")
    ax.set_ylabel(kpi_label(kpi))
    ax.set_title("配置的成本与效果(均值及95%置信区间) cost and effect of each mix")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return ax
