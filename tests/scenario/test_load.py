"""Tests of the scenario loader: round trips, every class of bad input, encodings, fuzzing."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrolsim.errors import ScenarioError
from patrolsim.scenario import Scenario, load_scenario
from patrolsim.scenario.save import save_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _copy(name: str, dest: Path) -> Path:
    folder = dest / name
    shutil.copytree(SCENARIOS / name, folder)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _comparable(scenario: Scenario) -> Scenario:
    return dataclasses.replace(scenario, folder="", content_hash="", network=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["nanhu", "tiny"])
def test_round_trip(name: str, tmp_path: Path) -> None:
    """Tests that saving a loaded scenario and loading it again gives the same scenario."""
    first = load_scenario(SCENARIOS / name)
    save_scenario(first, tmp_path / "a")
    second = load_scenario(tmp_path / "a")
    assert _comparable(second) == _comparable(first)
    np.testing.assert_array_equal(second.network.distance_m, first.network.distance_m)
    save_scenario(second, tmp_path / "b")
    for file in ("scenario.toml", "patches.csv", "staff.csv", "leave.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_reference_district_matches_the_seeds(nanhu: Scenario) -> None:
    """Tests that the reference district has what issue 2 and the seeds describe."""
    kinds = {p.kind for p in nanhu.patches}
    required = {
        "main_road",
        "secondary_road",
        "back_lane",
        "market",
        "school",
        "station_square",
        "commercial",
        "hospital",
        "night_market",
        "construction_site",
        "urban_village",
    }
    assert required <= kinds
    assert 45 <= len(nanhu.patches) <= 60
    markets = {p.name for p in nanhu.patches if p.kind == "market"}
    assert markets == {"太康市场", "小桃园市场", "荣巷市场", "勤新市场", "徐巷市场", "溪河市场"}
    assert len(nanhu.squads) == 2
    certified = sum(s.certified for s in nanhu.staff)
    assert 0 < certified < len(nanhu.staff)
    # understaffed: default cover needs more certified shifts a week than the staff can give
    needed = 7 * len(nanhu.squads) * sum(nanhu.roster.default_cover.values()) * 2
    assert certified * 5 < needed


def test_profiles_are_normalised(tiny: Scenario) -> None:
    """Tests that hour and weekday profiles have mean 1 after loading."""
    for v in tiny.violation_types:
        assert np.mean(v.hour_profile) == pytest.approx(1.0)
        assert np.mean(v.weekday_profile) == pytest.approx(1.0)


def test_shift_across_midnight(nanhu: Scenario) -> None:
    """Tests that a shift ending after midnight has a positive length and counts as night."""
    night = nanhu.shift("night")
    assert night.duration_min == 8 * 60
    assert night.night
    assert not nanhu.shift("early").night


def test_calendar_has_spring_festival(nanhu: Scenario) -> None:
    """Tests that public holidays come from the holiday library."""
    import datetime as dt

    assert nanhu.day(dt.date(2027, 2, 6)).holiday is not None
    assert not nanhu.day(dt.date(2027, 2, 6)).workday
    assert nanhu.day(dt.date(2026, 12, 15)).inspection


def test_calendar_overrides(tmp_path: Path) -> None:
    """Tests that scenario.toml can add and remove holidays."""
    import datetime as dt

    folder = _copy("tiny", tmp_path)
    _edit(
        folder / "scenario.toml",
        "inspection_days = [2026-12-01]",
        "inspection_days = [2026-12-01]\nextra_holidays = [2026-11-25]",
    )
    scenario = load_scenario(folder)
    assert scenario.day(dt.date(2026, 11, 25)).holiday is not None
    assert not scenario.day(dt.date(2026, 11, 25)).workday


def test_roads_give_shortest_paths(tmp_path: Path) -> None:
    """Tests that roads.csv distances are shortest paths over the road graph."""
    folder = _copy("tiny", tmp_path)
    (folder / "roads.csv").write_text(
        "from,to,metres\nB1,M1,100\nM1,R1,100\nB1,R1,500\n", encoding="utf-8"
    )
    scenario = load_scenario(folder)
    b, r = scenario.patch_index("B1"), scenario.patch_index("R1")
    assert scenario.network.distance_m[b, r] == 200
    assert scenario.network.distance_m[r, b] == 200
    # patches without roads fall back to straight-line distance × circuity
    k = scenario.patch_index("K1")
    expected = np.hypot(400, 400) * scenario.travel.circuity
    assert scenario.network.distance_m[b, k] == pytest.approx(expected, abs=1)


def test_road_minutes_scale_by_mode(tmp_path: Path) -> None:
    """Tests that road minutes are for the stated mode and scale by speed for the others."""
    folder = _copy("tiny", tmp_path)
    (folder / "roads.csv").write_text("from,to,minutes\nB1,M1,4\n", encoding="utf-8")
    scenario = load_scenario(folder)
    b, m = scenario.patch_index("B1"), scenario.patch_index("M1")
    assert scenario.network.travel_min("ebike")[b, m] == pytest.approx(4.0)
    assert scenario.network.travel_min("foot")[b, m] == pytest.approx(4.0 * 15.0 / 4.5, abs=0.02)


# ----------------------------------------------------------------------------- bad input

Damage = Callable[[Path], None]


def _write(name: str, text: str) -> Damage:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


def _replace(name: str, old: str, new: str) -> Damage:
    return lambda folder: _edit(folder / name, old, new)


def _remove(name: str) -> Damage:
    return lambda folder: (folder / name).unlink()


def _garbage(name: str) -> Damage:
    return lambda folder: (folder / name).write_bytes(b"PK\x03\x04\x00\x00\xff\xfe\x00binary")


STAFF_HEADER = "id,name,role,squad,weekly_hours\n"

# (case id, damage, expected "FILE:ROW: FIELD" prefix as a regex)
BAD_INPUT: list[tuple[str, Damage, str]] = [
    ("missing file", _remove("patches.csv"), r"patches\.csv:0: \(file\): required file"),
    ("missing toml", _remove("scenario.toml"), r"scenario\.toml:0: \(file\): required file"),
    (
        "malformed toml",
        _replace("scenario.toml", 'name = "tiny"', 'name = "tiny'),
        r"scenario\.toml:2: \(syntax\): malformed TOML",
    ),
    (
        "malformed csv",
        _replace("patches.csv", "M1,太康市场", 'M1,"太康市场'),
        r"patches\.csv:\d+: \(row\): malformed CSV",
    ),
    (
        "missing column",
        _replace("patches.csv", "kind,tier,", "kind,"),
        r"patches\.csv:1: tier: missing column",
    ),
    (
        "unknown column",
        _replace("staff.csv", "weekly_hours", "weekly_hours,colour"),
        r"staff\.csv:1: colour: unknown column",
    ),
    (
        "wrong type",
        _replace("patches.csv", "400,300", "400,north"),
        r"patches\.csv:3: y_m: expected a number \(got 'north'\)",
    ),
    (
        "negative rate",
        _replace("scenario.toml", "market = 6.0", "market = -6.0"),
        r"scenario\.toml:9: violation_types\.street_vending\.base_rate_per_day\.market: .*"
        r"greater than or equal to 0 \(got -6\.0\)",
    ),
    (
        "negative rate override",
        lambda f: (f / "patches.csv").write_text(
            (f / "patches.csv")
            .read_text(encoding="utf-8")
            .replace("squad\n", "squad,rate_flyposting\n")
            .replace("S1\n", "S1,\n")
            .replace(
                "R1,南湖大道,main_road,strict,800,0,S1,", "R1,南湖大道,main_road,strict,800,0,S1,-2"
            ),
            encoding="utf-8",
        ),
        r"patches\.csv:4: rate_flyposting: must be at least 0 \(got '-2'\)",
    ),
    (
        "probability above 1",
        _replace("scenario.toml", "visibility = 0.9", "visibility = 1.5"),
        r"scenario\.toml:\d+: violation_types\.street_vending\.visibility: .*\(got 1\.5\)",
    ),
    (
        "profile too short",
        _replace("scenario.toml", "1.5, 1.0, 0.5, 0.2]", "1.5, 1.0, 0.5]"),
        r"scenario\.toml:10: violation_types\.street_vending\.hour_profile: .*at least 24",
    ),
    (
        "weekday profile too long",
        _replace("scenario.toml", "1.1, 1.3, 1.3]", "1.1, 1.3, 1.3, 1.0]"),
        r"scenario\.toml:12: violation_types\.street_vending\.weekday_profile: .*at most 7",
    ),
    (
        "unknown kind",
        _replace("patches.csv", "market,strict", "markt,strict"),
        r"patches\.csv:3: kind: unknown value.*\(got 'markt'\)",
    ),
    (
        "unknown kind in rates",
        _replace("scenario.toml", "market = 6.0", "markt = 6.0"),
        r"scenario\.toml:9: violation_types\.street_vending\.base_rate_per_day\.markt: unknown "
        r"patch kind",
    ),
    (
        "unknown tier",
        _replace("patches.csv", "market,strict", "market,strictest"),
        r"patches\.csv:3: tier: unknown value.*\(got 'strictest'\)",
    ),
    (
        "unknown role",
        _replace("staff.csv", "T02,王芳,certified", "T02,王芳,officer"),
        r"staff\.csv:3: role: unknown value.*\(got 'officer'\)",
    ),
    (
        "unknown violation type in campaign",
        _replace(
            "scenario.toml", "extra_units = 1", 'extra_units = 1\nviolation_types = ["graffiti"]'
        ),
        r"scenario\.toml:\d+: campaigns\.0\.violation_types: unknown violation type.*'graffiti'",
    ),
    (
        "rate column for unknown type",
        lambda f: _edit(f / "patches.csv", "squad\n", "squad,rate_graffiti\n"),
        r"patches\.csv:1: rate_graffiti: rate column for an unknown violation type",
    ),
    (
        "duplicate patch id",
        _replace("patches.csv", "L1,荣巷小街", "M1,荣巷小街"),
        r"patches\.csv:5: id: duplicate id, first used in row 3 \(got 'M1'\)",
    ),
    (
        "duplicate staff id",
        _replace("staff.csv", "T03,李强", "T02,李强"),
        r"staff\.csv:4: id: duplicate id, first used in row 3",
    ),
    (
        "dangling squad",
        _replace("staff.csv", "T05,陈静,certified,S1", "T05,陈静,certified,S9"),
        r"staff\.csv:6: squad: unknown squad.*\(got 'S9'\)",
    ),
    (
        "dangling base patch",
        _replace("scenario.toml", 'base_patch = "B1"', 'base_patch = "B9"'),
        r"scenario\.toml:\d+: squads\.0\.base_patch: no such patch in patches\.csv \(got 'B9'\)",
    ),
    (
        "leave for unknown staff",
        _replace("leave.csv", "T04,", "T44,"),
        r"leave\.csv:2: staff_id: no such person in staff\.csv \(got 'T44'\)",
    ),
    (
        "road to unknown patch",
        _write("roads.csv", "from,to,minutes\nB1,M1,3\nB1,Z9,4\n"),
        r"roads\.csv:3: to: no such patch in patches\.csv \(got 'Z9'\)",
    ),
    (
        "zero-length shift",
        _replace(
            "scenario.toml", 'start = "15:00"\nend = "23:00"', 'start = "15:00"\nend = "15:00"'
        ),
        r"scenario\.toml:\d+: shifts\.1: .*zero length",
    ),
    (
        "empty staff list",
        _write("staff.csv", STAFF_HEADER),
        r"staff\.csv:2: \(rows\): the staff list is empty",
    ),
    (
        "horizon not positive",
        _replace("scenario.toml", "horizon_days = 28", "horizon_days = 0"),
        r"scenario\.toml:4: horizon_days: .*greater than 0 \(got 0\)",
    ),
    ("unreadable bytes", _garbage("staff.csv"), r"staff\.csv:0: \(file\): unreadable bytes"),
    (
        "unknown key (typo)",
        _replace("scenario.toml", "visibility = 0.9", "visiblity = 0.9"),
        r"scenario\.toml:\d+: violation_types\.street_vending\.(visiblity: unknown key|visibility: "
        r"missing required key)",
    ),
    (
        "bad date",
        _replace("leave.csv", "2026-11-25", "2026-13-45"),
        r"leave\.csv:2: start: expected a date",
    ),
    (
        "leave ends before start",
        _replace("leave.csv", "2026-11-27", "2026-11-20"),
        r"leave\.csv:2: end: leave ends before it starts",
    ),
    (
        "campaign outside horizon",
        _replace("scenario.toml", "end = 2026-12-13", "end = 2027-12-13"),
        r"scenario\.toml:\d+: campaigns\.0\.end: date outside the horizon",
    ),
    (
        "unknown shift in cover",
        _replace("scenario.toml", "late = 1 }", "lates = 1 }"),
        r"scenario\.toml:\d+: roster\.default_cover\.lates: unknown shift",
    ),
    (
        "bad time",
        _replace("scenario.toml", 'start = "07:00"', 'start = "7 o\'clock"'),
        r"scenario\.toml:\d+: shifts\.0\.start: expected a time as HH:MM",
    ),
    (
        "row too long",
        _replace("staff.csv", "T08,黄涛,auxiliary,S1,40", "T08,黄涛,auxiliary,S1,40,x"),
        r"staff\.csv:9: \(row\): row has 6 cells",
    ),
    (
        "folder is a file",
        lambda f: (shutil.rmtree(f), f.write_text("x")),
        r"tiny:0: \(folder\): expected a scenario folder",
    ),
]


@pytest.mark.parametrize(
    ("damage", "pattern"), [(d, p) for _, d, p in BAD_INPUT], ids=[name for name, _, _ in BAD_INPUT]
)
def test_bad_input_is_reported_with_file_row_field(
    damage: Damage, pattern: str, tmp_path: Path
) -> None:
    """Tests that each class of bad input gives a ScenarioError naming file, row and field."""
    folder = _copy("tiny", tmp_path)
    damage(folder)
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    lines = info.value.problems
    assert any(re.search(pattern, line) for line in lines), "\n".join(lines)
    for line in lines:
        assert re.match(r"^.+:\d+: \S.*: .+", line), line


def test_missing_folder() -> None:
    """Tests that a missing folder is one clear problem."""
    with pytest.raises(
        ScenarioError, match=r"no-such-dir:0: \(folder\): scenario folder not found"
    ):
        load_scenario("no-such-dir")


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    """Tests that problems in several files are reported together, not one at a time."""
    folder = _copy("tiny", tmp_path)
    _edit(folder / "scenario.toml", "horizon_days = 28", "horizon_days = -1")
    _edit(folder / "patches.csv", "market,strict", "markt,strict")
    _edit(folder / "staff.csv", "T05,陈静,certified,S1", "T05,陈静,boss,S7")
    _edit(folder / "leave.csv", "T04,", "T99,")
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    text = "\n".join(info.value.problems)
    for expected in (
        "horizon_days",
        "patches.csv:3: kind",
        "staff.csv:6: role",
        "staff.csv:6: squad",
        "leave.csv:2: staff_id",
    ):
        assert expected in text


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_excel_encodings_are_read(encoding: str, tmp_path: Path, tiny: Scenario) -> None:
    """Tests that CSVs saved by Excel (BOM, Chinese GB18030/GBK, UTF-16) load the same."""
    folder = _copy("tiny", tmp_path)
    for name in ("patches.csv", "staff.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode(encoding))
    scenario = load_scenario(folder)
    assert [p.name for p in scenario.patches] == [p.name for p in tiny.patches]
    assert [s.name for s in scenario.staff] == [s.name for s in tiny.staff]


def test_chinese_labels_and_blank_rows(tmp_path: Path) -> None:
    """Tests that 严管/执法队员 labels, header case, spaces and Excel's blank rows are accepted."""
    folder = _copy("tiny", tmp_path)
    _edit(folder / "patches.csv", "M1,太康市场,market,strict", "M1, 太康市场 ,market,严管")
    _edit(folder / "staff.csv", "T02,王芳,certified", "T02,王芳,执法队员")
    _edit(folder / "staff.csv", "id,name,role", "ID, Name ,Role")
    with (folder / "staff.csv").open("a", encoding="utf-8") as fh:
        fh.write(",,,,\n,,,,\n")
    scenario = load_scenario(folder)
    assert scenario.patches[1].tier == "strict"
    assert scenario.patches[1].name == "太康市场"
    assert scenario.staff[1].role == "certified"
    assert len(scenario.staff) == 8


