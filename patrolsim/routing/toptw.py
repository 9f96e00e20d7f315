"""The TOPTW benchmark as a :class:`~patrolsim.routing.RoutingProblem`, solved by the solver the
district's routes use (:func:`~patrolsim.routing.solve_problem`).

Times are integer ticks (tenths for Solomon-based files, hundredths for Cordeau files), so the
benchmark's rule "distance rounded down to 1 (2) decimals" is kept exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from patrolsim.formats.toptw import TOPTWInstance, check_solution
from patrolsim.routing.problem import (
    RoutingParams,
    RoutingProblem,
    RoutingSolution,
    Stop,
    Vehicle,
)
from patrolsim.routing.solve import solve_problem

__all__ = ["TOPTWResult", "solve_toptw", "toptw_problem", "toptw_result"]


def toptw_problem(inst: TOPTWInstance, teams: int) -> RoutingProblem:
    """Turn a TOPTW instance with ``teams`` routes into a routing problem (stop k = node k+1).

    Parameters
    ----------
    inst
        The instance.
    teams
        Number of routes m (>= 1).

    Returns
    -------
    RoutingProblem
        Location 0 is the depot; every customer is one optional stop with its score as prize.
    """
    if teams < 1:
        raise ValueError(f"Expected teams >= 1, got {teams}.")
    travel = inst.travel_ticks()
    service = inst.to_ticks(inst.service)
    open_t = inst.to_ticks(inst.open)
    close_t = inst.to_ticks(inst.close)
    stops = tuple(
        Stop(
            location=i,
            prize=int(inst.score[i]),
            service=int(service[i]),
            windows=((int(open_t[i]), int(close_t[i])),),
            label=str(i),
        )
        for i in range(1, inst.num_nodes)
    )
    vehicles = tuple(
        Vehicle(0, 0, int(open_t[0]), int(close_t[0]), name=str(r + 1)) for r in range(teams)
    )
    return RoutingProblem(travel=travel, stops=stops, vehicles=vehicles)


@dataclass(frozen=True, slots=True)
class TOPTWResult:
    """A TOPTW solve, with the independent checker's verdict."""

    instance: str
    teams: int
    score: int
    feasible: bool
    violations: tuple[str, ...]
    routes: tuple[tuple[int, ...], ...]
    """Node numbers per route (depot excluded)."""
    arrivals: tuple[tuple[float, ...], ...]
    starts: tuple[tuple[float, ...], ...]
    solution: RoutingSolution

    def summary(self) -> str:
        """One line: instance, m, score, feasibility."""
        ok = "feasible" if self.feasible else f"INFEASIBLE ({len(self.violations)} problems)"
        wall = self.solution.wall_s
        return f"{self.instance} m={self.teams}: score {self.score}, {ok}, {wall:.1f} s"

    def __str__(self) -> str:
        return self.summary()


def solve_toptw(
    inst: TOPTWInstance, teams: int, params: RoutingParams | None = None
) -> TOPTWResult:
    """Solve a TOPTW instance and check the result with :func:`check_solution`.

    Parameters
    ----------
    inst
        The instance.
    teams
        Number of routes m.
    params
        Solver settings (deterministic by default).

    Returns
    -------
    TOPTWResult
        Routes in node numbers and file time units, score and checker verdict.
    """
    return toptw_result(inst, teams, solve_problem(toptw_problem(inst, teams), params))


def toptw_result(inst: TOPTWInstance, teams: int, sol: RoutingSolution) -> TOPTWResult:
    """Read a solution of :func:`toptw_problem` back in node numbers and check it.

    Parameters
    ----------
    inst
        The instance.
    teams
        Number of routes m.
    sol
        A solution of ``toptw_problem(inst, teams)``.

    Returns
    -------
    TOPTWResult
        Routes in node numbers and file time units, score and the checker's verdict.
    """
    scale = inst.scale
    routes = tuple(tuple(v.stop + 1 for v in r.visits) for r in sol.routes)
    arrivals = tuple(tuple(v.arrive / scale for v in r.visits) for r in sol.routes)
    starts = tuple(tuple(v.start / scale for v in r.visits) for r in sol.routes)
    check = check_solution(inst, routes, teams, starts=starts)
    return TOPTWResult(
        instance=inst.name,
        teams=teams,
        score=check.score,
        feasible=check.feasible,
        violations=check.violations,
        routes=routes,
        arrivals=arrivals,
        starts=starts,
        solution=sol,
    )
