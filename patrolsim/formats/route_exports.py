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

from patrolsim.outputs import guard_cell, safe_name, write_json, write_text
from patrolsim.routing.district import DistrictRoutes, UnitRoute
from patrolsim.scenario.model import Scenario

__all__ = [
    "PURPOSE_LABELS",
    "ROUTES_CSV_COLUMNS",
    "fmt_time",
    "route_rows",
    "routes_geojson",
    "unit_sheet_html",
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
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 1.5em; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
p.meta { margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; margin-top: 0.8em; }
th, td { border: 1px solid #444; padding: 4px 8px; text-align: left; }
th { background: #eee; }
tr.post td { font-weight: bold; }
tr.break td { background: #f6f6f6; font-style: italic; }
td.done { width: 3em; }
@media print { body { margin: 0.5cm; } a { display: none; } }
"""


def unit_sheet_html(scenario: Scenario, plan: DistrictRoutes, ur: UnitRoute) -> str:
    """A printable route sheet (路线单) for one unit: times, places, purpose, a tick column."""
    e = html.escape
    u = ur.unit
    shift = scenario.shift(plan.shift)
    squad = scenario.squad(u.squad)
    rows = []
    for r in ur.rows:
        p = scenario.patches[r.patch_index]
        kind = scenario.patch_kinds.get(p.kind)
        kind_label = kind.label if kind is not None else p.kind
        rows.append(
            f'<tr class="{e(r.purpose)}"><td>{r.seq}</td><td>{fmt_time(r.arrive_min)}</td>'
            f"<td>{fmt_time(r.start_min)}</td><td>{fmt_time(r.depart_min)}</td>"
            f"<td>{e(p.name)}</td><td>{e(p.id)}</td><td>{e(kind_label)}</td>"
            f'<td>{e(PURPOSE_LABELS.get(r.purpose, r.purpose))}</td><td class="done"></td></tr>'
        )
    members = "、".join(u.members) if u.members else "—"
    stops = len(ur.stops)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>巡查路线单 {e(u.label)} {plan.date} {e(shift.label)}</title>
<style>{_CSS}</style></head><body>
<h1>巡查路线单 Patrol route sheet — {e(squad.name)} {e(u.label)}</h1>
<p class="meta">日期 Date: {plan.date.isoformat()} &nbsp;
班次 Shift: {e(shift.label)} ({e(shift.name)})
{fmt_time(u.start_min)}–{fmt_time(u.end_min)}</p>
<p class="meta">队员 Members: {e(members)}</p>
<p class="meta">停留 Stops: {stops}; each stop
{scenario.patrol.stop_min:g}–{scenario.patrol.stop_max:g} min;
same place again after at least {scenario.patrol.revisit_gap_min:g} min.</p>
<table><thead><tr><th>#</th><th>到达 Arrive</th><th>开始 Start</th><th>离开 Leave</th>
<th>地点 Place</th><th>编号 ID</th><th>类型 Kind</th><th>任务 Purpose</th><th>✓</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


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
) -> list[Path]:
    """Write routes.csv, one HTML sheet per unit and shift, and routes.geojson.

    (The map PNG is drawn by the CLI with :func:`patrolsim.plotting.plot_routes.plot_routes`:
    library modules do not import plotting, STYLE.md §1.)

    Parameters
    ----------
    out
        Output folder.
    scenario
        The scenario.
    plans
        One plan per shift (of one date).

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
    for plan in plans:
        for ur in plan.routes:
            # The unit label comes from roster.csv: encoded, it cannot leave sheets/.
            name = f"sheet_{plan.date.isoformat()}_{plan.shift}_{safe_name(ur.unit.label)}.html"
            written.append(
                write_text(folder / "sheets" / name, unit_sheet_html(scenario, plan, ur))
            )
    written.append(write_json(folder / "routes.geojson", routes_geojson(scenario, plans)))
    return written
