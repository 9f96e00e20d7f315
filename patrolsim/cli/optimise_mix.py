"""``patrolsim optimise-mix DIR``: the cheapest mix of staff, policy and levers meeting the targets.

Wraps :func:`patrolsim.experiment.mix.search_mix` and writes under ``--out``: ``mixes.csv``
(one row per mix: settings, fixed cost, status, annual cost and every target KPI with its
interval), ``runs.csv`` (every run), ``confirmation.csv`` (the choice and runners-up on fresh
seeds), ``choice.json``, ``manifest.json`` and ``frontier_<kpi>.png`` for each target KPI.
See docs/levers.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

import patrolsim.plotting  # noqa: F401  (the Chinese font)
from patrolsim.errors import PatrolsimError, ScenarioError
from patrolsim.experiment.mix import MixSpec, frontier, print_progress, search_mix
from patrolsim.experiment.sweep import open_executor
from patrolsim.outputs import atomic_path, write_figure, write_json
from patrolsim.plotting.plot_frontier import plot_frontier
from patrolsim.scenario import load_scenario
from patrolsim.scenario.model import KPI_NAMES, Target

_TARGET = re.compile(r"^\s*([A-Za-z0-9_:]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")


def register(sub: Any) -> None:
    """Add the ``optimise-mix`` subcommand."""
    p = sub.add_parser(
        "optimise-mix",
        help="cheapest mix of staff, patrol policy and levers meeting the targets",
        description="Search certified officers × auxiliaries × patrol policies × the scenario's "
        "levers (stall zones, cameras, shop-front contracts, each on or off) within a budget, "
        "with common random numbers; report the cheapest mix whose whole confidence intervals "
        "meet every target, its annual cost, a cost–KPI frontier plot, and a confirmation of "
        "the choice and runners-up on fresh seeds. See docs/levers.md.",
    )
    p.add_argument("scenario", metavar="DIR", help="scenario folder")
    p.add_argument(
        "--certified",
        default="0.75,1,1.25",
        metavar="LIST",
        help="fractions of the certified officers (and leaders) to try (default 0.75,1,1.25)",
    )
    p.add_argument(
        "--auxiliary",
        default="0.5,1,1.5",
        metavar="LIST",
        help="fractions of the auxiliaries to try (default 0.5,1,1.5)",
    )
    p.add_argument(
        "--policy",
        default="posts+mobile,hotspot",
        metavar="LIST",
        help="patrol policies: posts, mobile, posts+mobile, hotspot (default posts+mobile,hotspot)",
    )
    p.add_argument(
        "--levers",
        default="all",
        metavar="LIST",
        help="levers to try on and off, by name, or all / none (default all)",
    )
    p.add_argument(
        "--target",
        action="append",
        default=None,
        metavar="KPI<=X",
        help="a target such as complaint_response_p90_min<=60 or "
        "violation_hours:street_vending<=900; repeat for more. Given targets "
        "replace the scenario's [targets]",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        metavar="YUAN",
        help="largest fixed annual cost of a mix (staff and levers), yuan",
    )
    p.add_argument("--reps", type=int, default=5, help="replications in screening (default 5)")
    p.add_argument(
        "--reps-final",
        type=int,
        default=10,
        help="replications of finalists and of the confirmation (default 10)",
    )
    p.add_argument("--finalists", type=int, default=6, help="mixes refined per round (default 6)")
    p.add_argument(
        "--runners-up", type=int, default=3, help="runners-up confirmed with the choice (default 3)"
    )
    p.add_argument(
        "--days", type=int, default=None, help="days per run (default: the scenario's horizon)"
    )
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
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
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786",
    )
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    p.add_argument("--quiet", action="store_true", help="no progress report")
    p.set_defaults(func=_optimise_mix)


def _numbers(text: str, option: str, problems: list[str]) -> tuple[float, ...]:
    values = []
    for part in text.split(","):
        try:
            values.append(float(part))
        except ValueError:
            problems.append(f"{option}: must be numbers separated by commas (got {text!r})")
            return ()
    return tuple(values)


def parse_targets(texts: list[str], kpis: set[str], problems: list[str]) -> tuple[Any, ...]:
    """``KPI<=X`` / ``KPI>=X`` options as targets, problems appended one line each."""

    out = []
    for text in texts:
        match = _TARGET.match(text)
        if match is None:
            problems.append(f"--target: expected KPI<=VALUE or KPI>=VALUE (got {text!r})")
            continue
        kpi, op, raw = match.groups()
        if kpi not in kpis:
            problems.append(
                f"--target: unknown KPI {kpi!r}; expected one of {', '.join(sorted(kpis))}"
            )
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(f"--target: not a number in {text!r}")
            continue
        out.append(
            Target(kpi, min=value if op == ">=" else None, max=value if op == "<=" else None)
        )
    return tuple(out)


def _optimise_mix(args: argparse.Namespace) -> int:

    scenario = load_scenario(args.scenario)
    problems: list[str] = []
    certified = _numbers(args.certified, "--certified", problems)
    auxiliary = _numbers(args.auxiliary, "--auxiliary", problems)
    policies = tuple(p.strip() for p in args.policy.split(",") if p.strip())
    if args.levers == "all":
        levers: tuple[str, ...] | None = None
    elif args.levers == "none":
        levers = ()
    else:
        levers = tuple(n.strip() for n in args.levers.split(",") if n.strip())
    kpis = set(KPI_NAMES) | {f"violation_hours:{v.name}" for v in scenario.violation_types}
    targets = parse_targets(args.target, kpis, problems) if args.target else None
    if args.workers is not None and args.workers < 1:
        problems.append(f"--workers: must be at least 1 (got {args.workers})")
    if args.workers is not None and args.dask:
        problems.append("--workers: cannot be combined with --dask")
    if problems:
        raise ScenarioError(problems)
    spec = MixSpec(
        certified,
        auxiliary,
        policies,
        levers,
        targets,
        args.budget,
        args.reps,
        args.reps_final,
        args.finalists,
        args.runners_up,
        args.days,
        args.seed,
    )
    spec.grid(scenario)  # unknown levers, no targets: before any work
    try:
        with open_executor(args.workers, args.dask) as executor:
            result = search_mix(
                scenario,
                spec,
                executor,
                scenario_dir=args.scenario,
                progress=None if args.quiet else print_progress,
            )
    except ScenarioError:
        raise
    except PatrolsimError as exc:
        print(f"patrolsim: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    paths = write_mix_outputs(result, out)
    for kpi in dict.fromkeys(t.kpi for t in result.targets):
        better_low = not any(t.kpi == kpi and t.min is not None for t in result.targets)
        paths.append(
            frontier_figure(
                result,
                kpi,
                frontier(result.table, kpi, better_low),
                out / f"frontier_{kpi.replace(':', '_')}.png",
            )
        )
    print(result.summary())
    print(
        f"wrote {len(paths)} files under {out} (mixes.csv, confirmation.csv, choice.json, "
        f"frontier_*.png)"
    )
    return 0


def frontier_figure(result: Any, kpi: str, front: Any, path: Path) -> Path:
    """Draw and write the cost–KPI plot of ``kpi``."""

    fig = Figure(figsize=(8.0, 5.2))
    plot_frontier(result.table, kpi, front, result.choice, result.targets, ax=fig.add_subplot())
    fig.tight_layout()
    return write_figure(path, fig)


def write_mix_outputs(result: Any, out: Path) -> list[Path]:
    """Write the tables, the choice and a manifest under ``out`` atomically."""
    paths = []
    for frame, name in (
        (result.table, "mixes.csv"),
        (result.runs, "runs.csv"),
        (result.confirmation, "confirmation.csv"),
    ):
        path = out / name
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig", float_format="%.10g")
        paths.append(path)
    row = result.chosen_row()
    choice = (
        None
        if row is None
        else {
            "mix": row["mix"],
            "certified": row["certified"],
            "auxiliary": row["auxiliary"],
            "policy": row["policy"],
            "levers": row["levers"].split("+") if row["levers"] else [],
            "annual_cost": row["cost_mean"],
            "annual_cost_ci": [row["cost_ci_low"], row["cost_ci_high"]],
            "fixed_cost": row["fixed_cost"],
            "kpis": {
                t.kpi: {
                    "mean": row[f"{t.kpi}:mean"],
                    "ci_low": row[f"{t.kpi}:ci_low"],
                    "ci_high": row[f"{t.kpi}:ci_high"],
                }
                for t in result.targets
            },
            "confirmed_on_fresh_seeds": result.confirmed,
        }
    )
    spec = result.spec
    paths.append(
        write_json(out / "choice.json", {"scenario": result.scenario_name, "choice": choice})
    )
    paths.append(
        write_json(
            out / "manifest.json",
            {
                "scenario": result.scenario_name,
                "certified": list(spec.certified),
                "auxiliary": list(spec.auxiliary),
                "policies": list(spec.policies),
                "levers": None if spec.levers is None else list(spec.levers),
                "targets": [{"kpi": t.kpi, "min": t.min, "max": t.max} for t in result.targets],
                "budget": spec.budget,
                "reps": spec.reps,
                "reps_final": spec.reps_final,
                "finalists": spec.finalists,
                "runners_up": spec.runners_up,
                "days": spec.days,
                "seed": spec.seed,
                "wall_s": round(result.wall_s, 1),
                "runs": len(result.runs),
            },
        )
    )
    return paths
