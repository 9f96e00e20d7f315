"""``patrolsim init DIR --from-caselog LOG --mapping M [--grid METRES | --by-area]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from patrolsim.caselog.init import REFERENCE, init_scenario
from patrolsim.caselog.read import load_mapping, read_caselog
from patrolsim.errors import ScenarioError
from patrolsim.scenario import load_scenario


def register(sub: Any) -> None:
    """Add the ``init`` subcommand."""
    p = sub.add_parser(
        "init",
        help="start a scenario for a district from its case log",
        description="Make a new scenario folder from a case log: patches on a square grid over "
        "the cases (or one per area), the reference district's violation types and rules, and "
        "a PLACEHOLDER staff list to replace. It validates and simulates at once; run "
        "`patrolsim calibrate` next to fit its rates to the log.",
    )
    p.add_argument("scenario", metavar="DIR", help="the new scenario folder (must not exist)")
    p.add_argument(
        "--from-caselog",
        required=True,
        metavar="LOG",
        dest="caselog",
        help="the case log (CSV or XLSX)",
    )
    p.add_argument("--mapping", required=True, metavar="M", help="the mapping (TOML)")
    layout = p.add_mutually_exclusive_group()
    layout.add_argument(
        "--grid",
        type=float,
        default=1000.0,
        metavar="METRES",
        help="side of the square grid cells (default 1000)",
    )
    layout.add_argument(
        "--by-area", action="store_true", help="one patch per value of the mapped area column"
    )
    p.add_argument(
        "--reference",
        default=str(REFERENCE),
        metavar="REF",
        help="scenario whose types and rules are copied (default scenarios/nanhu)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the log and write the new scenario."""
    if not args.by_area and not args.grid > 0:
        raise ScenarioError(f"--grid: must be positive (got {args.grid:g})")
    if not Path(args.reference).is_dir():
        raise ScenarioError(f"--reference: no scenario folder {args.reference}")
    reference_types = _types(args.reference)
    mapping = load_mapping(args.mapping, reference_types)
    log = read_caselog(args.caselog, mapping)
    print(log.summary())
    result = init_scenario(
        log,
        mapping,
        args.scenario,
        None if args.by_area else args.grid,
        args.reference,
        Path(args.caselog).name,
    )
    print(result.summary())
    print(
        "注意 NOTE: staff.csv is a PLACEHOLDER staff list (占位名单); replace it with the "
        "bureau's own before planning.",
        file=sys.stderr,
    )
    return 0


def _types(reference: str) -> list[str]:

    return [v.name for v in load_scenario(reference).violation_types]
