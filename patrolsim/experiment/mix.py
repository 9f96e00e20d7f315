"""The cheapest mix of staff, patrol policy and levers whose confidence intervals meet the targets.

A *mix* is a number of certified officers and of auxiliaries (each a fraction of the staff
list), a patrol policy, and a set of the scenario's levers switched on (stall zones, cameras,
shop-front contracts; :mod:`patrolsim.scenario.levers`). Its annual cost is the staff at their
rates, the enabled levers, and the overtime the simulation books (:mod:`patrolsim.sim.costs`).

The search (:func:`search_mix`) runs in three stages, every run with common random numbers
(mix ``m`` and replication ``r`` use seed ``seed + r`` whatever ``m`` is):

1. **Screening.** Every mix of the grid whose fixed cost (everything but overtime) is within
   the budget is simulated ``reps`` times. A mix *meets* a target when the whole confidence
   interval of the KPI's mean is on the right side of it, *fails* it when the whole interval
   is on the wrong side, and is *unclear* otherwise.
2. **Refinement.** The ``finalists`` cheapest mixes (by mean annual cost) that fail no target
   get ``reps_final − reps`` more replications; if none of them then meets every target, the
   next ``finalists`` do, until one meets every target or none is left. The *choice* is the
   cheapest mix that meets every target with ``reps_final`` replications.
3. **Confirmation.** The choice and the ``runners_up`` cheapest other mixes that fail no
   target (meeting or unclear, refined or not) are simulated
   again ``reps_final`` times with fresh seeds (``seed + CONFIRM_OFFSET + r``), independent of
   the ones that chose them. The report says whether the choice meets every target again, the
   share of its confirmation runs that met every target run by run, and which runners-up also
   meet — so a manager sees how sure the choice is. Selecting the cheapest of many noisy
   candidates favours lucky ones (the winner's curse); the independent confirmation is the
   check against that.

Cost of the search. With ``C`` certified levels, ``A`` auxiliary levels, ``P`` policies and
``L`` levers (each on or off) the grid has ``N = C·A·P·2^L`` mixes; the search simulates at
most ``N·reps + k·finalists·(reps_final − reps) + (1 + runners_up)·reps_final`` runs (``k``
refinement rounds, usually 1). The screening term dominates and doubles with every lever
added: for more than five or six levers, group them (one ``[[cameras]]`` entry for a set of
patches is one lever), fix the ones whose answer is known, or cap the grid with ``budget``.
Runs are independent and go through any :class:`concurrent.futures.Executor`, as in
:mod:`patrolsim.experiment.sweep`: a local process pool, or a Dask cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import math
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from patrolsim.errors import ScenarioError
from patrolsim.experiment.recommend import check_target
from patrolsim.experiment.replicate import mean_ci
from patrolsim.experiment.sweep import BASE_POLICY_NAMES, _worker_scenario
from patrolsim.scenario.model import Scenario, StaffMember, Target
from patrolsim.sim.costs import fixed_cost
from patrolsim.sim.engine import simulate
from patrolsim.sim.policies import scale_staff

CONFIRM_OFFSET = 100_000
"""Seeds of the confirmation runs start this far above the search's first seed."""
COST = "annual_cost"
SUMMARY_COLUMNS = (
    "mix",
    "certified",
    "auxiliary",
    "policy",
    "levers",
    "fixed_cost",
    "stage",
    "kpi",
    "mean",
    "ci_low",
    "ci_high",
    "n",
)


@dataclass(frozen=True, slots=True)
class Mix:
    """One configuration: staff by role, patrol policy, levers switched on."""

    certified: float
    """Fraction of the certified officers (and squad leaders) on the staff list."""
    auxiliary: float
    """Fraction of the auxiliaries on the staff list."""
    policy: str
    levers: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """E.g. ``c1-a0.5-hotspot+zone-P21+cameras-sites``."""
        parts = [f"c{self.certified:g}-a{self.auxiliary:g}-{self.policy}", *sorted(self.levers)]
        return "+".join(parts)


def mix_staff(
    staff: Sequence[StaffMember], certified: float, auxiliary: float
) -> tuple[StaffMember, ...]:
    """The staff list with ``certified`` × its officers and leaders, ``auxiliary`` × its
    auxiliaries (each stratified by squad, as :func:`~patrolsim.sim.policies.scale_staff`)."""
    officers = scale_staff([m for m in staff if m.role != "auxiliary"], certified)
    helpers = scale_staff([m for m in staff if m.role == "auxiliary"], auxiliary)
    return tuple(dataclasses.replace(m, index=i) for i, m in enumerate((*officers, *helpers)))


