"""Fit a scenario's true rates so that its *simulated recorded* cases match the case log.

A case log holds recorded violations: those a unit noticed on its rounds or a citizen
reported. How many of the true violations get recorded depends on where and when units
patrolled and on how often citizens call, so the log's counts are not the scenario's rates.
:func:`fit_scenario` finds the true rates by simulation:

1. :func:`~patrolsim.caselog.targets.log_targets` gives the recorded rate per patch × type
   (empirical-Bayes shrunk), the profiles, holiday multipliers and the citizens' share.
2. The scenario, with those profiles and a first guess of the rates, is simulated under the
   bureau's usual policy over the last ``fit_days`` before the fitting date (after
   :data:`WARMUP_DAYS` of warm-up), with fixed seeds: common random numbers, so that
   successive iterations differ only by the parameters.
3. Fixed-point step: ``rate ← scale × target recorded rate / relative yield``. The yield of a
   patch (recorded cases per unit of true base rate) is pooled towards its type's with
   :data:`YIELD_PSEUDO` true violations and averaged over the iterations, so that a patch with
   few simulated cases does not jump about; the type's scale moves by the ratio of the log's
   recorded total to the simulated one, with a decreasing Robbins–Monro gain
   (:data:`GAIN_DECAY`): the simulated totals are noisy, above all where broken windows feed
   on themselves, and a plain fixed point oscillated by ±30 % on Boston. Per type, the
   complaint probability moves the citizens' share towards the log's (on the odds scale);
   where citizens would have to report more than every violation, the units' visibility is
   lowered instead. The true hour-of-day and weekday profiles move the same way (a damped
   multiplicative step), so that the simulated *recorded* profiles match the log's: units
   find violations while on shift and citizens call after a delay, so a recorded profile is
   not the true one. A call that brings a unit counts as the citizen's, also when the unit
   was already there.
4. Stop when, for every type, the simulated recorded total is within ``tolerance`` (or its
   Monte-Carlo error, if larger: two standard errors between the replications, at least one
   Poisson standard error of the log's total) of the log's and the citizens' share within
   :data:`SHARE_TOLERANCE`; whatever is not reached after ``max_iter`` steps is reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from tqdm import tqdm

from patrolsim.caselog.targets import PROFILE_PSEUDO_CASES, LogTargets, day_weights
from patrolsim.scenario.calendar import build_days
from patrolsim.scenario.model import Patch, Scenario, ViolationType
from patrolsim.sim.engine import simulate

YIELD_PSEUDO = 20.0
"""True violations with which a patch's simulated yield is pooled towards its type's.
Assumption (a setting of the fit, not of the district)."""
SHARE_TOLERANCE = 0.03
"""Largest accepted gap between the simulated and the logged citizens' share (about two
binomial standard errors of a share near 80 % over 1,500 cases). Assumption."""
MIN_COMPLAINT_PROBABILITY = 1e-4
MIN_VISIBILITY = 0.0
"""Units may never notice a type on their rounds (Boston's contractor complaints: 2 of 1,554
cases found by staff)."""
WARMUP_DAYS = 21
"""Days simulated before every measured window, so that the state has settled: perceived
risk and latent demand within days, but persistent disorder (flyposting lasts a week, and
broken windows feed on it) only after a few weeks; a week's warm-up biased the fitted
flyposting rates up by a fifth on a synthetic log."""
MAX_STEP = 10.0
"""Largest factor by which one iteration moves a type's rates (a type with no simulated case
yet would otherwise jump without bound)."""
GAIN_DECAY = 0.7
"""Iteration k ≥ 2 moves the parameters by the share 1 / (k − 1) ** GAIN_DECAY of the full
fixed-point step (a Robbins–Monro gain: full steps first, then averaging out the noise)."""


@dataclass(frozen=True, slots=True)
class FitSettings:
    """How hard the simulation-based fit works."""

    fit_days: int = 28
    """Measured days per simulation (the last ones before the fitting date)."""
    reps: int = 2
    """Replications per iteration (seeds ``seed`` … ``seed + reps − 1``)."""
    max_iter: int = 12
    min_iter: int = 3
    """Iterations before convergence is judged: the profiles need a few steps to settle even
    where the totals match at once."""
    tolerance: float = 0.03
    """Relative gap accepted between simulated and logged recorded totals per type."""
    window_days: int = 56
    """Days before the fitting date that set the level of the rates."""
    seed: int = 0
    policy: str = "posts+mobile"

    def __post_init__(self) -> None:
        """Check the settings."""
        if self.fit_days < 7:
            raise ValueError(f"Expected fit_days >= 7, got {self.fit_days}.")
        if self.reps < 1:
            raise ValueError(f"Expected reps >= 1, got {self.reps}.")
        if self.max_iter < 1:
            raise ValueError(f"Expected max_iter >= 1, got {self.max_iter}.")
        if not 1 <= self.min_iter <= self.max_iter:
            raise ValueError(f"Expected 1 <= min_iter <= max_iter, got {self.min_iter}.")
        if not 0 < self.tolerance < 1:
            raise ValueError(f"Expected tolerance in (0, 1), got {self.tolerance}.")
        if self.window_days < 7:
            raise ValueError(f"Expected window_days >= 7, got {self.window_days}.")


@dataclass(frozen=True, slots=True)
class FitState:
    """The fitted parameters: true base rates and the two channel parameters per type."""

    rates: npt.NDArray[np.float64] = field(repr=False)
    """True base rate per street patch × fitted type, violations per average day."""
    complaint_probability: npt.NDArray[np.float64] = field(repr=False)
    visibility: npt.NDArray[np.float64] = field(repr=False)
    hour_profile: npt.NDArray[np.float64] = field(repr=False)
    """True hour-of-day profile per type (V × 24, mean 1)."""
    weekday_profile: npt.NDArray[np.float64] = field(repr=False)
    """True weekday profile per type (V × 7, mean 1, Monday first)."""


@dataclass(frozen=True, slots=True)
class FitResult:
    """The outcome of :func:`fit_scenario`."""

    scenario: Scenario = field(repr=False)
    """The fitted scenario (in memory; :func:`~patrolsim.caselog.write.write_calibrated`
    writes it)."""
    targets: LogTargets = field(repr=False)
    state: FitState = field(repr=False)
    iterations: int
    converged: bool
    history: pd.DataFrame = field(repr=False)
    """Per iteration and type: simulated and logged recorded totals, citizens' shares."""
    unfitted: tuple[str, ...]
    """What could not be fitted, one line each."""
    yields: npt.NDArray[np.float64] = field(repr=False)
    """Simulated recorded cases per unit of true base rate and measured average day, P × V."""

    def summary(self) -> str:
        """Convergence and the final gaps per type."""
        last = self.history[self.history["iteration"] == self.iterations]
        lines = [
            f"fit {'converged' if self.converged else 'did not converge'} after "
            f"{self.iterations} iterations"
        ]
        for row in last.itertuples():
            lines.append(
                f"  {row.type}: simulated recorded {row.simulated:.1f} vs log "
                f"{row.target:.1f} ({row.simulated / max(row.target, 1e-9) - 1:+.1%}); "
                f"citizens {row.sim_citizen_share:.0%} vs {row.log_citizen_share:.0%}"
            )
        lines += [f"  could not fit: {u}" for u in self.unfitted]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """Fitted true rate per patch × type, with the log's recorded rate and yield."""
        t = self.targets
        rows = []
        for p, pid in enumerate(t.patches):
            for v, name in enumerate(t.types):
                rows.append(
                    (
                        pid,
                        name,
                        self.state.rates[p, v],
                        t.recorded_rate[p, v],
                        self.yields[p, v],
                        int(t.recent_cases[p, v]),
                    )
                )
        return pd.DataFrame(
            rows, columns=["patch", "type", "true_rate", "recorded_rate", "yield", "cases"]
        )


