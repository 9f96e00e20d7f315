"""``simulate()``: one replication of a scenario under a policy.

Time is float minutes from midnight of the scenario's start date. Three kinds of SimPy
process run side by side:

* the *street* (:func:`street`): candidate arrivals and timed events (complaints,
  reappearances, inspections) from the :class:`~patrolsim.sim.violations.ViolationField`;
* the *day planner* (:func:`day_planner`): at each midnight, asks the policy for the day's
  units, starts a process per unit and schedules the day's inspections;
* one process per unit and shift (:class:`~patrolsim.sim.units.Unit`).

Randomness comes from named streams of one seed (:mod:`patrolsim.streams`): ``violations``
(per patch and type; the same under every policy and staffing level — common random
numbers), ``detection``, ``handling``, ``patrol`` and ``inspections``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from patrolsim.errors import ScenarioError
from patrolsim.scenario.model import INSPECTION_HOURS_MIN, Scenario
from patrolsim.sim.dispatch import Dispatcher
from patrolsim.sim.metrics import SimResult, collect
from patrolsim.sim.policies import Policy, PolicyContext, UnitSpec, make_policy, scale_staff
from patrolsim.sim.units import Unit
from patrolsim.sim.violations import ViolationField, base_intensity
from patrolsim.streams import stream


class Run:
    """Everything one replication shares: environment, street, dispatcher, policy."""

    def __init__(
        self,
        scenario: Scenario,
        policy: Policy,
        seed: int,
        days: int,
        staffing: float,
        campaigns: bool,
    ) -> None:
        self.env = simpy.Environment()
        self.scenario = scenario
        self.days = days
        self.horizon = days * 1440.0
        self.policy = policy
        lam = base_intensity(scenario, days)
        self.field = ViolationField(scenario, seed, days, lam)
        self.dispatcher = Dispatcher(self)
        self.field.on_complaint = self.dispatcher.complaint
        self.field.on_alert = lambda viol, now: self.dispatcher.request(viol, now, internal=True)
        self.staff = scale_staff(scenario.staff, staffing)
        self.ctx = PolicyContext(scenario, self.staff, days, lam, stream(seed, "patrol"), campaigns)
        self.ctx.field = self.field
        self.travel = self.ctx.travel
        self.detection_rng = stream(seed, "handling")
        self.inspection_rng = stream(seed, "inspections")
        self.finished_units: list[Unit] = []
        self.inspections: list[tuple[float, int, bool]] = []
        self.presence = np.zeros(len(scenario.patches))

    def off_street_blocks(self, spec: UnitSpec) -> list[tuple[float, float, str]]:
        """Meal break and duties (Friday study, drills, meetings) within the unit's shift."""
        sc = self.scenario
        blocks: list[tuple[float, float, str]] = []
        day = int(spec.start // 1440)
        if spec.kind != "campaign" and day < len(sc.days):
            date = sc.days[day].date
            for duty in sc.duties:
                if spec.shift in duty.shifts and duty.on(date, sc.start_date):
                    t0 = max(spec.start, day * 1440.0 + duty.start_min)
                    t1 = min(spec.end, day * 1440.0 + duty.end_min)
                    if t1 > t0:
                        blocks.append((t0, t1, "off_street"))
        meal = sc.patrol.meal_break_min
        if meal > 0 and spec.end - spec.start >= 360:
            t0 = spec.start + (spec.end - spec.start - meal) / 2
            for b0, b1, _ in sorted(blocks):
                if t0 < b1 and b0 < t0 + meal:
                    t0 = b1
            if t0 + meal <= spec.end:
                blocks.append((t0, t0 + meal, "break"))
        return sorted(blocks)

    def inspect(self, patch: int, now: float) -> None:
        """A simulated inspection (明查暗访): it passes if no unresolved violation is seen."""
        passed = not self.field.visible_disorder(patch, now, self.inspection_rng)
        self.inspections.append((now, patch, passed))


def street(env: simpy.Environment, run: Run) -> Generator[simpy.Event, Any, None]:
    """Feed candidate arrivals and timed events to the street, in time order."""
    field = run.field
    while True:
        t = field.next_time()
        if t >= run.horizon:
            return
        if field.candidate_next() and t < env.peek():
            # nothing else happens before t: a candidate needs no SimPy event of its own
            field.step(t)
            continue
        if t > env.now:
            yield env.timeout(t - env.now)
        event = field.step(env.now)
        if event is not None and event[0] == "inspection":
            run.inspect(int(event[1]), env.now)  # type: ignore[call-overload]


def day_planner(env: simpy.Environment, run: Run) -> Generator[simpy.Event, Any, None]:
    """Each midnight: start the day's units and schedule its inspections."""
    sc = run.scenario
    street_patches = run.ctx.street
    for day in range(run.days):
        if day * 1440.0 > env.now:
            yield env.timeout(day * 1440.0 - env.now)
        n = sc.inspections_per_day * (3 if sc.days[day].inspection else 1)
        if street_patches and n:
            times = day * 1440.0 + run.inspection_rng.uniform(*INSPECTION_HOURS_MIN, n)
            patches = run.inspection_rng.choice(street_patches, n)
            for t, p in zip(times, patches, strict=True):
                run.field.push(float(t), "inspection", int(p))
        for spec in run.policy.units(run.ctx, day):
            unit = Unit(spec, run)
            unit.process = env.process(unit.shift())


def simulate(
    scenario: Scenario,
    policy: str | Policy,
    seed: int,
    days: int | None = None,
    staffing: float = 1.0,
    campaigns: bool = True,
    measure_from_day: int | None = None,
) -> SimResult:
    """Simulate ``days`` days of ``scenario`` under ``policy``.

    Parameters
    ----------
    scenario
        The district.
    policy
        A base policy name (``posts``, ``mobile``, ``posts+mobile``, ``hotspot``) or a
        :class:`~patrolsim.sim.policies.Policy` (e.g. a ``PlannedPolicy``).
    seed
        Non-negative; the same seed gives the same base arrivals under every policy.
    days
        Days to simulate, 1 to the scenario's horizon (default: the horizon). The scenario's
        warm-up days are left out of the KPIs.
    staffing
        Fraction of the staff list (stratified by role and squad; > 1 adds people).
    campaigns
        Whether the scenario's campaigns overlay the policy.
    measure_from_day
        First day of the KPI window (default: the end of the scenario's warm-up), e.g. the
        first day of a planned week.
    """
    days = scenario.horizon_days if days is None else days
    problems = check_arguments(scenario, days, seed, staffing, warmup=measure_from_day is None)
    if measure_from_day is not None and not 0 <= measure_from_day < days:
        problems.append(
            f"measure_from_day: must be a day of the run, 0 to {days - 1} (got {measure_from_day})"
        )
    if problems:
        raise ScenarioError(problems)
    chosen = make_policy(policy) if isinstance(policy, str) else policy
    run = Run(scenario, chosen, seed, days, staffing, campaigns)
    run.env.process(street(run.env, run))
    run.env.process(day_planner(run.env, run))
    run.env.run(until=run.horizon + 1440.0)
    run.field.settle(run.horizon)
    window = scenario.warmup_days if measure_from_day is None else measure_from_day
    return collect(run, seed=seed, staffing=staffing, campaigns=campaigns, measure_from_day=window)


MAX_STAFFING = 10.0
"""Largest staffing level (a multiple of the staff list) a run accepts."""


def check_arguments(
    scenario: Scenario, days: int, seed: int, staffing: float, warmup: bool = True
) -> list[str]:
    """Problems with run arguments, one line each (empty when all is well).

    ``warmup``: the KPIs start after the scenario's warm-up, so the run must be longer than it
    (false when the caller names the first measured day itself, as the weekly plan does).
    """
    problems = []
    if not 1 <= days <= scenario.horizon_days:
        problems.append(
            f"--days: must be between 1 and the scenario's horizon "
            f"{scenario.horizon_days} (got {days})"
        )
    elif warmup and days <= scenario.warmup_days:
        problems.append(
            f"--days: must be longer than the warm-up of {scenario.warmup_days} days (got {days})"
        )
    if seed < 0:
        problems.append(f"--seed: must be at least 0 (got {seed})")
    if not 0 <= staffing <= MAX_STAFFING:  # also refuses nan
        problems.append(
            f"--staffing: must be at least 0 and at most {MAX_STAFFING:g} times "
            f"the staff list (got {staffing:g})"
        )
    return problems
