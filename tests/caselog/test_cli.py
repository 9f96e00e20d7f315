"""Tests of ``patrolsim init``, ``calibrate`` and ``backtest`` on a cut of the Boston log."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from patrolsim.cli import main


def _init(tmp_path: Path, boston_small: Path, boston_mapping: Path) -> Path:
    folder = tmp_path / "boston"
    assert (
        main(
            [
                "init",
                str(folder),
                "--from-caselog",
                str(boston_small),
                "--mapping",
                str(boston_mapping),
                "--grid",
                "700",
            ]
        )
        == 0
    )
    return folder


def test_init_validates_and_simulates(
    tmp_path: Path, boston_small: Path, boston_mapping: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that init makes a scenario that validates and simulates at once, with US holidays
    and a staff list marked as a placeholder."""
    folder = _init(tmp_path, boston_small, boston_mapping)
    err = capsys.readouterr().err
    assert "PLACEHOLDER" in err
    assert main(["validate", str(folder)]) == 0
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    assert 'country = "US"' in text
    assert "PLACEHOLDER" in text
    staff = pd.read_csv(folder / "staff.csv", encoding="utf-8-sig")
    assert staff["name"].str.contains("placeholder").all()
    patches = pd.read_csv(folder / "patches.csv", encoding="utf-8-sig")
    assert {"lon", "lat", "area", "rate_flyposting"} <= set(patches.columns)
    assert (
        main(
            ["simulate", str(folder), "--seed", "0", "--days", "8", "--out", str(tmp_path / "run")]
        )
        == 0
    )


def test_calibrate_writes_commented_scenario(
    tmp_path: Path, boston_small: Path, boston_mapping: Path
) -> None:
    """Tests that calibrate writes a valid scenario whose fitted values say where they come
    from, and a calibration.csv with every fitted value."""
    folder = _init(tmp_path, boston_small, boston_mapping)
    out = tmp_path / "calibrated"
    assert (
        main(
            [
                "calibrate",
                str(folder),
                "--caselog",
                str(boston_small),
                "--mapping",
                str(boston_mapping),
                "--until",
                "2015-10-20",
                "--out",
                str(out),
                "--max-iter",
                "2",
                "--reps",
                "1",
            ]
        )
        == 0
    )
    assert main(["validate", str(out)]) == 0
    text = (out / "scenario.toml").read_text(encoding="utf-8")
    assert re.search(
        r"weekday_profile = .*# fitted from boston_small.csv, \d+ cases, "
        r"2015-08-\d\d–2015-10-20",
        text,
    )
    table = pd.read_csv(out / "calibration.csv")
    assert list(table.columns) == ["parameter", "value", "cases", "ci_low", "ci_high"]
    assert table["parameter"].str.startswith("rate.flyposting.").any()
    assert table["parameter"].str.startswith("holiday_multiplier.").any()
    assert not list(tmp_path.glob(".*"))  # no temporary folder left behind


BAD = [
    (
        "mapping",
        lambda t: t.replace('reported_at = "OPEN_DT"', 'reported_at = "OPENED"'),
        r"mapping.toml:0: columns.reported_at: no such column in .*boston_small.csv",
    ),
    (
        "mapping",
        lambda t: t.replace('country = "US"', 'country = "XX"'),
        r"mapping.toml:\d+: time.country: unknown country code",
    ),
    (
        "log",
        lambda t: t.replace("08/0", "8.0", 200),
        r"boston_small.csv:\d+: OPEN_DT: unreadable time",
    ),
]


@pytest.mark.parametrize(("which", "edit", "expected"), BAD)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path,
    boston_small: Path,
    boston_mapping: Path,
    which: str,
    edit,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Tests that a bad mapping or log gives FILE:ROW: FIELD lines, exit 2 and no output."""
    folder = _init(tmp_path, boston_small, boston_mapping)
    mapping = tmp_path / "mapping.toml"
    log = tmp_path / "boston_small.csv"
    mapping.write_text(boston_mapping.read_text(encoding="utf-8"), encoding="utf-8")
    log.write_text(boston_small.read_text(encoding="utf-8"), encoding="utf-8")
    target = mapping if which == "mapping" else log
    target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    for command in (
        ["calibrate", "--until", "2015-10-20"],
        ["backtest", "--train-until", "2015-10-10", "--weeks", "1"],
    ):
        out = tmp_path / f"out-{command[0]}"
        code = main(
            [
                command[0],
                str(folder),
                "--caselog",
                str(log),
                "--mapping",
                str(mapping),
                *command[1:],
                "--out",
                str(out),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2
        assert re.search(expected, err), err
        assert "Traceback" not in err
        assert not out.exists()


def test_existing_output_is_refused(
    tmp_path: Path, boston_small: Path, boston_mapping: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that init, calibrate and backtest never write into an existing folder."""
    folder = _init(tmp_path, boston_small, boston_mapping)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("x")
    args = ["--caselog", str(boston_small), "--mapping", str(boston_mapping)]
    assert (
        main(
            [
                "init",
                str(folder),
                "--from-caselog",
                str(boston_small),
                "--mapping",
                str(boston_mapping),
            ]
        )
        == 2
    )
    assert main(["calibrate", str(folder), *args, "--out", str(tmp_path / "taken")]) == 2
    assert (
        main(
            [
                "backtest",
                str(folder),
                *args,
                "--train-until",
                "2015-10-10",
                "--weeks",
                "1",
                "--out",
                str(tmp_path / "taken"),
            ]
        )
        == 2
    )
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]
    assert "already exists" in capsys.readouterr().err


@pytest.mark.slow
def test_backtest_writes_scores_cells_and_report(
    tmp_path: Path, boston_small: Path, boston_mapping: Path
) -> None:
    """Tests that backtest writes scores.csv, cells.csv and a self-contained report.html."""
    folder = _init(tmp_path, boston_small, boston_mapping)
    out = tmp_path / "bt"
    assert (
        main(
            [
                "backtest",
                str(folder),
                "--caselog",
                str(boston_small),
                "--mapping",
                str(boston_mapping),
                "--train-until",
                "2015-10-10",
                "--weeks",
                "2",
                "--forecast-reps",
                "1",
                "--max-iter",
                "2",
                "--reps",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == 12
    assert set(scores["model"]) == {"simulation", "historical_mean", "seasonal_naive"}
    cells = pd.read_csv(out / "cells.csv")
    assert list(cells.columns) == [
        "week",
        "patch",
        "type",
        "date",
        "observed",
        "forecast_simulation",
        "forecast_historical_mean",
        "forecast_seasonal_naive",
    ]
    assert set(cells["week"]) == {1, 2}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "泊松偏差 Poisson deviance" in html
    assert html.count("data:image/png;base64,") >= 5
    assert 'src="http' not in html
