"""Check 1 (Koper 1995) and check 7 (Erlang C)."""

from __future__ import annotations

import math

import pytest

from patrolsim.validation.koper import erlang_c_wait
from patrolsim.validation.result import CheckResult


def test_drive_by_gives_about_fifteen_percent(koper: CheckResult) -> None:
    """Tests that a new violation follows a drive-by within 30 min about 15 % of the time."""
    assert koper.criterion("after a drive-by (%)").value == pytest.approx(15.0, abs=2.0)


def test_ten_to_sixteen_minute_stop_gives_about_four_percent(koper: CheckResult) -> None:
    """Tests that after a 10–16 min stop the chance is 4 % ± 2 percentage points."""
    assert koper.criterion("after a 10–16 min stop (%)").value == pytest.approx(4.0, abs=2.0)


def test_curve_falls_then_flattens(koper: CheckResult) -> None:
    """Tests that the chance falls with stop length and is flat after about 15 min."""
    p = dict(zip(koper.table["stop_min"], koper.table["p_new_30min"], strict=True))
    assert p[0] > p[2] > p[6] > p[12]
    assert abs(p[20] - p[14]) < 0.01
    assert koper.passed, koper.summary()


def test_erlang_c_formula_matches_known_values() -> None:
    """Tests that the Erlang C formula gives M/M/1's ρ/(μ−λ) and a textbook M/M/2 value."""
    assert erlang_c_wait(0.5, 1.0, 1) == pytest.approx(1.0)  # ρ = 0.5: Wq = 0.5 / 0.5
    # M/M/2, λ = 1, μ = 1: P(wait) = 1/3, Wq = (1/3) / (2 − 1)
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert math.isinf(erlang_c_wait(2.0, 1.0, 2))


def test_mean_wait_within_three_percent_of_erlang_c(erlang: CheckResult) -> None:
    """Tests that the simulated mean wait is within 3 % of Erlang C and its CI covers it."""
    ratio = erlang.criterion("mean wait / Erlang C").value
    assert ratio == pytest.approx(1.0, abs=0.03)
    assert erlang.criterion("95 % CI low − Erlang C (min)").passed
    assert erlang.criterion("95 % CI high − Erlang C (min)").passed
