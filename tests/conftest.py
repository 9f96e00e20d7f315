"""Session-wide fixtures: the reference scenarios, loaded once (STYLE.md §10)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

from patrolsim.scenario import Scenario, load_scenario

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nanhu() -> Scenario:
    """The reference district."""
    return load_scenario(SCENARIOS / "nanhu")


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """The five-patch test district."""
    return load_scenario(SCENARIOS / "tiny")


@pytest.fixture(scope="session")
def shared_benchmarks() -> Path:
    """../shared/benchmarks; skip when it is not beside the checkout, except in CI (``CI=true``),
    where it always is and a missing folder must fail the benchmark-format tests."""
    path = SHARED / "benchmarks"
    if not path.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"CI=true but {path} is missing: CI must check out ../shared beside the project"
            )
        pytest.skip("../shared/benchmarks is not available")
    return path
