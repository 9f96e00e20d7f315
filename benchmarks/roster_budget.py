"""The district roster under deterministic budgets: quality, CPU time and reproducibility.

Usage (from the repository root)::

    nice python -m benchmarks.roster_budget --work-limits 5 10 20 --time-limit 60

Solves one week of a scenario (default ``scenarios/nanhu`` from 2026-11-30, the default
cover) twice at each deterministic budget (interleaved searches), as ``patrolsim roster`` does
by default, and reports the objective, the bound, the CPU and wall time and whether the two
``roster.csv`` files are byte-identical; then once under a wall-clock limit on two workers
for comparison. Writes the ``roster-budget`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shlex
import sys
import time
from pathlib import Path

from benchmarks._results import write_section
from patrolsim.roster import RosterProblem, solve_roster
from patrolsim.roster.cpsat import DEFAULT_WORK_LIMIT, RosterParams
from patrolsim.roster.inputs import default_requirements
from patrolsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def _solve(
    problem: RosterProblem, params: RosterParams
) -> tuple[float, float, str, float, float, str, int]:
    """(objective, bound, status, CPU s, wall s, SHA-256 of the roster.csv text, shortfall
    penalty)."""
    c0, t0 = time.process_time(), time.perf_counter()
    roster = solve_roster(problem, params)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    digest = hashlib.sha256(roster.to_frame().to_csv(index=False).encode()).hexdigest()
    return (
        roster.objective,
        roster.best_bound,
        roster.status,
        cpu,
        wall,
        digest,
        roster.penalty_by_rule["shortfall"],
    )


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; return the exit status."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "nanhu")
    ap.add_argument("--week", default="2026-11-30")
    ap.add_argument("--work-limits", type=float, nargs="+", default=[5.0, DEFAULT_WORK_LIMIT, 20.0])
    ap.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="wall-clock reference on two workers (0: none)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-results", action="store_true")
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    start = dt.date.fromisoformat(args.week)
    problem = RosterProblem(sc, start, 7, default_requirements(sc, start, 7))
    lines = [
        "| budget | workers | run | objective | of which shortfall | bound | status | "
        "CPU s | wall s | roster.csv |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for work in args.work_limits:
        params = RosterParams.reproducible(work, seed=args.seed)
        runs = [_solve(problem, params) for _ in range(2)]
        same = "identical" if runs[0][5] == runs[1][5] else "DIFFERENT"
        for i, (obj, bound, status, cpu, wall, digest, short) in enumerate(runs, start=1):
            default = " (default)" if work == DEFAULT_WORK_LIMIT else ""
            row = (
                f"| work limit {work:g}{default} | {params.num_workers} interleaved | {i} | "
                f"{obj:.0f} | {short} | "
                f"{bound:.0f} | "
                f"{status} | {cpu:.1f} | {wall:.1f} | {digest[:12]} {same} |"
            )
            print(row, flush=True)
            lines.append(row)
    if args.time_limit > 0:
        params = RosterParams.wall_clock(args.time_limit, seed=args.seed)
        obj, bound, status, cpu, wall, digest, short = _solve(problem, params)
        row = (
            f"| {args.time_limit:g} s wall | 2 | 1 | {obj:.0f} | {short} | {bound:.0f} | "
            f"{status} | "
            f"{cpu:.1f} | {wall:.1f} | {digest[:12]} |"
        )
        print(row, flush=True)
        lines.append(row)
    if not args.no_results:
        command = "nice python -m benchmarks.roster_budget " + shlex.join(
            sys.argv[1:] if argv is None else argv
        )
        notes = (
            f"{sc.name}, week from {start}, default cover. Each deterministic budget is solved "
            "twice (two searches interleaved) with the same seed; the last column is the start "
            "of the "
            "SHA-256 of the roster.csv text and whether the two runs gave the same. CPU "
            "time is the process's (both searches'); wall time "
            "depends on the machine's load (a shared 2-core machine), the deterministic "
            "budget does not. Besides the shortfall (1000 per missing unit), the objective "
            "holds fairness, shift consistency, weekend pairs and surplus."
        )
        write_section(
            "roster-budget",
            "District roster under deterministic budgets",
            command,
            "\n".join(lines) + "\n\n" + notes,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
