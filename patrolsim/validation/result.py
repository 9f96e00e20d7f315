"""Results of the validity checks: what was measured, against which anchor, pass or fail."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

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
        lines = [
            f"{self.number}. {self.title}: {'PASS' if self.passed else 'FAIL'}",
            f"   anchor: {self.anchor}",
            f"   model:  {self.figure}",
        ]
        lines.extend(f"   - {c}" for c in self.criteria)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
