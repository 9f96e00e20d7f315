"""What a case log says, before any simulation: recorded rates, profiles, holidays, channels.

Everything here is about *recorded* cases. :mod:`patrolsim.caselog.fit` then finds the true
rates that make the simulator record as many.

Shrinkage (how few cases are handled):

* **Base rates** per patch × type: a Gamma–Poisson empirical-Bayes estimate. The prior mean of
  a patch is the type's recent district level times the patch's long-run share of the type
  (its share over the whole log, with half a case added to every patch); the prior's shape α
  (its weight, in cases) is chosen per type by maximising the negative-binomial marginal
  likelihood of the recent counts. A patch with many recent cases keeps its own rate; one with
  few is pulled towards its long-run share of the district's current level.
* **Level**: the rates describe the last ``window_days`` (default 56) before the fitting date,
  because recorded disorder drifts with the season (Boston's graffiti triples from February to
  April and halves again by October); the patches' long-run shares come from the whole log.
* **Profiles** (hour of day, weekday) per type from the whole log, with a pseudo-count per
  bin (:data:`PROFILE_PSEUDO_CASES`), so an hour with no case keeps a small weight.
* **Holiday multipliers**: cases on public holidays against the same type's weekday-adjusted
  level on the 14 non-holiday days either side, shrunk towards 1 by
  :data:`HOLIDAY_PSEUDO_CASES` expected cases.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from patrolsim.scenario.calendar import build_days

PROFILE_PSEUDO_CASES = 2.0
"""Cases added to every bin of an hour or weekday profile (a Dirichlet prior); assumption."""
HOLIDAY_PSEUDO_CASES = 10.0
"""Expected cases with which a holiday multiplier is pulled towards 1; assumption."""
SHARE_PSEUDO_CASES = 0.5
"""Cases added to every patch's long-run count when computing its share; assumption."""
ALPHA_GRID = np.logspace(-1.5, 3.0, 46)
"""Candidate prior weights (cases) of the empirical-Bayes base rates."""
Z95 = 1.959964


