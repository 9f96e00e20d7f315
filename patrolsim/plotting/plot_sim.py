"""Plots of simulation results. Each takes computed tables and an optional ``ax``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from patrolsim.scenario.model import Campaign
from patrolsim.terms import Lang, term, weekday


def plot_daily_violations(
    timeseries: pd.DataFrame,
    campaigns: Sequence[Campaign] = (),
    warmup_end: dt.date | None = None,
    ax: Axes | None = None,
    lang: Lang = "zh",
    type_labels: Mapping[str, str] | None = None,
) -> Axes:
    """Violations started per day by type (mean over replications), campaign windows shaded.

    Parameters
    ----------
    timeseries
        Rows of ``timeseries.csv``: replication, date, type, violations_started, ...
    campaigns
        Campaigns to shade.
    warmup_end
        First measured day; earlier days are greyed as warm-up.
    lang
        Language of the labels.
    type_labels
        Names of the violation types in the legend (e.g. their Chinese labels).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4.5))
    mean = timeseries.groupby(["date", "type"])["violations_started"].mean().unstack("type")
    mean.index = pd.to_datetime(mean.index)
    colours = [plt.get_cmap("tab10")(i) for i in range(10)]
    names = [(type_labels or {}).get(str(c), str(c)) for c in mean.columns]
    ax.stackplot(
        mean.index.to_pydatetime(),
        mean.to_numpy().T,
        labels=names,
        colors=colours[: mean.shape[1]],
        alpha=0.85,
        linewidth=0,
    )
    for campaign in campaigns:
        ax.axvspan(
            pd.Timestamp(campaign.start),
            pd.Timestamp(campaign.end) + pd.Timedelta(days=1),
            color="tab:red",
            alpha=0.12,
            label=f"{'专项整治' if lang == 'zh' else 'campaign'}: {campaign.name}",
        )
    if warmup_end is not None:
        ax.axvspan(
            mean.index[0],
            pd.Timestamp(warmup_end),
            color="grey",
            alpha=0.15,
            label="预热期(不计入指标)" if lang == "zh" else "warm-up",
        )
    ax.set_ylabel("每日新发违法数" if lang == "zh" else "violations started per day")
    ax.set_xlabel("")
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    ax.set_title(
        "每日新发违法(按类型，阴影为专项整治期间)"
        if lang == "zh"
        else "Daily violations by type (campaign windows shaded)"
    )
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    return ax


def plot_hour_weekday(counts: pd.DataFrame, ax: Axes | None = None, lang: Lang = "zh") -> Axes:
    """Heat map of violations started by hour of day and weekday."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 6))
    image = ax.imshow(counts.to_numpy(), aspect="auto", cmap="magma_r", origin="upper")
    ax.set_xticks(
        range(counts.shape[1]),
        [weekday(i, lang) for i in range(counts.shape[1])]
        if counts.shape[1] == 7
        else list(counts.columns),
    )
    ax.set_yticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)])
    ax.set_title(
        "新发违法的时段与星期分布" if lang == "zh" else "Violations started by hour and weekday"
    )
    ax.figure.colorbar(
        image, ax=ax, label="违法数(全部模拟)" if lang == "zh" else "violations (all replications)"
    )
    return ax


def plot_time_budget(
    budget: pd.DataFrame,
    ax: Axes | None = None,
    lang: Lang = "zh",
    shift_labels: Mapping[str, str] | None = None,
) -> Axes:
    """Stacked bars: officer-hours per shift by activity, overtime on top."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    shown = budget.rename(
        columns=lambda c: term(f"activity:{c}", lang),
        index=lambda i: (shift_labels or {}).get(str(i), str(i)),
    )
    shown.plot.bar(stacked=True, ax=ax, colormap="tab20", width=0.7)
    ax.set_ylabel(
        "人员工时(每次模拟平均)" if lang == "zh" else "officer-hours (mean per replication)"
    )
    ax.set_xlabel(term("shift", lang))
    ax.set_title("人员时间分配" if lang == "zh" else "Officer time budget")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.tick_params(axis="x", rotation=0)
    return ax
