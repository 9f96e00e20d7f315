"""``patrolsim validate-model``: the model-validity checks, a report and one figure each."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from patrolsim.outputs import atomic_path, run_folder, write_figure, write_json, write_text
from patrolsim.plotting.plot_validity import plot_check
from patrolsim.scenario import load_scenario
from patrolsim.validation.suite import CHECKS, run_all, summary_table

DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "nanhu"


def register(sub: Any) -> None:
    """Add the ``validate-model`` subcommand."""
    p = sub.add_parser(
        "validate-model",
        help="check the simulator against the criminology anchors",
        description="Run the validity checks (Koper curve, crackdown dynamics, tipping, "
        "presence dose, displacement and diffusion, broken windows, Erlang C, and the levers: "
        "stall zones, cameras, shop-front contracts), each with a "
        "purpose-built scenario, and write report.md, results.json, summary.csv and one PNG "
        "per check under --out. Exit 0 if all pass, 1 if any fails.",
    )
    p.add_argument(
        "--out", metavar="DIR", default="validity", help="output folder (default: validity)"
    )
    p.add_argument(
        "--reference",
        metavar="DIR",
        default=str(DEFAULT_REFERENCE),
        help="scenario whose violation types checks 2, 5 and 6 use "
        "(default: the Nanhu reference district)",
    )
    p.add_argument(
        "--only", metavar="CHECK", nargs="+", choices=CHECKS, help="run only these checks"
    )
    p.set_defaults(func=_run)


def report_markdown(results: Any) -> str:
    """The report: the summary table, then per check its criteria and figure."""
    lines = [
        "# How credible is the model?",
        "",
        "Each check drives the simulator with a purpose-built scenario and compares one "
        "figure with a published finding (`patrolsim validate-model`).",
        "",
        "| # | check | anchor | model | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.number} | {r.title} | {r.anchor} | {r.figure} | "
            f"{'pass' if r.passed else '**FAIL**'} |"
        )
    for r in results:
        lines += [
            "",
            f"## {r.number}. {r.title}",
            "",
            f"![{r.title}](check{r.number}_{r.key}.png)",
            "",
            f"- anchor: {r.anchor}",
            f"- model: {r.figure}",
            "",
        ]
        lines += [
            f"  - {c.name}: {c.value:.3g}{c.unit}, accepted {c.bounds()}: "
            f"{'ok' if c.passed else 'FAIL'}"
            for c in r.criteria
        ]
        lines.append(f"- settings: `{json.dumps(r.settings, default=str, ensure_ascii=False)}`")
    return "\n".join(lines) + "\n"


def _run(args: argparse.Namespace) -> int:
    """Run every check and write the report into ``--out``."""
    reference = load_scenario(args.reference)
    # The run folder is made before the checks run: a bad --out costs seconds, not minutes.
    with run_folder(args.out) as out:
        return _check_and_write(args, reference, out, plt, plot_check)


def _check_and_write(
    args: argparse.Namespace, reference: Any, out: Path, plt: Any, plot_check: Any
) -> int:
    """Run the checks and write their files into the staging folder ``out``."""
    results = run_all(
        reference, only=args.only, progress=lambda key: print(f"running {key} …", file=sys.stderr)
    )
    for r in results:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        plot_check(r, ax=ax)
        fig.tight_layout()
        write_figure(out / f"check{r.number}_{r.key}.png", fig)
        with atomic_path(out / f"check{r.number}_{r.key}.csv") as tmp:
            r.table.to_csv(tmp, index=False)
    with atomic_path(out / "summary.csv") as tmp:
        summary_table(results).to_csv(tmp, index=False)
    write_json(
        out / "results.json",
        [
            {
                "number": r.number,
                "key": r.key,
                "title": r.title,
                "anchor": r.anchor,
                "figure": r.figure,
                "passed": r.passed,
                "settings": r.settings,
                "criteria": [
                    {
                        "name": c.name,
                        "value": c.value,
                        "low": c.low,
                        "high": c.high,
                        "passed": c.passed,
                    }
                    for c in r.criteria
                ],
            }
            for r in results
        ],
    )
    write_text(out / "report.md", report_markdown(results))
    for r in results:
        print(r.summary())
    failed = [r.number for r in results if not r.passed]
    print(
        f"wrote {args.out}/report.md; "
        + (f"checks failing: {failed}" if failed else "all checks pass"),
        file=sys.stderr,
    )
    return 1 if failed else 0
