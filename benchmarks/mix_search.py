"""What the levers do on the reference district, the mix search's answer and time, and 疏堵结合
against a month-long crackdown at equal cost.

Usage::

    python benchmarks/mix_search.py                     # everything (about 10 min on 2 idle cores)
    python benchmarks/mix_search.py --only effects      # stall zone, cameras, contracts
    python benchmarks/mix_search.py --only mix          # the mix search
    python benchmarks/mix_search.py --only crackdown    # 疏堵结合 vs crackdown

All on ``scenarios/nanhu`` with its default parameters, posts+mobile patrol, common random
numbers (the same seeds in every arm, differences paired by seed, 95 % t intervals):

*effects*: each lever switched on alone against the same seeds without it, 35-day runs
(7 warm-up days): the night-market stall zone (zone-P21) on street-vending plus
night-market violation-hours in the patches within its 800 m; the construction-site cameras
(cameras-sites) on muck violation-hours; the shop-front contracts on shop-front occupation.

*mix*: ``search_mix`` over certified 1, 1.25 × auxiliaries 1, 1.5 × posts+mobile, hotspot ×
every subset of zone-P21, zone-P47, cameras-sites (64 mixes), 28-day runs, 4 replications in
screening and 8 for finalists and the confirmation, on 2 local worker processes; targets: the
scenario's complaint targets (p90 ≤ 60 min, ≥ 80 % answered within 30 min) and street-vending
street-vending violation-hours ≤ 2000 over the 21 measured days (about 10 % below the current
staff with hotspot patrol). Writes the tables and frontier PNGs under ``--out``.

*crackdown*: the whole 91-day horizon with the scenario's month-long campaign (2027-01-04 to
02-03 at markets and station squares). Arm *crackdown*: posts+mobile@campaign at equal
staff-hours (the campaign's people come out of the steady rota, as ``patrolsim sweep`` does),
no zones. Arm *疏堵结合*: steady posts+mobile with both night-market stall zones, paid for by
fewer auxiliaries so that its fixed annual cost does not exceed the crackdown's (the staff
list at 1). Arm *steady*: posts+mobile at 1 with no zone, for reference. Measures: vending
(street vending + night-market) violation-hours in the measured window, during the campaign
and per day in the 18 days after it (the rebound), and the after/before ratio of each arm.

The wall times depend on the machine being otherwise idle; the load average is printed.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_section

from patrolsim.experiment.mix import (
    Mix,
    MixSpec,
    frontier,
    mix_fixed_cost,
    mix_scenario,
    search_mix,
)
from patrolsim.experiment.replicate import mean_ci
from patrolsim.experiment.sweep import equal_hours_staffing, open_executor
from patrolsim.scenario import Scenario, load_scenario
from patrolsim.scenario.model import Target
from patrolsim.sim.costs import annual_cost
from patrolsim.sim.engine import simulate
from patrolsim.sim.policies import scale_staff

ROOT = Path(__file__).resolve().parents[1]
NANHU = ROOT / "scenarios" / "nanhu"
VENDING = ("street_vending", "night_market_stall")
_SCENARIO: dict[str, Scenario] = {}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def _scenario() -> Scenario:
    if "nanhu" not in _SCENARIO:
        _SCENARIO["nanhu"] = load_scenario(NANHU)
    return _SCENARIO["nanhu"]


def _hours(v: pd.DataFrame, lo: float, hi: float) -> float:
    return float(
        (np.clip(np.minimum(v["end"], hi) - np.maximum(v["start"], lo), 0, None) / 60.0).sum()
    )


def run_arm(
    arm: str, mix: Mix, seed: int, days: int, staffing: float, campaigns: bool
) -> dict[str, Any]:
    """One run of an arm (in a worker): violation-hours by type, place and period."""
    sc = _scenario()
    variant = mix_scenario(sc, mix)
    r = simulate(variant, mix.policy, seed, days=days, staffing=staffing, campaigns=campaigns)
    v = r.violations
    lo, hi = r.warmup_min, r.horizon_min
    types = {name: i for i, name in enumerate(r.violation_types)}
    z = sc.patch_index("P21")
    near = [
        p.index
        for p in sc.patches
        if p.kind != "base" and sc.network.distance_m[p.index, z] <= 800.0
    ]
    sites = [sc.patch_index(p) for p in ("P22", "P45", "P46")]
    vend = v[v["type"].isin([types[t] for t in VENDING])]
    row: dict[str, Any] = {"arm": arm, "seed": seed, **{k: float(x) for k, x in r.kpis.items()}}
    for name, i in types.items():
        row[f"h:{name}"] = _hours(v[v["type"] == i], lo, hi)
    row["h:vending"] = _hours(vend, lo, hi)
    row["h:vending_near_P21"] = _hours(vend[vend["patch"].isin(near)], lo, hi)
    row["h:muck_sites"] = _hours(
        v[(v["type"] == types["muck_spill"]) & v["patch"].isin(sites)], lo, hi
    )
    if sc.campaigns:
        c = sc.campaigns[0]
        c0 = (c.start - sc.start_date).days * 1440.0
        c1 = ((c.end - sc.start_date).days + 1) * 1440.0
        row["h:vending_before_per_day"] = _hours(vend, lo, c0) / max((c0 - lo) / 1440.0, 1)
        row["h:vending_campaign"] = _hours(vend, c0, min(c1, hi))
        after_days = max((hi - c1) / 1440.0, 0.0)
        row["h:vending_after_per_day"] = (
            _hours(vend, c1, hi) / after_days if after_days else float("nan")
        )
    # the crackdown arm pays for the staff list at 1 (its campaign units come out of it)
    staff = scale_staff(variant.staff, 1.0 if campaigns else staffing)
    measured = r.units[r.units["start"] >= lo]
    overtime = float(
        (measured["overtime"] * (measured["certified"] + measured["auxiliaries"])).sum() / 60.0
    )
    row["cost"] = annual_cost(staff, variant.levers, overtime, days - r.warmup_days).total
    return row


def _run_all(jobs: list[tuple[Any, ...]], workers: int) -> pd.DataFrame:
    with open_executor(workers) as pool:
        futures = [pool.submit(run_arm, *job) for job in jobs]
        rows = []
        for i, f in enumerate(cf.as_completed(futures)):
            rows.append(f.result())
            print(f"\r  {i + 1}/{len(jobs)} runs", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return pd.DataFrame(rows)


def _paired(runs: pd.DataFrame, a: str, b: str, col: str) -> tuple[float, float, Any]:
    x = runs[runs["arm"] == a].set_index("seed")[col]
    y = runs[runs["arm"] == b].set_index("seed")[col]
    return float(x.mean()), float(y.mean()), mean_ci((y - x).dropna())


def _fmt(ci: Any, digits: int = 0) -> str:
    return f"{ci.mean:+.{digits}f} (95% CI {ci.low:+.{digits}f} to {ci.high:+.{digits}f})"


def effects(workers: int, seeds: int, days: int) -> str:
    """Each lever alone against the same seeds without it."""
    base = Mix(1.0, 1.0, "posts+mobile")
    arms = {
        "off": base,
        "zone": dataclasses.replace(base, levers=frozenset({"zone-P21"})),
        "cameras": dataclasses.replace(base, levers=frozenset({"cameras-sites"})),
        "shopfront": dataclasses.replace(base, levers=frozenset({"shopfront-shops"})),
    }
    jobs = [(arm, m, s, days, 1.0, False) for arm, m in arms.items() for s in range(seeds)]
    print(f"effects: {len(jobs)} runs of {days} days on {workers} workers; {_load()}")
    t0 = time.perf_counter()
    runs = _run_all(jobs, workers)
    wall = time.perf_counter() - t0
    lines = [
        f"{len(jobs)} runs ({seeds} seeds × 4 arms, {days} days, posts+mobile, staff list "
        f"at 1) in {wall:.0f} s; {_load()}.",
        "",
        "| lever | measure | without | with | paired difference |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for arm, col, label in (
        (
            "zone",
            "h:vending_near_P21",
            "vending + night-market violation-hours within 800 m of P21",
        ),
        ("zone", "h:vending", "vending + night-market violation-hours, district"),
        ("zone", "zone_vendors", "vendors on legal pitches"),
        ("cameras", "h:muck_spill", "muck violation-hours, district"),
        ("cameras", "h:muck_sites", "muck violation-hours at the three sites"),
        ("cameras", "camera_detections", "camera detections"),
        ("shopfront", "h:shopfront_occupation", "shop-front occupation violation-hours"),
        ("zone", "annual_cost", "annual cost, yuan (zone)"),
        ("cameras", "annual_cost", "annual cost, yuan (cameras)"),
    ):
        a, b, ci = _paired(runs, "off", arm, col)
        rel = f" ({ci.mean / a:+.0%})" if a else ""
        lines.append(f"| {arm} | {label} | {a:.0f} | {b:.0f} | {_fmt(ci)}{rel} |")
    text = "\n".join(lines)
    print(text)
    return text


def mix(workers: int, out: Path, reps: int, reps_final: int, days: int) -> str:
    """The mix search on Nanhu, timed."""
    sc = load_scenario(NANHU)
    targets = (
        Target("complaint_response_p90_min", max=60.0),
        Target("complaints_within_target_share", min=0.8),
        Target("violation_hours:street_vending", max=VENDING_TARGET),
    )
    spec = MixSpec(
        certified=(1.0, 1.25),
        auxiliary=(1.0, 1.5),
        policies=("posts+mobile", "hotspot"),
        levers=("zone-P21", "zone-P47", "cameras-sites"),
        targets=targets,
        reps=reps,
        reps_final=reps_final,
        finalists=4,
        runners_up=3,
        days=days,
    )
    n = len(spec.grid(sc))
    print(
        f"mix: {n} mixes, {days} days per run, {reps}/{reps_final} reps, {workers} workers; "
        f"{_load()}"
    )
    t0 = time.perf_counter()
    with open_executor(workers) as pool:
        result = search_mix(sc, spec, pool, scenario_dir=str(NANHU))
    wall = time.perf_counter() - t0
    sys.path.insert(0, str(ROOT))
    from patrolsim.cli.optimise_mix import frontier_figure, write_mix_outputs

    paths = write_mix_outputs(result, out)
    for kpi in ("violation_hours:street_vending", "complaint_response_p90_min"):
        paths.append(
            frontier_figure(
                result,
                kpi,
                frontier(result.table, kpi),
                out / f"frontier_{kpi.replace(':', '_')}.png",
            )
        )
    print(result.summary())
    cpu = float(result.runs["cpu_s"].sum())
    lines = [
        f"{n} mixes (certified 1, 1.25 × auxiliaries 1, 1.5 × posts+mobile, hotspot × "
        f"subsets of zone-P21, zone-P47, cameras-sites), {days}-day runs, {reps} reps in "
        f"screening, {reps_final} for finalists and confirmation, 2 local workers: "
        f"**{len(result.runs)} runs in {wall:.0f} s** ({_load()}); the runs took {cpu:.0f} "
        f"CPU-seconds in all, i.e. about {cpu / 2:.0f} s on 2 otherwise idle cores.",
        "",
        "Targets: " + "; ".join(_target_text(t) for t in targets) + ".",
        "",
        "```",
        result.summary(),
        "```",
        "",
        f"Frontier plots: `{_shown(out)}/frontier_*.png`; tables `{_shown(out)}/mixes.csv`, "
        f"`confirmation.csv`.",
    ]
    text = "\n".join(lines)
    return text


def _shown(path: Path) -> str:
    """``path`` relative to the checkout when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _target_text(t: Target) -> str:
    return f"{t.kpi} ≤ {t.max:g}" if t.max is not None else f"{t.kpi} ≥ {t.min:g}"


