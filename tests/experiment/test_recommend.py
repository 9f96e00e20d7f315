"""Tests of the staffing recommendation on hand-made summaries."""

from __future__ import annotations

import pandas as pd
import pytest

from patrolsim.errors import ScenarioError
from patrolsim.experiment.recommend import check_target, recommend
from patrolsim.scenario.model import Target

TARGETS = (Target("complaint_response_p90_min", max=60.0), Target("inspection_pass_rate", min=0.85))


def _summary() -> pd.DataFrame:
    rows = []

    def add(
        staffing: float,
        policy: str,
        p90: tuple[float, float, float],
        passing: tuple[float, float, float],
    ) -> None:
        rows.append((staffing, policy, "complaint_response_p90_min", *p90, 10))
        rows.append((staffing, policy, "inspection_pass_rate", *passing, 10))
        rows.append((staffing, policy, "violation_hours", 100.0, 90.0, 110.0, 10))

    # posts: meets both from 0.75 on (mean meets at 0.5 but the CI straddles the target).
    add(0.5, "posts", (58.0, 50.0, 66.0), (0.90, 0.88, 0.92))
    add(0.75, "posts", (45.0, 40.0, 50.0), (0.89, 0.86, 0.92))
    add(1.0, "posts", (35.0, 30.0, 40.0), (0.93, 0.90, 0.96))
    # hotspot: the pass rate never clears 0.85 with its whole CI.
    add(0.5, "hotspot", (40.0, 30.0, 50.0), (0.80, 0.75, 0.85))
    add(0.75, "hotspot", (30.0, 25.0, 35.0), (0.86, 0.84, 0.88))
    add(1.0, "hotspot", (25.0, 20.0, 30.0), (0.87, 0.845, 0.895))
    # mobile: meets at 0.5, fails at 0.75 (noise), meets at 1.0.
    add(0.5, "mobile", (50.0, 45.0, 55.0), (0.90, 0.87, 0.93))
    add(0.75, "mobile", (55.0, 48.0, 62.0), (0.90, 0.87, 0.93))
    add(1.0, "mobile", (40.0, 35.0, 45.0), (0.90, 0.87, 0.93))
    return pd.DataFrame(
        rows, columns=["staffing", "policy", "kpi", "mean", "ci_low", "ci_high", "n"]
    )


def test_smallest_level_whose_whole_ci_meets_every_target() -> None:
    """Tests the recommended level per policy, including none and a non-monotone case."""
    rec = recommend(_summary(), TARGETS)
    by = {p.policy: p for p in rec.policies}
    assert [p.policy for p in rec.policies] == ["posts", "hotspot", "mobile"]
    assert by["posts"].staffing == 0.75
    assert by["hotspot"].staffing is None
    assert by["mobile"].staffing == 0.5
    assert by["mobile"].not_monotone == (0.75,)
    assert [lv.meets_all for lv in by["posts"].levels] == [False, True, True]
    assert [c.kpi for c in by["posts"].levels[0].failing] == ["complaint_response_p90_min"]


def test_recommendation_words_and_json() -> None:
    """Tests that the plain-words summary and the JSON say the same thing."""
    rec = recommend(_summary(), TARGETS, policies=["hotspot", "posts"])
    text = rec.summary()
    lines = text.splitlines()
    assert lines[0].startswith("hotspot: no staffing level tested meets every target; even at 1")
    assert "inspection_pass_rate ≥ 0.85" in lines[0]
    assert lines[1].startswith("posts: 0.75 × the current staff is the smallest level tested")
    assert "At 0.5: complaint_response_p90_min ≤ 60: mean 58.0, CI 50.0–66.0 (not met)" in lines[1]
    data = rec.to_json()
    assert [p["policy"] for p in data["policies"]] == ["hotspot", "posts"]
    assert [p["staffing"] for p in data["policies"]] == [None, 0.75]
    assert data["targets"][0] == {"kpi": "complaint_response_p90_min", "min": None, "max": 60.0}
    assert data["policies"][1]["levels"][0]["checks"][0]["met"] is False


@pytest.mark.parametrize(
    ("target", "low", "high", "met"),
    [
        (Target("k", min=1.0), 1.0, 2.0, True),
        (Target("k", min=1.0), 0.99, 2.0, False),
        (Target("k", max=5.0), 1.0, 5.0, True),
        (Target("k", max=5.0), 1.0, 5.01, False),
        (Target("k", min=1.0, max=5.0), 2.0, 4.0, True),
        (Target("k", min=1.0), float("nan"), float("nan"), False),
    ],
)
def test_check_target(target: Target, low: float, high: float, met: bool) -> None:
    """Tests that a target is met only by an interval wholly on its side (NaN never)."""
    assert check_target(target, (low + high) / 2, low, high) is met


def test_unknown_target_kpi_is_a_scenario_error() -> None:
    """Tests that a target naming a KPI the sweep lacks is reported, not ignored."""
    with pytest.raises(ScenarioError, match="targets: response_time: not a KPI"):
        recommend(_summary(), (Target("response_time", max=1.0),))


def test_no_targets_says_so() -> None:
    """Tests that a scenario without targets gets an explanation instead of a level."""
    rec = recommend(_summary(), ())
    assert "sets no targets" in rec.summary()
