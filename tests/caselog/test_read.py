"""Tests of reading case logs through a mapping (patrolsim.caselog.read, coords)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from patrolsim.caselog.coords import (
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from patrolsim.caselog.read import load_mapping, read_caselog
from patrolsim.errors import ScenarioError
from tests.caselog.caselog_helpers import CHINESE_MAPPING, HEADER, chinese_rows, write_log


def test_boston_cut_counts_every_row(boston_small: Path, boston_mapping: Path) -> None:
    """Tests that every row of the Boston cut is either usable or counted under a reason."""
    log = read_caselog(boston_small, load_mapping(boston_mapping))
    assert log.rows_read == 600
    assert len(log.cases) + sum(log.dropped.values()) == log.rows_read
    assert log.dropped["unknown_category"] == 45  # 40 other types + 5 placeholder rows
    # placeholder rows keep their neighbourhood, so they stay usable by area
    assert (log.cases["coordinate_note"] == "placeholder").sum() > 0
    assert log.cases.loc[log.cases["coordinate_note"] == "placeholder", "lat"].isna().all()
    assert set(log.cases["type"]) <= {"flyposting", "muck_spill", "illegal_construction"}
    assert set(log.cases["channel"]) <= {"patrol", "citizen", "other"}
    assert log.cases["reported_at"].is_monotonic_increasing
    assert "usable cases" in log.summary()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_chinese_layout_in_every_excel_encoding(
    tmp_path: Path, chinese_mapping: Path, encoding: str
) -> None:
    """Tests that a 数字城管 export reads the same in UTF-8 (±BOM), GB18030 and UTF-16, with
    Chinese columns, categories and sources, and GCJ-02 coordinates converted to WGS84."""
    rows, lon, lat = chinese_rows()
    log = read_caselog(
        write_log(tmp_path / "log.csv", rows, encoding), load_mapping(chinese_mapping)
    )
    assert len(log.cases) == len(rows)
    by_id = log.cases.set_index("id").loc[[r[0] for r in rows]]
    # GCJ-02 → WGS84 recovers the true place to well under a metre (1e-5 deg ≈ 1 m)
    assert np.abs(by_id["lon"].to_numpy() - lon).max() < 2e-6
    assert np.abs(by_id["lat"].to_numpy() - lat).max() < 2e-6
    assert set(by_id["type"]) == {"flyposting", "muck_spill"}
    assert (by_id["channel"] == "patrol").sum() == len(rows) // 4
    assert by_id["closed_at"].notna().all()


def test_xlsx_log_reads_like_csv(tmp_path: Path, chinese_mapping: Path) -> None:
    """Tests that an XLSX export (with real datetimes in cells) reads like the CSV."""
    rows, _, _ = chinese_rows(12)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    import datetime as dt

    for r in rows:
        sheet.append(
            [
                r[0],
                dt.datetime.strptime(r[1], "%Y/%m/%d %H:%M:%S"),
                r[2],
                *r[3:6],
                float(r[6]),
                float(r[7]),
                int(r[8]) if r[8].isdigit() else r[8],
            ]
        )
    book.save(tmp_path / "log.xlsx")
    mapping = load_mapping(chinese_mapping)
    x = read_caselog(tmp_path / "log.xlsx", mapping)
    c = read_caselog(write_log(tmp_path / "log.csv", rows), mapping)
    assert x.cases["reported_at"].tolist() == c.cases["reported_at"].tolist()
    assert x.cases["channel"].tolist() == c.cases["channel"].tolist()
    assert np.allclose(x.cases["lat"], c.cases["lat"])


def test_unusable_rows_are_counted_by_reason(tmp_path: Path, chinese_mapping: Path) -> None:
    """Tests that no time, unknown categories, missing places and repeated ids are counted."""
    rows, _, _ = chinese_rows(10)
    rows[1][1] = ""  # no time
    rows[2][4] = "占道经营"  # not mapped
    rows[3][6] = rows[3][7] = rows[3][5] = ""  # no place at all
    rows[4][6] = "0"
    rows[4][7] = "0"
    rows[4][5] = ""  # a 0,0 placeholder and no area
    rows.append(list(rows[0]))  # a repeated case id
    log = read_caselog(write_log(tmp_path / "log.csv", rows), load_mapping(chinese_mapping))
    assert log.dropped["no_time"] == 1
    assert log.dropped["unknown_category"] == 1
    assert log.unknown_categories == {"占道经营": 1}
    assert log.dropped["no_location"] == 1
    assert log.dropped["placeholder_coordinate"] == 1
    assert log.dropped["duplicate_id"] == 1
    assert len(log.cases) == 6
    assert log.to_frame().set_index("reason").loc["usable", "rows"] == 6


def test_area_only_log(tmp_path: Path) -> None:
    """Tests that a log with areas and no coordinates is usable."""
    rows, _, _ = chinese_rows(8)
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        CHINESE_MAPPING.replace('lon = "坐标X"\nlat = "坐标Y"\n', ""), encoding="utf-8"
    )
    log = read_caselog(write_log(tmp_path / "log.csv", rows), load_mapping(mapping))
    assert len(log.cases) == 8
    assert log.cases["lat"].isna().all()
    assert set(log.cases["area"]) == {"湖滨社区", "清波社区"}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace('reported_at = "上报时间"\n', ""),
            r"mapping.toml:\d+: columns.reported_at: missing required key",
        ),
        (
            lambda t: t.replace('"上报时间"', '"报告时间"'),
            r"mapping.toml:0: columns.reported_at: no such column in .*log.csv.*\(got '报告时间'\)",
        ),
        (
            lambda t: t.replace('system = "gcj02"', 'system = "utm"'),
            r"mapping.toml:\d+: coordinates.system: expected one of wgs84, gcj02, bd09 "
            r"\(got 'utm'\)",
        ),
        (
            lambda t: t.replace('muck_spill = ["渣土撒漏"', 'muck_spill = ["乱张贴", "渣土撒漏"'),
            r"mapping.toml:\d+: categories.muck_spill: category already mapped to flyposting",
        ),
        (
            lambda t: t.replace('format = "auto"', 'format = "%d.%m.%Y"'),
            r"log.csv:2: 上报时间: unreadable time with \[time\] format",
        ),
        (lambda t: t + "\n[colour]\nx = 1\n", r"mapping.toml:\d+: colour: unknown section"),
        (
            lambda t: t.replace("[columns]", '[columns]\nweather = "天气"'),
            r"mapping.toml:\d+: columns.weather: unknown key",
        ),
    ],
)
def test_bad_mapping_names_file_row_and_field(tmp_path: Path, edit, expected: str) -> None:
    """Tests that a bad mapping or unreadable times give FILE:ROW: FIELD messages."""
    rows, _, _ = chinese_rows(6)
    log = write_log(tmp_path / "log.csv", rows)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(edit(CHINESE_MAPPING), encoding="utf-8")
    with pytest.raises(ScenarioError, match=expected):
        read_caselog(log, load_mapping(mapping))


def test_unknown_type_for_the_scenario(chinese_mapping: Path) -> None:
    """Tests that a category mapped to a type the scenario lacks is named."""
    with pytest.raises(ScenarioError, match=r"categories.muck_spill: unknown violation type"):
        load_mapping(chinese_mapping, known_types=["flyposting"])


def test_utc_times_become_local(tmp_path: Path, chinese_mapping: Path) -> None:
    """Tests that ISO times with an offset are converted to the mapping's time zone."""
    rows, _, _ = chinese_rows(3)
    rows[0][1] = "2024-03-04T02:00:00Z"
    rows[1][1] = "2024-03-04T10:00:00+08:00"
    rows[2][1] = "2024-03-04T11:30:00+08:00"
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        CHINESE_MAPPING.replace('format = "auto"', 'format = "ISO8601"'), encoding="utf-8"
    )
    log = read_caselog(write_log(tmp_path / "log.csv", rows), load_mapping(mapping))
    hours = sorted(t.hour for t in log.cases["reported_at"])
    assert hours == [10, 10, 11]


