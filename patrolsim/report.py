"""The weekly plan as one self-contained HTML page (images embedded; opens without a server),
and its front page as one picture to pass round (:func:`overview_figure`)."""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from patrolsim.formats.webfont import FONT_FAMILY, font_face_css
from patrolsim.plan.cover import cover_sentence, short_rows, standard_cover
from patrolsim.plan.verdict import (
    KpiVerdict,
    kpi_sentence,
    kpi_verdicts,
    target_sentences,
    verdict_summary,
)
from patrolsim.plan.week import PlanResult, daily_series
from patrolsim.plotting.plot_plan import (
    plot_daily_comparison,
    plot_kpi_comparison,
    plot_roster_grid,
)
from patrolsim.plotting.plot_routes import plot_routes
from patrolsim.routing.district import DistrictRoutes
from patrolsim.scenario.model import KPI_NAMES
from patrolsim.terms import Lang, format_kpi, policy_term, term

HEADLINE_KPIS = (
    "violation_hours",
    "inspection_pass_rate",
    "complaint_response_p90_min",
    "complaints_within_target_share",
    "annual_cost",
)
PLAN = "planned"
USUAL = "posts+mobile"
"""The baseline the verdict speaks against: the bureau's usual way of working."""

CSS = """
body { font-family: "FONT", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .9em; margin: .5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; }
.verdict { background: #f7f7f2; border: 1px solid #ccc; padding: .6em 1.2em; }
.good { color: #1a7f37; font-weight: bold; } .bad { color: #b42318; font-weight: bold; }
.same { color: #555; }
img { max-width: 100%; } .grid { display: flex; flex-wrap: wrap; gap: 1em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
""".replace("FONT", FONT_FAMILY)


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


CJK_LINE_CHARS = 95
"""Chinese characters per line of the overview's verdict (14-inch figure, 10-point type)."""


def _figure(draw: Callable[[Axes], object], size: tuple[float, float]) -> str:
    fig, ax = plt.subplots(figsize=size)
    draw(ax)
    return f'<img src="{_png(fig)}">'


