"""Tests that inputs which would escape the output folder or crash a run are refused at load.

Issue 40, items 1 (ids that reach file names), 8 (unreadable optional files) and 9 (numbers
the model cannot run): each is one ``FILE:ROW: FIELD: ...`` line, never a crash later.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from patrolsim.errors import ScenarioError
from patrolsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _copy(dest: Path) -> Path:
    folder = dest / "tiny"
    shutil.copytree(SCENARIOS / "tiny", folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "bad", ["../../../x", "/abs/x", "a\\b", "..", ".hidden", "a\rb", "a\tb", "a:b", "a*b"]
)
def test_staff_ids_that_could_name_a_path_are_refused(bad: str, tmp_path: Path) -> None:
    """Tests that a staff id with path separators, control characters etc. is a located error."""
    folder = _copy(tmp_path)
    quoted = '"' + bad + '"' if "\r" in bad else bad
    _edit(folder / "staff.csv", "T08,", f"{quoted},")
    with pytest.raises(ScenarioError, match=r"staff\.csv:(9|10): id: "):
        load_scenario(folder)


def test_patch_ids_that_could_name_a_path_are_refused(tmp_path: Path) -> None:
    """Tests that a patch id with a path separator is a located error."""
    folder = _copy(tmp_path)
    _edit(folder / "patches.csv", "L1,", "x/../L1,")
    with pytest.raises(ScenarioError, match=r"patches\.csv:5: id: "):
        load_scenario(folder)


def test_ordinary_ids_still_load(tmp_path: Path) -> None:
    """Tests that ids with Chinese characters, dots inside, dashes and underscores are fine."""
    folder = _copy(tmp_path)
    _edit(folder / "staff.csv", "T08,", "张三-01_a.b,")
    assert any(s.id == "张三-01_a.b" for s in load_scenario(folder).staff)


@pytest.mark.parametrize("name", ["leave.csv", "roads.csv"])
def test_a_dangling_optional_file_is_an_error(name: str, tmp_path: Path) -> None:
    """Tests that an optional file that exists as a dangling symlink is reported, not skipped."""
    folder = _copy(tmp_path)
    (folder / name).unlink(missing_ok=True)
    os.symlink(tmp_path / "nowhere.csv", folder / name)
    with pytest.raises(ScenarioError, match=rf"{name}:0: \(file\): "):
        load_scenario(folder)


def test_a_looping_optional_file_is_an_error(tmp_path: Path) -> None:
    """Tests that a symlink loop in place of leave.csv is reported."""
    folder = _copy(tmp_path)
    (folder / "leave.csv").unlink()
    os.symlink(folder / "leave.csv", folder / "leave.csv")
    with pytest.raises(ScenarioError, match=r"leave\.csv:0: \(file\): "):
        load_scenario(folder)


BOUNDS = [
    (
        "patches.csv",
        "x_m,y_m,squad",
        "x_m,y_m,squad,rate_street_vending",
        ",S1\n",
        ",S1,1e6\n",
        r"patches\.csv:2: rate_street_vending: must be at most",
    ),
    (
        "scenario.toml",
        "market = 6.0,",
        "market = 1e308,",
        None,
        None,
        r"scenario\.toml:\d+: violation_types\.street_vending\.base_rate_per_day\.market: ",
    ),
    (
        "scenario.toml",
        "hour_profile = [0.1,",
        "hour_profile = [1e308,",
        None,
        None,
        r"scenario\.toml:\d+: violation_types\.street_vending\.hour_profile\.0: ",
    ),
    (
        "scenario.toml",
        "hour_profile = [0.1,",
        "hour_profile = [inf,",
        None,
        None,
        r"scenario\.toml:\d+: violation_types\.street_vending\.hour_profile\.0: ",
    ),
    (
        "scenario.toml",
        "start_date = 2026-11-23",
        "start_date = 9999-12-20",
        None,
        None,
        r"scenario\.toml:3: start_date: ",
    ),
    (
        "scenario.toml",
        "inspection_pass_rate = { min = 0.8 }",
        "inspection_pass_rate = { min = nan }",
        None,
        None,
        r"scenario\.toml:\d+: targets\.inspection_pass_rate\.min: ",
    ),
    (
        "scenario.toml",
        "inspection_pass_rate = { min = 0.8 }",
        "inspection_pass_rate = { min = 85 }",
        None,
        None,
        r"scenario\.toml:\d+: targets\.inspection_pass_rate\.min: .*between 0 and 1",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "old2", "new2", "pattern"), BOUNDS, ids=[b[2][:24] for b in BOUNDS]
)
def test_numbers_the_model_cannot_run_are_refused_at_load(
    file: str, old: str, new: str, old2: str | None, new2: str | None, pattern: str, tmp_path: Path
) -> None:
    """Tests that huge rates, infinite weights, far dates and nan/percent targets are refused."""
    folder = _copy(tmp_path)
    _edit(folder / file, old, new)
    if old2 is not None and new2 is not None:
        _edit(folder / file, old2, new2)
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(folder)