# ----------------------------------------------------------------------------- fuzzing

CELL = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(
    [
        "",
        "-1",
        "1e400",
        "nan",
        "S1",
        "market",
        "strict",
        "certified",
        '"',
        ",",
        "\n",
        "P01",
        "40",
        "2026-11-25",
    ]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    file=st.sampled_from(["patches.csv", "staff.csv", "leave.csv", "roads.csv"]),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=4),
    keep_header=st.booleans(),
)
def test_fuzzed_csv_cells_only_raise_scenario_error(
    file: str, rows: list[list[str]], keep_header: bool, tmp_path: Path
) -> None:
    """Tests that arbitrary CSV cells never make the loader raise anything but ScenarioError."""
    folder = tmp_path / "fuzz"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SCENARIOS / "tiny", folder)
    path = folder / file
    header = {
        "patches.csv": "id,name,kind,tier,x_m,y_m,squad",
        "staff.csv": STAFF_HEADER.strip(),
        "leave.csv": "staff_id,start,end,kind",
        "roads.csv": "from,to,minutes",
    }[file]
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if keep_header:
        buffer.write(header + "\n")
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    problems: list[str] | None = None
    try:
        load_scenario(folder)
    except ScenarioError as exc:
        problems = list(exc.problems)
    if problems is not None:
        assert problems
        assert all(re.match(r"^.+:\d+: .+: .+", line) for line in problems)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), file=st.sampled_from(["patches.csv", "scenario.toml"]))
def test_fuzzed_bytes_only_raise_scenario_error(data: bytes, file: str, tmp_path: Path) -> None:
    """Tests that arbitrary bytes in a file never crash the loader."""
    folder = tmp_path / "fuzzb"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SCENARIOS / "tiny", folder)
    (folder / file).write_bytes(data)
    with pytest.raises(ScenarioError):
        load_scenario(folder)
