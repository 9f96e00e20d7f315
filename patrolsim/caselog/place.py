"""Place cases on a scenario's patches: by coordinate, or by area name.

A case whose area (网格, 社区) names a patch's optional ``area`` column goes to that patch —
with several such patches, to one of them chosen by its id, so the cases spread evenly; any
other case with a coordinate goes to the nearest street patch within a radius (patches.csv
must then give ``lon,lat``). Cases that reach no patch are counted (``outside_district``,
``unknown_area``, ``placeholder_coordinate``), never silently dropped.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from patrolsim.caselog.read import CaseLog
from patrolsim.errors import ScenarioError
from patrolsim.scenario.load import PATCHES_FILE, RATE_PREFIX
from patrolsim.scenario.tables import Problems, read_table

EARTH_M_PER_DEG = 6_371_000.0 * math.pi / 180.0


@dataclass(frozen=True, slots=True)
class PatchPlaces:
    """Where a scenario's street patches are: ids, WGS84 coordinates, area names."""

    ids: tuple[str, ...]
    lon: npt.NDArray[np.float64] = field(repr=False)
    lat: npt.NDArray[np.float64] = field(repr=False)
    area: tuple[str, ...]
    """The ``area`` column (case-folded), ``""`` where a patch has none."""

    @property
    def has_coordinates(self) -> bool:
        """Whether patches.csv gives ``lon,lat`` for the street patches."""
        return bool(len(self.lon)) and not np.isnan(self.lon).any()

    def spacing_m(self) -> float:
        """Median distance from a patch to its nearest neighbour (metres)."""
        if not self.has_coordinates or len(self.ids) < 2:
            return 1000.0
        x, y = project(self.lon, self.lat, self.origin)
        d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        np.fill_diagonal(d, np.inf)
        return float(np.median(d.min(axis=1)))

    @property
    def origin(self) -> tuple[float, float]:
        """(lon, lat) of the projection's centre: the patches' mean."""
        return float(np.nanmean(self.lon)), float(np.nanmean(self.lat))


def project(
    lon: npt.ArrayLike, lat: npt.ArrayLike, origin: tuple[float, float]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Local metres (equirectangular around ``origin``; fine within a district)."""
    lon0, lat0 = origin
    x = (np.asarray(lon, dtype=float) - lon0) * EARTH_M_PER_DEG * math.cos(math.radians(lat0))
    y = (np.asarray(lat, dtype=float) - lat0) * EARTH_M_PER_DEG
    return x, y


def patch_places(folder: str | Path) -> PatchPlaces:
    """Read the street patches (kind other than ``base``) of a scenario folder's patches.csv."""
    problems = Problems()
    path = Path(folder) / PATCHES_FILE
    table = read_table(
        path,
        str(path),
        problems,
        required=("id", "name", "kind", "tier", "squad"),
        optional=("x_m", "y_m", "lon", "lat", "area"),
        optional_prefixes=(RATE_PREFIX,),
    )
    problems.raise_if_any()
    assert table is not None
    ids, lon, lat, area = [], [], [], []
    for row in table.rows:
        if row.cells.get("kind", "").strip().lower() == "base":
            continue
        ids.append(row.cells["id"])
        lon.append(_float(row.cells.get("lon", "")))
        lat.append(_float(row.cells.get("lat", "")))
        area.append(row.cells.get("area", "").strip().casefold())
    return PatchPlaces(
        tuple(ids), np.array(lon, dtype=float), np.array(lat, dtype=float), tuple(area)
    )


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def place_cases_frame(
    cases: pd.DataFrame, places: PatchPlaces, radius_m: float | None = None
) -> pd.DataFrame:
    """``cases`` with a ``patch`` column: the patch id, ``""`` where no patch is reached."""
    radius = places.spacing_m() if radius_m is None else radius_m
    patch = np.full(len(cases), "", dtype=object)
    by_area: dict[str, list[str]] = {}
    for pid, area in zip(places.ids, places.area, strict=True):
        if area:
            by_area.setdefault(area, []).append(pid)
    if by_area:
        # patches that stand for areas (社区, 网格) take their cases by name first: an area is
        # not a point, and its cases need not be nearest to its centre
        area_key = cases["area"].map(lambda a: str(a).strip().casefold()).to_numpy()
        case_ids = cases["id"].astype(str).to_numpy()
        rows = cases["row"].to_numpy()
        for i in range(len(cases)):
            options = by_area.get(area_key[i])
            if options:
                key = case_ids[i] or str(rows[i])
                patch[i] = options[zlib.crc32(key.encode()) % len(options)]
    todo = (patch == "") & cases["lat"].notna().to_numpy()
    if places.has_coordinates and todo.any():
        px, py = project(places.lon, places.lat, places.origin)
        cx, cy = project(
            cases["lon"].to_numpy()[todo], cases["lat"].to_numpy()[todo], places.origin
        )
        best = np.empty(len(cx), dtype=np.int64)
        dist = np.empty(len(cx))
        for start in range(0, len(cx), 4096):  # chunks keep the distance matrix small
            d = np.hypot(
                cx[start : start + 4096, None] - px[None, :],
                cy[start : start + 4096, None] - py[None, :],
            )
            best[start : start + 4096] = d.argmin(axis=1)
            dist[start : start + 4096] = d.min(axis=1)
        ids = np.array(places.ids, dtype=object)
        patch[todo] = np.where(dist <= radius, ids[best], "")
    out = cases.copy()
    out["patch"] = patch
    return out


def place_cases(log: CaseLog, places: PatchPlaces, radius_m: float | None = None) -> CaseLog:
    """Give every case of ``log`` a patch; cases that reach none are counted and left out.

    Parameters
    ----------
    log
        The cases.
    places
        The scenario's street patches.
    radius_m
        A case further than this from every patch is outside the district; default the
        median spacing of the patches (a case between two patches always reaches one).

    Returns
    -------
    CaseLog
        The placed cases with a ``patch`` column (patch id).
    """
    placed = place_cases_frame(log.cases, places, radius_m)
    unplaced = (placed["patch"] == "").to_numpy()
    has_xy = placed["lat"].notna().to_numpy()
    note = placed["coordinate_note"].to_numpy()
    no_xy = unplaced & ~has_xy
    dropped = {
        "outside_district": int((unplaced & has_xy).sum()),
        "placeholder_coordinate": int((no_xy & (note == "placeholder")).sum()),
        "bad_coordinate": int((no_xy & (note == "unreadable")).sum()),
        "unknown_area": int((no_xy & (note == "")).sum()),
    }
    if unplaced.all() and len(placed):
        hint = (
            "patches.csv gives no lon,lat"
            if not places.has_coordinates
            else "every case is further than the radius from every patch"
        )
        raise ScenarioError(
            f"{log.path}:0: (rows): no case reaches a patch of the scenario "
            f"({hint}; check the mapping's coordinate system or give patches an "
            f"area column)"
        )
    return log.with_cases(placed.loc[~unplaced], dropped)
