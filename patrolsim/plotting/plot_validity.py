"""Figures of the model-validity checks: one per check, each beside its anchor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from patrolsim.validation.result import CheckResult

__all__ = ["plot_check"]


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    return ax


def _title(ax: Axes, result: CheckResult) -> None:
    mark = "pass" if result.passed else "FAIL"
    ax.set_title(f"{result.number}. {result.title} ({mark})", fontsize=10)


def plot_koper(result: CheckResult, ax: Axes | None = None) -> Axes:
    """P(new violation within 30 min of leaving) by stop length, with Koper's two points."""
    ax = _axes(ax)
    t = result.table
    ax.errorbar(
        t["stop_min"],
        100 * t["p_new_30min"],
        yerr=196 * t["se"],
        marker="o",
        capsize=2,
        label="model (95 % CI)",
    )
    ax.plot([0], [15], "s", color="black", label="Koper 1995")
    ax.plot([10, 16], [4, 4], "-", color="black", lw=3)
    ax.axhspan(2, 6, xmin=0.5, xmax=0.8, color="grey", alpha=0.15)
    ax.set_xlabel("stop length (min); 0 = drive-by")
    ax.set_ylabel("new violation within 30 min of leaving (%)")
    ax.legend()
    _title(ax, result)
    return ax


def _campaign_band(ax: Axes, result: CheckResult, days_key: str) -> None:
    ax.axvspan(
        0,
        float(result.settings[days_key]),  # type: ignore[arg-type]
        color="orange",
        alpha=0.12,
        label="campaign",
    )
    ax.axhline(1.0, color="black", lw=0.8)


def plot_crackdown(result: CheckResult, ax: Axes | None = None) -> Axes:
    """Daily violations relative to baseline around a 30-day campaign (7-day means)."""
    ax = _axes(ax)
    t = result.table
    for col in t.columns[1:]:
        ax.plot(t["day"], t[col].rolling(7, center=True, min_periods=1).mean(), label=col)
    _campaign_band(ax, result, "campaign_days")
    ax.set_xlabel("day from the campaign's start")
    ax.set_ylabel("violations / same runs without campaign (7-day mean)")
    ax.legend(fontsize=8)
    _title(ax, result)
    return ax


def plot_tipping(result: CheckResult, ax: Axes | None = None) -> Axes:
    """Daily violations relative to before, per campaign arm (7-day means)."""
    ax = _axes(ax)
    t = result.table
    for col in t.columns[1:]:
        ax.plot(t["day"], t[col].rolling(7, center=True, min_periods=1).mean(), label=col)
    _campaign_band(ax, result, "long_days")
    ax.set_xlabel("day from the campaign's start")
    ax.set_ylabel("violations / before (7-day mean)")
    ax.legend(fontsize=8)
    _title(ax, result)
    return ax


def plot_dose(result: CheckResult, ax: Axes | None = None) -> Axes:
    """Reduction for twice the presence per replication, against the published range."""
    ax = _axes(ax)
    t = result.table
    x = np.arange(len(t))
    ax.bar(x, 100 * t["reduction_2x_vs_1x"], color="tab:blue", label="model, per seed")
    ax.axhspan(6, 18, color="grey", alpha=0.2, label="Sherman & Weisburd 1995: 6–18 %")
    ax.set_xticks(x, [f"seed {s}" for s in t["seed"]])
    ax.set_ylabel("fewer violations with 2× presence (%)")
    ax.legend(fontsize=8)
    _title(ax, result)
    return ax


def plot_displacement(result: CheckResult, ax: Axes | None = None) -> Axes:
    """Share of sites with displacement, diffusion or neither, and the WDQ, per type."""
    ax = _axes(ax)
    t = result.table
    x = np.arange(len(t))
    bottom = np.zeros(len(t))
    for col, colour in (
        ("displacement", "tab:red"),
        ("neither", "lightgrey"),
        ("diffusion", "tab:green"),
    ):
        ax.bar(x, 100 * t[col], bottom=bottom, color=colour, label=col)
        bottom += 100 * t[col].to_numpy()
    ax.set_xticks(x, [f"{r.type}\nWDQ {r.wdq:+.2f}" for r in t.itertuples()])
    ax.set_ylabel("share of treated sites (%)")
    ax.legend(fontsize=8)
    _title(ax, result)
    return ax


def plot_broken_windows(result: CheckResult, ax: Axes | None = None) -> Axes:
    """Rate ratio with one visible violation vs none, per type, against Keizer's 2.08."""
    ax = _axes(ax)
    t = result.table
    x = np.arange(len(t))
    ax.errorbar(
        x,
        t["ratio"],
        yerr=[t["ratio"] - t["ratio_low"], t["ratio_high"] - t["ratio"]],
        fmt="o",
        capsize=3,
        label="model (95 % CI)",
    )
    ax.axhline(27 / 13, color="black", ls="--", label="Keizer et al. 2008: 27/13")
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.set_xticks(x, list(t["type"]), rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("rate with disorder / rate without")
    ax.legend(fontsize=8)
    _title(ax, result)
    return ax


def plot_erlang(result: CheckResult, ax: Axes | None = None) -> Axes:
    """Mean complaint wait per replication and overall, against Erlang C."""
    ax = _axes(ax)
    t = result.table
    analytic = float(result.settings["erlang_c_wait_min"])  # type: ignore[arg-type]
    ax.plot(np.arange(len(t)), t["mean_wait_min"], "o", alpha=0.6, label="replications")
    m = t["mean_wait_min"].mean()
    ax.axhline(m, color="tab:blue", label=f"model mean {m:.2f} min")
    ax.axhline(analytic, color="black", ls="--", label=f"Erlang C {analytic:.2f} min")
    ax.axhspan(0.97 * analytic, 1.03 * analytic, color="grey", alpha=0.2, label="± 3 %")
    ax.set_xlabel("replication")
    ax.set_ylabel("mean wait for a unit (min)")
    ax.legend(fontsize=8)
    _title(ax, result)
    return ax


_PLOTS = {
    "koper": plot_koper,
    "crackdown": plot_crackdown,
    "tipping": plot_tipping,
    "dose": plot_dose,
    "displacement": plot_displacement,
    "broken_windows": plot_broken_windows,
    "erlang": plot_erlang,
}


def plot_measures(result: CheckResult, ax: Axes | None = None) -> Axes:
    """The check's measures as bars, each with its accepted range (checks 8–10, the levers)."""
    ax = _axes(ax)
    crits = result.criteria
    x = np.arange(len(crits))
    ax.bar(
        x, [c.value for c in crits], color=["tab:green" if c.passed else "tab:red" for c in crits]
    )
    for i, c in enumerate(crits):
        if c.low is not None or c.high is not None:
            lo = c.low if c.low is not None else 0.0
            hi = c.high if c.high is not None else max(c.value, lo) * 1.2 + 1e-9
            ax.plot([i, i], [lo, hi], color="black", lw=3, alpha=0.4)
    ax.set_xticks(x, [c.name for c in crits], rotation=15, ha="right", fontsize=7)
    ax.set_ylabel("model (bar) and accepted range (grey)")
    _title(ax, result)
    return ax


def plot_check(result: CheckResult, ax: Axes | None = None) -> Axes:
    """The figure of any check (dispatch on ``result.key``)."""
    return _PLOTS.get(result.key, plot_measures)(result, ax=ax)
