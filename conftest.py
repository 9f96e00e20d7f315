"""The test tiers of the whole project (STYLE.md §10), for every folder pytest collects.

``pytest`` runs the fast tier: ``addopts`` in pyproject.toml deselects ``slow`` and
``benchmark``. ``pytest -m "slow and not benchmark"`` runs the slow tier; ``.ci/run`` runs
both. Besides the tests marked ``@pytest.mark.slow`` by hand (long end-to-end runs), the slow
tier holds by rule, so that a new test of these kinds lands there without a mark:

* the validity experiments (``tests/validation``): each simulates weeks of many streets;
* the notebooks, which nbmake runs from top to bottom;
* the Hypothesis property tests, which run a solver or simulator on many generated inputs.

Hypothesis runs without its clock-based checks (``deadline=None``, no ``too_slow``), so that
a busy machine fails no test: no test depends on the clock.

The session-wide fixtures (the reference scenarios, loaded once; ``../shared/benchmarks``)
live here, so that the tests under ``benchmarks/`` get them too.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

from patrolsim.scenario import Scenario, load_scenario

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent
VALIDATION = ROOT / "tests" / "validation"
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"

settings.register_profile("patrolsim", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("patrolsim")


def is_slow(item: pytest.Item) -> bool:
    """Whether ``item`` belongs to the slow tier by rule (see the module docstring)."""
    path = Path(item.path)
    return (path.suffix == ".ipynb"
            or path.is_relative_to(VALIDATION)
            or bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False)))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tier's tests ``slow``."""
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


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
