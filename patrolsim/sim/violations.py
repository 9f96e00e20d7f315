"""Violations on the street: arrivals by thinning, deterrence state, lifecycle.

Arrivals are sampled in bulk with NumPy before the run: for every (patch, type) a
non-homogeneous Poisson stream of *candidates* at the upper-bound rate ``λ0 · M`` (hourly
bins of the base intensity λ0; M from :func:`~patrolsim.sim.deterrence.rate_bound`), each with
its own uniform number, duration and complaint draws, from the ``violations`` stream of that
(patch, type). During the run a candidate becomes a violation with probability
``λ / (λ0 · M)`` evaluated against the deterrence state at that moment — thinning (Lewis &
Shedler 1979). Because the candidates do not depend on what units do, the same seed gives the
same base arrivals under every policy and staffing level (common random numbers).

A violation ends in one of three ways: handled by a unit, ended by itself (a vendor leaves;
lazily settled when anything looks at the patch), or fled on sight (a mobile vendor, who may
set up again at a neighbouring patch). Illegal construction and other persistent types have
no end of their own and grow until handled.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from patrolsim.scenario.model import Dynamics, Scenario
from patrolsim.sim import deterrence
from patrolsim.sim.levers import LeverField
from patrolsim.streams import stream

INF = math.inf


@dataclass(slots=True)
class Violation:
    """One violation, from start to end; mutable only by :class:`ViolationField`."""

    id: int
    patch: int
    vtype: int
    start: float
    self_end: float
    """When it ends by itself (``inf`` for persistent types)."""
    source: str
    """``fresh``, ``latent`` (released latent demand), ``displaced`` or ``reappeared``."""
    end: float = INF
    outcome: str = "active"
    """``active``, ``handled``, ``self_ended`` or ``fled``."""
    sanctioned: bool = False
    detected: float = math.nan
    complained: float = math.nan
    handler: int = -1
    """1 while a unit is handling it, else -1."""
    unit: str = ""
    """Id of the unit that handled it."""
    handling_from: float = math.nan
    """When a unit began to handle it."""


def base_rates(scenario: Scenario) -> npt.NDArray[np.float64]:
    """Base rate per patch and type, violations per day (patch overrides before kind rates)."""
    rates = np.zeros((len(scenario.patches), len(scenario.violation_types)))
    for p in scenario.patches:
        for v, vt in enumerate(scenario.violation_types):
            rates[p.index, v] = p.rate_overrides.get(vt.name, vt.base_rate_per_day.get(p.kind, 0.0))
    return rates


def calendar_multipliers(scenario: Scenario, days: int) -> npt.NDArray[np.float64]:
    """Multiplier per day, patch and type from holidays and exam periods."""
    out = np.ones((days, len(scenario.patches), len(scenario.violation_types)))
    holiday = np.array([vt.holiday_multiplier for vt in scenario.violation_types])
    exams = {e.name: e for e in scenario.exam_periods}
    for d in range(days):
        info = scenario.days[d]
        if info.holiday:
            out[d] *= holiday[None, :]
        for name in info.exam_periods:
            exam = exams[name]
            for p in scenario.patches:
                if p.kind in exam.patch_kinds:
                    out[d, p.index, :] *= exam.multiplier
    return out


def base_intensity(scenario: Scenario, days: int) -> npt.NDArray[np.float64]:
    """λ0 per day, hour, patch and type: expected violations per hour with no enforcement."""
    rates = base_rates(scenario)
    hour = np.array([vt.hour_profile for vt in scenario.violation_types])  # V × 24
    week = np.array([vt.weekday_profile for vt in scenario.violation_types])  # V × 7
    weekday = np.array([(scenario.start_date.weekday() + d) % 7 for d in range(days)])
    cal = calendar_multipliers(scenario, days)  # D × P × V
    day_factor = week.T[weekday]  # D × V
    lam = (rates[None, None, :, :] / 24.0) * hour.T[None, :, None, :]
    return lam * (cal * day_factor[:, None, :])[:, None, :, :]  # D × 24 × P × V


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate arrivals of the whole run, sorted by time."""

    time: npt.NDArray[np.float64]
    key: npt.NDArray[np.int64]
    """patch × n_types + type."""
    u: npt.NDArray[np.float64]
    duration: npt.NDArray[np.float64]
    u_complaint: npt.NDArray[np.float64]
    complaint_delay: npt.NDArray[np.float64]


