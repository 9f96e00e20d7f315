"""The smallest staffing level that meets the scenario's targets, per policy.

A level *meets* a target when the whole confidence interval of the KPI's mean lies on the
right side of it: ``ci_low >= min`` for a minimum and ``ci_high <= max`` for a maximum. This is
deliberately cautious — a level whose mean meets a target but whose interval straddles it is
not recommended, because more replications could show that it falls short. A cell with fewer
than two replications has no interval and meets nothing.

For each policy the recommendation is the smallest staffing level tested that meets every
target. If a larger level tested does *not* meet every target (simulation noise, or a policy
that gets worse with more staff), the recommendation says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from patrolsim.errors import ScenarioError
from patrolsim.scenario.model import Target


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """One target at one staffing level: the KPI's interval and whether it meets the target."""

    kpi: str
    target: Target
    mean: float
    ci_low: float
    ci_high: float
    met: bool

    def describe(self) -> str:
        """E.g. ``complaint_response_p90_min ≤ 60: mean 48.2, 95% CI 41.0–55.4 (met)``."""
        bounds = []
        if self.target.min is not None:
            bounds.append(f"≥ {self.target.min:g}")
        if self.target.max is not None:
            bounds.append(f"≤ {self.target.max:g}")
        return (
            f"{self.kpi} {' and '.join(bounds)}: mean {_num(self.mean)}, CI "
            f"{_num(self.ci_low)}–{_num(self.ci_high)} ({'met' if self.met else 'not met'})"
        )


