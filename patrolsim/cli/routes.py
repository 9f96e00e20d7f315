"""``patrolsim routes``: patrol routes for a day's shifts, or a TOPTW benchmark instance.

District::

    patrolsim routes DIR --date YYYY-MM-DD [--roster ROSTER.csv] [--shift NAME]
                     [--branches N | --time-limit S] [--workers N] --out OUT

writes ``routes.csv``, ``sheets/*.html`` (one printable sheet per unit and shift),
``routes.geojson`` (local metres), ``map_<date>_<shift>.png``, ``planned.json`` (per unit the
``(patch_index, start_min, depart_min)`` visits the simulator's planned policy takes) and
``summary.json``. Without ``--roster`` the units come from the scenario's default cover.

Benchmark::

    patrolsim routes --toptw FILE --teams M [--branches N | --time-limit S] --out OUT

writes ``routes.csv`` (route,seq,node,arrival,start) and ``summary.json`` with the score, checked
by the independent checker of :mod:`patrolsim.formats.toptw`, solved by the same solver as the
district's routes.

The search stops after ``--branches`` OR-Tools branches per search by default, so the same
inputs give byte-identical routes on any machine; ``--time-limit`` stops it by the clock
instead (faster machines then search further, and two runs may differ). Squads are solved
``--workers`` at a time in worker processes (by default one per CPU), which changes the time
taken, not the routes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from patrolsim.errors import ScenarioError
from patrolsim.formats.route_exports import write_district_outputs
from patrolsim.formats.toptw import read_toptw
from patrolsim.outputs import run_folder, write_figure, write_json, write_text
from patrolsim.plan.units import route_units
from patrolsim.plotting.plot_routes import plot_routes
from patrolsim.roster.read import read_roster
from patrolsim.routing import RoutingParams
from patrolsim.routing.check import check_district_routes
from patrolsim.routing.district import default_units, planned_visits, solve_district_routes
from patrolsim.routing.toptw import solve_toptw
from patrolsim.scenario import load_scenario
from patrolsim.workers import process_pool


def register(sub: Any) -> None:
    """Add the ``routes`` subcommand."""
    p = sub.add_parser(
        "routes",
        help="plan patrol routes for a day (or solve a TOPTW benchmark file)",
        description="Plan every unit's patrol route for the shifts of one day, or solve a "
        "public TOPTW instance (--toptw).",
    )
    p.add_argument("scenario", metavar="DIR", nargs="?", help="scenario folder")
    p.add_argument("--roster", metavar="ROSTER.csv", help="roster with units per date and shift")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day to plan")
    p.add_argument("--shift", metavar="NAME", help="plan only this shift (default: all)")
    p.add_argument("--toptw", metavar="FILE", help="solve a TOPTW benchmark instance instead")
    p.add_argument("--teams", type=int, default=1, metavar="M", help="routes for --toptw")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument(
        "--branches",
        type=int,
        default=None,
        metavar="N",
        help="OR-Tools search branches per squad and restart (deterministic: the same input "
        "gives the same routes); the default budget",
    )
    budget.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="stop by the clock instead: seconds per shift (or per instance); routes may then "
        "differ between runs",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="squads solved at once, each in its own process (default: the number of CPUs); "
        "the routes are the same for any number",
    )
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="stop by counts, not the clock (the default; kept for older scripts)",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the route sheets: zh or en (default: scenario.toml's language)",
    )
    p.add_argument("--out", metavar="OUT", required=True, help="output folder")
    p.set_defaults(func=_run)


def _params(args: argparse.Namespace) -> RoutingParams:
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers:0: workers: must be >= 1 (got {args.workers})")
    if args.time_limit is not None:
        if not 0 < args.time_limit <= 86_400:
            raise ScenarioError(
                f"--time-limit:0: time-limit: must be > 0 and at most 86400 "
                f"seconds (got {args.time_limit})"
            )
        return RoutingParams(deterministic=False, time_limit_s=args.time_limit, seed=args.seed)
    if args.branches is None:
        return RoutingParams(seed=args.seed)
    if args.branches < 1:
        raise ScenarioError(f"--branches:0: branches: must be >= 1 (got {args.branches})")
    return RoutingParams(branch_limit=args.branches, seed=args.seed)


def _run(args: argparse.Namespace) -> int:
    if args.toptw:
        return _run_toptw(args)
    if not args.scenario:
        raise ScenarioError(
            "routes:0: DIR: a scenario folder or --toptw FILE is needed (got neither)"
        )
    return _run_district(args)


def _run_toptw(args: argparse.Namespace) -> int:
    if args.teams < 1:
        raise ScenarioError(f"--teams:0: teams: must be >= 1 (got {args.teams})")
    inst = read_toptw(args.toptw)
    params = _params(args)
    with run_folder(args.out) as out:
        return _solve_toptw(args, inst, params, out)


def _solve_toptw(args: argparse.Namespace, inst: Any, params: RoutingParams, out: Path) -> int:
    """Solve the instance and write its files into the staging folder ``out``."""
    res = solve_toptw(inst, args.teams, params)
    lines = ["route,seq,node,arrival,start"]
    for r, (nodes, arr, st) in enumerate(zip(res.routes, res.arrivals, res.starts, strict=True)):
        for k, (n, a, s) in enumerate(zip(nodes, arr, st, strict=True)):
            lines.append(f"{r + 1},{k + 1},{n},{a:.{inst.decimals}f},{s:.{inst.decimals}f}")
    write_text(out / "routes.csv", "\n".join(lines) + "\n")
    summary: dict[str, Any] = {
        "instance": inst.name,
        "file": str(args.toptw),
        "teams": args.teams,
        "score": res.score,
        "feasible": res.feasible,
        "violations": list(res.violations),
        "visits": sum(len(r) for r in res.routes),
        "time_s": round(res.solution.wall_s, 3),
        "branch_limit": params.branch_limit if params.deterministic else None,
        "time_limit_s": None if params.deterministic else params.time_limit_s,
        "rounding_decimals": inst.decimals,
        "checked_by": "patrolsim.formats.toptw.check_solution",
    }
    bks = _best_known(Path(args.toptw), inst.name, args.teams)
    if bks is not None:
        summary["best_known"] = bks
        summary["gap_pct"] = round(100.0 * (bks - res.score) / bks, 3)
    write_json(out / "summary.json", summary)
    print(res.summary())
    return 0


def _best_known(path: Path, name: str, teams: int) -> int | None:
    """The best-known score from a ``bks.csv`` in the instance's folder or its parent."""
    for folder in (path.parent, path.parent.parent):
        f = folder / "bks.csv"
        if f.is_file():
            with f.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("instance") == name and row.get("m") == str(teams):
                        return int(row["score"])
    return None


