"""Patrol routes (OR-Tools routing library): prize-collecting routing with time windows.

Imports run one way inside the wing: ``problem`` (stops, vehicles, settings, solutions) →
``model`` (the OR-Tools model) → ``schedule`` (timing a sequence of stops) → ``solve`` →
``district`` (a district's units and patches as routing problems) → ``check`` (independent
checks of routes) and ``toptw`` (the public benchmark format through the same solver).
Budgets are deterministic by default (search branches, not seconds): the same inputs give the
same routes on any machine.
"""

from __future__ import annotations

from patrolsim.routing.check import check_district_routes, check_routing_solution
from patrolsim.routing.district import (
    DistrictRoutes,
    DutyUnit,
    UnitRoute,
    VisitRow,
    build_squad_problem,
    default_units,
    planned_visits,
    solve_district_routes,
)
from patrolsim.routing.problem import (
    FIRST_SOLUTION_STRATEGIES,
    Route,
    RoutingParams,
    RoutingProblem,
    RoutingSolution,
    Stop,
    Vehicle,
    Visit,
    scale_prizes,
)
from patrolsim.routing.solve import solve_problem

__all__ = [
    "FIRST_SOLUTION_STRATEGIES",
    "DistrictRoutes",
    "DutyUnit",
    "Route",
    "RoutingParams",
    "RoutingProblem",
    "RoutingSolution",
    "Stop",
    "UnitRoute",
    "Vehicle",
    "Visit",
    "VisitRow",
    "build_squad_problem",
    "check_district_routes",
    "check_routing_solution",
    "default_units",
    "planned_visits",
    "scale_prizes",
    "solve_district_routes",
    "solve_problem",
]
