"""Check 2, crackdown dynamics (Sherman 1990), and check 3, tipping (Kleiman 2009)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from patrolsim.scenario.model import Dynamics, ViolationType
from patrolsim.sim.engine import simulate
from patrolsim.sim.policies import PlannedPolicy
from patrolsim.validation import build
from patrolsim.validation.hotspots import stops_plan
from patrolsim.validation.result import CheckResult, Criterion


def daily_counts(
    scenario_days: int, starts: np.ndarray, patches: np.ndarray, which: Sequence[int]
) -> np.ndarray:
    """Violations started per day at the patches ``which`` (summed)."""
    mask = np.isin(patches, list(which))
    day = (starts[mask] // 1440).astype(np.int64)
    return np.bincount(day, minlength=scenario_days)[:scenario_days].astype(float)


def _series(
    vt: ViolationType,
    policy: PlannedPolicy,
    seeds: Sequence[int],
    days: int,
    n_patches: int,
    which: Sequence[int],
) -> np.ndarray:
    sc = build.scenario([build.daytime(vt)], build.row(n_patches), days, name=f"campaign-{vt.name}")
    out = np.zeros(days)
    for seed in seeds:
        r = simulate(sc, policy, seed=seed, days=days, campaigns=False)
        v = r.violations
        out += daily_counts(days, v["start"].to_numpy(), v["patch"].to_numpy(), which)
    return out / len(seeds)


HIGH_LATENT = {"latent_share": 1.0, "latent_tau_h": 2000.0, "latent_release_tau_h": 96.0}
"""The latent-demand variant of check 2: all deterred trade waits, for months, and comes back
over days once the campaign ends."""


def crackdown(
    vendor: ViolationType,
    seeds: Sequence[int] = (1, 2, 3, 4),
    patches: int = 16,
    before_days: int = 63,
    campaign_days: int = 30,
    after_days: int = 56,
    stops_per_day: int = 4,
    intensity: int = 3,
) -> CheckResult:
    """Check 2: a 30-day campaign at 3× presence, with default and high latent demand.

    ``patches`` separate hot spots of ``vendor`` (flat profiles) get ``stops_per_day`` Koper
    stops a day, ``intensity`` times as many during the campaign. Daily violations, summed
    over patches and seeds, are divided by those of the same runs without the campaign
    (same seeds: common random numbers, so the two agree exactly before it and the ratio
    is free of the slow drift of a place still learning its patrol level), and compared
    over phases: the first days of the campaign (drop), its best week and its last week
    (initial deterrence decay), the first week after (residual deterrence), the last two
    weeks (return), and with high latent demand the highest week after (overshoot).
    """
    days = before_days + campaign_days + after_days
    c0, c1 = before_days, before_days + campaign_days  # campaign days [c0, c1)
    which = list(range(1, patches + 1))
    extra = {d: stops_per_day * intensity for d in range(c0, c1)}
    policy = stops_plan(which, stops_per_day, days, extra=extra)
    control = stops_plan(which, stops_per_day, days)
    variants = {
        "default": vendor,
        "high latent demand": dataclasses.replace(
            vendor, dynamics=dataclasses.replace(vendor.dynamics, **HIGH_LATENT)
        ),
    }
    series = {}
    for name, vt in variants.items():
        raw = _series(vt, policy, seeds, days, patches, which)
        base = _series(vt, control, seeds, days, patches, which)
        series[name] = raw / np.maximum(base, 1e-9)
    table = pd.DataFrame({"day": np.arange(days) - c0, **series})
    s = series["default"]
    week = np.convolve(s, np.ones(7) / 7, mode="valid")  # week[i] = mean of days i..i+6
    first = float(s[c0 : c0 + 3].mean())
    best = float(week[c0 : c1 - 6].min())
    last = float(s[c1 - 7 : c1].mean())
    after = float(s[c1 : c1 + 7].mean())
    tail = float(s[-14:].mean())
    h = series["high latent demand"]
    h_3 = np.convolve(h, np.ones(3) / 3, mode="valid")
    overshoot = float(h_3[c1 : c1 + 14].max())
    criteria = (
        Criterion("first 3 campaign days / no campaign", first, None, 0.85),
        Criterion("last campaign week − best campaign week (decay)", last - best, 0.02, None),
        Criterion("last campaign week / no campaign (still below)", last, None, 0.97),
        Criterion("first week after / no campaign (residual deterrence)", after, None, 0.98),
        Criterion("last two weeks / no campaign (return)", tail, 0.93, 1.07),
        Criterion(
            "high latent demand: highest 3 days after / no campaign (overshoot)",
            overshoot,
            1.05,
            None,
        ),
    )
    return CheckResult(
        number=2,
        key="crackdown",
        title="Crackdown dynamics",
        anchor="Sherman 1990: crackdowns cut violations quickly, lose force while they continue "
        "(initial deterrence decay), leave residual deterrence after they end; DOMAIN.md: "
        "一整就好、一停就乱 — a rebound, often above the old level",
        figure=f"relative to no campaign: first 3 days {first:.2f}×, best week {best:.2f}, "
        f"last week {last:.2f}; first week after {after:.2f}, weeks 7–8 after "
        f"{tail:.2f}; with high latent demand the highest 3 days after reach "
        f"{overshoot:.2f}×",
        criteria=criteria,
        table=table,
        settings={
            "seeds": list(seeds),
            "patches": patches,
            "before_days": before_days,
            "campaign_days": campaign_days,
            "after_days": after_days,
            "stops_per_day": stops_per_day,
            "intensity": intensity,
            "high_latent": HIGH_LATENT,
        },
    )


TIPPING_DYNAMICS = Dynamics(
    prior_risk=0.10,
    presence_risk=0.10,
    risk_elasticity=3.0,
    residual_tau_h=6.0,
    learn_sanction=0.01,
    learn_unsanctioned=0.02,
    learn_credibility=0.0,
    anchor_tau_days=365.0,
    latent_share=0.0,
)
"""The swamping parameter set of check 3 (Kleiman 2009): presence alone means nothing
(``presence_risk`` = prior), violators learn only from outcomes, and a place's norm is
remembered for a year. With 40 would-be violations a day and capacity for about six
sanctions a day, a place settles near the prior risk (the pushes of the few sanctions and
the many escapes balance there, at about 0.08 in a mean-field estimate); once perceived risk
passes about 0.41 so few violate that nearly everyone is caught, and it rises to about 0.71
and stays. A unit added for 10 h a day removes the low equilibrium while it works; a
quarter of it only moves the low equilibrium to about 0.11."""


TIPPED_BELOW = 0.5
"""A replication counts as tipped when its last four weeks have under half the violations
of the four weeks before the campaign."""


def _tipping_plan(
    days: int, campaign: tuple[int, int], extra_min: float, base_min: float
) -> PlannedPolicy:
    """One complaint-answering unit a day for ``base_min`` from 08:00, plus one for
    ``extra_min`` from 08:00 on campaign days [campaign[0], campaign[1])."""
    by_day = {}
    for d in range(days):
        t0 = d * 1440.0 + 8 * 60.0
        units = [build.unit(f"t{d}", t0, t0 + base_min, [], base=1)]
        if campaign[0] <= d < campaign[1] and extra_min > 0:
            units.append(build.unit(f"t{d}x", t0, t0 + extra_min, [], base=1))
        by_day[d] = units
    return build.plan(by_day)


def tipping(
    seeds: Sequence[int] = tuple(range(1, 9)),
    before_days: int = 30,
    long_days: int = 28,
    short_days: int = 7,
    after_days: int = 84,
    spread_over: int = 4,
    rate_per_day: float = 40.0,
    base_min: float = 840.0,
    extra_min: float = 600.0,
    handling_min: float = 130.0,
    dynamics: Dynamics = TIPPING_DYNAMICS,
) -> CheckResult:
    """Check 3: a short campaign rebounds, a long concentrated one tips, a spread one does not.

    One patch with violations from 08:00 to 22:00 that last 4 h unless handled, every one
    reported at once, each taking ``handling_min`` to handle (a sanction with its case file,
    as for illegal construction): a unit answers complaints ``base_min`` a day from 08:00,
    about six cases a day, while 40 would-be violators come. Campaign arms add a unit for
    ``extra_min`` a day: for ``short_days``, for ``long_days``, or for ``long_days`` with the
    same staff-hours spread equally over ``spread_over`` such places (this place gets
    ``extra_min / spread_over``). The outcome, per replication, is the mean daily violations
    in the last four weeks over the four weeks before the campaign; a replication is tipped
    when that is below :data:`TIPPED_BELOW`. Tipping is a random event near the threshold,
    so the check compares the share of replications tipped in each arm.
    """
    days = before_days + long_days + after_days
    vt = build.violation_type(
        name="tipping",
        rate_per_day=rate_per_day,
        dynamics=dynamics,
        duration_mean_min=240.0,
        visibility=0.0,
        complaint_probability=1.0,
        complaint_delay_mean_min=5.0,
        handling_min=handling_min,
        handled_by="sanction",
    )
    sc = build.scenario([build.daytime(vt)], build.row(1), days, name="tipping")
    c0 = before_days
    arms = {
        "no campaign": _tipping_plan(days, (0, 0), 0.0, base_min),
        f"short ({short_days} days)": _tipping_plan(
            days, (c0, c0 + short_days), extra_min, base_min
        ),
        f"concentrated ({long_days} days)": _tipping_plan(
            days, (c0, c0 + long_days), extra_min, base_min
        ),
        f"spread over {spread_over} places": _tipping_plan(
            days, (c0, c0 + long_days), extra_min / spread_over, base_min
        ),
    }
    series = {}
    levels = {}
    tipped = {}
    for name, policy in arms.items():
        total = np.zeros(days)
        finals = []
        for seed in seeds:
            r = simulate(sc, policy, seed=seed, days=days, campaigns=False)
            v = r.violations
            daily = daily_counts(days, v["start"].to_numpy(), v["patch"].to_numpy(), [1])
            finals.append(daily[-28:].mean() / daily[c0 - 28 : c0].mean())
            total += daily
        total /= len(seeds)
        base = total[c0 - 28 : c0].mean()
        series[name] = total / base
        levels[name] = float(total[-28:].mean() / base)
        tipped[name] = float(np.mean(np.asarray(finals) < TIPPED_BELOW))
    table = pd.DataFrame({"day": np.arange(days) - c0, **series})
    names = list(arms)
    criteria = (
        Criterion("no campaign: share of replications tipped", tipped[names[0]], None, 0.2),
        Criterion("short campaign: share tipped (rebounds)", tipped[names[1]], None, 0.34),
        Criterion(
            "concentrated campaign: share tipped (lasting low level)", tipped[names[2]], 0.66, None
        ),
        Criterion(
            "spread campaign: share tipped (no lasting effect)", tipped[names[3]], None, 0.34
        ),
        Criterion("concentrated campaign: last 4 weeks / before", levels[names[2]], None, 0.6),
    )
    return CheckResult(
        number=3,
        key="tipping",
        title="Tipping",
        anchor="Kleiman 1993/2009: with enforcement swamped there are two equilibria; a "
        "concentrated temporary surge can tip a place to lasting order, the same effort "
        "spread evenly cannot",
        figure="two to three months after the campaign, "
        + "; ".join(
            f"{k}: {levels[k]:.2f}× the old level, {100 * tipped[k]:.0f} % of replications tipped"
            for k in levels
        ),
        criteria=criteria,
        table=table,
        settings={
            "seeds": list(seeds),
            "before_days": before_days,
            "long_days": long_days,
            "short_days": short_days,
            "after_days": after_days,
            "spread_over": spread_over,
            "rate_per_day": rate_per_day,
            "base_min": base_min,
            "extra_min": extra_min,
            "handling_min": handling_min,
            "dynamics": dataclasses.asdict(dynamics),
        },
    )
