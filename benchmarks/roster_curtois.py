"""Curtois & Qu shift-scheduling instances through the product's roster solver, side by side.

Usage::

    nice python -m benchmarks.roster_curtois 1-10 --work-limit 30
    nice python -m benchmarks.roster_curtois 1-10 --solver both --time-limit 120
    nice python -m benchmarks.roster_curtois 11 12 --solver specialised --time-limit 300

(from the repository root, so that ``benchmarks`` is importable).
By default each instance goes through the product path: the adapter
:mod:`patrolsim.roster.curtois` and the district roster's CP-SAT core, the solver a bureau
runs, under a deterministic budget (``--work-limit`` units of CP-SAT deterministic time,
interleaved searches: reproducible on a busy machine). ``--solver specialised`` runs the
benchmark-only solver of :mod:`benchmarks.curtois.model` (column generation, branch-and-price and
neighbourhood search under a wall-clock limit, default 120 s) and ``--solver both`` runs the
two. Every objective is recomputed by the independent evaluator
(:func:`patrolsim.formats.curtois.evaluate_curtois`), which also counts broken hard rules.

The rows are printed as they come and the table is written to the ``curtois`` section of
``benchmarks/RESULTS.md`` (:func:`benchmarks._results.write_section`), beside the
specialised solver's figures recorded in :data:`SPECIALISED_RECORDED`.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks._results import write_section
from benchmarks.curtois.model import CURTOIS_PARAMS, build_curtois_model, solve_curtois
from patrolsim.formats.curtois import read_curtois
from patrolsim.roster.cpsat import REPRODUCIBLE_WORKERS, RosterParams
from patrolsim.roster.curtois import solve_curtois_roster

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "shift-scheduling"

#: Default deterministic budget of the product path per instance (CP-SAT deterministic seconds).
PRODUCT_WORK_LIMIT = 30.0

#: Default wall-clock limit of the specialised solver per instance (seconds).
SPECIALISED_TIME_LIMIT = 120.0

#: The specialised solver on Instances 1–10 at 120 s, 2 workers, seed 0 (commit 8bec770, the
#: last run before it left the package): every one at the best known value; 1–6 and 10
#: proved optimal (1–6 each within 53 s, 10 in 8.8–15.7 s over runs), 7–9 stopped at the
#: limit. ``{instance: (objective, note)}``.
SPECIALISED_RECORDED: dict[str, tuple[int, str]] = {
    "Instance1": (607, "optimal, ≤ 53 s"),
    "Instance2": (828, "optimal, ≤ 53 s"),
    "Instance3": (1001, "optimal, ≤ 53 s"),
    "Instance4": (1716, "optimal, ≤ 53 s"),
    "Instance5": (1143, "optimal, ≤ 53 s"),
    "Instance6": (1950, "optimal, ≤ 53 s"),
    "Instance7": (1056, "120 s"),
    "Instance8": (1300, "120 s"),
    "Instance9": (439, "120 s"),
    "Instance10": (4631, "optimal, 8.8–15.7 s"),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One instance's figures: bounds, product path, specialised solver."""

    instance: str
    lower_bound: int
    best_known: int
    product: tuple[int, int, str, float, float] | None = None
    """(objective, hard violations, status, solver bound, seconds)."""
    specialised: tuple[int | None, int, str, float] | None = None
    """(objective, hard violations, status, seconds)."""


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
        return {
            r["instance"]: (int(r["lower_bound"]), int(r["best_known_ub"]))
            for r in csv.DictReader(fh)
        }


def _gap(objective: int | None, best: int) -> str:
    if objective is None or best <= 0:
        return "n/a"
    return f"{(objective - best) / best:+.2%}"


def run_product(path: Path, params: RosterParams) -> tuple[int, int, str, float, float]:
    """Solve one instance through the product path; (objective, violations, status, bound, s)."""
    t0 = time.perf_counter()
    res = solve_curtois_roster(read_curtois(path), params)
    return (
        res.objective,
        len(res.evaluation.violations),
        res.roster.status,
        res.roster.best_bound,
        time.perf_counter() - t0,
    )


def run_specialised(path: Path, params: RosterParams) -> tuple[int | None, int, str, float]:
    """Solve one instance with the specialised solver; (objective, violations, status, s)."""
    t0 = time.perf_counter()
    res = solve_curtois(build_curtois_model(read_curtois(path)), params)
    return res.objective, len(res.violations), res.status, time.perf_counter() - t0


