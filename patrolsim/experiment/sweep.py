"""Staffing × policy sweeps: plan the runs, run them on any executor, record and summarise them.

A sweep is a grid of *cells* — a staffing level and a policy — each simulated ``reps`` times.
With common random numbers (the default) every cell uses the same seeds, so cells can be
compared run by run (:mod:`patrolsim.experiment.replicate`).

Runs go through a :class:`concurrent.futures.Executor`: a local process pool
(:func:`open_executor` with ``workers``), a Dask cluster (``distributed.Client(address)
.get_executor()``, :func:`open_executor` with ``dask``), or none (run here, one after the
other). Workers receive a small :class:`RunTask` (the scenario's *folder*, not the scenario)
and load the scenario themselves, once per worker process (:func:`run_task`); they return a
:class:`~patrolsim.experiment.store.RunRecord` of KPIs, which this process writes to the
results store as it arrives. A sweep started again skips what is recorded.

Campaign variants
-----------------
A plain policy name (``posts+mobile``) runs *without* the scenario's campaigns; the name with
``@campaign`` (``posts+mobile@campaign``) runs *with* them. Campaign units are extra units on
top of the rota (``extra_units`` per shift on campaign days), so at the same staffing level a
campaign variant would simply have more staff-hours. To compare steady coverage with campaign
cycles at **equal staff-hours**, a campaign variant at nominal staffing ``s`` runs its steady
rota at a lower staffing ``s'`` chosen so that

    steady staff-hours at s'  +  campaign staff-hours  ≈  steady staff-hours at s,

i.e. the campaign's people come out of the same budget (the bureau moves officers from routine
patrol to the campaign). Staff-hours are person-hours of the units formed, counted over the
measured window (after warm-up), computed from the rota itself (:func:`planned_staff_hours`);
``s'`` is found by bisection (staff lists scale in whole people, so the match is as close as
whole people allow). The achieved figures are recorded per run (``staff_hours``,
``campaign_staff_hours``) and summarised with the KPIs, so the equality can be checked.

``NAME@campaign+overtime`` runs the campaign *on top of* the everyday rota at the nominal
staffing: the campaign's staff-hours are extra, paid in overtime, and ``staff_hours`` shows
them. Labels say which is which (:func:`patrolsim.terms.policy_term`).

A campaign variant whose measured days (after warm-up) contain none of a campaign's dates
would compare two identical arms; :func:`campaign_window_problems` refuses it instead.
``patrolsim simulate`` reads policy names the same way.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import math
import os
import socket
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from patrolsim._version import __version__
from patrolsim.errors import PatrolsimError, PatrolsimWarning, ScenarioError
from patrolsim.experiment.recommend import Recommendation, recommend
from patrolsim.experiment.replicate import paired_differences, replication_seeds, summarise
from patrolsim.experiment.store import RESULT_COLUMNS, ResultStore, RunKey, RunRecord
from patrolsim.outputs import atomic_path, write_json
from patrolsim.scenario import load_scenario
from patrolsim.scenario.model import KPI_NAMES, Scenario
from patrolsim.sim.costs import staff_cost
from patrolsim.sim.engine import simulate
from patrolsim.sim.policies import PolicyContext, make_policy, scale_staff
from patrolsim.sim.violations import base_intensity
from patrolsim.streams import stream
from patrolsim.workers import local_executor

CAMPAIGN_SUFFIX = "@campaign"
OVERTIME_SUFFIX = "@campaign+overtime"
BASE_POLICY_NAMES = ("posts", "mobile", "posts+mobile", "hotspot")
EQUAL_HOURS_TOLERANCE = 0.05
"""Largest mismatch of a campaign variant's staff-hours, as a share of the budget."""
HOURS_COLUMNS = ("staff_hours", "campaign_staff_hours")
"""Per-run facts summarised beside the KPIs (person-hours of units in the measured window)."""