def mix_scenario(scenario: Scenario, mix: Mix) -> Scenario:
    """``scenario`` with the mix's staff list and exactly its levers enabled."""
    return dataclasses.replace(
        scenario,
        staff=mix_staff(scenario.staff, mix.certified, mix.auxiliary),
        levers=scenario.levers.with_enabled(set(mix.levers)),
    )


def mix_fixed_cost(scenario: Scenario, mix: Mix) -> float:
    """Annual cost of ``mix`` without overtime, yuan."""
    variant = mix_scenario(scenario, mix)
    return fixed_cost(variant.staff, variant.levers).total


@dataclass(frozen=True, slots=True)
class MixSpec:
    """What to search.

    Parameters
    ----------
    certified, auxiliary
        Levels of each role, fractions of the staff list (>= 0; certified > 0).
    policies
        Base patrol policies (``posts``, ``mobile``, ``posts+mobile``, ``hotspot``).
    levers
        Names of the scenario's levers to try on and off (default: all it defines).
    targets
        The targets (default: the scenario's); KPI names as in ``kpis.csv``.
    budget
        Largest fixed annual cost (yuan) of a mix to consider; ``None``: no limit.
    reps, reps_final
        Replications of the screening and of the finalists (2 <= reps <= reps_final).
    finalists, runners_up
        Mixes refined per round; runners-up confirmed with the choice.
    days
        Days per run (default: the scenario's horizon).
    seed
        First seed.
    confidence
        Two-sided confidence level of the intervals.
    """

    certified: tuple[float, ...]
    auxiliary: tuple[float, ...]
    policies: tuple[str, ...]
    levers: tuple[str, ...] | None = None
    targets: tuple[Target, ...] | None = None
    budget: float | None = None
    reps: int = 5
    reps_final: int = 10
    finalists: int = 6
    runners_up: int = 3
    days: int | None = None
    seed: int = 0
    confidence: float = 0.95

    def __post_init__(self) -> None:
        problems = []
        if not self.certified or any(not (math.isfinite(c) and c > 0) for c in self.certified):
            problems.append("--certified: give positive fractions, e.g. 0.75,1,1.25")
        if not self.auxiliary or any(not (math.isfinite(a) and a >= 0) for a in self.auxiliary):
            problems.append("--auxiliary: give fractions >= 0, e.g. 0,0.5,1")
        for p in self.policies:
            if p not in BASE_POLICY_NAMES:
                problems.append(
                    f"--policy: unknown policy {p!r}; expected one of "
                    f"{', '.join(BASE_POLICY_NAMES)}"
                )
        if not self.policies:
            problems.append("--policy: give at least one policy")
        if self.budget is not None and not self.budget > 0:
            problems.append(f"--budget: must be positive (got {self.budget:g})")
        if not 2 <= self.reps <= self.reps_final:
            problems.append(
                f"--reps: need 2 <= reps <= reps-final (got {self.reps}, {self.reps_final})"
            )
        if self.finalists < 1:
            problems.append(f"--finalists: must be at least 1 (got {self.finalists})")
        if self.runners_up < 0:
            problems.append(f"--runners-up: must be at least 0 (got {self.runners_up})")
        if self.seed < 0:
            problems.append(f"--seed: must be at least 0 (got {self.seed})")
        if not 0 < self.confidence < 1:
            problems.append(f"confidence: must be between 0 and 1 (got {self.confidence})")
        if problems:
            raise ScenarioError(problems)

    def grid(self, scenario: Scenario) -> list[Mix]:
        """Every mix of the grid (levers as subsets), cheapest fixed cost first.

        Raises
        ------
        ScenarioError
            A lever name the scenario does not define, or no targets.
        """
        names = scenario.levers.names() if self.levers is None else self.levers
        unknown = [n for n in names if n not in scenario.levers.names()]
        problems = [
            f"--levers: the scenario defines no lever {n!r}; it has "
            f"{', '.join(scenario.levers.names()) or 'none'}"
            for n in unknown
        ]
        if not self.target_list(scenario):
            problems.append("targets: the scenario has no [targets] and none were given (--target)")
        if problems:
            raise ScenarioError(problems)
        subsets = [
            frozenset(c) for r in range(len(names) + 1) for c in itertools.combinations(names, r)
        ]
        mixes = [
            Mix(c, a, p, s)
            for c in sorted(self.certified)
            for a in sorted(self.auxiliary)
            for p in self.policies
            for s in subsets
        ]
        costs = {m: mix_fixed_cost(scenario, m) for m in mixes}
        return sorted(mixes, key=lambda m: (costs[m], m.name))

    def target_list(self, scenario: Scenario) -> tuple[Target, ...]:
        """The targets the search must meet."""
        return scenario.targets if self.targets is None else self.targets


