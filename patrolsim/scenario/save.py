"""Write a :class:`~patrolsim.scenario.model.Scenario` back to a scenario folder.

:func:`save_scenario` is the inverse of :func:`~patrolsim.scenario.load.load_scenario`:
loading what it writes gives the same scenario. It serves tools that make scenario variants
(synthetic districts for benchmarks, edited staff lists) and the loader's round-trip tests.
Files are written atomically; CSVs as UTF-8 with a BOM so that Excel opens them correctly.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from typing import Any

import tomli_w

from patrolsim.outputs import write_text
from patrolsim.scenario.load import (
    LEAVE_FILE,
    PATCHES_FILE,
    RATE_PREFIX,
    ROADS_FILE,
    SCENARIO_FILE,
    STAFF_FILE,
)
from patrolsim.scenario.load_levers import levers_document
from patrolsim.scenario.model import BUILTIN_PATCH_KINDS, WEEKDAYS, Scenario


def _hhmm(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """Return the ``scenario.toml`` content of ``scenario`` as a dict."""
    doc: dict[str, Any] = {
        "name": scenario.name,
        "start_date": scenario.start_date,
        "horizon_days": scenario.horizon_days,
        "timezone": scenario.timezone,
        "language": scenario.language,
        "warmup_days": scenario.warmup_days,
    }
    types: dict[str, Any] = {}
    for v in scenario.violation_types:
        entry: dict[str, Any] = {
            "label": v.label,
            "base_rate_per_day": dict(v.base_rate_per_day),
            "hour_profile": list(v.hour_profile),
            "weekday_profile": list(v.weekday_profile),
            "visibility": v.visibility,
            "complaint_probability": v.complaint_probability,
            "complaint_delay_mean_min": v.complaint_delay_mean_min,
            "handling_min": v.handling_min,
            "handled_by": v.handled_by,
            "persuasion_success": v.persuasion_success,
            "priority": v.priority,
            "holiday_multiplier": v.holiday_multiplier,
            "mobile": v.mobile,
            "dynamics": dataclasses.asdict(v.dynamics),
        }
        if v.duration_mean_min is not None:
            entry["duration_mean_min"] = v.duration_mean_min
        types[v.name] = entry
    doc["violation_types"] = types
    kinds = {}
    for kind in scenario.patch_kinds.values():
        if kind.windows or kind.label != BUILTIN_PATCH_KINDS.get(kind.name):
            kinds[kind.name] = {
                "label": kind.label,
                "windows": [{"start": _hhmm(a), "end": _hhmm(b)} for a, b in kind.windows],
            }
    doc["patch_kinds"] = kinds
    doc["shifts"] = [
        {"name": s.name, "label": s.label, "start": _hhmm(s.start_min), "end": _hhmm(s.end_min)}
        for s in scenario.shifts
    ]
    doc["squads"] = [
        {"id": s.id, "name": s.name, "base_patch": s.base_patch} for s in scenario.squads
    ]
    doc["duties"] = [
        {
            "name": d.name,
            "weekday": WEEKDAYS[d.weekday],
            "start": _hhmm(d.start_min),
            "end": _hhmm(d.end_min),
            "every_weeks": d.every_weeks,
            "shifts": list(d.shifts),
        }
        for d in scenario.duties
    ]
    roster = dataclasses.asdict(scenario.roster)
    roster["default_cover"] = dict(scenario.roster.default_cover)
    doc["roster"] = roster
    doc["patrol"] = dataclasses.asdict(scenario.patrol)
    doc["campaigns"] = [
        {
            "name": c.name,
            "start": c.start,
            "end": c.end,
            "patch_kinds": list(c.patch_kinds),
            "patches": list(c.patches),
            "violation_types": list(c.violation_types),
            "extra_units": c.extra_units,
        }
        for c in scenario.campaigns
    ]
    cal = scenario.calendar
    doc["calendar"] = {
        "public_holidays": cal.public_holidays,
        "extra_holidays": list(cal.extra_holidays),
        "not_holidays": list(cal.not_holidays),
        "inspection_days": list(cal.inspection_days),
        "country": cal.country,
        "exam_periods": [
            {
                "name": e.name,
                "start": e.start,
                "end": e.end,
                "patch_kinds": list(e.patch_kinds),
                "multiplier": e.multiplier,
            }
            for e in scenario.exam_periods
        ],
    }
    t = scenario.travel
    doc["travel"] = {
        "foot_kmh": t.speeds_kmh["foot"],
        "ebike_kmh": t.speeds_kmh["ebike"],
        "car_kmh": t.speeds_kmh["car"],
        "circuity": t.circuity,
        "roads_mode": t.roads_mode,
    }
    doc["complaints"] = {"response_target_min": scenario.complaint_target_min}
    doc["inspections"] = {"per_day": scenario.inspections_per_day}
    doc["targets"] = {
        t.kpi: {k: v for k, v in (("min", t.min), ("max", t.max)) if v is not None}
        for t in scenario.targets
    }
    doc.update(levers_document(scenario.levers))
    return doc


def save_scenario(scenario: Scenario, folder: str | Path) -> Path:
    """Write ``scenario`` as a scenario folder and return its path."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    write_text(root / SCENARIO_FILE, tomli_w.dumps(scenario_document(scenario)))

    rate_types = sorted({t for p in scenario.patches for t in p.rate_overrides})
    header = [
        "id",
        "name",
        "kind",
        "tier",
        "x_m",
        "y_m",
        "squad",
        *(RATE_PREFIX + t for t in rate_types),
    ]
    rows: list[list[object]] = [
        [
            p.id,
            p.name,
            p.kind,
            p.tier,
            repr(p.x_m),
            repr(p.y_m),
            p.squad,
            *(repr(p.rate_overrides[t]) if t in p.rate_overrides else "" for t in rate_types),
        ]
        for p in scenario.patches
    ]
    write_text(root / PATCHES_FILE, _csv(header, rows))

    write_text(
        root / STAFF_FILE,
        _csv(
            ["id", "name", "role", "squad", "weekly_hours", "min_weekly_hours", "max_weekly_hours"],
            [
                [
                    s.id,
                    s.name,
                    s.role,
                    s.squad,
                    repr(s.weekly_hours),
                    repr(s.min_weekly_hours),
                    repr(s.max_weekly_hours),
                ]
                for s in scenario.staff
            ],
        ),
    )
    for name in (LEAVE_FILE, ROADS_FILE):
        (root / name).unlink(missing_ok=True)
    if scenario.leave:
        write_text(
            root / LEAVE_FILE,
            _csv(
                ["staff_id", "start", "end", "kind"],
                [
                    [lv.staff_id, lv.start.isoformat(), lv.end.isoformat(), lv.kind]
                    for lv in scenario.leave
                ],
            ),
        )
    if scenario.roads:
        unit = "metres" if scenario.roads[0].metres is not None else "minutes"
        write_text(
            root / ROADS_FILE,
            _csv(
                ["from", "to", unit],
                [[r.source, r.target, repr(getattr(r, unit))] for r in scenario.roads],
            ),
        )
    return root