@dataclass(frozen=True, slots=True)
class PolicyVariant:
    """A policy as a sweep names it: a base policy, with or without the scenario's campaigns,
    and a campaign at equal staff-hours or on top of the rota in overtime."""

    base: str
    campaigns: bool
    overtime: bool = False
    """The campaign comes on top of the everyday rota (paid in overtime), not out of it."""

    @property
    def name(self) -> str:
        """``base``, ``base@campaign`` or ``base@campaign+overtime``."""
        if not self.campaigns:
            return self.base
        return self.base + (OVERTIME_SUFFIX if self.overtime else CAMPAIGN_SUFFIX)

    @classmethod
    def parse(cls, text: str) -> PolicyVariant:
        """Parse ``posts+mobile``, ``posts+mobile@campaign`` or ``…@campaign+overtime``.

        Raises
        ------
        ScenarioError
            The base policy or the suffix is unknown.
        """
        base, sep, variant = text.strip().partition("@")
        if base not in BASE_POLICY_NAMES or (
            sep and variant not in ("campaign", "campaign+overtime")
        ):
            raise ScenarioError(
                [
                    f"--policy: unknown policy {text!r}; expected one of "
                    f"{', '.join(BASE_POLICY_NAMES)}, optionally followed by "
                    f"{CAMPAIGN_SUFFIX} (at equal staff-hours) or "
                    f"{OVERTIME_SUFFIX} (on top of the rota)"
                ]
            )
        return cls(base, bool(sep), variant == "campaign+overtime")


def campaign_window_problems(
    scenario: Scenario, days: int, variants: Sequence[PolicyVariant]
) -> list[str]:
    """A line per campaign variant when no campaign date falls in the measured days.

    The measured days run from the end of the warm-up to ``days``; a campaign variant that
    never meets a campaign there would be compared with an identical arm.
    """
    asked = [v.name for v in variants if v.campaigns]
    if not asked or not scenario.campaigns:
        return []
    first = scenario.start_date + dt.timedelta(days=scenario.warmup_days)
    last = scenario.start_date + dt.timedelta(days=days - 1)
    if any(c.start <= last and c.end >= first for c in scenario.campaigns):
        return []
    needed = min((c.start - scenario.start_date).days + 1 for c in scenario.campaigns)
    spans = "; ".join(f"{c.name} {c.start} to {c.end}" for c in scenario.campaigns)
    return [
        f"--policy: {', '.join(asked)}: no campaign falls in the days simulated "
        f"({first} to {last}), so the arm would equal the one without it; the campaigns "
        f"run {spans}: simulate at least --days {needed}, or leave out @campaign"
    ]


@dataclass(frozen=True, slots=True)
class SweepSpec:
    """What to simulate.

    Parameters
    ----------
    staffing
        Staffing levels, fractions of the staff list (> 0; 1 = the staff list as it is).
    policies
        Policy names, e.g. ``("posts+mobile", "hotspot", "posts+mobile@campaign")``. The
        first is the baseline of the paired comparisons.
    reps
        Replications per cell (>= 2 for confidence intervals).
    days
        Days per run (default: the scenario's horizon).
    seed
        First seed (>= 0).
    common_random_numbers
        Every cell uses seeds ``seed .. seed + reps - 1`` (default); otherwise every cell gets
        its own seeds (for studying what CRN buys).
    confidence
        Two-sided confidence level of the intervals.
    """

    staffing: tuple[float, ...]
    policies: tuple[str, ...]
    reps: int
    days: int | None = None
    seed: int = 0
    common_random_numbers: bool = True
    confidence: float = 0.95

    def __post_init__(self) -> None:
        problems = []
        if not self.staffing:
            problems.append("--staffing: give at least one level")
        bad = [s for s in self.staffing if not (math.isfinite(s) and s > 0)]
        if bad:
            problems.append(f"--staffing: must be positive numbers (got {bad[0]!r})")
        if len(set(self.staffing)) != len(self.staffing):
            problems.append("--staffing: a level is given twice")
        if not self.policies:
            problems.append("--policy: give at least one policy")
        for name in self.policies:
            try:
                PolicyVariant.parse(name)
            except ScenarioError as exc:
                problems.extend(exc.problems)
        if len(set(self.policies)) != len(self.policies):
            problems.append("--policy: a policy is given twice")
        if self.reps < 1:
            problems.append(f"--reps: must be at least 1 (got {self.reps})")
        if self.days is not None and self.days < 1:
            problems.append(f"--days: must be at least 1 (got {self.days})")
        if self.seed < 0:
            problems.append(f"--seed: must be at least 0 (got {self.seed})")
        if not 0 < self.confidence < 1:
            problems.append(f"confidence: must be between 0 and 1 (got {self.confidence})")
        if problems:
            raise ScenarioError(problems)

    @property
    def runs(self) -> int:
        """Number of runs in the sweep."""
        return len(self.staffing) * len(self.policies) * self.reps


