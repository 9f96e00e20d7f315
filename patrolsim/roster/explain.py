"""Why a roster is infeasible, in words: the conflicting rules, people and days.

The roster model is rebuilt with one assumption literal per rule instance (the cover of one
day × shift × squad, one person's rest rule, one person's days off in one week, one leave
record, one duty day, …). CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a core
of rule instances that cannot hold together; a deletion pass shrinks it to a small
(subset-minimal when the budget allows) set, which :func:`describe` turns into sentences such as
"Sat 2026-11-28 late, squad S2 needs 3 units = 6 certified officers; 4 are available: N07
张三 and N11 李四 are on leave". Every solve runs on one worker under a deterministic-time
limit, so the same problem always gets the same explanation, however busy the machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from patrolsim.roster.cpsat import RosterParams, make_solver
from patrolsim.roster.model import build_roster_model
from patrolsim.roster.problem import RosterProblem, RuleKey
from patrolsim.scenario.model import Scenario

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day(date: dt.date) -> str:
    return f"{WEEKDAY_NAMES[date.weekday()]} {date.isoformat()}"


#: Deterministic time (CP-SAT deterministic seconds) for one explanation, core minimisation
#: included; half of it at most for the first solve, 5 at most for each deletion step.
EXPLAIN_WORK = 30.0


def infeasibility_core(
    problem: RosterProblem, params: RosterParams | None = None, work: float = EXPLAIN_WORK
) -> list[RuleKey]:
    """A small set of rule instances that cannot all hold.

    Parameters
    ----------
    problem
        The roster problem (with ``strict_cover`` the cover rules take part).
    params
        Solver settings; the seed is used, the search runs on one worker (cores need it).
    work
        Deterministic time for the whole explanation, core minimisation included.

    Returns
    -------
    list[RuleKey]
        The rule instances; empty if the problem turns out feasible.
    """
    params = params if params is not None else RosterParams()
    built = build_roster_model(problem, explain=True)
    built.model.clear_objective()
    lit_of = {
        key: built.model.get_bool_var_from_proto_index(i) for i, key in built.assumptions.items()
    }
    used = 0.0

    def solve(keys: Sequence[RuleKey], limit: float) -> tuple[Any, list[RuleKey]]:
        nonlocal used
        built.model.clear_assumptions()
        built.model.add_assumptions([lit_of[k] for k in keys])
        sp = dataclasses.replace(
            params,
            time_limit_s=None,
            max_deterministic_time=max(limit, 0.1),
            num_workers=1,
            subsolvers=("max_lp",),
            progress=False,
            log_search=False,
        )
        solver = make_solver(sp)
        status = solver.solve(built.model)
        used += solver.response_proto.deterministic_time
        if status != cp_model.INFEASIBLE:
            return status, []
        core = [built.assumptions[i] for i in solver.sufficient_assumptions_for_infeasibility()]
        return status, core

    status, core = solve(list(lit_of), max(work / 2, 1.0))
    if status != cp_model.INFEASIBLE:
        return []
    if not core:
        core = list(lit_of)
    # Deletion pass: drop every rule instance without which the rest is still infeasible.
    core = _order(core)
    i = 0
    while i < len(core) and used < work:
        trial = core[:i] + core[i + 1 :]
        st, sub = solve(trial, min(5.0, work - used))
        if st == cp_model.INFEASIBLE:
            core = _order(sub) if sub and len(sub) < len(trial) else trial
            # Keep the already-checked prefix; restart the scan from where it was.
            i = min(i, len(core))
        else:
            i += 1
    return core


def _order(keys: Sequence[RuleKey]) -> list[RuleKey]:
    """Try to drop personal rules before cover and leave, so that those stay in the core."""
    rank = {
        "max_consecutive_days": 0,
        "rest": 1,
        "days_off": 2,
        "hours": 3,
        "limits": 3,
        "duty": 4,
        "leave": 5,
        "cover": 6,
    }
    return sorted(dict.fromkeys(keys), key=lambda k: (rank.get(k[0], 9), str(k)))


def describe(keys: Sequence[RuleKey], problem: RosterProblem) -> list[str]:
    """Sentences for a core of rule instances: cover first, with who is available and why not."""
    sc = problem.scenario
    rules = sc.roster
    staff = {p.id: p for p in sc.staff}
    need = {(r.date, r.shift, r.squad): r for r in problem.requirements}
    out: list[str] = []
    covers = [(k[1], k[2], k[3]) for k in keys if k[0] == "cover" and k[2] is not None]
    for squad in sorted({c[0] for c in covers}):
        mine = [(date, shift) for sq, date, shift in covers if sq == squad and date is not None]
        if len(mine) < 2:
            continue
        total = sum(need[date, shift, squad].units for date, shift in mine)
        total *= rules.unit_certified
        first = min(date for date, _ in mine)
        last = max(date for date, _ in mine)
        out.append(
            f"squad {squad}: these {len(mine)} shifts between {_day(first)} and "
            f"{_day(last)} need {total} certified officer-shifts together, more than its "
            "people can work under the rules listed with them"
        )
    shift_order = {sh.name: i for i, sh in enumerate(sc.shifts)}

    def order(k: RuleKey) -> tuple[bool, str, dt.date, int, str]:
        return (
            k[0] != "cover",
            k[1] if k[0] == "cover" else "",
            k[2] or dt.date.min,
            shift_order.get(k[3], 0),
            str(k),
        )

    for rule, who, date, extra in sorted(keys, key=order):
        if rule == "cover" and date is not None:
            req = need[date, extra, who]
            people = [p for p in sc.staff if p.squad == who and p.certified]
            away = [p for p in people if sc.on_leave(p.id, date)]
            avail = len(people) - len(away)
            text = (
                f"{_day(date)} {extra}, squad {who} needs {req.units} unit"
                f"{'s' if req.units != 1 else ''} = {req.units * rules.unit_certified} "
                f"certified officers"
            )
            if req.auxiliaries:
                text += f" and {req.auxiliaries} auxiliary place(s)"
            text += f"; {avail} certified officer{'s are' if avail != 1 else ' is'} available"
            if away:
                text += (
                    ": "
                    + _join([f"{p.id} {p.name}" for p in away])
                    + (" is" if len(away) == 1 else " are")
                    + " on leave"
                )
            aux_people = [
                p
                for p in sc.staff
                if p.squad == who and not p.certified and not sc.on_leave(p.id, date)
            ]
            spare = max(0, avail - req.units * rules.unit_certified)
            if req.auxiliaries and len(aux_people) + spare < req.auxiliaries:
                text += f"; only {len(aux_people)} auxiliaries are available"
            out.append(text)
        elif rule == "leave" and date is not None:
            end, _, kind = extra.partition(" ")
            p = staff.get(who)
            out.append(
                f"{who} {p.name if p else ''} is on leave ({kind}) {date.isoformat()} to {end}"
            )
        elif rule == "rest":
            text = (
                f"{_person(sc, who)} needs {rules.min_rest_hours:g} h rest between shifts "
                "(no late → early, no night → day)"
            )
            if problem.forbidden_pairs:
                text += (
                    " and may not work "
                    + _join([f"{a} then {b}" for a, b in problem.forbidden_pairs])
                    + " on consecutive days"
                )
            out.append(text)
        elif rule == "limits":
            out.append(
                f"{_person(sc, who)} has personal limits over the roster period "
                "(shifts of each type, total hours, runs of work and rest, weekends)"
            )
        elif rule == "max_consecutive_days":
            out.append(
                f"{_person(sc, who)} may work at most {rules.max_consecutive_days} days in a row"
            )
        elif rule == "days_off" and date is not None:
            out.append(
                f"{_person(sc, who)} needs {rules.min_days_off_per_week} days off in the "
                f"week from {_day(date)}"
            )
        elif rule == "hours" and date is not None:
            p = staff[who]
            out.append(
                f"{_person(sc, who)} must work {p.min_weekly_hours:g}–"
                f"{p.max_weekly_hours:g} h in the week from {_day(date)} "
                "(contract hours, leave credited)"
            )
        elif rule == "duty" and date is not None:
            out.append(
                f"{_day(date)}: everyone working attends {who} ({extra} shift), so the "
                "other shifts may carry no spare people"
            )
        else:
            out.append(f"{rule} {who} {date or ''} {extra}".strip())
    return out


def _person(sc: Scenario, staff_id: str) -> str:
    for p in sc.staff:
        if p.id == staff_id:
            return f"{p.id} {p.name}"
    return staff_id


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_infeasible(
    problem: RosterProblem, params: RosterParams | None = None, work: float = EXPLAIN_WORK
) -> list[str]:
    """Explain in words why ``problem`` has no roster; one sentence per conflicting rule.

    ``work`` is the deterministic time for the explanation (:func:`infeasibility_core`).

    Returns
    -------
    list[str]
        Sentences naming rules, people and days; a fallback sentence if no core was found
        within the budget.
    """
    core = infeasibility_core(problem, params, work)
    if not core:
        return [
            "the solver could not isolate the conflicting rules within "
            f"{work:g} units of deterministic time; try without --strict-cover to see "
            "the uncovered shifts"
        ]
    return describe(core, problem)


__all__ = ["describe", "explain_infeasible", "infeasibility_core"]
