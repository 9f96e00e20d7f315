"""Score the routes solver on the public TOPTW benchmark: product path, specialised solver, PyVRP.

For each instance and number of routes m it reports side by side:

* **product**: :func:`patrolsim.routing.toptw.solve_toptw`, the solver the district's routes
  use, with its default deterministic budget (or ``--branches``), as ``patrolsim routes
  --toptw`` runs it;
* **specialised**: OR-Tools then the iterated local search of
  :mod:`benchmarks.toptw.improve` (the benchmark-only solver for problems without meal breaks,
  revisit gaps or choice stops), on a wall-clock budget of ``--time-limit`` seconds;
* **PyVRP** (the ``bench`` extra, when installed) on the same wall-clock budget.

Every solution is checked with the independent checker of :mod:`patrolsim.formats.toptw`.
Sets: the Righini–Salani Solomon-based 100-customer files with m = 1 (exact optima in
bks.csv) and Cordeau pr01–pr10 with m = 1..4. ``--subset`` runs a representative part (see
:data:`SUBSET`) when all 69 runs would take too long on a shared machine.

Usage::

    nice python benchmarks/routes_toptw.py [--subset] [--time-limit 10] [--branches N]
        [--sets solomon,cordeau] [--only c101,pr01] [--teams 1,2] [--no-pyvrp]
        [--no-specialised] [--csv results.csv] [--cache DIR] [--no-write]

With ``--cache DIR`` each run's row is kept in ``DIR`` as JSON and reused, so instances can
be run in separate processes and the section written from all of them afterwards.

The gap is ``(best known - score) / best known``; a negative gap means the run beat the
value in bks.csv (possible for r104 and r108, whose values are unproven lower bounds).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from patrolsim.formats.toptw import TOPTWInstance, check_solution, read_toptw
from patrolsim.routing import RoutingParams
from patrolsim.routing.toptw import solve_toptw, toptw_problem, toptw_result

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._results import write_section
from benchmarks.toptw.improve import ImproveParams, solve_specialised

ROOT = (
    Path(
        os.environ.get(
            "PATROLSIM_BENCHMARKS", Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
        )
    )
    / "toptw"
)
SETS = {
    "solomon": ("solomon_100_righini_salani", (1,)),
    "cordeau": ("cordeau_pr01_10", (1, 2, 3, 4)),
}
SUBSET = {
    "solomon": ("c101", "c105", "r101", "r105", "r109", "rc101", "rc105"),
    "cordeau": ("pr01", "pr02", "pr05", "pr07"),
}
"""Representative instances: clustered, random and mixed Solomon files with tight (x01) and
looser (x05, r109) windows; Cordeau files of 48, 96, 240 and 72 customers."""


def read_bks(root: Path) -> dict[tuple[str, int], int]:
    """Best-known scores from ``bks.csv`` keyed by (instance, m)."""
    out: dict[tuple[str, int], int] = {}
    with (root / "bks.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["instance"], int(row["m"])] = int(row["score"])
    return out


def solve_pyvrp(
    inst: TOPTWInstance, teams: int, time_limit_s: float, seed: int = 0
) -> tuple[int, bool, float]:
    """Solve with PyVRP (prize-collecting VRPTW) on the same integer ticks; check the result."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    travel = inst.travel_ticks()
    service = inst.to_ticks(inst.service)
    open_t = inst.to_ticks(inst.open)
    close_t = inst.to_ticks(inst.close)
    # The prize must outweigh any travel: total travel < teams * Tmax + 1.
    weight = int(teams * close_t[0] + 1)
    m = Model()
    locs = [m.add_location(float(inst.x[i]), float(inst.y[i])) for i in range(inst.num_nodes)]
    depot = m.add_depot(locs[0], tw_early=int(open_t[0]), tw_late=int(close_t[0]))
    m.add_vehicle_type(
        num_available=teams,
        start_depot=depot,
        end_depot=depot,
        tw_early=int(open_t[0]),
        tw_late=int(close_t[0]),
    )
    for i in range(1, inst.num_nodes):
        m.add_client(
            locs[i],
            service_duration=int(service[i]),
            tw_early=int(open_t[i]),
            tw_late=int(close_t[i]),
            prize=int(inst.score[i]) * weight,
            required=False,
        )
    for i in range(inst.num_nodes):
        for j in range(inst.num_nodes):
            if i != j:
                m.add_edge(locs[i], locs[j], distance=int(travel[i, j]), duration=int(travel[i, j]))
    t0 = time.perf_counter()
    res = m.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    wall = time.perf_counter() - t0
    # Client activities carry the 0-based client index: client k is node k + 1.
    routes = [[int(a.idx) + 1 for a in r if a.is_client()] for r in res.best.routes()]
    check = check_solution(inst, routes, teams)
    return check.score, check.feasible and res.best.is_feasible(), wall


