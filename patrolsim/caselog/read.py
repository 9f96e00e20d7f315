"""Read a case log (数字城管 / 12345 / 311 export) through a mapping file.

A case log is a CSV (UTF-8 with or without BOM, GB18030, UTF-16) or XLSX export with one row
per case. A TOML mapping (see ``docs/calibration.md``) says which column holds what and which
category texts mean which of the scenario's violation types; names, not codes, because
category codes differ between 数字城管 deployments while the names are the stable part.

Rows that cannot be used are counted by reason in :class:`CaseLog.dropped` (never silently
dropped). A mapping or log that cannot be used at all raises
:class:`~patrolsim.errors.ScenarioError` with ``FILE:ROW: FIELD: what is wrong (got X)``
lines, like every other input of patrolsim.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
import zoneinfo
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import openpyxl
import pandas as pd

from patrolsim.caselog.coords import to_wgs84
from patrolsim.caselog.terms import term
from patrolsim.scenario.load import toml_line
from patrolsim.scenario.tables import Problems, decode_bytes
from patrolsim.sim.policies import BASE_POLICIES

ROLES_REQUIRED = ("reported_at", "category")
ROLES_OPTIONAL = ("closed_at", "dispatched_at", "handled_at", "lat", "lon", "area", "source", "id")
TIME_ROLES = ("reported_at", "closed_at", "dispatched_at", "handled_at")
CHANNELS = ("patrol", "citizen")
SYSTEMS = ("wgs84", "gcj02", "bd09")

#: Time layouts tried by ``format = "auto"``: what 311 systems, 数字城管 platforms and Excel
#: write. The one that reads most of the first values wins.
AUTO_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
)

BAD_SHARE_LIMIT = 0.05
"""Above this share of unreadable times, the log is rejected (the mapping is likely wrong)
rather than the rows counted as unusable."""

PLACEHOLDER_TOLERANCE_DEG = 1e-4
"""A coordinate within this many degrees of a listed placeholder is that placeholder (about
10 m; exports round coordinates to 4 decimals)."""

_KEYS: Mapping[str, tuple[str, ...]] = {
    "columns": (*ROLES_REQUIRED, *ROLES_OPTIONAL),
    "time": ("format", "timezone", "country"),
    "coordinates": ("system", "placeholders"),
    "sources": CHANNELS,
    "fit": ("policy",),
}


@dataclass(frozen=True, slots=True)
class CaseMapping:
    """What a mapping file says: columns by role, times, coordinates, categories, channels."""

    path: str
    columns: Mapping[str, str]
    """Role (``reported_at``, ``category``, ``lat`` ...) → column name in the log."""
    time_format: str
    timezone: str
    coordinate_system: str
    placeholders: tuple[tuple[float, float], ...]
    """(lat, lon) pairs that mean "no place" (e.g. City Hall in Boston's 311 export)."""
    types: Mapping[str, tuple[str, ...]]
    """Violation type → the category texts that mean it."""
    channels: Mapping[str, str]
    """Source text (case-folded) → ``patrol`` or ``citizen``."""
    policy: str = "posts+mobile"
    """The bureau's usual patrol policy, under which the log was recorded."""
    country: str = "CN"
    """Where the log comes from: whose public holidays apply (``[time] country``)."""

    @property
    def category_type(self) -> dict[str, str]:
        """Category text (case-folded) → violation type."""
        return {_key(c): t for t, cats in self.types.items() for c in cats}

    def summary(self) -> str:
        """One line per type with its categories."""
        lines = [f"mapping {self.path}: {len(self.types)} types"]
        lines += [f"  {t} ← {', '.join(c)}" for t, c in self.types.items()]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per category: category, type."""
        return pd.DataFrame(
            [(c, t) for t, cats in self.types.items() for c in cats], columns=["category", "type"]
        )


def _key(text: object) -> str:
    return str(text).strip().casefold()


def load_mapping(path: str | Path, known_types: Sequence[str] | None = None) -> CaseMapping:
    """Read and check a mapping file.

    Parameters
    ----------
    path
        The TOML mapping.
    known_types
        The scenario's violation types; a category mapped to another name is a problem.

    Raises
    ------
    ScenarioError
        One line per problem, ``MAPPING:LINE: KEY: what is wrong (got X)``.
    """
    display = str(path)
    problems = Problems()
    try:
        text = decode_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        problems.add(display, 0, "(file)", "mapping file not found")
        problems.raise_if_any()
        raise AssertionError from None
    except (OSError, UnicodeError) as exc:
        problems.add(display, 0, "(file)", f"cannot read the mapping: {exc}")
        problems.raise_if_any()
        raise AssertionError from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.add(
            display, int(match.group(1)) if match else 0, "(syntax)", f"malformed TOML: {exc}"
        )
        problems.raise_if_any()
        raise AssertionError from None

    def bad(loc: tuple[object, ...], message: str, got: object = None) -> None:
        problems.add(display, toml_line(text, loc), ".".join(map(str, loc)), message, got)

    for section, value in raw.items():
        if section not in (*_KEYS, "categories"):
            bad((section,), f"unknown section; expected one of {', '.join([*_KEYS, 'categories'])}")
            continue
        if not isinstance(value, dict):
            bad((section,), "expected a table like [" + section + "]", value)
            continue
        if section in _KEYS:
            for key in value:
                if key not in _KEYS[section]:
                    bad((section, key), f"unknown key; expected one of {', '.join(_KEYS[section])}")

    columns_raw = raw.get("columns", {}) if isinstance(raw.get("columns"), dict) else {}
    columns: dict[str, str] = {}
    for role in ROLES_REQUIRED:
        if role not in columns_raw:
            bad(("columns", role), "missing required key: the column that holds it")
    for role, name in columns_raw.items():
        if role not in _KEYS["columns"]:
            continue
        if not isinstance(name, str) or not name.strip():
            bad(("columns", role), "expected a column name (text)", name)
            continue
        columns[role] = name.strip()
    if ("lat" in columns) != ("lon" in columns):
        bad(
            ("columns", "lat" if "lat" not in columns else "lon"),
            "give both lat and lon, or neither",
        )
    if "lat" not in columns and "area" not in columns and columns_raw:
        bad(("columns",), "give lat and lon, or area: a case needs a place")

    time_raw = raw.get("time", {}) if isinstance(raw.get("time"), dict) else {}
    fmt = time_raw.get("format", "auto")
    if not isinstance(fmt, str) or not fmt:
        bad(("time", "format"), 'expected "auto" or a strftime pattern', fmt)
        fmt = "auto"
    tz = time_raw.get("timezone", "Asia/Shanghai")
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad(("time", "timezone"), "unknown time zone, e.g. Asia/Shanghai", tz)
        tz = "Asia/Shanghai"

    country = str(time_raw.get("country", "CN")).upper()

    if country not in holidays.list_supported_countries():
        bad(("time", "country"), "unknown country code, e.g. CN or US", country)
        country = "CN"

    coord_raw = raw.get("coordinates", {}) if isinstance(raw.get("coordinates"), dict) else {}
    system = str(coord_raw.get("system", "wgs84")).lower()
    if system not in SYSTEMS:
        bad(("coordinates", "system"), f"expected one of {', '.join(SYSTEMS)}", system)
        system = "wgs84"
    placeholders: list[tuple[float, float]] = []
    for i, pair in enumerate(coord_raw.get("placeholders", [])):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(x, int | float) for x in pair)
        ):
            bad(("coordinates", "placeholders"), f"entry {i + 1}: expected [lat, lon]", pair)
            continue
        placeholders.append((float(pair[0]), float(pair[1])))

    cats_raw = raw.get("categories", {}) if isinstance(raw.get("categories"), dict) else {}
    if not cats_raw and "categories" not in raw:
        bad(("categories",), "missing [categories]: which category texts mean which type")
    types: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for vtype, cats in cats_raw.items():
        if known_types is not None and vtype not in known_types:
            bad(
                ("categories", vtype),
                f"unknown violation type; expected one of {', '.join(known_types)}",
                vtype,
            )
        if isinstance(cats, str):
            cats = [cats]
        if not isinstance(cats, list) or not cats or not all(isinstance(c, str) for c in cats):
            bad(("categories", vtype), "expected a list of category texts", cats)
            continue
        for c in cats:
            if _key(c) in seen and seen[_key(c)] != vtype:
                bad(("categories", vtype), f"category already mapped to {seen[_key(c)]}", c)
            seen[_key(c)] = vtype
        types[vtype] = tuple(c.strip() for c in cats)

    channels: dict[str, str] = {}
    src_raw = raw.get("sources", {}) if isinstance(raw.get("sources"), dict) else {}
    for channel in CHANNELS:
        values = src_raw.get(channel, [])
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            bad(("sources", channel), "expected a list of source texts", values)
            continue
        for v in values:
            if _key(v) in channels and channels[_key(v)] != channel:
                bad(("sources", channel), "source listed as both patrol and citizen", v)
            channels[_key(v)] = channel
    if src_raw and "source" not in columns:
        bad(("columns", "source"), "[sources] needs the column that holds the channel")

    policy = "posts+mobile"
    fit_raw = raw.get("fit", {}) if isinstance(raw.get("fit"), dict) else {}
    if "policy" in fit_raw:
        policy = str(fit_raw["policy"])
        if policy not in BASE_POLICIES:
            bad(("fit", "policy"), f"expected one of {', '.join(BASE_POLICIES)}", policy)
    problems.raise_if_any()
    return CaseMapping(
        display,
        columns,
        fmt,
        str(tz),
        system,
        tuple(placeholders),
        types,
        channels,
        policy,
        country,
    )


# ---------------------------------------------------------------------------- the log file


@dataclass(frozen=True, slots=True)
class CaseLog:
    """The usable cases of a log, and how many rows were left out, by reason."""

    path: str
    cases: pd.DataFrame = field(repr=False)
    """One row per usable case: ``row`` (the file's row number), ``id``, ``type``,
    ``category``, ``reported_at`` (local time, no zone), ``closed_at``, ``dispatched_at``,
    ``handled_at``, ``lat``, ``lon`` (WGS84, NaN if none), ``area``, ``coordinate_note``
    (``placeholder`` or ``unreadable`` where the row's coordinate was dropped and its area
    kept) and ``channel`` (``patrol``, ``citizen`` or ``other``)."""
    rows_read: int
    dropped: Mapping[str, int]
    """Reason (see :mod:`patrolsim.caselog.terms`) → rows left out."""
    unknown_categories: Mapping[str, int]
    """Category texts that no type names, with their counts (most frequent first)."""

    @property
    def first_day(self) -> dt.date:
        """Date of the earliest usable case."""
        return pd.Timestamp(self.cases["reported_at"].min()).date()

    @property
    def last_day(self) -> dt.date:
        """Date of the latest usable case."""
        return pd.Timestamp(self.cases["reported_at"].max()).date()

    def summary(self) -> str:
        """The reading summary: rows read, usable, and left out by reason (Chinese first)."""
        lines = [
            f"{Path(self.path).name}: {term('rows_read')} {self.rows_read}, "
            f"{term('usable')} {len(self.cases)}"
        ]
        if len(self.cases):
            lines[0] += f" ({self.first_day} – {self.last_day})"
        for reason, n in self.dropped.items():
            if n:
                lines.append(f"  - {term(reason)}: {n}")
        if self.unknown_categories:
            top = list(self.unknown_categories.items())[:5]
            lines.append(
                "    "
                + "; ".join(f"{c!r} {n}" for c, n in top)
                + (" …" if len(self.unknown_categories) > 5 else "")
            )
        if len(self.cases):
            by_type = self.cases["type"].value_counts()
            lines.append("  " + ", ".join(f"{t} {n}" for t, n in by_type.items()))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The reading summary as a table: reason, label, rows."""
        rows = [("rows_read", self.rows_read), ("usable", len(self.cases)), *self.dropped.items()]
        return pd.DataFrame([(r, term(r), n) for r, n in rows], columns=["reason", "label", "rows"])

    def with_cases(self, cases: pd.DataFrame, dropped: Mapping[str, int]) -> CaseLog:
        """A copy with other cases and more dropped rows (placing, windows)."""
        total = Counter(dict(self.dropped))
        total.update(dropped)
        return CaseLog(
            self.path,
            cases.reset_index(drop=True),
            self.rows_read,
            {k: total[k] for k in total},
            self.unknown_categories,
        )


def _read_rows(
    path: Path, display: str, problems: Problems
) -> tuple[list[str], list[int], list[list[Any]]]:
    """Header, Excel row numbers and cells of a CSV or XLSX file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            problems.add(display, 0, "(file)", f"cannot read the workbook: {exc}")
            return [], [], []
        sheet = book.worksheets[0]
        header: list[str] = []
        lines: list[int] = []
        rows: list[list[Any]] = []
        for i, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if i == 1:
                header = ["" if v is None else str(v).strip() for v in values]
                continue
            cells = ["" if v is None else v for v in values]
            if not any(str(c).strip() for c in cells):
                continue
            lines.append(i)
            rows.append(cells)
        book.close()
        return header, lines, rows
    try:
        text = decode_bytes(path.read_bytes())
    except FileNotFoundError:
        problems.add(display, 0, "(file)", "case log not found")
        return [], [], []
    except IsADirectoryError:
        problems.add(display, 0, "(file)", "expected a file, found a folder")
        return [], [], []
    except UnicodeError as exc:
        problems.add(display, 0, "(file)", f"unreadable bytes: {exc}")
        return [], [], []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = []
    lines = []
    rows = []
    try:
        for record in reader:
            if not header:
                header = [c.strip() for c in record]
                continue
            if not any(c.strip() for c in record):
                continue
            lines.append(reader.line_num)
            rows.append(record)
    except csv.Error as exc:
        problems.add(display, reader.line_num + 1, "(row)", f"malformed CSV: {exc}")
        return [], [], []
    return header, lines, rows


def _parse_times(values: pd.Series, fmt: str, tz: str) -> tuple[pd.Series, str | None]:
    """Parse times (local to ``tz``); return the times (NaT where unreadable) and the format."""
    is_dt = values.map(lambda v: isinstance(v, dt.datetime))
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if is_dt.any():
        out[is_dt] = pd.to_datetime(values[is_dt].map(lambda v: v.replace(tzinfo=None)))
    text = values[~is_dt].map(lambda v: str(v).strip())
    text = text[text != ""]
    if text.empty:
        return out, fmt
    chosen: str | None = fmt
    if fmt == "auto":
        sample = text.iloc[:200]
        best, best_n = None, 0
        for candidate in AUTO_FORMATS:
            n = int(pd.to_datetime(sample, format=candidate, errors="coerce").notna().sum())
            if n > best_n:
                best, best_n = candidate, n
        iso = pd.to_datetime(sample, format="ISO8601", errors="coerce", utc=True)
        if int(iso.notna().sum()) > best_n:
            best = "ISO8601"
        chosen = best
    if chosen is None:
        return out, None
    if chosen == "ISO8601" or "%z" in chosen:
        parsed = pd.to_datetime(text, format=chosen, errors="coerce", utc=True)
        has_zone = text.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True)
        local = parsed.dt.tz_convert(tz).dt.tz_localize(None)
        naive = (
            pd.to_datetime(text, format=chosen, errors="coerce") if not has_zone.all() else local
        )
        out[text.index] = np.where(has_zone, local, naive)
    else:
        out[text.index] = pd.to_datetime(text, format=chosen, errors="coerce")
    return pd.to_datetime(out), chosen


def _numbers(column: pd.Series) -> np.ndarray:
    text = column.map(lambda v: str(v).strip())
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)


def read_caselog(path: str | Path, mapping: CaseMapping) -> CaseLog:
    """Read the log at ``path`` through ``mapping``.

    Returns
    -------
    CaseLog
        The usable cases; rows without a time, with an unmapped category, a placeholder or
        unreadable coordinate (and no area), or a repeated id are counted in ``dropped``.

    Raises
    ------
    ScenarioError
        When the log cannot be read, lacks a mapped column, or its times cannot be read with
        the mapping's format (more than 5 % of them unreadable).
    """
    display = str(path)
    problems = Problems()
    header, lines, rows = _read_rows(Path(path), display, problems)
    problems.raise_if_any()
    if not header:
        problems.add(display, 1, "(header)", "the log is empty; expected a header row")
        problems.raise_if_any()
    index: dict[str, int] = {}
    folded = {h.casefold(): i for i, h in enumerate(header)}
    for role, name in mapping.columns.items():
        i = header.index(name) if name in header else folded.get(name.casefold())
        if i is None:
            problems.add(
                mapping.path,
                0,
                f"columns.{role}",
                f"no such column in {display}; it has {', '.join(header[:12])}"
                + (" …" if len(header) > 12 else ""),
                name,
            )
        else:
            index[role] = i
    problems.raise_if_any()

    frame = pd.DataFrame(
        {role: [r[i] if i < len(r) else "" for r in rows] for role, i in index.items()}
    )
    frame["row"] = lines
    for role in ROLES_OPTIONAL:
        if role not in frame:
            frame[role] = ""
    n_read = len(frame)
    dropped: Counter[str] = Counter()

    times: dict[str, pd.Series] = {}
    for role in TIME_ROLES:
        if role not in index:
            times[role] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            continue
        column = mapping.columns[role]
        raw = frame[role]
        parsed, chosen = _parse_times(raw, mapping.time_format, mapping.timezone)
        present = raw.map(lambda v: isinstance(v, dt.datetime) or str(v).strip() != "")
        bad = present & parsed.isna()
        if present.any() and (chosen is None or bad.sum() > BAD_SHARE_LIMIT * present.sum()):
            hint = (
                "; set [time] format to its strftime pattern"
                if mapping.time_format == "auto"
                else f" with [time] format {mapping.time_format!r}"
            )
            for i in np.flatnonzero(bad.to_numpy())[:5]:
                problems.add(
                    display,
                    int(frame["row"].iat[i]),
                    column,
                    f"unreadable time{hint}",
                    str(raw.iat[i]),
                )
            more = int(bad.sum()) - 5
            if more > 0:
                problems.add(display, 0, column, f"and {more} more unreadable times")
        times[role] = parsed
        if role == "reported_at":
            dropped["no_time"] += int((~present).sum())
            dropped["bad_time"] += int(bad.sum())
    problems.raise_if_any()

    keep = times["reported_at"].notna().to_numpy().copy()
    category = frame["category"].map(lambda v: str(v).strip())
    cat_type = mapping.category_type
    vtype = category.map(lambda c: cat_type.get(_key(c)))
    unknown = keep & vtype.isna().to_numpy()
    dropped["unknown_category"] += int(unknown.sum())
    unknown_counts = Counter(category[unknown].tolist())
    keep &= ~unknown

    lat = _numbers(frame["lat"])
    lon = _numbers(frame["lon"])
    area = frame["area"].map(lambda v: str(v).strip())
    has_area = (area != "").to_numpy()
    coord_text = (
        (frame["lat"].map(lambda v: str(v).strip()) != "")
        | (frame["lon"].map(lambda v: str(v).strip()) != "")
    ).to_numpy()
    unreadable = coord_text & (
        np.isnan(lat) | np.isnan(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    )
    placeholder = (np.abs(lat) < 1e-9) & (np.abs(lon) < 1e-9)
    for plat, plon in mapping.placeholders:
        placeholder |= (np.abs(lat - plat) <= PLACEHOLDER_TOLERANCE_DEG) & (
            np.abs(lon - plon) <= PLACEHOLDER_TOLERANCE_DEG
        )
    lat = np.where(unreadable | placeholder, np.nan, lat)
    lon = np.where(unreadable | placeholder, np.nan, lon)
    no_place = keep & np.isnan(lat) & ~has_area
    dropped["bad_coordinate"] += int((no_place & unreadable).sum())
    dropped["placeholder_coordinate"] += int((no_place & placeholder & ~unreadable).sum())
    dropped["no_location"] += int((no_place & ~placeholder & ~unreadable).sum())
    keep &= ~no_place
    ok = ~np.isnan(lat)
    if ok.any():
        wlon, wlat = to_wgs84(lon[ok], lat[ok], mapping.coordinate_system)
        lon[ok], lat[ok] = wlon, wlat

    ids = frame["id"].map(lambda v: str(v).strip())
    if "id" in index:
        dup = (ids.duplicated() & (ids != "")).to_numpy()
        dup_kept = keep & dup
        # a repeat of a row that was itself dropped is not a duplicate of a usable case
        first_kept = pd.Series(keep & ~dup).groupby(ids.to_numpy()).transform("any").to_numpy()
        dup_kept &= first_kept
        dropped["duplicate_id"] += int(dup_kept.sum())
        keep &= ~dup_kept

    channel = frame["source"].map(lambda v: mapping.channels.get(_key(v), "other"))
    cases = pd.DataFrame(
        {
            "row": frame["row"].to_numpy()[keep],
            "id": ids.to_numpy()[keep],
            "type": vtype.to_numpy()[keep],
            "category": category.to_numpy()[keep],
            "reported_at": times["reported_at"].to_numpy()[keep],
            "closed_at": times["closed_at"].to_numpy()[keep],
            "dispatched_at": times["dispatched_at"].to_numpy()[keep],
            "handled_at": times["handled_at"].to_numpy()[keep],
            "lat": lat[keep],
            "lon": lon[keep],
            "area": area.to_numpy()[keep],
            "coordinate_note": np.where(
                placeholder, "placeholder", np.where(unreadable, "unreadable", "")
            )[keep],
            "channel": channel.to_numpy()[keep],
        }
    )
    cases = cases.sort_values("reported_at", kind="stable").reset_index(drop=True)
    reasons = (
        "no_time",
        "bad_time",
        "unknown_category",
        "bad_coordinate",
        "placeholder_coordinate",
        "no_location",
        "duplicate_id",
    )
    return CaseLog(
        display, cases, n_read, {r: dropped[r] for r in reasons}, dict(unknown_counts.most_common())
    )
