"""Route outputs: routes.csv rows, printable HTML route sheets, GeoJSON.

Times are written ``HH:MM`` after the shift day's midnight; times past midnight of a night shift
keep counting (``25:30`` is 01:30 the next morning), as GTFS does, so that a sheet sorts and
subtracts correctly.

GeoJSON coordinates are the scenario's **local metres** (``x_m`` east, ``y_m`` north), not
longitude/latitude: each file carries a ``crs`` member named ``patrolsim:local-metres`` (the
2008 GeoJSON convention; RFC 7946 readers ignore it) and ``"coordinates_unit": "m"``. GIS tools
should load them as a local engineering CRS.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from patrolsim.formats.pdf import html_to_pdf
from patrolsim.formats.webfont import FONT_FAMILY, font_face_css
from patrolsim.outputs import guard_cell, safe_name, write_json, write_text
from patrolsim.routing.district import DistrictRoutes, DutyUnit, UnitRoute
from patrolsim.scenario.model import Scenario
from patrolsim.terms import Lang, term, weekday

__all__ = [
    "PURPOSE_LABELS",
    "ROUTES_CSV_COLUMNS",
    "fmt_time",
    "packet_html",
    "route_rows",
    "routes_geojson",
    "slack_min",
    "time_window",
    "unit_name",
    "unit_sheet_html",
    "unit_title",
    "write_district_outputs",
    "write_routes_csv",
]

ROUTES_CSV_COLUMNS = (
    "date",
    "shift",
    "unit",
    "seq",
    "patch_id",
    "patch_name",
    "arrive",
    "start",
    "depart",
    "purpose",
)

PURPOSE_LABELS = {
    "depart": "出发 depart",
    "post": "定岗 fixed post",
    "patrol": "巡查 patrol stop",
    "break": "用餐 meal break",
    "return": "返回 return",
}


def fmt_time(minutes: float) -> str:
    """``HH:MM`` (rounded to the minute); hours go past 23 after midnight."""
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def route_rows(scenario: Scenario, plan: DistrictRoutes) -> list[dict[str, Any]]:
    """The rows of routes.csv for one day and shift, unit by unit in time order."""
    out: list[dict[str, Any]] = []
    for ur in plan.routes:
        for r in ur.rows:
            p = scenario.patches[r.patch_index]
            out.append(
                {
                    "date": plan.date.isoformat(),
                    "shift": plan.shift,
                    "unit": ur.unit.label,
                    "seq": r.seq,
                    "patch_id": p.id,
                    "patch_name": p.name,
                    "arrive": fmt_time(r.arrive_min),
                    "start": fmt_time(r.start_min),
                    "depart": fmt_time(r.depart_min),
                    "purpose": r.purpose,
                }
            )
    return out


def _csv_line(values: Iterable[Any]) -> str:
    """One CSV line; text cells are guarded against spreadsheet formulas (numbers stay)."""
    cells = []
    for v in values:
        s = guard_cell(v) if isinstance(v, str) else str(v)
        if any(c in s for c in ',"\n'):
            s = '"' + s.replace('"', '""') + '"'
        cells.append(s)
    return ",".join(cells)


def write_routes_csv(path: str | os.PathLike[str], rows: Sequence[dict[str, Any]]) -> Path:
    """Write routes.csv (UTF-8 with BOM, so that Excel shows the Chinese names)."""
    lines = [_csv_line(ROUTES_CSV_COLUMNS)]
    lines += [_csv_line(r[c] for c in ROUTES_CSV_COLUMNS) for r in rows]
    return write_text(path, "\ufeff" + "\n".join(lines) + "\n")


_CSS = """
body { font-family: "FONT", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 1.5em; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin: 0.2em 0; }
p.meta { margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; margin-top: 0.8em; }
th, td { border: 1px solid #444; padding: 4px 8px; text-align: left; }
th { background: #eee; }
tr.post td { font-weight: bold; }
tr.break td { background: #f6f6f6; font-style: italic; }
td.done { width: 3em; }
section.unit { page-break-after: always; break-after: page; }
section.unit:last-child { page-break-after: auto; break-after: auto; }
@page { size: A4; margin: 1cm; }
@media print { body { margin: 0; font-size: 10pt; } th, td { padding: 2px 6px; }
               h1 { font-size: 14pt; } a { display: none; } }
""".replace("FONT", FONT_FAMILY)

WINDOW_STEP_MIN = 5
"""Stop times on a sheet are windows rounded to this many minutes, not minute-exact times."""
MAX_SLACK_MIN = 15
"""Leeway shown at most: beyond a quarter of an hour a late start is a different route."""

_PURPOSES = {
    "depart": ("出发", "depart"),
    "post": ("定岗", "fixed post"),
    "patrol": ("巡查", "patrol stop"),
    "break": ("用餐", "meal break"),
    "return": ("返回", "return"),
}


def unit_name(unit: DutyUnit) -> str:
    """The unit's name on a sheet: ``S1-day-1`` (a squad prefix is never doubled)."""
    inner = unit.unit.removeprefix(f"{unit.squad}-")
    return f"{unit.squad}-{inner}"


def unit_title(scenario: Scenario, unit: DutyUnit, lang: Lang = "zh") -> str:
    """The unit as a squad reads it: ``早班 1 组`` / ``白班 劝导 1 组`` (``S1-day-p1``), or the
    plain unit name when the label is not ``SHIFT-N`` / ``SHIFT-pN``."""
    inner = unit_name(unit).removeprefix(f"{unit.squad}-")
    shift, _, number = inner.rpartition("-")
    names = {s.name: s for s in scenario.shifts}
    if shift not in names or not number.removeprefix("p").isdigit():
        return unit_name(unit)
    persuasion = number.startswith("p")
    n = number.removeprefix("p")
    if lang == "zh":
        label = names[shift].label or shift
        return f"{label} {'劝导 ' if persuasion else ''}{n} 组"
    return f"{shift} {'persuasion ' if persuasion else ''}unit {n}"


def slack_min(ur: UnitRoute) -> list[float]:
    """Per row, how late the unit may start that row and still finish the shift on time.

    The leeway is the waiting time after the row plus the time between the return to base
    and the end of the shift, at most :data:`MAX_SLACK_MIN`.
    """
    rows = ur.rows
    end_buffer = max(0.0, ur.unit.end_min - rows[-1].depart_min) if rows else 0.0
    out = [0.0] * len(rows)
    later = end_buffer
    for i in range(len(rows) - 1, -1, -1):
        out[i] = min(MAX_SLACK_MIN, later)
        later += max(0.0, rows[i].start_min - rows[i].arrive_min)
    return out


def time_window(start_min: float, slack: float) -> str:
    """``HH:MM–HH:MM``: the start rounded down, to the start plus slack rounded up (5 min)."""
    step = WINDOW_STEP_MIN
    lo = (int(start_min) // step) * step
    hi = -(-int(start_min + max(slack, step)) // step) * step
    return f"{fmt_time(lo)}–{fmt_time(hi)}"


def _members(scenario: Scenario, unit: DutyUnit) -> str:
    names = {m.id: m.name for m in scenario.staff}
    return "、".join(names.get(m, m) for m in unit.members) if unit.members else "—"


def unit_section_html(
    scenario: Scenario, plan: DistrictRoutes, ur: UnitRoute, lang: Lang = "zh"
) -> str:
    """One unit's route as a printable section: people by name, stop windows with slack."""
    e = html.escape
    zh = lang == "zh"
    u = ur.unit
    shift = scenario.shift(plan.shift)
    squad = scenario.squad(u.squad)
    rows = []
    for r, slack in zip(ur.rows, slack_min(ur), strict=True):
        p = scenario.patches[r.patch_index]
        kind = scenario.patch_kinds.get(p.kind)
        kind_label = kind.label if kind is not None and zh else p.kind.replace("_", " ")
        purpose = _PURPOSES.get(r.purpose, (r.purpose, r.purpose))[0 if zh else 1]
        stay = round(r.depart_min - r.start_min)
        rows.append(
            f'<tr class="{e(r.purpose)}"><td>{r.seq}</td>'
            f"<td>{time_window(r.start_min, slack)}</td><td>{stay}</td><td>{round(slack)}</td>"
            f"<td>{e(p.name)}</td><td>{e(kind_label)}</td>"
            f'<td>{e(purpose)}</td><td class="done"></td></tr>'
        )
    shift_name = shift.label if zh and shift.label else shift.name
    sq_name = squad.name if zh else squad.id
    heads = (
        ("#", "到达时段", "停留(分钟)", "机动余量(分钟)", "地点", "类型", "任务", "✓")
        if zh
        else ("#", "arrive between", "stay (min)", "slack (min)", "place", "kind", "task", "✓")
    )
    head = "".join(f"<th>{h}</th>" for h in heads)
    if zh:
        meta = (
            f'<p class="meta">日期：{plan.date.isoformat()} {weekday(plan.date.weekday())}'
            f" &nbsp; 班次：{e(shift_name)} {fmt_time(u.start_min)}–{fmt_time(u.end_min)}</p>"
            f'<p class="meta">组员：{e(_members(scenario, u))}</p>'
            f'<p class="meta">巡查点 {len(ur.stops)} 个；每点停留 '
            f"{scenario.patrol.stop_min:g}–{scenario.patrol.stop_max:g} 分钟；同一地点至少间隔 "
            f"{scenario.patrol.revisit_gap_min:g} 分钟再去。按到达时段到达即可，"
            f"机动余量为可推迟而不影响收队的分钟数。</p>"
        )
        title = f"巡查路线单 · {e(sq_name)} · {e(unit_title(scenario, u, lang))}"
    else:
        day = weekday(plan.date.weekday(), lang)
        meta = (
            f'<p class="meta">Date: {plan.date.isoformat()} {day}'
            f" &nbsp; Shift: {e(shift_name)} {fmt_time(u.start_min)}–{fmt_time(u.end_min)}</p>"
            f'<p class="meta">Members: {e(_members(scenario, u))}</p>'
            f'<p class="meta">{len(ur.stops)} stops of '
            f"{scenario.patrol.stop_min:g}–{scenario.patrol.stop_max:g} min; the same place "
            f"again after at least {scenario.patrol.revisit_gap_min:g} min. Arrive within "
            f"the window; slack is how many minutes later the unit may be without "
            f"finishing late.</p>"
        )
        title = f"Patrol route sheet · {e(sq_name)} · {e(unit_title(scenario, u, lang))}"
    return f"""<section class="unit"><h1>{title}</h1>
{meta}
<table><thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></section>"""


def _page(title: str, body: str, font_css: str, lang: Lang) -> str:
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{font_css}{_CSS}</style></head><body>
{body}
</body></html>
"""


def unit_sheet_html(
    scenario: Scenario,
    plan: DistrictRoutes,
    ur: UnitRoute,
    lang: Lang = "zh",
    font_css: str | None = None,
) -> str:
    """A printable route sheet (路线单) for one unit, with its Chinese font embedded.

    ``font_css`` is an ``@font-face`` rule to reuse (subsetting the font takes seconds);
    by default one is made for this sheet.
    """
    body = unit_section_html(scenario, plan, ur, lang)
    title = f"{term('route_sheet', lang)} {unit_name(ur.unit)} {plan.date}"
    return _page(title, body, font_css if font_css is not None else font_face_css(body), lang)


def packet_html(
    scenario: Scenario,
    plans: Sequence[DistrictRoutes],
    squad: str,
    lang: Lang = "zh",
    font_css: str | None = None,
) -> str:
    """One squad's packet for one day: every unit's sheet of every shift, a page each."""
    sections = [
        unit_section_html(scenario, plan, ur, lang)
        for plan in sorted(plans, key=lambda p: scenario.shift(p.shift).start_min)
        for ur in plan.routes
        if ur.unit.squad == squad
    ]
    body = "\n".join(sections)
    sq = scenario.squad(squad)
    date = plans[0].date if plans else ""
    title = f"{term('route_sheet', lang)} {sq.name if lang == 'zh' else sq.id} {date}"
    return _page(title, body, font_css if font_css is not None else font_face_css(body), lang)


def routes_geojson(scenario: Scenario, plans: Sequence[DistrictRoutes]) -> dict[str, Any]:
    """A FeatureCollection: one LineString per unit route and one Point per stop (local metres)."""
    features: list[dict[str, Any]] = []
    for plan in plans:
        for ur in plan.routes:
            coords: list[list[float]] = []
            for r in ur.rows:
                p = scenario.patches[r.patch_index]
                if not coords or coords[-1] != [p.x_m, p.y_m]:
                    coords.append([p.x_m, p.y_m])
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {
                        "kind": "route",
                        "date": plan.date.isoformat(),
                        "shift": plan.shift,
                        "unit": ur.unit.label,
                        "stops": len(ur.stops),
                    },
                }
            )
            for r in ur.rows:
                if r.purpose not in ("post", "patrol", "break"):
                    continue
                p = scenario.patches[r.patch_index]
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [p.x_m, p.y_m]},
                        "properties": {
                            "kind": "visit",
                            "date": plan.date.isoformat(),
                            "shift": plan.shift,
                            "unit": ur.unit.label,
                            "seq": r.seq,
                            "patch_id": p.id,
                            "patch_name": p.name,
                            "start": fmt_time(r.start_min),
                            "depart": fmt_time(r.depart_min),
                            "purpose": r.purpose,
                        },
                    }
                )
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "patrolsim:local-metres"}},
        "coordinates_unit": "m",
        "features": features,
    }


def write_district_outputs(
    out: str | os.PathLike[str],
    scenario: Scenario,
    plans: Sequence[DistrictRoutes],
    lang: Lang = "zh",
    pdf: bool = True,
) -> list[Path]:
    """Write routes.csv, route sheets, one packet per squad and day, and routes.geojson.

    ``sheets/`` holds one HTML sheet per unit and shift; ``packets/`` one HTML packet per squad
    and day (a page per unit) and, when headless Chromium is installed and ``pdf`` is true,
    the same packet as PDF (:func:`patrolsim.formats.pdf.html_to_pdf`). Every page embeds the
    one font subset all of them need. (The map PNG is drawn by the CLI with
    :func:`patrolsim.plotting.plot_routes.plot_routes`: library modules do not import
    plotting, STYLE.md §1.)

    Parameters
    ----------
    out
        Output folder.
    scenario
        The scenario.
    plans
        One plan per day and shift.
    lang
        Language of the sheets.
    pdf
        Also print each packet to PDF when a browser is available.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows = [row for plan in plans for row in route_rows(scenario, plan)]
    written.append(write_routes_csv(folder / "routes.csv", rows))
    sections = {
        (plan.date, plan.shift, id(ur)): unit_section_html(scenario, plan, ur, lang)
        for plan in plans
        for ur in plan.routes
    }
    font_css = font_face_css("".join(sections.values()))
    for plan in plans:
        for ur in plan.routes:
            # The unit label comes from roster.csv: encoded, it cannot leave sheets/.
            stem = f"sheet_{plan.date.isoformat()}_{plan.shift}_{unit_name(ur.unit)}"
            name = safe_name(stem) + ".html"
            written.append(
                write_text(
                    folder / "sheets" / name, unit_sheet_html(scenario, plan, ur, lang, font_css)
                )
            )
    by_day: dict[tuple[str, str], list[DistrictRoutes]] = {}
    for plan in plans:
        for squad in dict.fromkeys(ur.unit.squad for ur in plan.routes):
            by_day.setdefault((plan.date.isoformat(), squad), []).append(plan)
    for (date, squad), day_plans in sorted(by_day.items()):
        page = folder / "packets" / (safe_name(f"packet_{date}_{squad}") + ".html")
        written.append(write_text(page, packet_html(scenario, day_plans, squad, lang, font_css)))
        if pdf and html_to_pdf(page, page.with_suffix(".pdf")):
            written.append(page.with_suffix(".pdf"))
    written.append(write_json(folder / "routes.geojson", routes_geojson(scenario, plans)))
    return written
