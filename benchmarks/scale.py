"""Scale: memory and time of routes, validate and a simulated week for large districts.

Run: ``python benchmarks/scale.py [--routes-patches 5000] [--city-patches 50000]
[--time-limit 60] [--workers 2]``. Each measurement runs in its own process, so its peak
resident memory (``ru_maxrss``) is its own:

* **routes**: the routes of one day shift (the scenario's default cover, one unit per squad)
  of a synthetic district of 5,000 street patches built like the reference district: squads
  of 25 patches in compact areas, 0.4 staff per patch (2,000 staff). Three runs: against the
  time limit on one process and on ``--workers``, and under the default deterministic budget
  on ``--workers``. Each prints wall time, peak memory and quality: stops per unit, the
  violation-hours the stops are worth, the share of patches visited, fixed posts missed and
  rule checks. For scale, the reference district's own day shift (nanhu, default budget)
  is measured the same way. Targets: within the time limit, under 2 GB.
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


STAFF_PER_PATCH = 0.4
"""2,000 staff for 5,000 patches (issue 40's district); nanhu has 0.7."""


def _routes(patches: int, time_limit: float | None, workers: int) -> dict[str, object]:
    """Solve one day shift's routes in this process; return the figures.

    ``patches`` 0 is the reference district itself; ``time_limit`` None the default
    deterministic budget.
    """
    nanhu = load_scenario(ROOT / "scenarios" / "nanhu")
    sc = (
        nanhu
        if patches == 0
        else synthetic_district(nanhu, patches, seed=1, staff_per_patch=STAFF_PER_PATCH)
    )
    shift = sc.shift("day")
    units = default_units(sc, shift)
    params = (
        RoutingParams(seed=0)
        if time_limit is None
        else RoutingParams(deterministic=False, time_limit_s=time_limit, seed=0)
    )
    t0 = time.perf_counter()
    plan = solve_district_routes(
        sc, dt.date(2026, 11, 24), shift, units=units, params=params, workers=workers
    )
    wall = time.perf_counter() - t0
    problems = check_district_routes(sc, plan)
    street = [p.index for p in sc.patches if p.kind != "base"]
    posts = sum(1 for p in sc.patches if p.tier == "strict" and p.kind != "base")
    visited = {r.patch_index for ur in plan.routes for r in ur.stops}
    stops = sum(len(r.stops) for r in plan.routes)
    return {
        "district": sc.name,
        "patches": len(street),
        "squads": len(sc.squads),
        "staff": len(sc.staff),
        "units": len(units),
        "budget": "default branches" if time_limit is None else f"{time_limit:g} s",
        "workers": workers,
        "wall_s": round(wall, 1),
        "stops_per_unit": round(stops / len(units), 1),
        "value_per_unit": round(plan.prize / len(units), 1),
        "patches_visited_share": round(len(visited) / len(street), 3),
        "posts_missed": f"{len(plan.unmet_posts)} of {posts}",
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
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", nargs="*", default=[], choices=["routes", "validate", "simulate"])
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--deterministic", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part == "routes":
        limit = None if args.deterministic else args.time_limit
        figures = _routes(args.routes_patches, limit, args.workers)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB
        print(json.dumps({**figures, "peak_gb": round(peak, 2)}))
        return

    rows = []
    route_rows = []
    if "routes" not in args.skip:
        runs = [
            (0, True, 1),  # the reference district at the default budget, for scale
            (args.routes_patches, False, 1),
            (args.routes_patches, False, args.workers),
            (args.routes_patches, True, args.workers),
        ]
        for patches, deterministic, workers in runs:
            argv = [
                sys.executable,
                __file__,
                "--part",
                "routes",
                "--routes-patches",
                str(patches),
                "--time-limit",
                str(args.time_limit),
                "--workers",
                str(workers),
            ]
            wall, peak, code, out = _measured(argv + (["--deterministic"] if deterministic else []))
            if code != 0:
                sys.exit(f"routes failed:\n{out}")
            fig = json.loads(out.strip().splitlines()[-1])
            print(f"routes: {fig}", flush=True)
            route_rows.append(
                f"| {fig['district']}: {fig['patches']:,} patches, {fig['squads']} squads, "
                f"{fig['staff']:,} staff, {fig['units']} units | {fig['budget']} | "
                f"{fig['workers']} | {fig['wall_s']} s | {peak:.2f} GB | "
                f"{fig['stops_per_unit']} | {fig['value_per_unit']} | "
                f"{fig['patches_visited_share']:.0%} | {fig['posts_missed']} | "
                f"{fig['check_problems']} |"
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
                    "--lang",
                    "en",
                    "--out",
                    str(Path(tmp) / "sim"),
                ]
            )
            print(f"simulate: exit {code}, {wall:.1f} s, peak {peak:.2f} GB", flush=True)
            if code != 0:
                print(out[-3000:])
            summary = next((line for line in out.splitlines() if "violations started" in line), "")
            rows.append(
                f"| `patrolsim simulate --days {days} --policy hotspot --lang en` | "
                f"{args.city_patches:,} patches | {wall:.1f} s | {peak:.2f} GB | exit "
                f"{code}; {summary.strip()[:120]} |"
            )
    body = ""
    if route_rows:
        body += (
            "Routes of one day shift (2026-11-24):\n\n"
            "| district | budget | workers | time | peak RSS | stops per unit | "
            "violation-hours per unit | patches visited | fixed posts missed | rule problems |"
            "\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
            + "\n".join(route_rows)
            + "\n\n"
        )
    if rows:
        body += (
            "| what | size | time | peak RSS | result |\n| --- | --- | --- | --- | --- |\n"
            + "\n".join(rows)
            + "\n\n"
        )
    body += (
        "Targets (issue 40): routes within the time limit and under 2 GB; validate and a "
        "simulated week of the city each under 8 GB. Peak RSS is `ru_maxrss` of the "
        "measured process (as `wait4` reports it: the largest of it and its worker "
        "processes)."
    )
    print(body)
    command = "python benchmarks/scale.py " + " ".join(sys.argv[1:])
    write_section("scale", "Scale: routes, validate and a simulated week", command.strip(), body)


if __name__ == "__main__":
    main()
