"""Scale: memory and time of routes, validate and a simulated week for large districts.

Run: ``python benchmarks/scale.py [--routes-patches 5000] [--city-patches 50000]
[--time-limit 60]``. Each measurement runs in its own process, so its peak resident memory
(``ru_maxrss``) is its own:

* **routes**: the routes of one shift (default units) of a synthetic district of 5,000 street
  patches built like the reference district (about 2,000 staff), with a time limit; prints
  wall time, peak memory and quality (stops, violation-hours the stops are worth, share of
  patches visited, fixed posts missed, rule checks). Targets: within the time limit, under
  2 GB.
* **validate** and **simulate**: a synthetic city of 50,000 patches saved as a scenario
  folder (without warm-up), then ``patrolsim validate`` and ``patrolsim simulate --days 7``.
  Target: each under 8 GB.

Figures go to the ``scale`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._results import write_section  # noqa: E402
from benchmarks.synthetic import synthetic_district  # noqa: E402
from patrolsim.routing import RoutingParams  # noqa: E402
from patrolsim.routing.check import check_district_routes  # noqa: E402
from patrolsim.routing.district import default_units, solve_district_routes  # noqa: E402
from patrolsim.scenario import load_scenario  # noqa: E402
from patrolsim.scenario.save import save_scenario  # noqa: E402

GB = 1024**3


def _routes(patches: int, time_limit: float) -> dict[str, object]:
    """Solve one shift's routes in this process; return the figures."""
    nanhu = load_scenario(ROOT / "scenarios" / "nanhu")
    sc = synthetic_district(nanhu, patches, seed=1)
    shift = sc.shift("day") if any(s.name == "day" for s in sc.shifts) else sc.shifts[0]
    units = default_units(sc, shift)
    t0 = time.perf_counter()
    plan = solve_district_routes(
        sc,
        dt.date(2026, 11, 24),
        shift,
        units=units,
        params=RoutingParams(time_limit_s=time_limit, seed=0),
    )
    wall = time.perf_counter() - t0
    problems = check_district_routes(sc, plan)
    street = [p.index for p in sc.patches if p.kind != "base"]
    visited = {r.patch_index for ur in plan.routes for r in ur.stops}
    return {
        "patches": len(street),
        "squads": len(sc.squads),
        "staff": len(sc.staff),
        "units": len(units),
        "shift": shift.name,
        "time_limit_s": time_limit,
        "wall_s": round(wall, 1),
        "stops": sum(len(r.stops) for r in plan.routes),
        "value_violation_hours": round(plan.prize, 1),
        "patches_visited_share": round(len(visited) / len(street), 3),
        "unmet_posts": len(plan.unmet_posts),
        "check_problems": len(problems),
    }


def _save_city(patches: int, folder: Path) -> None:
    nanhu = load_scenario(ROOT / "scenarios" / "nanhu")
    # no warm-up, so that ``--days 7`` simulates exactly one week
    # and at most the inspections scenario.toml allows (the synthetic city scales them up)
    city = synthetic_district(nanhu, patches, seed=1)
    city = dataclasses.replace(
        city, warmup_days=0, inspections_per_day=min(city.inspections_per_day, 10_000)
    )
    save_scenario(city, folder)


def _measured(argv: list[str]) -> tuple[float, float, int, str]:
    """Run ``argv``; return wall seconds, peak RSS in GB, exit status and its output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - t0, usage.ru_maxrss * 1024 / GB, proc.returncode, output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--routes-patches", type=int, default=5000)
    parser.add_argument("--city-patches", type=int, default=50000)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--skip", nargs="*", default=[], choices=["routes", "validate", "simulate"])
    parser.add_argument("--part", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part == "routes":
        figures = _routes(args.routes_patches, args.time_limit)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB
        print(json.dumps({**figures, "peak_gb": round(peak, 2)}))
        return

    rows = []
    if "routes" not in args.skip:
        wall, peak, code, out = _measured(
            [
                sys.executable,
                __file__,
                "--part",
                "routes",
                "--routes-patches",
                str(args.routes_patches),
                "--time-limit",
                str(args.time_limit),
            ]
        )
        if code != 0:
            sys.exit(f"routes failed:\n{out}")
        fig = json.loads(out.strip().splitlines()[-1])
        print(f"routes: {fig}", flush=True)
        rows.append(
            f"| routes, one {fig['shift']} shift | {fig['patches']:,} patches, {fig['squads']} "
            f"squads, {fig['staff']:,} staff, {fig['units']} units | {fig['wall_s']} s "
            f"(limit {fig['time_limit_s']:g} s) | {peak:.2f} GB | {fig['stops']} stops worth "
            f"{fig['value_violation_hours']} violation-hours; "
            f"{fig['patches_visited_share']:.0%} of patches visited; "
            f"{fig['unmet_posts']} fixed posts missed; {fig['check_problems']} rule problems |"
        )
    with tempfile.TemporaryDirectory(prefix="patrolsim-scale-") as tmp:
        city = Path(tmp) / "city"
        if not {"validate", "simulate"} <= set(args.skip):
            t0 = time.perf_counter()
            _save_city(args.city_patches, city)
            print(
                f"saved a {args.city_patches:,}-patch city in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
        if "validate" not in args.skip:
            wall, peak, code, out = _measured(
                [sys.executable, "-m", "patrolsim", "validate", str(city)]
            )
            print(f"validate: exit {code}, {wall:.1f} s, peak {peak:.2f} GB", flush=True)
            if code != 0:
                print(out[-3000:])
            rows.append(
                f"| `patrolsim validate` | {args.city_patches:,} patches | {wall:.1f} s "
                f"| {peak:.2f} GB | exit {code} |"
            )
        if "simulate" not in args.skip:
            days = 7
            wall, peak, code, out = _measured(
                [
                    sys.executable,
                    "-m",
                    "patrolsim",
                    "simulate",
                    str(city),
                    "--days",
                    str(days),
                    "--seed",
                    "0",
                    "--policy",
                    "hotspot",
                    "--out",
                    str(Path(tmp) / "sim"),
                ]
            )
            print(f"simulate: exit {code}, {wall:.1f} s, peak {peak:.2f} GB", flush=True)
            if code != 0:
                print(out[-3000:])
            summary = next((line for line in out.splitlines() if "violations" in line), "")
            rows.append(
                f"| `patrolsim simulate --days {days} --policy hotspot` | "
                f"{args.city_patches:,} patches | {wall:.1f} s | {peak:.2f} GB | exit "
                f"{code}; {summary.strip()[:120]} |"
            )
    body = (
        "| what | size | time | peak RSS | result |\n| --- | --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n\nTargets (issue 40): routes within the time limit and "
        "under 2 GB; validate and a simulated week of the city each under 8 GB. Peak RSS "
        "is the measured process's own (`ru_maxrss`)."
    )
    print(body)
    command = "python benchmarks/scale.py " + " ".join(sys.argv[1:])
    write_section("scale", "Scale: routes, validate and a simulated week", command.strip(), body)


if __name__ == "__main__":
    main()
