"""Solve chosen Curtois & Qu shift-scheduling instances and print figures against the bounds.

Usage::

    python benchmarks/roster_curtois.py 1-10 --time-limit 120
    python benchmarks/roster_curtois.py 11 12 --time-limit 300 --workers 2 --csv results.csv

For each instance it prints the evaluated objective (recomputed by the independent evaluator),
the solver's lower bound, the published lower bound and best-known value, the gap to the best
known and the wall time. Run it with ``nice`` on a shared machine.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
import time
from pathlib import Path

from benchmarks.curtois.model import CURTOIS_PARAMS, build_curtois_model, solve_curtois
from patrolsim.formats.curtois import read_curtois

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "shift-scheduling"


def _instances(specs: list[str]) -> list[int]:
    """Expand ``1-10 12`` into ``[1, ..., 10, 12]``."""
    out: list[int] = []
    for spec in specs:
        lo, _, hi = spec.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def _bounds(folder: Path) -> dict[str, tuple[int, int]]:
    """``{instance name: (lower bound, best known)}`` from the benchmark's bounds.csv."""
    with (folder / "bounds.csv").open(encoding="utf-8", newline="") as fh:
        return {r["instance"]: (int(r["lower_bound"]), int(r["best_known_ub"]))
                for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="+", help="instance numbers or ranges, e.g. 1-10 14")
    ap.add_argument("--time-limit", type=float, default=120.0, help="seconds per instance")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dir", type=Path, default=Path(os.environ.get("CURTOIS_DIR", DEFAULT_DIR)))
    ap.add_argument("--csv", type=Path, help="also append the rows to this CSV file")
    ap.add_argument("--progress", action="store_true", help="print improving solutions")
    args = ap.parse_args(argv)
    bounds = _bounds(args.dir)
    params = dataclasses.replace(CURTOIS_PARAMS, time_limit_s=args.time_limit,
                                 num_workers=args.workers, seed=args.seed,
                                 progress=args.progress)
    header = ("instance", "objective", "solver_bound", "published_lb", "best_known",
              "gap_to_best_known", "status", "feasible", "build_s", "solve_s")
    print(" ".join(f"{h:>17}" for h in header), flush=True)
    for n in _instances(args.instances):
        name = f"Instance{n}"
        t0 = time.perf_counter()
        inst = read_curtois(args.dir / f"{name}.txt")
        built = build_curtois_model(inst)
        build_s = time.perf_counter() - t0
        res = solve_curtois(built, params)
        lb, best = bounds.get(name, (-1, -1))
        gap = (res.objective - best) / best if res.objective is not None and best > 0 else None
        row = (name, res.objective, f"{res.best_bound:.0f}", lb, best,
               "n/a" if gap is None else f"{gap:.2%}", res.status, not res.violations,
               f"{build_s:.1f}", f"{res.wall_time_s:.1f}")
        print(" ".join(f"{v!s:>17}" for v in row), flush=True)
        if args.csv:
            new = not args.csv.exists()
            with args.csv.open("a", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                if new:
                    w.writerow(header)
                w.writerow(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
