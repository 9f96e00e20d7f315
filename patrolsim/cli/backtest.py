"""``patrolsim backtest DIR --caselog LOG --mapping M --train-until DATE --weeks N --out OUT``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from patrolsim.caselog.backtest import BacktestSettings, backtest
from patrolsim.caselog.report import backtest_html, cells_for_csv
from patrolsim.cli.calibrate import (
    add_fit_arguments,
    add_log_arguments,
    parse_date,
    prepare,
    settings_from,
)
from patrolsim.errors import ScenarioError


def register(sub: Any) -> None:
    """Add the ``backtest`` subcommand."""
    p = sub.add_parser(
        "backtest",
        help="score the calibrated simulator's forecasts on held-out weeks",
        description="Rolling origin, week by week: fit on everything before the week, forecast "
        "its recorded cases per patch x type x day by simulation, and score them against the "
        "log together with two baselines (historical mean, seasonal naive). Writes "
        "scores.csv, cells.csv and report.html under --out.",
    )
    add_log_arguments(p)
    p.add_argument(
        "--train-until",
        required=True,
        type=parse_date,
        metavar="DATE",
        help="last day of the first fit; the first held-out week starts after it",
    )
    p.add_argument("--weeks", type=int, default=13, help="held-out weeks (default 13)")
    p.add_argument(
        "--forecast-reps",
        type=int,
        default=BacktestSettings().reps,
        help=f"forecast replications per week (default {BacktestSettings().reps})",
    )
    p.add_argument("--out", required=True, metavar="OUT", help="output folder (must not exist)")
    add_fit_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, back-test and write the three files."""
    out = Path(args.out)
    if out.exists():
        raise ScenarioError(f"--out: {out} already exists; backtest writes a new folder")
    scenario, mapping, placed, places = prepare(args)
    fit_settings = settings_from(args, mapping.policy)
    try:
        settings = BacktestSettings(weeks=args.weeks, reps=args.forecast_reps, fit=fit_settings)
    except ValueError as exc:
        raise ScenarioError(f"(arguments): {exc}") from None
    last = args.train_until + dt.timedelta(days=7 * args.weeks)
    problems = []
    if args.train_until < placed.first_day + dt.timedelta(days=fit_settings.fit_days + 7):
        problems.append(
            f"--train-until: the log must hold {fit_settings.fit_days + 7} days "
            f"before it, from {placed.first_day} (got {args.train_until})"
        )
    if last > placed.last_day:
        problems.append(
            f"--weeks: {args.weeks} weeks after {args.train_until} end on {last}, "
            f"after the log's last day {placed.last_day}"
        )
    if problems:
        raise ScenarioError(problems)
    print(placed.summary())
    result = backtest(
        scenario, placed.cases, places.ids, tuple(mapping.types), args.train_until, settings
    )
    print(result.summary())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        result.scores.to_csv(tmp / "scores.csv", index=False, float_format="%.6g")
        cells_for_csv(result.cells).to_csv(tmp / "cells.csv", index=False, float_format="%.6g")
        title = f"{Path(args.scenario).name} · {Path(args.caselog).name}"
        (tmp / "report.html").write_text(backtest_html(result, places, title), encoding="utf-8")
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    print(f"wrote {out} (scores.csv, cells.csv, report.html)")
    return 0
