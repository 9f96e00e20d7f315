"""``patrolsim roster``: the weekly roster of a scenario, or a shift-scheduling benchmark instance.

District::

    patrolsim roster scenarios/nanhu --week 2026-11-23 [--weeks 4] [--requirements FILE]
        [--preferences FILE] [--previous ROSTER.csv] [--work-limit UNITS | --time-limit S]
        [--strict-cover] [--ics] --out OUT

writes ``OUT/roster.csv``, ``roster.xlsx``, ``coverage.csv``, ``summary.json`` (and one
``.ics`` per person under ``OUT/ics/`` with ``--ics``). ``DIR/preferences.csv`` is read when
present and no ``--preferences`` is given.

Benchmark::

    patrolsim roster --curtois Instance1.txt [--work-limit UNITS | --time-limit S] --out OUT

solves the instance with the same roster model (:mod:`patrolsim.roster.curtois`) and writes
``OUT/roster.csv`` (``staff_id,day,shift``) and ``OUT/summary.json`` with the objective
computed by the independent evaluator and every hard rule the roster breaks.

Budget: by default CP-SAT stops after ``--work-limit`` units of deterministic time (default
:data:`~patrolsim.roster.cpsat.DEFAULT_WORK_LIMIT` per week of roster, more for large districts:
:func:`~patrolsim.roster.cpsat.default_work`), its searches
interleaved in fixed batches, so the same inputs and ``--seed`` give the same roster, byte
for byte, however busy the machine. ``--time-limit S`` asks for a wall-clock limit instead
(two searches racing unless ``--workers`` says otherwise; not reproducible).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import sys
from pathlib import Path
from typing import Any

from patrolsim.errors import InfeasibleError, ScenarioError
from patrolsim.formats.curtois import read_curtois
from patrolsim.formats.roster_ics import write_roster_ics
from patrolsim.formats.roster_xlsx import write_roster_xlsx
from patrolsim.formats.run_outputs import write_csv
from patrolsim.outputs import atomic_path, run_folder, write_json
from patrolsim.plan.cover import roster_sentence, standard_cover
from patrolsim.roster import RosterProblem, solve_roster
from patrolsim.roster.cpsat import (
    DEFAULT_WORK_LIMIT,
    REFERENCE_STAFF,
    REPRODUCIBLE_WORKERS,
    RosterParams,
    default_work,
)
from patrolsim.roster.curtois import solve_curtois_roster
from patrolsim.roster.inputs import (
    default_requirements,
    read_preferences,
    read_previous_roster,
    read_requirements,
)
from patrolsim.roster.keep import change_summary, changes_frame, keep_problem, kept_share
from patrolsim.scenario import load_scenario
from patrolsim.scenario.tables import parse_date
from patrolsim.terms import LANGS

MAX_WEEKS = 52
"""Most weeks one roster may span (the model grows with every day)."""


def register(sub: Any) -> None:
    """Add the ``roster`` subcommand."""
    p = sub.add_parser(
        "roster",
        help="solve the weekly roster (CP-SAT) or a shift-scheduling benchmark",
        description="Solve the roster of a scenario for one or more weeks from --week, or a "
        "Curtois shift-scheduling benchmark instance with --curtois. Cover is soft unless "
        "--strict-cover: uncovered shifts are listed in summary.json.",
    )
    p.add_argument("scenario", metavar="DIR", nargs="?", help="scenario folder")
    p.add_argument("--week", metavar="YYYY-MM-DD", help="first day of the roster (a Monday)")
    p.add_argument("--weeks", type=int, default=1, help="number of weeks (default 1)")
    p.add_argument(
        "--requirements",
        metavar="FILE",
        help="requirements.csv (date,shift,squad,units,auxiliaries); default: "
        "default_cover of scenario.toml",
    )
    p.add_argument(
        "--preferences", metavar="FILE", help="preferences.csv (staff_id,date,shift,kind,weight)"
    )
    p.add_argument("--previous", metavar="ROSTER.csv", help="last week's roster.csv")
    p.add_argument(
        "--keep",
        metavar="ROSTER.csv",
        help="the roster already issued for this week: re-plan keeping every "
        "assignment the rules allow, and write changes.csv",
    )
    p.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help="language of roster.xlsx, changes.csv and the summary: zh or en "
        "(default: scenario.toml's language)",
    )
    p.add_argument(
        "--strict-cover",
        action="store_true",
        help="make cover a hard rule; an impossible week is explained in words",
    )
    p.add_argument("--ics", action="store_true", help="also write one .ics file per person")
    p.add_argument("--curtois", metavar="FILE", help="solve a Curtois benchmark instance")
    p.add_argument(
        "--work-limit",
        type=float,
        default=None,
        metavar="UNITS",
        help="CP-SAT deterministic time limit (default "
        f"{DEFAULT_WORK_LIMIT:g} per week of roster, × √(staff / {REFERENCE_STAFF}) for "
        "districts larger "
        "than the reference); the same inputs and seed give "
        "the same roster",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="wall-clock limit in seconds instead of --work-limit (not "
        "reproducible); an --strict-cover explanation comes on top",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="CP-SAT searches (default 2: interleaved with --work-limit, reproducible; "
        "racing with --time-limit alone, not reproducible)",
    )
    p.add_argument("--seed", type=int, default=0, help="CP-SAT random seed (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--out", metavar="OUT", required=True, help="output folder")
    p.set_defaults(func=_run)


def _params(args: argparse.Namespace, weeks: int, staff: int = 0) -> RosterParams:
    """Solver settings from the budget options: deterministic unless ``--time-limit``; the
    default work limit grows with the roster's ``weeks`` and, beyond the reference district's
    size, with its ``staff`` (:func:`~patrolsim.roster.cpsat.default_work`)."""
    problems = []
    if args.time_limit is not None and not 0 < args.time_limit <= 86_400:
        problems.append(
            f"--time-limit: must be positive and at most 86400 seconds (got {args.time_limit})"
        )
    if args.work_limit is not None and not args.work_limit > 0:
        problems.append(f"--work-limit: must be positive (got {args.work_limit})")
    if args.workers is not None and args.workers < 1:
        problems.append(f"--workers: must be at least 1 (got {args.workers})")
    if problems:
        raise ScenarioError(problems)
    wall = args.time_limit is not None
    work = args.work_limit if args.work_limit is not None or wall else default_work(staff, weeks)
    if work is None:
        return RosterParams.wall_clock(
            args.time_limit, seed=args.seed, workers=args.workers or 2, progress=not args.quiet
        )
    # a work limit, with or without a clock on top: interleaved searches
    return dataclasses.replace(
        RosterParams.reproducible(
            work,
            seed=args.seed,
            workers=args.workers or REPRODUCIBLE_WORKERS,
            progress=not args.quiet,
        ),
        time_limit_s=args.time_limit,
    )


def _budget(params: RosterParams) -> dict[str, Any]:
    """The budget as summary.json records it."""
    return {
        "work_limit": params.max_deterministic_time,
        "time_limit_s": params.time_limit_s,
        "num_workers": params.num_workers,
        "interleaved": params.interleave and params.num_workers > 1,
        "seed": params.seed,
    }


def _run(args: argparse.Namespace) -> int:
    if args.curtois:
        if args.scenario or args.week:
            raise ScenarioError("--curtois: give either a benchmark file or DIR --week, not both")
        return _curtois(args)
    if not args.scenario or not args.week:
        raise ScenarioError("roster: DIR and --week are required (or --curtois FILE)")
    return _district(args)


def _curtois(args: argparse.Namespace) -> int:
    inst = read_curtois(args.curtois)
    params = _params(args, inst.weeks)
    with run_folder(args.out) as out:
        return _curtois_solve(args, inst, params, out)


def _curtois_solve(args: argparse.Namespace, inst: Any, params: RosterParams, out: Path) -> int:
    """Solve the instance and write its files into the staging folder ``out``."""
    res = solve_curtois_roster(inst, params)
    ev = res.evaluation
    with atomic_path(out / "roster.csv") as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["staff_id", "day", "shift"])
        order = sorted(res.assignment.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        for (sid, day), shift in order:
            w.writerow([sid, day, shift])
    summary: dict[str, Any] = {
        "instance": inst.name,
        "solver": "patrolsim.roster (district roster model)",
        "status": res.roster.status,
        "objective": ev.objective,
        "objective_terms": {
            "on_requests": ev.on_request_penalty,
            "off_requests": ev.off_request_penalty,
            "under_cover": ev.under_cover_penalty,
            "over_cover": ev.over_cover_penalty,
        },
        "solver_objective": res.roster.objective,
        "best_bound": res.roster.best_bound,
        "gap": None if math.isnan(res.roster.gap) else res.roster.gap,
        "hard_violations": list(ev.violations),
        "solve_time_s": round(res.roster.solve_time_s, 3),
        **_budget(params),
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
    """Read the inputs, then solve and write the roster (see the module docstring)."""
    problems: list[str] = []
    start = parse_date(
        args.week,
        lambda: problems.append(f"--week: expected a date like 2026-11-23 (got {args.week!r})"),
    )
    if not 1 <= args.weeks <= MAX_WEEKS:
        problems.append(f"--weeks: must be at least 1 and at most {MAX_WEEKS} (got {args.weeks})")
    if problems:
        raise ScenarioError(problems)
    assert start is not None
    sc = load_scenario(args.scenario)
    params = _params(args, args.weeks, len(sc.staff))
    days = 7 * args.weeks
    if args.requirements:
        reqs = read_requirements(args.requirements, sc)
    else:
        reqs = default_requirements(sc, start, days)
    prefs_path = args.preferences or (Path(args.scenario) / "preferences.csv")
    prefs = (
        read_preferences(prefs_path, sc) if args.preferences or Path(prefs_path).is_file() else ()
    )
    previous = read_previous_roster(args.previous, sc) if args.previous else {}
    kept = read_previous_roster(args.keep, sc) if args.keep else None
    lang = args.lang or sc.language
    if start.weekday() != 0:
        print(
            f"patrolsim roster: note: --week {start} is a "
            f"{start.strftime('%A')}; weeks are counted from it",
            file=sys.stderr,
        )
    problem = RosterProblem(sc, start, days, reqs, prefs, previous, args.strict_cover)
    if kept is not None:
        problem = keep_problem(problem, kept)
    # The run folder is made before the solve: a bad --out costs seconds, not the solve. An
    # infeasible week's explanation (summary.json) is kept.
    with run_folder(args.out, keep_on=(InfeasibleError,)) as out:
        return _solve_and_write(args, sc, problem, params, kept, lang, start, days, out)


def _solve_and_write(
    args: argparse.Namespace,
    sc: Any,
    problem: Any,
    params: RosterParams,
    kept: Any,
    lang: Any,
    start: Any,
    days: int,
    out: Path,
) -> int:
    """Solve the roster and write its files into the staging folder ``out``."""
    try:
        roster = solve_roster(problem, params)
    except InfeasibleError as exc:
        write_json(
            out / "summary.json",
            {
                "status": "INFEASIBLE",
                "start": start.isoformat(),
                "days": days,
                "strict_cover": args.strict_cover,
                "explanation": [
                    line.strip().removeprefix("- ") for line in str(exc).splitlines()[1:]
                ]
                or [str(exc)],
            },
        )
        raise
    write_csv(roster.to_frame(), out / "roster.csv", bom=False)
    write_csv(standard_cover(roster, sc), out / "coverage.csv", bom=False)
    if args.requirements:
        write_csv(roster.cover_frame(), out / "coverage_requested.csv", bom=False)
    write_roster_xlsx(roster, sc, out / "roster.xlsx", lang=lang)
    change_line = None
    if kept is not None:
        changes = changes_frame(kept, roster, sc, lang)
        write_csv(changes, out / "changes.csv", bom=False)
        n_kept, n_before = kept_share(kept, roster)
        change_line = change_summary(changes, lang) + (
            f"；保留原排班 {n_kept}/{n_before}"
            if lang == "zh"
            else f"; {n_kept} of {n_before} issued assignments kept"
        )
    if args.ics:
        write_roster_ics(roster, out / "ics")
    summary = roster.summary_dict()
    summary.update(_budget(params))
    if kept is not None:
        summary["kept_assignments"] = n_kept
        summary["issued_assignments"] = n_before
        summary["changes"] = change_line
    write_json(out / "summary.json", summary)
    print(roster_sentence(roster, sc, lang))
    if change_line:
        print(change_line)
    return 0
