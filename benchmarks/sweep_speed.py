"""Wall time of a 300-run staffing sweep, and the speed-up of 2 Dask workers over 1.

Usage::

    python benchmarks/sweep_speed.py                 # both measurements (about 10 min)
    python benchmarks/sweep_speed.py --only sweep    # the 300-run sweep on 2 local workers
    python benchmarks/sweep_speed.py --only dask --dask-runs 24

*Sweep*: the reference district (``scenarios/nanhu``), 10 staffing levels (0.5, 0.6, …, 1.4)
× 3 policies (posts+mobile, hotspot, posts+mobile@campaign) × 10 replications, 91 days each,
on a local pool of 2 worker processes, into a fresh results store. Target: ≤ 5 min.

*Dask*: the same kind of runs (91 days, the first levels and policies of the grid) on a
``distributed.LocalCluster`` with 1 worker process, then with 2 (one thread each); the
speed-up is the ratio of wall times, excluding cluster start-up and each worker's one-off
imports and scenario load. Target: ≥ 1.8×.

Both figures depend on the machine being otherwise idle: the load average before and after
is printed. Run it with nothing else heavy running.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

if not __package__:  # run as a script: make the repository importable for benchmarks._results
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._results import write_section
from patrolsim.errors import PatrolsimWarning
from patrolsim.experiment.store import ResultStore
from patrolsim.experiment.sweep import SweepSpec, open_executor, plan_runs, run_sweep
from patrolsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
STAFFING = tuple(round(0.5 + 0.1 * i, 1) for i in range(10))
POLICIES = ("posts+mobile", "hotspot", "posts+mobile@campaign")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def bench_sweep(scenario_dir: Path, workers: int, reps: int, days: int) -> float:
    """Run the 300-run sweep into a fresh folder; print and return its wall time."""
    scenario = load_scenario(scenario_dir)
    spec = SweepSpec(STAFFING, POLICIES, reps, days)
    out = Path(tempfile.mkdtemp(prefix="sweep_speed_"))
    print(
        f"sweep: {spec.runs} runs ({len(STAFFING)} levels × {len(POLICIES)} policies × "
        f"{reps} reps, {days} days) on {workers} local workers; {_load()}",
        flush=True,
    )
    try:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PatrolsimWarning)
            with open_executor(workers=workers) as pool:
                result = run_sweep(
                    scenario, spec, out, pool, progress=True, scenario_dir=str(scenario_dir)
                )
        wall = time.perf_counter() - t0
        infos = ResultStore(out).infos([t.key for t in plan_runs(scenario, spec)])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    busy, cpu = float(infos["wall_s"].sum()), float(infos["cpu_s"].sum())
    n = len(result.results)
    print(
        f"sweep: {n} runs in {wall:.1f} s wall ({wall / 60:.2f} min; target ≤ 5 min); {_load()}",
        flush=True,
    )
    print(
        f"sweep: workers busy {busy / (wall * workers):.0%} of the time; a run took "
        f"{busy / n:.2f} s wall and {cpu / n:.2f} s CPU on average; with {workers} idle "
        f"cores the sweep would take about {cpu / workers / 60:.2f} min (CPU time / workers)",
        flush=True,
    )
    return wall


def _warm(folder: str, content_hash: str) -> None:
    """Import the simulator and load the scenario in a worker (as its first run would)."""
    import patrolsim.sim.engine  # noqa: F401
    from patrolsim.experiment.sweep import _worker_scenario

    _worker_scenario(folder, content_hash)


def bench_dask(scenario_dir: Path, runs: int, days: int) -> float:
    """Time ``runs`` runs on a LocalCluster with 1 and then 2 workers; return the speed-up."""
    from distributed import Client, LocalCluster

    scenario = load_scenario(scenario_dir)
    cells = [(s, p) for s in STAFFING for p in POLICIES[:2]]
    reps = 3
    n_cells = max(1, runs // reps)
    levels = tuple(dict.fromkeys(s for s, _ in cells[:n_cells]))
    spec = SweepSpec(levels, POLICIES[:2], reps, days)
    times: dict[int, float] = {}
    busy_share: dict[int, float] = {}
    for n in (1, 2):
        out = Path(tempfile.mkdtemp(prefix=f"sweep_dask{n}_"))
        try:
            with (
                LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                Client(cluster) as client,
            ):
                # Imports and the scenario load happen once per worker; do them before timing.
                client.run(_warm, str(scenario_dir.resolve()), scenario.content_hash)
                executor = client.get_executor(pure=False)
                t0 = time.perf_counter()
                run_sweep(
                    scenario, spec, out, executor, progress=False, scenario_dir=str(scenario_dir)
                )
                times[n] = time.perf_counter() - t0
            infos = ResultStore(out).infos([t.key for t in plan_runs(scenario, spec)])
        finally:
            shutil.rmtree(out, ignore_errors=True)
        busy, cpu = float(infos["wall_s"].sum()), float(infos["cpu_s"].sum())
        busy_share[n] = busy / (times[n] * n)
        print(
            f"dask: {spec.runs} runs on a LocalCluster with {n} worker(s): "
            f"{times[n]:.1f} s; workers busy {busy / (times[n] * n):.0%}; a run took "
            f"{busy / spec.runs:.2f} s wall, {cpu / spec.runs:.2f} s CPU; {_load()}",
            flush=True,
        )
    speedup = times[1] / times[2]
    print(f"dask: speed-up of 2 workers over 1: {speedup:.2f}× (target ≥ 1.8×)", flush=True)
    # Dask's own share: how much of the time the workers spent inside runs. On cores that
    # nothing else uses, a run's wall time is its CPU time, and the speed-up is about
    # 2 × busy(2) / busy(1); a lower measured figure means the cores were shared.
    estimate = 2 * busy_share[2] / busy_share[1]
    print(
        f"dask: estimate on 2 otherwise idle cores: {estimate:.2f}× "
        f"(2 × busy share with 2 workers / busy share with 1)",
        flush=True,
    )
    return speedup


def main(argv: list[str] | None = None) -> int:
    """Run the chosen measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "nanhu")
    parser.add_argument("--only", choices=("sweep", "dask"), default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--days", type=int, default=91)
    parser.add_argument(
        "--dask-runs", type=int, default=24, help="runs for each Dask measurement (default 24)"
    )
    args = parser.parse_args(argv)
    rows = []
    if args.only in (None, "sweep"):
        wall = bench_sweep(args.scenario, args.workers, args.reps, args.days)
        rows.append(
            f"| {len(STAFFING) * len(POLICIES) * args.reps}-run sweep, {args.workers} "
            f"local workers, {args.days} days | {wall / 60:.2f} min | ≤ 5 min |"
        )
    if args.only in (None, "dask"):
        speedup = bench_dask(args.scenario, args.dask_runs, args.days)
        rows.append(f"| Dask LocalCluster, 2 workers over 1 | {speedup:.2f}× | ≥ 1.8× |")
    write_section(
        f"sweep-speed-{args.only or 'all'}",
        "Sweep speed",
        "python benchmarks/sweep_speed.py" + (f" --only {args.only}" if args.only else ""),
        f"Machine load when it finished: {_load()}. Wall times depend on the machine being "
        "otherwise idle.\n\n| what | figure | target |\n|---|---|---|\n" + "\n".join(rows),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