@dataclass(frozen=True, slots=True)
class RunTask:
    """Everything a worker needs for one run (small and picklable)."""

    key: RunKey
    scenario_dir: str
    base_policy: str
    campaigns: bool
    steady_staffing: float
    """The staffing the steady rota runs at (below ``key.staffing`` for campaign variants)."""


# One scenario per worker process, loaded on first use (workers get the folder, not the
# object: see the module docstring of patrolsim.experiment.sweep and docs/sweeps.md).
_SCENARIOS: dict[tuple[str, str], Scenario] = {}


def _worker_scenario(folder: str, content_hash: str) -> Scenario:
    cached = _SCENARIOS.get((folder, content_hash))
    if cached is not None:
        return cached

    scenario = load_scenario(folder)
    if scenario.content_hash != content_hash:
        raise PatrolsimError(
            f"{folder}: on worker {socket.gethostname()} the scenario's files differ from the "
            f"ones the sweep started with (hash {scenario.content_hash[:12]} ≠ "
            f"{content_hash[:12]}); give every machine the same scenario folder"
        )
    _SCENARIOS.clear()
    _SCENARIOS[(folder, content_hash)] = scenario
    return scenario


def unit_staff_hours(units: pd.DataFrame, warmup_min: float) -> tuple[float, float]:
    """Person-hours of ``units`` (a ``SimResult.units`` table) starting after ``warmup_min``.

    Returns
    -------
    tuple[float, float]
        Steady units' hours and campaign units' hours.
    """
    measured = units[units["start"] >= warmup_min]
    hours = (
        (measured["certified"] + measured["auxiliaries"])
        * (measured["end"] - measured["start"])
        / 60.0
    )
    campaign = measured["kind"] == "campaign"
    return float(hours[~campaign].sum()), float(hours[campaign].sum())


def run_task(task: RunTask) -> RunRecord:
    """Simulate one run (in a worker) and return its record."""

    t0 = time.perf_counter()
    c0 = time.process_time()
    scenario = _worker_scenario(task.scenario_dir, task.key.scenario_hash)
    result = simulate(
        scenario,
        task.base_policy,
        task.key.seed,
        days=task.key.days,
        staffing=task.steady_staffing,
        campaigns=task.campaigns,
    )
    steady, campaign = unit_staff_hours(result.units, result.warmup_min)
    kpis = {k: float(v) for k, v in result.kpis.items()}
    if task.steady_staffing != task.key.staffing:
        # a campaign variant's people come out of the budget at its nominal staffing

        rates = scenario.levers.costs
        kpis["annual_cost"] += staff_cost(
            scale_staff(scenario.staff, task.key.staffing), rates
        ) - staff_cost(scale_staff(scenario.staff, task.steady_staffing), rates)
    info = {
        "steady_staffing": task.steady_staffing,
        "campaigns": task.campaigns,
        "staff_hours": steady + campaign,
        "campaign_staff_hours": campaign,
        "wall_s": round(time.perf_counter() - t0, 3),
        "cpu_s": round(time.process_time() - c0, 3),
        "host": socket.gethostname(),
        "patrolsim": __version__,
    }
    return RunRecord(task.key, kpis, info)


def planned_staff_hours(
    scenario: Scenario, staffing: float, days: int, campaigns: bool
) -> tuple[float, float]:
    """Person-hours the default rota plans at ``staffing``, over the measured window.

    Every base policy forms the same units (they differ only in how units patrol), so this
    holds for all of them.

    Returns
    -------
    tuple[float, float]
        Steady units' hours and (if ``campaigns``) campaign units' hours.
    """

    ctx = PolicyContext(
        scenario,
        scale_staff(scenario.staff, staffing),
        days,
        base_intensity(scenario, days),
        stream(0, "patrol"),
        campaigns,
    )
    policy = make_policy("mobile")
    steady = campaign = 0.0
    for day in range(scenario.warmup_days, days):
        for spec in policy.units(ctx, day):
            hours = len(spec.members) * (spec.end - spec.start) / 60.0
            if spec.kind == "campaign":
                campaign += hours
            else:
                steady += hours
    return steady, campaign