VENDING_TARGET = 2000.0
"""Street-vending violation-hours over the 21 measured days of a 28-day run that the mix
search must stay under: about 10 % below what the current staff list achieves with hotspot
patrol and no lever (2226 h, seeds 0–3), 38 % below posts+mobile (3203 h)."""


def crackdown(workers: int, seeds: int) -> str:
    """疏堵结合 + steady patrol against a month-long crackdown at equal cost."""
    sc = load_scenario(NANHU)
    days = sc.horizon_days
    s_campaign = equal_hours_staffing(sc, 1.0, days)
    budget = mix_fixed_cost(sc, Mix(1.0, 1.0, "posts+mobile"))
    zones = frozenset({"zone-P21", "zone-P47"})

    def fit(role: str) -> Mix:
        """The zones paid for by the fewest people of ``role`` that keeps within budget."""
        for k in range(72, -1, -1):
            f = k / 72
            m = Mix(
                f if role == "certified" else 1.0,
                f if role == "auxiliary" else 1.0,
                "posts+mobile",
                zones,
            )
            if mix_fixed_cost(sc, m) <= budget:
                return m
        raise RuntimeError("no staff level pays for the zones")

    by_aux, by_cert = fit("auxiliary"), fit("certified")
    arms = {
        "crackdown": (Mix(1.0, 1.0, "posts+mobile"), s_campaign, True),
        "shudu": (by_aux, 1.0, False),
        "shudu_cert": (by_cert, 1.0, False),
        "steady": (Mix(1.0, 1.0, "posts+mobile"), 1.0, False),
    }
    people = {arm: len(mix_scenario(sc, m).staff) for arm, (m, _, _) in arms.items()}
    jobs = [
        (arm, m, s, days, st, camp) for arm, (m, st, camp) in arms.items() for s in range(seeds)
    ]
    print(
        f"crackdown: {len(jobs)} runs of {days} days; staff per arm {people}; campaign arm's "
        f"steady staffing {s_campaign:g}; {_load()}"
    )
    t0 = time.perf_counter()
    runs = _run_all(jobs, workers)
    wall = time.perf_counter() - t0
    c = sc.campaigns[0]
    aux_total = sum(m.role == "auxiliary" for m in sc.staff)
    cert_total = len(sc.staff) - aux_total

    def kept(m: Mix, role: str) -> int:
        staff = mix_scenario(sc, m).staff
        return sum((x.role == "auxiliary") == (role == "auxiliary") for x in staff)

    lines = [
        f"{len(jobs)} runs ({seeds} seeds × {len(arms)} arms, {days} days: the whole "
        f"horizon with the campaign {c.start}–{c.end} at {', '.join(c.patch_kinds)}) "
        f"in {wall:.0f} s; {_load()}.",
        "",
        f"- *crackdown*: posts+mobile@campaign at equal staff-hours (steady rota at "
        f"{s_campaign:g} of the staff list, campaign units from the same budget); fixed "
        f"cost {budget / 1e4:.1f} 万元.",
        f"- *疏堵结合*: steady posts+mobile with stall zones zone-P21 and zone-P47, paid for "
        f"by keeping {kept(by_aux, 'auxiliary')} of {aux_total} auxiliaries; fixed cost "
        f"{mix_fixed_cost(sc, by_aux) / 1e4:.1f} 万元.",
        f"- *疏堵结合 (officers)*: the same zones paid for by keeping "
        f"{kept(by_cert, 'certified')} of {cert_total} certified officers and leaders; "
        f"fixed cost {mix_fixed_cost(sc, by_cert) / 1e4:.1f} 万元.",
        "- *steady*: posts+mobile at the staff list, no zone (reference).",
        "",
        "| measure | crackdown | 疏堵结合 | 疏堵结合 (officers) | steady "
        "| 疏堵结合 − crackdown (paired) | 疏堵结合 (officers) − crackdown |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for col, label in (
        ("h:vending", "vending + night-market violation-hours, measured window"),
        ("h:vending_campaign", "… during the campaign month"),
        ("h:vending_before_per_day", "… per day before the campaign"),
        ("h:vending_after_per_day", "… per day in the 18 days after it (rebound)"),
        ("h:shopfront_occupation", "shop-front occupation violation-hours"),
        ("violation_hours", "all violation-hours"),
        ("complaint_response_p90_min", "complaint response p90, min"),
        ("inspection_pass_rate", "inspection pass rate"),
        ("cost", "annual cost incl. overtime, yuan"),
    ):
        a, b, ci = _paired(runs, "crackdown", "shudu", col)
        _, b2, ci2 = _paired(runs, "crackdown", "shudu_cert", col)
        s = float(runs[runs["arm"] == "steady"][col].mean())
        digits = 3 if col == "inspection_pass_rate" else 0
        lines.append(
            f"| {label} | {a:.{digits}f} | {b:.{digits}f} | {b2:.{digits}f} | "
            f"{s:.{digits}f} | {_fmt(ci, digits)} | {_fmt(ci2, digits)} |"
        )
    for arm in ("crackdown", "shudu", "shudu_cert", "steady"):
        r = runs[runs["arm"] == arm]
        ratio = mean_ci(r["h:vending_after_per_day"] / r["h:vending_before_per_day"])
        lines.append(
            f"\nRebound ratio (vending per day after ÷ before the campaign), {arm}: "
            f"{ratio.mean:.2f} (95% CI {ratio.low:.2f}–{ratio.high:.2f})."
        )
    text = "\n".join(lines)
    print(text)
    return text


def main() -> None:
    """Run the parts asked for, print their figures and write them to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("effects", "mix", "crackdown"), nargs="+")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "mix")
    args = parser.parse_args()
    parts = args.only or ("effects", "mix", "crackdown")
    sections = []
    if "effects" in parts:
        sections.append(
            "### Each lever on its own (paired by seed)\n\n" + effects(args.workers, args.seeds, 35)
        )
    if "mix" in parts:
        sections.append("### Mix search\n\n" + mix(args.workers, args.out, 4, 8, 28))
    if "crackdown" in parts:
        sections.append(
            "### 疏堵结合 + steady patrol vs a month-long crackdown, equal cost\n\n"
            + crackdown(args.workers, max(args.seeds - 2, 4))
        )
    command = "python benchmarks/mix_search.py" + (
        f" --only {' '.join(args.only)}" if args.only else ""
    )
    write_section(
        f"levers-{'-'.join(parts)}" if args.only else "levers",
        f"Levers: stall zones, cameras, shop-front contracts; mix search ({dt.date.today()})",
        command,
        "\n\n".join(sections),
    )


if __name__ == "__main__":
    main()