def sample_candidates(
    scenario: Scenario, seed: int, days: int, lam: npt.NDArray[np.float64] | None = None
) -> Candidates:
    """Draw all candidate arrivals of ``days`` days in bulk (one stream per patch and type)."""
    lam = base_intensity(scenario, days) if lam is None else lam
    n_types = len(scenario.violation_types)
    bounds = np.array([deterrence.rate_bound(vt.dynamics) for vt in scenario.violation_types])
    bin_start = (np.arange(days)[:, None] * 1440.0 + np.arange(24)[None, :] * 60.0).ravel()
    parts: list[tuple[npt.NDArray[np.float64], ...]] = []
    keys: list[npt.NDArray[np.int64]] = []
    for p in range(len(scenario.patches)):
        for v, vt in enumerate(scenario.violation_types):
            expected = lam[:, :, p, v].ravel() * bounds[v]
            if not expected.any():
                continue
            rng = stream(seed, "violations", p, v)
            counts = rng.poisson(expected)
            n = int(counts.sum())
            if n == 0:
                continue
            times = np.repeat(bin_start, counts) + rng.random(n) * 60.0
            u = rng.random(n)
            if vt.duration_mean_min is None:
                duration = np.full(n, INF)
            else:
                duration = rng.exponential(vt.duration_mean_min, n)
            u_c = rng.random(n)
            delay = (
                rng.exponential(vt.complaint_delay_mean_min, n)
                if vt.complaint_delay_mean_min
                else np.zeros(n)
            )
            parts.append((times, u, duration, u_c, delay))
            keys.append(np.full(n, p * n_types + v, dtype=np.int64))
    if not parts:
        empty = np.zeros(0)
        return Candidates(empty, np.zeros(0, dtype=np.int64), empty, empty, empty, empty)
    time, u, duration, u_c, delay = (np.concatenate(col) for col in zip(*parts, strict=True))
    key = np.concatenate(keys)
    order = np.argsort(time, kind="stable")
    return Candidates(time[order], key[order], u[order], duration[order], u_c[order], delay[order])


def neighbour_lists(scenario: Scenario, radius_m: float) -> list[list[int]]:
    """For each patch, the other non-base patches within ``radius_m`` street metres."""
    street = np.array([p.kind != "base" for p in scenario.patches], dtype=bool)
    return scenario.network.neighbours(radius_m, keep=street)


