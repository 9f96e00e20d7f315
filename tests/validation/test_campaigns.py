"""Check 2 (crackdown dynamics, Sherman 1990) and check 3 (tipping, Kleiman 2009)."""

from __future__ import annotations

from patrolsim.validation.result import CheckResult


def test_crackdown_drops_decays_leaves_residual_and_returns(crackdown_result: CheckResult) -> None:
    """Tests that a 30-day campaign at 3× presence shows all four phases and the overshoot."""
    for criterion in crackdown_result.criteria:
        assert criterion.passed, str(criterion)


def test_crackdown_runs_agree_before_the_campaign(crackdown_result: CheckResult) -> None:
    """Tests that with common random numbers the runs agree exactly until the campaign."""
    t = crackdown_result.table
    before = t[t["day"] < 0]
    assert (before["default"] == 1.0).all()
    assert (before["high latent demand"] == 1.0).all()


def test_only_the_concentrated_campaign_tips(tipping_result: CheckResult) -> None:
    """Tests that a long concentrated campaign tips, a short or spread one does not."""
    for criterion in tipping_result.criteria:
        assert criterion.passed, str(criterion)
