"""District route quality: the product's routes at the default budget and at 10x, and PyVRP.

For nanhu (one day, each shift) and synthetic districts of 200 and 1,000 patches built like
nanhu (:func:`benchmarks.synthetic.synthetic_district`, day shift), with the
scenario's default units, it solves the district routes as ``patrolsim routes`` does
(:func:`~patrolsim.routing.solve_district_routes`, deterministic budget) at the default
budget and at ten times its branch and solution limits, and reports what the district solve
optimises: the violation-hours the stops save (``value``), the solver's integer prize as a
share of all the prize on offer, the strict-tier fixed posts met, and travel. Every plan is
checked with :func:`~patrolsim.routing.check_district_routes`. Squads are routed
independently, so for the synthetic districts the whole district is solved at the default
budget and a sample of squads (the first ``--squads``, 50 patches for two) at both budgets and
against PyVRP: ten times the budget on 40 squads would take hours on the shared machine.

PyVRP (the ``bench`` extra) is compared on each squad's problem *without the constraints
PyVRP cannot express*: the meal break and the revisit gap between two visits of one patch
(PyVRP has neither breaks nor start-to-start gaps between clients). Everything else is kept:
optional stops with their prizes (prize-collecting), single time windows, stop durations,
each unit's shift, the squad base, a patch's "first visit of the shift" alternatives (a
client group: at most one is made) and the fixed posts with several windows (a group of one
copy per window). A fixed post is mandatory *where it can be made*; PyVRP's required clients
are mandatory outright (no feasible solution when one cannot be reached in time), so a post
is an optional client worth ten times the largest prize instead. The product solves the same
relaxed problem with the same deterministic default budget, and PyVRP gets the product's wall
time on it; both are scored by the product's objective (posts, then prize, then travel), and
PyVRP's routes are checked against the relaxed problem's windows and shifts.

Usage::

    nice python benchmarks/routes_district.py [--cases nanhu,200,1000] [--shifts day,late]
        [--squads 2] [--no-pyvrp]
        [--date 2026-11-24] [--cache DIR] [--no-write]

With ``--cache DIR`` each measured row is kept in ``DIR`` as JSON and reused, so the cases can
be run in separate processes and the section written from all of them afterwards.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from patrolsim.demand.values import default_rates
from patrolsim.routing import RoutingParams, RoutingProblem, solve_problem
from patrolsim.routing.check import check_district_routes, check_routing_solution
from patrolsim.routing.district import (
    DutyUnit,
    build_squad_problem,
    default_units,
    solve_district_routes,
)
from patrolsim.routing.schedule import schedule_route
from patrolsim.scenario import Scenario, load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._results import write_section
from benchmarks.synthetic import synthetic_district

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FACTOR = 10


def _cases(names: list[str], shifts: set[str]) -> list[tuple[str, Scenario, str]]:
    nanhu = load_scenario(SCENARIOS / "nanhu")
    out: list[tuple[str, Scenario, str]] = []
    for name in names:
        if name == "nanhu":
            out.extend(
                ("nanhu", nanhu, st.name) for st in nanhu.shifts if not shifts or st.name in shifts
            )
        else:
            out.append((f"synthetic-{name}", synthetic_district(nanhu, int(name)), "day"))
    return out


def _units(scenario: Scenario, shift: str, squads: int | None) -> list[DutyUnit]:
    """The default units of the shift, of the first ``squads`` squads only when given."""
    units = default_units(scenario, scenario.shift(shift))
    keep = [sq.id for sq in scenario.squads][: squads or None]
    return [u for u in units if u.squad in keep]


def _district_row(
    scenario: Scenario, date: dt.date, shift: str, params: RoutingParams, squads: int | None
) -> dict[str, Any]:
    """Solve one district shift and measure it."""
    units = _units(scenario, shift, squads)
    plan = solve_district_routes(scenario, date, shift, units=units, params=params)
    sols = plan.solutions.values()
    prize = sum(s.prize for s in sols)
    total = 0
    posts = 0
    st = scenario.shift(shift)
    rates = default_rates(scenario, date)
    for sq in plan.solutions:
        sp = build_squad_problem(scenario, sq, [u for u in units if u.squad == sq], rates, st)
        total += sp.problem.total_prize
        posts += sum(sp.stop_post) + len(sp.closed_posts)
    return {
        "value": plan.prize,
        "prize": prize,
        "share": 100.0 * prize / max(total, 1),
        "posts": f"{posts - len(plan.unmet_posts)}/{posts}",
        "travel_min": sum(s.travel for s in sols) / 60.0,
        "stops": sum(len(r.stops) for r in plan.routes),
        "wall_s": plan.wall_s,
        "check": len(check_district_routes(scenario, plan)),
    }


def relax(problem: RoutingProblem) -> RoutingProblem:
    """The problem without what PyVRP cannot express: meal breaks and revisit gaps."""
    vehicles = tuple(
        dataclasses.replace(v, break_window=None, break_duration=0) for v in problem.vehicles
    )
    return dataclasses.replace(problem, vehicles=vehicles, min_gap=0)


def _key(problem: RoutingProblem, seqs: list[list[int]]) -> tuple[int, int, int]:
    """The product's objective, lexicographic: mandatory stops made, prize, minus travel."""
    made = [k for s in seqs for k in s]
    mand = sum(problem.stops[k].mandatory for k in made)
    prize = sum(problem.stops[k].prize for k in made)
    travel = 0
    for vi, seq in enumerate(seqs):
        v = problem.vehicles[vi]
        locs = [v.start_location, *(problem.stops[k].location for k in seq), v.end_location]
        if seq:
            travel += sum(int(problem.travel[a, b]) for a, b in itertools.pairwise(locs))
    return mand, prize, -travel


