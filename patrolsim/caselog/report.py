"""The back-test as one self-contained HTML page (PNG images embedded as data: URIs).

Text is Chinese first, English after (terms from :mod:`patrolsim.caselog.terms`): the scores
table, observed against forecast cases per week, maps of forecast and observed hotspots, and
the calibration curve.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from patrolsim.caselog.backtest import (
    METRICS,
    MODELS,
    TOP_SHARE,
    BacktestResult,
    calibration_curve,
    patch_totals,
    poisson_deviance,
)
from patrolsim.caselog.init import safe_cell
from patrolsim.caselog.place import PatchPlaces
from patrolsim.caselog.terms import term
from patrolsim.plotting.plot_backtest import (
    plot_calibration_curve,
    plot_hotspots,
    plot_weekly_totals,
)

CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .9em; margin: .5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; } td.best { font-weight: bold; }
img { max-width: 100%; } .grid { display: flex; flex-wrap: wrap; gap: 1em; }
"""

LOWER_IS_BETTER = {"poisson_deviance": True, "mae": True, "hit_rate_10": False, "pai_10": False}


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def scores_table(result: BacktestResult) -> str:
    """The scores as an HTML table, best value per metric in bold."""
    table = result.scores.pivot(index="model", columns="metric", values="value")
    head = (
        '<tr><th class="l">模型 model</th>'
        + "".join(f"<th>{html.escape(term(m))}</th>" for m in METRICS)
        + "</tr>"
    )
    rows = []
    for model in MODELS:
        cells = [f'<td class="l">{html.escape(term(model))}</td>']
        for m in METRICS:
            col = table[m]
            best = col.min() if LOWER_IS_BETTER[m] else col.max()
            cls = ' class="best"' if np.isclose(table.loc[model, m], best) else ""
            cells.append(f"<td{cls}>{table.loc[model, m]:.4f}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def floor_table(result: BacktestResult, floors: tuple[float, ...] = (0.001, 0.01, 0.05)) -> str:
    """Mean Poisson deviance per model at other forecast floors (how much the floor matters)."""
    y = result.cells["observed"].to_numpy()
    head = (
        '<tr><th class="l">模型 model</th>'
        + "".join(f"<th>floor {f:g}</th>" for f in floors)
        + "</tr>"
    )
    rows = []
    for model in MODELS:
        f = result.cells[f"forecast_{model}"].to_numpy()
        values = "".join(
            f"<td>{poisson_deviance(y, np.maximum(f, fl)).mean():.4f}</td>" for fl in floors
        )
        rows.append(f'<tr><td class="l">{html.escape(term(model))}</td>{values}</tr>')
    return f"<table>{head}{''.join(rows)}</table>"


def backtest_html(result: BacktestResult, places: PatchPlaces, title: str, notes: str = "") -> str:
    """The report page."""
    fig, ax = plt.subplots(figsize=(8, 4))
    plot_weekly_totals(result.weekly, ax=ax)
    weekly_img = _png(fig)

    totals = patch_totals(result.cells).set_index("patch").reindex(list(places.ids)).fillna(0)
    k = max(1, int(np.ceil(TOP_SHARE * len(places.ids))))
    maps = []
    for column, label in (
        ("observed", "实际热点 observed hotspots"),
        ("forecast_simulation", "仿真预测热点 simulated forecast hotspots"),
        ("forecast_seasonal_naive", "季节朴素预测 seasonal naive forecast"),
    ):
        values = totals[column].to_numpy()
        top = np.zeros(len(values), dtype=bool)
        top[np.argsort(-values, kind="stable")[:k]] = True
        fig, ax = plt.subplots(figsize=(4.6, 4.6))
        plot_hotspots(places.lon, places.lat, values, f"{label}\n(□ top 10 %)", top, ax=ax)
        maps.append(f'<img src="{_png(fig)}">')

    fig, ax = plt.subplots(figsize=(5.5, 5))
    plot_calibration_curve(calibration_curve(result.cells), ax=ax)
    curve_img = _png(fig)

    fits = result.fits.copy()
    fits["converged"] = fits["converged"].map({True: "是 yes", False: "否 no"})
    fit_rows = "".join(
        f'<tr><td>{r.week}</td><td class="l">{r.start}</td><td>{r.iterations}</td>'
        f'<td class="l">{r.converged}</td><td class="l">{html.escape(r.unfitted)}</td></tr>'
        for r in fits.itertuples()
    )
    cells = result.cells
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>回测 Back-test: {html.escape(title)}</h1>
<p>训练截至 Trained until {result.train_until}; {result.weeks} 周滚动预测 weeks held out,
rolling origin (refit before every week). {len(cells)} 个单元 cells (片区 × 类型 × 日
patch × type × day), {int(cells["observed"].sum())} 件实际案件 observed cases.</p>
<h2>评分 Scores</h2>
{scores_table(result)}
<p>泊松偏差与平均绝对误差越小越好；命中率与PAI越大越好。Poisson deviance and MAE: lower is
better; hit rate and PAI: higher is better. Forecasts are floored at 0.01 cases per cell-day
for the deviance; 下表为其他下限 the deviance at other floors:</p>
{floor_table(result)}{notes}
<h2>每周实际与预测 Observed vs forecast by week</h2>
<img src="{weekly_img}">
<h2>热点地图 Hotspot maps (held-out weeks)</h2>
<div class="grid">{"".join(maps)}</div>
<h2>校准曲线 Calibration curve</h2>
<img src="{curve_img}">
<h2>每周重新拟合 Weekly refits</h2>
<table><tr><th>周 week</th><th class="l">开始 start</th><th>迭代 iterations</th>
<th class="l">收敛 converged</th><th class="l">未能拟合 could not fit</th></tr>{fit_rows}</table>
</body></html>
"""


def cells_for_csv(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells.csv`` columns in the documented order; ids that a spreadsheet would read as a
    formula (= + - @ first) are quoted as text."""
    out = cells[
        ["week", "patch", "type", "date", "observed", *(f"forecast_{m}" for m in MODELS)]
    ].copy()
    for column in ("patch", "type"):
        out[column] = out[column].map(safe_cell)
    return out
