"""Start a scenario for a district that has none, from its case log.

:func:`init_scenario` lays patches over the cases (a square grid over their coordinates, or
one patch per area name), takes the violation types the mapping names and every rule from a
reference district (``scenarios/nanhu`` by default) as a starting point, and writes a
placeholder staff list sized like the reference district per patch. The result validates
and simulates at once; ``patrolsim calibrate`` then fits its rates to the log, and the bureau
replaces the placeholders (staff, patch kinds and tiers) with its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import shutil
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from patrolsim.caselog.place import EARTH_M_PER_DEG, PatchPlaces, place_cases_frame
from patrolsim.caselog.read import CaseLog, CaseMapping
from patrolsim.caselog.tomlout import toml_text
from patrolsim.errors import ScenarioError
from patrolsim.scenario import load_scenario
from patrolsim.scenario.load import PATCHES_FILE, RATE_PREFIX, SCENARIO_FILE, STAFF_FILE

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "nanhu"
"""The reference district whose types and rules a new scenario starts from."""

PATCHES_PER_SQUAD = 24
"""Street patches per squad (中队): the reference district has 48 in two squads."""

MIN_CASES_PER_CELL = 3
"""A grid cell becomes a patch only with at least this many cases in the log, so that a few
stray coordinates (a typo, a case across the river) do not make patches of their own; their
cases are counted as outside the district. Assumption."""

STREET_KIND = "secondary_road"
"""Patch kind given to every new patch (次干道): a placeholder for the bureau to replace."""

PLACEHOLDER_NOTE = (
    "PLACEHOLDER 占位: staff.csv, patch kinds and tiers are placeholders sized "
    "like the reference district; replace them with the bureau's own"
)


@dataclass(frozen=True, slots=True)
class InitResult:
    """What :func:`init_scenario` wrote."""

    folder: str
    patches: int
    squads: int
    staff: int
    types: tuple[str, ...]
    layout: str
    """``grid <metres> m`` or ``one patch per area``."""
    cases_placed: int
    patch_table: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """What was made, and the placeholder warning."""
        return (
            f"{self.folder}: {self.patches} patches ({self.layout}), {self.squads} squads, "
            f"{self.staff} placeholder staff, types {', '.join(self.types)}; "
            f"{self.cases_placed} cases on patches.\n{PLACEHOLDER_NOTE}."
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The new patches: id, lon, lat, area, cases."""
        return self.patch_table


def _grid_patches(cases: pd.DataFrame, grid_m: float) -> pd.DataFrame:
    ok = cases["lat"].notna()
    if not ok.any():
        raise ScenarioError(
            "--grid: no case has a usable coordinate; use --by-area or map lat and lon"
        )
    lat = cases.loc[ok, "lat"].to_numpy()
    lon = cases.loc[ok, "lon"].to_numpy()
    lat0, lon0 = float(np.median(lat)), float(np.median(lon))
    kx = EARTH_M_PER_DEG * math.cos(math.radians(lat0))
    ix = np.floor((lon - lon0) * kx / grid_m).astype(np.int64)
    iy = np.floor((lat - lat0) * EARTH_M_PER_DEG / grid_m).astype(np.int64)
    counts = Counter(zip(ix.tolist(), iy.tolist(), strict=True))
    cells = sorted(
        (c for c, n in counts.items() if n >= MIN_CASES_PER_CELL), key=lambda c: (-c[1], c[0])
    )
    if not cells:
        raise ScenarioError(
            f"--grid: no {grid_m:g} m cell holds {MIN_CASES_PER_CELL} cases; use a larger grid"
        )
    x0 = min(c[0] for c in cells)
    y1 = max(c[1] for c in cells)
    rows = []
    for cx, cy in cells:
        rows.append(
            {
                "id": f"G{y1 - cy + 1:02d}{cx - x0 + 1:02d}",
                "name": f"网格 {y1 - cy + 1}行{cx - x0 + 1}列",
                "lon": lon0 + (cx + 0.5) * grid_m / kx,
                "lat": lat0 + (cy + 0.5) * grid_m / EARTH_M_PER_DEG,
                "area": "",
                "cases": counts[(cx, cy)],
            }
        )
    return pd.DataFrame(rows)