@dataclass(frozen=True, slots=True)
class LogTargets:
    """What the log says about recorded cases, for one fitting date."""

    types: tuple[str, ...]
    patches: tuple[str, ...]
    until: dt.date
    window_start: dt.date
    first_day: dt.date
    recorded_rate: npt.NDArray[np.float64] = field(repr=False)
    """Recorded cases per patch × type per average day (weekday profile mean 1, no holiday),
    empirical-Bayes shrunk; P × V."""
    rate_ci: npt.NDArray[np.float64] = field(repr=False)
    """95 % posterior interval of ``recorded_rate``; P × V × 2."""
    recent_cases: npt.NDArray[np.int64] = field(repr=False)
    """Cases per patch × type in the window."""
    total_cases: npt.NDArray[np.int64] = field(repr=False)
    """Cases per type in the whole log up to ``until``."""
    prior_weight: npt.NDArray[np.float64] = field(repr=False)
    """α per type: the empirical-Bayes prior's weight in cases."""
    hour_profile: npt.NDArray[np.float64] = field(repr=False)
    """V × 24, mean 1."""
    weekday_profile: npt.NDArray[np.float64] = field(repr=False)
    """V × 7, mean 1, Monday first."""
    holiday_multiplier: npt.NDArray[np.float64] = field(repr=False)
    """Per type; 1 where the log has no holiday."""
    holiday_ci: npt.NDArray[np.float64] = field(repr=False)
    holiday_cases: npt.NDArray[np.int64] = field(repr=False)
    citizen_share: npt.NDArray[np.float64] = field(repr=False)
    """Share of cases reported by citizens among those with a known channel (NaN: none)."""
    channel_cases: npt.NDArray[np.int64] = field(repr=False)
    """Cases per type with a known channel (patrol or citizen)."""
    closing_hours: pd.DataFrame = field(repr=False)
    """Per duration (see :data:`DURATIONS`) and type: cases, median, ci_low, ci_high (hours)."""

    def summary(self) -> str:
        """A line per type: cases, recent level, profiles' peaks, holidays, channels."""
        lines = [f"log targets until {self.until} (level from {self.window_start})"]
        for v, t in enumerate(self.types):
            share = self.citizen_share[v]
            lines.append(
                f"  {t}: {self.total_cases[v]} cases, recent {self.recent_cases[:, v].sum()} "
                f"({self.recorded_rate[:, v].sum():.2f}/day), holiday ×"
                f"{self.holiday_multiplier[v]:.2f}, citizens "
                + ("n/a" if math.isnan(share) else f"{share:.0%}")
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """Recorded rate per patch × type with its interval and cases."""
        rows = []
        for p, pid in enumerate(self.patches):
            for v, t in enumerate(self.types):
                rows.append(
                    (
                        pid,
                        t,
                        self.recorded_rate[p, v],
                        self.rate_ci[p, v, 0],
                        self.rate_ci[p, v, 1],
                        int(self.recent_cases[p, v]),
                    )
                )
        return pd.DataFrame(
            rows, columns=["patch", "type", "recorded_rate", "ci_low", "ci_high", "cases"]
        )


def gamma_interval(
    shape: npt.ArrayLike, rate: npt.ArrayLike, z: float = Z95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Approximate central interval of Gamma(shape, rate) (Wilson–Hilferty)."""
    k = np.maximum(np.asarray(shape, dtype=float), 1e-9)
    r = np.asarray(rate, dtype=float)
    lo = k / r * np.clip(1 - 1 / (9 * k) - z / (3 * np.sqrt(k)), 0, None) ** 3
    hi = k / r * (1 - 1 / (9 * k) + z / (3 * np.sqrt(k))) ** 3
    return lo, hi


def day_weights(
    days: list[dt.date],
    weekday: npt.NDArray[np.float64],
    holiday_days: set[dt.date],
    multiplier: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Expected share of an average day on each of ``days``, per type: D × V."""
    wd = np.array([d.weekday() for d in days], dtype=np.int64)
    w = weekday[:, wd].T.copy()  # D × V
    hol = np.array([d in holiday_days for d in days])
    w[hol] *= multiplier[None, :]
    return w


def holiday_dates(first: dt.date, last: dt.date, country: str) -> dict[dt.date, str]:
    """Public holidays of ``country`` between ``first`` and ``last`` (inclusive)."""
    days = build_days(first, (last - first).days + 1, True, (), (), (), (), country=country)
    return {d.date: d.holiday for d in days if d.holiday}


def log_targets(
    cases: pd.DataFrame,
    patches: tuple[str, ...],
    types: tuple[str, ...],
    until: dt.date,
    country: str,
    window_days: int = 56,
) -> LogTargets:
    """Recorded rates, profiles, holiday multipliers and channel shares from placed cases.

    Parameters
    ----------
    cases
        Placed cases (columns ``patch``, ``type``, ``reported_at``, ``channel``,
        ``closed_at``); those after ``until`` are ignored.
    patches, types
        The scenario's street patches and the fitted types, in the order of the outputs.
    until
        The last day of the log used.
    country
        Whose public holidays apply.
    window_days
        Days before ``until`` (inclusive) that set the level of the base rates.
    """
    day = cases["reported_at"].dt.date
    cases = cases[(day <= until) & cases["type"].isin(types) & cases["patch"].isin(patches)]
    day = cases["reported_at"].dt.date
    first = min(day) if len(cases) else until
    n_p, n_v = len(patches), len(types)
    pi = {p: i for i, p in enumerate(patches)}
    vi = {t: i for i, t in enumerate(types)}
    p_idx = cases["patch"].map(pi).to_numpy(dtype=np.int64)
    v_idx = cases["type"].map(vi).to_numpy(dtype=np.int64)
    hours = cases["reported_at"].dt.hour.to_numpy(dtype=np.int64)
    wdays = cases["reported_at"].dt.day_of_week.to_numpy(dtype=np.int64)
    holidays = holiday_dates(first, until, country)
    on_holiday = day.map(lambda d: d in holidays).to_numpy(dtype=bool)

    hour_counts = np.zeros((n_v, 24))
    np.add.at(hour_counts, (v_idx, hours), 1)
    hour_profile = (
        24
        * (hour_counts + PROFILE_PSEUDO_CASES)
        / (hour_counts.sum(axis=1, keepdims=True) + 24 * PROFILE_PSEUDO_CASES)
    )
    # weekday profile over ordinary days, corrected for how often each weekday occurs
    all_days = [first + dt.timedelta(days=i) for i in range((until - first).days + 1)]
    ordinary = [d for d in all_days if d not in holidays]
    occurrences = np.bincount([d.weekday() for d in ordinary], minlength=7).astype(float)
    wd_counts = np.zeros((n_v, 7))
    np.add.at(wd_counts, (v_idx[~on_holiday], wdays[~on_holiday]), 1)
    per_day = (wd_counts + PROFILE_PSEUDO_CASES) / np.maximum(occurrences, 1)[None, :]
    weekday_profile = 7 * per_day / per_day.sum(axis=1, keepdims=True)

    # holiday multipliers: holiday cases against the level on the 14 ordinary days either side
    daily = np.zeros((len(all_days), n_v))
    d_idx = np.array([(d - first).days for d in day], dtype=np.int64)
    np.add.at(daily, (d_idx, v_idx), 1)
    ones = np.ones(n_v)
    base_w = day_weights(all_days, weekday_profile, set(), ones)
    hol_obs = np.zeros(n_v)
    hol_exp = np.zeros(n_v)
    for h in holidays:
        i = (h - first).days
        near = [
            j
            for j in range(max(0, i - 14), min(len(all_days), i + 15))
            if all_days[j] not in holidays and j != i
        ]
        if len(near) < 7:
            continue
        level = daily[near].sum(axis=0) / base_w[near].sum(axis=0)
        hol_obs += daily[i]
        hol_exp += level * base_w[i]
    holiday_multiplier = (hol_obs + HOLIDAY_PSEUDO_CASES) / (hol_exp + HOLIDAY_PSEUDO_CASES)
    h_lo, h_hi = gamma_interval(hol_obs + HOLIDAY_PSEUDO_CASES, hol_exp + HOLIDAY_PSEUDO_CASES)

    # base rates: recent level × long-run share, empirical-Bayes shrunk
    start = max(first, until - dt.timedelta(days=window_days - 1))
    window = [d for d in all_days if d >= start]
    exposure = day_weights(window, weekday_profile, set(holidays), holiday_multiplier).sum(axis=0)
    recent_mask = (day >= start).to_numpy()
    recent = np.zeros((n_p, n_v), dtype=np.int64)
    np.add.at(recent, (p_idx[recent_mask], v_idx[recent_mask]), 1)
    longrun = np.zeros((n_p, n_v))
    np.add.at(longrun, (p_idx, v_idx), 1)
    share = (longrun + SHARE_PSEUDO_CASES) / (longrun.sum(axis=0) + SHARE_PSEUDO_CASES * n_p)
    level = (recent.sum(axis=0) + SHARE_PSEUDO_CASES) / np.maximum(exposure, 1e-9)
    prior_mean = level[None, :] * share  # recorded per average day
    alpha = np.array(
        [_best_alpha(recent[:, v], prior_mean[:, v] * exposure[v]) for v in range(n_v)]
    )
    post_shape = recent + alpha[None, :]
    post_rate = exposure[None, :] + alpha[None, :] / prior_mean
    recorded_rate = post_shape / post_rate
    lo, hi = gamma_interval(post_shape, post_rate)

    known = cases["channel"].isin(["patrol", "citizen"]).to_numpy()
    channel_cases = np.bincount(v_idx[known], minlength=n_v)
    citizen = np.bincount(v_idx[known & (cases["channel"] == "citizen").to_numpy()], minlength=n_v)
    with np.errstate(invalid="ignore", divide="ignore"):
        citizen_share = np.where(channel_cases > 0, citizen / np.maximum(channel_cases, 1), np.nan)

    closing_frame = durations(cases, types)
    return LogTargets(
        types=types,
        patches=patches,
        until=until,
        window_start=start,
        first_day=first,
        recorded_rate=recorded_rate,
        rate_ci=np.stack([lo, hi], axis=-1),
        recent_cases=recent,
        total_cases=longrun.sum(axis=0).astype(np.int64),
        prior_weight=alpha,
        hour_profile=hour_profile,
        weekday_profile=weekday_profile,
        holiday_multiplier=holiday_multiplier,
        holiday_ci=np.stack([h_lo, h_hi], axis=-1),
        holiday_cases=hol_obs.astype(np.int64),
        citizen_share=citizen_share,
        channel_cases=channel_cases.astype(np.int64),
        closing_hours=closing_frame,
    )


DURATIONS = {
    "closing_hours": ("reported_at", "closed_at"),
    "dispatch_hours": ("reported_at", "dispatched_at"),
    "dispatch_to_handled_hours": ("dispatched_at", "handled_at"),
}
"""Durations a log can measure (from, to column roles): reported → closed (结案), reported →
dispatched (派遣), dispatched → handled (处置; includes travel)."""


def durations(cases: pd.DataFrame, types: tuple[str, ...]) -> pd.DataFrame:
    """Median and 95 % interval of the median (binomial order statistics) of every duration
    the log holds, per type (hours); negative durations are left out as errors."""
    rows = []
    for name, (a, b) in DURATIONS.items():
        if a not in cases or b not in cases:
            continue
        hours = (cases[b] - cases[a]).dt.total_seconds() / 3600.0
        for t in types:
            m = (cases["type"] == t).to_numpy() & hours.notna().to_numpy() & (hours >= 0).to_numpy()
            x = np.sort(hours[m].to_numpy())
            k = len(x)
            if k == 0:
                continue
            half = Z95 * math.sqrt(k) / 2
            lo_i = max(0, math.floor(k / 2 - half))
            hi_i = min(k - 1, math.ceil(k / 2 + half))
            rows.append((name, t, k, float(np.median(x)), float(x[lo_i]), float(x[hi_i])))
    return pd.DataFrame(rows, columns=["duration", "type", "cases", "median", "ci_low", "ci_high"])


def _best_alpha(counts: npt.NDArray[np.int64], means: npt.NDArray[np.float64]) -> float:
    """Prior weight α maximising the negative-binomial marginal likelihood of ``counts``."""
    n = counts.astype(float)
    m = np.maximum(means, 1e-12)
    lg = np.vectorize(math.lgamma)
    best, best_ll = float(ALPHA_GRID[-1]), -math.inf
    for a in ALPHA_GRID:
        ll = float(
            np.sum(lg(n + a) - math.lgamma(a) + a * np.log(a / (a + m)) + n * np.log(m / (a + m)))
        )
        if ll > best_ll:
            best, best_ll = float(a), ll
    return best