def _run_district(args: argparse.Namespace) -> int:
    """Read the inputs, then plan and write every shift's routes."""
    if not args.date:
        raise ScenarioError("routes:0: --date: needed with a scenario folder (got none)")
    try:
        date = dt.date.fromisoformat(args.date)
    except ValueError:
        raise ScenarioError(f"--date:0: date: not a date YYYY-MM-DD (got {args.date!r})") from None
    scenario = load_scenario(args.scenario)
    names = [s.name for s in scenario.shifts]
    if args.shift and args.shift not in names:
        raise ScenarioError(
            f"--shift:0: shift: unknown shift (got {args.shift!r}; known: {', '.join(names)})"
        )
    shifts = [scenario.shift(args.shift)] if args.shift else list(scenario.shifts)
    roster_units = None
    if args.roster:
        entries = read_roster(args.roster, scenario)
        if not any(e.date == date for e in entries):
            days = sorted({e.date.isoformat() for e in entries})
            raise ScenarioError(
                f"{args.roster}:0: date: no rows for {date.isoformat()} "
                f"(got {', '.join(days[:7]) or 'none'})"
            )
        roster_units = {
            shift: units
            for (day, shift), units in route_units(
                [e for e in entries if e.date == date], scenario
            ).items()
        }
    params = _params(args)
    with run_folder(args.out) as out:
        return _route_and_write(args, scenario, date, shifts, roster_units, params, out)


def _route_and_write(
    args: argparse.Namespace,
    scenario: Any,
    date: dt.date,
    shifts: list[Any],
    roster_units: dict[str, list[Any]] | None,
    params: RoutingParams,
    out: Path,
) -> int:
    """Plan each shift's routes and write them into the staging folder ``out``."""
    plans = []
    summary: dict[str, Any] = {
        "date": date.isoformat(),
        "scenario": scenario.name,
        "roster": args.roster,
        "shifts": [],
    }
    workers = min(args.workers or os.cpu_count() or 1, len(scenario.squads))
    with process_pool(workers) as pool:  # one pool of worker processes for all the shifts
        for st in shifts:
            units = (
                roster_units.get(st.name, [])
                if roster_units is not None
                else list(default_units(scenario, st))
            )
            if not units:
                print(f"{date} {st.name}: no units on duty")
                continue
            plan = solve_district_routes(
                scenario, date, st, units=units, params=params, workers=workers, executor=pool
            )
            problems = check_district_routes(scenario, plan)
            plans.append(plan)
            print(plan.summary())
            for pi in plan.unmet_posts:
                p = scenario.patches[pi]
                print(f"  fixed post not reachable: {p.id} {p.name}")
            for line in problems:
                print(f"  CHECK: {line}")
            summary["shifts"].append(
                {
                    "shift": st.name,
                    "units": [u.label for u in units],
                    "stops": sum(len(r.stops) for r in plan.routes),
                    "value_violation_hours": round(plan.prize, 4),
                    "unmet_posts": [scenario.patches[i].id for i in plan.unmet_posts],
                    "check_problems": problems,
                    "time_s": round(plan.wall_s, 3),
                }
            )
    write_district_outputs(out, scenario, plans, lang=args.lang or scenario.language)
    for plan in plans:
        fig, ax = plt.subplots(figsize=(9, 9))
        plot_routes(scenario, plan, ax=ax)
        write_figure(out / f"map_{plan.date.isoformat()}_{plan.shift}.png", fig, tight=True)
    write_json(out / "planned.json", {plan.shift: planned_visits(plan) for plan in plans})
    write_json(out / "summary.json", summary)
    return 0