def _area_patches(cases: pd.DataFrame) -> pd.DataFrame:
    areas = cases.loc[cases["area"] != "", "area"]
    if areas.empty:
        raise ScenarioError("--by-area: no case has an area; map the area column")
    counts = areas.value_counts()
    rows = []
    for i, (area, n) in enumerate(sorted(counts.items()), 1):
        sub = cases[(cases["area"] == area) & cases["lat"].notna()]
        rows.append(
            {
                "id": f"A{i:03d}",
                "name": str(area),
                "lon": float(sub["lon"].median()) if len(sub) else math.nan,
                "lat": float(sub["lat"].median()) if len(sub) else math.nan,
                "area": str(area),
                "cases": int(n),
            }
        )
    frame = pd.DataFrame(rows)
    if frame["lon"].isna().any():
        # without coordinates, lay the areas out on a notional 1 km grid (travel times are
        # then placeholders too)
        side = math.ceil(math.sqrt(len(frame)))
        k = 1000.0 / EARTH_M_PER_DEG
        frame["lon"] = [121.0 + (i % side) * k for i in range(len(frame))]
        frame["lat"] = [31.0 + (i // side) * k for i in range(len(frame))]
    return frame


def init_scenario(
    log: CaseLog,
    mapping: CaseMapping,
    folder: str | Path,
    grid_m: float | None = 1000.0,
    reference: str | Path = REFERENCE,
    log_name: str | None = None,
) -> InitResult:
    """Write a new scenario folder for the district of ``log``.

    Parameters
    ----------
    log
        The cases, as read through ``mapping``.
    mapping
        The mapping (its types must be types of the reference district).
    folder
        The new scenario folder; must not exist. Written to a temporary folder beside it,
        validated, then renamed: nothing half-written is ever left.
    grid_m
        Side of the square grid cells in metres; ``None``: one patch per area.
    reference
        The scenario whose violation types, shifts, duties and rules are copied.

    Raises
    ------
    ScenarioError
        If ``folder`` exists, or the cases give no patch.
    """
    target = Path(folder)
    if target.exists():
        raise ScenarioError(
            f"{target}:0: (folder): already exists; init makes a new scenario folder"
        )
    ref_root = Path(reference)
    ref = load_scenario(ref_root)
    ref_doc = tomllib.loads((ref_root / SCENARIO_FILE).read_text(encoding="utf-8-sig"))
    ref_types = [v.name for v in ref.violation_types]
    unknown = [t for t in mapping.types if t not in ref_types]
    if unknown:
        raise ScenarioError(
            [
                f"{mapping.path}:0: categories.{t}: not a violation type of the "
                f"reference district {ref_root}; expected one of "
                f"{', '.join(ref_types)}"
                for t in unknown
            ]
        )
    cases = log.cases
    if cases.empty:
        raise ScenarioError(f"{log.path}:0: (rows): no usable case to start a scenario from")
    patches = _area_patches(cases) if grid_m is None else _grid_patches(cases, grid_m)
    layout = "one patch per area" if grid_m is None else f"grid {grid_m:g} m"

    # tiers by case volume: the busiest tenth strict (严管), the next fifth controlled (严控)
    rank = patches["cases"].rank(ascending=False, method="first").to_numpy()
    n = len(patches)
    patches["tier"] = np.where(
        rank <= max(1, round(0.1 * n)),
        "strict",
        np.where(rank <= max(1, round(0.3 * n)), "controlled", "normal"),
    )
    n_squads = max(1, math.ceil(n / PATCHES_PER_SQUAD))
    order = np.argsort(patches["lon"].to_numpy(), kind="stable")  # vertical strips
    squad_of = np.empty(n, dtype=object)
    for s, chunk in enumerate(np.array_split(order, n_squads)):
        squad_of[chunk] = f"S{s + 1}"
    patches["squad"] = squad_of

    days = max(1, (log.last_day - log.first_day).days + 1)
    types = list(mapping.types)
    observed = cases.groupby(["patch", "type"]).size() if "patch" in cases else None
    rate_rows: dict[str, dict[str, float]] = {}
    if observed is None:
        # first guess only: the log's recorded cases per day on each patch (calibrate fits
        # the true rates); cases are assigned to the cell or area that made the patch
        assign = _assign(cases, patches, grid_m)
        assign = assign[assign["patch"] != ""]
        counts = assign.groupby(["patch", "type"]).size()
    else:
        assign = cases
        counts = observed
    for (pid, vtype), k in counts.items():
        rate_rows.setdefault(str(pid), {})[str(vtype)] = round(k / days, 5)

    staff_rows = []
    ref_street = [p for p in ref.patches if p.kind != "base"]
    per_patch = len(ref.staff) / len(ref_street)
    roles = [m.role for m in ref.staff]
    for s in range(n_squads):
        k = int((patches["squad"] == f"S{s + 1}").sum())
        for j in range(max(4, round(per_patch * k))):
            role = "certified" if j < 2 else roles[j % len(roles)]
            sid = f"PH{s + 1}{j + 1:03d}"
            staff_rows.append([sid, f"占位队员 placeholder {s + 1}-{j + 1}", role, f"S{s + 1}", 40])

    # Campaigns and levers (stall zones, cameras, shop-front contracts) name the reference
    # district's places and dates: a new district starts without them; [costs] carries over.
    doc = {
        key: value
        for key, value in ref_doc.items()
        if key
        not in ("campaigns", "violation_types", "squads", "stall_zones", "cameras", "shopfront")
    }
    start = log.first_day + dt.timedelta(days=(7 - log.first_day.weekday()) % 7)
    source = log_name or Path(log.path).name
    doc["name"] = f"{target.name} (from {source})"
    doc["start_date"] = start
    doc["horizon_days"] = 91
    doc["timezone"] = mapping.timezone
    doc["warmup_days"] = 7
    vtypes = {}
    comments: dict[str, str] = {}
    for t in types:
        entry = dict(ref_doc["violation_types"][t])
        total = int((cases["type"] == t).sum())
        mean = total / days / max(1, n)
        entry["base_rate_per_day"] = {STREET_KIND: round(mean, 5)}
        comments[f"violation_types.{t}.base_rate_per_day"] = (
            f"recorded cases per patch per day in {source} ({total} cases); a first guess: "
            f"run patrolsim calibrate to fit the true rates"
        )
        vtypes[t] = entry
    doc["violation_types"] = vtypes
    doc["squads"] = []
    for s in range(n_squads):
        doc["squads"].append(
            {"id": f"S{s + 1}", "name": f"第{s + 1}中队 (placeholder)", "base_patch": f"B{s + 1}"}
        )
    cal = dict(doc.get("calendar", {}))
    cal["country"] = mapping.country
    cal["exam_periods"] = []
    cal["inspection_days"] = []
    cal["extra_holidays"] = []
    cal["not_holidays"] = []
    doc["calendar"] = cal
    comments["calendar.country"] = f"public holidays of {mapping.country} (the log's country)"
    header = (
        f"# {target.name}: started by `patrolsim init` from {source} "
        f"({len(cases)} cases, {log.first_day} – {log.last_day}).\n"
        f"# Violation types, shifts, duties and rules come from the reference district "
        f"{ref_root.name};\n# every rate is a first guess until `patrolsim calibrate`.\n"
        f"# {PLACEHOLDER_NOTE}."
    )

    header_cols = [
        "id",
        "name",
        "kind",
        "tier",
        "lon",
        "lat",
        "squad",
        "area",
        *(RATE_PREFIX + t for t in types),
    ]
    rows = []
    for s in range(n_squads):
        members = patches[patches["squad"] == f"S{s + 1}"]
        rows.append(
            [
                f"B{s + 1}",
                f"第{s + 1}中队驻地 (placeholder)",
                "base",
                "normal",
                round(float(members["lon"].mean()), 6),
                round(float(members["lat"].mean()), 6),
                f"S{s + 1}",
                "",
                *([""] * len(types)),
            ]
        )
    for p in patches.itertuples():
        rates = rate_rows.get(p.id, {})
        rows.append(
            [
                p.id,
                p.name,
                STREET_KIND,
                p.tier,
                round(p.lon, 6),
                round(p.lat, 6),
                p.squad,
                p.area,
                *(rates.get(t, 0.0) for t in types),
            ]
        )

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (tmp / SCENARIO_FILE).write_text(toml_text(doc, comments, header), encoding="utf-8")
        write_csv(tmp / PATCHES_FILE, header_cols, rows)
        write_csv(tmp / STAFF_FILE, ["id", "name", "role", "squad", "weekly_hours"], staff_rows)
        load_scenario(tmp)  # it must validate at once
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return InitResult(
        str(target), n, n_squads, len(staff_rows), tuple(types), layout, len(assign), patches
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _assign(cases: pd.DataFrame, patches: pd.DataFrame, grid_m: float | None) -> pd.DataFrame:
    """Cases with the id of the patch made from their cell or area (for first-guess rates)."""

    places = PatchPlaces(
        tuple(patches["id"]),
        patches["lon"].to_numpy(dtype=float),
        patches["lat"].to_numpy(dtype=float),
        tuple(str(a).casefold() for a in patches["area"]),
    )
    radius = None if grid_m is None else grid_m * math.sqrt(0.5) + 1.0
    return place_cases_frame(cases, places, radius)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write a CSV (UTF-8 with BOM, for Excel); text starting = + - @ is quoted as text."""

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[safe_cell(c) for c in row] for row in rows])
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


def safe_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet reads as a formula: text starting = + - @ gets a '.

    Numbers (also negative ones written as text) are left as they are.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
