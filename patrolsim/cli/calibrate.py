"""``patrolsim calibrate DIR --caselog LOG --mapping M [--until DATE] --out NEWDIR``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from patrolsim.caselog.fit import FitSettings, fit_scenario
from patrolsim.caselog.place import PatchPlaces, patch_places, place_cases
from patrolsim.caselog.read import CaseLog, CaseMapping, load_mapping, read_caselog
from patrolsim.caselog.targets import log_targets
from patrolsim.caselog.write import write_calibrated
from patrolsim.errors import ScenarioError
from patrolsim.scenario import Scenario, load_scenario
from patrolsim.sim.policies import BASE_POLICIES


def register(sub: Any) -> None:
    """Add the ``calibrate`` subcommand."""
    p = sub.add_parser(
        "calibrate",
        help="fit a scenario's rates to a case log by simulation",
        description="Fit the true violation rates per patch and type, the hour and weekday "
        "profiles, holiday multipliers and the citizens' share so that the cases the scenario "
        "SIMULATES AS RECORDED under the bureau's usual policy match the case log. Writes a "
        "new scenario folder with calibration.csv.",
    )
    add_log_arguments(p)
    p.add_argument(
        "--until",
        type=parse_date,
        default=None,
        metavar="DATE",
        help="last day of the log to use (default: the log's last day)",
    )
    p.add_argument("--out", required=True, metavar="NEWDIR", help="the calibrated scenario folder")
    add_fit_arguments(p)
    p.set_defaults(func=run)


def add_log_arguments(p: argparse.ArgumentParser) -> None:
    """DIR, --caselog and --mapping (shared with ``backtest``)."""
    p.add_argument("scenario", metavar="DIR", help="scenario folder (e.g. made by init)")
    p.add_argument("--caselog", required=True, metavar="LOG", help="the case log (CSV or XLSX)")
    p.add_argument("--mapping", required=True, metavar="M", help="the mapping (TOML)")


def add_fit_arguments(p: argparse.ArgumentParser) -> None:
    """The fit's settings (shared with ``backtest``)."""
    d = FitSettings()
    p.add_argument(
        "--policy",
        choices=BASE_POLICIES,
        default=None,
        help="the bureau's usual policy (default: the mapping's [fit] policy, else posts+mobile)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=d.seed,
        help=f"seed of the fit's replications (default {d.seed})",
    )
    p.add_argument(
        "--reps", type=int, default=d.reps, help=f"replications per iteration (default {d.reps})"
    )
    p.add_argument(
        "--max-iter",
        type=int,
        default=d.max_iter,
        help=f"largest number of iterations (default {d.max_iter})",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=d.tolerance,
        help=f"accepted relative gap per type (default {d.tolerance})",
    )
    p.add_argument(
        "--window-days",
        type=int,
        default=d.window_days,
        help=f"days before --until that set the level of the rates (default {d.window_days})",
    )
    p.add_argument(
        "--radius",
        type=float,
        default=None,
        metavar="METRES",
        help="a case further than this from every patch is outside the district "
        "(default: the patches' median spacing)",
    )


def parse_date(text: str) -> dt.date:
    """An ISO date for argparse."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2015-09-30 (got {text!r})"
        ) from None


def settings_from(args: argparse.Namespace, mapping_policy: str) -> FitSettings:
    """FitSettings from the command line; bad values become ScenarioError lines."""
    if args.seed < 0:
        raise ScenarioError(f"--seed: must be at least 0 (got {args.seed})")
    try:
        min_iter = min(FitSettings().min_iter, max(args.max_iter, 1))
        return FitSettings(
            reps=args.reps,
            max_iter=args.max_iter,
            min_iter=min_iter,
            tolerance=args.tolerance,
            window_days=args.window_days,
            seed=args.seed,
            policy=args.policy or mapping_policy,
        )
    except ValueError as exc:
        raise ScenarioError(f"(arguments): {exc}") from None


def prepare(args: argparse.Namespace) -> tuple[Scenario, CaseMapping, CaseLog, PatchPlaces]:
    """Scenario, mapping, placed log and street patches, with every input checked."""
    scenario = load_scenario(args.scenario)
    mapping = load_mapping(args.mapping, [v.name for v in scenario.violation_types])
    if mapping.country != scenario.calendar.country:
        raise ScenarioError(
            f"{args.mapping}:0: time.country: the log's country "
            f"{mapping.country} differs from the scenario's [calendar] country "
            f"{scenario.calendar.country}; holidays would not match"
        )
    log = read_caselog(args.caselog, mapping)
    places = patch_places(args.scenario)
    placed = place_cases(log, places, args.radius)
    return scenario, mapping, placed, places


def run(args: argparse.Namespace) -> int:
    """Read, place, fit and write."""
    out = Path(args.out)
    if out.exists():
        raise ScenarioError(f"--out: {out} already exists; calibrate writes a new folder")
    scenario, mapping, placed, places = prepare(args)
    settings = settings_from(args, mapping.policy)
    until = args.until or placed.last_day
    need = settings.fit_days + 7
    if until < placed.first_day + dt.timedelta(days=need):
        raise ScenarioError(
            f"--until: the log must hold {need} days before it, from "
            f"{placed.first_day} (got {until})"
        )
    print(placed.summary())
    targets = log_targets(
        placed.cases,
        places.ids,
        tuple(mapping.types),
        until,
        scenario.calendar.country,
        settings.window_days,
    )
    print(targets.summary())
    fit = fit_scenario(scenario, targets, settings)
    print(fit.summary())
    paths = write_calibrated(fit, args.scenario, out, Path(args.caselog).name, settings)
    print(f"wrote {out} ({', '.join(p.name for p in paths)} and the scenario's other files)")
    return 0
