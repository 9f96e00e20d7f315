"""Patrol routes for a district: every unit of one day and shift, from its squad base and back.

This turns a :class:`~patrolsim.scenario.model.Scenario`, a date, a shift, the units on duty
and the violations expected per patch, hour and type (:class:`PatchRates`) into one
:class:`~patrolsim.routing.RoutingProblem` per squad, solves them with the shared
machinery of :mod:`patrolsim.routing` and returns a :class:`DistrictRoutes`.

Modelling choices (DESIGN.md "Routes"):

* **Times** are whole seconds after the shift day's midnight (a night shift runs past 86 400).
* **What a stop is worth** depends on the patch's other stops (:mod:`.visit_value`): the
  shift is cut into slots of ``revisit_gap_min``, and each patch is offered one *repeat* stop
  per slot, worth what a visit saves when the neighbouring slots are visited too, and one
  *first* stop of the shift (a choice among the slots: at most one is made), worth what the
  shift's only visit saves — far more for violations that last (flyposting stays until found)
  than for those that come and go. Any two made visits of one patch, by any unit of the
  squad, start at least the revisit gap apart. (With every slot worth the violation-hours
  starting in it, routes came back to the busiest patches and left a quarter of the patches
  unvisited each shift; the planned week then did no better than hotspot patrol.)
* **Fixed posts**: every strict-tier (严管) patch gets a *mandatory* first stop inside its
  kind's windows (market mornings and evenings, school gates at arrival and dismissal, night
  market evenings). It is dropped only when it cannot be made, and is then listed in
  :attr:`DistrictRoutes.unmet_posts`. Patrol stops may come at any hour: the rates say what
  happens when (a school's walls are flyposted at noon too).
* **Stops** last ``stop_min``; when a unit would otherwise wait, a stop is stretched up to
  ``stop_max`` (Koper 1995: 11–15 min).
* **Meal break** of ``meal_break_min`` for shifts longer than five hours, starting in the middle
  third of the shift (an assumption to calibrate), taken at the patch just left.
* **Demand**: :class:`PatchRates` from simulation (:mod:`patrolsim.demand.cover`) or
  :func:`~patrolsim.demand.values.default_rates` from the scenario; a plain risk array
  (``(patches,)`` or ``(patches, 24)``, violations per hour) is read as one type lasting a
  revisit gap.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from patrolsim.demand.values import (
    PatchRates,
    TypeResponse,
    default_rates,
    patch_values,
    patrol_patches,
    shift_slots,
)
from patrolsim.routing.problem import (
    RoutingParams,
    RoutingProblem,
    RoutingSolution,
    Stop,
    Vehicle,
    scale_prizes,
)
from patrolsim.routing.solve import solve_problem
from patrolsim.scenario.model import INSPECTION_HOURS_MIN, Scenario, ShiftType
from patrolsim.workers import process_pool

__all__ = [
    "DistrictRoutes",
    "DutyUnit",
    "UnitRoute",
    "VisitRow",
    "build_squad_problem",
    "default_units",
    "planned_visits",
    "solve_district_routes",
]

RETRIES = 3
"""Times a squad's routes are searched again, with twice the budget, when no solution came."""
MIN_SQUAD_S = 0.1
"""Least wall-clock seconds a squad's search gets against the clock, however little is left:
units must never be sent out without a route. Only with more squads than the limit allows
at this pace (600 squads a minute) does the call overrun its limit."""
MEAL_BREAK_MIN_SHIFT_MIN = 300
"""Shifts longer than this (minutes) get a meal break."""


