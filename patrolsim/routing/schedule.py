"""Timing of routing solutions: when each visit starts, where the meal break goes.

The solver returns stop sequences; these functions give them times that keep every rule
(windows, shift limits, meal break, revisit gaps across vehicles). :func:`time_routes` tries the
earliest schedule, then the solver's own start times, and as a last resort drops stops (optional
ones first) until the routes are feasible, logging each drop.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

from patrolsim.routing.problem import Route, RoutingProblem, Visit

__all__ = ["schedule_route", "time_routes"]


def schedule_route(
    problem: RoutingProblem,
    vehicle: int,
    seq: Sequence[int],
    earliest: Mapping[int, int] | None = None,
) -> Route | None:
    """Give a stop sequence its earliest feasible times, placing the meal break if any.

    Parameters
    ----------
    problem
        The problem.
    vehicle
        Vehicle index.
    seq
        Stop indices in order.
    earliest
        Optional lower bounds on the start of service of some stops (for revisit gaps).

    Returns
    -------
    Route or None
        The timed route, or ``None`` if the sequence cannot be made feasible this way.
    """
    v = problem.vehicles[vehicle]
    travel = problem.travel
    best: Route | None = None
    positions = [None] if v.break_window is None else list(range(len(seq) + 1))
    for brk_pos in positions:
        route = _schedule_with_break(problem, vehicle, seq, brk_pos, earliest)
        if route is not None:
            best = route
            break
    del travel
    return best


def _window_start(windows: Sequence[tuple[int, int]], t: int) -> int | None:
    """Earliest time >= t inside one of the windows (or t if there are none)."""
    if not windows:
        return t
    best: int | None = None
    for a, b in windows:
        if t <= b:
            cand = max(t, a)
            if best is None or cand < best:
                best = cand
    return best


def _schedule_with_break(
    problem: RoutingProblem,
    vehicle: int,
    seq: Sequence[int],
    brk_pos: int | None,
    earliest: Mapping[int, int] | None,
) -> Route | None:
    v = problem.vehicles[vehicle]
    travel = problem.travel
    t = v.start_time
    prev = v.start_location
    visits: list[Visit] = []
    break_start: int | None = None
    last_in_group: dict[int, int] = {}
    for k, stop_i in enumerate([*seq, None]):
        if brk_pos is not None and k == brk_pos:
            assert v.break_window is not None
            b = max(t, v.break_window[0])
            if b > v.break_window[1]:
                return None
            break_start = b
            t = b + v.break_duration
        if stop_i is None:
            break
        s = problem.stops[stop_i]
        arrive = t + int(travel[prev, s.location])
        lo = arrive
        if earliest is not None and stop_i in earliest:
            lo = max(lo, earliest[stop_i])
        if s.group is not None and s.group in last_in_group:
            lo = max(lo, last_in_group[s.group] + problem.min_gap)
        start = _window_start(s.windows, lo)
        if start is None:
            return None
        if s.group is not None:
            last_in_group[s.group] = start
        visits.append(Visit(stop_i, s.location, arrive, start, start + s.service))
        t = start + s.service
        prev = s.location
    arrive_end = t + int(travel[prev, v.end_location])
    if arrive_end > v.end_time:
        return None
    depart_start = v.start_time
    if visits and brk_pos != 0:
        # Leave as late as possible without delaying the first visit.
        first = visits[0]
        depart_start = max(
            v.start_time, first.start - int(travel[v.start_location, first.location])
        )
        arrive = depart_start + int(travel[v.start_location, first.location])
        visits[0] = dataclasses.replace(first, arrive=arrive)
    return Route(
        vehicle=vehicle,
        depart_start=depart_start,
        visits=tuple(visits),
        arrive_end=arrive_end,
        break_start=break_start,
        break_after=-1 if brk_pos is None else brk_pos,
    )


def _schedule_all(
    problem: RoutingProblem,
    seqs: Sequence[Sequence[int]],
    earliest: Mapping[int, int] | None = None,
) -> tuple[list[Route] | None, int | None]:
    """Time every route, pushing repeated visits apart by the minimum gap when needed.

    Returns
    -------
    tuple
        ``(routes, None)`` on success, else ``(None, culprit)`` with a stop whose removal is
        likely to make the routes feasible.
    """
    earliest = dict(earliest or {})
    partner: dict[int, int] = {}
    for _ in range(len(problem.stops) + 2):
        routes = []
        for vi, seq in enumerate(seqs):
            r = schedule_route(problem, vi, seq, earliest)
            if r is None:
                delayed = [k for k in seq if k in partner]
                culprit = delayed[-1] if delayed else (seq[-1] if seq else None)
                return None, culprit
            routes.append(r)
        if problem.min_gap <= 0:
            return routes, None
        # Check gaps; delay the later visit of any pair that is too close and retry.
        starts: dict[int, list[tuple[int, int]]] = {}
        for r in routes:
            for vis in r.visits:
                g = problem.stops[vis.stop].group
                if g is not None:
                    starts.setdefault(g, []).append((vis.start, vis.stop))
        changed = False
        for lst in starts.values():
            lst.sort()
            for (s1, k1), (s2, k2) in itertools.pairwise(lst):
                if s2 - s1 < problem.min_gap:
                    earliest[k2] = max(earliest.get(k2, 0), s1 + problem.min_gap)
                    partner[k2] = k1
                    changed = True
        if not changed:
            return routes, None
    return None, next(iter(partner), None)


def time_routes(
    problem: RoutingProblem,
    seqs: list[list[int]],
    solver_starts: Mapping[int, int] | None,
    log: list[str],
) -> tuple[list[Route], list[list[int]]]:
    """Timed routes for the sequences; drop stops (optional ones first) until they are feasible.

    The earliest schedule is tried first, then the solver's own start times, then a schedule
    that starts no stop before the solver's; if all fail, the culprit stop (or, when it is
    mandatory, an optional stop of the same route) is dropped and the timing retried. Every
    returned route keeps every rule.
    """
    seqs = [list(s) for s in seqs]
    for _ in range(len(problem.stops) + 1):
        routes, culprit = _schedule_all(problem, seqs)
        if routes is None and solver_starts:
            routes = _routes_from_starts(problem, seqs, solver_starts)
        if routes is None and solver_starts:
            routes, culprit2 = _schedule_all(problem, seqs, solver_starts)
            culprit = culprit if culprit is not None else culprit2
        if routes is not None:
            return routes, seqs
        if culprit is None:
            break
        if problem.stops[culprit].mandatory:
            owner = next(s for s in seqs if culprit in s)
            optional = [k for k in owner if not problem.stops[k].mandatory]
            culprit = optional[-1] if optional else culprit
        for s in seqs:
            if culprit in s:
                s.remove(culprit)
        log.append(f"stop {culprit} dropped to keep the timing feasible")
    empty: list[list[int]] = [[] for _ in problem.vehicles]
    routes, _ = _schedule_all(problem, empty)
    if routes is None:
        routes = [
            Route(vi, v.start_time, (), v.start_time, None, -1)
            for vi, v in enumerate(problem.vehicles)
        ]
    return routes, empty


def _routes_from_starts(
    problem: RoutingProblem, seqs: Sequence[Sequence[int]], starts: Mapping[int, int]
) -> list[Route] | None:
    """Timed routes that start each stop exactly when the solver did, with the break placed in
    the first gap that holds it; ``None`` if these times break a rule."""
    routes: list[Route] = []
    for vi, seq in enumerate(seqs):
        v = problem.vehicles[vi]
        t = v.start_time
        loc = v.start_location
        visits: list[Visit] = []
        brk: int | None = None
        brk_after = -1
        for k in [*seq, None]:
            nxt_loc = v.end_location if k is None else problem.stops[k].location
            travel = int(problem.travel[loc, nxt_loc])
            target = v.end_time if k is None else starts.get(k)
            if target is None:
                return None
            if v.break_window is not None and brk is None:
                b = max(t, v.break_window[0])
                if b <= v.break_window[1] and b + v.break_duration + travel <= target:
                    brk, brk_after = b, len(visits)
                    t = b + v.break_duration
            if k is None:
                break
            s = problem.stops[k]
            arrive = t + travel
            if target < arrive or not _in_any_window(s.windows, target):
                return None
            visits.append(Visit(k, s.location, arrive, target, target + s.service))
            t = target + s.service
            loc = s.location
        arrive_end = t + int(problem.travel[loc, v.end_location])
        if arrive_end > v.end_time or (v.break_window is not None and brk is None):
            return None
        depart = (
            v.start_time
            if brk_after == 0 or not visits
            else max(
                v.start_time,
                visits[0].start - int(problem.travel[v.start_location, visits[0].location]),
            )
        )
        if visits and brk_after != 0:
            visits[0] = dataclasses.replace(
                visits[0], arrive=depart + int(problem.travel[v.start_location, visits[0].location])
            )
        routes.append(Route(vi, depart, tuple(visits), arrive_end, brk, brk_after))
    return routes


def _in_any_window(windows: Sequence[tuple[int, int]], t: int) -> bool:
    return not windows or any(a <= t <= b for a, b in windows)
