"""End-to-end on the full Boston 311 log: init → calibrate → a short back-test (slow)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from patrolsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT.parent / "shared" / "data" / "boston-311-2015" / "cases.csv"
MAPPING = ROOT / "scenarios" / "boston" / "mapping.toml"


@pytest.fixture(scope="module")
def boston_log() -> Path:
    """The full log; skipped when ../shared is not beside the checkout, except in CI."""
    if not LOG.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {LOG} is missing")
        pytest.skip("../shared/data/boston-311-2015 is not available")
    return LOG


@pytest.mark.slow
def test_boston_init_calibrate_backtest(tmp_path: Path, boston_log: Path) -> None:
    """Tests that the documented commands run on the whole log, that the calibrated scenario
    validates, and that over the first two held-out weeks the simulation forecast beats the
    historical mean on Poisson deviance (the 13-week figures: benchmarks/RESULTS.md)."""
    folder = tmp_path / "boston"
    common = ["--caselog", str(boston_log), "--mapping", str(MAPPING)]
    assert (
        main(["init", str(folder), "--from-caselog", str(boston_log), "--mapping", str(MAPPING)])
        == 0
    )
    assert (
        main(
            [
                "calibrate",
                str(folder),
                *common,
                "--until",
                "2015-09-30",
                "--max-iter",
                "4",
                "--out",
                str(tmp_path / "cal"),
            ]
        )
        == 0
    )
    assert main(["validate", str(tmp_path / "cal")]) == 0
    out = tmp_path / "bt"
    assert (
        main(
            [
                "backtest",
                str(folder),
                *common,
                "--train-until",
                "2015-09-30",
                "--weeks",
                "2",
                "--forecast-reps",
                "2",
                "--max-iter",
                "4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    scores = pd.read_csv(out / "scores.csv").pivot(index="model", columns="metric", values="value")
    assert (
        scores.loc["simulation", "poisson_deviance"]
        < scores.loc["historical_mean", "poisson_deviance"]
    )