@dataclass(frozen=True, slots=True)
class DutyUnit:
    """A patrol unit on duty: squad, unit label, members and working times.

    Attributes
    ----------
    squad
        Squad id; the unit starts and ends at its base.
    unit
        Unit label unique within the squad, day and shift (from roster.csv's ``unit``).
    start_min, end_min
        Working time in minutes after the shift day's midnight.
    members
        Names of the officers (for the route sheet).
    """

    squad: str
    unit: str
    start_min: int
    end_min: int
    members: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``SQUAD-UNIT``, the unit's name in every output."""
        return f"{self.squad}-{self.unit}"


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One line of a unit's route sheet (times in minutes after the shift day's midnight).

    ``purpose`` is one of ``depart`` (leave the base), ``post`` (mandatory fixed-post stop at a
    strict-tier patch), ``patrol`` (optional risk-weighted stop), ``break`` (meal break at the
    patch), ``return`` (back at the base).
    """

    seq: int
    patch_index: int
    arrive_min: float
    start_min: float
    depart_min: float
    purpose: str


@dataclass(frozen=True, slots=True)
class UnitRoute:
    """The timed route of one unit."""

    unit: DutyUnit
    rows: tuple[VisitRow, ...]

    @property
    def stops(self) -> tuple[VisitRow, ...]:
        """The patrol and post stops only."""
        return tuple(r for r in self.rows if r.purpose in ("post", "patrol"))


@dataclass(frozen=True, slots=True)
class DistrictRoutes:
    """Routes of every unit of one day and shift.

    Attributes
    ----------
    date, shift
        The day and shift type.
    routes
        One route per unit, in the order of the units given.
    prize
        What the stops made are worth: violation-hours they save, with failing inspection
        hours weighted in (:mod:`.visit_value`).
    unmet_posts
        Patch indices of strict-tier fixed posts that could not be visited.
    solutions
        The routing solution per squad id; its locations are numbered within the squad's
        problem (the squad's base and the patches it may stop at), not patch indices.
    wall_s
        Time taken.
    """

    date: dt.date
    shift: str
    routes: tuple[UnitRoute, ...]
    prize: float
    unmet_posts: tuple[int, ...]
    solutions: Mapping[str, RoutingSolution] = field(default_factory=dict)
    wall_s: float = 0.0

    def summary(self) -> str:
        """A one-paragraph account."""
        stops = sum(len(r.stops) for r in self.routes)
        return (
            f"{self.date} {self.shift}: {len(self.routes)} units, {stops} stops, "
            f"worth {self.prize:.1f} violation-hours, {len(self.unmet_posts)} fixed posts not "
            f"reachable, {self.wall_s:.1f} s"
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per line of every unit's route: date, shift, unit, seq, patch_index,
        arrive_min, start_min, depart_min, purpose (minutes after the day's midnight)."""
        cols = [
            "date",
            "shift",
            "unit",
            "seq",
            "patch_index",
            "arrive_min",
            "start_min",
            "depart_min",
            "purpose",
        ]
        return pd.DataFrame(
            [
                [
                    self.date.isoformat(),
                    self.shift,
                    r.unit.label,
                    v.seq,
                    v.patch_index,
                    v.arrive_min,
                    v.start_min,
                    v.depart_min,
                    v.purpose,
                ]
                for r in self.routes
                for v in r.rows
            ],
            columns=cols,
        )


def default_units(scenario: Scenario, shift: ShiftType) -> tuple[DutyUnit, ...]:
    """Units from the scenario's default cover: ``default_cover[shift]`` units per squad."""
    n = int(scenario.roster.default_cover.get(shift.name, 0))
    return tuple(
        DutyUnit(sq.id, str(u + 1), shift.start_min, shift.end_min)
        for sq in scenario.squads
        for u in range(n)
    )


def _kind_windows(scenario: Scenario, kind: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The kind's visit windows (minutes) intersected with [lo, hi], also across midnight."""
    pk = scenario.patch_kinds.get(kind)
    if pk is None or not pk.windows:
        return [(lo, hi)]
    out: list[tuple[int, int]] = []
    for a, b in pk.windows:
        for shift in (-1440, 0, 1440):
            x, y = max(lo, a + shift), min(hi, b + shift)
            if x < y:
                out.append((x, y))
    out.sort()
    return out


def _clip(windows: Sequence[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    for a, b in windows:
        x, y = max(a, lo), min(b, hi)
        if x < y:
            out.append((x, y))
    return out


@dataclass(frozen=True, slots=True)
class _SquadProblem:
    problem: RoutingProblem
    units: tuple[DutyUnit, ...]
    stop_patch: tuple[int, ...]
    stop_post: tuple[bool, ...]
    stop_risk: tuple[float, ...]
    closed_posts: tuple[int, ...] = ()
    """Strict-tier patches whose visit windows miss this shift entirely."""
    location_patch: tuple[int, ...] = ()
    """Patch index of each location of :attr:`problem` (its travel matrix covers only the
    squad's base and the patches it may stop at)."""

    def patch(self, location: int) -> int:
        """The patch index of a location of the squad's problem."""
        return self.location_patch[location]


def build_squad_problem(
    scenario: Scenario,
    squad: str,
    units: Sequence[DutyUnit],
    rates: PatchRates,
    shift: ShiftType,
) -> _SquadProblem:
    """Build the routing problem of one squad's units (times in seconds after midnight).

    Parameters
    ----------
    scenario
        The scenario.
    squad
        Squad id.
    units
        The squad's units on duty.
    rates
        Violations expected per patch, hour and type (stop prizes: :mod:`.visit_value`).
    shift
        The shift type.

    Returns
    -------
    _SquadProblem
        The problem and the maps from stops back to patches.
    """
    rules = scenario.patrol
    sq = scenario.squad(squad)
    lo = min(u.start_min for u in units)
    hi = max(u.end_min for u in units)
    gap = round(rules.revisit_gap_min)
    stop_len = round(rules.stop_min)
    stops: list[Stop] = []
    stop_patch: list[int] = []
    stop_post: list[bool] = []
    stop_risk: list[float] = []
    closed_posts: list[int] = []
    slots = shift_slots(lo, hi, gap)
    choice = 0
    patches = patrol_patches(scenario, squad)
    repeats, firsts = patch_values(
        rates.rates[[p.index for p in patches]],
        rates.response,
        slots,
        gap,
        INSPECTION_HOURS_MIN,
    )
    for p, repeat, first in zip(patches, repeats.tolist(), firsts.tolist(), strict=True):
        if max(max(repeat), first) <= 0:
            continue
        # The first visit of the shift is worth at least a repeat visit of an average slot.
        first = max(first, sum(repeat) / len(repeat))
        post_windows = [
            (a, b - stop_len)
            for a, b in _kind_windows(scenario, p.kind, lo, hi)
            if b - stop_len >= a
        ]
        is_post = p.tier == "strict" and bool(post_windows)
        if p.tier == "strict" and not post_windows:
            closed_posts.append(p.index)
        for k, (s_lo, s_hi) in enumerate(slots):
            sw = _clip([(lo, hi - stop_len)], s_lo, s_hi)
            if not sw:
                continue
            wins = tuple((x * 60, y * 60) for x, y in sw)
            offers: list[tuple[float, int | None, str]] = [(repeat[k], None, f"{p.id}#{k + 1}")]
            if not is_post:
                offers.append((first, choice, f"{p.id}#{k + 1}*"))
            for value, alt, label in offers:
                if value <= 0:
                    continue
                stops.append(
                    Stop(p.index, 0, stop_len * 60, wins, group=p.index, choice=alt, label=label)
                )
                stop_patch.append(p.index)
                stop_post.append(False)
                stop_risk.append(value)
        choice += 1
        if is_post:
            stops.append(
                Stop(
                    p.index,
                    0,
                    stop_len * 60,
                    tuple((a * 60, b * 60) for a, b in post_windows),
                    mandatory=True,
                    group=p.index,
                    label=f"{p.id}#post",
                )
            )
            stop_patch.append(p.index)
            stop_post.append(True)
            stop_risk.append(first)
    prizes = scale_prizes(stop_risk) if stops else []
    # Locations are the squad's base and the patches it may stop at, numbered from 0: the
    # travel matrix is this squad's, not the district's (n² of 5,000 patches is 200 MB per
    # squad; a squad's few dozen patches are kilobytes).
    location_patch = sorted({sq.base_index, *stop_patch})
    local = {p: k for k, p in enumerate(location_patch)}
    stops = [
        dataclasses.replace(s, prize=pz, location=local[s.location])
        for s, pz in zip(stops, prizes, strict=True)
    ]
    vehicles = []
    brk = round(rules.meal_break_min)
    for u in units:
        dur = u.end_min - u.start_min
        window = None
        if brk > 0 and dur > MEAL_BREAK_MIN_SHIFT_MIN:
            window = ((u.start_min + dur // 3) * 60, (u.start_min + 2 * dur // 3 - brk) * 60)
        vehicles.append(
            Vehicle(
                local[sq.base_index],
                local[sq.base_index],
                u.start_min * 60,
                u.end_min * 60,
                break_window=window,
                break_duration=brk * 60 if window else 0,
                name=u.label,
            )
        )
    travel = scenario.network.travel_s_between(rules.mode, location_patch, location_patch)
    problem = RoutingProblem(
        travel=np.asarray(travel, dtype=np.int64),
        stops=tuple(stops),
        vehicles=tuple(vehicles),
        min_gap=gap * 60,
    )
    return _SquadProblem(
        problem,
        tuple(units),
        tuple(stop_patch),
        tuple(stop_post),
        tuple(stop_risk),
        tuple(closed_posts),
        tuple(location_patch),
    )


def _unit_rows(
    sp: _SquadProblem, sol: RoutingSolution, vi: int, stop_max_s: int
) -> tuple[VisitRow, ...]:
    """Turn a solver route into sheet rows, stretching stops into idle time up to stop_max."""
    route = sol.routes[vi]
    veh = sp.problem.vehicles[vi]
    travel = sp.problem.travel
    base = sp.patch(veh.start_location)
    rows: list[VisitRow] = [
        VisitRow(
            0,
            base,
            route.depart_start / 60,
            route.depart_start / 60,
            route.depart_start / 60,
            "depart",
        )
    ]
    visits = list(route.visits)
    seq = 1
    for i, vis in enumerate(visits):
        depart = vis.depart
        # Stretch the stop while the next event would otherwise wait.
        if i + 1 < len(visits):
            nxt = visits[i + 1]
            latest = nxt.start - int(travel[vis.location, nxt.location])
        else:
            # The last stop may run on while the unit still gets back by the end of its shift.
            latest = veh.end_time - int(travel[vis.location, veh.end_location])
        if route.break_after == i + 1 and route.break_start is not None:
            latest = min(latest, route.break_start)
        depart = max(depart, min(vis.start + stop_max_s, latest))
        purpose = "post" if sp.stop_post[vis.stop] else "patrol"
        rows.append(
            VisitRow(
                seq, sp.patch(vis.location), vis.arrive / 60, vis.start / 60, depart / 60, purpose
            )
        )
        seq += 1
        if route.break_after == i + 1 and route.break_start is not None:
            b = route.break_start
            rows.append(
                VisitRow(
                    seq,
                    sp.patch(vis.location),
                    b / 60,
                    b / 60,
                    (b + veh.break_duration) / 60,
                    "break",
                )
            )
            seq += 1
    if route.break_after == 0 and route.break_start is not None:
        b = route.break_start
        rows.insert(1, VisitRow(1, base, b / 60, b / 60, (b + veh.break_duration) / 60, "break"))
        rows = [dataclasses.replace(r, seq=k) for k, r in enumerate(rows)]
        seq = len(rows)
    rows.append(
        VisitRow(
            seq,
            sp.patch(veh.end_location),
            route.arrive_end / 60,
            route.arrive_end / 60,
            route.arrive_end / 60,
            "return",
        )
    )
    # Arrival times follow from the (possibly stretched) departure before them.
    local = {p: k for k, p in enumerate(sp.location_patch)}
    fixed = [rows[0]]
    for r in rows[1:]:
        prev = fixed[-1]
        if r.purpose == "break":
            fixed.append(r)
            continue
        hop = int(travel[local[prev.patch_index], local[r.patch_index]])
        arrive = (prev.depart_min * 60 + hop) / 60
        if r.purpose == "return":
            fixed.append(
                dataclasses.replace(r, arrive_min=arrive, start_min=arrive, depart_min=arrive)
            )
        else:
            fixed.append(dataclasses.replace(r, arrive_min=arrive))
    return tuple(fixed)


def _as_rates(
    scenario: Scenario, date: dt.date, risk: PatchRates | npt.NDArray[np.float64] | None
) -> PatchRates:
    """The routes' demand input as :class:`PatchRates`.

    A plain risk array (violations per hour, per patch or per patch and hour) is taken as
    one type of violation that lasts a revisit gap.
    """
    if risk is None:
        return default_rates(scenario, date)
    if isinstance(risk, PatchRates):
        if risk.rates.shape[0] != len(scenario.patches):
            raise ValueError(
                f"Expected rates for {len(scenario.patches)} patches, got {risk.rates.shape[0]}."
            )
        return risk
    arr = np.asarray(risk, dtype=np.float64)
    if arr.shape[0] != len(scenario.patches) or arr.ndim not in (1, 2):
        raise ValueError(f"Expected risk of shape (patches,) or (patches, 24), got {arr.shape}.")
    if arr.ndim == 2 and arr.shape[1] != 24:
        raise ValueError(f"Expected 24 hourly risk values per patch, got {arr.shape[1]}.")
    hourly = np.repeat(arr[:, None], 24, axis=1) if arr.ndim == 1 else arr
    lasting = TypeResponse.lasting(scenario.patrol.revisit_gap_min / 60.0)
    return PatchRates(hourly[:, :, None], lasting)


def _solve_until_found(problem: RoutingProblem, params: RoutingParams) -> RoutingSolution:
    """Solve; when no first solution came within the budget, try again with twice the budget
    (up to :data:`RETRIES` times): units must never be sent out without a route."""
    sol = solve_problem(problem, params)
    for _ in range(RETRIES):
        if sol.status != "no solution" or not problem.stops:
            break
        params = dataclasses.replace(
            params,
            time_limit_s=2 * params.time_limit_s,
            branch_limit=2 * params.branch_limit,
            solution_limit=2 * params.solution_limit,
        )
        sol = solve_problem(problem, params)
    return sol


def _solve_squads(
    problems: Mapping[str, _SquadProblem],
    params: RoutingParams,
    deadline: float,
    workers: int,
    executor: cf.Executor | None,
) -> dict[str, RoutingSolution]:
    """Solve every squad's problem, here one after the other or ``workers`` at a time in
    ``executor``'s processes.

    Against the clock, each squad's search gets the time left until ``deadline`` times the
    lanes running, shared among the squads still to start by their number of stops: a
    squad that overran shortens the next ones' share rather than the whole call overrunning.
    Under a deterministic budget the share is unused, and the routes do not depend on
    ``workers``.
    """
    queue = list(problems.items())
    stops_left = sum(max(len(sp.problem.stops), 1) for _, sp in queue)
    out: dict[str, RoutingSolution] = {}
    running: dict[cf.Future[RoutingSolution], str] = {}
    while queue or running:
        while queue and (executor is None or len(running) < workers):
            sq, sp = queue.pop(0)
            weight = max(len(sp.problem.stops), 1)
            lanes = 1 if executor is None else workers
            left = deadline - time.perf_counter()
            share = min(left * lanes * weight / stops_left, left)
            stops_left -= weight
            sized = dataclasses.replace(params, time_limit_s=max(share, MIN_SQUAD_S))
            if executor is None:
                out[sq] = _solve_until_found(sp.problem, sized)
            else:
                running[executor.submit(_solve_until_found, sp.problem, sized)] = sq
        if running:
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                out[running.pop(future)] = future.result()
    return out


def solve_district_routes(
    scenario: Scenario,
    date: dt.date,
    shift: ShiftType | str,
    units: Sequence[DutyUnit] | None = None,
    risk: PatchRates | npt.NDArray[np.float64] | None = None,
    params: RoutingParams | None = None,
    workers: int = 1,
    executor: cf.Executor | None = None,
) -> DistrictRoutes:
    """Plan the routes of every unit on duty for one day and shift.

    Parameters
    ----------
    scenario
        The scenario.
    date
        The day.
    shift
        Shift type or its name.
    units
        Units on duty; by default :func:`default_units`.
    risk
        Risk per patch (``(patches,)``) or per patch and hour of day (``(patches, 24)``);
        by default :func:`~patrolsim.demand.values.default_risk`.
    params
        Solver settings; by default a deterministic budget (search branches per squad). A time
        limit (``deterministic=False``) covers the whole call and is shared among the squads
        by their number of stops.
    workers
        Squads solved at once, each in a worker process (squads are independent problems:
        a district of many squads takes about ``1 / workers`` of the time). Under a
        deterministic budget the routes are the same for any number of workers.
    executor
        The process pool to solve in when ``workers > 1`` (e.g.
        :func:`patrolsim.workers.local_executor`, kept open for a week's shifts); by default
        one is made for this call.

    Returns
    -------
    DistrictRoutes
        Timed routes per unit, what they are worth and fixed posts that could not be made.
    """
    t0 = time.perf_counter()
    if workers < 1:
        raise ValueError(f"Expected workers >= 1, got {workers}.")
    st = scenario.shift(shift) if isinstance(shift, str) else shift
    params = params or RoutingParams()
    units = tuple(default_units(scenario, st) if units is None else units)
    rates = _as_rates(scenario, date, risk)
    squads = [sq.id for sq in scenario.squads if any(u.squad == sq.id for u in units)]
    problems = {
        sq: build_squad_problem(scenario, sq, [u for u in units if u.squad == sq], rates, st)
        for sq in squads
    }
    # the time left less 0.3 s for the sheets' timing below
    deadline = t0 + params.time_limit_s - 0.3
    lanes = min(workers, len(problems))
    if executor is not None and lanes > 1:
        solutions = _solve_squads(problems, params, deadline, lanes, executor)
    else:
        with process_pool(lanes) as pool:
            solutions = _solve_squads(problems, params, deadline, lanes, pool)
    routes_by_unit: dict[str, UnitRoute] = {}
    prize = 0.0
    unmet: list[int] = []
    stop_max_s = round(scenario.patrol.stop_max * 60)
    for sq, sp in problems.items():
        sol = solutions[sq]
        for vi, u in enumerate(sp.units):
            routes_by_unit[u.label] = UnitRoute(u, _unit_rows(sp, sol, vi, stop_max_s))
        made = {v.stop for r in sol.routes for v in r.visits}
        prize += sum(sp.stop_risk[k] for k in made)
        visited_patches = {sp.stop_patch[k] for k in made}
        unmet.extend(sp.closed_posts)
        for k, is_post in enumerate(sp.stop_post):
            if is_post and sp.stop_patch[k] not in visited_patches:
                unmet.append(sp.stop_patch[k])
    return DistrictRoutes(
        date=date,
        shift=st.name,
        routes=tuple(routes_by_unit[u.label] for u in units),
        prize=prize,
        unmet_posts=tuple(sorted(set(unmet))),
        solutions={sq: solutions[sq] for sq in problems},
        wall_s=time.perf_counter() - t0,
    )


def planned_visits(routes: DistrictRoutes) -> dict[str, list[tuple[int, float, float]]]:
    """Routes in the form the simulator's ``planned`` policy takes.

    Returns
    -------
    dict
        Per unit label a list of ``(patch_index, start_min, depart_min)``, minutes after the
        shift day's midnight, patrol and post stops only, in time order.
    """
    return {
        r.unit.label: [(row.patch_index, row.start_min, row.depart_min) for row in r.stops]
        for r in routes.routes
    }
