"""Calibrating the Boston 311 log, and back-testing it on 13 held-out weeks.

Run: ``python benchmarks/calibrate_speed.py [--skip-backtest]`` from a checkout with
``../shared/data/boston-311-2015`` beside it. Runs, in-process and into a temporary folder,
exactly the commands of docs/calibration.md:

    patrolsim init boston --from-caselog LOG --mapping scenarios/boston/mapping.toml
    patrolsim calibrate boston --caselog LOG --mapping M --until 2015-09-30 --out boston-cal
    patrolsim backtest boston --caselog LOG --mapping M --train-until 2015-09-30 --weeks 13 \\
        --out backtest

and prints the wall-clock and CPU time of each (target: calibration at most a few minutes on
2 cores) and the back-test's scores. Writes the sections ``calibration`` and ``backtest`` of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_section

from patrolsim.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT.parent / "shared" / "data" / "boston-311-2015" / "cases.csv"
MAPPING = ROOT / "scenarios" / "boston" / "mapping.toml"


def timed(args: list[str]) -> tuple[float, float, str]:
    """Run one patrolsim command; return wall seconds, CPU seconds and its standard output."""
    out = io.StringIO()
    wall = time.perf_counter()
    cpu = time.process_time()
    with contextlib.redirect_stdout(out):
        code = cli(args)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    if code != 0:
        raise SystemExit(f"patrolsim {' '.join(args)} exited with {code}")
    return wall, cpu, out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-backtest", action="store_true")
    args = parser.parse_args()
    if not LOG.exists():
        raise SystemExit(f"{LOG} not found: check out ../shared beside the project")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "boston"
        common = ["--caselog", str(LOG), "--mapping", str(MAPPING)]
        w_init, c_init, _ = timed(
            ["init", str(folder), "--from-caselog", str(LOG), "--mapping", str(MAPPING)]
        )
        print(f"init: {w_init:.1f} s wall, {c_init:.1f} s CPU", flush=True)
        w_cal, c_cal, text = timed(
            [
                "calibrate",
                str(folder),
                *common,
                "--until",
                "2015-09-30",
                "--out",
                str(Path(tmp) / "boston-cal"),
            ]
        )
        fit_lines = [line for line in text.splitlines() if line.startswith(("fit ", "  "))]
        print(f"calibrate: {w_cal:.1f} s wall, {c_cal:.1f} s CPU", flush=True)
        print("\n".join(fit_lines[-5:]))
        table = pd.read_csv(Path(tmp) / "boston-cal" / "calibration.csv").set_index("parameter")
        body = (
            "Boston 311 log (../shared/data/boston-311-2015, 18,152 rows, 8,413 of the mapped "
            "types), 1 km grid from `patrolsim init` (132 patches, placeholder staff), "
            "`patrolsim calibrate --until 2015-09-30` with the defaults (2 replications per "
            "iteration, 21 + 28 simulated days, tolerance 3 %).\n\n"
            "| step | wall s | CPU s |\n|---|---:|---:|\n"
            f"| init | {w_init:.1f} | {c_init:.1f} |\n"
            f"| calibrate | {w_cal:.1f} | {c_cal:.1f} |\n\n"
            f"Iterations: {table.loc['fit.iterations', 'value']:.0f}, converged: "
            f"{bool(table.loc['fit.converged', 'value'])}. Simulated / logged recorded cases "
            "in the fit window: "
            + ", ".join(
                f"{p.removeprefix('fit.simulated_over_log.')} {v:.3f}"
                for p, v in table["value"].items()
                if p.startswith("fit.simulated_over_log.")
            )
            + ".\n"
        )
        command = "python benchmarks/calibrate_speed.py"
        write_section("calibration", "Calibrating the Boston 311 log", command, body)
        if args.skip_backtest:
            return
        out = Path(tmp) / "backtest"
        w_bt, c_bt, text = timed(
            [
                "backtest",
                str(folder),
                *common,
                "--train-until",
                "2015-09-30",
                "--weeks",
                "13",
                "--out",
                str(out),
            ]
        )
        print(f"backtest: {w_bt:.1f} s wall, {c_bt:.1f} s CPU", flush=True)
        scores = pd.read_csv(out / "scores.csv").pivot(
            index="model", columns="metric", values="value"
        )
        scores = scores.loc[
            ["simulation", "historical_mean", "seasonal_naive"],
            ["poisson_deviance", "mae", "hit_rate_10", "pai_10"],
        ]
        print(scores.round(4).to_string())
        cells = pd.read_csv(out / "cells.csv")
        rows = "".join(
            f"| {m} | " + " | ".join(f"{scores.loc[m, c]:.4f}" for c in scores.columns) + " |\n"
            for m in scores.index
        )
        body = (
            "`patrolsim backtest --train-until 2015-09-30 --weeks 13` on the scenario made by "
            f"`init` (refit before every week; 4 forecast replications): {len(cells):,} cells "
            f"(patch × type × day), {int(cells['observed'].sum()):,} observed cases, "
            f"{w_bt:.0f} s wall, {c_bt:.0f} s CPU.\n\n"
            "| model | poisson_deviance | mae | hit_rate_10 | pai_10 |\n"
            "|---|---:|---:|---:|---:|\n" + rows
        )
        write_section(
            "backtest", "Back-test of the Boston calibration (13 held-out weeks)", command, body
        )


if __name__ == "__main__":
    main()
