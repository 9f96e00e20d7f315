"""Independent checks of planned routes (not using the solver's model or its schedule code).

* :func:`check_routing_solution` replays a :class:`~patrolsim.routing.RoutingSolution`
  against its :class:`~patrolsim.routing.RoutingProblem`: windows, vehicle time limits,
  travel between consecutive events, meal breaks, repeat-visit gaps, mandatory stops, at most
  one stop of each choice.
* :func:`check_district_routes` checks a district plan from its sheet rows and the scenario
  alone: shift length, fixed posts inside their patch kind's windows, stop lengths, travel,
  the meal break, the revisit gap between visits of one patch by any unit, and that every
  strict-tier fixed post is visited or reported as not reachable.

Both return a list of readable problems; an empty list means the plan passed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from patrolsim.routing.district import MEAL_BREAK_MIN_SHIFT_MIN, DistrictRoutes
from patrolsim.routing.problem import RoutingProblem, RoutingSolution
from patrolsim.scenario.model import Scenario

__all__ = ["check_district_routes", "check_routing_solution"]

_EPS = 1e-6


def _in_windows(t: int, windows: Sequence[tuple[int, int]]) -> bool:
    return not windows or any(a <= t <= b for a, b in windows)


def check_routing_solution(problem: RoutingProblem, solution: RoutingSolution) -> list[str]:
    """Check every route of a solution against the problem's rules.

    Parameters
    ----------
    problem
        The problem.
    solution
        The solution to check.

    Returns
    -------
    list of str
        One line per violation (empty: feasible). Mandatory stops not visited count as
        violations unless they are listed in ``solution.dropped_mandatory``.
    """
    out: list[str] = []
    seen: dict[int, int] = {}
    starts_by_group: dict[int, list[tuple[int, int]]] = {}
    for route in solution.routes:
        vi = route.vehicle
        v = problem.vehicles[vi]
        t = route.depart_start
        loc = v.start_location
        if t < v.start_time:
            out.append(f"vehicle {vi}: leaves at {t} before its start {v.start_time}")
        brk_done = route.break_start is None
        if v.break_window is not None and route.break_start is None:
            out.append(f"vehicle {vi}: no meal break")
        for k, vis in enumerate(route.visits):
            if not brk_done and route.break_after == k:
                b = int(route.break_start)  # type: ignore[arg-type]
                if b < t:
                    out.append(f"vehicle {vi}: break at {b} before it is free at {t}")
                if v.break_window and not v.break_window[0] <= b <= v.break_window[1]:
                    out.append(f"vehicle {vi}: break at {b} outside {v.break_window}")
                t = max(t, b) + v.break_duration
                brk_done = True
            s = problem.stops[vis.stop]
            if vis.stop in seen:
                out.append(f"stop {vis.stop} visited twice (vehicles {seen[vis.stop]} and {vi})")
            seen[vis.stop] = vi
            arrive = t + int(problem.travel[loc, s.location])
            if vis.start < arrive:
                out.append(
                    f"vehicle {vi} stop {vis.stop}: starts {vis.start} before arrival {arrive}"
                )
            if not _in_windows(vis.start, s.windows):
                out.append(f"vehicle {vi} stop {vis.stop}: start {vis.start} outside {s.windows}")
            if vis.depart - vis.start < s.service:
                out.append(
                    f"vehicle {vi} stop {vis.stop}: stays {vis.depart - vis.start} < {s.service}"
                )
            if s.group is not None:
                starts_by_group.setdefault(s.group, []).append((vis.start, vis.stop))
            t = vis.depart
            loc = s.location
        if not brk_done:
            b = int(route.break_start)  # type: ignore[arg-type]
            if v.break_window and not v.break_window[0] <= b <= v.break_window[1]:
                out.append(f"vehicle {vi}: break at {b} outside {v.break_window}")
            if b < t:
                out.append(f"vehicle {vi}: break at {b} before it is free at {t}")
            t = max(t, b) + v.break_duration
        back = t + int(problem.travel[loc, v.end_location])
        if route.arrive_end < back:
            out.append(f"vehicle {vi}: back at {route.arrive_end} but travel needs {back}")
        if max(back, route.arrive_end) > v.end_time:
            out.append(f"vehicle {vi}: back at {max(back, route.arrive_end)} after {v.end_time}")
    for group, lst in starts_by_group.items():
        lst.sort()
        for (s1, k1), (s2, k2) in itertools.pairwise(lst):
            if s2 - s1 < problem.min_gap:
                out.append(
                    f"group {group}: stops {k1} and {k2} start {s2 - s1} apart < {problem.min_gap}"
                )
    made_by_choice: dict[int, list[int]] = {}
    for k in seen:
        c = problem.stops[k].choice
        if c is not None:
            made_by_choice.setdefault(c, []).append(k)
    for c, made in made_by_choice.items():
        if len(made) > 1:
            out.append(f"choice {c}: {len(made)} alternatives made ({sorted(made)}), at most 1")
    for k, s in enumerate(problem.stops):
        if s.mandatory and k not in seen and k not in solution.dropped_mandatory:
            out.append(f"mandatory stop {k} neither visited nor reported")
    prize = sum(problem.stops[k].prize for k in seen)
    if prize != solution.prize:
        out.append(f"prize reported {solution.prize} but visits give {prize}")
    return out


def _kind_windows(scenario: Scenario, kind: str) -> list[tuple[int, int]]:
    pk = scenario.patch_kinds.get(kind)
    if pk is None or not pk.windows:
        return []
    return [(a + d, b + d) for a, b in pk.windows for d in (-1440, 0, 1440)]


def check_district_routes(scenario: Scenario, plan: DistrictRoutes) -> list[str]:
    """Check a district plan from its rows and the scenario alone.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    plan
        The plan.

    Returns
    -------
    list of str
        One line per problem (empty: the plan keeps every rule).
    """
    rules = scenario.patrol
    out: list[str] = []
    visits_by_patch: dict[int, list[tuple[float, str]]] = {}
    squads_on_duty = set()
    for ur in plan.routes:
        u = ur.unit
        squads_on_duty.add(u.squad)
        base = scenario.patches[scenario.squad(u.squad).base_index].index
        rows = list(ur.rows)
        name = u.label
        if not rows or rows[0].purpose != "depart" or rows[-1].purpose != "return":
            out.append(f"{name}: route must start with depart and end with return")
            continue
        if rows[0].patch_index != base or rows[-1].patch_index != base:
            out.append(f"{name}: route does not start and end at the squad base")
        if rows[0].depart_min < u.start_min - _EPS:
            out.append(
                f"{name}: leaves at {rows[0].depart_min:.1f} before shift start {u.start_min}"
            )
        if rows[-1].arrive_min > u.end_min + _EPS:
            out.append(f"{name}: back at {rows[-1].arrive_min:.1f} after shift end {u.end_min}")
        breaks = [r for r in rows if r.purpose == "break"]
        dur = u.end_min - u.start_min
        if rules.meal_break_min > 0 and dur > MEAL_BREAK_MIN_SHIFT_MIN:
            if len(breaks) != 1:
                out.append(f"{name}: expected one meal break, got {len(breaks)}")
            for b in breaks:
                if b.depart_min - b.start_min < rules.meal_break_min - _EPS:
                    out.append(f"{name}: meal break of {b.depart_min - b.start_min:.1f} min")
                lo, hi = u.start_min + dur // 3, u.start_min + 2 * dur // 3 - rules.meal_break_min
                if not lo - _EPS <= b.start_min <= hi + _EPS:
                    out.append(f"{name}: meal break at {b.start_min:.1f} outside [{lo}, {hi}]")
        # travel among this unit's patches only: a unit's block is kilobytes, where one
        # block of every patch a district's routes use is a few hundred megabytes
        used = sorted({r.patch_index for r in rows})
        at = {p: k for k, p in enumerate(used)}
        block = scenario.network.travel_s_between(rules.mode, used, used) / 60.0
        prev = rows[0]
        for r in rows[1:]:
            if r.seq != prev.seq + 1:
                out.append(f"{name}: seq {r.seq} after {prev.seq}")
            need = prev.depart_min + float(block[at[prev.patch_index], at[r.patch_index]])
            if r.arrive_min < need - 1.0 / 60 - _EPS:
                out.append(
                    f"{name} seq {r.seq}: arrives {r.arrive_min:.2f} but travel needs {need:.2f}"
                )
            if r.start_min < r.arrive_min - _EPS:
                out.append(f"{name} seq {r.seq}: starts before arriving")
            if r.depart_min < r.start_min - _EPS:
                out.append(f"{name} seq {r.seq}: leaves before starting")
            if r.purpose in ("post", "patrol"):
                p = scenario.patches[r.patch_index]
                if p.squad != u.squad:
                    out.append(f"{name} seq {r.seq}: patch {p.id} belongs to squad {p.squad}")
                stay = r.depart_min - r.start_min
                if stay < rules.stop_min - _EPS or stay > rules.stop_max + _EPS:
                    out.append(f"{name} seq {r.seq}: stop of {stay:.1f} min at {p.id}")
                wins = _kind_windows(scenario, p.kind) if r.purpose == "post" else []
                if wins and not any(
                    a - _EPS <= r.start_min and r.start_min + rules.stop_min <= b + _EPS
                    for a, b in wins
                ):
                    out.append(
                        f"{name} seq {r.seq}: fixed post at {p.id} at {r.start_min:.1f} "
                        f"outside its {p.kind} windows"
                    )
                if r.start_min < u.start_min - _EPS or r.depart_min > u.end_min + _EPS:
                    out.append(f"{name} seq {r.seq}: stop outside the shift")
                visits_by_patch.setdefault(r.patch_index, []).append((r.start_min, name))
            elif r.purpose == "break" and r.patch_index != prev.patch_index:
                out.append(f"{name} seq {r.seq}: break away from where the unit is")
            prev = r
    for patch, lst in visits_by_patch.items():
        lst.sort()
        for (s1, n1), (s2, n2) in itertools.pairwise(lst):
            if s2 - s1 < rules.revisit_gap_min - _EPS:
                out.append(
                    f"patch {scenario.patches[patch].id}: visits by {n1} and {n2} "
                    f"{s2 - s1:.1f} min apart < {rules.revisit_gap_min}"
                )
    for p in scenario.patches:
        if p.tier != "strict" or p.kind == "base" or p.squad not in squads_on_duty:
            continue
        if p.index not in visits_by_patch and p.index not in plan.unmet_posts:
            out.append(f"fixed post {p.id} neither visited nor reported as not reachable")
    return out
