"""Demand for a week: rates by patch × hour × type for the routes, cover by day × shift × squad
for the roster.

From baseline replications (the bureau's current way of working, simulated with common random
numbers) we estimate, for each day of the week:

``rates[d, p, h, v]``
    Violations of type v starting at patch p in hour h, weighted by the type's visibility (the
    chance that a unit there notices one). With each type's life and response to a stop
    (:class:`~patrolsim.demand.values.TypeResponse`) they value the route stops
    (:mod:`patrolsim.demand.values`). They are blended with the analytic expectation
    at the base rates (weight :data:`PRIOR_WEIGHT`) so that patches a few replications happen
    to miss still count, and so that places the usual patrol keeps quiet are not mistaken for
    places where nothing would happen.
``complaints[d, s, h]``
    Citizens' complaints per hour in squad s. With the mean service time (travel to the
    complaint plus handling) the Erlang C formula gives the units that must be on duty for
    the response target (``[complaints] response_target_min`` and the target share of
    ``complaints_within_target_share``, default 0.8).

Cover requirements: each squad's unit-shifts for the week (what its certified officers can
staff: five shifts a week each, less leave) are shared among the days and then the shifts in
proportion to what the stops a unit could make there are worth
(:func:`~patrolsim.demand.values.shift_value`), and never fewer than Erlang C asks
for — when the units are too few even for that, the shift given up is the one whose hours
others cover (:func:`_fit_floors`). Auxiliaries fill their places in those units, and the
spare ones are shared out in pairs, to patrol as persuasion units. The roster therefore asks
for the staff-hours the bureau has, put where they save most. The roster solver treats cover
as soft, so a requirement the staff cannot meet comes back as an uncovered shift rather than
an error.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from patrolsim.demand.values import PatchRates, TypeResponse, shift_value
from patrolsim.roster.inputs import Requirement
from patrolsim.scenario.model import Scenario
from patrolsim.sim.metrics import SimResult
from patrolsim.sim.violations import base_intensity

PRIOR_WEIGHT = 0.25
"""Weight of the analytic base-rate expectation in the rates' blend. Assumption."""
WORK_DAYS_PER_WEEK = 5.0


@dataclass(frozen=True, slots=True)
class Demand:
    """Rates and cover requirements for one week."""

    week_start: dt.date
    rates: npt.NDArray[np.float64]
    """Days × patches × 24 hours × types: violations starting per hour, weighted by
    visibility — the routes' prizes (:mod:`patrolsim.demand.values`)."""
    response: TypeResponse
    """How each type lives and responds to a stop."""
    complaints_per_hour: npt.NDArray[np.float64]
    """Days × squads × 24 hours: expected citizens' complaints."""
    complaint_units: npt.NDArray[np.int64]
    """Days × squads × 24 hours: units Erlang C asks for."""
    requirements: tuple[Requirement, ...]

    def patch_rates(self, day: int) -> PatchRates:
        """The rates of day ``day`` of the week (0 = Monday) for the route optimiser."""
        return PatchRates(self.rates[day], self.response)

    def summary(self) -> str:
        """A short account of the week's demand."""
        units = sum(r.units for r in self.requirements)
        return (
            f"demand for the week of {self.week_start}: {self.rates.sum():.0f} visible "
            f"violations, {self.complaints_per_hour.sum():.0f} complaints, "
            f"{units} unit-shifts required"
        )

    def requirements_frame(self) -> pd.DataFrame:
        """The requirements as a table (``requirements.csv`` columns)."""
        return pd.DataFrame(
            [
                (r.date.isoformat(), r.shift, r.squad, r.units, r.auxiliaries)
                for r in self.requirements
            ],
            columns=["date", "shift", "squad", "units", "auxiliaries"],
        )


def erlang_c_wait_probability(servers: int, offered_load: float) -> float:
    """P(an arrival waits) in an M/M/c queue with ``offered_load`` = λ/μ (Erlang C)."""
    if offered_load <= 0:
        return 0.0
    if servers <= offered_load:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    term *= offered_load / servers
    last = term * servers / (servers - offered_load)
    return last / (total + last)


