"""``patrolsim roster``: the weekly roster of a scenario, or a shift-scheduling benchmark instance.

District::

    patrolsim roster scenarios/nanhu --week 2026-11-23 [--weeks 4] [--requirements FILE]
        [--preferences FILE] [--previous ROSTER.csv] [--time-limit S] [--strict-cover]
        [--ics] --out OUT

writes ``OUT/roster.csv``, ``roster.xlsx``, ``coverage.csv``, ``summary.json`` (and one
``.ics`` per person under ``OUT/ics/`` with ``--ics``). ``DIR/preferences.csv`` is read when
present and no ``--preferences`` is given.

Benchmark::

    patrolsim roster --curtois Instance1.txt [--time-limit S] --out OUT

writes ``OUT/roster.csv`` (``staff_id,day,shift``) and ``OUT/summary.json`` with the objective
computed by the independent evaluator.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from patrolsim.errors import InfeasibleError, ScenarioError
from patrolsim.outputs import atomic_path, run_folder, write_json

MAX_WEEKS = 52
"""Most weeks one roster may span (the model grows with every day)."""


def register(sub: Any) -> None:
    """Add the ``roster`` subcommand."""
    p = sub.add_parser(
        "roster", help="solve the weekly roster (CP-SAT) or a shift-scheduling benchmark",
        description="Solve the roster of a scenario for one or more weeks from --week, or a "
        "Curtois shift-scheduling benchmark instance with --curtois. Cover is soft unless "
        "--strict-cover: uncovered shifts are listed in summary.json.",
    )
    p.add_argument("scenario", metavar="DIR", nargs="?", help="scenario folder")
    p.add_argument("--week", metavar="YYYY-MM-DD", help="first day of the roster (a Monday)")
    p.add_argument("--weeks", type=int, default=1, help="number of weeks (default 1)")
    p.add_argument("--requirements", metavar="FILE",
                   help="requirements.csv (date,shift,squad,units,auxiliaries); default: "
                   "default_cover of scenario.toml")
    p.add_argument("--preferences", metavar="FILE",
                   help="preferences.csv (staff_id,date,shift,kind,weight)")
    p.add_argument("--previous", metavar="ROSTER.csv", help="last week's roster.csv")
    p.add_argument("--strict-cover", action="store_true",
                   help="make cover a hard rule; an impossible week is explained in words")
    p.add_argument("--ics", action="store_true", help="also write one .ics file per person")
    p.add_argument("--curtois", metavar="FILE", help="solve a Curtois benchmark instance")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                   help="solver time limit in seconds (default 60); an --strict-cover "
                   "explanation may take up to 30 s more")
    p.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    p.add_argument("--seed", type=int, default=0, help="CP-SAT random seed (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--out", metavar="OUT", required=True, help="output folder")
    p.set_defaults(func=_run)


def _params(args: argparse.Namespace) -> Any:
    from patrolsim.roster.cpsat import RosterParams

    if not 0 < args.time_limit <= 86_400:
        raise ScenarioError(f"--time-limit: must be positive and at most 86400 seconds "
                            f"(got {args.time_limit})")
    if args.workers < 1:
        raise ScenarioError(f"--workers: must be at least 1 (got {args.workers})")
    return RosterParams(time_limit_s=args.time_limit, num_workers=args.workers, seed=args.seed,
                        progress=not args.quiet)


def _run(args: argparse.Namespace) -> int:
    if args.curtois:
        if args.scenario or args.week:
            raise ScenarioError("--curtois: give either a benchmark file or DIR --week, not both")
        return _curtois(args)
    if not args.scenario or not args.week:
        raise ScenarioError("roster: DIR and --week are required (or --curtois FILE)")
    return _district(args)


def _curtois(args: argparse.Namespace) -> int:
    from benchmarks.curtois.model import CURTOIS_PARAMS
    from patrolsim.formats.curtois import read_curtois

    params = _params(args)
    inst = read_curtois(args.curtois)
    import dataclasses

    params = dataclasses.replace(CURTOIS_PARAMS, time_limit_s=params.time_limit_s,
                                 num_workers=params.num_workers, seed=params.seed,
                                 progress=params.progress)
    with run_folder(args.out) as out:
        return _curtois_solve(args, inst, params, out)


def _curtois_solve(args: argparse.Namespace, inst: Any, params: Any, out: Path) -> int:
    from benchmarks.curtois.model import build_curtois_model, solve_curtois

    res = solve_curtois(build_curtois_model(inst), params)
    with atomic_path(out / "roster.csv") as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["staff_id", "day", "shift"])
        order = sorted(res.assignment.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        for (sid, day), shift in order:
            w.writerow([sid, day, shift])
    summary: dict[str, Any] = {
        "instance": inst.name,
        "status": res.status,
        "objective": res.objective,
        "objective_terms": dict(res.terms),
        "solver_objective": res.solver_objective,
        "best_bound": res.best_bound,
        "gap": None if res.objective is None else res.gap,
        "hard_violations": list(res.violations),
        "solve_time_s": round(res.wall_time_s, 3),
        "time_limit_s": params.time_limit_s,
        "num_workers": params.num_workers,
        "seed": params.seed,
    }
    bounds = Path(args.curtois).with_name("bounds.csv")
    if bounds.is_file():
        with bounds.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("instance") == inst.name:
                    summary["published_lower_bound"] = int(row["lower_bound"])
                    summary["best_known"] = int(row["best_known_ub"])
    write_json(out / "summary.json", summary)
    print(res.summary())
    return 0


def _district(args: argparse.Namespace) -> int:
    from patrolsim.roster import RosterProblem
    from patrolsim.roster.inputs import (
        default_requirements,
        read_preferences,
        read_previous_roster,
        read_requirements,
    )
    from patrolsim.scenario import load_scenario
    from patrolsim.scenario.tables import parse_date

    problems: list[str] = []
    start = parse_date(args.week, lambda: problems.append(
        f"--week: expected a date like 2026-11-23 (got {args.week!r})"))
    if not 1 <= args.weeks <= MAX_WEEKS:
        problems.append(f"--weeks: must be at least 1 and at most {MAX_WEEKS} (got {args.weeks})")
    if problems:
        raise ScenarioError(problems)
    assert start is not None
    params = _params(args)
    sc = load_scenario(args.scenario)
    days = 7 * args.weeks
    if args.requirements:
        reqs = read_requirements(args.requirements, sc)
    else:
        reqs = default_requirements(sc, start, days)
    prefs_path = args.preferences or (Path(args.scenario) / "preferences.csv")
    prefs = (read_preferences(prefs_path, sc)
             if args.preferences or Path(prefs_path).is_file() else ())
    previous = read_previous_roster(args.previous, sc) if args.previous else {}
    if start.weekday() != 0:
        print(f"patrolsim roster: note: --week {start} is a "
              f"{start.strftime('%A')}; weeks are counted from it", file=sys.stderr)
    problem = RosterProblem(sc, start, days, reqs, prefs, previous, args.strict_cover)
    # The run folder is made before the solve: a bad --out costs seconds, not the solve. An
    # infeasible week's explanation (summary.json) is kept.
    with run_folder(args.out, keep_on=(InfeasibleError,)) as out:
        return _solve_and_write(args, sc, problem, params, start, days, out)


def _solve_and_write(args: argparse.Namespace, sc: Any, problem: Any, params: Any,
                     start: Any, days: int, out: Path) -> int:
    from patrolsim.formats.roster_ics import write_roster_ics
    from patrolsim.formats.roster_xlsx import write_roster_xlsx
    from patrolsim.formats.run_outputs import write_csv
    from patrolsim.roster import solve_roster

    try:
        roster = solve_roster(problem, params)
    except InfeasibleError as exc:
        write_json(out / "summary.json", {
            "status": "INFEASIBLE", "start": start.isoformat(), "days": days,
            "strict_cover": args.strict_cover, "explanation": [line.strip().removeprefix("- ")
                            for line in str(exc).splitlines()[1:]] or [str(exc)],
        })
        raise
    write_csv(roster.to_frame(), out / "roster.csv", bom=False)
    write_csv(roster.cover_frame(), out / "coverage.csv", bom=False)
    write_roster_xlsx(roster, sc, out / "roster.xlsx")
    if args.ics:
        write_roster_ics(roster, out / "ics")
    summary = roster.summary_dict()
    summary["time_limit_s"] = params.time_limit_s
    summary["num_workers"] = params.num_workers
    summary["seed"] = params.seed
    write_json(out / "summary.json", summary)
    print(roster.summary())
    return 0



