"""Score the patrol route optimiser on the public TOPTW benchmark (and PyVRP side by side).

Runs the Righini–Salani Solomon-based 100-customer set with m = 1 (exact optima in bks.csv)
and Cordeau pr01–pr10 with m = 1..4, each with the same wall-clock budget, checks every
solution with the independent checker in :mod:`patrolsim.formats.toptw`, and prints score,
best known, gap and time per run and the mean gap per set. With PyVRP installed (the ``bench``
extra) it also solves every instance with PyVRP on the same budget.

Usage::

    nice python benchmarks/routes_toptw.py [--time-limit 10] [--sets solomon,cordeau]
        [--only c101,pr01] [--teams 1,2] [--no-pyvrp] [--csv results.csv]

The gap is ``(best known - score) / best known``; a negative gap means the run beat the
value in bks.csv (possible for r104 and r108, whose values are unproven lower bounds).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

from patrolsim.formats.toptw import TOPTWInstance, check_solution, read_toptw
from patrolsim.routing import RoutingParams
from patrolsim.routing.toptw import solve_toptw

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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; return 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--sets", default="solomon,cordeau")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--teams", default="", help="comma-separated m values (default: per set)")
    ap.add_argument("--no-pyvrp", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", default="", help="also write the rows to this CSV file")
    args = ap.parse_args(argv)
    if not ROOT.is_dir():
        print(f"benchmark folder not found: {ROOT}", file=sys.stderr)
        return 2
    try:
        import pyvrp  # noqa: F401

        have_pyvrp = not args.no_pyvrp
    except ImportError:
        have_pyvrp = False
    bks = read_bks(ROOT)
    only = {s for s in args.only.split(",") if s}
    params = RoutingParams(time_limit_s=args.time_limit, seed=args.seed)
    rows: list[dict[str, object]] = []
    head = f"{'set':8} {'inst':6} {'m':>2} {'score':>6} {'bks':>6} {'gap%':>6} {'time':>5} ok"
    if have_pyvrp:
        head += f" | {'pyvrp':>6} {'gap%':>6} {'time':>5} ok"
    print(head, flush=True)
    for set_name in args.sets.split(","):
        folder, teams_list = SETS[set_name]
        if args.teams:
            teams_list = tuple(int(t) for t in args.teams.split(","))
        for path in sorted((ROOT / folder).glob("*.txt")):
            if only and path.stem not in only:
                continue
            inst = read_toptw(path)
            for teams in teams_list:
                best = bks.get((inst.name, teams))
                res = solve_toptw(inst, teams, params)
                gap = None if best is None else 100.0 * (best - res.score) / best
                row: dict[str, object] = {
                    "set": set_name,
                    "instance": inst.name,
                    "m": teams,
                    "score": res.score,
                    "bks": best,
                    "gap_pct": gap,
                    "time_s": round(res.solution.wall_s, 2),
                    "feasible": res.feasible,
                }
                line = (
                    f"{set_name:8} {inst.name:6} {teams:>2} {res.score:>6} {best or '-':>6} "
                    f"{'-' if gap is None else f'{gap:6.2f}':>6} {res.solution.wall_s:5.1f} "
                    f"{'y' if res.feasible else 'N'}"
                )
                if have_pyvrp:
                    pscore, pfeas, pwall = solve_pyvrp(inst, teams, args.time_limit, args.seed)
                    pgap = None if best is None else 100.0 * (best - pscore) / best
                    row.update(
                        pyvrp_score=pscore,
                        pyvrp_gap_pct=pgap,
                        pyvrp_time_s=round(pwall, 2),
                        pyvrp_feasible=pfeas,
                    )
                    line += (
                        f" | {pscore:>6} {'-' if pgap is None else f'{pgap:6.2f}':>6} "
                        f"{pwall:5.1f} {'y' if pfeas else 'N'}"
                    )
                rows.append(row)
                print(line, flush=True)
    print()
    for set_name in args.sets.split(","):
        sel = [r for r in rows if r["set"] == set_name and r["gap_pct"] is not None]
        if not sel:
            continue
        for teams in sorted({int(r["m"]) for r in sel}):  # type: ignore[call-overload]
            sub = [r for r in sel if r["m"] == teams]
            mean = sum(float(r["gap_pct"]) for r in sub) / len(sub)  # type: ignore[arg-type]
            text = f"{set_name} m={teams}: mean gap {mean:.2f}% over {len(sub)}"
            if have_pyvrp:
                pm = sum(float(r["pyvrp_gap_pct"]) for r in sub) / len(sub)  # type: ignore[arg-type]
                text += f" | PyVRP {pm:.2f}%"
            print(text)
        mean = sum(float(r["gap_pct"]) for r in sel) / len(sel)  # type: ignore[arg-type]
        worst = sorted(sel, key=lambda r: -float(r["gap_pct"]))[:3]  # type: ignore[arg-type]
        text = f"{set_name} all: mean gap {mean:.2f}% over {len(sel)}; worst " + ", ".join(
            f"{r['instance']} m={r['m']} {float(r['gap_pct']):.2f}%"
            for r in worst  # type: ignore[arg-type]
        )
        if have_pyvrp:
            pm = sum(float(r["pyvrp_gap_pct"]) for r in sel) / len(sel)  # type: ignore[arg-type]
            text += f" | PyVRP mean gap {pm:.2f}%"
        print(text)
        infeasible = [r for r in sel if not r["feasible"]]
        print(f"{set_name}: {len(infeasible)} infeasible patrolsim solutions")
    if args.csv and rows:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