def units_for_response(
    rate_per_hour: float, service_min: float, target_min: float, share: float, limit: int = 50
) -> int:
    """Fewest units such that P(wait ≤ target) ≥ ``share`` (M/M/c, Erlang C)."""
    if rate_per_hour <= 0:
        return 0
    lam = rate_per_hour / 60.0
    mu = 1.0 / service_min
    load = lam / mu
    for c in range(max(1, math.floor(load) + 1), limit + 1):
        waits = erlang_c_wait_probability(c, load)
        p_late = waits * math.exp(-(c * mu - lam) * max(target_min, 0.0))
        if 1.0 - p_late >= share:
            return c
    return limit


def _starts_from_runs(
    scenario: Scenario, runs: Sequence[SimResult], first_day: int
) -> npt.NDArray[np.float64]:
    """Violations started per day, patch, hour and type (mean over the runs)."""
    starts = np.zeros((7, len(scenario.patches), 24, len(scenario.violation_types)))
    for run in runs:
        v = run.violations
        start = v["start"].to_numpy()
        day = (start // 1440).astype(np.int64) - first_day
        keep = (day >= 0) & (day < 7)
        hour = ((start % 1440) // 60).astype(np.int64)
        np.add.at(
            starts,
            (day[keep], v["patch"].to_numpy()[keep], hour[keep], v["type"].to_numpy()[keep]),
            1.0,
        )
    return starts / max(len(runs), 1)


def _complaints(
    scenario: Scenario, runs: Sequence[SimResult], first_day: int
) -> npt.NDArray[np.float64]:
    squad_of = np.array([scenario.squad(p.squad).index for p in scenario.patches])
    out = np.zeros((7, len(scenario.squads), 24))
    for run in runs:
        c = run.complaints
        c = c[~c["internal"]]
        t = c["time"].to_numpy()
        day = (t // 1440).astype(np.int64) - first_day
        keep = (day >= 0) & (day < 7)
        hour = ((t % 1440) // 60).astype(np.int64)
        np.add.at(out, (day[keep], squad_of[c["patch"].to_numpy()[keep]], hour[keep]), 1.0)
    return out / max(len(runs), 1)


AREA_ROWS = 512
"""Rows of a squad's travel block summed at a time (bounds memory in large districts)."""


def _service_min(scenario: Scenario, runs: Sequence[SimResult], squad: str) -> tuple[float, float]:
    """Mean travel across the squad's area and mean handling time of complained violations."""
    area = [p.index for p in scenario.patches if p.squad == squad and p.kind != "base"]
    mean_travel = 0.0
    for k in range(0, len(area), AREA_ROWS):  # a block of rows at a time: no n² at scale
        block = scenario.network.travel_min_between(
            scenario.patrol.mode, area[k : k + AREA_ROWS], area
        )
        mean_travel += float(block.sum()) / (len(area) * len(area))
    weights = np.zeros(len(scenario.violation_types))
    for run in runs:
        c = run.complaints
        weights += np.bincount(c.loc[~c["internal"], "type"], minlength=len(weights))
    handling = np.array([vt.handling_min for vt in scenario.violation_types])
    mean_handling = (
        float((weights * handling).sum() / weights.sum())
        if weights.sum()
        else float(handling.mean())
    )
    return mean_travel, mean_handling


def _share_out(total: int, weights: Sequence[float], floors: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), at least ``floors``."""
    out = list(floors)
    rest = total - sum(out)
    if rest <= 0:
        return out
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        w = np.ones(len(w))
    exact = rest * w / w.sum()
    base = np.floor(exact).astype(int)
    order = np.argsort(-(exact - base), kind="stable")
    for i in order[: rest - int(base.sum())]:
        base[i] += 1
    return [o + int(b) for o, b in zip(out, base, strict=True)]


def _fit_floors(
    floors: list[int],
    capacity: int,
    hours: Sequence[Sequence[int]],
    complaints: npt.NDArray[np.float64],
) -> list[int]:
    """Lower the Erlang C floors until they fit the units there are.

    A unit is taken first from the shift whose loss leaves the fewest complaints with no unit
    on duty at all (shifts overlap: the day shift's hours are mostly covered by the early and
    late ones, while nobody else is on at six in the morning), then from the shift with the
    most units.
    """
    floors = list(floors)

    def orphaned(i: int) -> float:
        """Complaints in the hours only shift i covers, if it lost its last unit."""
        others = {h for j, hs in enumerate(hours) if j != i and floors[j] > 0 for h in hs}
        alone = [h for h in hours[i] if h not in others] if floors[i] == 1 else []
        return float(complaints[alone].sum())

    while sum(floors) > capacity:
        candidates = [i for i, f in enumerate(floors) if f > 0]
        drop = min(candidates, key=lambda i: (orphaned(i), -floors[i], i))
        floors[drop] -= 1
    return floors


def weekly_demand(scenario: Scenario, runs: Sequence[SimResult], week_start: dt.date) -> Demand:
    """Estimate the week's rates and cover requirements from baseline replications.

    Parameters
    ----------
    scenario
        The district.
    runs
        Baseline replications covering the week (``days`` ≥ week offset + 7).
    week_start
        First day of the week.
    """
    first_day = (week_start - scenario.start_date).days
    visibility = np.array([vt.visibility for vt in scenario.violation_types])
    prior = base_intensity(scenario, first_day + 7)[first_day:].transpose(0, 2, 1, 3)
    rates = (
        (1.0 - PRIOR_WEIGHT) * _starts_from_runs(scenario, runs, first_day) + PRIOR_WEIGHT * prior
    ) * visibility
    for p in scenario.patches:
        if p.kind == "base":
            rates[:, p.index] = 0.0
    complaints = _complaints(scenario, runs, first_day)
    target = scenario.complaint_target_min
    share = next(
        (
            t.min
            for t in scenario.targets
            if t.kpi == "complaints_within_target_share" and t.min is not None
        ),
        0.8,
    )
    rules = scenario.roster
    cover = dict(rules.default_cover) or {s.name: 1 for s in scenario.shifts}
    shifts = [s for s in scenario.shifts if cover.get(s.name, 0) > 0] or list(scenario.shifts)
    complaint_units = np.zeros(complaints.shape, dtype=np.int64)
    requirements: list[Requirement] = []
    response = TypeResponse.from_scenario(scenario)
    for sq in scenario.squads:
        travel, handling = _service_min(scenario, runs, sq.id)
        members = [m for m in scenario.staff if m.squad == sq.id]
        dates = [week_start + dt.timedelta(days=d) for d in range(7)]
        present = [[m for m in members if not scenario.on_leave(m.id, date)] for date in dates]
        certified_days = sum(
            min(WORK_DAYS_PER_WEEK, sum(m in day for day in present))
            for m in members
            if m.certified
        )
        auxiliary_days = sum(
            min(WORK_DAYS_PER_WEEK, sum(m in day for day in present))
            for m in members
            if not m.certified
        )
        hours_of = {
            s.name: [(m // 60) % 24 for m in range(s.start_min, s.end_min, 60)] for s in shifts
        }
        value = [
            [shift_value(scenario, PatchRates(rates[d], response), sq.id, s) for s in shifts]
            for d in range(7)
        ]
        day_mass = [sum(v) for v in value]
        week_units = _share_out(int(certified_days // rules.unit_certified), day_mass, [0] * 7)
        week_aux = _share_out(int(auxiliary_days), day_mass, [0] * 7)
        for d, date in enumerate(dates):
            for h in range(24):
                complaint_units[d, sq.index, h] = units_for_response(
                    complaints[d, sq.index, h], travel + handling, target - travel, share
                )
            on_duty = sum(1 for m in present[d] if m.certified) // rules.unit_certified
            capacity = min(week_units[d], on_duty)
            floors = [
                int(complaint_units[d, sq.index, hours_of[s.name]].max(initial=0)) for s in shifts
            ]
            floors = _fit_floors(
                [min(f, capacity) for f in floors],
                capacity,
                [hours_of[s.name] for s in shifts],
                complaints[d, sq.index],
            )
            units = _share_out(capacity, value[d], floors)
            # auxiliaries: their places in the units, then spare ones in pairs (persuasion units)
            aux_floor = [u * rules.unit_auxiliaries for u in units]
            pairs = _share_out(
                max(week_aux[d] - sum(aux_floor), 0) // 2, value[d], [0] * len(shifts)
            )
            aux = [f + 2 * n for f, n in zip(aux_floor, pairs, strict=True)]
            for s, n_units, n_aux in zip(shifts, units, aux, strict=True):
                requirements.append(Requirement(date, s.name, sq.id, n_units, n_aux))
    return Demand(week_start, rates, response, complaints, complaint_units, tuple(requirements))
