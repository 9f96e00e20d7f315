"""The weekly plan as one self-contained HTML page (images embedded; opens without a server),
and its front page as one picture to pass round (:func:`overview_figure`)."""

from __future__ import annotations

import base64
import functools
import html
import io
from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from patrolsim.plan.week import PlanResult, daily_series
from patrolsim.plotting.plot_plan import (
    plot_daily_comparison,
    plot_kpi_comparison,
    plot_roster_grid,
)
from patrolsim.plotting.plot_routes import plot_routes

NO_UNCOVERED = "<p>None: every shift has the units it needs.</p>"
HEADLINE_KPIS = ("violation_hours", "inspection_pass_rate", "complaint_response_p90_min",
                 "complaints_within_target_share", "annual_cost")

CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .9em; margin: .5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; }
.good { color: #1a7f37; font-weight: bold; } .bad { color: #b42318; font-weight: bold; }
img { max-width: 100%; } .grid { display: flex; flex-wrap: wrap; gap: 1em; }
"""


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _figure(draw: Callable[[Axes], object], size: tuple[float, float]) -> str:
    fig, ax = plt.subplots(figsize=size)
    draw(ax)
    return f'<img src="{_png(fig)}">'


def _table(frame: pd.DataFrame, left: int = 1) -> str:
    head = "".join(f'<th class="{"l" if i < left else ""}">{html.escape(str(c))}</th>'
                   for i, c in enumerate(frame.columns))
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(row):
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            cells.append(f'<td class="{"l" if i < left else ""}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render_report(result: PlanResult) -> str:
    """Return the report page as HTML text."""
    sc = result.scenario
    comparison = result.comparison()
    verdict = "".join(
        f'<li class="{"good" if " beats " in line else "bad"}">{html.escape(line)}</li>'
        for line in result.verdict())
    kpi_imgs = "".join(_figure(functools.partial(plot_kpi_comparison, comparison, k), (4, 3.2))
                       for k in HEADLINE_KPIS)
    roster = result.roster.to_frame()
    roster["date"] = roster["date"].astype(str)
    staff = pd.DataFrame([(m.id, m.name, m.squad, m.role) for m in sc.staff],
                         columns=["id", "name", "squad", "role"])
    roster_img = _figure(lambda ax: plot_roster_grid(roster, staff, [s.name for s in sc.shifts],
                                                     ax=ax), (8, 0.22 * len(staff) + 1.5))
    first_day = [r for r in result.routes if r.date == result.week_start]
    maps = "".join(
        f"<div><h3>{r.date} {html.escape(r.shift)}</h3>"
        + _figure(functools.partial(plot_routes, sc, r), (5.5, 4.5)) + "</div>"
        for r in first_day)
    daily_img = _figure(lambda ax: plot_daily_comparison(daily_series(result), ax=ax), (8, 3.5))
    uncovered = result.roster.cover_frame()
    uncovered = uncovered[(uncovered["units_missing"] > 0) | (uncovered["auxiliaries_missing"] > 0)]
    relaxed = pd.DataFrame(sorted(result.roster.penalty_by_rule.items()),
                           columns=["soft rule", "penalty"])
    unmet = sorted({sc.patches[p].name for r in result.routes for p in r.unmet_posts})
    headline = comparison[comparison["kpi"].isin(HEADLINE_KPIS)]
    # without run times, so that the same plan gives the same report (timings.json has them)
    roster_line = html.escape(result.roster.summary(timing=False))
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>patrolsim weekly plan {result.week_start}</title><style>{CSS}</style></head><body>
<h1>Weekly plan · {html.escape(sc.name)} · week of {result.week_start}</h1>
<p>{html.escape(result.demand.summary())}. Roster: {roster_line}.
The plan was simulated against the bureau's usual way of working (posts+mobile) and risk-weighted
hotspot patrol with the same staff and the same random numbers, {result.reps} replications each.</p>
<ul>{verdict}</ul>
<h2>KPIs over the week (mean, 95% confidence interval)</h2>
<div class="grid">{kpi_imgs}</div>
{_table(headline)}
<h2>Paired differences, plan − baseline</h2>
{_table(result.paired()[lambda d: d["kpi"].isin(HEADLINE_KPIS)], left=2)}
<h2>Day by day</h2>{daily_img}
<h2>Roster</h2>{roster_img}
<h3>Uncovered shifts</h3>
{_table(uncovered, left=3) if len(uncovered) else NO_UNCOVERED}
<h3>Soft rules relaxed</h3>{_table(relaxed)}
<h2>Routes on {result.week_start}</h2>
<p>Fixed posts that could not be reached this week: {html.escape("、".join(unmet)) or "none"}.
Route sheets for every unit and shift are in <code>sheets/</code>.</p>
<div class="grid">{maps}</div>
</body></html>
"""


def overview_figure(result: PlanResult) -> Figure:
    """The report's front page as one figure: the verdict, the two headline KPIs per arm, the
    week day by day and the routes of the first day's busiest shift."""
    sc = result.scenario
    comparison = result.comparison()
    fig = plt.figure(figsize=(14, 8))
    grid = fig.add_gridspec(3, 3, height_ratios=[0.42, 1.0, 1.0], width_ratios=[1, 1, 1.5])
    head = fig.add_subplot(grid[0, :])
    head.axis("off")
    head.text(0.0, 1.05, f"{sc.name} · week of {result.week_start} · {result.reps} replications "
              f"per arm, same staff, common random numbers", fontsize=13,
              va="top")
    for i, line in enumerate(result.verdict()):
        head.text(0.0, 0.72 - 0.22 * i, line,
                  fontsize=9.5, va="top", color="#1a7f37" if " beats " in line else "#b42318")
    plot_kpi_comparison(comparison, "violation_hours", ax=fig.add_subplot(grid[1, 0]))
    plot_kpi_comparison(comparison, "inspection_pass_rate", ax=fig.add_subplot(grid[1, 1]))
    plot_daily_comparison(daily_series(result), ax=fig.add_subplot(grid[2, :2]))
    first_day = [r for r in result.routes if r.date == result.week_start]
    if first_day:
        busiest = max(first_day, key=lambda r: sum(len(u.stops) for u in r.routes))
        plot_routes(sc, busiest, ax=fig.add_subplot(grid[1:, 2]))
    fig.tight_layout()
    return fig
