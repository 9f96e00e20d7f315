"""Results of the validity checks: what was measured, against which anchor, pass or fail."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd


@dataclass(frozen=True, slots=True)
class Criterion:
    """One pass/fail condition of a check: ``low <= value <= high`` (either bound optional)."""

    name: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""

    @property
    def passed(self) -> bool:
        """Whether the value lies within the bounds."""
        if math.isnan(self.value):
            return False
        if self.low is not None and self.value < self.low:
            return False
        return not (self.high is not None and self.value > self.high)

    def bounds(self) -> str:
        """The accepted range as text, e.g. ``[2, 6]`` or ``≥ 0.5``."""
        if self.low is not None and self.high is not None:
            return f"[{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f"≥ {self.low:g}"
        if self.high is not None:
            return f"≤ {self.high:g}"
        return "(reported)"

    def __str__(self) -> str:
        mark = "ok" if self.passed else "FAIL"
        return f"{self.name}: {self.value:.3g}{self.unit} {self.bounds()} {mark}"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One validity check: the anchor it tests, the figure the model gives, and the data.

    ``table`` holds what the check's figure plots (one row per point); ``settings`` the seeds,
    days and other choices, so that the result can be reproduced.
    """

    number: int
    key: str
    title: str
    anchor: str
    """The published finding, in one sentence with its source."""
    figure: str
    """The model's headline figure, in one sentence, to set beside the anchor."""
    criteria: tuple[Criterion, ...]
    table: pd.DataFrame = field(repr=False)
    settings: Mapping[str, object] = field(default_factory=dict)
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    """Further tables for the figure (e.g. a second series)."""

    @property
    def passed(self) -> bool:
        """Whether every criterion holds."""
        return all(c.passed for c in self.criteria)

    def criterion(self, name: str) -> Criterion:
        """The criterion called ``name``."""
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(name)

    def summary(self) -> str:
        """The check, its anchor, its figure and each criterion, one per line."""
        lines = [f"{self.number}. {self.title}: {'PASS' if self.passed else 'FAIL'}",
                 f"   anchor: {self.anchor}", f"   model:  {self.figure}"]
        lines.extend(f"   - {c}" for c in self.criteria)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
"""Two-sided 95 % Student t quantiles for 1–30 degrees of freedom."""


def mean_ci(values: npt.ArrayLike) -> tuple[float, float, float]:
    """Mean of independent replications and its two-sided 95 % t confidence interval."""
    x = np.asarray(values, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    df = len(x) - 1
    t = _T975[df - 1] if df <= len(_T975) else 1.96 + 2.4 / df
    half = t * float(x.std(ddof=1)) / math.sqrt(len(x))
    return m, m - half, m + half
