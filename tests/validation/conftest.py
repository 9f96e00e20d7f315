"""Fixtures of the validity tests: each check runs once per session and is shared."""

from __future__ import annotations

import pytest

from patrolsim.scenario import Scenario
from patrolsim.validation import build
from patrolsim.validation.campaigns import crackdown, tipping
from patrolsim.validation.disorder import broken_windows
from patrolsim.validation.hotspots import displacement, presence_dose
from patrolsim.validation.koper import erlang_queue, koper_curve
from patrolsim.validation.result import CheckResult


@pytest.fixture(scope="session")
def koper() -> CheckResult:
    """Check 1 with its default seeds and replications."""
    return koper_curve()


@pytest.fixture(scope="session")
def crackdown_result(nanhu: Scenario) -> CheckResult:
    """Check 2 with the reference district's street vendors."""
    return crackdown(build.with_flat_profiles(nanhu.violation_type("street_vending")))


@pytest.fixture(scope="session")
def tipping_result() -> CheckResult:
    """Check 3 with its swamping parameter set."""
    return tipping()


@pytest.fixture(scope="session")
def dose() -> CheckResult:
    """Check 4 with the calibrated defaults."""
    return presence_dose()


@pytest.fixture(scope="session")
def displacement_result(nanhu: Scenario) -> CheckResult:
    """Check 5 with the reference district's vendors and shop-front occupation."""
    return displacement(
        [nanhu.violation_type("street_vending"), nanhu.violation_type("shopfront_occupation")]
    )


@pytest.fixture(scope="session")
def windows(nanhu: Scenario) -> CheckResult:
    """Check 6 with every reference type and a control type without the effect."""
    return broken_windows([*nanhu.violation_types, build.violation_type("control")])


@pytest.fixture(scope="session")
def erlang() -> CheckResult:
    """Check 7 with its default replications."""
    return erlang_queue()
