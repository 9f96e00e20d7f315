"""``patrolsim plan DIR --week YYYY-MM-DD [--reps R] [--seed S] --out OUT``: the Monday job."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from patrolsim.errors import ScenarioError
from patrolsim.outputs import run_folder


def register(sub: Any) -> None:
    """Add the ``plan`` subcommand."""
    p = sub.add_parser(
        "plan", help="next week's roster and routes, simulated against the baselines",
        description="Estimate the week's demand by simulation, build the roster (CP-SAT) and "
        "the routes of every shift (OR-Tools routing), simulate the plan against posts+mobile "
        "and hotspot patrol with the same staff and random numbers, and write everything with "
        "an HTML report under --out.")
    p.add_argument("scenario", metavar="DIR", help="scenario folder")
    p.add_argument("--week", required=True, metavar="YYYY-MM-DD", help="the Monday to plan")
    p.add_argument("--reps", type=int, default=10, help="replications per arm (default 10)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--roster-time-limit", type=float, default=30.0, metavar="S")
    p.add_argument("--route-branches", type=int, default=4000, metavar="N",
                   help="route search effort per squad, day and shift, in solver branches: "
                        "reproducible (default 4000, about a second each)")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments, make the plan and write its files."""
    from patrolsim.plan.week import check_week
    from patrolsim.scenario import load_scenario
    from patrolsim.scenario.tables import parse_date

    problems: list[str] = []
    week = parse_date(args.week, lambda: problems.append(
        f"--week: expected a date like 2026-11-30 (got {args.week!r})"))
    for name in ("roster_time_limit", "route_branches"):
        if getattr(args, name) <= 0:
            problems.append(f"--{name.replace('_', '-')}: must be positive "
                            f"(got {getattr(args, name):g})")
    if args.seed < 0:
        problems.append(f"--seed: must be at least 0 (got {args.seed})")
    if problems:
        raise ScenarioError(problems)
    assert week is not None
    scenario = load_scenario(args.scenario)
    problems = check_week(scenario, week)
    if problems:
        raise ScenarioError(problems)
    # Everything is written into a staging folder beside --out and moved in at the end: a
    # plan stopped half-way never mixes this week's roster with last week's routes.
    with run_folder(args.out) as stage:
        return _plan(args, scenario, week, stage, Path(args.out))


def _plan(args: argparse.Namespace, scenario: Any, week: Any, out: Path, final: Path) -> int:
    """Make the plan and write its files into the staging folder ``out``."""
    from tqdm import tqdm

    from patrolsim.formats.roster_xlsx import write_roster_xlsx
    from patrolsim.formats.route_exports import write_district_outputs
    from patrolsim.formats.run_outputs import write_csv
    from patrolsim.outputs import write_figure, write_json, write_text
    from patrolsim.plan.week import plan_week
    from patrolsim.report import overview_figure, render_report

    bar = tqdm(total=3 * args.reps + 3 + 7 * len(scenario.shifts), unit="step",
               file=sys.stderr, desc="planning")

    def progress(text: str) -> None:
        bar.set_postfix_str(text, refresh=False)
        bar.update(1)

    result = plan_week(scenario, week, reps=args.reps, seed=args.seed,
                       roster_time_limit_s=args.roster_time_limit,
                       route_branches=args.route_branches, progress=progress)
    bar.update(bar.total - bar.n)  # the estimate counted every shift type on every day
    bar.close()
    write_csv(result.roster.to_frame(), out / "roster.csv")
    write_csv(result.roster.cover_frame(), out / "coverage.csv")
    write_roster_xlsx(result.roster, scenario, out / "roster.xlsx")
    write_json(out / "roster_summary.json", result.roster.summary_dict())
    write_district_outputs(out, scenario, result.routes)
    write_csv(result.demand.requirements_frame(), out / "requirements.csv")
    write_csv(result.comparison(), out / "comparison.csv")
    write_csv(result.paired(), out / "paired.csv")
    write_text(out / "report.html", render_report(result))
    write_figure(out / "report.png", overview_figure(result), dpi=100)
    print(result.summary())
    print(f"wrote the roster, routes, comparison, report.html and report.png to {final}")
    return 0