def equal_hours_staffing(scenario: Scenario, staffing: float, days: int) -> float:
    """The steady staffing of a campaign variant with the staff-hours of ``staffing``.

    See the module docstring. Returns ``staffing`` itself when no campaign falls inside the
    measured window.

    Raises
    ------
    ScenarioError
        The campaigns need at least as many staff-hours as the whole budget at ``staffing``.

    Warns
    -----
    PatrolsimWarning
        Whole people cannot match the budget within 5 %; the closest match is used.
    """
    budget, _ = planned_staff_hours(scenario, staffing, days, campaigns=False)
    _, campaign = planned_staff_hours(scenario, staffing, days, campaigns=True)
    if campaign == 0.0:
        return staffing
    target = budget - campaign

    cache: dict[tuple[str, ...], float] = {}  # by staff list: many levels give the same one

    def hours(s: float) -> float:
        people = tuple(m.id for m in scale_staff(scenario.staff, s))
        if people not in cache:
            cache[people] = planned_staff_hours(scenario, s, days, campaigns=False)[0]
        return cache[people]

    lo, hi = 0.0, staffing  # hours(lo) <= target < hours(hi)
    for _ in range(16):
        mid = (lo + hi) / 2.0
        if hours(mid) <= target:
            lo = mid
        else:
            hi = mid
    best = min(
        (s for s in (lo, hi) if s > 0), key=lambda s: (abs(hours(s) - target), s), default=0.0
    )
    if target <= 0 or best == 0.0:
        raise ScenarioError(
            [
                f"--staffing: at {staffing:g} the campaigns need {campaign:.0f} staff-hours, "
                f"the whole budget of {budget:.0f}, so @campaign cannot be compared at equal "
                f"staff-hours there: use larger levels"
            ]
        )
    if abs(hours(best) - target) > EQUAL_HOURS_TOLERANCE * budget:
        warnings.warn(
            f"at staffing {staffing:g}, @campaign variants have {hours(best) + campaign:.0f} "
            f"staff-hours instead of {budget:.0f} ({(hours(best) + campaign) / budget - 1:+.0%}):"
            f" the staff list is too small to match more closely in whole people",
            PatrolsimWarning,
            stacklevel=2,
        )
    for digits in (2, 3, 4):  # a short number with the same staff list, if there is one
        scale = 10.0**digits
        for short in (math.ceil(best * scale) / scale, math.floor(best * scale) / scale):
            if short > 0 and hours(short) == hours(best):
                return short
    return best


def plan_runs(
    scenario: Scenario, spec: SweepSpec, scenario_dir: str | None = None
) -> list[RunTask]:
    """The runs of ``spec``: staffing ascending, policies in the order given, then seeds.

    Raises
    ------
    ScenarioError
        ``days`` does not fit the scenario, or a campaign variant is asked of a scenario
        without campaigns (every problem, one line each).
    """
    days = scenario.horizon_days if spec.days is None else spec.days
    problems = []
    if not scenario.warmup_days < days <= scenario.horizon_days:
        problems.append(
            f"--days: must be more than the warm-up of {scenario.warmup_days} "
            f"days and at most the horizon of {scenario.horizon_days} (got {days})"
        )
    variants = [PolicyVariant.parse(p) for p in spec.policies]
    if any(v.campaigns for v in variants) and not scenario.campaigns:
        problems.append(f"--policy: {CAMPAIGN_SUFFIX}: the scenario has no [[campaigns]]")
    elif not problems:
        problems += campaign_window_problems(scenario, days, variants)
    if problems:
        raise ScenarioError(problems)
    folder = str(Path(scenario_dir or scenario.folder).resolve())
    steady: dict[float, float] = {}
    tasks = []
    cell = 0
    for staffing in sorted(spec.staffing):
        for variant in variants:
            equal_hours = variant.campaigns and not variant.overtime
            if equal_hours and staffing not in steady:
                steady[staffing] = equal_hours_staffing(scenario, staffing, days)
            s_steady = steady[staffing] if equal_hours else staffing
            for seed in replication_seeds(spec.seed, spec.reps, cell, spec.common_random_numbers):
                key = RunKey(scenario.content_hash, float(staffing), variant.name, seed, days)
                tasks.append(RunTask(key, folder, variant.base, variant.campaigns, s_steady))
            cell += 1
    return tasks


