"""Pictures of a staffing sweep: staffing curves with confidence bands, policy comparisons.

The functions draw tables a sweep already computed (``summary.csv``, ``differences.csv``);
they compute no statistics themselves (STYLE.md §8).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from patrolsim.scenario.model import Target
from patrolsim.terms import Lang, policy_term, term

_STAFFING_LABEL = {
    "zh": "人员水平(现有人员的倍数)",
    "en": "staffing (fraction of the current staff list)",
}


def plot_staffing_curve(
    summary: pd.DataFrame,
    kpi: str,
    targets: Sequence[Target] = (),
    confidence: float = 0.95,
    ax: Axes | None = None,
    lang: Lang = "zh",
) -> Axes:
    """One KPI against staffing: a line per policy with its confidence band, targets dashed.

    Parameters
    ----------
    summary
        ``summary.csv`` as a frame (staffing, policy, kpi, mean, ci_low, ci_high, n).
    kpi
        The KPI to draw.
    targets
        The scenario's targets; those for ``kpi`` are drawn as horizontal lines.
    confidence
        The intervals' level (for the legend only).
    ax
        Axes to draw on; a new figure is made when ``None``.
    lang
        Language of the labels (:mod:`patrolsim.terms`).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    rows = summary[summary["kpi"] == kpi]
    for policy in dict.fromkeys(rows["policy"]):
        cell = rows[rows["policy"] == policy].sort_values("staffing")
        x = cell["staffing"].to_numpy(dtype=float)
        (line,) = ax.plot(
            x,
            cell["mean"].to_numpy(dtype=float),
            marker="o",
            ms=3.5,
            label=policy_term(str(policy), lang),
        )
        ax.fill_between(
            x,
            cell["ci_low"].to_numpy(dtype=float),
            cell["ci_high"].to_numpy(dtype=float),
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
    for target in targets:
        if target.kpi != kpi:
            continue
        for value, word in ((target.min, "min"), (target.max, "max")):
            if value is not None:
                sign = "≥" if word == "min" else "≤"
                ax.axhline(
                    value,
                    color="black",
                    linestyle="--",
                    linewidth=1.0,
                    label=f"{term('target', lang)} {sign} {value:g}",
                )
    ax.set_xlabel(_STAFFING_LABEL[lang])
    ax.set_ylabel(term(kpi, lang))
    ax.set_title(
        f"{term(kpi, lang)}：均值及{confidence:.0%}置信区间"
        if lang == "zh"
        else f"{term(kpi, lang)}: mean and {confidence:.0%} CI"
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_policy_comparison(
    differences: pd.DataFrame,
    kpi: str,
    confidence: float = 0.95,
    ax: Axes | None = None,
    lang: Lang = "zh",
) -> Axes:
    """Each policy minus the baseline at every staffing level, with confidence intervals.

    Parameters
    ----------
    differences
        ``differences.csv`` as a frame (staffing, policy, baseline, kpi, mean_diff, ci_low,
        ci_high, n, method).
    kpi
        The KPI to draw.
    confidence
        The intervals' level (for the title only).
    ax
        Axes to draw on; a new figure is made when ``None``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    rows = differences[differences["kpi"] == kpi]
    policies = list(dict.fromkeys(rows["policy"]))
    levels = sorted(set(rows["staffing"]))
    step = min(np.diff(levels)) if len(levels) > 1 else 1.0
    width = 0.6 * step / max(len(policies), 1)
    for i, policy in enumerate(policies):
        cell = rows[rows["policy"] == policy].sort_values("staffing")
        x = cell["staffing"].to_numpy(dtype=float) + (i - (len(policies) - 1) / 2) * width
        mean = cell["mean_diff"].to_numpy(dtype=float)
        err = np.vstack(
            [
                mean - cell["ci_low"].to_numpy(dtype=float),
                cell["ci_high"].to_numpy(dtype=float) - mean,
            ]
        )
        ax.errorbar(
            x, mean, yerr=err, fmt="o", ms=4, capsize=3, label=policy_term(str(policy), lang)
        )
    ax.axhline(0.0, color="black", linewidth=0.8)
    baseline = policy_term(str(rows["baseline"].iloc[0]) if len(rows) else "baseline", lang)
    ax.set_xlabel(_STAFFING_LABEL[lang])
    ax.set_ylabel(f"Δ {term(kpi, lang)}")
    ax.set_title(
        f"{term(kpi, lang)}\n与{baseline}之差(同一随机种子配对，{confidence:.0%}置信区间)"
        if lang == "zh"
        else f"{term(kpi, lang)}\npolicy − {baseline}, paired by seed ({confidence:.0%} CI)",
        fontsize="medium",
    )
    ax.grid(True, alpha=0.3)
    if policies:
        ax.legend(fontsize="small")
    return ax


def plot_sweep(
    summary: pd.DataFrame,
    differences: pd.DataFrame,
    kpis: Sequence[str],
    targets: Sequence[Target] = (),
    confidence: float = 0.95,
    fig: Figure | None = None,
) -> Figure:
    """A grid: for each KPI, its staffing curve (left) and the policy comparison (right)."""
    if fig is None:
        fig = plt.figure(figsize=(12.0, 3.8 * max(len(kpis), 1)))
    axes = fig.subplots(max(len(kpis), 1), 2, squeeze=False)
    for row, kpi in zip(axes, kpis, strict=False):
        plot_staffing_curve(summary, kpi, targets, confidence, ax=row[0])
        plot_policy_comparison(differences, kpi, confidence, ax=row[1])
    fig.tight_layout()
    return fig
