"""Tests of the one table of terms and its formatting helpers."""

from __future__ import annotations

import pytest

from patrolsim.scenario.model import KPI_NAMES
from patrolsim.terms import (
    KPI_GOOD_DIRECTION,
    TERMS,
    change_words,
    format_kpi,
    policy_term,
    term,
)


def test_every_kpi_has_a_chinese_and_an_english_name_and_a_direction() -> None:
    """Tests that no KPI reaches a page under its column name."""
    for kpi in KPI_NAMES:
        zh, en = TERMS[kpi]
        assert zh != kpi
        assert "_" not in en
        assert any("\u4e00" <= c <= "\u9fff" for c in zh)
        assert kpi in KPI_GOOD_DIRECTION


@pytest.mark.parametrize(
    ("name", "zh", "en"),
    [
        ("posts+mobile", "现行做法(定岗+机动)", "usual practice (posts + mobile)"),
        (
            "hotspot@campaign",
            "热点巡查 + 专项整治(同等工时)",
            "hotspot patrol + campaign at equal staff-hours",
        ),
        (
            "hotspot@campaign+overtime",
            "热点巡查 + 专项整治(加班)",
            "hotspot patrol + campaign on top of the rota, paid in overtime",
        ),
    ],
)
def test_policy_names_in_words(name: str, zh: str, en: str) -> None:
    """Tests that policy names, campaign variants included, come out in words."""
    assert policy_term(name, "zh") == zh
    assert policy_term(name, "en") == en


def test_differences_in_words() -> None:
    """Tests that differences read as increases and decreases with units, shares in points;
    a difference below the digits shown still says which way it goes (a "better" verdict
    beside "unchanged" read as a contradiction), and only no difference is unchanged."""
    assert change_words("violation_hours", -1234.4) == "减少 1,234 小时"
    assert change_words("inspection_pass_rate", 0.031, "en") == "up 3.1 points"
    assert change_words("overtime_hours", -0.2) == "减少不到 1 小时"
    assert change_words("inspection_pass_rate", 0.0004, "en") == "up less than 0.1 points"
    assert change_words("overtime_hours", 0.0) == "不变"
    assert format_kpi("inspection_pass_rate", 0.85) == "85.0%"
    assert term("unknown words") == "unknown words"
