"""The weekly plan: demand → roster → routes → the plan simulated against baselines.

:func:`plan_week` is the scheduler's Monday-morning job (DESIGN.md "The two jobs", 2):

1. **Baseline.** Replicate the bureau's usual way of working (``posts+mobile``) from the
   scenario's start to the end of the planned week, seeds ``seed … seed+reps−1``.
2. **Demand.** Risk per patch × hour and cover per day × shift × squad from those runs
   (:func:`patrolsim.demand.cover.weekly_demand`).
3. **Roster.** CP-SAT roster of the week with leave; cover is soft, so uncovered shifts are
   listed rather than failing.
4. **Routes.** For every day and shift, routes of the rostered units over the risk.
5. **Comparison.** The plan (as a ``planned`` policy) and the baselines ``posts+mobile`` and
   ``hotspot`` run the week from the same history (the usual policy before the week) with
   the same seeds — common random numbers — and the same staff. KPIs over the week, means
   with 95 % confidence intervals, and paired differences plan − baseline.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from patrolsim.demand.cover import Demand, weekly_demand
from patrolsim.errors import ScenarioError
from patrolsim.experiment.replicate import mean_ci
from patrolsim.plan.units import route_units
from patrolsim.roster import Roster, RosterProblem, solve_roster
from patrolsim.roster.cpsat import RosterParams
from patrolsim.roster.inputs import PreviousRoster
from patrolsim.roster.keep import keep_problem
from patrolsim.routing import RoutingParams
from patrolsim.routing.district import DistrictRoutes, solve_district_routes
from patrolsim.scenario.model import KPI_NAMES, Scenario
from patrolsim.sim.engine import simulate
from patrolsim.sim.metrics import SimResult
from patrolsim.sim.policies import (
    HotspotPolicy,
    PlannedPolicy,
    Policy,
    PostsMobilePolicy,
    SwitchPolicy,
    UnitSpec,
)
from patrolsim.workers import process_pool

BASELINES = ("posts+mobile", "hotspot")
ROSTER_WORK = 20.0
"""Default effort of the roster solve in CP-SAT deterministic time (``max_deterministic_time``
on one search worker), so that the same input and seed give the same roster however busy the
machine (with the same OR-Tools)."""
ROUTE_SOLUTIONS = 300
"""OR-Tools solution limit of each route search (the branch limit usually stops it first)."""
PLANNED = "planned"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PlanResult:
    """Everything the weekly plan produced."""

    scenario: Scenario = field(repr=False)
    week_start: dt.date
    reps: int
    seed: int
    demand: Demand = field(repr=False)
    roster: Roster = field(repr=False)
    routes: tuple[DistrictRoutes, ...] = field(repr=False)
    runs: dict[str, tuple[SimResult, ...]] = field(repr=False)
    """Replications per arm (``planned`` and each baseline), same seeds."""
    timings_s: dict[str, float]

    def comparison(self) -> pd.DataFrame:
        """``policy,kpi,mean,ci_low,ci_high`` for every arm and KPI over the week."""
        rows = []
        for policy, runs in self.runs.items():
            for kpi in KPI_NAMES:
                ci = mean_ci([r.kpis[kpi] for r in runs])
                rows.append((policy, kpi, ci.mean, ci.low, ci.high))
        return pd.DataFrame(rows, columns=["policy", "kpi", "mean", "ci_low", "ci_high"])

    def paired(self) -> pd.DataFrame:
        """Paired differences plan − baseline per KPI (same seeds), with 95 % CIs."""
        rows = []
        plan = self.runs[PLANNED]
        for baseline in BASELINES:
            for kpi in KPI_NAMES:
                diffs = [
                    p.kpis[kpi] - b.kpis[kpi]
                    for p, b in zip(plan, self.runs[baseline], strict=True)
                ]
                ci = mean_ci(diffs)
                rows.append((baseline, kpi, ci.mean, ci.low, ci.high))
        return pd.DataFrame(rows, columns=["baseline", "kpi", "difference", "ci_low", "ci_high"])

    def verdict(self) -> list[str]:
        """Plain-words lines: does the plan beat each baseline on the headline KPIs?"""
        paired = self.paired().set_index(["baseline", "kpi"])
        lines = []
        for baseline in BASELINES:
            for kpi, better in (("violation_hours", "lower"), ("inspection_pass_rate", "higher")):
                row = paired.loc[(baseline, kpi)]
                lo, hi = float(row["ci_low"]), float(row["ci_high"])
                won = hi < 0 if better == "lower" else lo > 0
                word = "beats" if won else "does not clearly beat"
                lines.append(
                    f"plan {word} {baseline} on {kpi}: difference "
                    f"{float(row['difference']):+.3g} (95% CI {lo:+.3g} to {hi:+.3g})"
                )
        return lines

    def summary(self) -> str:
        """The headline of the plan."""
        return "\n".join(
            [
                f"plan for the week of {self.week_start}: {self.reps} replications per arm",
                self.demand.summary(),
                self.roster.summary(),
                f"routes: {len(self.routes)} shifts, "
                f"{sum(len(r.routes) for r in self.routes)} unit routes, "
                f"{sum(len(r.unmet_posts) for r in self.routes)} fixed posts not reachable",
                *self.verdict(),
            ]
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The comparison table: ``policy,kpi,mean,ci_low,ci_high`` (see :meth:`comparison`)."""
        return self.comparison()