def solve_pyvrp(
    problem: RoutingProblem, seconds: float, seed: int = 0
) -> tuple[list[list[int]], bool]:
    """Solve a relaxed problem (no breaks, no gaps) with PyVRP; stop sequences per vehicle.

    Optional stops are clients with the prize times a weight above any one leg; a choice is a
    client group (at most one made); a fixed post is a client worth ten times the largest
    prize, or with several windows a group of one copy per window.
    """
    from pyvrp import Model, PenaltyParams, SolveParams
    from pyvrp.stop import MaxRuntime

    horizon = max(v.end_time for v in problem.vehicles)
    m = Model()
    used = sorted(
        {v.start_location for v in problem.vehicles}
        | {v.end_location for v in problem.vehicles}
        | {s.location for s in problem.stops}
    )
    # The product's weight (all shift time + 1) makes prizes so large that PyVRP's time-warp
    # penalty, capped at max_penalty, loses to them and its best solution breaks windows.
    # Twice the longest leg makes a prize outweigh any one detour, and the cap is raised above
    # the largest prize.
    weight = 2 * int(problem.travel[used][:, used].max()) + 1
    top = max((s.prize for s in problem.stops), default=1) * weight
    # A fixed post is mandatory where it can be made: in PyVRP an optional client (or group)
    # worth ten times the largest prize, since a required one that cannot be reached in time
    # leaves PyVRP with no feasible solution at all.
    post = 10 * top
    params = SolveParams(penalty=PenaltyParams(max_penalty=100.0 * top))
    locs = {loc: m.add_location(x=0, y=0) for loc in used}
    depots = {
        loc: m.add_depot(locs[loc])
        for loc in sorted(
            {v.start_location for v in problem.vehicles}
            | {v.end_location for v in problem.vehicles}
        )
    }
    for v in problem.vehicles:
        m.add_vehicle_type(
            num_available=1,
            start_depot=depots[v.start_location],
            end_depot=depots[v.end_location],
            tw_early=v.start_time,
            tw_late=v.end_time,
            name=v.name,
        )
    groups: dict[int, Any] = {}
    owner: list[int] = []  # PyVRP client index -> stop index
    for k, s in enumerate(problem.stops):
        wins = s.windows or ((0, horizon),)
        group = None
        if s.choice is not None:
            group = groups.get(s.choice)
            if group is None:
                group = groups[s.choice] = m.add_client_group(required=False)
        elif s.mandatory and len(wins) > 1:
            group = m.add_client_group(required=False)
        for a, b in wins:
            m.add_client(
                locs[s.location],
                service_duration=s.service,
                tw_early=a,
                tw_late=b,
                prize=post if s.mandatory else s.prize * weight,
                required=False,
                group=group,
                name=s.label,
            )
            owner.append(k)
    for a in used:
        for b in used:
            if a != b:
                d = int(problem.travel[a, b])
                m.add_edge(locs[a], locs[b], distance=d, duration=d)
    res = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False, params=params)
    by_type: dict[int, list[int]] = {}
    for r in res.best.routes():
        by_type[r.vehicle_type()] = [owner[int(a.idx)] for a in r if a.is_client()]
    seqs = [by_type.get(vi, []) for vi in range(len(problem.vehicles))]
    return seqs, bool(res.best.is_feasible())