@dataclass(frozen=True, slots=True)
class MixTask:
    """One run of the search (small and picklable: workers load the scenario themselves)."""

    mix: Mix
    seed: int
    days: int
    scenario_dir: str
    scenario_hash: str
    stage: str


def run_mix_task(task: MixTask) -> dict[str, object]:
    """Simulate one run of the search (in a worker); return its row of ``runs.csv``."""

    t0 = time.perf_counter()
    c0 = time.process_time()
    scenario = _worker_scenario(task.scenario_dir, task.scenario_hash)
    variant = mix_scenario(scenario, task.mix)
    result = simulate(variant, task.mix.policy, task.seed, days=task.days, campaigns=False)
    row: dict[str, object] = {
        "mix": task.mix.name,
        "stage": task.stage,
        "seed": task.seed,
        **{k: float(v) for k, v in result.kpis.items()},
    }
    v = result.violations
    lo, hi = result.warmup_min, result.horizon_min
    hours = (
        np.clip(
            np.minimum(v["end"].to_numpy(), hi) - np.maximum(v["start"].to_numpy(), lo), 0.0, None
        )
        / 60.0
    )
    for i, name in enumerate(result.violation_types):
        row[f"violation_hours:{name}"] = float(hours[v["type"].to_numpy() == i].sum())
    row["wall_s"] = round(time.perf_counter() - t0, 3)
    row["cpu_s"] = round(time.process_time() - c0, 3)
    row["host"] = socket.gethostname()
    return row


def _status(
    rows: pd.DataFrame, targets: Sequence[Target], confidence: float
) -> tuple[str, dict[str, tuple[float, float, float, int]]]:
    """``meets``, ``fails`` or ``unclear`` for one mix's runs, and the intervals (with cost)."""
    cis = {}
    verdicts = []
    for t in targets:
        ci = mean_ci(rows[t.kpi], confidence)
        cis[t.kpi] = (ci.mean, ci.low, ci.high, ci.n)
        if check_target(t, ci.mean, ci.low, ci.high):
            verdicts.append("meets")
        elif (t.min is not None and ci.high < t.min) or (t.max is not None and ci.low > t.max):
            verdicts.append("fails")
        else:
            verdicts.append("unclear")
    ci = mean_ci(rows[COST], confidence)
    cis[COST] = (ci.mean, ci.low, ci.high, ci.n)
    if "fails" in verdicts:
        return "fails", cis
    return ("meets" if all(v == "meets" for v in verdicts) else "unclear"), cis


