"""Prize-collecting patrol routing with time windows (OR-Tools routing library).

One general model serves both the district's patrol routes and the public TOPTW benchmark
(DESIGN.md "Routes"):

* a :class:`RoutingProblem` has *locations* (a travel-time matrix in integer time units) and
  *stops*: a visit to a location with a prize, a service (stop) duration, one or several
  windows for the start of service, and optionally ``mandatory``;
* several stops at one location that share a ``group`` are repeated visits: when two of them
  are made (by any vehicle) their starts are at least ``min_gap`` apart;
* each :class:`Vehicle` starts and ends at its own locations within its own time limits and
  may have a meal break (a fixed-length interval inside a window, taken between stops).

Skipping a stop costs its prize times a factor larger than any possible total travel, so a
prize always outweighs distance (distance only breaks ties). A mandatory stop costs far more
than all prizes together: it is dropped only when it cannot be made, and is then reported.

Building, solving and extracting are separate (STYLE.md §6): :func:`build_routing_model`,
:func:`solve_routing` and :func:`extract_routes`; :func:`solve_problem` does all three.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import routing_enums_pb2

__all__ = [
    "FIRST_SOLUTION_STRATEGIES",
    "METAHEURISTICS",
    "Route",
    "RoutingParams",
    "RoutingProblem",
    "RoutingSolution",
    "Stop",
    "Vehicle",
    "Visit",
    "scale_prizes",
]

FIRST_SOLUTION_STRATEGIES: tuple[str, ...] = tuple(
    name
    for name in routing_enums_pb2.FirstSolutionStrategy.Value.keys()  # noqa: SIM118
    if name not in ("UNSET",)
)
METAHEURISTICS: tuple[str, ...] = tuple(
    name
    for name in routing_enums_pb2.LocalSearchMetaheuristic.Value.keys()  # noqa: SIM118
    if name != "UNSET"
)


@dataclass(frozen=True, slots=True)
class Stop:
    """One possible visit.

    Attributes
    ----------
    location
        Row/column of the travel matrix.
    prize
        Value of making the visit (>= 0, whole units; scale risk before building).
    service
        Stop duration in time units.
    windows
        Allowed intervals ``(earliest, latest)`` for the *start* of service; empty: any time.
    mandatory
        Must be visited if at all possible; reported when it is not.
    group
        Stops of one group are repeated visits to one place; two made visits are at least
        :attr:`RoutingProblem.min_gap` apart (start to start). ``None``: no group.
    choice
        Stops of one choice are alternatives: at most one of them is made, and its prize is
        earned once (e.g. a patch's first visit of the shift, in whichever slot it falls).
        Alternatives share one prize and cannot be mandatory. ``None``: a stop of its own.
    label
        Free text carried to the output (e.g. patch id and visit number).
    """

    location: int
    prize: int
    service: int
    windows: tuple[tuple[int, int], ...] = ()
    mandatory: bool = False
    group: int | None = None
    choice: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.location < 0:
            raise ValueError(f"Expected location >= 0, got {self.location}.")
        if self.prize < 0:
            raise ValueError(f"Expected prize >= 0, got {self.prize}.")
        if self.service < 0:
            raise ValueError(f"Expected service >= 0, got {self.service}.")
        for a, b in self.windows:
            if b < a:
                raise ValueError(f"Expected window start <= end, got {(a, b)}.")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A patrol unit (or benchmark team) with its depots, shift and meal break.

    Attributes
    ----------
    start_location, end_location
        Where the route starts and ends (matrix indices).
    start_time, end_time
        The route leaves ``start_location`` at or after ``start_time`` and is back at
        ``end_location`` by ``end_time``.
    break_window
        ``(earliest, latest)`` start of the meal break, or ``None`` for no break.
    break_duration
        Length of the meal break (time units).
    name
        Label carried to the output.
    """

    start_location: int
    end_location: int
    start_time: int
    end_time: int
    break_window: tuple[int, int] | None = None
    break_duration: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if self.end_time < self.start_time:
            raise ValueError(f"Expected end_time >= start_time, got {self.end_time}.")
        if self.break_window is not None:
            a, b = self.break_window
            if b < a:
                raise ValueError(f"Expected break_window start <= end, got {self.break_window}.")
            if self.break_duration <= 0:
                raise ValueError(f"Expected break_duration > 0, got {self.break_duration}.")


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """A prize-collecting multi-vehicle routing problem with time windows.

    Attributes
    ----------
    travel
        Square integer matrix of travel times between locations (time units).
    stops
        The possible visits.
    vehicles
        The units (routes).
    min_gap
        Minimum start-to-start gap between two made visits of one stop group.
    """

    travel: npt.NDArray[np.int64]
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    min_gap: int = 0

    def __post_init__(self) -> None:
        t = np.asarray(self.travel)
        if t.ndim != 2 or t.shape[0] != t.shape[1]:
            raise ValueError(f"Expected a square travel matrix, got shape {t.shape}.")
        if (t < 0).any():
            raise ValueError("Expected travel times >= 0, got a negative one.")
        if not self.vehicles:
            raise ValueError("Expected at least one vehicle, got 0.")
        n = t.shape[0]
        for s in self.stops:
            if s.location >= n:
                raise ValueError(f"Expected stop location < {n}, got {s.location}.")
        for v in self.vehicles:
            if max(v.start_location, v.end_location) >= n:
                raise ValueError(f"Expected vehicle locations < {n}, got {v}.")
        if self.min_gap < 0:
            raise ValueError(f"Expected min_gap >= 0, got {self.min_gap}.")
        choices: dict[int, Stop] = {}
        for s in self.stops:
            if s.choice is None:
                continue
            if s.mandatory:
                raise ValueError(f"Expected no mandatory stop in a choice, got {s}.")
            first = choices.setdefault(s.choice, s)
            if first.prize != s.prize:
                raise ValueError(
                    f"Expected one prize per choice, got {first.prize} and {s.prize} "
                    f"in choice {s.choice}."
                )

    @property
    def total_prize(self) -> int:
        """Sum of the prizes that can be earned (a choice's prize once)."""
        once = {s.choice: s.prize for s in self.stops if s.choice is not None}
        return sum(s.prize for s in self.stops if s.choice is None) + sum(once.values())


@dataclass(frozen=True, slots=True)
class RoutingParams:
    """Solver settings for the routing model (STYLE.md §6).

    Attributes
    ----------
    deterministic
        Stop by counts rather than the clock (the default), so the same input gives the same
        routes on any machine and under any load: each OR-Tools search stops after
        ``branch_limit`` branches or ``solution_limit`` solutions, whichever comes first.
        ``False``: stop after ``time_limit_s`` seconds instead.
    branch_limit
        OR-Tools search branches per search (per squad, restart and first-solution strategy
        tried). Guided local search may never reach the solution limit on a problem with few
        neighbours; the branch count stops it, and is as reproducible. The default keeps a
        nanhu shift (two squads, two restarts each) to a few seconds on the shared 2-core
        machine; quality at 1x and 10x: ``benchmarks/routes_district.py``.
    solution_limit
        OR-Tools solutions per search in deterministic mode.
    time_limit_s
        Wall-clock budget for the whole solve when ``deterministic`` is off.
    first_solution_strategies
        OR-Tools first-solution strategies, tried in order until one finds a solution
        (PATH_CHEAPEST_ARC may find none on tight windows). PARALLEL_CHEAPEST_INSERTION comes
        first: it weighs the skip penalties, PATH_CHEAPEST_ARC ignores them and misses fixed
        posts on nanhu's day shift.
    metaheuristic
        OR-Tools local-search metaheuristic (``GUIDED_LOCAL_SEARCH`` by default).
    restarts
        Number of independent OR-Tools searches (each from the next strategy that works); the
        best is kept. With a time limit the budget is split among them.
    seed
        Seed of randomised steps. OR-Tools' routing search takes none, so today it does not
        change the routes; it is kept so that callers' seeds reach any such step.
    log_search
        Let OR-Tools log its search.
    """

    deterministic: bool = True
    branch_limit: int = 20_000
    solution_limit: int = 1000
    time_limit_s: float = 10.0
    first_solution_strategies: tuple[str, ...] = (
        "PARALLEL_CHEAPEST_INSERTION",
        "PATH_CHEAPEST_ARC",
        "LOCAL_CHEAPEST_INSERTION",
        "BEST_INSERTION",
    )
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    restarts: int = 2
    seed: int = 0
    log_search: bool = False

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"Expected time_limit_s > 0, got {self.time_limit_s}.")
        if not self.first_solution_strategies:
            raise ValueError("Expected at least one first_solution_strategies entry, got none.")
        for s in self.first_solution_strategies:
            if s not in FIRST_SOLUTION_STRATEGIES:
                raise ValueError(
                    f"Expected first_solution_strategies to be OR-Tools names, got {s!r}."
                )
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(
                f"Expected metaheuristic to be an OR-Tools name, got {self.metaheuristic!r}."
            )
        if self.restarts < 1:
            raise ValueError(f"Expected restarts >= 1, got {self.restarts}.")
        if self.solution_limit < 1:
            raise ValueError(f"Expected solution_limit >= 1, got {self.solution_limit}.")
        if self.branch_limit < 1:
            raise ValueError(f"Expected branch_limit >= 1, got {self.branch_limit}.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RoutingParams:
        """Build from a mapping (e.g. a ``[routing]`` table of a TOML file); unknown keys fail."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"Expected routing parameters among {sorted(names)}, got {unknown}.")
        kwargs = dict(values)
        if "first_solution_strategies" in kwargs:
            kwargs["first_solution_strategies"] = tuple(kwargs["first_solution_strategies"])
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Visit:
    """One made visit on a route (times in the problem's units)."""

    stop: int
    """Index into :attr:`RoutingProblem.stops`."""
    location: int
    arrive: int
    start: int
    depart: int


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's route."""

    vehicle: int
    depart_start: int
    """Time the vehicle leaves its start location."""
    visits: tuple[Visit, ...]
    arrive_end: int
    """Time the vehicle is back at its end location."""
    break_start: int | None = None
    """Start of the meal break (taken at the location of the visit before it, or at the start
    location when no visit precedes it), or ``None``."""
    break_after: int = -1
    """Number of visits made before the break (-1: no break)."""


@dataclass(frozen=True, slots=True)
class RoutingSolution:
    """The outcome of a routing solve.

    Attributes
    ----------
    routes
        One route per vehicle (possibly without visits).
    prize
        Sum of the prizes of the visits made.
    travel
        Total travel time.
    dropped
        Stops not visited.
    dropped_mandatory
        Mandatory stops that could not be visited.
    status
        ``"solved"`` or ``"no solution"``.
    strategy
        The first-solution strategy that produced the kept solution.
    wall_s
        Time taken.
    """

    routes: tuple[Route, ...]
    prize: int
    travel: int
    dropped: tuple[int, ...]
    dropped_mandatory: tuple[int, ...]
    status: str
    strategy: str
    wall_s: float
    log: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """A one-paragraph account of the solution."""
        used = sum(1 for r in self.routes if r.visits)
        visits = sum(len(r.visits) for r in self.routes)
        text = (
            f"{self.status}: prize {self.prize}, {visits} visits on {used}/{len(self.routes)} "
            f"routes, travel {self.travel}, {len(self.dropped)} stops skipped "
            f"({len(self.dropped_mandatory)} mandatory), {self.wall_s:.1f} s ({self.strategy})"
        )
        return text

    def __str__(self) -> str:
        return self.summary()


def scale_prizes(values: Sequence[float], levels: int = 10_000) -> list[int]:
    """Turn non-negative float values (e.g. risk) into whole prizes, the largest = ``levels``.

    Parameters
    ----------
    values
        Non-negative values.
    levels
        Whole number the largest value maps to.

    Returns
    -------
    list of int
        Rounded, proportional prizes; a positive value never rounds to 0.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return []
    if (arr < 0).any() or not np.isfinite(arr).all():
        raise ValueError("Expected finite values >= 0, got a negative or non-finite one.")
    top = float(arr.max())
    if top <= 0:
        return [0] * len(arr)
    out = np.rint(arr / top * levels).astype(np.int64)
    out[(arr > 0) & (out == 0)] = 1
    return [int(v) for v in out]