class ViolationField:
    """The state of every (patch, type) and every active violation during one run.

    Units talk to it through :meth:`arrive`, :meth:`depart`, :meth:`scan`, :meth:`flee` and
    :meth:`finish`; the engine feeds it candidates and timed events through :meth:`step`.
    """

    def __init__(
        self, scenario: Scenario, seed: int, days: int, lam: npt.NDArray[np.float64] | None = None
    ) -> None:
        self.scenario = scenario
        self.horizon = days * 1440.0
        self.n_patches = len(scenario.patches)
        self.n_types = len(scenario.violation_types)
        self.types = scenario.violation_types
        self.dyn: list[Dynamics] = [vt.dynamics for vt in self.types]
        self.bound = [deterrence.rate_bound(d) for d in self.dyn]
        n = self.n_patches * self.n_types
        self.risk = [d.prior_risk for _ in range(self.n_patches) for d in self.dyn]
        self.anchor = list(self.risk)
        self.credibility = [1.0] * n
        self.latent = [0.0] * n
        self.synced = [0.0] * n
        rates = base_rates(scenario)
        # L_ref: mean base rate per minute × release time constant (see deterrence module)
        self.latent_ref = [
            max(rates[p, v] / 1440.0 * self.dyn[v].latent_release_tau_h * 60.0, 1e-9)
            for p in range(self.n_patches)
            for v in range(self.n_types)
        ]
        # types whose state can matter at each patch: a base rate there, or arrivals from
        # elsewhere (displacement, reappearance); others need no presence bookkeeping
        movable = [d.displacement_share > 0 or d.reappear_probability > 0 for d in self.dyn]
        self.live = [
            [v for v in range(self.n_types) if rates[p, v] > 0 or movable[v]]
            for p in range(self.n_patches)
        ]
        self.present = [0] * self.n_patches
        self.active: list[list[Violation]] = [[] for _ in range(self.n_patches)]
        self.records: list[Violation] = []
        radii = {d.neighbour_radius_m for d in self.dyn}
        by_radius = {r: neighbour_lists(scenario, r) for r in radii}
        self.neighbours = [by_radius[d.neighbour_radius_m] for d in self.dyn]
        self.candidates = sample_candidates(scenario, seed, days, lam)
        c = self.candidates  # as lists: element access in the event loop is much faster
        self._c_time: list[float] = c.time.tolist()
        self._c_key: list[int] = c.key.tolist()
        self._c_u: list[float] = c.u.tolist()
        self._c_duration: list[float] = c.duration.tolist()
        self._c_u_complaint: list[float] = c.u_complaint.tolist()
        self._c_delay: list[float] = c.complaint_delay.tolist()
        self.next_candidate = 0
        self.rng = stream(seed, "detection")
        self.heap: list[tuple[float, int, str, object]] = []
        self._seq = 0
        self.on_complaint: Callable[[Violation, float], None] = lambda v, t: None
        self.on_alert: Callable[[Violation, float], None] = lambda v, t: None
        """Called when a camera that dispatches notices a violation (set by the engine)."""
        self.levers = (
            LeverField(scenario, seed, len(self._c_time)) if scenario.levers.active else None
        )
        """The enabled stall zones, cameras and contracts (:mod:`patrolsim.sim.levers`)."""
        self.suppressed = np.zeros((self.n_patches, self.n_types), dtype=np.int64)
        self.released = np.zeros((self.n_patches, self.n_types), dtype=np.int64)
        self.displaced_in = np.zeros((self.n_patches, self.n_types), dtype=np.int64)

    # ------------------------------------------------------------------ events

    def push(self, time: float, kind: str, payload: object) -> None:
        """Schedule a timed event (``complaint``, ``reappear`` or ``inspection``)."""
        self._seq += 1
        heapq.heappush(self.heap, (time, self._seq, kind, payload))

    def next_time(self) -> float:
        """Time of the next candidate or timed event (``inf`` if none)."""
        i = self.next_candidate
        t = self._c_time[i] if i < len(self._c_time) else INF
        if self.heap and self.heap[0][0] < t:
            return self.heap[0][0]
        return t

    def candidate_next(self) -> bool:
        """Whether the next thing due is a candidate arrival (not a timed event)."""
        i = self.next_candidate
        return i < len(self._c_time) and (not self.heap or self._c_time[i] <= self.heap[0][0])

    def step(self, now: float) -> tuple[str, object] | None:
        """Process the next event due at ``now``; return timed events the engine must handle."""
        if self.candidate_next():
            self.next_candidate += 1
            self._candidate(self.next_candidate - 1, now)
            return None
        _, _, kind, payload = heapq.heappop(self.heap)
        if kind == "complaint":
            viol = payload
            assert isinstance(viol, Violation)
            if viol.outcome == "active" and viol.self_end > now:
                viol.complained = now
                self.on_complaint(viol, now)
            return None
        if kind == "camera":
            viol = payload
            assert isinstance(viol, Violation)
            assert self.levers is not None
            if viol.outcome == "active" and viol.self_end > now and math.isnan(viol.detected):
                viol.detected = now
                if (
                    self.levers.detected(viol.patch, viol.vtype, now)
                    and viol.handler < 0
                    and math.isnan(viol.complained)
                ):
                    self.on_alert(viol, now)
            return None
        if kind == "reappear":
            assert isinstance(payload, tuple)
            p, v = payload
            self._sync(p * self.n_types + v, now)
            f = deterrence.rate_factor(self.risk[p * self.n_types + v], self.dyn[v])
            if self.rng.random() < f:
                vt = self.types[v]
                duration = (
                    INF
                    if vt.duration_mean_min is None
                    else self.rng.exponential(vt.duration_mean_min)
                )
                self._start(
                    p,
                    v,
                    now,
                    "reappeared",
                    duration,
                    self.rng.random(),
                    self.rng.exponential(vt.complaint_delay_mean_min or 1e-9),
                )
            return None
        return kind, payload

    # ------------------------------------------------------------------ state

    def _sync(self, k: int, t: float) -> None:
        dt = t - self.synced[k]
        if dt <= 0.0:
            return
        p, v = divmod(k, self.n_types)
        self.risk[k], self.anchor[k], self.credibility[k], self.latent[k] = deterrence.advance(
            self.risk[k],
            self.anchor[k],
            self.credibility[k],
            self.latent[k],
            dt,
            self.present[p] > 0,
            self.dyn[v],
        )
        self.synced[k] = t

    def _learn(self, k: int, t: float, outcome: str) -> None:
        self._sync(k, t)
        self.risk[k], self.anchor[k], self.credibility[k] = deterrence.learn(
            self.risk[k], self.anchor[k], self.credibility[k], outcome, self.dyn[k % self.n_types]
        )

    def prune(self, p: int, t: float) -> None:
        """Settle violations at ``p`` that ended by themselves by time ``t``."""
        active = self.active[p]
        if not active:
            return
        keep = []
        for viol in active:
            if viol.self_end <= t and viol.handler < 0:
                viol.end = viol.self_end
                viol.outcome = "self_ended"
                self._learn(p * self.n_types + viol.vtype, viol.self_end, "unsanctioned")
            else:
                keep.append(viol)
        self.active[p] = keep

    def _candidate(self, i: int, t: float) -> None:
        k = self._c_key[i]
        p, v = divmod(k, self.n_types)
        levers = self.levers
        if levers is not None and levers.averted(i, p, v, t):
            return
        self.prune(p, t)
        self._sync(k, t)
        dyn = self.dyn[v]
        f = deterrence.rate_factor(self.risk[k], dyn)
        h = deterrence.broken_windows(len(self.active[p]), dyn)
        g = deterrence.latent_multiplier(self.latent[k], self.latent_ref[k])
        bound = self.bound[v]
        u = self._c_u[i]
        fresh = f * h / bound
        released = fresh + f * (g - 1.0) / bound
        if u < fresh:
            if levers is not None and levers.absorb(i, p, v, t, self._c_duration[i], "fresh"):
                return
            self._start(
                p, v, t, "fresh", self._c_duration[i], self._c_u_complaint[i], self._c_delay[i]
            )
        elif u < released:
            self.latent[k] = max(0.0, self.latent[k] - 1.0)
            self.released[p, v] += 1
            if levers is not None and levers.absorb(i, p, v, t, self._c_duration[i], "latent"):
                return
            self._start(
                p, v, t, "latent", self._c_duration[i], self._c_u_complaint[i], self._c_delay[i]
            )
        elif f < 1.0 and u < 1.0 / bound:
            # an opportunity that would have been taken at the prior risk, deterred now
            self.suppressed[p, v] += 1
            if levers is not None and levers.absorb_deterred(i, p, v, t, self._c_duration[i]):
                return
            w = (u - released) / (1.0 / bound - released)
            if w < dyn.latent_share:
                self.latent[k] += 1.0
            elif w < dyn.latent_share + dyn.displacement_share and self.neighbours[v][p]:
                w2 = (w - dyn.latent_share) / dyn.displacement_share
                targets = self.neighbours[v][p]
                q = targets[min(int(w2 * len(targets)), len(targets) - 1)]
                kq = q * self.n_types + v
                self._sync(kq, t)
                if (w2 * len(targets)) % 1.0 < deterrence.rate_factor(self.risk[kq], dyn):
                    self.displaced_in[q, v] += 1
                    self._start(
                        q,
                        v,
                        t,
                        "displaced",
                        self._c_duration[i],
                        self._c_u_complaint[i],
                        self._c_delay[i],
                    )

    def _start(
        self,
        p: int,
        v: int,
        t: float,
        source: str,
        duration: float,
        u_complaint: float,
        delay: float,
    ) -> Violation:
        viol = Violation(len(self.records), p, v, t, t + duration, source)
        self.records.append(viol)
        self.active[p].append(viol)
        if u_complaint < self.types[v].complaint_probability:
            self.push(t + delay, "complaint", viol)
        if self.levers is not None:
            wait = self.levers.detection_delay(p, v)
            if t + wait < min(viol.self_end, self.horizon):
                self.push(t + wait, "camera", viol)
        return viol

    # ------------------------------------------------------------------ what units do

    def arrive(self, p: int, t: float) -> list[float]:
        """A unit arrives at ``p``: perceived risk starts rising there.

        Returns the risk of each type at arrival, to give back to :meth:`depart`.
        """
        n = self.n_types
        for v in self.live[p]:
            self._sync(p * n + v, t)
        self.present[p] += 1
        if self.levers is not None:
            self.levers.visit(p, t)
        return self.risk[p * n : (p + 1) * n]

    def depart(self, p: int, t: float, at_arrival: list[float]) -> None:
        """A unit leaves ``p``; neighbours get ``diffusion_share`` of the risk it added there."""
        n = self.n_types
        for v in self.live[p]:
            self._sync(p * n + v, t)
        self.present[p] -= 1
        for v in self.live[p]:
            share = self.dyn[v].diffusion_share
            gain = self.risk[p * n + v] - at_arrival[v]
            if share <= 0.0 or gain <= 0.0:
                continue
            for q in self.neighbours[v][p]:
                kq = q * n + v
                self._sync(kq, t)
                self.risk[kq] += share * gain * (1.0 - self.risk[kq])

    def scan(self, p: int, t: float) -> list[Violation]:
        """Violations at ``p`` that a unit on site notices now (each with its visibility)."""
        self.prune(p, t)
        found = []
        for viol in self.active[p]:
            if viol.handler >= 0:
                continue
            if not math.isnan(viol.detected):
                found.append(viol)  # seen before: the unit knows it is there
            elif self.rng.random() < self.types[viol.vtype].visibility:
                viol.detected = t
                found.append(viol)
        return found

    def flee(self, viol: Violation, t: float) -> bool:
        """A mobile violator who has been noticed may flee; return whether it did."""
        vt = self.types[viol.vtype]
        if not vt.mobile or self.rng.random() >= vt.dynamics.flee_probability:
            return False
        self._end(viol, t, "fled")
        self._learn(viol.patch * self.n_types + viol.vtype, t, "escaped")
        dyn = vt.dynamics
        targets = self.neighbours[viol.vtype][viol.patch]
        if targets and self.rng.random() < dyn.reappear_probability:
            q = targets[int(self.rng.integers(len(targets)))]
            when = t + self.rng.exponential(dyn.reappear_delay_mean_min)
            # a stall zone in range with a free pitch may take the vendor instead
            if self.levers is None or not self.levers.absorb_fled(viol.patch, viol.vtype, t):
                self.push(when, "reappear", (q, viol.vtype))
        elif self.levers is not None:
            self.levers.absorb_fled(viol.patch, viol.vtype, t)
        return True

    def handling_minutes(self, viol: Violation, t: float) -> float:
        """Random handling time; persistent violations grow with age (illegal construction)."""
        vt = self.types[viol.vtype]
        size = 1.0 + vt.dynamics.growth_per_day * max(0.0, t - viol.start) / 1440.0
        return float(self.rng.exponential(vt.handling_min * size))

    def finish(self, viol: Violation, t: float, sanctioned: bool, unit: str) -> None:
        """``unit`` has handled ``viol``: it ends; violators learn from the outcome."""
        viol.sanctioned = sanctioned
        viol.unit = unit
        self._end(viol, t, "handled")
        self._learn(
            viol.patch * self.n_types + viol.vtype, t, "sanctioned" if sanctioned else "escaped"
        )

    def learn_escape(self, viol: Violation, t: float) -> None:
        """A unit met ``viol`` but could not end it (persuasion failed): presence loses force."""
        self._learn(viol.patch * self.n_types + viol.vtype, t, "escaped")

    def _end(self, viol: Violation, t: float, outcome: str) -> None:
        viol.end = t
        viol.outcome = outcome
        viol.handler = -1
        self.active[viol.patch].remove(viol)

    def visible_disorder(self, p: int, t: float, rng: np.random.Generator) -> bool:
        """Whether an inspector at ``p`` now sees any unresolved violation."""
        self.prune(p, t)
        return any(rng.random() < self.types[viol.vtype].visibility for viol in self.active[p])

    def settle(self, t: float) -> None:
        """Settle every patch at the end of the run."""
        for p in range(self.n_patches):
            self.prune(p, t)