def test_coordinate_transforms_invert() -> None:
    """Tests that GCJ-02 and BD-09 conversions invert each other to under 1 mm in China and
    leave coordinates outside China alone."""
    lon = np.array([116.397, 121.4737, 113.2644, 104.0665])
    lat = np.array([39.909, 31.2304, 23.1291, 30.5723])
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert np.abs(glon - lon).max() > 1e-3  # the offset is real (hundreds of metres)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.abs(wlon - lon).max() < 1e-8
    assert np.abs(wlat - lat).max() < 1e-8
    blon, blat = gcj02_to_bd09(glon, glat)
    back = bd09_to_gcj02(blon, blat)
    assert np.abs(back[0] - glon).max() < 1e-5
    wlon2, _ = to_wgs84(blon, blat, "bd09")
    assert np.abs(wlon2 - lon).max() < 1e-5
    boston = to_wgs84(np.array([-71.06]), np.array([42.36]), "gcj02")
    assert boston[0][0] == -71.06


def test_formula_text_stays_text(tmp_path: Path, chinese_mapping: Path) -> None:
    """Tests that a category text starting with = is read as text, not evaluated."""
    rows, _, _ = chinese_rows(2)
    rows[0][4] = '=HYPERLINK("x")'
    log = read_caselog(write_log(tmp_path / "log.csv", rows), load_mapping(chinese_mapping))
    assert log.unknown_categories == {'=HYPERLINK("x")': 1}