def check_week(scenario: Scenario, week_start: dt.date) -> list[str]:
    """Problems with the requested week, one line each."""
    problems = []
    offset = (week_start - scenario.start_date).days
    if week_start.weekday() != 0:
        problems.append(
            f"--week: must be a Monday (got {week_start}, a {week_start.strftime('%A')})"
        )
    if offset < 0 or offset + 7 > scenario.horizon_days:
        problems.append(
            f"--week: the week must lie inside the scenario's horizon "
            f"{scenario.start_date} to {scenario.end_date} (got {week_start})"
        )
    return problems


def plan_policy(
    scenario: Scenario, week_start: dt.date, routes: Sequence[DistrictRoutes]
) -> PlannedPolicy:
    """The routes as the simulator's ``planned`` policy (day indices from the scenario start)."""
    certified = {m.id for m in scenario.staff if m.certified}
    plan: dict[int, list[UnitSpec]] = defaultdict(list)
    for district in routes:
        day = (district.date - scenario.start_date).days
        midnight = day * 1440.0
        for route in district.routes:
            unit = route.unit
            squad = scenario.squad(unit.squad)
            n_cert = sum(1 for m in unit.members if m in certified)
            plan[day].append(
                UnitSpec(
                    id=f"d{day:03d}-{district.shift}-{unit.label}",
                    squad=unit.squad,
                    shift=district.shift,
                    start=midnight + unit.start_min,
                    end=midnight + unit.end_min,
                    members=unit.members,
                    certified=n_cert,
                    auxiliaries=len(unit.members) - n_cert,
                    kind="planned",
                    base=squad.base_index,
                    area=tuple(
                        p.index
                        for p in scenario.patches
                        if p.squad == unit.squad and p.kind != "base"
                    ),
                    route=tuple(
                        (row.patch_index, midnight + row.start_min, midnight + row.depart_min)
                        for row in route.stops
                    ),
                )
            )
    return PlannedPolicy(dict(plan))


