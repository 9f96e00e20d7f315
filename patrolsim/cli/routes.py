"""``patrolsim routes``: patrol routes for a day's shifts, or a TOPTW benchmark instance.

District::

    patrolsim routes DIR --date YYYY-MM-DD [--roster ROSTER.csv] [--shift NAME]
                     [--time-limit S] [--seed N] [--deterministic] --out OUT

writes ``routes.csv``, ``sheets/*.html`` (one printable sheet per unit and shift),
``routes.geojson`` (local metres), ``map_<date>_<shift>.png``, ``planned.json`` (per unit the
``(patch_index, start_min, depart_min)`` visits the simulator's planned policy takes) and
``summary.json``. Without ``--roster`` the units come from the scenario's default cover.

Benchmark::

    patrolsim routes --toptw FILE --teams M [--time-limit S] --out OUT

writes ``routes.csv`` (route,seq,node,arrival,start) and ``summary.json`` with the score, checked
by the independent checker of :mod:`patrolsim.formats.toptw`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path
from typing import Any

from patrolsim.errors import ScenarioError
from patrolsim.outputs import run_folder

ROSTER_COLUMNS = ("staff_id", "name", "role", "squad", "date", "shift", "start", "end", "unit")


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
    p.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds per shift (or per instance); default 10",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="stop by solution/iteration counts instead of the clock: "
        "the same input gives the same routes",
    )
    p.add_argument("--out", metavar="OUT", required=True, help="output folder")
    p.set_defaults(func=_run)


def _params(args: argparse.Namespace) -> Any:
    from patrolsim.routing import RoutingParams

    if not 0 < args.time_limit <= 86_400:
        raise ScenarioError(f"--time-limit:0: time-limit: must be > 0 and at most 86400 "
                            f"seconds (got {args.time_limit})")
    return RoutingParams(
        time_limit_s=args.time_limit, seed=args.seed, deterministic=args.deterministic
    )


def _run(args: argparse.Namespace) -> int:
    if args.toptw:
        return _run_toptw(args)
    if not args.scenario:
        raise ScenarioError(
            "routes:0: DIR: a scenario folder or --toptw FILE is needed (got neither)"
        )
    return _run_district(args)


def _run_toptw(args: argparse.Namespace) -> int:
    from patrolsim.formats.toptw import read_toptw

    if args.teams < 1:
        raise ScenarioError(f"--teams:0: teams: must be >= 1 (got {args.teams})")
    inst = read_toptw(args.toptw)
    params = _params(args)
    with run_folder(args.out) as out:
        return _solve_toptw(args, inst, params, out)


def _solve_toptw(args: argparse.Namespace, inst: Any, params: Any, out: Path) -> int:
    from patrolsim.outputs import write_json, write_text
    from patrolsim.routing.toptw import solve_toptw

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
        "time_limit_s": args.time_limit,
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


def _clock(text: str, date: dt.date) -> int | None:
    """Minutes after ``date``'s midnight from ``HH:MM`` or an ISO datetime (as roster.csv has)."""
    text = text.strip()
    if "T" in text or " " in text:
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        delta = moment.replace(tzinfo=None) - dt.datetime.combine(date, dt.time(0))
        return int(delta.total_seconds() // 60)
    return _hhmm(text)


def _hhmm(text: str) -> int | None:
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    if m >= 60 or h > 47:
        return None
    return h * 60 + m


def read_roster_units(path: str, scenario: Any, date: dt.date) -> dict[str, list[Any]]:
    """Units on duty per shift name on ``date`` from a roster.csv.

    Units are the distinct (squad, unit) pairs; a unit works from its members' earliest start
    to their latest end.

    Raises
    ------
    ScenarioError
        One ``FILE:ROW: FIELD: ...`` line per problem.
    """
    from patrolsim.routing.district import UnitSpec

    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{path}:0: file: not found (got {path})")
    problems: list[str] = []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in ROSTER_COLUMNS if c not in header]
        if missing:
            raise ScenarioError(
                [f"{path}:1: {c}: missing column (got {','.join(header)})" for c in missing]
            )
        squads = {s.id for s in scenario.squads}
        shifts = {s.name: s for s in scenario.shifts}
        groups: dict[tuple[str, str, str], list[tuple[int, int, str]]] = {}
        dates_seen: set[str] = set()
        for rowno, row in enumerate(reader, start=2):
            d = (row.get("date") or "").strip()
            try:
                day = dt.date.fromisoformat(d)
            except ValueError:
                problems.append(f"{path}:{rowno}: date: not a date YYYY-MM-DD (got {d!r})")
                continue
            dates_seen.add(d)
            if day != date:
                continue
            shift = (row.get("shift") or "").strip()
            squad = (row.get("squad") or "").strip()
            unit = (row.get("unit") or "").strip()
            if shift not in shifts:
                problems.append(f"{path}:{rowno}: shift: unknown shift (got {shift!r})")
                continue
            if squad not in squads:
                problems.append(f"{path}:{rowno}: squad: unknown squad (got {squad!r})")
                continue
            if not unit:
                problems.append(f"{path}:{rowno}: unit: empty (got {unit!r})")
                continue
            st = shifts[shift]
            start = (
                _clock(row.get("start") or "", day) if (row.get("start") or "").strip()
                else st.start_min
            )
            end = (_clock(row.get("end") or "", day) if (row.get("end") or "").strip()
                   else st.end_min)
            if start is None:
                problems.append(
                    f"{path}:{rowno}: start: not a time HH:MM or ISO datetime (got {row.get('start')!r})"
                )
                continue
            if end is None:
                problems.append(f"{path}:{rowno}: end: not a time HH:MM or ISO datetime (got {row.get('end')!r})")
                continue
            if end <= start:
                end += 1440
            groups.setdefault((shift, squad, unit), []).append(
                (start, end, (row.get("name") or row.get("staff_id") or "").strip())
            )
    if problems:
        raise ScenarioError(problems)
    if not groups and date.isoformat() not in dates_seen:
        raise ScenarioError(
            f"{path}:0: date: no rows for {date.isoformat()} "
            f"(got {', '.join(sorted(dates_seen)[:7]) or 'none'})"
        )
    out: dict[str, list[Any]] = {}
    for (shift, squad, unit), members in sorted(groups.items()):
        out.setdefault(shift, []).append(
            UnitSpec(
                squad=squad,
                unit=unit,
                start_min=min(m[0] for m in members),
                end_min=max(m[1] for m in members),
                members=tuple(m[2] for m in members),
            )
        )
    return out