@dataclass(frozen=True, slots=True)
class MixResult:
    """A finished search: every run, every mix's intervals, the choice and its confirmation."""

    spec: MixSpec
    scenario_name: str
    targets: tuple[Target, ...]
    runs: pd.DataFrame = field(repr=False)
    """``runs.csv``: one row per run (mix, stage, seed, every KPI, violation-hours by type)."""
    table: pd.DataFrame = field(repr=False)
    """``mixes.csv``: one row per mix: its settings, fixed cost, status after the search,
    mean annual cost and the mean and interval of every target KPI (search seeds)."""
    choice: str | None
    """Name of the cheapest mix meeting every target, or ``None``."""
    confirmation: pd.DataFrame = field(repr=False)
    """``confirmation.csv``: the choice and the runners-up on fresh seeds: status, the share
    of runs meeting every target, and each target KPI's interval."""
    wall_s: float

    @property
    def confirmed(self) -> bool:
        """Whether the choice meets every target again on the fresh seeds."""
        c = self.confirmation
        if self.choice is None or c.empty:
            return False
        return bool((c.loc[c["mix"] == self.choice, "status"] == "meets").all())

    def chosen_row(self) -> pd.Series | None:
        """The choice's row of :attr:`table`."""
        if self.choice is None:
            return None
        return self.table[self.table["mix"] == self.choice].iloc[0]

    def summary(self) -> str:
        """What was searched, the choice, its cost and KPIs, and how sure it is (Chinese first)."""
        t = self.table
        lines = [
            f"配置搜索 mix search of {self.scenario_name}: {len(t)} mixes, {len(self.runs)} "
            f"runs in {self.wall_s:.0f} s; "
            f"{(t['status'] == 'meets').sum()} meet every target, "
            f"{(t['status'] == 'unclear').sum()} unclear, "
            f"{(t['status'] == 'fails').sum()} fail one"
        ]
        row = self.chosen_row()
        if row is None:
            lines.append(
                "没有满足全部目标的配置 no mix meets every target with its whole "
                "confidence interval; widen the grid or the budget"
            )
            return "\n".join(lines)
        lines.append(f"最省的达标配置 cheapest mix meeting every target: {row['mix']}")
        lines.append(
            f"  年度成本 annual cost {row['cost_mean'] / 1e4:.1f} 万元 (95% CI "
            f"{row['cost_ci_low'] / 1e4:.1f}–{row['cost_ci_high'] / 1e4:.1f}; "
            f"fixed {row['fixed_cost'] / 1e4:.1f})"
        )
        for target in self.targets:
            lines.append(
                f"  {target.kpi}: {row[target.kpi + ':mean']:.4g} (CI "
                f"{row[target.kpi + ':ci_low']:.4g}–{row[target.kpi + ':ci_high']:.4g})"
            )
        c = self.confirmation
        if not c.empty:
            mine = c[c["mix"] == self.choice].iloc[0]
            again = (
                "meets every target again"
                if mine["status"] == "meets"
                else f"does NOT meet every target again ({mine['status']})"
            )
            lines.append(
                f"  复核 confirmation on {int(mine['n'])} fresh seeds: {again}; "
                f"{mine['share_runs_meeting']:.0%} of its runs met every target"
            )
            others = c[c["mix"] != self.choice]
            for _, o in others.iterrows():
                lines.append(
                    f"  runner-up {o['mix']}: {o['status']} on fresh seeds, "
                    f"{o['cost_mean'] / 1e4:.1f} 万元"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The per-mix table (:attr:`table`)."""
        return self.table


def _tasks(
    mixes: Iterable[Mix],
    seeds: Iterable[int],
    days: int,
    folder: str,
    content_hash: str,
    stage: str,
) -> list[MixTask]:
    seeds = list(seeds)
    return [MixTask(m, s, days, folder, content_hash, stage) for m in mixes for s in seeds]


def _run(
    tasks: Sequence[MixTask],
    executor: cf.Executor | None,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    if executor is None:
        for i, task in enumerate(tasks):
            rows.append(run_mix_task(task))
            if progress is not None:
                progress(i + 1, len(tasks))
        return rows
    futures = [executor.submit(run_mix_task, t) for t in tasks]
    try:
        for i, future in enumerate(cf.as_completed(futures)):
            rows.append(future.result())
            if progress is not None:
                progress(i + 1, len(tasks))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return rows


def _mix_rows(
    mixes: Sequence[Mix],
    runs: pd.DataFrame,
    fixed: dict[Mix, float],
    targets: Sequence[Target],
    confidence: float,
) -> pd.DataFrame:
    out = []
    for m in mixes:
        rows = runs[runs["mix"] == m.name]
        status, cis = _status(rows, targets, confidence)
        record: dict[str, object] = {
            "mix": m.name,
            "certified": m.certified,
            "auxiliary": m.auxiliary,
            "policy": m.policy,
            "levers": "+".join(sorted(m.levers)),
            "fixed_cost": fixed[m],
            "status": status,
            "n": len(rows),
            "cost_mean": cis[COST][0],
            "cost_ci_low": cis[COST][1],
            "cost_ci_high": cis[COST][2],
            "share_runs_meeting": float(
                np.mean(
                    [all(t.met_by(float(r[t.kpi])) for t in targets) for _, r in rows.iterrows()]
                )
            )
            if len(rows)
            else math.nan,
        }
        for kpi, (mean, low, high, _) in cis.items():
            if kpi == COST:
                continue
            record[f"{kpi}:mean"] = mean
            record[f"{kpi}:ci_low"] = low
            record[f"{kpi}:ci_high"] = high
        out.append(record)
    return pd.DataFrame(out)


def search_mix(
    scenario: Scenario,
    spec: MixSpec,
    executor: cf.Executor | None = None,
    scenario_dir: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> MixResult:
    """Find the cheapest mix whose confidence intervals meet every target (module docstring).

    Parameters
    ----------
    scenario
        The district, loaded from ``scenario_dir`` (workers load it again from there).
    spec
        The grid and the search's settings.
    executor
        Any :class:`concurrent.futures.Executor`; ``None`` runs here, one run after another.
    scenario_dir
        The scenario folder as workers can read it (default ``scenario.folder``).
    progress
        Called with (stage, runs done, runs in the stage).

    Raises
    ------
    ScenarioError
        Bad settings, unknown levers, no targets, or no mix within the budget.
    """
    t0 = time.perf_counter()
    days = scenario.horizon_days if spec.days is None else spec.days
    if not scenario.warmup_days < days <= scenario.horizon_days:
        raise ScenarioError(
            [
                f"--days: must be more than the warm-up of {scenario.warmup_days} "
                f"days and at most the horizon of {scenario.horizon_days} "
                f"(got {days})"
            ]
        )
    targets = spec.target_list(scenario)
    mixes = spec.grid(scenario)
    fixed = {m: mix_fixed_cost(scenario, m) for m in mixes}
    if spec.budget is not None:
        mixes = [m for m in mixes if fixed[m] <= spec.budget]
        if not mixes:
            cheapest = min(fixed.values())
            raise ScenarioError(
                [
                    f"--budget: no mix of the grid costs at most "
                    f"{spec.budget:.0f} a year (the cheapest costs "
                    f"{cheapest:.0f})"
                ]
            )
    folder = scenario_dir or scenario.folder
    h = scenario.content_hash

    def report(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    search_seeds = range(spec.seed, spec.seed + spec.reps)
    rows = _run(_tasks(mixes, search_seeds, days, folder, h, "screen"), executor, report("screen"))
    runs = pd.DataFrame(rows)
    table = _mix_rows(mixes, runs, fixed, targets, spec.confidence)
    refined: list[Mix] = []
    choice: str | None = None
    more = range(spec.seed + spec.reps, spec.seed + spec.reps_final)
    while True:
        by_name = {m.name: m for m in mixes}
        open_ = table[(table["status"] != "fails") & ~table["mix"].isin([m.name for m in refined])]
        batch = [
            by_name[n] for n in open_.sort_values(["cost_mean", "mix"])["mix"].head(spec.finalists)
        ]
        if not batch:
            break
        if len(more):
            rows = _run(_tasks(batch, more, days, folder, h, "refine"), executor, report("refine"))
            runs = pd.concat([runs, pd.DataFrame(rows)], ignore_index=True)
        refined.extend(batch)
        table = _mix_rows(mixes, runs, fixed, targets, spec.confidence)
        final = table[table["mix"].isin([m.name for m in refined]) & (table["status"] == "meets")]
        if not final.empty:
            choice = str(final.sort_values(["cost_mean", "mix"])["mix"].iloc[0])
            break
    confirmation = pd.DataFrame()
    if choice is not None:
        # runners-up: the cheapest other mixes that fail no target, refined or not
        ranked = table[(table["status"] != "fails") & (table["mix"] != choice)]
        ranked = ranked.sort_values(["cost_mean", "mix"])
        names = [choice, *ranked["mix"].head(spec.runners_up)]
        chosen = [by_name[n] for n in names]
        fresh = range(spec.seed + CONFIRM_OFFSET, spec.seed + CONFIRM_OFFSET + spec.reps_final)
        rows = _run(_tasks(chosen, fresh, days, folder, h, "confirm"), executor, report("confirm"))
        confirm_runs = pd.DataFrame(rows)
        runs = pd.concat([runs, confirm_runs], ignore_index=True)
        confirmation = _mix_rows(chosen, confirm_runs, fixed, targets, spec.confidence)
    search = runs[runs["stage"] != "confirm"]
    table = _mix_rows(mixes, search, fixed, targets, spec.confidence)
    table = table.sort_values(["cost_mean", "mix"]).reset_index(drop=True)
    return MixResult(
        spec,
        scenario.name,
        tuple(targets),
        runs,
        table,
        choice,
        confirmation,
        time.perf_counter() - t0,
    )


def frontier(table: pd.DataFrame, kpi: str, lower_is_better: bool = True) -> pd.DataFrame:
    """The mixes no other mix beats on both mean annual cost and ``kpi``'s mean.

    Returns the rows of ``table`` (a :attr:`MixResult.table`) on the cost–KPI frontier,
    cheapest first.
    """
    col = f"{kpi}:mean"
    ordered = table.sort_values(["cost_mean", col], ascending=[True, lower_is_better])
    best = math.inf if lower_is_better else -math.inf
    keep = []
    for i, row in ordered.iterrows():
        value = float(row[col])
        if (value < best) if lower_is_better else (value > best):
            keep.append(i)
            best = value
    return ordered.loc[keep]


def print_progress(stage: str, done: int, total: int) -> None:
    """A one-line progress report on standard error."""
    end = "\n" if done == total else "\r"
    print(f"{stage}: {done}/{total} runs", end=end, file=sys.stderr, flush=True)