def plan_week(
    scenario: Scenario,
    week_start: dt.date,
    reps: int = 10,
    seed: int = 0,
    roster_work: float = ROSTER_WORK,
    route_branches: int = 4000,
    progress: Progress | None = None,
    roster_time_limit_s: float | None = None,
    keep: PreviousRoster | None = None,
    workers: int = 1,
) -> PlanResult:
    """Make next week's plan and simulate it against the baselines.

    Parameters
    ----------
    scenario
        The district, with its staff list and leave.
    week_start
        The Monday the plan starts.
    reps
        Replications per arm (baseline demand and comparison share seeds).
    seed
        First seed.
    roster_work
        Effort of the roster solver in CP-SAT deterministic time (interleaved searches:
        :meth:`~patrolsim.roster.cpsat.RosterParams.reproducible`), so that the same input
        and seed give the same roster, however busy the machine. ``patrolsim plan`` gives
        large districts more (:func:`~patrolsim.roster.cpsat.default_work`).
    route_branches
        Search effort of the routes, per squad, day and shift: OR-Tools branches, so that
        the same input gives the same routes (about a second each for nanhu).
    progress
        Called with a line of text as each step starts.
    roster_time_limit_s
        Opt-in wall-clock limit of the roster solver instead of ``roster_work``: two search
        workers racing; the roster may then differ from run to run.
    keep
        The roster already issued for this week, ``{(staff_id, date): shift}``: the roster
        keeps every assignment the rules allow (:func:`patrolsim.roster.keep.keep_problem`).
    workers
        Squads routed at once, in worker processes that stay open for the week's shifts
        (:func:`~patrolsim.routing.district.solve_district_routes`); the routes are the same
        for any number.

    Returns
    -------
    PlanResult
        Demand, roster, routes and the simulated arms. Everything but ``timings_s`` is the
        same for the same input and seed unless ``roster_time_limit_s`` is given.
    """
    problems = check_week(scenario, week_start)
    if reps < 2:
        problems.append(
            f"--reps: need at least 2 replications for confidence intervals (got {reps})"
        )
    if problems:
        raise ScenarioError(problems)
    say = progress or (lambda _: None)
    first_day = (week_start - scenario.start_date).days
    days = first_day + 7
    seeds = [seed + i for i in range(reps)]
    timings: dict[str, float] = {}
    usual = PostsMobilePolicy()

    def arm(policy: Policy, name: str) -> tuple[SimResult, ...]:
        t0 = time.perf_counter()
        runs = []
        for i, s in enumerate(seeds):
            say(f"simulating {name}: replication {i + 1}/{reps}")
            runs.append(
                simulate(
                    scenario,
                    SwitchPolicy(usual, policy, first_day),
                    s,
                    days=days,
                    measure_from_day=first_day,
                )
            )
        timings[f"simulate {name}"] = time.perf_counter() - t0
        return tuple(runs)

    baseline = arm(usual, "posts+mobile")
    t0 = time.perf_counter()
    say("estimating demand")
    demand = weekly_demand(scenario, baseline, week_start)
    timings["demand"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if roster_time_limit_s is None:
        say(f"solving the roster ({roster_work:g} units of deterministic time)")
        roster_params = RosterParams.reproducible(roster_work, seed=seed)
    else:
        say(f"solving the roster (up to {roster_time_limit_s:g} s)")
        roster_params = RosterParams.wall_clock(roster_time_limit_s, seed=seed)
    problem = RosterProblem(scenario, week_start, 7, demand.requirements)
    if keep:
        problem = keep_problem(problem, keep)
    roster = solve_roster(problem, roster_params)
    timings["roster"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    units = route_units(roster.entries, scenario)
    routes = []
    params = RoutingParams(
        deterministic=True,
        branch_limit=route_branches,
        solution_limit=ROUTE_SOLUTIONS,
        restarts=1,
        seed=seed,
    )
    lanes = min(workers, len(scenario.squads))
    with process_pool(lanes) as pool:
        for i, ((date, shift), unit_list) in enumerate(sorted(units.items())):
            say(f"routing {date} {shift} ({i + 1}/{len(units)})")
            rates = demand.patch_rates((date - week_start).days)
            routes.append(
                solve_district_routes(
                    scenario, date, shift, unit_list, rates, params, workers=lanes, executor=pool
                )
            )
    timings["routes"] = time.perf_counter() - t0

    runs = {
        PLANNED: arm(plan_policy(scenario, week_start, routes), PLANNED),
        "posts+mobile": baseline,
        "hotspot": arm(HotspotPolicy(), "hotspot"),
    }
    return PlanResult(
        scenario, week_start, reps, seed, demand, roster, tuple(routes), runs, timings
    )


def daily_series(result: PlanResult) -> pd.DataFrame:
    """Violation-hours per day of the week and arm (mean over replications)."""
    first = (result.week_start - result.scenario.start_date).days
    dates = [result.week_start + dt.timedelta(days=d) for d in range(7)]
    rows = []
    for policy, runs in result.runs.items():
        per_day = pd.concat(
            [r.timeseries().groupby("date")["violation_hours"].sum() for r in runs], axis=1
        ).mean(axis=1)
        for d, date in enumerate(dates):
            rows.append((policy, date, first + d, float(per_day.get(date.isoformat(), 0.0))))
    return pd.DataFrame(rows, columns=["policy", "date", "day", "violation_hours"])
