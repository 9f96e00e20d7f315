"""The plan's verdict in words: what it changes, what it buys on every KPI, what it costs.

A 局领导 reads the first lines of the report and nothing else, so they must be complete and
honest: every KPI is named, each as better, worse or no different from the usual practice,
with its 95 % confidence interval said in words, and the targets of ``[targets]`` checked.
Solver figures (status, objective, bound, gap) stay in ``summary.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from patrolsim.scenario.model import KPI_NAMES, Target
from patrolsim.terms import (
    KPI_GOOD_DIRECTION,
    Lang,
    change_words,
    format_kpi,
    policy_term,
    term,
)

Outcome = Literal["better", "worse", "no_different", "changed", "unchanged"]


@dataclass(frozen=True, slots=True)
class KpiVerdict:
    """One KPI of the plan against a baseline: paired difference and what it means."""

    kpi: str
    difference: float
    ci_low: float
    ci_high: float
    outcome: Outcome
    """``better``/``worse``/``no_different`` for KPIs with a good direction; ``changed`` or
    ``unchanged`` for counts of activity that are neither good nor bad in themselves."""


def kpi_verdicts(
    paired: pd.DataFrame, baseline: str, kpis: Sequence[str] = KPI_NAMES
) -> list[KpiVerdict]:
    """Classify the paired differences plan − ``baseline`` of every KPI.

    A KPI is better (or worse) when its whole 95 % confidence interval lies on the good (or
    bad) side of zero, else no different.
    """
    rows = paired[paired["baseline"] == baseline].set_index("kpi")
    out = []
    for kpi in kpis:
        if kpi not in rows.index:
            continue
        r = rows.loc[kpi]
        diff, lo, hi = float(r["difference"]), float(r["ci_low"]), float(r["ci_high"])
        sign = KPI_GOOD_DIRECTION.get(kpi, 0)
        clear = lo > 0 or hi < 0
        outcome: Outcome
        if sign == 0:
            outcome = "changed" if clear else "unchanged"
        elif not clear:
            outcome = "no_different"
        else:
            outcome = "better" if (diff > 0) == (sign > 0) else "worse"
        out.append(KpiVerdict(kpi, diff, lo, hi, outcome))
    return out


def kpi_sentence(v: KpiVerdict, lang: Lang = "zh") -> str:
    """One KPI's verdict in words, e.g. ``违法时长更好：减少 120 小时(有95%的把握减少 80 至
    160 小时)``."""
    name = term(v.kpi, lang)
    diff = change_words(v.kpi, v.difference, lang)
    lo, hi = change_words(v.kpi, v.ci_low, lang), change_words(v.kpi, v.ci_high, lang)
    if lang == "zh":
        word = {
            "better": "更好",
            "worse": "更差",
            "no_different": "无明显差别",
            "changed": "有变化",
            "unchanged": "无明显变化",
        }[v.outcome]
        return f"{name}{word}：{diff}(有95%的把握介于{lo}与{hi}之间)"
    word = {
        "better": "better",
        "worse": "worse",
        "no_different": "no clear difference",
        "changed": "changed",
        "unchanged": "no clear change",
    }[v.outcome]
    return f"{name}: {word}, {diff} (95% sure: between {lo} and {hi})"


def target_sentences(
    comparison: pd.DataFrame, targets: Sequence[Target], policy: str, lang: Lang = "zh"
) -> list[str]:
    """Whether ``policy``'s mean meets each target, one sentence per target."""
    out = []
    for t in targets:
        rows = comparison[(comparison["policy"] == policy) & (comparison["kpi"] == t.kpi)]
        if rows.empty:
            continue
        mean = float(rows["mean"].iloc[0])
        bound = " ".join(
            p
            for p in (
                f"≥ {format_kpi(t.kpi, t.min, lang)}" if t.min is not None else "",
                f"≤ {format_kpi(t.kpi, t.max, lang)}" if t.max is not None else "",
            )
            if p
        )
        met = term("meets_target" if t.met_by(mean) else "misses_target", lang)
        sep = "：" if lang == "zh" else ": "
        out.append(
            f"{term(t.kpi, lang)}{sep}{term('target', lang)} {bound}，"
            f"{policy_term(policy, lang)} {format_kpi(t.kpi, mean, lang)}，{met}"
            if lang == "zh"
            else f"{term(t.kpi, lang)}{sep}{term('target', lang)} {bound}; "
            f"{policy_term(policy, lang)} {format_kpi(t.kpi, mean, lang)}, {met}"
        )
    return out


def verdict_summary(verdicts: Sequence[KpiVerdict], baseline: str, lang: Lang = "zh") -> str:
    """One sentence: how many KPIs are better, worse and no different, naming them."""
    groups: dict[str, list[str]] = {}
    for v in verdicts:
        groups.setdefault(v.outcome, []).append(term(v.kpi, lang))
    if lang == "zh":
        parts = [
            f"{w}：{'、'.join(groups[k])}"
            for k, w in (("better", "更好"), ("worse", "更差"), ("no_different", "无明显差别"))
            if groups.get(k)
        ]
        return f"与{policy_term(baseline, lang)}相比，" + "；".join(parts) + "。"
    parts = [
        f"{w}: {', '.join(groups[k])}"
        for k, w in (
            ("better", "better"),
            ("worse", "worse"),
            ("no_different", "no clear difference"),
        )
        if groups.get(k)
    ]
    return f"Against {policy_term(baseline, lang)}: " + "; ".join(parts) + "."
