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

from patrolsim.scenario.model import Scenario
from patrolsim.sim.policies import scale_staff
from patrolsim.terms import Lang, term

HEADCOUNT_COLUMNS = ("squad", "role", "now", "at_level", "change")


def headcount(scenario: Scenario, staffing: float) -> pd.DataFrame:
    """People per squad and role today and at ``staffing``, and the change."""
    now = Counter((m.squad, m.role) for m in scenario.staff)
    then = Counter((m.squad, m.role) for m in scale_staff(scenario.staff, staffing))
    rows = [(sq, role, now[sq, role], then[sq, role], then[sq, role] - now[sq, role])
            for sq, role in sorted(set(now) | set(then))]
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
        return ("人员不变(现有人员的 1 倍)" if lang == "zh" else
                "no change in people (1 × the current staff)")
    detail = []
    for sq, rows in table.groupby("squad", sort=False):
        counts = _by_role(rows)
        parts = [f"{term(r, lang)} {counts[r]:+d}" for r in roles if counts.get(r)]
        if parts:
            detail.append(f"{squads.get(str(sq), sq)}：" + "、".join(parts) if lang == "zh" else
                          f"{squads.get(str(sq), sq)}: " + ", ".join(parts))
    if lang == "zh":
        up = "、".join(f"{term(r)} {total[r]} 人" for r in roles if total[r] > 0)
        down = "、".join(f"{term(r)} {-total[r]} 人" for r in roles if total[r] < 0)
        change = "，".join(p for p in (f"需增加{up}" if up else "",
                                       f"可减少{down}" if down else "") if p)
        return f"{change}({'；'.join(detail)})(现有人员的 {staffing:g} 倍)"
    change = ", ".join(f"{'add' if total[r] > 0 else 'remove'} {abs(total[r])} "
                       f"{term(r, lang)}" for r in roles if total[r])
    return (f"{change[0].upper()}{change[1:]} ({'; '.join(detail)}) "
            f"({staffing:g} × the current staff)")