def _num(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


@dataclass(frozen=True, slots=True)
class LevelCheck:
    """Every target at one staffing level of one policy."""

    staffing: float
    checks: tuple[TargetCheck, ...]

    @property
    def meets_all(self) -> bool:
        """Whether every target is met (with its whole confidence interval)."""
        return all(c.met for c in self.checks)

    @property
    def failing(self) -> tuple[TargetCheck, ...]:
        """The targets not met."""
        return tuple(c for c in self.checks if not c.met)


@dataclass(frozen=True, slots=True)
class PolicyRecommendation:
    """The recommendation for one policy."""

    policy: str
    staffing: float | None
    """The smallest staffing level tested that meets every target, or ``None``."""
    levels: tuple[LevelCheck, ...]
    """Every level tested, smallest first."""

    @property
    def not_monotone(self) -> tuple[float, ...]:
        """Levels above the recommended one that do not meet every target."""
        if self.staffing is None:
            return ()
        return tuple(
            lv.staffing for lv in self.levels if lv.staffing > self.staffing and not lv.meets_all
        )

    def summary(self) -> str:
        """The recommendation in plain words."""
        if not self.levels:
            return f"{self.policy}: no staffing level was simulated."
        if self.staffing is None:
            top = self.levels[-1]
            reasons = "; ".join(c.describe() for c in top.failing)
            return (
                f"{self.policy}: no staffing level tested meets every target; even at "
                f"{top.staffing:g} × the current staff, {reasons}."
            )
        level = next(lv for lv in self.levels if lv.staffing == self.staffing)
        text = (
            f"{self.policy}: {self.staffing:g} × the current staff is the smallest level "
            f"tested whose confidence intervals meet every target"
        )
        if level.checks:
            text += " (" + "; ".join(c.describe() for c in level.checks) + ")"
        lower = [lv for lv in self.levels if lv.staffing < self.staffing]
        if lower:
            below = lower[-1]
            text += f". At {below.staffing:g}: " + "; ".join(c.describe() for c in below.failing)
        if self.not_monotone:
            text += (
                ". Caution: the larger level(s) "
                + ", ".join(f"{s:g}" for s in self.not_monotone)
                + " do not meet every target; more replications may change this"
            )
        return text + "."


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Per policy, the smallest staffing level whose confidence intervals meet every target."""

    targets: tuple[Target, ...]
    policies: tuple[PolicyRecommendation, ...]
    confidence: float = 0.95

    def summary(self) -> str:
        """One paragraph per policy, in plain words."""
        if not self.targets:
            return (
                "The scenario sets no targets, so every staffing level meets them; add "
                "[targets] to scenario.toml to get a recommendation."
            )
        return "\n".join(p.summary() for p in self.policies)

    def __str__(self) -> str:
        return self.summary()

    def to_json(self) -> dict[str, Any]:
        """The recommendation as a JSON-ready dict (``recommendation.json``)."""

        def check(c: TargetCheck) -> dict[str, Any]:
            return {
                "kpi": c.kpi,
                "min": c.target.min,
                "max": c.target.max,
                "mean": _finite(c.mean),
                "ci_low": _finite(c.ci_low),
                "ci_high": _finite(c.ci_high),
                "met": c.met,
            }

        return {
            "confidence": self.confidence,
            "rule": (
                "smallest staffing level tested at which, for every target, the whole "
                "confidence interval of the KPI's mean meets it (ci_low >= min, "
                "ci_high <= max)"
            ),
            "targets": [{"kpi": t.kpi, "min": t.min, "max": t.max} for t in self.targets],
            "policies": [
                {
                    "policy": p.policy,
                    "staffing": p.staffing,
                    "text": p.summary(),
                    "levels": [
                        {
                            "staffing": lv.staffing,
                            "meets_all": lv.meets_all,
                            "checks": [check(c) for c in lv.checks],
                        }
                        for lv in p.levels
                    ],
                }
                for p in self.policies
            ],
        }


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def check_target(target: Target, mean: float, ci_low: float, ci_high: float) -> bool:
    """Whether the whole interval ``[ci_low, ci_high]`` meets ``target`` (NaN: not met)."""
    if math.isnan(ci_low) or math.isnan(ci_high):
        return False
    if target.min is not None and ci_low < target.min:
        return False
    return not (target.max is not None and ci_high > target.max)


def recommend(
    summary: pd.DataFrame,
    targets: Sequence[Target],
    policies: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Recommendation:
    """The smallest staffing level per policy whose confidence intervals meet every target.

    Parameters
    ----------
    summary
        ``summary.csv`` as a frame: columns ``staffing, policy, kpi, mean, ci_low, ci_high``.
    targets
        The scenario's targets (``Scenario.targets``).
    policies
        Policies to report, in this order (default: order of first appearance).
    confidence
        The confidence level of the intervals in ``summary`` (for the report only).

    Raises
    ------
    ScenarioError
        A target names a KPI that the summary does not have.
    """
    known = set(summary["kpi"])
    problems = [
        f"scenario.toml: targets: {t.kpi}: not a KPI of the sweep"
        for t in targets
        if t.kpi not in known
    ]
    if problems:
        raise ScenarioError(problems)
    names = list(policies) if policies is not None else list(dict.fromkeys(summary["policy"]))
    index: Mapping[tuple[float, str, str], tuple[float, float, float]] = {
        (float(r.staffing), str(r.policy), str(r.kpi)): (
            float(r.mean),
            float(r.ci_low),
            float(r.ci_high),
        )
        for r in summary.itertuples(index=False)
    }
    out = []
    for policy in names:
        levels = sorted({float(s) for s in summary.loc[summary["policy"] == policy, "staffing"]})
        checks = []
        for staffing in levels:
            row = []
            for t in targets:
                mean, lo, hi = index.get((staffing, policy, t.kpi), (math.nan,) * 3)
                row.append(TargetCheck(t.kpi, t, mean, lo, hi, check_target(t, mean, lo, hi)))
            checks.append(LevelCheck(staffing, tuple(row)))
        best = next((lv.staffing for lv in checks if lv.meets_all), None)
        out.append(PolicyRecommendation(policy, best, tuple(checks)))
    return Recommendation(tuple(targets), tuple(out), confidence)