def _run_district(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")

    from patrolsim.scenario import load_scenario

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
    roster_units = read_roster_units(args.roster, scenario, date) if args.roster else None
    params = _params(args)
    with run_folder(args.out) as out:
        return _route_and_write(args, scenario, date, shifts, roster_units, params, out)


def _route_and_write(args: argparse.Namespace, scenario: Any, date: dt.date, shifts: list[Any],
                     roster_units: dict[str, list[Any]] | None, params: Any, out: Path) -> int:
    """Plan each shift's routes and write them into the staging folder ``out``."""
    import matplotlib.pyplot as plt

    from patrolsim.formats.route_exports import write_district_outputs
    from patrolsim.outputs import write_figure, write_json
    from patrolsim.plotting.plot_routes import plot_routes
    from patrolsim.routing.check import check_district_routes
    from patrolsim.routing.district import default_units, planned_visits, solve_district_routes

    plans = []
    summary: dict[str, Any] = {
        "date": date.isoformat(),
        "scenario": scenario.name,
        "roster": args.roster,
        "shifts": [],
    }
    for st in shifts:
        units = (
            roster_units.get(st.name, [])
            if roster_units is not None
            else list(default_units(scenario, st))
        )
        if not units:
            print(f"{date} {st.name}: no units on duty")
            continue
        plan = solve_district_routes(scenario, date, st, units=units, params=params)
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
    write_district_outputs(out, scenario, plans)
    for plan in plans:
        fig, ax = plt.subplots(figsize=(9, 9))
        plot_routes(scenario, plan, ax=ax)
        write_figure(out / f"map_{plan.date.isoformat()}_{plan.shift}.png", fig, tight=True)
    write_json(out / "planned.json", {plan.shift: planned_visits(plan) for plan in plans})
    write_json(out / "summary.json", summary)
    return 0