def window_scenario(scenario: Scenario, first_day: dt.date, days: int) -> Scenario:
    """``scenario`` moved to start on ``first_day`` for ``days`` days (calendar rebuilt)."""
    cal = scenario.calendar
    rebuilt = build_days(
        first_day,
        days,
        cal.public_holidays,
        cal.extra_holidays,
        cal.not_holidays,
        scenario.exam_periods,
        cal.inspection_days,
        country=cal.country,
    )
    return dataclasses.replace(
        scenario,
        start_date=first_day,
        horizon_days=days,
        warmup_days=WARMUP_DAYS,
        days=rebuilt,
        campaigns=(),
    )


def apply_state(
    scenario: Scenario, targets: LogTargets, state: FitState, street: list[int]
) -> Scenario:
    """``scenario`` with the fitted rates, profiles, holidays and channel parameters."""
    names = list(targets.types)
    vtypes: list[ViolationType] = []
    for vt in scenario.violation_types:
        if vt.name not in names:
            vtypes.append(vt)
            continue
        v = names.index(vt.name)
        mean = float(state.rates[:, v].mean()) if len(street) else 0.0
        vtypes.append(
            dataclasses.replace(
                vt,
                base_rate_per_day={k: mean for k in {scenario.patches[i].kind for i in street}},
                hour_profile=tuple(float(x) for x in state.hour_profile[v]),
                weekday_profile=tuple(float(x) for x in state.weekday_profile[v]),
                holiday_multiplier=float(targets.holiday_multiplier[v]),
                complaint_probability=float(state.complaint_probability[v]),
                visibility=float(state.visibility[v]),
            )
        )
    patches: list[Patch] = list(scenario.patches)
    for row, i in enumerate(street):
        rates = dict(patches[i].rate_overrides)
        for v, name in enumerate(names):
            rates[name] = float(state.rates[row, v])
        patches[i] = dataclasses.replace(patches[i], rate_overrides=rates)
    return dataclasses.replace(scenario, violation_types=tuple(vtypes), patches=tuple(patches))


