"""Tests of validity checks 8–10 (the levers), run with fewer seeds and days."""

from __future__ import annotations

import matplotlib

from patrolsim.plotting.plot_validity import plot_check
from patrolsim.scenario import Scenario
from patrolsim.validation.levers import camera, shopfront, stall_zone
from patrolsim.validation.suite import CHECKS

matplotlib.use("Agg")


def test_lever_checks_are_in_the_suite() -> None:
    """Tests that validate-model runs the three lever checks after the seven others."""
    assert CHECKS[7:] == ("stall_zone", "camera", "shopfront")


def test_stall_zone_check_passes(nanhu: Scenario) -> None:
    """Tests that the stall-zone check passes on the reference vendors and draws a figure."""
    result = stall_zone(nanhu.violation_type("street_vending"), seeds=(1, 2), days=14)
    assert result.passed, result.summary()
    assert plot_check(result) is not None


def test_camera_check_passes() -> None:
    """Tests that the camera check passes: detection at its rate, no deterrence, dispatch helps."""
    result = camera(seeds=(1, 2), days=14)
    assert result.passed, result.summary()
    assert result.criterion("violations started, recording cameras / none").value == 1.0


def test_shopfront_check_passes(nanhu: Scenario) -> None:
    """Tests that the shop-front check passes on the reference district's shop-front type."""
    result = shopfront(nanhu.violation_type("shopfront_occupation"), seeds=(1, 2), days=35)
    assert result.passed, result.summary()
