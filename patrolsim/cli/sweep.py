"""``patrolsim sweep DIR``: staffing × policy experiments with confidence intervals.

Wraps :func:`patrolsim.experiment.sweep.run_sweep` and writes under ``--out``:
``runs/`` (the resumable store, one JSON record per run), ``results.csv``, ``summary.csv``,
``differences.csv``, ``steady_staffing.csv``, ``recommendation.json``, ``manifest.json`` and
``plots/``. See docs/sweeps.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from patrolsim.errors import PatrolsimError, PatrolsimWarning, ScenarioError
from patrolsim.experiment.headcount import headcount, recommendation_words
from patrolsim.experiment.sweep import (
    SweepSpec,
    open_executor,
    plan_runs,
    run_sweep,
    write_outputs,
)
from patrolsim.outputs import atomic_path, check_out_folder, write_figure, write_json
from patrolsim.plotting.plot_sweep import plot_policy_comparison, plot_staffing_curve
from patrolsim.scenario import load_scenario
from patrolsim.sim.engine import MAX_STAFFING
from patrolsim.terms import Lang, format_kpi, term

DEFAULT_REPS = 20


def register(sub: Any) -> None:
    """Add the ``sweep`` subcommand."""
    p = sub.add_parser(
        "sweep",
        help="simulate staffing levels × policies with replications",
        description="Simulate every staffing level under every policy REPS times with common "
        "random numbers, and report KPI means with 95% confidence intervals, paired "
        "differences between policies, and the smallest staffing level whose intervals meet "
        "the scenario's targets. Finished runs are recorded under OUT/runs; running the same "
        "command again skips them, so an interrupted sweep resumes where it stopped.",
    )
    p.add_argument("scenario", metavar="DIR", help="scenario folder")
    p.add_argument(
        "--staffing",
        required=True,
        metavar="LIST",
        help="staffing levels as fractions of the staff list, e.g. 0.5,0.75,1,1.25",
    )
    p.add_argument(
        "--policy",
        default="posts+mobile,hotspot",
        metavar="LIST",
        help="policies separated by commas: posts, mobile, posts+mobile, hotspot; "
        "add @campaign (e.g. posts+mobile@campaign) to run the scenario's campaigns "
        "at equal staff-hours. The first is the baseline of the comparisons "
        "(default: posts+mobile,hotspot)",
    )
    p.add_argument(
        "--reps",
        type=int,
        default=DEFAULT_REPS,
        help=f"replications per cell (default {DEFAULT_REPS})",
    )
    p.add_argument(
        "--days", type=int, default=None, help="days per run (default: the scenario's horizon)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="first seed; replications use seed, seed+1, … (default 0)",
    )
    p.add_argument(
        "--no-crn",
        action="store_true",
        help="give every cell its own seeds instead of common random numbers",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local worker processes (default: the number of CPUs)",
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (see docs/sweeps.md)",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the plots and the staffing answer: zh or en (default: "
        "scenario.toml's language)",
    )
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_sweep)


def parse_list(text: str, option: str, number: bool) -> tuple[list[Any], list[str]]:
    """Split a comma-separated option; return the values and the problems found."""
    parts = [t.strip() for t in text.split(",")]
    if number:
        values: list[Any] = []
        for part in parts:
            try:
                value = float(part)
            except ValueError:
                value = float("nan")
            if not value > 0:  # also nan
                return [], [
                    f"{option}: must be positive numbers separated by commas (got {text!r})"
                ]
            if not value <= MAX_STAFFING:
                return [], [
                    f"{option}: must be at most {MAX_STAFFING:g} times the staff list "
                    f"(got {text!r})"
                ]
            values.append(value)
        return values, []
    if any(not part for part in parts):
        return [], [f"{option}: must be names separated by commas (got {text!r})"]
    return parts, []


def _check_args(args: argparse.Namespace) -> tuple[list[float], list[str]]:
    staffing, problems = parse_list(args.staffing, "--staffing", number=True)
    policies, more = parse_list(args.policy, "--policy", number=False)
    problems += more
    if args.workers is not None and args.workers < 1:
        problems.append(f"--workers: must be at least 1 (got {args.workers})")
    if args.workers is not None and args.dask:
        problems.append(
            "--workers: cannot be combined with --dask (the cluster's workers run the sweep)"
        )
    if args.dask is not None and (not args.dask.strip() or any(c.isspace() for c in args.dask)):
        problems.append(
            f"--dask: expected a scheduler address such as tls://10.0.0.5:8786 (got {args.dask!r})"
        )
    if args.reps < 1:
        problems.append(f"--reps: must be at least 1 (got {args.reps})")
    if args.seed < 0:
        problems.append(f"--seed: must be at least 0 (got {args.seed})")
    if problems:
        raise ScenarioError(problems)
    return staffing, policies


def _plots(result: Any, out: Path, targets: Any, lang: Lang = "zh") -> list[Path]:

    paths = []
    folder = out / "plots"
    conf = result.spec.confidence
    for kpi in dict.fromkeys(result.summary_table["kpi"]):
        fig = Figure(figsize=(6.4, 4.2))
        plot_staffing_curve(
            result.summary_table, kpi, targets, conf, ax=fig.add_subplot(), lang=lang
        )
        fig.tight_layout()
        paths.append(write_figure(folder / f"staffing_{kpi}.png", fig))
    if not result.differences.empty:
        kpis = list(dict.fromkeys([t.kpi for t in targets] + ["violation_hours"]))
        fig = Figure(figsize=(6.4, 3.6 * len(kpis)))
        axes = fig.subplots(len(kpis), 1, squeeze=False)
        for row, kpi in zip(axes, kpis, strict=True):
            plot_policy_comparison(result.differences, kpi, conf, ax=row[0], lang=lang)
        fig.tight_layout()
        paths.append(write_figure(folder / "policy_comparison.png", fig))
    return paths


def _write_headcount(scenario: Any, levels: Any, out: Path) -> Path:
    """headcount.csv: people per squad and role at every staffing level tested."""

    frame = pd.concat([headcount(scenario, level).assign(staffing=level) for level in levels])
    path = out / "headcount.csv"
    with atomic_path(path) as tmp:
        frame[["staffing", "squad", "role", "now", "at_level", "change"]].to_csv(
            tmp, index=False, encoding="utf-8"
        )
    return path


def _headcount_lines(scenario: Any, result: Any, lang: Any) -> list[str]:
    """Each policy's answer in people by role and squad, with the fraction beside it and,
    at the level recommended, what it costs a year (mean and 95 % interval)."""
    table = result.summary_table
    lines = []
    for rec in result.recommendation.policies:
        line = recommendation_words(scenario, rec, lang)
        cost = table[
            (table["staffing"] == rec.staffing)
            & (table["policy"] == rec.policy)
            & (table["kpi"] == "annual_cost")
        ]
        if len(cost):  # none when no level was recommended (staffing None)
            mean, lo, hi = (float(cost[c].iloc[0]) for c in ("mean", "ci_low", "ci_high"))
            words = [format_kpi("annual_cost", v, lang) for v in (mean, lo, hi)]
            line += (
                f"；{term('annual_cost', lang)} {words[0]}(95%区间 {words[1]} 至 {words[2]})"
                if lang == "zh"
                else f"; {term('annual_cost', lang)} {words[0]} (95% CI {words[1]} to {words[2]})"
            )
        lines.append(line)
    return lines


def _add_headcount(path: Path, lines: list[str]) -> None:
    """Put each policy's answer in people beside its fraction in recommendation.json."""

    if not path.is_file():
        return
    doc = json.loads(path.read_text(encoding="utf-8"))
    for policy, line in zip(doc.get("policies", []), lines, strict=False):
        policy["headcount_text"] = line
    write_json(path, doc)


