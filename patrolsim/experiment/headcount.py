"""Staffing levels as people: by role and squad, the way a bureau hires.

A sweep tests staffing as a fraction of the staff list ("1.5 × the current staff"). A 局领导
asks for people: "需增加执法队员 12 人、协管员 6 人". :func:`headcount` counts the people
a level means with the simulator's own scaling (:func:`patrolsim.sim.policies.scale_staff`,
stratified by role and squad, so the counts are exactly the people simulated), and
:func:`headcount_words` says the change from today in words, with the fraction beside it.
Squad leaders count as certified officers (执法队员) in the words and separately in the table.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from patrolsim.experiment.recommend import PolicyRecommendation, TargetCheck
from patrolsim.scenario.model import Scenario
from patrolsim.sim.policies import scale_staff
from patrolsim.terms import Lang, format_kpi, policy_term, term

HEADCOUNT_COLUMNS = ("squad", "role", "now", "at_level", "change")


def headcount(scenario: Scenario, staffing: float) -> pd.DataFrame:
    """People per squad and role today and at ``staffing``, and the change."""
    now = Counter((m.squad, m.role) for m in scenario.staff)
    then = Counter((m.squad, m.role) for m in scale_staff(scenario.staff, staffing))
    rows = [
        (sq, role, now[sq, role], then[sq, role], then[sq, role] - now[sq, role])
        for sq, role in sorted(set(now) | set(then))
    ]
    return pd.DataFrame(rows, columns=list(HEADCOUNT_COLUMNS))


def _by_role(table: pd.DataFrame) -> dict[str, int]:
    role = table["role"].replace({"leader": "certified"})
    return {str(k): int(v) for k, v in table.groupby(role)["change"].sum().items()}


def headcount_words(scenario: Scenario, staffing: float, lang: Lang = "zh") -> str:
    """The change in people a staffing level means, e.g. ``需增加执法队员 12 人、协管员 6 人
    (一中队：执法队员 +6、协管员 +3；二中队：…)(现有人员的 1.5 倍)``."""
    table = headcount(scenario, staffing)
    total = _by_role(table)
    squads = {s.id: s.name if lang == "zh" else s.id for s in scenario.squads}
    roles = [r for r in ("certified", "auxiliary") if r in total]
    if not any(total.get(r, 0) for r in roles):
        return (
            "人员不变(现有人员的 1 倍)"
            if lang == "zh"
            else "no change in people (1 × the current staff)"
        )
    detail = []
    for sq, rows in table.groupby("squad", sort=False):
        counts = _by_role(rows)
        parts = [f"{term(r, lang)} {counts[r]:+d}" for r in roles if counts.get(r)]
        if parts:
            detail.append(
                f"{squads.get(str(sq), sq)}：" + "、".join(parts)
                if lang == "zh"
                else f"{squads.get(str(sq), sq)}: " + ", ".join(parts)
            )
    if lang == "zh":
        up = "、".join(f"{term(r)} {total[r]} 人" for r in roles if total[r] > 0)
        down = "、".join(f"{term(r)} {-total[r]} 人" for r in roles if total[r] < 0)
        change = "，".join(
            p for p in (f"需增加{up}" if up else "", f"可减少{down}" if down else "") if p
        )
        return f"{change}({'；'.join(detail)})(现有人员的 {staffing:g} 倍)"
    change = ", ".join(
        f"{'add' if total[r] > 0 else 'remove'} {abs(total[r])} {term(r, lang)}"
        for r in roles
        if total[r]
    )
    return (
        f"{change[0].upper()}{change[1:]} ({'; '.join(detail)}) ({staffing:g} × the current staff)"
    )


def _check_words(check: TargetCheck, lang: Lang) -> str:
    t = check.target
    bound = " ".join(
        p
        for p in (
            f"≥ {format_kpi(t.kpi, t.min, lang)}" if t.min is not None else "",
            f"≤ {format_kpi(t.kpi, t.max, lang)}" if t.max is not None else "",
        )
        if p
    )
    mean, lo, hi = (
        format_kpi(check.kpi, x, lang) for x in (check.mean, check.ci_low, check.ci_high)
    )
    if lang == "zh":
        return (
            f"{term(check.kpi)}(目标 {bound})均值 {mean}，95%置信区间 {lo} 至 {hi}，"
            f"{'达标' if check.met else '未达标'}"
        )
    return (
        f"{term(check.kpi, lang)} (target {bound}): mean {mean}, 95% CI {lo} to {hi}, "
        f"{'met' if check.met else 'not met'}"
    )


def recommendation_words(scenario: Scenario, rec: PolicyRecommendation, lang: Lang = "zh") -> str:
    """One policy's staffing answer in words: the level in people, and why.

    The level is the smallest tested whose confidence intervals meet every target
    (:func:`patrolsim.experiment.recommend.recommend`); the targets below it are named.
    """
    name = policy_term(rec.policy, lang)
    sep = "：" if lang == "zh" else ": "
    if not rec.levels:
        return name + sep + ("未测试任何人员水平" if lang == "zh" else "no level was simulated")
    if rec.staffing is None:
        top = rec.levels[-1]
        why = ("；" if lang == "zh" else "; ").join(_check_words(c, lang) for c in top.failing)
        return (
            name
            + sep
            + (
                f"所测人员水平均未达到全部目标；即使在现有人员的 {top.staffing:g} 倍，{why}"
                if lang == "zh"
                else f"no level tested meets every target; even at {top.staffing:g} × "
                f"the current staff, {why}"
            )
        )
    text = name + sep + headcount_words(scenario, rec.staffing, lang)
    lower = [lv for lv in rec.levels if lv.staffing < rec.staffing]
    if lower:
        why = ("；" if lang == "zh" else "; ").join(
            _check_words(c, lang) for c in lower[-1].failing
        )
        text += (
            f"。低一档(现有人员的 {lower[-1].staffing:g} 倍)时：{why}"
            if lang == "zh"
            else f". One level lower ({lower[-1].staffing:g} ×): {why}"
        )
    if rec.not_monotone:
        text += (
            "。注意：更高的人员水平 "
            + "、".join(f"{s:g}" for s in rec.not_monotone)
            + " 倍并未全部达标，增加模拟次数可能改变结论"
            if lang == "zh"
            else ". Caution: the larger level(s) "
            + ", ".join(f"{s:g}" for s in rec.not_monotone)
            + " do not meet every target; more replications may change this"
        )
    return text + ("。" if lang == "zh" else ".")