def table(rows: list[Row], product_budget: str, specialised_budget: str | None) -> str:
    """The side-by-side Markdown table: product path, specialised solver in this run (when
    run) and as recorded."""
    spec_head = f"specialised, this run ({specialised_budget})" if specialised_budget else None
    head = [
        "instance",
        "lower bound",
        "best known",
        f"product ({product_budget})",
        "gap",
        "hard violations",
        "status",
        "time s",
    ]
    if spec_head:
        head += [spec_head, "gap"]
    head += ["specialised, recorded (120 s)", "gap"]
    lines = [
        "| " + " | ".join(head) + " |",
        "|---|"
        + "---:|" * 3
        + "---:|---:|---|---:|"
        + ("---:|---:|" if spec_head else "")
        + "---:|---:|",
    ]
    for r in rows:
        cells = [r.instance, str(r.lower_bound), str(r.best_known)]
        if r.product is not None:
            obj, bad, status, bound, secs = r.product
            state = status if status == "OPTIMAL" else f"{status}, bound {bound:.0f}"
            cells += [str(obj), _gap(obj, r.best_known), str(bad), state, f"{secs:.1f}"]
        else:
            cells += ["—"] * 5
        if spec_head:
            if r.specialised is not None:
                sobj, sbad, sstatus, ssecs = r.specialised
                bad_note = f", {sbad} hard violations" if sbad else ""
                cells += [f"{sobj} ({sstatus}, {ssecs:.1f} s{bad_note})", _gap(sobj, r.best_known)]
            else:
                cells += ["—", "—"]
        if r.instance in SPECIALISED_RECORDED:
            robj, note = SPECIALISED_RECORDED[r.instance]
            cells += [f"{robj} ({note})", _gap(robj, r.best_known)]
        else:
            cells += ["—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


NOTES = """\
The product path is `patrolsim roster --curtois FILE`: the adapter
`patrolsim/roster/curtois.py` turns the instance into a district `RosterProblem` (one squad,
one certified officer per unit, the instance's limits as `StaffLimits`, `CannotFollow` as
forbidden successions, requests as weighted preferences, cover with its own under/over
weights) and the district roster's CP-SAT model solves it. Every rule of the benchmark is
expressed, so the roster's objective equals the evaluator's and hard violations are 0; the
evaluator recomputes both independently. "gap" is against the best known value; "time" is
wall time on this shared 2-core machine (other jobs running), so only the deterministic budget
is comparable between runs: the same budget and seed give the same roster.

The specialised solver (`benchmarks/curtois/`: column generation, branch-and-price over
weekends and night plans, a support search and a neighbourhood search, all under a
wall-clock limit) is written for this benchmark only. Its "this run" column (when present)
comes from the same run as the product column, so under the same load: its wall-clock
limit buys less search on a busy machine. Its "recorded" column was not re-run by this
command: it holds its last 120-s run before it left the package (2 workers, seed 0, commit
8bec770)."""


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("instances", nargs="+", help="instance numbers or ranges, e.g. 1-10 14")
    ap.add_argument(
        "--solver",
        choices=("product", "specialised", "both"),
        default="product",
        help="the product's roster model (default), the benchmark-only solver, or both",
    )
    ap.add_argument(
        "--work-limit",
        type=float,
        default=None,
        metavar="UNITS",
        help="product path: CP-SAT deterministic time per instance (default "
        f"{PRODUCT_WORK_LIMIT:g}; ignored with --time-limit)",
    )
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="wall-clock seconds per instance: the specialised solver's limit "
        f"(default {SPECIALISED_TIME_LIMIT:g}) and, if given, the product's "
        "instead of --work-limit",
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="CP-SAT workers (default: 2 interleaved under a work limit, 2 racing under a "
        "time limit)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dir", type=Path, default=Path(os.environ.get("CURTOIS_DIR", DEFAULT_DIR)))
    ap.add_argument("--csv", type=Path, help="also append the rows to this CSV file")
    ap.add_argument(
        "--no-results",
        action="store_true",
        help="do not write the curtois section of benchmarks/RESULTS.md",
    )
    ap.add_argument("--progress", action="store_true", help="print improving solutions")
    args = ap.parse_args(argv)
    bounds = _bounds(args.dir)

    wall = args.time_limit is not None
    work = None if wall else (args.work_limit or PRODUCT_WORK_LIMIT)
    if work is None:
        product_params = RosterParams.wall_clock(
            args.time_limit, seed=args.seed, workers=args.workers or 2, progress=args.progress
        )
    else:
        product_params = RosterParams.reproducible(
            work,
            seed=args.seed,
            workers=args.workers or REPRODUCIBLE_WORKERS,
            progress=args.progress,
        )
    product_budget = (
        f"{args.time_limit:g} s wall, {product_params.num_workers} workers"
        if wall
        else f"work limit {work:g}, {product_params.num_workers} interleaved workers"
    )
    spec_limit = args.time_limit or SPECIALISED_TIME_LIMIT
    spec_params = dataclasses.replace(
        CURTOIS_PARAMS,
        time_limit_s=spec_limit,
        num_workers=args.workers or 2,
        seed=args.seed,
        progress=args.progress,
    )
    spec_budget = f"{spec_limit:g} s, {spec_params.num_workers} workers"

    header = (
        "instance",
        "best_known",
        "solver",
        "objective",
        "gap",
        "violations",
        "status",
        "seconds",
    )
    print(" ".join(f"{h:>12}" for h in header), flush=True)
    rows: list[Row] = []
    for n in _instances(args.instances):
        name = f"Instance{n}"
        path = args.dir / f"{name}.txt"
        lb, best = bounds.get(name, (-1, -1))
        row = Row(name, lb, best)
        out: list[tuple[str, int | None, int, str, float]] = []
        if args.solver in ("product", "both"):
            p = run_product(path, product_params)
            row = dataclasses.replace(row, product=p)
            out.append(("product", p[0], p[1], p[2], p[4]))
        if args.solver in ("specialised", "both"):
            s = run_specialised(path, spec_params)
            row = dataclasses.replace(row, specialised=s)
            out.append(("specialised", s[0], s[1], s[2], s[3]))
        rows.append(row)
        for solver, obj, bad, status, secs in out:
            line = (name, best, solver, obj, _gap(obj, best), bad, status, f"{secs:.1f}")
            print(" ".join(f"{v!s:>12}" for v in line), flush=True)
            if args.csv:
                new = not args.csv.exists()
                with args.csv.open("a", encoding="utf-8", newline="") as fh:
                    w = csv.writer(fh)
                    if new:
                        w.writerow(header)
                    w.writerow(line)
    if not args.no_results:
        command = "nice python -m benchmarks.roster_curtois " + shlex.join(
            sys.argv[1:] if argv is None else argv
        )
        body = table(
            rows,
            product_budget if args.solver != "specialised" else "not run",
            spec_budget if args.solver != "product" else None,
        )
        write_section(
            "curtois",
            "Curtois shift scheduling: product path and specialised solver",
            command,
            body + "\n\n" + NOTES,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