@dataclass(frozen=True, slots=True)
class SweepResult:
    """A finished sweep: one row per run, the summary, paired differences, recommendation."""

    spec: SweepSpec
    scenario_name: str
    scenario_hash: str
    results: pd.DataFrame = field(repr=False)
    """``results.csv``: staffing, policy, seed and the KPI columns, one row per run."""
    summary_table: pd.DataFrame = field(repr=False)
    """``summary.csv``: staffing, policy, kpi, mean, ci_low, ci_high, n."""
    differences: pd.DataFrame = field(repr=False)
    """``differences.csv``: each policy minus the baseline (first policy), paired by seed."""
    recommendation: Recommendation
    steady_staffing: pd.DataFrame = field(repr=False)
    """Per cell: the staffing its steady rota ran at (differs for campaign variants)."""
    ran: int
    """Runs simulated by this call."""
    skipped: int
    """Runs found in the store and not simulated again."""
    wall_s: float

    def summary(self) -> str:
        """A few lines: what ran, and the recommendation."""
        return (
            f"sweep of {self.scenario_name}: {len(self.results)} runs "
            f"({self.ran} run now, {self.skipped} already recorded) in {self.wall_s:.0f} s\n"
            + self.recommendation.summary()
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The summary table: staffing, policy, kpi, mean, ci_low, ci_high, n."""
        return self.summary_table.copy()


def _manifest(
    scenario: Scenario, spec: SweepSpec, tasks: Sequence[RunTask], state: str
) -> dict[str, Any]:
    return {
        "patrolsim": __version__,
        "scenario": scenario.name,
        "scenario_folder": tasks[0].scenario_dir if tasks else scenario.folder,
        "scenario_hash": scenario.content_hash,
        "staffing": list(spec.staffing),
        "policies": list(spec.policies),
        "reps": spec.reps,
        "days": tasks[0].key.days if tasks else spec.days,
        "seed": spec.seed,
        "common_random_numbers": spec.common_random_numbers,
        "confidence": spec.confidence,
        "runs": len(tasks),
        "state": state,
    }


def _progress_bar(total: int, initial: int, enabled: bool) -> Any:

    return tqdm(
        total=total,
        initial=initial,
        unit="run",
        desc="sweep",
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.05,
    )


def execute(
    tasks: Sequence[RunTask],
    store: ResultStore,
    executor: cf.Executor | None = None,
    progress: bool = True,
    done: int = 0,
    on_record: Callable[[RunRecord], None] | None = None,
) -> int:
    """Run ``tasks`` and record each as it finishes; return how many were recorded.

    Parameters
    ----------
    tasks
        Runs not yet recorded.
    store
        Where records go (written by this process, atomically, one per run).
    executor
        Any :class:`concurrent.futures.Executor`; ``None`` runs here one after the other.
    progress
        Show a progress bar with the rate and time left (on standard error).
    done
        Runs recorded before (the bar starts there).
    on_record
        Called with each record after it is stored.

    Raises
    ------
    PatrolsimError
        Some runs failed (after every other run was recorded); the message names the first.
    """
    bar = _progress_bar(len(tasks) + done, done, progress)
    failures: list[tuple[RunTask, BaseException]] = []
    recorded = 0

    def keep(record: RunRecord) -> None:
        nonlocal recorded
        store.put(record)
        recorded += 1
        bar.update(1)
        if on_record is not None:
            on_record(record)

    try:
        if executor is None:
            for task in tasks:
                try:
                    record = run_task(task)
                except Exception as exc:  # reported below, after the other runs
                    failures.append((task, exc))
                    continue
                keep(record)
        else:
            futures = {executor.submit(run_task, task): task for task in tasks}
            try:
                for future in cf.as_completed(futures):
                    error = future.exception()
                    if error is not None:
                        failures.append((futures[future], error))
                        continue
                    keep(future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        bar.close()
    if failures:
        first, error = failures[0]
        raise PatrolsimError(
            f"{len(failures)} of {len(tasks)} runs failed; the others are recorded. First: "
            f"staffing {first.key.staffing:g}, {first.key.policy}, seed {first.key.seed}: "
            f"{type(error).__name__}: {error}"
        )
    return recorded


def run_sweep(
    scenario: Scenario,
    spec: SweepSpec,
    out: str | os.PathLike[str],
    executor: cf.Executor | None = None,
    progress: bool = True,
    scenario_dir: str | None = None,
    tasks: Sequence[RunTask] | None = None,
) -> SweepResult:
    """Run every run of ``spec`` not yet recorded under ``out``; summarise all of them.

    Parameters
    ----------
    scenario
        The district (loaded here; workers load it again from ``scenario_dir``).
    spec
        The grid.
    out
        Output folder: the results store lives in ``out/runs``; see :func:`write_outputs`.
    executor
        Any :class:`concurrent.futures.Executor` (see :func:`open_executor`); ``None`` runs
        in this process.
    progress
        Show a progress bar.
    scenario_dir
        The scenario folder as the workers can read it (default: ``scenario.folder``).
    tasks
        ``plan_runs(scenario, spec, scenario_dir)`` if already computed.
    """
    t0 = time.perf_counter()
    if tasks is None:
        tasks = plan_runs(scenario, spec, scenario_dir)
    store = ResultStore(out)
    store.clean()
    keys = [t.key for t in tasks]
    done = store.done(keys)
    # Largest staff first: the costliest runs start early and the last ones to finish are
    # short, so workers do not wait on one long straggler at the end.
    pending = sorted(
        (t for t in tasks if t.key not in done), key=lambda t: (-t.steady_staffing, t.campaigns)
    )
    write_json(Path(out) / "manifest.json", _manifest(scenario, spec, tasks, "running"))
    ran = execute(pending, store, executor, progress, done=len(done))
    records = [store.get(k) for k in keys]
    found = [r for r in records if r is not None]
    if len(found) != len(tasks):
        raise PatrolsimError(
            f"{out}: {len(tasks) - len(found)} runs are missing from the "
            f"store after the sweep; run it again"
        )
    results = pd.DataFrame([r.row() for r in found], columns=list(RESULT_COLUMNS))
    infos = pd.DataFrame(
        [{"staffing": r.key.staffing, "policy": r.key.policy, **r.info} for r in found]
    )
    for col in HOURS_COLUMNS:
        results[col] = infos[col].to_numpy(dtype=float)
    table = summarise(results, (*KPI_NAMES, *HOURS_COLUMNS), spec.confidence)
    differences = paired_differences(results, spec.policies[0], KPI_NAMES, spec.confidence)
    results = results[list(RESULT_COLUMNS)]
    steady = (
        infos.groupby(["staffing", "policy"], sort=False)["steady_staffing"].first().reset_index()
    )
    rec = recommend(table, scenario.targets, spec.policies, spec.confidence)
    write_json(Path(out) / "manifest.json", _manifest(scenario, spec, tasks, "finished"))
    return SweepResult(
        spec,
        scenario.name,
        scenario.content_hash,
        results,
        table,
        differences,
        rec,
        steady,
        ran,
        len(done),
        time.perf_counter() - t0,
    )


def _csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")


def write_outputs(result: SweepResult, out: str | os.PathLike[str]) -> list[Path]:
    """Write the tables and the recommendation under ``out`` atomically; return their paths.

    The files are ``results.csv``, ``summary.csv``, ``differences.csv``,
    ``steady_staffing.csv`` and ``recommendation.json``.
    """
    folder = Path(out)
    paths = [
        folder / "results.csv",
        folder / "summary.csv",
        folder / "differences.csv",
        folder / "steady_staffing.csv",
    ]
    for frame, path in zip(
        (result.results, result.summary_table, result.differences, result.steady_staffing),
        paths,
        strict=True,
    ):
        _csv(frame, path)
    rec = {
        "scenario": result.scenario_name,
        "scenario_hash": result.scenario_hash,
        **result.recommendation.to_json(),
    }
    paths.append(write_json(folder / "recommendation.json", rec))
    return paths


@contextlib.contextmanager
def open_executor(workers: int | None = None, dask: str | None = None) -> Iterator[cf.Executor]:
    """An executor for :func:`run_sweep`, closed (and its pending work cancelled) on exit.

    Parameters
    ----------
    workers
        Local worker processes (default: the number of CPUs).
    dask
        Address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``: runs go to its workers
        through ``distributed.Client(dask).get_executor()``. Every worker needs patrolsim
        installed and the scenario folder readable at the same path.
    """
    if dask is None:
        pool = local_executor(workers)
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise PatrolsimError(
            "--dask needs the 'distributed' package: pip install 'dask[distributed]'"
        ) from exc
    try:
        client = Client(dask, timeout="20s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise ScenarioError([f"--dask: cannot reach a Dask scheduler at {dask} ({exc})"]) from exc
    try:
        executor = client.get_executor(pure=False)  # type: ignore[no-untyped-call]
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
    finally:
        client.close()  # type: ignore[no-untyped-call]