def _table(frame: pd.DataFrame, left: int = 1) -> str:
    head = "".join(
        f'<th class="{"l" if i < left else ""}">{html.escape(str(c))}</th>'
        for i, c in enumerate(frame.columns)
    )
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(row):
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            cells.append(f'<td class="{"l" if i < left else ""}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _kpi_table(result: PlanResult, lang: Lang) -> pd.DataFrame:
    """Mean and 95 % interval of every KPI per arm, formatted with units."""
    comparison = result.comparison()
    rows = []
    for kpi in KPI_NAMES:
        row = [term(kpi, lang)]
        for policy in result.runs:
            r = comparison[(comparison["policy"] == policy) & (comparison["kpi"] == kpi)].iloc[0]
            row.append(
                f"{format_kpi(kpi, float(r['mean']), lang)} "
                f"({format_kpi(kpi, float(r['ci_low']), lang)} – "
                f"{format_kpi(kpi, float(r['ci_high']), lang)})"
            )
        rows.append(row)
    header = ["指标" if lang == "zh" else "KPI", *[policy_term(p, lang) for p in result.runs]]
    return pd.DataFrame(rows, columns=header)


def _cover_table(cover: pd.DataFrame, scenario_labels: dict[str, str], lang: Lang) -> pd.DataFrame:
    """The short rows of the standard cover with Chinese (or English) headers."""
    rows = short_rows(cover).copy()
    rows["shift"] = rows["shift"].map(lambda s: scenario_labels.get(s, s) if lang == "zh" else s)
    names = (
        {
            "date": "日期",
            "shift": "班次",
            "squad": "中队",
            "units_required": "应配组数",
            "units_provided": "实配组数",
            "units_short": "缺口组数",
            "auxiliaries_required": "应配协管员",
            "auxiliaries_provided": "实配协管员",
            "auxiliaries_short": "协管员缺口",
        }
        if lang == "zh"
        else {c: c.replace("_", " ") for c in rows.columns}
    )
    return rows.rename(columns=names)


def verdict_lines(result: PlanResult, lang: Lang = "zh") -> dict[str, list[str]]:
    """The verdict a 局领导 reads first, in sections: change, KPIs, targets, cost, cover.

    Every KPI is named against the usual practice; solver figures are left out (they are in
    ``roster_summary.json``).
    """
    sc = result.scenario
    verdicts = kpi_verdicts(result.paired(), USUAL)
    people = len({e.staff_id for e in result.roster.entries})
    n_routes = sum(len(r.routes) for r in result.routes)
    unmet = sorted({sc.patches[p].name for r in result.routes for p in r.unmet_posts})
    comparison = result.comparison()

    def mean(policy: str, kpi: str) -> float:
        rows = comparison[(comparison["policy"] == policy) & (comparison["kpi"] == kpi)]
        return float(rows["mean"].iloc[0])

    hours = {p: mean(p, "patrol_hours") for p in result.runs}
    overtime = {p: mean(p, "overtime_hours") for p in result.runs}
    cover = standard_cover(result.roster, sc)
    if lang == "zh":
        change = [
            f"本周计划为 {people} 人排 {len(result.roster.entries)} 个班次，"
            f"编成 {n_routes} 条巡查路线，按违法风险安排巡查点，"
            f"并与现行做法(定岗+机动)和热点巡查在相同人员、相同随机条件下各模拟 "
            f"{result.reps} 次比较。",
            "本周无法到达的定岗点：" + ("、".join(unmet) if unmet else "无") + "。",
        ]
        cost = [
            f"人力：与现行做法同一批人员；巡查工时 "
            f"{format_kpi('patrol_hours', hours[PLAN], lang)}"
            f"(现行做法 {format_kpi('patrol_hours', hours[USUAL], lang)})，"
            f"加班 {format_kpi('overtime_hours', overtime[PLAN], lang)}"
            f"(现行做法 {format_kpi('overtime_hours', overtime[USUAL], lang)})。"
        ]
    else:
        change = [
            f"This week's plan rosters {people} people on {len(result.roster.entries)} "
            f"shifts in {n_routes} unit routes with risk-led stops, and was simulated "
            f"{result.reps} times against the usual practice (posts + mobile) and hotspot "
            f"patrol with the same staff and the same random numbers.",
            "Fixed posts that cannot be reached this week: "
            + (", ".join(unmet) if unmet else "none")
            + ".",
        ]
        cost = [
            f"Staff: the same people as the usual practice; patrol hours "
            f"{format_kpi('patrol_hours', hours[PLAN], lang)} (usual practice "
            f"{format_kpi('patrol_hours', hours[USUAL], lang)}), overtime "
            f"{format_kpi('overtime_hours', overtime[PLAN], lang)} (usual practice "
            f"{format_kpi('overtime_hours', overtime[USUAL], lang)})."
        ]
    return {
        "summary": [verdict_summary(verdicts, USUAL, lang)],
        "change": change,
        "kpis": [kpi_sentence(v, lang) for v in verdicts],
        "targets": target_sentences(comparison, sc.targets, PLAN, lang),
        "cost": cost,
        "cover": [cover_sentence(cover, lang)],
    }


def plan_summary(result: PlanResult, lang: Lang = "zh") -> str:
    """What ``patrolsim plan`` prints: the verdict in a few lines (no solver figures)."""
    lines = verdict_lines(result, lang)
    head = (
        f"{result.scenario.name}：{result.week_start} 起一周的计划"
        if lang == "zh"
        else f"{result.scenario.name}: plan for the week of {result.week_start}"
    )
    return "\n".join([head, *lines["summary"], *lines["targets"], *lines["cost"], *lines["cover"]])


def _verdict_class(v: KpiVerdict) -> str:
    return {"better": "good", "worse": "bad"}.get(v.outcome, "same")


def render_report(result: PlanResult, lang: Lang = "zh") -> str:
    """Return the report page as HTML text in ``lang``, with its Chinese font embedded."""
    sc = result.scenario
    zh = lang == "zh"
    comparison = result.comparison()
    lines = verdict_lines(result, lang)
    verdicts = kpi_verdicts(result.paired(), USUAL)
    kpi_items = "".join(
        f'<li class="{_verdict_class(v)}">{html.escape(kpi_sentence(v, lang))}</li>'
        for v in verdicts
    )

    def kpi_chart(kpi: str) -> str:
        def draw(ax: Axes) -> None:
            plot_kpi_comparison(comparison, kpi, ax=ax, targets=sc.targets, lang=lang)

        return _figure(draw, (4, 3.2))

    def route_map(routes: DistrictRoutes) -> str:
        def draw(ax: Axes) -> None:
            plot_routes(sc, routes, ax=ax, lang=lang)

        return _figure(draw, (5.5, 4.5))

    kpi_imgs = "".join(kpi_chart(k) for k in HEADLINE_KPIS)
    roster = result.roster.to_frame()
    roster["date"] = roster["date"].astype(str)
    staff = pd.DataFrame(
        [(m.id, m.name, m.squad, m.role) for m in sc.staff], columns=["id", "name", "squad", "role"]
    )
    labels = {s.name: s.label or s.name for s in sc.shifts}
    roster_img = _figure(
        lambda ax: plot_roster_grid(
            roster,
            staff,
            [s.name for s in sc.shifts],
            ax=ax,
            shift_labels=[labels[s.name] if zh else s.name for s in sc.shifts],
            lang=lang,
        ),
        (8, 0.22 * len(staff) + 1.5),
    )
    first_day = [r for r in result.routes if r.date == result.week_start]
    maps = "".join(
        f"<div><h3>{r.date} {html.escape(labels[r.shift] if zh else r.shift)}</h3>"
        + route_map(r)
        + "</div>"
        for r in first_day
    )
    daily_img = _figure(
        lambda ax: plot_daily_comparison(daily_series(result), ax=ax, lang=lang), (8, 3.5)
    )
    cover = standard_cover(result.roster, sc)
    short = _cover_table(cover, labels, lang)
    none_short = (
        "<p>无：每个班次都达到标准配置。</p>"
        if zh
        else "<p>None: every shift has the standard cover.</p>"
    )

    def para(key: str) -> str:
        return "".join(f"<p>{html.escape(t)}</p>" for t in lines[key])

    title = (
        f"周计划 · {sc.name} · {result.week_start} 起一周"
        if zh
        else f"Weekly plan · {sc.name} · week of {result.week_start}"
    )
    h = (
        (
            "结论",
            "本计划改变什么",
            "各项指标(与现行做法相比)",
            "目标",
            "代价",
            "排班缺口",
            "各项指标(均值及95%置信区间)",
            "逐日情况",
            "排班",
            "未达标准配置的班次",
            f"{result.week_start} 的巡查路线",
            "每个中队每天的路线单见 packets/ 文件夹。",
        )
        if zh
        else (
            "Verdict",
            "What the plan changes",
            "Every KPI against the usual practice",
            "Targets",
            "Cost",
            "Cover",
            "KPIs (mean and 95% confidence interval)",
            "Day by day",
            "Roster",
            "Shifts short of the standard cover",
            f"Routes on {result.week_start}",
            "Each squad's route packet for each day is in packets/.",
        )
    )
    body = f"""<h1>{html.escape(title)}</h1>
<div class="verdict"><h2>{h[0]}</h2>{para("summary")}
<h3>{h[1]}</h3>{para("change")}
<h3>{h[2]}</h3><ul>{kpi_items}</ul>
<h3>{h[3]}</h3>{para("targets")}
<h3>{h[4]}</h3>{para("cost")}
<h3>{h[5]}</h3>{para("cover")}</div>
<h2>{h[6]}</h2>
<div class="grid">{kpi_imgs}</div>
{_table(_kpi_table(result, lang))}
<h2>{h[7]}</h2>{daily_img}
<h2>{h[8]}</h2>{roster_img}
<h3>{h[9]}</h3>
{_table(short, left=3) if len(short) else none_short}
<h2>{h[10]}</h2>
<p>{h[11]}</p>
<div class="grid">{maps}</div>
"""
    font = font_face_css(title + body)
    return f"""<!doctype html>
<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>{font}{CSS}</style></head><body>
{body}</body></html>
"""


def overview_figure(result: PlanResult, lang: Lang = "zh") -> Figure:
    """The report's front page as one figure: the verdict, the two headline KPIs per arm, the
    week day by day and the routes of the first day's busiest shift."""
    sc = result.scenario
    comparison = result.comparison()
    verdicts = kpi_verdicts(result.paired(), USUAL)
    fig = plt.figure(figsize=(14, 10))
    grid = fig.add_gridspec(3, 3, height_ratios=[1.0, 1.0, 1.0], width_ratios=[1, 1, 1.5])
    head = fig.add_subplot(grid[0, :])
    head.axis("off")
    title = (
        f"{sc.name} · {result.week_start} 起一周 · 每种做法模拟 {result.reps} 次，"
        f"相同人员、相同随机条件"
        if lang == "zh"
        else f"{sc.name} · week of {result.week_start} · {result.reps} replications per arm, "
        f"same staff, common random numbers"
    )
    head.text(0.0, 1.0, title, fontsize=13, va="top")
    summary = verdict_summary(verdicts, USUAL, lang)
    if lang == "zh":  # matplotlib wraps only at spaces, and Chinese has none
        summary = textwrap.fill(summary, width=CJK_LINE_CHARS)
    head.text(0.0, 0.9, summary, fontsize=10, va="top", wrap=True)
    shift = 0.055 * summary.count("\n")  # what follows moves down by the summary's extra lines
    lines = verdict_lines(result, lang)
    sep = "；" if lang == "zh" else "; "
    head.text(
        0.0,
        0.8 - shift,
        sep.join([*lines["targets"], *lines["cover"]]),
        fontsize=9,
        va="top",
        wrap=True,
    )
    colour = {"better": "#1a7f37", "worse": "#b42318"}
    for i, v in enumerate(verdicts):
        col, row = divmod(i, 7)
        head.text(
            0.5 * col,
            0.68 - shift - (0.095 - shift / 7) * row,
            kpi_sentence(v, lang),
            fontsize=8.5,
            va="top",
            color=colour.get(v.outcome, "#444"),
        )
    plot_kpi_comparison(
        comparison, "violation_hours", ax=fig.add_subplot(grid[1, 0]), targets=sc.targets, lang=lang
    )
    plot_kpi_comparison(
        comparison,
        "inspection_pass_rate",
        ax=fig.add_subplot(grid[1, 1]),
        targets=sc.targets,
        lang=lang,
    )
    plot_daily_comparison(daily_series(result), ax=fig.add_subplot(grid[2, :2]), lang=lang)
    first_day = [r for r in result.routes if r.date == result.week_start]
    if first_day:
        busiest = max(first_day, key=lambda r: sum(len(u.stops) for u in r.routes))
        plot_routes(sc, busiest, ax=fig.add_subplot(grid[1:, 2]), lang=lang)
    fig.tight_layout()
    return fig