def recorded_counts(
    result_violations: pd.DataFrame,
    lo_min: float,
    hi_min: float,
    n_patches: int,
    type_index: list[int],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Recorded cases per patch × fitted type in [lo, hi), and citizen-reported ones."""
    v = result_violations
    det = v["detected"].to_numpy()
    com = v["complained"].to_numpy()
    when = np.fmin(det, com)
    keep = (when >= lo_min) & (when < hi_min)
    # a unit already at the patch when the call comes "detects" it at the same moment: the
    # citizen still reported it first
    citizen = keep & ~np.isnan(com) & (np.isnan(det) | (com <= det))
    out = np.zeros((n_patches, len(type_index)))
    cit = np.zeros((n_patches, len(type_index)))
    patch = v["patch"].to_numpy()
    vtype = v["type"].to_numpy()
    for j, t in enumerate(type_index):
        m = keep & (vtype == t)
        out[:, j] = np.bincount(patch[m], minlength=n_patches)
        cit[:, j] = np.bincount(patch[citizen & (vtype == t)], minlength=n_patches)
    return out, cit


def initial_state(scenario: Scenario, targets: LogTargets) -> FitState:
    """First guess: true rates = recorded rates; the scenario's channel parameters."""
    cp = np.array([scenario.violation_type(t).complaint_probability for t in targets.types])
    vis = np.array([scenario.violation_type(t).visibility for t in targets.types])
    return FitState(
        targets.recorded_rate.copy(),
        np.clip(cp, MIN_COMPLAINT_PROBABILITY, 1.0),
        np.clip(vis, MIN_VISIBILITY, 1.0),
        targets.hour_profile.copy(),
        targets.weekday_profile.copy(),
    )


def recorded_profiles(
    violations: pd.DataFrame,
    lo_min: float,
    hi_min: float,
    type_index: list[int],
    first_weekday: int,
    skip_days: set[int],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Recorded cases in [lo, hi) by hour of day (V × 24) and weekday (V × 7) of recording;
    days in ``skip_days`` (holidays) are left out of the weekday counts."""
    v = violations
    when = np.fmin(v["detected"].to_numpy(), v["complained"].to_numpy())
    keep = (when >= lo_min) & (when < hi_min)
    when = when[keep]
    vtype = v["type"].to_numpy()[keep]
    day = (when // 1440).astype(np.int64)
    hour = ((when % 1440) // 60).astype(np.int64)
    weekday = (first_weekday + day) % 7
    ordinary = ~np.isin(day, list(skip_days))
    hours = np.zeros((len(type_index), 24))
    days = np.zeros((len(type_index), 7))
    for j, t in enumerate(type_index):
        m = vtype == t
        hours[j] = np.bincount(hour[m], minlength=24)
        days[j] = np.bincount(weekday[m & ordinary], minlength=7)
    return hours, days


def _profile_step(
    true: npt.NDArray[np.float64],
    wanted: npt.NDArray[np.float64],
    counts: npt.NDArray[np.float64],
    occurrences: npt.NDArray[np.float64],
    log_cases: npt.NDArray[np.float64],
    gain: float = 1.0,
) -> npt.NDArray[np.float64]:
    """Move a true profile so that the simulated recorded profile approaches ``wanted``.

    ``counts`` are simulated recorded cases per bin (V × B), ``occurrences`` how often each bin
    occurred; the step is a damped (square-root) multiplicative fixed point. The simulated
    counts get the same share of pseudo-cases per bin as the log's profiles
    (:data:`~patrolsim.caselog.targets.PROFILE_PSEUDO_CASES` per bin for ``log_cases``
    cases), so that both are smoothed alike and the fit is not biased towards flat profiles."""
    bins = counts.shape[1]
    pseudo = PROFILE_PSEUDO_CASES * counts.sum(axis=1) / np.maximum(log_cases, 1.0)
    rate = (counts + pseudo[:, None]) / np.maximum(occurrences, 1)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        simulated = bins * rate / rate.sum(axis=1, keepdims=True)
    new = true * (wanted / simulated) ** (0.5 * gain)
    new = bins * new / new.sum(axis=1, keepdims=True)
    empty = counts.sum(axis=1) == 0  # nothing simulated yet: nothing to learn from
    return np.where(empty[:, None], true, new)


def fit_scenario(
    scenario: Scenario,
    targets: LogTargets,
    settings: FitSettings = FitSettings(),
    start: FitState | None = None,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> FitResult:
    """Fit ``scenario``'s true rates and channel parameters to ``targets`` by simulation.

    Parameters
    ----------
    scenario
        The scenario whose street patches (in patches.csv order) are ``targets.patches``.
    targets
        What the log says (recorded rates, profiles, holidays, citizens' share).
    settings
        Window, replications, iterations, tolerance, seed and policy.
    start
        A previous fit to continue from (rolling back-tests refit from last week's state).
    progress
        Show a progress bar on standard error.
    """
    street = [scenario.patch_index(pid) for pid in targets.patches]
    type_index = [scenario.violation_types.index(scenario.violation_type(t)) for t in targets.types]
    first = targets.until - dt.timedelta(days=settings.fit_days + WARMUP_DAYS - 1)
    base = window_scenario(scenario, first, settings.fit_days + WARMUP_DAYS)
    measured = [first + dt.timedelta(days=WARMUP_DAYS + i) for i in range(settings.fit_days)]
    holidays = {d.date for d in base.days if d.holiday}
    skip = {i for i, d in enumerate(base.days) if d.holiday}
    day_occurrences = np.bincount(
        [d.weekday() for d in measured if d not in holidays], minlength=7
    ).astype(float)
    exposure = day_weights(
        measured, targets.weekday_profile, holidays, targets.holiday_multiplier
    ).sum(axis=0)  # average days per type
    target = targets.recorded_rate * exposure[None, :]  # recorded cases in the window
    state = start or initial_state(scenario, targets)
    n_all = len(scenario.patches)
    lo, hi = WARMUP_DAYS * 1440.0, base.horizon_days * 1440.0
    rows = []
    converged = False
    yields = np.zeros_like(target)
    bar = tqdm(
        range(1, settings.max_iter + 1),
        desc="calibrating",
        unit="iter",
        file=sys.stderr,
        disable=not progress,
    )
    it = 0
    log_share = targets.citizen_share
    rel: npt.NDArray[np.float64] | None = None
    for it in bar:
        fitted = apply_state(base, targets, state, street)
        rec = np.zeros((n_all, len(type_index)))
        cit = np.zeros_like(rec)
        rep_totals = []
        hour_counts = np.zeros((len(type_index), 24))
        day_counts = np.zeros((len(type_index), 7))
        for r in range(settings.reps):
            result = simulate(fitted, settings.policy, settings.seed + r, campaigns=False)
            a, b = recorded_counts(result.violations, lo, hi, n_all, type_index)
            rec += a
            cit += b
            rep_totals.append(a[street].sum(axis=0))
            h, d = recorded_profiles(result.violations, lo, hi, type_index, first.weekday(), skip)
            hour_counts += h
            day_counts += d
        rec = rec[street] / settings.reps
        cit = cit[street] / settings.reps
        truth = state.rates * exposure[None, :]  # expected true base arrivals
        type_yield = rec.sum(axis=0) / np.maximum(truth.sum(axis=0), 1e-12)
        yields = (rec + YIELD_PSEUDO * type_yield[None, :]) / (truth + YIELD_PSEUDO)
        sim_total = rec.sum(axis=0)
        log_total = target.sum(axis=0)
        sim_share = cit.sum(axis=0) / np.maximum(sim_total, 1e-12)
        noise = _noise(np.array(rep_totals), log_total)
        ok_total = np.abs(sim_total / np.maximum(log_total, 1e-12) - 1) <= np.maximum(
            settings.tolerance, noise
        )
        at_bound = ((state.visibility <= MIN_VISIBILITY) & (sim_share < log_share)) | (
            (state.complaint_probability <= MIN_COMPLAINT_PROBABILITY) & (sim_share > log_share)
        )
        ok_share = (
            np.isnan(log_share) | (np.abs(sim_share - log_share) <= SHARE_TOLERANCE) | at_bound
        )
        for v, t in enumerate(targets.types):
            rows.append(
                (
                    it,
                    t,
                    sim_total[v],
                    log_total[v],
                    noise[v],
                    sim_share[v],
                    log_share[v],
                    state.complaint_probability[v],
                    state.visibility[v],
                )
            )
        worst = float(np.max(np.abs(sim_total / np.maximum(log_total, 1e-12) - 1)))
        bar.set_postfix(gap=f"{worst:.1%}")
        if log is not None:
            log(f"iteration {it}: largest gap {worst:.1%}")
        if ok_total.all() and ok_share.all() and it >= settings.min_iter:
            converged = True
            break
        # how much of a type: a multiplicative step with a decreasing gain (Robbins–Monro):
        # the simulated totals are noisy, above all where broken windows feed on themselves
        gain = 1.0 / max(1.0, it - 1.0) ** GAIN_DECAY
        # where within a type: the patches' relative yields, averaged over the iterations
        # (each iteration's are noisy)
        rel_now = np.where(
            type_yield[None, :] > 0, yields / np.maximum(type_yield[None, :], 1e-12), 1.0
        )
        rel = rel_now if rel is None else rel + (rel_now - rel) / it
        scale = state.rates.sum(axis=0) / np.maximum(
            (targets.recorded_rate / np.maximum(rel, 1e-12)).sum(axis=0), 1e-300
        )
        ratio = np.clip((log_total + 0.5) / (sim_total + 0.5), 1 / MAX_STEP, MAX_STEP)
        scale = scale * ratio**gain
        new_rates = scale[None, :] * targets.recorded_rate / np.maximum(rel, 1e-12)
        cp = state.complaint_probability.copy()
        vis = state.visibility.copy()
        for v in range(len(targets.types)):
            if np.isnan(log_share[v]) or ok_share[v]:
                continue
            s_log = np.clip(log_share[v], 0.005, 0.995)
            s_sim = np.clip(sim_share[v], 0.005, 0.995)
            ratio = ((s_log / (1 - s_log)) / (s_sim / (1 - s_sim))) ** gain
            wanted = cp[v] * ratio
            cp[v] = float(np.clip(wanted, MIN_COMPLAINT_PROBABILITY, 1.0))
            if wanted > 1.0:  # citizens cannot report more: units must notice less
                vis[v] = float(np.clip(vis[v] / wanted, MIN_VISIBILITY, 1.0))
        # when: the true profiles, so that the simulated recorded ones match the log's (a
        # recorded profile is the true one seen through the patrol hours and complaint delays)
        cases = targets.total_cases.astype(float)
        hour_profile = _profile_step(
            state.hour_profile, targets.hour_profile, hour_counts, np.ones(24), cases, gain
        )
        weekday_profile = _profile_step(
            state.weekday_profile, targets.weekday_profile, day_counts, day_occurrences, cases, gain
        )
        state = FitState(new_rates, cp, vis, hour_profile, weekday_profile)
    bar.close()
    history = pd.DataFrame(
        rows,
        columns=[
            "iteration",
            "type",
            "simulated",
            "target",
            "noise",
            "sim_citizen_share",
            "log_citizen_share",
            "complaint_probability",
            "visibility",
        ],
    )
    unfitted = _unfitted(history, it, targets, settings, state)
    fitted_scenario = apply_state(scenario, targets, state, street)
    return FitResult(
        fitted_scenario, targets, state, it, converged, history, tuple(unfitted), yields
    )


def _noise(
    rep_totals: npt.NDArray[np.float64], log_total: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Relative Monte-Carlo error of the simulated totals: two standard errors between the
    replications, and at least one Poisson standard error of the log's total."""
    poisson = 1.0 / np.sqrt(np.maximum(log_total, 1.0))
    if len(rep_totals) < 2:
        return poisson
    mean = np.maximum(rep_totals.mean(axis=0), 1e-12)
    se = rep_totals.std(axis=0, ddof=1) / np.sqrt(len(rep_totals)) / mean
    return np.maximum(poisson, 2.0 * se)


def _unfitted(
    history: pd.DataFrame, it: int, targets: LogTargets, settings: FitSettings, state: FitState
) -> list[str]:
    out = []
    last = history[history["iteration"] == it]
    for v, row in enumerate(last.itertuples()):
        gap = row.simulated / max(row.target, 1e-12) - 1
        if abs(gap) > max(settings.tolerance, row.noise):
            out.append(f"{row.type}: simulated recorded cases {gap:+.1%} from the log's")
        if (
            not math.isnan(row.log_citizen_share)
            and abs(row.sim_citizen_share - row.log_citizen_share) > SHARE_TOLERANCE
        ):
            limit = ""
            if state.visibility[v] <= MIN_VISIBILITY:
                limit = " (units already notice almost nothing)"
            elif state.complaint_probability[v] <= MIN_COMPLAINT_PROBABILITY:
                limit = " (citizens already report almost nothing)"
            out.append(
                f"{row.type}: citizens' share {row.sim_citizen_share:.0%} simulated vs "
                f"{row.log_citizen_share:.0%} in the log{limit}"
            )
    for v, t in enumerate(targets.types):
        if targets.total_cases[v] == 0:
            out.append(f"{t}: no case in the log; its rates are the shrinkage prior only")
    return out
