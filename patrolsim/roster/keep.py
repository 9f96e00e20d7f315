"""Stable re-planning: re-roster a week that has been issued, keeping what can be kept.

When leave changes mid-week the scheduler re-plans and expects most of the roster to stay.
:func:`keep_problem` turns the issued roster of the same week into the ``stability`` rule's
reference (:func:`patrolsim.roster.soft.reference_roster` maps each day onto itself) and raises
that rule's weight above every other soft rule except missing cover: a change then costs more
than a broken preference, an unfair spread of nights or weekends, a split weekend, an extra
shift type or a surplus person, but filling a unit that leave left short is still worth a
change. Every hard rule still holds (leave above all), and the issued roster is the solver's
starting hint.

:func:`changes_frame` lists what changed, person by person, with the reason in words, and
:func:`change_summary` says it in one line ("3 people change 4 shifts").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import pandas as pd

from patrolsim.errors import ScenarioError
from patrolsim.roster.inputs import PreviousRoster
from patrolsim.roster.problem import RosterProblem
from patrolsim.roster.result import Roster
from patrolsim.scenario.model import RosterWeights, Scenario
from patrolsim.terms import Lang, leave_kind, term

__all__ = [
    "CHANGES_COLUMNS",
    "change_summary",
    "changes_frame",
    "keep_problem",
    "keep_weight",
    "kept_share",
]

CHANGES_COLUMNS = ("staff_id", "name", "date", "before", "after", "reason")

#: Soft rules a change must cost more than (all but missing cover).
_OUTWEIGHED = (
    "surplus",
    "preference",
    "fairness_nights",
    "fairness_weekends",
    "shift_consistency",
    "weekend_pair",
)


def keep_weight(weights: RosterWeights) -> int:
    """The weight of one changed day: above every soft rule except missing cover."""
    return max(getattr(weights, r) for r in _OUTWEIGHED) + 1


def keep_problem(problem: RosterProblem, kept: PreviousRoster) -> RosterProblem:
    """``problem`` re-planned around the issued roster ``kept`` of the same days.

    Parameters
    ----------
    problem
        The week to roster, with the leave as it is now (and last week's roster, if any, as
        ``previous``).
    kept
        The roster issued for these days, ``{(staff_id, date): shift}``.

    Raises
    ------
    ScenarioError
        If ``kept`` has no day inside the problem's days.
    """
    dates = set(problem.dates)
    inside = {k: v for k, v in kept.items() if k[1] in dates}
    if not inside:
        first, last = problem.dates[0], problem.dates[-1]
        raise ScenarioError(
            f"--keep: the roster has no shifts from {first} to {last}; give "
            f"the roster issued for the week being re-planned"
        )
    sc = problem.scenario
    weights = dataclasses.replace(sc.roster.weights, stability=keep_weight(sc.roster.weights))
    scenario = dataclasses.replace(sc, roster=dataclasses.replace(sc.roster, weights=weights))
    # Last week's days (rest and consecutive-day rules) and this week's issued days (stability).
    previous = {k: v for k, v in problem.previous.items() if k[1] not in dates} | inside
    return dataclasses.replace(problem, scenario=scenario, previous=previous)


def _assignments(
    roster: Roster | Mapping[tuple[str, dt.date], str],
) -> dict[tuple[str, dt.date], str]:
    if isinstance(roster, Roster):
        return {(e.staff_id, e.date): e.shift for e in roster.entries}
    return dict(roster)


def kept_share(before: Mapping[tuple[str, dt.date], str], after: Roster) -> tuple[int, int]:
    """``(kept, total)``: the issued assignments (person, day, shift) still in ``after``."""
    now = _assignments(after)
    dates = {after.start + dt.timedelta(days=k) for k in range(after.days)}
    inside = {k: v for k, v in before.items() if k[1] in dates}
    return sum(1 for k, v in inside.items() if now.get(k) == v), len(inside)


def changes_frame(
    before: Mapping[tuple[str, dt.date], str], after: Roster, scenario: Scenario, lang: Lang = "zh"
) -> pd.DataFrame:
    """Every person-day whose shift changed: ``staff_id,name,date,before,after,reason``.

    ``before`` and ``after`` hold the shift's name, ``休`` for a day off or ``假`` for leave (in
    ``lang``). The reason is the person's new leave, else filling cover left short by others'
    leave (a day off became a shift), else keeping the rest, days-off and hours rules.
    """
    now = _assignments(after)
    dates = [after.start + dt.timedelta(days=k) for k in range(after.days)]
    labels = {s.name: (s.label or s.name) if lang == "zh" else s.name for s in scenario.shifts}
    rows = []
    for p in scenario.staff:
        for d in dates:
            was, is_ = before.get((p.id, d)), now.get((p.id, d))
            if was == is_:
                continue
            leave = next(
                (lv for lv in scenario.leave if lv.staff_id == p.id and lv.covers(d)), None
            )
            own_leave = any(
                lv.staff_id == p.id and lv.covers(x) for lv in scenario.leave for x in dates
            )
            after_word = labels[is_] if is_ else term("leave", lang) if leave else term("off", lang)
            if leave is not None:
                reason = (
                    f"请假({leave_kind(leave.kind, lang)})"
                    if lang == "zh"
                    else f"on leave ({leave_kind(leave.kind, lang)})"
                )
            elif own_leave:
                reason = (
                    "本人本周请假，其余班次随之调整"
                    if lang == "zh"
                    else "own leave this week: the other days move with it"
                )
            elif was is None:
                reason = (
                    "顶替请假人员，补足班次" if lang == "zh" else "covers for colleagues on leave"
                )
            else:
                reason = (
                    "为满足休息、轮休和工时规则而调整"
                    if lang == "zh"
                    else "keeps the rest, days-off and hours rules"
                )
            rows.append(
                (
                    p.id,
                    p.name,
                    d.isoformat(),
                    labels[was] if was else term("off", lang),
                    after_word,
                    reason,
                )
            )
    return pd.DataFrame(rows, columns=list(CHANGES_COLUMNS))


def change_summary(changes: pd.DataFrame, lang: Lang = "zh") -> str:
    """The changes in one line: ``3 人调整 4 个班次`` / ``3 people change 4 shifts``."""
    people, shifts = changes["staff_id"].nunique(), len(changes)
    if lang == "zh":
        return f"{people} 人调整 {shifts} 个班次" if shifts else "排班无变化"
    if not shifts:
        return "no change to the roster"
    return (
        f"{people} {'person changes' if people == 1 else 'people change'} "
        f"{shifts} shift{'s' if shifts != 1 else ''}"
    )
