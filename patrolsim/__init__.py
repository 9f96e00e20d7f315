"""patrolsim: staffing, rosters and patrol routes for city-management enforcement (城管).

Simulate how street violations arise and respond to enforcement (SimPy), build weekly
rosters (OR-Tools CP-SAT) and patrol routes (OR-Tools routing), and simulate the plan again
to see what it buys. The functions below are the whole public API; each command of the
``patrolsim`` console script is a thin wrapper round one of them.

>>> import patrolsim
>>> sc = patrolsim.load_scenario("scenarios/tiny")          # doctest: +SKIP
>>> patrolsim.simulate(sc, "posts+mobile", seed=1).summary()  # doctest: +SKIP
"""

from __future__ import annotations

from patrolsim._version import __version__
from patrolsim.errors import InfeasibleError, PatrolsimError, ScenarioError
from patrolsim.experiment.replicate import Replications, replicate
from patrolsim.experiment.sweep import SweepResult, SweepSpec, run_sweep
from patrolsim.plan.units import route_units
from patrolsim.plan.week import PlanResult, plan_week
from patrolsim.roster import (
    Roster,
    RosterParams,
    RosterProblem,
    default_requirements,
    solve_roster,
)
from patrolsim.routing import DistrictRoutes, RoutingParams
from patrolsim.routing import solve_district_routes as solve_routes
from patrolsim.scenario import Scenario, load_scenario
from patrolsim.sim.engine import simulate
from patrolsim.sim.metrics import SimResult

__all__ = [
    "DistrictRoutes",
    "InfeasibleError",
    "PatrolsimError",
    "PlanResult",
    "Replications",
    "Roster",
    "RosterParams",
    "RosterProblem",
    "RoutingParams",
    "Scenario",
    "ScenarioError",
    "SimResult",
    "SweepResult",
    "SweepSpec",
    "__version__",
    "default_requirements",
    "load_scenario",
    "plan_week",
    "replicate",
    "route_units",
    "run_sweep",
    "simulate",
    "solve_roster",
    "solve_routes",
]
