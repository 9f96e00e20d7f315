"""Tests of staffing levels said in people by role and squad."""

from __future__ import annotations

from patrolsim.experiment.headcount import headcount, headcount_words
from patrolsim.scenario import Scenario
from patrolsim.sim.policies import scale_staff


def test_headcount_counts_the_people_the_simulator_runs(nanhu: Scenario) -> None:
    """Tests that the table's people at a level are exactly the scaled staff list."""
    table = headcount(nanhu, 1.5)
    assert table["now"].sum() == len(nanhu.staff)
    assert table["at_level"].sum() == len(scale_staff(nanhu.staff, 1.5))
    assert (table["change"] == table["at_level"] - table["now"]).all()


def test_headcount_in_words_with_the_fraction_beside_it(nanhu: Scenario) -> None:
    """Tests the Chinese and English answers, by role and by squad."""
    table = headcount(nanhu, 1.5)
    cert = int(table.loc[table["role"] != "auxiliary", "change"].sum())
    aux = int(table.loc[table["role"] == "auxiliary", "change"].sum())
    words = headcount_words(nanhu, 1.5)
    assert words.startswith(f"需增加执法队员 {cert} 人、协管员 {aux} 人")
    assert "一中队" in words
    assert words.endswith("(现有人员的 1.5 倍)")
    assert headcount_words(nanhu, 0.75, "en").startswith("Remove ")
    assert headcount_words(nanhu, 1.0) == "人员不变(现有人员的 1 倍)"
