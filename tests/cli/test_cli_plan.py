"""Tests of ``patrolsim plan`` as a scheduler runs it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.image import imread

from patrolsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_plan_writes_roster_routes_comparison_and_report(tmp_path: Path) -> None:
    """Tests the Monday-morning job end to end on the tiny district (small budgets)."""
    out = tmp_path / "plan"
    assert (
        main(
            [
                "plan",
                str(SCENARIOS / "tiny"),
                "--week",
                "2026-11-30",
                "--reps",
                "2",
                "--route-branches",
                "300",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    for name in (
        "roster.csv",
        "roster.xlsx",
        "coverage.csv",
        "routes.csv",
        "routes.geojson",
        "requirements.csv",
        "comparison.csv",
        "paired.csv",
        "report.html",
        "report.png",
    ):
        assert (out / name).stat().st_size > 0, name
    with (out / "comparison.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["policy", "kpi", "mean", "ci_low", "ci_high"]
    assert {r["policy"] for r in rows} == {"planned", "posts+mobile", "hotspot"}
    picture = imread(out / "report.png")
    assert picture.shape[0] > 500
    assert picture.shape[1] > 800
    assert not list(out.glob(".*"))  # no temporary files left behind
    # one story: coverage.csv shows required, provided and short against the standard cover
    with (out / "coverage.csv").open(encoding="utf-8-sig") as fh:
        cover = list(csv.DictReader(fh))
    assert {"units_required", "units_provided", "units_short"} <= set(cover[0])
    assert (out / "packets" / "packet_2026-11-30_S1.html").is_file()


@pytest.mark.slow
def test_plan_keep_re_plans_around_the_issued_roster(tmp_path: Path) -> None:
    """Tests that plan --keep writes changes.csv and an English report with --lang en."""
    out = tmp_path / "plan"
    assert (
        main(
            [
                "plan",
                str(SCENARIOS / "tiny"),
                "--week",
                "2026-11-30",
                "--reps",
                "2",
                "--roster-time-limit",
                "3",
                "--route-branches",
                "300",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    again = tmp_path / "again"
    assert (
        main(
            [
                "plan",
                str(SCENARIOS / "tiny"),
                "--week",
                "2026-11-30",
                "--reps",
                "2",
                "--roster-time-limit",
                "3",
                "--route-branches",
                "300",
                "--lang",
                "en",
                "--keep",
                str(out / "roster.csv"),
                "--out",
                str(again),
            ]
        )
        == 0
    )
    with (again / "changes.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == ["staff_id", "name", "date", "before", "after", "reason"]
    assert "Weekly plan" in (again / "report.html").read_text(encoding="utf-8")


def test_same_seed_and_options_give_byte_identical_files(tmp_path: Path) -> None:
    """Tests that two runs of plan with the same seed and options, in processes with different
    string hashing, write the same files with the same bytes; only timings.json may differ."""
    outs = [tmp_path / "first", tmp_path / "second"]
    for hash_seed, out in enumerate(outs):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "patrolsim",
                "plan",
                str(SCENARIOS / "tiny"),
                "--week",
                "2026-11-30",
                "--reps",
                "2",
                "--seed",
                "3",
                "--route-branches",
                "300",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
            check=False,
        )
        assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    assert {Path("roster.xlsx"), Path("report.html"), Path("timings.json")} <= set(files)
    differ = [
        str(f)
        for f in files
        if f != Path("timings.json") and (outs[0] / f).read_bytes() != (outs[1] / f).read_bytes()
    ]
    assert differ == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-12-01"], "--week: must be a Monday"),
        (["--week", "2026-11-30", "--reps", "1"], "--reps: need at least 2"),
        (["--week", "2026-11-30", "--route-branches", "0"], "--route-branches: must be positive"),
        (["--week", "2026-11-30", "--roster-work", "0"], "--roster-work: must be positive"),
        (
            ["--week", "2026-11-30", "--roster-time-limit", "-1"],
            "--roster-time-limit: must be positive",
        ),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_line(
    tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    """Tests that bad arguments give one clear line, exit status 2 and no output folder."""
    out = tmp_path / "plan"
    assert main(["plan", str(SCENARIOS / "tiny"), *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
