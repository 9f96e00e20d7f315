"""Simulation speed: one 91-day replication of the reference district, and cost per violation.

Run: ``python benchmarks/sim_speed.py [--reps N]``. Prints CPU seconds per replication (and the
wall-clock time of each run, which on a busy machine is longer), simulated
violations per second, and the cost per simulated violation for synthetic districts of 10, 100
and 1,000 patches built like the reference district (targets: ≤ 2 s for the quarter; cost per
violation flat within ±20 % across sizes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if not __package__:  # run as a script: make the repository importable for benchmarks._results
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._results import write_section
from benchmarks.synthetic import synthetic_district
from patrolsim.scenario import load_scenario
from patrolsim.sim import simulate

ROOT = Path(__file__).resolve().parent.parent


def timed(scenario, policy: str, seed: int, days: int) -> tuple[float, int]:
    """CPU seconds of one replication (robust to other load on a shared machine) and its
    number of violations; the wall-clock time is printed too."""
    wall = time.perf_counter()
    cpu = time.process_time()
    result = simulate(scenario, policy, seed, days=days)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print(f"    seed {seed}: {cpu:.2f} s CPU, {wall:.2f} s wall", flush=True)
    return cpu, len(result.violations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--policy", default="hotspot")
    args = parser.parse_args()
    nanhu = load_scenario(ROOT / "scenarios" / "nanhu")
    runs = [timed(nanhu, args.policy, seed, 91) for seed in range(1, args.reps + 1)]
    secs = statistics.median(t for t, _ in runs)
    violations = statistics.median(n for _, n in runs)
    print(
        f"reference district, {args.policy}, 91 days: {secs:.2f} CPU s per replication "
        f"(median of {args.reps}), {violations:.0f} violations, "
        f"{violations / secs:,.0f} violations/s  [target ≤ 2 s]"
    )
    rows = [
        f"| nanhu (50 patches) | 91 | {secs:.2f} | {violations:,.0f} | "
        f"{secs / max(violations, 1) * 1e6:.1f} |"
    ]
    costs = {}
    for n in (10, 100, 1000):
        district = synthetic_district(nanhu, n, seed=1)
        days = 91 if n <= 100 else 28
        runs = [timed(district, args.policy, seed, days) for seed in range(1, args.reps + 1)]
        cost = statistics.median(t / max(v, 1) for t, v in runs) * 1e6
        costs[n] = cost
        print(
            f"synthetic {n:>5} patches, {days} days: "
            f"{statistics.median(t for t, _ in runs):6.2f} s, "
            f"{statistics.median(v for _, v in runs):8.0f} violations, {cost:6.1f} µs/violation"
        )
        rows.append(
            f"| synthetic, {n:,} patches | {days} | "
            f"{statistics.median(t for t, _ in runs):.2f} | "
            f"{statistics.median(v for _, v in runs):,.0f} | {cost:.1f} |"
        )
    mean = statistics.mean(costs.values())
    spread = max(abs(c / mean - 1) for c in costs.values())
    print(f"cost per violation: max deviation from the mean {spread:.0%}  [target ≤ 20 %]")
    write_section(
        "sim-speed",
        "Simulation speed",
        f"python benchmarks/sim_speed.py --reps {args.reps}",
        "CPU seconds of one replication (median over seeds; CPU time, so other load on the "
        f"machine matters little), policy `{args.policy}`. Targets: ≤ 2 s for nanhu's quarter; "
        "cost per violation flat within ±20 % across sizes.\n\n"
        "| district | days | CPU s | violations | µs per violation |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nCost per violation: max deviation from the mean {spread:.0%}.",
    )


if __name__ == "__main__":
    main()