def _sweep(args: argparse.Namespace) -> int:

    staffing, policies = _check_args(args)
    spec = SweepSpec(
        tuple(staffing),
        tuple(policies),
        args.reps,
        args.days,
        args.seed,
        common_random_numbers=not args.no_crn,
    )
    scenario = load_scenario(args.scenario)
    # A sweep writes into --out as it goes (finished runs are kept for resuming), so --out
    # is checked here, before any run starts, rather than staged.
    out = check_out_folder(args.out)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PatrolsimWarning)
            tasks = plan_runs(scenario, spec, args.scenario)  # problems before any work
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PatrolsimWarning)
            with open_executor(args.workers, args.dask) as executor:
                result = run_sweep(
                    scenario,
                    spec,
                    out,
                    executor,
                    progress=not args.quiet,
                    scenario_dir=args.scenario,
                    tasks=tasks,
                )
    except ScenarioError:
        raise
    except PatrolsimError as exc:
        print(f"patrolsim: {exc}", file=sys.stderr)
        return 1
    lang = args.lang or scenario.language
    paths = write_outputs(result, out)
    paths.append(_write_headcount(scenario, spec.staffing, out))
    if not args.no_plots:
        paths += _plots(result, out, scenario.targets, lang)
    lines = _headcount_lines(scenario, result, lang)
    _add_headcount(out / "recommendation.json", lines)
    if lang == "zh":
        print(
            f"{scenario.name}：人员规模测试共 {len(result.results)} 次模拟(本次 {result.ran} 次，"
            f"已有记录 {result.skipped} 次)"
        )
        if not scenario.targets:
            print("scenario.toml 未设 [targets]，无法给出人员建议。")
    else:
        print(result.summary())
    for line in lines:
        print(line)
    print(
        f"已写入 {len(paths)} 个文件至 {out}"
        if lang == "zh"
        else f"wrote {len(paths)} files under {out} (results.csv, summary.csv, differences.csv, "
        f"recommendation.json{', plots/' if not args.no_plots else ''})"
    )
    return 0
