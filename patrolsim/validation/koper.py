"""Check 1, the Koper curve (Koper 1995), and check 7, queueing against Erlang C."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from patrolsim.experiment.replicate import mean_ci
from patrolsim.scenario.model import Dynamics
from patrolsim.sim.engine import simulate
from patrolsim.sim.policies import UnitSpec
from patrolsim.validation import build
from patrolsim.validation.result import CheckResult, Criterion

KOPER_STOPS: tuple[float, ...] = (0, 1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20)
"""Stop lengths (minutes) of check 1; 0 is a drive-by."""

KOPER_RATE_PER_DAY = 7.5
"""Base rate of the check's patch: 1 − exp(−7.5/48) = 14.5 % chance of a violation in any
half-hour, i.e. Koper's 15 % after a drive-by once the anchor has settled."""


def koper_curve(
    seeds: Sequence[int] = (1, 2, 3, 4),
    days: int = 100,
    stops: Sequence[float] = KOPER_STOPS,
    dynamics: Dynamics | None = None,
    rate_per_day: float = KOPER_RATE_PER_DAY,
    gap_h: float = 4.0,
) -> CheckResult:
    """Check 1: chance of a new violation within 30 min after a unit leaves, by stop length.

    One patch with a flat base rate (violations last an hour; units notice nothing, so
    presence works through perceived risk alone). Every ``gap_h`` hours a unit arrives and
    stays for the stop length; a trial counts whether a violation starts at the patch in the
    30 minutes after it leaves. Each stop length is simulated with the same seeds (common
    random numbers), ``days`` × 24 / ``gap_h`` trials per seed.

    Anchor (Koper 1995): 15 % after a drive-by, 4 % after a 10–16 min stop; the benefit
    grows with stop length up to about 15 min and flattens after.
    """
    dyn = dynamics if dynamics is not None else Dynamics()
    vt = build.violation_type(rate_per_day=rate_per_day, dynamics=dyn, duration_mean_min=60.0)
    sc = build.scenario([vt], build.row(1), days, name="koper")
    per_day = round(24 / gap_h)
    rows = []
    hits: dict[float, list[float]] = {}
    for stop in stops:
        stop = float(stop)
        for seed in seeds:
            units: dict[int, list[UnitSpec]] = {}
            leave = []
            for d in range(days):
                today = []
                for j in range(per_day):
                    t0 = d * 1440.0 + 60.0 + j * gap_h * 60.0
                    depart = t0 + max(stop, 0.01)
                    today.append(build.unit(f"k{d}-{j}", t0, depart + 5.0, [(1, t0, depart)]))
                    leave.append(depart)
                units[d] = today
            result = simulate(sc, build.plan(units), seed=seed, days=days, campaigns=False)
            starts = np.sort(result.violations["start"].to_numpy())
            t = np.asarray(leave)
            new = np.searchsorted(starts, t + 30.0, side="right") - np.searchsorted(
                starts, t, side="right"
            )
            share = float((new > 0).mean())
            hits.setdefault(stop, []).append(share)
            rows.append({"stop_min": stop, "seed": seed, "p_new_30min": share, "trials": len(t)})
    table = pd.DataFrame(rows)
    curve = table.groupby("stop_min", as_index=False).agg(
        p_new_30min=("p_new_30min", "mean"), trials=("trials", "sum")
    )
    curve["se"] = np.sqrt(curve["p_new_30min"] * (1 - curve["p_new_30min"]) / curve["trials"])
    p = dict(zip(curve["stop_min"], curve["p_new_30min"], strict=True))
    drive_by = p[min(p)]
    koper_band = [s for s in p if 10 <= s <= 16]
    band = float(np.mean([p[s] for s in koper_band]))
    short = float(np.mean([p[s] for s in p if 1 <= s <= 4]))
    mid = float(np.mean([p[s] for s in p if 5 <= s <= 8]))
    long = [s for s in p if s >= 16]
    flat = float(np.mean([p[s] for s in long]) - np.mean([p[s] for s in p if 12 <= s <= 14]))
    criteria = (
        Criterion("after a drive-by (%)", 100 * drive_by, 13.0, 17.0),
        Criterion("after a 10–16 min stop (%)", 100 * band, 2.0, 6.0),
        Criterion(
            "falls with stop length: 1–4 min minus 5–8 min (pp)", 100 * (short - mid), 0.5, None
        ),
        Criterion(
            "falls with stop length: 5–8 min minus 10–16 min (pp)", 100 * (mid - band), 0.5, None
        ),
        Criterion("flat after 15 min: ≥16 min minus 12–14 min (pp)", 100 * flat, -1.0, 1.0),
    )
    return CheckResult(
        number=1,
        key="koper",
        title="Koper curve",
        anchor="Koper 1995: P(disorder within 30 min of the police leaving) 15 % after a "
        "drive-by, 4 % after a 10–16 min stop; flat after about 15 min",
        figure=f"{100 * drive_by:.1f} % after a drive-by, {100 * band:.1f} % after a "
        f"10–16 min stop ({int(curve['trials'].iloc[0])} trials per stop length)",
        criteria=criteria,
        table=curve,
        settings={"seeds": list(seeds), "days": days, "gap_h": gap_h, "rate_per_day": rate_per_day},
        extra={"per_seed": table},
    )


