"""``patrolsim plan DIR --week YYYY-MM-DD [--reps R] [--seed S] --out OUT``: the Monday job.

Solver budgets are counted in work, not seconds (``--roster-work``, ``--route-branches``), so
the same scenario, week, seed and options give byte-identical files, however busy the
machine; ``--roster-time-limit`` opts into a wall-clock roster solve instead. Only
``timings.json`` (how long each step took) differs from run to run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from patrolsim.errors import ScenarioError
from patrolsim.formats.roster_xlsx import write_roster_xlsx
from patrolsim.formats.route_exports import write_district_outputs
from patrolsim.formats.run_outputs import write_csv
from patrolsim.outputs import run_folder, write_figure, write_json, write_text
from patrolsim.plan.cover import standard_cover
from patrolsim.plan.week import ROSTER_WORK, check_week, plan_week
from patrolsim.report import overview_figure, plan_summary, render_report
from patrolsim.roster.cpsat import REFERENCE_STAFF, default_work
from patrolsim.roster.inputs import read_previous_roster
from patrolsim.roster.keep import change_summary, changes_frame, kept_share
from patrolsim.scenario import load_scenario
from patrolsim.scenario.tables import parse_date
from patrolsim.terms import LANGS


def register(sub: Any) -> None:
    """Add the ``plan`` subcommand."""
    p = sub.add_parser(
        "plan",
        help="next week's roster and routes, simulated against the baselines",
        description="Estimate the week's demand by simulation, build the roster (CP-SAT) and "
        "the routes of every shift (OR-Tools routing), simulate the plan against posts+mobile "
        "and hotspot patrol with the same staff and random numbers, and write everything with "
        "an HTML report under --out.",
    )
    p.add_argument("scenario", metavar="DIR", help="scenario folder")
    p.add_argument("--week", required=True, metavar="YYYY-MM-DD", help="the Monday to plan")
    p.add_argument("--reps", type=int, default=10, help="replications per arm (default 10)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument(
        "--roster-work",
        type=float,
        default=None,
        metavar="W",
        help="roster search effort in CP-SAT deterministic time: reproducible "
        f"(default patrolsim.plan.week.ROSTER_WORK, {ROSTER_WORK:g}, × √(staff / "
        f"{REFERENCE_STAFF}) for districts larger "
        "than the reference)",
    )
    p.add_argument(
        "--roster-time-limit",
        type=float,
        default=None,
        metavar="S",
        help="solve the roster for S seconds on two workers instead of "
        "--roster-work: may give a different roster run to run",
    )
    p.add_argument(
        "--route-branches",
        type=int,
        default=4000,
        metavar="N",
        help="route search effort per squad, day and shift, in solver branches: "
        "reproducible (default 4000, about a second each)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="squads routed at once, each in its own process (default: the number of CPUs); "
        "the routes are the same for any number",
    )
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
        help="language of the report, sheets and summary: zh or en (default: "
        "scenario.toml's language, zh when it names none)",
    )
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments, make the plan and write its files."""
    problems: list[str] = []
    week = parse_date(
        args.week,
        lambda: problems.append(f"--week: expected a date like 2026-11-30 (got {args.week!r})"),
    )
    for name in ("roster_work", "roster_time_limit", "route_branches"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            problems.append(f"--{name.replace('_', '-')}: must be positive (got {value:g})")
    if args.seed < 0:
        problems.append(f"--seed: must be at least 0 (got {args.seed})")
    if args.workers is not None and args.workers < 1:
        problems.append(f"--workers: must be at least 1 (got {args.workers})")
    if problems:
        raise ScenarioError(problems)
    assert week is not None
    scenario = load_scenario(args.scenario)
    kept = read_previous_roster(args.keep, scenario) if args.keep else None
    problems = check_week(scenario, week)
    if problems:
        raise ScenarioError(problems)
    # Everything is written into a staging folder beside --out and moved in at the end: a
    # plan stopped half-way never mixes this week's roster with last week's routes.
    with run_folder(args.out) as stage:
        return _plan(args, scenario, week, kept, stage, Path(args.out))


def _plan(
    args: argparse.Namespace, scenario: Any, week: Any, kept: Any, out: Path, final: Path
) -> int:
    """Make the plan and write its files into the staging folder ``out``."""
    lang = args.lang or scenario.language
    bar = tqdm(
        total=3 * args.reps + 3 + 7 * len(scenario.shifts),
        unit="step",
        file=sys.stderr,
        desc="planning",
    )

    def progress(text: str) -> None:
        bar.set_postfix_str(text, refresh=False)
        bar.update(1)

    result = plan_week(
        scenario,
        week,
        reps=args.reps,
        seed=args.seed,
        roster_work=(
            default_work(len(scenario.staff), 1, ROSTER_WORK)
            if args.roster_work is None
            else args.roster_work
        ),
        route_branches=args.route_branches,
        progress=progress,
        roster_time_limit_s=args.roster_time_limit,
        keep=kept,
        workers=args.workers or os.cpu_count() or 1,
    )
    bar.update(bar.total - bar.n)  # the estimate counted every shift type on every day
    bar.close()
    write_csv(result.roster.to_frame(), out / "roster.csv")
    write_csv(standard_cover(result.roster, scenario), out / "coverage.csv")
    write_csv(result.roster.cover_frame(), out / "coverage_requested.csv")
    write_roster_xlsx(result.roster, scenario, out / "roster.xlsx", lang=lang)
    roster_summary = result.roster.summary_dict()
    del roster_summary["solve_time_s"]  # in timings.json, with the other steps' times
    write_json(out / "roster_summary.json", roster_summary)
    write_json(
        out / "summary.json",
        {
            "week": result.week_start.isoformat(),
            "reps": result.reps,
            "seed": result.seed,
            "lang": lang,
            "roster": roster_summary,
        },
    )
    write_district_outputs(out, scenario, result.routes, lang=lang)
    write_csv(result.demand.requirements_frame(), out / "requirements.csv")
    write_csv(result.comparison(), out / "comparison.csv")
    write_csv(result.paired(), out / "paired.csv")
    write_text(out / "report.html", render_report(result, lang))
    write_figure(out / "report.png", overview_figure(result, lang), dpi=100)
    # the one file that differs run to run: every other file is the same for the same inputs
    write_json(out / "timings.json", {k: round(v, 3) for k, v in result.timings_s.items()})
    print(plan_summary(result, lang))
    if kept is not None:
        changes = changes_frame(kept, result.roster, scenario, lang)
        write_csv(changes, out / "changes.csv")
        n_kept, n_before = kept_share(kept, result.roster)
        print(
            change_summary(changes, lang)
            + (
                f"；保留原排班 {n_kept}/{n_before}"
                if lang == "zh"
                else f"; {n_kept} of {n_before} issued assignments kept"
            )
        )
    print(
        f"已将排班表、路线、比较结果、report.html 和 report.png 写入 {final}"
        if lang == "zh"
        else f"wrote the roster, routes, comparison, report.html and report.png to {final}"
    )
    return 0
