"""Check 6 (broken windows, Keizer et al. 2008)."""

from __future__ import annotations

import numpy as np
import pytest

from patrolsim.validation.disorder import rate_by_disorder
from patrolsim.validation.result import CheckResult


def test_exposure_split_by_visible_count() -> None:
    """Tests that starts and minutes are split by the number visible just before."""
    # one violation 10–30, another 20–50, horizon 60
    out = rate_by_disorder(np.array([10.0, 20.0]), np.array([30.0, 50.0]), 60.0)
    assert out == {0: (1, 10.0 + 10.0), 1: (1, 10.0 + 20.0), 2: (0, 10.0)}


def test_types_carrying_the_effect_double(windows: CheckResult) -> None:
    """Tests that the rate ratio is about Keizer's 2.08 where the gain is ≥ 1, 1 without."""
    t = windows.table.set_index("type")
    assert t.loc["flyposting", "ratio"] == pytest.approx(27 / 13, abs=0.35)
    assert t.loc["control", "ratio"] == pytest.approx(1.0, abs=0.15)
    assert windows.passed, windows.summary()
