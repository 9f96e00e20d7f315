"""The soft rules of the weekly roster, each an ``add_soft_*`` helper (STYLE.md §6).

Every helper returns ``(penalty_vars, coeffs)``; :func:`add_soft_rules` collects them per rule
name for :func:`patrolsim.roster.build_roster_model`. The rules are described in
that module's docstring.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from patrolsim.roster.inputs import OFF
from patrolsim.scenario.model import StaffMember

if TYPE_CHECKING:
    from patrolsim.roster.problem import RosterProblem


def _weekend(date: dt.date) -> bool:
    return date.weekday() >= 5


def reference_roster(problem: RosterProblem) -> dict[tuple[str, int], str | None]:
    """The previous roster mapped onto this horizon: same date, else same weekday of its last
    week; ``None`` for a day off. Empty without a previous roster."""
    prev = problem.previous
    if not prev:
        return {}
    prev_dates = {d for (_, d) in prev}
    last = max(prev_dates)
    first = min(prev_dates)
    out: dict[tuple[str, int], str | None] = {}
    for k, date in enumerate(problem.dates):
        ref_date = date
        while ref_date > last:
            ref_date -= dt.timedelta(days=7)
        if ref_date < first:
            continue
        for p in problem.scenario.staff:
            out[p.id, k] = prev.get((p.id, ref_date))
    return out


def add_soft_preferences(
    m: cp_model.CpModel,
    x: Mapping[tuple[str, int, str], cp_model.IntVar],
    work: Mapping[tuple[str, int], cp_model.IntVar],
    problem: RosterProblem,
    weight: int,
    prefix: str = "preference",
) -> tuple[list[cp_model.IntVar], list[int]]:
    """One penalty literal per preference not honoured, weighted ``weight × preference.weight``."""
    out_v: list[cp_model.IntVar] = []
    out_c: list[int] = []
    for i, pref in enumerate(problem.preferences):
        k = (pref.date - problem.start).days
        if not 0 <= k < problem.days or (pref.staff_id, k) not in work:
            continue
        lit = work[pref.staff_id, k] if pref.shift == OFF else x[pref.staff_id, k, pref.shift]
        # want s: penalised when not s; want off: when working; avoid s: when s; avoid off:
        # when not working.
        penalise_true = (pref.kind == "avoid") != (pref.shift == OFF)
        v = m.new_bool_var(f"{prefix}[{i}](staff={pref.staff_id}, day={pref.date})")
        m.add(v == lit) if penalise_true else m.add(v + lit == 1)
        out_v.append(v)
        out_c.append(weight * pref.weight)
    return out_v, out_c


def add_soft_spread(
    m: cp_model.CpModel,
    counts: Sequence[cp_model.LinearExprT],
    upper: int,
    weight: int,
    prefix: str,
) -> tuple[list[cp_model.IntVar], list[int]]:
    """Penalise the spread ``max(counts) − min(counts)`` (fair shares) by ``weight`` per unit."""
    if len(counts) < 2 or weight == 0:
        return [], []
    hi = m.new_int_var(0, upper, f"{prefix}.max")
    lo = m.new_int_var(0, upper, f"{prefix}.min")
    for cnt in counts:
        m.add(hi >= cnt)
        m.add(lo <= cnt)
    spread = m.new_int_var(0, upper, f"{prefix}.spread")
    m.add(spread == hi - lo)
    return [spread], [weight]


def add_soft_rules(
    problem: RosterProblem,
    m: cp_model.CpModel,
    x: Mapping[tuple[str, int, str], cp_model.IntVar],
    work: Mapping[tuple[str, int], cp_model.IntVar],
    pen: dict[str, tuple[list[cp_model.IntVar], list[int]]],
) -> None:
    """Add preferences, fairness, consistency, weekend pairs and stability to ``pen``."""
    sc = problem.scenario
    w8 = sc.roster.weights
    dates = problem.dates
    n_days = len(dates)

    def extend(rule: str, vc: tuple[list[cp_model.IntVar], list[int]]) -> None:
        pen[rule][0].extend(vc[0])
        pen[rule][1].extend(vc[1])

    extend("preference", add_soft_preferences(m, x, work, problem, w8.preference))

    nights = [s.name for s in sc.shifts if s.night]
    weekend_days = [k for k, d in enumerate(dates) if _weekend(d)]
    groups: dict[tuple[str, bool], list[StaffMember]] = defaultdict(list)
    for p in sc.staff:
        if not any(sc.on_leave(p.id, d) for d in dates):
            groups[p.squad, p.certified].append(p)
    for (squad, cert), people in sorted(groups.items()):
        tag = f"{squad}.{'certified' if cert else 'auxiliary'}"
        if nights:
            counts = [sum(x[p.id, k, s] for k in range(n_days) for s in nights) for p in people]
            extend(
                "fairness_nights",
                add_soft_spread(m, counts, n_days, w8.fairness_nights, f"nights.{tag}"),
            )
        if weekend_days:
            counts = [sum(work[p.id, k] for k in weekend_days) for p in people]
            extend(
                "fairness_weekends",
                add_soft_spread(
                    m, counts, len(weekend_days), w8.fairness_weekends, f"weekends.{tag}"
                ),
            )

    for p in sc.staff:
        for block in problem.blocks():
            if w8.shift_consistency == 0 or len(sc.shifts) < 2:
                break
            used = []
            for s in sc.shifts:
                y = m.new_bool_var(f"uses(staff={p.id}, week={dates[block[0]]}, shift={s.name})")
                for k in block:
                    m.add_implication(x[p.id, k, s.name], y)
                used.append(y)
            z = m.new_int_var(
                0, len(sc.shifts), f"extra_shift_types(staff={p.id}, week={dates[block[0]]})"
            )
            m.add(z >= sum(used) - 1)
            extend("shift_consistency", ([z], [w8.shift_consistency]))
        for k in range(n_days - 1):
            if dates[k].weekday() != 5 or w8.weekend_pair == 0:
                continue
            split = m.new_bool_var(f"split_weekend(staff={p.id}, saturday={dates[k]})")
            m.add(split >= work[p.id, k] - work[p.id, k + 1])
            m.add(split >= work[p.id, k + 1] - work[p.id, k])
            extend("weekend_pair", ([split], [w8.weekend_pair]))

    ref = reference_roster(problem)
    if w8.stability:
        for (pid, k), shift in ref.items():
            lit = work[pid, k] if shift is None else x[pid, k, shift]
            v = m.new_bool_var(f"changed(staff={pid}, day={dates[k]})")
            m.add(v == lit) if shift is None else m.add(v + lit == 1)
            extend("stability", ([v], [w8.stability]))
