"""Load a scenario folder into a :class:`~patrolsim.scenario.model.Scenario`.

A scenario folder holds ``scenario.toml``, ``patches.csv`` and ``staff.csv``, and optionally
``leave.csv`` and ``roads.csv`` (formats in README.md). :func:`load_scenario` reads all of
them, checks every field and every reference between them, and raises one
:class:`~patrolsim.errors.ScenarioError` listing *all* problems, one per line, as
``FILE:ROW: FIELD: what is wrong (got VALUE)``. For ``scenario.toml`` ROW is the line of the
offending key (or of its table when the key is missing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from patrolsim.scenario.calendar import build_days
from patrolsim.scenario.load_levers import build_levers, check_levers
from patrolsim.scenario.model import (
    BUILTIN_PATCH_KINDS,
    ROLE_ALIASES,
    ROLES,
    TIER_ALIASES,
    TIERS,
    WEEKDAYS,
    CalendarRules,
    Campaign,
    Duty,
    Dynamics,
    ExamPeriod,
    Leave,
    Patch,
    PatchKind,
    PatrolRules,
    RoadEdge,
    RosterRules,
    RosterWeights,
    Scenario,
    ShiftType,
    Squad,
    StaffMember,
    Target,
    TravelRules,
    ViolationType,
)
from patrolsim.scenario.network import network_for
from patrolsim.scenario.schema import MAX_RATE_PER_DAY, ScenarioIn, parse_hhmm
from patrolsim.scenario.tables import Cells, Problems, Table, check_unique, decode_bytes, read_table

SCENARIO_FILE = "scenario.toml"
PATCHES_FILE = "patches.csv"
STAFF_FILE = "staff.csv"
LEAVE_FILE = "leave.csv"
ROADS_FILE = "roads.csv"
RATE_PREFIX = "rate_"
SHARE_SUFFIXES = ("_share", "_rate")
"""KPIs whose names end so are shares between 0 and 1."""


def load_scenario(folder: str | Path) -> Scenario:
    """Read and validate the scenario in ``folder``.

    Raises
    ------
    ScenarioError
        With every problem found, one ``FILE:ROW: FIELD: message (got VALUE)`` per line.
    """
    root = Path(folder)
    problems = Problems()
    if not root.exists():
        problems.add(str(root), 0, "(folder)", "scenario folder not found")
        problems.raise_if_any()
    if not root.is_dir():
        problems.add(str(root), 0, "(folder)", "expected a scenario folder, found a file")
        problems.raise_if_any()

    config, toml_text, raw = _read_config(root, problems)
    patches_t = read_table(
        root / PATCHES_FILE,
        _disp(root, PATCHES_FILE),
        problems,
        required=("id", "name", "kind", "tier", "squad"),
        optional=("x_m", "y_m", "lon", "lat", "area"),
        optional_prefixes=(RATE_PREFIX,),
    )
    staff_t = read_table(
        root / STAFF_FILE,
        _disp(root, STAFF_FILE),
        problems,
        required=("id", "name", "role", "squad", "weekly_hours"),
        optional=("min_weekly_hours", "max_weekly_hours"),
    )
    leave_t = _optional(
        root, LEAVE_FILE, problems, required=("staff_id", "start", "end"), optional=("kind",)
    )
    roads_t = _optional(
        root, ROADS_FILE, problems, required=("from", "to"), optional=("minutes", "metres")
    )

    ctx = _Context(root, config, toml_text, raw, problems)
    patches = _patches(ctx, patches_t)
    staff = _staff(ctx, staff_t)
    leave = _leave(ctx, leave_t, staff)
    roads = _roads(ctx, roads_t, patches)
    if config is not None:
        _check_config(ctx, config, patches)
    problems.raise_if_any()
    assert config is not None
    assert patches is not None
    assert staff is not None
    return _build(root, config, patches, staff, leave, roads)


def _disp(root: Path, name: str) -> str:
    return str(root / name)


def _optional(
    root: Path, name: str, problems: Problems, required: Sequence[str], optional: Sequence[str]
) -> Table | None:
    path = root / name
    if not path.exists():
        if not path.is_symlink():
            return None
        # A link to nothing or a loop: the file was meant to be there, so skipping it would
        # silently drop everyone's leave (or every road).
        problems.add(
            _disp(root, name),
            0,
            "(file)",
            "a symbolic link that leads to no "
            "readable file (missing target or a loop); fix the link or remove it",
            _link_target(path),
        )
        return None
    return read_table(path, _disp(root, name), problems, required=required, optional=optional)


def _link_target(path: Path) -> str:
    try:
        return str(path.readlink())
    except OSError:
        return str(path)


# ---------------------------------------------------------------------------- scenario.toml


def _read_config(root: Path, problems: Problems) -> tuple[ScenarioIn | None, str, dict[str, Any]]:
    display = _disp(root, SCENARIO_FILE)
    try:
        data = (root / SCENARIO_FILE).read_bytes()
    except FileNotFoundError:
        problems.add(display, 0, "(file)", "required file is missing")
        return None, "", {}
    except OSError as exc:
        problems.add(display, 0, "(file)", f"cannot read the file: {exc.strerror}")
        return None, "", {}
    try:
        text = decode_bytes(data)
    except UnicodeError as exc:
        problems.add(display, 0, "(file)", f"unreadable bytes: {exc}")
        return None, "", {}
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 0
        problems.add(display, line, "(syntax)", f"malformed TOML: {exc}")
        return None, text, {}
    try:
        return ScenarioIn.model_validate(raw), text, raw
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = _pydantic_message(err)
            got = None if err["type"] == "missing" else err.get("input")
            if isinstance(got, dict | list):
                got = None
            problems.add(display, toml_line(text, loc), _dotted(loc), message, got)
        return None, text, raw


def _pydantic_message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        return "unknown key"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


def _dotted(loc: Sequence[object]) -> str:
    return ".".join(str(part) for part in loc) if loc else "(top level)"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def toml_line(text: str, loc: Sequence[object]) -> int:
    """Best-effort line number of the key at ``loc`` in TOML ``text`` (its table if not found)."""
    lines = text.splitlines()
    headers: list[tuple[int, tuple[object, ...]]] = []
    counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(lines, 1):
        match = _HEADER.match(line)
        if not match:
            continue
        path = tuple(part.strip().strip('"') for part in match.group(2).split("."))
        resolved: tuple[object, ...] = path
        if match.group(1) == "[[":
            index = counts.get(path, 0)
            counts[path] = index + 1
            resolved = (*path, index)
        # a sub-table of an array element, e.g. [shifts.x] after [[shifts]], is not resolved
        headers.append((number, resolved))

    best_start, best_len = 0, 0
    for number, path in headers:
        if len(path) > best_len and tuple(loc[: len(path)]) == path:
            best_start, best_len = number, len(path)
    end = len(lines)
    for number, _ in headers:
        if number > best_start:
            end = number - 1
            break
    if best_len < len(loc):
        key = str(loc[best_len])
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*[=.]')
        for number in range(best_start + 1, end + 1):
            if pattern.match(lines[number - 1]):
                return number
    return best_start if best_start else 1


@dataclass
class _Context:
    root: Path
    config: ScenarioIn | None
    toml_text: str
    raw: dict[str, Any]
    """The parsed TOML, used for cross-file checks when ``config`` failed validation."""
    problems: Problems

    @property
    def toml(self) -> str:
        return _disp(self.root, SCENARIO_FILE)

    def bad_config(self, loc: Sequence[object], message: str, got: object = None) -> None:
        self.problems.add(self.toml, toml_line(self.toml_text, loc), _dotted(loc), message, got)

    def _raw_keys(self, table: str) -> set[str] | None:
        value = self.raw.get(table)
        return set(value) if isinstance(value, dict) and value else None

    @property
    def squad_ids(self) -> set[str] | None:
        """Squad ids, if scenario.toml lists them readably (even if it has other problems)."""
        squads = self.raw.get("squads")
        if not isinstance(squads, list) or not all(isinstance(s, dict) for s in squads):
            return None
        ids = {s.get("id") for s in squads}
        return {i for i in ids if isinstance(i, str)} or None

    @property
    def kinds(self) -> set[str]:
        return set(BUILTIN_PATCH_KINDS) | (self._raw_keys("patch_kinds") or set())

    @property
    def type_names(self) -> set[str] | None:
        return self._raw_keys("violation_types")


def _check_config(ctx: _Context, config: ScenarioIn, patches: _Patches | None) -> None:
    kinds = ctx.kinds
    types = set(config.violation_types)
    shift_names = [s.name for s in config.shifts]
    patch_ids = None if patches is None else set(patches.ids)

    def known_kind(loc: Sequence[object], kind: str) -> None:
        if kind not in kinds:
            ctx.bad_config(
                loc, f"unknown patch kind; expected one of {', '.join(sorted(kinds))}", kind
            )

    for name, vt in config.violation_types.items():
        for kind in vt.base_rate_per_day:
            known_kind(("violation_types", name, "base_rate_per_day", kind), kind)

    seen: set[str] = set()
    for i, shift in enumerate(config.shifts):
        if shift.name in seen:
            ctx.bad_config(("shifts", i, "name"), "duplicate shift name", shift.name)
        seen.add(shift.name)
    for name in config.roster.default_cover:
        if name not in shift_names:
            ctx.bad_config(
                ("roster", "default_cover", name),
                f"unknown shift; expected one of {', '.join(shift_names)}",
                name,
            )
    for i, duty in enumerate(config.duties):
        for name in duty.shifts:
            if name not in shift_names:
                ctx.bad_config(
                    ("duties", i, "shifts"),
                    f"unknown shift; expected one of {', '.join(shift_names)}",
                    name,
                )
        if parse_hhmm(duty.start) % 1440 == parse_hhmm(duty.end) % 1440:
            ctx.bad_config(("duties", i, "end"), "duty has zero length", duty.end)

    seen = set()
    for i, squad in enumerate(config.squads):
        if squad.id in seen:
            ctx.bad_config(("squads", i, "id"), "duplicate squad id", squad.id)
        seen.add(squad.id)
        if patch_ids is not None and squad.base_patch not in patch_ids:
            ctx.bad_config(
                ("squads", i, "base_patch"), f"no such patch in {PATCHES_FILE}", squad.base_patch
            )

    start = config.start_date
    end = start + dt.timedelta(days=config.horizon_days - 1)
    if config.warmup_days >= config.horizon_days:
        ctx.bad_config(
            ("warmup_days",),
            f"must be shorter than horizon_days ({config.horizon_days})",
            config.warmup_days,
        )
    for i, campaign in enumerate(config.campaigns):
        loc: tuple[object, ...] = ("campaigns", i)
        for field_name in ("start", "end"):
            day = getattr(campaign, field_name)
            if not start <= day <= end:
                ctx.bad_config(
                    (*loc, field_name), f"date outside the horizon {start} to {end}", str(day)
                )
        for kind in campaign.patch_kinds:
            known_kind((*loc, "patch_kinds"), kind)
        for pid in campaign.patches:
            if patch_ids is not None and pid not in patch_ids:
                ctx.bad_config((*loc, "patches"), f"no such patch in {PATCHES_FILE}", pid)
        for vt_name in campaign.violation_types:
            if vt_name not in types:
                ctx.bad_config(
                    (*loc, "violation_types"),
                    f"unknown violation type; expected one of {', '.join(types)}",
                    vt_name,
                )
    for kpi, target in config.targets.items():
        if kpi.endswith(SHARE_SUFFIXES):
            for bound in ("min", "max"):
                value = getattr(target, bound)
                if value is not None and not 0.0 <= value <= 1.0:
                    ctx.bad_config(
                        ("targets", kpi, bound),
                        "a share must lie between 0 and 1 (write 85% as 0.85)",
                        value,
                    )
    for i, exam in enumerate(config.calendar.exam_periods):
        for kind in exam.patch_kinds:
            known_kind(("calendar", "exam_periods", i, "patch_kinds"), kind)
    check_levers(config, patch_ids, ctx.bad_config, PATCHES_FILE)


# ---------------------------------------------------------------------------- CSV files


@dataclass
class _Patches:
    ids: list[str]
    rows: list[dict[str, Any]]


def _patches(ctx: _Context, table: Table | None) -> _Patches | None:
    if table is None:
        return None
    problems = ctx.problems
    has_xy = "x_m" in table.columns and "y_m" in table.columns
    has_lonlat = "lon" in table.columns and "lat" in table.columns
    if not has_xy and not has_lonlat:
        problems.add(
            table.file,
            1,
            "x_m",
            "missing column; give x_m,y_m (metres) or lon,lat",
            ",".join(table.columns),
        )
        return None
    rate_columns = [c for c in table.columns if c.startswith(RATE_PREFIX)]
    types = ctx.type_names
    for column in rate_columns:
        if types is not None and column.removeprefix(RATE_PREFIX) not in types:
            problems.add(
                table.file,
                1,
                column,
                "rate column for an unknown violation type; "
                f"expected rate_ + one of {', '.join(sorted(types))}",
                column,
            )
    if not table.rows:
        problems.add(table.file, 2, "(rows)", "no patches; a scenario needs at least one")
        return None

    kinds = sorted(ctx.kinds)
    squads = ctx.squad_ids
    rows: list[dict[str, Any]] = []
    for row in table.rows:
        cells = Cells(table, row, problems)
        pid = cells.ident("id")
        name = cells.text("name")
        kind = cells.choice("kind", kinds)
        tier = cells.choice("tier", TIERS, TIER_ALIASES)
        squad = cells.text("squad")
        if squad and squads is not None and squad not in squads:
            cells.flag(
                "squad", f"unknown squad; expected one of {', '.join(sorted(squads))}", squad
            )
        if has_xy:
            x = cells.number("x_m", -1e7, 1e7)
            y = cells.number("y_m", -1e7, 1e7)
        else:
            x = cells.number("lon", -180, 180)
            y = cells.number("lat", -90, 90)
        rates = {}
        for column in rate_columns:
            value = cells.number(column, 0.0, MAX_RATE_PER_DAY, required=False)
            if value is not None:
                rates[column.removeprefix(RATE_PREFIX)] = value
        rows.append(
            {
                "line": row.line,
                "id": pid,
                "name": name,
                "kind": kind,
                "tier": tier,
                "squad": squad,
                "x": x,
                "y": y,
                "rates": rates,
            }
        )
    check_unique(table, "id", [(r["line"], r["id"]) for r in rows if r["id"]], problems)
    if has_lonlat and not has_xy:
        _project(rows)
    return _Patches([r["id"] for r in rows], rows)


def _project(rows: list[dict[str, Any]]) -> None:
    """Turn lon/lat into local metres (equirectangular around the mean; fine for a district)."""
    valid = [r for r in rows if r["x"] is not None and r["y"] is not None]
    if not valid:
        return
    lon0 = sum(r["x"] for r in valid) / len(valid)
    lat0 = sum(r["y"] for r in valid) / len(valid)
    k = 6_371_000.0 * math.pi / 180.0
    for r in valid:
        r["x"], r["y"] = (r["x"] - lon0) * k * math.cos(math.radians(lat0)), (r["y"] - lat0) * k


def _staff(ctx: _Context, table: Table | None) -> list[dict[str, Any]] | None:
    if table is None:
        return None
    problems = ctx.problems
    if not table.rows:
        problems.add(table.file, 2, "(rows)", "the staff list is empty; a scenario needs staff")
        return None
    squads = ctx.squad_ids
    tolerance = 8.0 if ctx.config is None else ctx.config.roster.hours_tolerance
    rows: list[dict[str, Any]] = []
    for row in table.rows:
        cells = Cells(table, row, problems)
        sid = cells.ident("id")
        name = cells.text("name")
        role = cells.choice("role", ROLES, ROLE_ALIASES)
        squad = cells.text("squad")
        if squad and squads is not None and squad not in squads:
            cells.flag(
                "squad", f"unknown squad; expected one of {', '.join(sorted(squads))}", squad
            )
        hours = cells.number("weekly_hours", 0.0, 84.0)
        low = cells.number("min_weekly_hours", 0.0, 84.0, required=False)
        high = cells.number("max_weekly_hours", 0.0, 84.0, required=False)
        if hours is not None:
            low = max(0.0, hours - tolerance) if low is None else low
            high = min(84.0, hours + tolerance) if high is None else high
            if low > hours or high < hours:
                cells.flag(
                    "weekly_hours",
                    f"must lie between min_weekly_hours {low:g} and max_weekly_hours {high:g}",
                    row.cells["weekly_hours"],
                )
        rows.append(
            {
                "line": row.line,
                "id": sid,
                "name": name,
                "role": role,
                "squad": squad,
                "hours": hours,
                "low": low,
                "high": high,
            }
        )
    check_unique(table, "id", [(r["line"], r["id"]) for r in rows if r["id"]], problems)
    return rows


def _leave(ctx: _Context, table: Table | None, staff: list[dict[str, Any]] | None) -> list[Leave]:
    if table is None:
        return []
    known = None if staff is None else {s["id"] for s in staff}
    out = []
    for row in table.rows:
        cells = Cells(table, row, ctx.problems)
        sid = cells.text("staff_id")
        start = cells.date("start")
        end = cells.date("end")
        kind = cells.row.cells.get("kind", "") or "leave"
        if sid and known is not None and sid not in known:
            cells.flag("staff_id", f"no such person in {STAFF_FILE}", sid)
        if start and end and end < start:
            cells.flag("end", f"leave ends before it starts on {start}", row.cells["end"])
        if cells.ok and start and end:
            out.append(Leave(sid, start, end, kind))
    return out


def _roads(ctx: _Context, table: Table | None, patches: _Patches | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    has_min = "minutes" in table.columns
    has_m = "metres" in table.columns
    if has_min == has_m:
        ctx.problems.add(
            table.file,
            1,
            "minutes",
            "give exactly one of the columns minutes or metres",
            ",".join(table.columns),
        )
        return []
    unit = "minutes" if has_min else "metres"
    known = None if patches is None else set(patches.ids)
    out = []
    for row in table.rows:
        cells = Cells(table, row, ctx.problems)
        ends = [cells.text("from"), cells.text("to")]
        for column, pid in zip(("from", "to"), ends, strict=True):
            if pid and known is not None and pid not in known:
                cells.flag(column, f"no such patch in {PATCHES_FILE}", pid)
        value = cells.number(unit, 0.0)
        if value is not None and value <= 0.0:
            cells.flag(unit, "must be positive", row.cells[unit])
        if cells.ok:
            out.append({"from": ends[0], "to": ends[1], unit: value})
    return out


# ---------------------------------------------------------------------------- build


def _normalised(values: Sequence[float]) -> tuple[float, ...]:
    """Scale to mean 1; a profile already at mean 1 is kept exactly (so saving round-trips)."""
    mean = sum(values) / len(values)
    if abs(mean - 1.0) < 1e-9:
        return tuple(values)
    return tuple(v / mean for v in values)


def _file_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for name in (SCENARIO_FILE, PATCHES_FILE, STAFF_FILE, LEAVE_FILE, ROADS_FILE):
        path = root / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _window(start: str, end: str) -> tuple[int, int]:
    a, b = parse_hhmm(start), parse_hhmm(end)
    return (a, b if b > a else b + 1440)


def _build(
    root: Path,
    config: ScenarioIn,
    patch_rows: _Patches,
    staff_rows: list[dict[str, Any]],
    leave: list[Leave],
    road_rows: list[dict[str, Any]],
) -> Scenario:
    kinds: dict[str, PatchKind] = {}
    for name, label in BUILTIN_PATCH_KINDS.items():
        kinds[name] = PatchKind(name, label)
    for name, kind_in in config.patch_kinds.items():
        label = kind_in.label or BUILTIN_PATCH_KINDS.get(name, name)
        kinds[name] = PatchKind(
            name, label, tuple(_window(w.start, w.end) for w in kind_in.windows)
        )

    vtypes = tuple(
        ViolationType(
            name=name,
            label=v.label,
            base_rate_per_day=dict(v.base_rate_per_day),
            hour_profile=_normalised(v.hour_profile),
            weekday_profile=_normalised(v.weekday_profile),
            duration_mean_min=v.duration_mean_min,
            visibility=v.visibility,
            complaint_probability=v.complaint_probability,
            complaint_delay_mean_min=v.complaint_delay_mean_min,
            handling_min=v.handling_min,
            handled_by=v.handled_by,
            persuasion_success=v.persuasion_success,
            priority=v.priority,
            holiday_multiplier=v.holiday_multiplier,
            mobile=v.mobile,
            dynamics=Dynamics(**v.dynamics.model_dump()),
        )
        for name, v in config.violation_types.items()
    )
    patches = tuple(
        Patch(
            i,
            r["id"],
            r["name"],
            r["kind"],
            r["tier"],
            float(r["x"]),
            float(r["y"]),
            r["squad"],
            dict(r["rates"]),
        )
        for i, r in enumerate(patch_rows.rows)
    )
    index = {p.id: p.index for p in patches}
    squads = tuple(
        Squad(i, s.id, s.name, s.base_patch, index[s.base_patch])
        for i, s in enumerate(config.squads)
    )
    staff = tuple(
        StaffMember(
            i,
            r["id"],
            r["name"],
            r["role"],
            r["squad"],
            float(r["hours"]),
            float(r["low"]),
            float(r["high"]),
        )
        for i, r in enumerate(staff_rows)
    )
    shifts = tuple(
        ShiftType(s.name, s.label or s.name, *_window(s.start, s.end)) for s in config.shifts
    )
    all_shifts = tuple(s.name for s in shifts)
    duties = tuple(
        Duty(
            d.name,
            WEEKDAYS.index(d.weekday),
            *_window(d.start, d.end),
            d.every_weeks,
            tuple(d.shifts) or all_shifts,
        )
        for d in config.duties
    )
    r = config.roster
    roster = RosterRules(
        r.min_rest_hours,
        r.max_consecutive_days,
        r.min_days_off_per_week,
        r.unit_certified,
        r.unit_auxiliaries,
        r.hours_tolerance,
        dict(r.default_cover),
        RosterWeights(**r.weights.model_dump()),
    )
    p = config.patrol
    patrol = PatrolRules(p.stop_min, p.stop_max, p.revisit_gap_min, p.meal_break_min, p.mode)
    campaigns = tuple(
        Campaign(
            c.name,
            c.start,
            c.end,
            tuple(c.patch_kinds),
            tuple(c.patches),
            tuple(c.violation_types),
            c.extra_units,
        )
        for c in config.campaigns
    )
    cal = config.calendar
    exams = tuple(
        ExamPeriod(e.name, e.start, e.end, tuple(e.patch_kinds), e.multiplier)
        for e in cal.exam_periods
    )
    calendar = CalendarRules(
        cal.public_holidays,
        tuple(cal.extra_holidays),
        tuple(cal.not_holidays),
        tuple(cal.inspection_days),
        cal.country,
    )
    days = build_days(
        config.start_date,
        config.horizon_days,
        calendar.public_holidays,
        calendar.extra_holidays,
        calendar.not_holidays,
        exams,
        calendar.inspection_days,
        country=calendar.country,
    )
    t = config.travel
    travel = TravelRules(
        {"foot": t.foot_kmh, "ebike": t.ebike_kmh, "car": t.car_kmh}, t.circuity, t.roads_mode
    )
    roads = tuple(
        RoadEdge(rr["from"], rr["to"], rr.get("metres"), rr.get("minutes")) for rr in road_rows
    )
    network = network_for(patches, travel, roads)
    targets = tuple(Target(k, v.min, v.max) for k, v in config.targets.items())
    return Scenario(
        name=config.name,
        folder=str(root),
        start_date=config.start_date,
        horizon_days=config.horizon_days,
        timezone=config.timezone,
        warmup_days=config.warmup_days,
        violation_types=vtypes,
        patch_kinds=kinds,
        patches=patches,
        squads=squads,
        staff=staff,
        leave=tuple(leave),
        shifts=shifts,
        duties=duties,
        roster=roster,
        patrol=patrol,
        campaigns=campaigns,
        exam_periods=exams,
        calendar=calendar,
        days=days,
        travel=travel,
        roads=roads,
        network=network,
        targets=targets,
        complaint_target_min=config.complaints.response_target_min,
        inspections_per_day=config.inspections.per_day,
        content_hash=_file_hash(root),
        levers=build_levers(config),
        language=config.language,
    )
