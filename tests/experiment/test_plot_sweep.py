"""Agg smoke tests of the sweep plots (they draw tables; they compute nothing).

the root conftest.py selects the Agg backend.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from patrolsim.plotting.plot_sweep import (
    plot_policy_comparison,
    plot_staffing_curve,
    plot_sweep,
)
from patrolsim.scenario.model import Target


def _summary() -> pd.DataFrame:
    rows = [
        (s, p, "inspection_pass_rate", m, m - 0.03, m + 0.03, 5)
        for p, base in (("posts", 0.7), ("hotspot", 0.75))
        for s, m in ((0.5, base), (1.0, base + 0.1), (1.5, base + 0.15))
    ]
    return pd.DataFrame(
        rows, columns=["staffing", "policy", "kpi", "mean", "ci_low", "ci_high", "n"]
    )


def _differences() -> pd.DataFrame:
    rows = [
        (s, "hotspot", "posts", "inspection_pass_rate", 0.05, 0.01, 0.09, 5, "paired")
        for s in (0.5, 1.0, 1.5)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "staffing",
            "policy",
            "baseline",
            "kpi",
            "mean_diff",
            "ci_low",
            "ci_high",
            "n",
            "method",
        ],
    )


def test_staffing_curve_draws_a_line_and_band_per_policy_and_the_target() -> None:
    """Tests one line per policy, one CI band each, and a dashed target line."""
    ax = plot_staffing_curve(
        _summary(),
        "inspection_pass_rate",
        [Target("inspection_pass_rate", min=0.8), Target("other", max=1)],
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["定岗值守", "热点巡查", "目标 ≥ 0.8"]
    assert len(ax.collections) == 2
    assert list(ax.get_lines()[0].get_xdata()) == [0.5, 1.0, 1.5]


def test_policy_comparison_and_grid_on_given_axes() -> None:
    """Tests that the comparison draws on the axes given and the grid has two per KPI."""
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_policy_comparison(_differences(), "inspection_pass_rate", ax=ax) is ax
    assert "与定岗值守之差" in ax.get_title()
    plot_policy_comparison(_differences(), "inspection_pass_rate", ax=ax, lang="en")
    assert "policy − fixed posts" in ax.get_title()
    grid = plot_sweep(_summary(), _differences(), ["inspection_pass_rate"], fig=Figure())
    assert len(grid.axes) == 2
