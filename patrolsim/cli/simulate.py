"""``patrolsim simulate``: replications of one patrol policy, their KPIs and plots.

``patrolsim simulate DIR --policy NAME --days N --seed S [--reps R] [--staffing F] --out OUT``
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from tqdm import tqdm

from patrolsim.errors import ScenarioError
from patrolsim.experiment.sweep import (
    PolicyVariant,
    campaign_window_problems,
    equal_hours_staffing,
)
from patrolsim.formats.run_outputs import timeseries_table, write_run
from patrolsim.outputs import run_folder, write_figure
from patrolsim.plotting.plot_sim import (
    plot_daily_violations,
    plot_hour_weekday,
    plot_time_budget,
)
from patrolsim.scenario import load_scenario
from patrolsim.sim.engine import check_arguments, simulate
from patrolsim.sim.metrics import SimResult, hour_weekday_counts, time_budget
from patrolsim.sim.policies import BASE_POLICIES
from patrolsim.terms import format_kpi, policy_term, term

SUMMARY_KPIS = (
    "violations_started",
    "violation_hours",
    "complaints_within_target_share",
    "inspection_pass_rate",
    "patrol_hours",
)
"""The KPIs printed per replication (every KPI is in kpis.csv)."""


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser(
        "simulate",
        help="simulate a scenario under a patrol policy",
        description="Simulate the scenario's violations and patrol units under a policy for "
        "one or more replications (seeds S, S+1, ...) and write KPIs, time series, per-patch "
        "KPIs, a manifest and plots under --out.",
    )
    p.add_argument("scenario", metavar="DIR", help="scenario folder")
    p.add_argument(
        "--policy",
        default="posts+mobile",
        metavar="NAME",
        help=f"patrol policy: {', '.join(BASE_POLICIES)}; as in sweep, a plain name "
        "runs without the scenario's campaigns, NAME@campaign runs them at equal "
        "staff-hours and NAME@campaign+overtime on top of the rota (default: "
        "posts+mobile)",
    )
    p.add_argument("--days", type=int, default=None, help="days to simulate (default: horizon)")
    p.add_argument("--seed", type=int, required=True, help="seed of the first replication")
    p.add_argument("--reps", type=int, default=1, help="replications (default 1)")
    p.add_argument(
        "--staffing",
        type=float,
        default=1.0,
        help="fraction of the staff list (default 1.0; >1 adds staff)",
    )
    p.add_argument(
        "--no-campaigns",
        action="store_true",
        help="leave out the scenario's campaigns (the default for a plain policy "
        "name; kept for old scripts)",
    )
    p.add_argument(
        "--levers",
        default=None,
        metavar="LIST",
        help="levers to switch on by name (stall zones, cameras, shop-front "
        "contracts), 'all' or 'none'; the others are off (default: as scenario.toml "
        "says)",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the plots: zh or en (default: scenario.toml's language)",
    )
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the replications and write the run folder."""
    scenario = load_scenario(args.scenario)
    days = scenario.horizon_days if args.days is None else args.days
    problems = check_arguments(scenario, days, args.seed, args.staffing)
    if args.reps < 1:
        problems.append(f"--reps: must be at least 1 (got {args.reps})")
    if args.staffing == 0:
        problems.append(
            "--staffing: must be above 0: a run without staff has no patrol to report (got 0)"
        )
    out = Path(args.out)
    if args.levers is not None:
        names = scenario.levers.names()
        chosen = {"all": set(names), "none": set()}.get(
            args.levers, {n.strip() for n in args.levers.split(",") if n.strip()}
        )
        problems += [
            f"--levers: the scenario defines no lever {n!r}; it has {', '.join(names) or 'none'}"
            for n in sorted(chosen - set(names))
        ]
        scenario = dataclasses.replace(scenario, levers=scenario.levers.with_enabled(chosen))
    variant = PolicyVariant.parse(args.policy)
    if variant.campaigns and args.no_campaigns:
        problems.append(f"--no-campaigns: contradicts --policy {args.policy}")
    elif variant.campaigns and not scenario.campaigns:
        problems.append(f"--policy: {args.policy}: the scenario has no [[campaigns]]")
    elif not problems:
        problems += campaign_window_problems(scenario, days, [variant])
    if problems:
        raise ScenarioError(problems)
    with run_folder(out) as stage:
        return _simulate(args, scenario, variant, days, stage, out)


def _simulate(
    args: argparse.Namespace,
    scenario: Any,
    variant: PolicyVariant,
    days: int,
    stage: Path,
    out: Path,
) -> int:
    """Run the replications and write their files into the staging folder ``stage``."""
    staffing = args.staffing
    if variant.campaigns and not variant.overtime:
        staffing = equal_hours_staffing(scenario, args.staffing, days)
    simulate_kwargs = {"days": days, "staffing": staffing, "campaigns": variant.campaigns}
    results: list[SimResult] = []
    bar = tqdm(
        range(args.reps),
        desc=f"simulating {args.policy}",
        unit="rep",
        file=sys.stderr,
        disable=args.reps == 1 and not sys.stderr.isatty(),
    )
    for i in bar:
        results.append(simulate(scenario, variant.base, args.seed + i, **simulate_kwargs))
    paths = write_run(results, scenario, stage, sys.argv)
    lang = args.lang or scenario.language
    paths += write_plots(results, scenario, stage, lang)
    if lang == "zh":
        print(f"{scenario.name}：{policy_term(variant.name)}，{len(results)} 次模拟")
        for result in results[:3]:
            print(
                f"种子 {result.seed}："
                + "，".join(
                    f"{term(k)} {format_kpi(k, float(result.kpis[k]))}" for k in SUMMARY_KPIS
                )
            )
        if len(results) > 3:
            print(f"……另有 {len(results) - 3} 次模拟")
        print(f"已写入 {'、'.join(p.name for p in paths)} 至 {out}")
        return 0
    for result in results[:3]:
        print(result.summary())
    if len(results) > 3:
        print(f"... {len(results) - 3} more replications")
    print(f"wrote {', '.join(p.name for p in paths)} to {out}")
    return 0


def write_plots(results: list[SimResult], scenario: Any, out: Path, lang: Any = "zh") -> list[Path]:
    """Daily violations, hour × weekday heat map and officer time budget as PNGs."""
    paths = []
    warmup_end = None
    if scenario.warmup_days:
        warmup_end = scenario.start_date + pd.Timedelta(days=scenario.warmup_days)
    campaigns = scenario.campaigns if results[0].campaigns else ()
    zh = lang == "zh"
    types = {v.name: (v.label or v.name) if zh else v.name for v in scenario.violation_types}
    shifts = {s.name: (s.label or s.name) if zh else s.name for s in scenario.shifts}
    figures = [
        (
            "daily_violations.png",
            lambda ax: plot_daily_violations(
                timeseries_table(results),
                campaigns,
                warmup_end,
                ax=ax,
                lang=lang,
                type_labels=types,
            ),
            (11, 4.5),
        ),
        (
            "hour_weekday.png",
            lambda ax: plot_hour_weekday(
                sum(hour_weekday_counts(r) for r in results), ax=ax, lang=lang
            ),
            (5.5, 6),
        ),
        (
            "time_budget.png",
            lambda ax: plot_time_budget(
                sum(time_budget(r) for r in results) / len(results),
                ax=ax,
                lang=lang,
                shift_labels=shifts,
            ),
            (9, 4.5),
        ),
    ]
    for name, draw, size in figures:
        fig, ax = plt.subplots(figsize=size)
        draw(ax)
        fig.tight_layout()
        paths.append(write_figure(out / name, fig))
    return paths
