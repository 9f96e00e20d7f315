"""Tests of ``patrolsim simulate`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patrolsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TABLES = ("kpis.csv", "timeseries.csv", "patch_kpis.csv")


def _run(out: Path, *extra: str) -> int:
    return main(
        [
            "simulate",
            str(SCENARIOS / "tiny"),
            "--policy",
            "hotspot",
            "--days",
            "6",
            "--seed",
            "4",
            "--out",
            str(out),
            *extra,
        ]
    )


def test_writes_every_output_and_is_reproducible(tmp_path: Path) -> None:
    """Tests that a run writes all files and the same seed reproduces the tables byte for byte."""
    assert _run(tmp_path / "a", "--reps", "2") == 0
    assert _run(tmp_path / "b", "--reps", "2") == 0
    for name in (
        *TABLES,
        "manifest.json",
        "daily_violations.png",
        "hour_weekday.png",
        "time_budget.png",
    ):
        assert (tmp_path / "a" / name).stat().st_size > 0
    for name in TABLES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    header = (tmp_path / "a" / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    for column in (
        "seed",
        "policy",
        "staffing",
        "violations_started",
        "violation_hours",
        "complaint_response_p90_min",
        "inspection_pass_rate",
        "overtime_hours",
    ):
        assert column in header.split(",")
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeds"] == [4, 5]
    assert len(manifest["scenario"]["content_hash"]) == 64
    assert "street_vending" in manifest["parameters"]["violation_types"]
    assert not list((tmp_path / "a").glob(".*"))  # no temporary files left behind


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--days", "0"], "--days: must be between 1"),
        (["--staffing", "-1"], "--staffing: must be at least 0"),
        (["--reps", "0"], "--reps: must be at least 1"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    tmp_path: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that bad arguments are one clear line, exit 2, and no output folder."""
    assert _run(tmp_path / "out", *extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unknown_policy_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that an unknown policy name exits with status 2 and one line naming it."""
    assert (
        main(
            [
                "simulate",
                str(SCENARIOS / "tiny"),
                "--policy",
                "everywhere",
                "--seed",
                "1",
                "--out",
                "x",
            ]
        )
        == 2
    )
    assert "--policy: unknown policy 'everywhere'" in capsys.readouterr().err


def test_campaign_outside_the_days_simulated_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that @campaign is refused, as in sweep, when no campaign day is simulated."""
    out = tmp_path / "run"
    assert (
        main(
            [
                "simulate",
                str(SCENARIOS / "tiny"),
                "--policy",
                "posts+mobile@campaign",
                "--days",
                "14",
                "--seed",
                "1",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "no campaign falls in the days simulated" in err
    assert "--days 15" in err
    assert not out.exists()


def test_campaign_on_top_in_overtime_runs_the_campaign(tmp_path: Path) -> None:
    """Tests that NAME@campaign+overtime runs the campaign on the full rota."""
    out = tmp_path / "run"
    assert (
        main(
            [
                "simulate",
                str(SCENARIOS / "tiny"),
                "--policy",
                "posts+mobile@campaign+overtime",
                "--days",
                "16",
                "--seed",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["campaigns"] is True


def test_summary_is_printed_in_the_scenario_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests the Chinese summary by default and the English one with --lang en."""
    argv = ["simulate", str(SCENARIOS / "tiny"), "--days", "8", "--seed", "3"]
    assert main([*argv, "--out", str(tmp_path / "zh")]) == 0
    printed = capsys.readouterr().out
    assert "种子 3：新发违法数" in printed
    assert "违法时长" in printed
    assert main([*argv, "--lang", "en", "--out", str(tmp_path / "en")]) == 0
    assert "seed 3" in capsys.readouterr().out