def _run(
    set_name: str,
    inst: TOPTWInstance,
    teams: int,
    best: int | None,
    product: RoutingParams,
    timed: RoutingParams,
    special: bool,
    have_pyvrp: bool,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Solve one instance and m with each solver; the row of figures."""
    res = solve_toptw(inst, teams, product)
    row: dict[str, Any] = {
        "set": set_name,
        "instance": inst.name,
        "m": teams,
        "bks": best,
        "score": res.score,
        "gap_pct": _gap(best, res.score),
        "time_s": round(res.solution.wall_s, 2),
        "feasible": res.feasible,
    }
    if special:
        sol = solve_specialised(toptw_problem(inst, teams), timed, ImproveParams(seed=args.seed))
        sres = toptw_result(inst, teams, sol)
        row.update(
            special_score=sres.score,
            special_gap_pct=_gap(best, sres.score),
            special_time_s=round(sol.wall_s, 2),
            special_feasible=sres.feasible,
        )
    if have_pyvrp:
        pscore, pfeas, pwall = solve_pyvrp(inst, teams, args.time_limit, args.seed)
        row.update(
            pyvrp_score=pscore,
            pyvrp_gap_pct=_gap(best, pscore),
            pyvrp_time_s=round(pwall, 2),
            pyvrp_feasible=pfeas,
        )
    return row


def _score(row: dict[str, Any], score: str, feasible: str) -> str:
    return f"{row[score]}" + ("" if row[feasible] else " INFEASIBLE")


def _gap(best: int | None, score: int) -> float | None:
    return None if best is None else 100.0 * (best - score) / best


def _fmt(gap: float | None) -> str:
    return "-" if gap is None else f"{gap:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the ``toptw`` section; return 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="seconds for the specialised solver and PyVRP",
    )
    ap.add_argument(
        "--branches", type=int, default=0, help="product budget (default: RoutingParams' default)"
    )
    ap.add_argument("--sets", default="solomon,cordeau")
    ap.add_argument("--subset", action="store_true", help="only the instances in SUBSET")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--teams", default="", help="comma-separated m values (default: per set)")
    ap.add_argument("--no-pyvrp", action="store_true")
    ap.add_argument("--no-specialised", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", default="", help="also write the rows to this CSV file")
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    ap.add_argument("--cache", default="", help="folder to keep and reuse each run's row")
    args = ap.parse_args(argv)
    if not ROOT.is_dir():
        print(f"benchmark folder not found: {ROOT}", file=sys.stderr)
        return 2
    try:
        import pyvrp  # noqa: F401

        have_pyvrp = not args.no_pyvrp
    except ImportError:
        have_pyvrp = False
    special = not args.no_specialised
    bks = read_bks(ROOT)
    only = {s for s in args.only.split(",") if s}
    product = RoutingParams(seed=args.seed)
    if args.branches:
        product = RoutingParams(branch_limit=args.branches, seed=args.seed)
    timed = RoutingParams(deterministic=False, time_limit_s=args.time_limit, seed=args.seed)
    cache = Path(args.cache) if args.cache else None
    rows: list[dict[str, Any]] = []
    cols = ["set", "inst", "m", "bks", "product", "gap %", "s"]
    if special:
        cols += ["specialised", "gap %", "s"]
    if have_pyvrp:
        cols += ["PyVRP", "gap %", "s"]
    table = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    print(" ".join(cols), flush=True)
    for set_name in args.sets.split(","):
        folder, teams_list = SETS[set_name]
        if args.teams:
            teams_list = tuple(int(t) for t in args.teams.split(","))
        for path in sorted((ROOT / folder).glob("*.txt")):
            if only and path.stem not in only:
                continue
            if args.subset and path.stem not in SUBSET[set_name]:
                continue
            inst = read_toptw(path)
            for teams in teams_list:
                best = bks.get((inst.name, teams))
                key = cache / f"{inst.name}-m{teams}.json" if cache else None
                if key is not None and key.is_file():
                    row = json.loads(key.read_text(encoding="utf-8"))
                else:
                    row = _run(
                        set_name, inst, teams, best, product, timed, special, have_pyvrp, args
                    )
                    if key is not None:
                        key.parent.mkdir(parents=True, exist_ok=True)
                        key.write_text(json.dumps(row), encoding="utf-8")
                cells = [
                    set_name,
                    inst.name,
                    str(teams),
                    str(best or "-"),
                    _score(row, "score", "feasible"),
                    _fmt(row["gap_pct"]),
                    f"{row['time_s']:.1f}",
                ]
                if special:
                    cells += [
                        _score(row, "special_score", "special_feasible"),
                        _fmt(row["special_gap_pct"]),
                        f"{row['special_time_s']:.1f}",
                    ]
                if have_pyvrp:
                    cells += [
                        _score(row, "pyvrp_score", "pyvrp_feasible"),
                        _fmt(row["pyvrp_gap_pct"]),
                        f"{row['pyvrp_time_s']:.1f}",
                    ]
                rows.append(row)
                table.append("| " + " | ".join(cells) + " |")
                print(" ".join(cells), flush=True)
    summary: list[str] = []
    for set_name in args.sets.split(","):
        sel = [r for r in rows if r["set"] == set_name and r["gap_pct"] is not None]
        for teams in sorted({int(r["m"]) for r in sel}):  # type: ignore[call-overload]
            sub = [r for r in sel if r["m"] == teams]
            text = f"{set_name} m={teams} ({len(sub)} runs): mean gap product " + _mean(
                sub, "gap_pct"
            )
            if special:
                text += ", specialised " + _mean(sub, "special_gap_pct")
            if have_pyvrp:
                text += ", PyVRP " + _mean(sub, "pyvrp_gap_pct")
            summary.append(text)
        infeasible = sum(1 for r in sel if not r["feasible"])
        summary.append(f"{set_name}: {infeasible} infeasible product solutions")
    print("\n".join(summary))
    if args.csv and rows:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    if not args.no_write and rows:
        note = (
            f"product: `solve_toptw` (the district's solver), deterministic budget of "
            f"{product.branch_limit:,} branches and {product.solution_limit:,} solutions per "
            f"search, {product.restarts} restarts; specialised: OR-Tools then the iterated "
            f"local search of `benchmarks/toptw/improve.py`, {args.time_limit:g} s wall clock; "
            f"PyVRP: {args.time_limit:g} s wall clock. Gap to bks.csv in %; s: wall seconds "
            f"on the shared machine, whose load average was {os.getloadavg()[0]:.0f} when this "
            f"was written: the wall-clock solvers then get a fraction of a core, and the "
            f"product's deterministic budget takes longer but finds the same routes."
        )
        body = (
            note + "\n\n" + "\n".join(table) + "\n\n" + "\n".join(f"- {line}" for line in summary)
        )
        command = "python benchmarks/routes_toptw.py " + " ".join(argv or sys.argv[1:])
        write_section(
            "toptw", "TOPTW: product path, specialised solver, PyVRP", command.strip(), body
        )
    return 0


def _mean(rows: list[dict[str, object]], key: str) -> str:
    vals = [float(r[key]) for r in rows if r.get(key) is not None]  # type: ignore[arg-type]
    return f"{sum(vals) / len(vals):.2f}%" if vals else "-"


if __name__ == "__main__":
    raise SystemExit(main())
