"""Tests of placing cases on patches and of ``init`` from Chinese logs (place.py, init.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from patrolsim.caselog.init import init_scenario, safe_cell
from patrolsim.caselog.place import patch_places, place_cases
from patrolsim.caselog.read import load_mapping, read_caselog
from patrolsim.scenario import load_scenario
from tests.caselog.caselog_helpers import CHINESE_MAPPING, chinese_rows, write_log


def test_area_only_gb18030_log_makes_one_patch_per_area(tmp_path: Path) -> None:
    """Tests that a GB18030 log with areas and no coordinates starts a scenario with one patch
    per community, and that its cases are placed by the patches' area column."""
    rows, _, _ = chinese_rows(30)
    mapping_path = tmp_path / "m.toml"
    mapping_path.write_text(
        CHINESE_MAPPING.replace('lon = "坐标X"\nlat = "坐标Y"\n', ""), encoding="utf-8"
    )
    mapping = load_mapping(mapping_path)
    log = read_caselog(write_log(tmp_path / "log.csv", rows, "gb18030"), mapping)
    result = init_scenario(log, mapping, tmp_path / "district", grid_m=None)
    assert result.patches == 2
    scenario = load_scenario(tmp_path / "district")
    assert scenario.calendar.country == "CN"
    places = patch_places(tmp_path / "district")
    assert set(places.area) == {"湖滨社区", "清波社区"}
    placed = place_cases(log, places)
    assert len(placed.cases) == 30
    by_patch = placed.cases.groupby("patch")["area"].agg(set)
    assert all(len(areas) == 1 for areas in by_patch)


def test_gcj02_log_on_a_grid_counts_far_cases(tmp_path: Path, chinese_mapping: Path) -> None:
    """Tests that GCJ-02 cases land on the grid made from them, and a case far away counts as
    outside the district."""
    rows, _, _ = chinese_rows(60)
    mapping = load_mapping(chinese_mapping)
    log = read_caselog(write_log(tmp_path / "log.csv", rows), mapping)
    init_scenario(log, mapping, tmp_path / "grid", grid_m=1000)
    places = patch_places(tmp_path / "grid")
    assert places.has_coordinates
    far = list(rows[0])
    far[0] = "FAR"
    far[6], far[7] = "120.60", "30.60"  # ~50 km away
    log2 = read_caselog(write_log(tmp_path / "log2.csv", [*rows, far]), mapping)
    placed = place_cases(log2, places)
    assert placed.dropped["outside_district"] == 1
    assert "FAR" not in set(placed.cases["id"])
    assert len(placed.cases) + placed.dropped["outside_district"] == 61 - sum(
        placed.dropped[k] for k in ("no_time", "unknown_category")
    )


def test_formula_like_text_is_quoted() -> None:
    """Tests that text a spreadsheet would run as a formula is quoted, numbers are not."""
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("@cmd") == "'@cmd"
    assert safe_cell("-71.05") == "-71.05"
    assert safe_cell(-71.05) == -71.05
    assert safe_cell("南湖") == "南湖"


def test_init_rates_are_recorded_rates(
    tmp_path: Path, boston_small: Path, boston_mapping: Path
) -> None:
    """Tests that init's first-guess rates are the log's recorded cases per patch per day."""
    mapping = load_mapping(boston_mapping)
    log = read_caselog(boston_small, mapping)
    result = init_scenario(log, mapping, tmp_path / "b", grid_m=700)
    patches = pd.read_csv(tmp_path / "b" / "patches.csv", encoding="utf-8-sig")
    days = (log.last_day - log.first_day).days + 1
    total = patches["rate_flyposting"].sum() * days
    with_xy = int(log.cases["lat"].notna().sum())
    # cells with fewer than 3 cases make no patch: their cases fall outside
    assert 0.98 * with_xy <= result.cases_placed <= with_xy
    placed = place_cases(log, patch_places(tmp_path / "b"))
    fly = (placed.cases["type"] == "flyposting").sum()
    assert abs(total - fly) <= 0.01 * fly + 1
