"""Tests of staffing levels said in people by role and squad."""

from __future__ import annotations

import pandas as pd

from patrolsim.experiment.headcount import headcount, headcount_words, recommendation_words
from patrolsim.experiment.recommend import recommend
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import Target
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


def test_recommendation_in_people_names_the_target_missed_below(nanhu: Scenario) -> None:
    """Tests the staffing answer: people at the level met, and why the level below is not."""
    summary = pd.DataFrame(
        [
            (1.0, "hotspot", "inspection_pass_rate", 0.80, 0.78, 0.82),
            (1.5, "hotspot", "inspection_pass_rate", 0.88, 0.86, 0.90),
        ],
        columns=["staffing", "policy", "kpi", "mean", "ci_low", "ci_high"],
    )
    rec = recommend(summary, [Target("inspection_pass_rate", min=0.85)]).policies[0]
    words = recommendation_words(nanhu, rec)
    assert words.startswith("热点巡查：需增加执法队员 ")
    assert "(现有人员的 1.5 倍)" in words
    assert "低一档(现有人员的 1 倍)时：考评合格率(目标 ≥ 85.0%)均值 80.0%" in words
    assert "未达标" in words