def _pyvrp_rows(
    scenario: Scenario, date: dt.date, shift: str, params: RoutingParams, squads: int | None
) -> dict[str, Any]:
    """Product and PyVRP on every squad's relaxed problem, summed over the squads."""
    st = scenario.shift(shift)
    units = _units(scenario, shift, squads)
    rates = default_rates(scenario, date)
    out = {
        "ours_prize": 0,
        "ours_travel": 0,
        "ours_mand": 0,
        "ours_wall": 0.0,
        "py_prize": 0,
        "py_travel": 0,
        "py_mand": 0,
        "py_feasible": True,
        "mand": 0,
        "ours_check": 0,
    }
    for sq in sorted({u.squad for u in units}):
        sp = build_squad_problem(scenario, sq, [u for u in units if u.squad == sq], rates, st)
        prob = relax(sp.problem)
        t0 = time.perf_counter()
        sol = solve_problem(prob, params)
        wall = time.perf_counter() - t0
        seqs = [[v.stop for v in r.visits] for r in sol.routes]
        mand, prize, neg = _key(prob, seqs)
        out["ours_check"] += len(check_routing_solution(prob, sol))
        out["ours_prize"] += prize
        out["ours_travel"] += -neg
        out["ours_mand"] += mand
        out["ours_wall"] += wall
        out["mand"] += sum(s.mandatory for s in prob.stops)
        pseqs, feasible = solve_pyvrp(prob, max(wall, 0.5), params.seed)
        feasible &= all(schedule_route(prob, vi, seq) is not None for vi, seq in enumerate(pseqs))
        pm, pp, pneg = _key(prob, pseqs)
        out["py_prize"] += pp
        out["py_travel"] += -pneg
        out["py_mand"] += pm
        out["py_feasible"] &= feasible
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the measurement, print it and write the ``routes-district`` section."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="nanhu,200,1000")
    ap.add_argument("--date", default="2026-11-24")
    ap.add_argument("--no-pyvrp", action="store_true")
    ap.add_argument("--shifts", default="", help="nanhu's shifts to run (default: all)")
    ap.add_argument(
        "--squads",
        type=int,
        default=2,
        help="larger districts: squads sampled for 10x and PyVRP (default 2)",
    )
    ap.add_argument("--cache", default="", help="folder to keep and reuse measured rows")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    date = dt.date.fromisoformat(args.date)
    try:
        import pyvrp  # noqa: F401

        have_pyvrp = not args.no_pyvrp
    except ImportError:
        have_pyvrp = False
    base = RoutingParams()
    big = dataclasses.replace(
        base, branch_limit=FACTOR * base.branch_limit, solution_limit=FACTOR * base.solution_limit
    )
    lines = [
        f"Default budget: {base.branch_limit:,} search branches and {base.solution_limit:,} "
        f"solutions per squad and restart ({base.restarts} restarts); 10x: "
        f"{big.branch_limit:,} and {big.solution_limit:,}. value: violation-hours the stops "
        "save; prize %: the solver's integer prize as a share of all on offer; posts: strict-"
        "tier fixed posts met / all; check: problems found by the district checker; s: wall "
        f"seconds on the shared machine (load average {os.getloadavg()[0]:.0f} when written).",
        "",
        "| district | shift | units | value 1x | value 10x | prize % 1x | prize % 10x | posts 1x "
        "| posts 10x | travel min 1x | travel min 10x | s 1x | s 10x | check |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    py_lines = [
        "Without meal breaks and revisit gaps (PyVRP has neither); same default budget for "
        "the product, the product's wall time for PyVRP; prize and posts summed over squads. "
        "PyVRP's prize weight is twice the longest leg, not the product's (all shift time + 1): "
        "with that, PyVRP's time-warp penalty reached its cap and its best routes broke "
        "windows on the synthetic squads. So PyVRP weighs travel more than the product does, "
        "and its prize here is a lower bound of what it can collect.",
        "",
        "| district | shift | product prize | PyVRP prize | diff % | product posts | PyVRP posts "
        "| product travel min | PyVRP travel min | product s | PyVRP feasible |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    cache = Path(args.cache) if args.cache else None

    def cached(key: str, compute: Any) -> dict[str, Any]:
        if cache is None:
            return dict(compute())
        path = cache / f"{key}.json"
        if path.is_file():
            return dict(json.loads(path.read_text(encoding="utf-8")))
        row = compute()
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(row), encoding="utf-8")
        return dict(row)

    cases = _cases(args.cases.split(","), {x for x in args.shifts.split(",") if x})
    for name, scenario, shift in cases:
        n_squads = len(scenario.squads)
        if n_squads > args.squads:
            # Squads are routed independently: the whole district at the default budget, and a
            # sample of squads (the first ones) at both budgets and against PyVRP.
            full = cached(
                f"{name}-{shift}-1x",
                lambda sc=scenario, sh=shift: _district_row(sc, date, sh, base, None),
            )
            n_units = len(_units(scenario, shift, None))
            line = (
                f"| {name} (all {n_squads} squads) | {shift} | {n_units} | {full['value']:.1f} "
                f"| – | {full['share']:.1f} | – | {full['posts']} | – | "
                f"{full['travel_min']:.0f} | – | {full['wall_s']:.1f} | – | {full['check']} |"
            )
            lines.append(line)
            print(line, flush=True)
            label, squads, tag = f"{name} (squads 1–{args.squads})", args.squads, f"-s{args.squads}"
        else:
            label, squads, tag = name, None, ""
        n_units = len(_units(scenario, shift, squads))
        one = cached(
            f"{name}-{shift}{tag}-1x",
            lambda sc=scenario, sh=shift, q=squads: _district_row(sc, date, sh, base, q),
        )
        ten = cached(
            f"{name}-{shift}{tag}-10x",
            lambda sc=scenario, sh=shift, q=squads: _district_row(sc, date, sh, big, q),
        )
        line = (
            f"| {label} | {shift} | {n_units} | {one['value']:.1f} | {ten['value']:.1f} | "
            f"{one['share']:.1f} | {ten['share']:.1f} | {one['posts']} | {ten['posts']} | "
            f"{one['travel_min']:.0f} | {ten['travel_min']:.0f} | {one['wall_s']:.1f} | "
            f"{ten['wall_s']:.1f} | {one['check'] + ten['check']} |"
        )
        lines.append(line)
        print(line, flush=True)
        if have_pyvrp:
            r = cached(
                f"{name}-{shift}{tag}-pyvrp3",
                lambda sc=scenario, sh=shift, q=squads: _pyvrp_rows(sc, date, sh, base, q),
            )
            diff = 100.0 * (r["py_prize"] - r["ours_prize"]) / max(r["ours_prize"], 1)
            pline = (
                f"| {label} | {shift} | {r['ours_prize']} | {r['py_prize']} | {diff:+.1f} | "
                f"{r['ours_mand']}/{r['mand']} | {r['py_mand']}/{r['mand']} | "
                f"{r['ours_travel'] / 60:.0f} | {r['py_travel'] / 60:.0f} | "
                f"{r['ours_wall']:.1f} | {'yes' if r['py_feasible'] else 'NO'} |"
            )
            py_lines.append(pline)
            print(pline, flush=True)
    body = "\n".join(lines)
    if have_pyvrp:
        body += "\n\n### Against PyVRP\n\n" + "\n".join(py_lines)
    if not args.no_write:
        command = "python benchmarks/routes_district.py " + " ".join(argv or sys.argv[1:])
        write_section(
            "routes-district", "District routes: default budget, 10x, PyVRP", command.strip(), body
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
