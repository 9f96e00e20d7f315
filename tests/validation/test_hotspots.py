"""Check 4 (presence dose) and check 5 (displacement and diffusion)."""

from __future__ import annotations

from patrolsim.validation.result import CheckResult


def test_twice_the_presence_is_in_the_published_range(dose: CheckResult) -> None:
    """Tests that doubling presence at hot spots cuts violations by 6–18 %."""
    value = dose.criterion("reduction for 2× presence (%)").value
    assert 6.0 <= value <= 18.0


def test_every_replication_shows_a_reduction(dose: CheckResult) -> None:
    """Tests that more presence means fewer violations in every seed (a dose response)."""
    t = dose.table
    assert (t["2x"] < t["1x"]).all()
    assert (t["1x"] < t["none"]).all()


def test_vendors_displace_and_shopfronts_diffuse(displacement_result: CheckResult) -> None:
    """Tests that the WDQ is negative for mobile vendors and positive for shop-fronts."""
    t = displacement_result.table.set_index("type")
    assert t.loc["street_vending", "wdq"] < 0
    assert t.loc["shopfront_occupation", "wdq"] > 0
    assert (
        t.loc["shopfront_occupation", "diffusion"] >= t.loc["shopfront_occupation", "displacement"]
    )
    assert displacement_result.passed, displacement_result.summary()