def erlang_c_wait(arrival_per_min: float, service_mean_min: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), minutes."""
    a = arrival_per_min * service_mean_min
    rho = a / servers
    if rho >= 1:
        return math.inf
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= a / k
        total += term
    last = term * a / servers / (1 - rho)
    p_wait = last / (total + last)
    return p_wait * service_mean_min / (servers - a)


def erlang_queue(
    seeds: Sequence[int] = tuple(range(1, 41)),
    days: int = 30,
    servers: int = 3,
    service_mean_min: float = 10.0,
    utilisation: float = 0.6,
    warmup_days: int = 1,
) -> CheckResult:
    """Check 7: complaints only, no patrol, zero travel, exponential handling, c units.

    Violations at one patch are persistent and always reported at once; every unit waits at
    the patch (travel 0) for the whole run; deterrence is switched off (presence risk =
    prior risk, no learning, no latent demand), so complaints form a Poisson stream and the
    dispatcher with its units is an M/M/c queue. Each seed's mean wait (complaints after the
    warm-up) is one replication.
    """
    arrival = utilisation * servers / service_mean_min
    dyn = Dynamics(
        presence_risk=Dynamics().prior_risk,
        learn_sanction=0.0,
        learn_unsanctioned=0.0,
        latent_share=0.0,
    )
    vt = build.violation_type(
        rate_per_day=arrival * 1440.0,
        dynamics=dyn,
        duration_mean_min=None,
        visibility=0.0,
        complaint_probability=1.0,
        complaint_delay_mean_min=0.0,
        handling_min=service_mean_min,
        handled_by="any",
    )
    sc = build.scenario([vt], build.row(1), days, name="erlang")
    horizon = days * 1440.0
    units = [build.unit(f"c{i}", 0.0, horizon + 1440.0, [], base=1) for i in range(servers)]
    analytic = erlang_c_wait(arrival, service_mean_min, servers)
    waits = []
    rows = []
    for seed in seeds:
        result = simulate(sc, build.plan({0: units}), seed=seed, days=days, campaigns=False)
        c = result.complaints
        c = c[(~c["internal"]) & (c["time"] >= warmup_days * 1440.0) & c["arrived"].notna()]
        w = (c["arrived"] - c["time"]).to_numpy()
        waits.append(float(w.mean()))
        rows.append(
            {
                "seed": seed,
                "mean_wait_min": float(w.mean()),
                "p_wait": float((w > 1e-9).mean()),
                "complaints": len(w),
            }
        )
    ci = mean_ci(waits)
    m, lo, hi = ci.mean, ci.low, ci.high
    table = pd.DataFrame(rows)
    criteria = (
        Criterion("mean wait / Erlang C", m / analytic, 0.97, 1.03),
        Criterion("95 % CI low − Erlang C (min)", lo - analytic, None, 0.0),
        Criterion("95 % CI high − Erlang C (min)", hi - analytic, 0.0, None),
    )
    return CheckResult(
        number=7,
        key="erlang",
        title="Queueing (Erlang C)",
        anchor=f"Erlang C, M/M/{servers} at utilisation {utilisation:g}, mean handling "
        f"{service_mean_min:g} min: mean wait {analytic:.2f} min",
        figure=f"mean wait {m:.2f} min (95 % CI {lo:.2f}–{hi:.2f}; {len(seeds)} replications, "
        f"{int(table['complaints'].sum())} complaints), {100 * (m / analytic - 1):+.1f} %",
        criteria=criteria,
        table=table,
        settings={
            "seeds": list(seeds),
            "days": days,
            "servers": servers,
            "service_mean_min": service_mean_min,
            "utilisation": utilisation,
            "erlang_c_wait_min": analytic,
        },
    )
