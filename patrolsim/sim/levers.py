"""The levers besides staff, as the street feels them: stall zones, cameras, shop-front contracts.

:class:`LeverField` holds the state of a scenario's *enabled* levers during one run
(:mod:`patrolsim.scenario.levers` has their parameters and sources); the
:class:`~patrolsim.sim.violations.ViolationField` consults it at four points.

Stall zones (疏堵结合: 疏导点 / 摊点群; seeds 002, 003)
    A would-be vendor of a served type, at a patch within ``radius_m`` (street metres) of an
    open zone with a free pitch, takes the pitch instead of the street:

    * a candidate the deterrence thinning would turn into a violation (fresh, or latent demand
      released) takes it with probability ``uptake``;
    * one that enforcement deterred (it would have waited as latent demand or moved round the
      corner) takes it with probability ``deterred_uptake``, and so does a vendor who fled a
      unit and would set up again nearby.

    So enforcement around a zone pushes vendors *into* it rather than round the corner, and a
    full or closed zone sends them back to the street, where deterrence, latent demand and
    displacement work as without a zone. A vendor on a pitch stays for the duration the
    candidate would have traded (at most until the zone closes), is not a violation, leaves
    no disorder and teaches violators nothing about the risk of the street. Uses of the zone
    are recorded apart from violations (``SimResult.lever_events``).
Cameras (视频探头; seed 003)
    A live violation of a watched type at a covered patch is noticed after an exponential time
    with rate ``−ln(1 − detect_per_hour)`` per hour (so P(noticed within an hour) is
    ``detect_per_hour``). It then counts as recorded, a patrol passing by knows it is there,
    and with ``dispatch`` the nearest suitable unit is sent as for a complaint (an internal
    call). Cameras deter only through their ``deterrence`` parameter (default 0, see
    :class:`~patrolsim.scenario.levers.Camera`).
Shop-front contracts (门前三包 / 门前四包; seed 002)
    A would-be occupation of a covered type at a contracted patch does not happen with
    probability ``share · rate_reduction · kept(t)``, where ``kept`` is 1 for ``grace_days``
    after a unit last stood at the patch and then fades as ``exp(−(days − grace) /
    lapse_tau_days)``: contracts lapse without occasional visits. Contracts are taken as
    freshly renewed at the start of the run.

Randomness: a lever never draws from the ``violations`` stream. Each candidate arrival gets
two uniforms from the ``levers`` stream (drawn in bulk, one pair per candidate whatever
happens, so they are common random numbers across policies and lever settings); events that
are not candidates (fled vendors, camera detection times) draw from ``levers-events``. A
scenario with no enabled lever builds no :class:`LeverField` at all, and a zone of capacity 0,
a camera with ``detect_per_hour`` 0 and a contract with share 0 change nothing.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from patrolsim.scenario.model import Scenario
from patrolsim.streams import stream

EVENT_COLUMNS = ("lever", "kind", "patch", "type", "start", "end", "how")
"""Columns of ``SimResult.lever_events``: one row per use of a pitch (``kind`` ``zone``,
``how`` ``fresh``, ``latent``, ``deterred`` or ``fled``), camera detection (``camera``, end =
start) or occurrence averted by a contract or camera deterrence (``averted``)."""


@dataclass(slots=True)
class _Zone:
    name: str
    patch: int
    open_min: int
    close_min: int
    capacity: int
    uptake: float
    deterred_uptake: float
    occupied: list[float]
    """End times of the pitches in use (a heap)."""

    def close_of_opening(self, t: float) -> float:
        """When the opening that ``t`` falls in closes (``-inf`` if the zone is closed)."""
        day = math.floor(t / 1440.0) * 1440.0
        m = t - day
        if self.open_min <= m < self.close_min:
            return day + self.close_min
        if self.open_min <= m + 1440.0 < self.close_min:
            return day - 1440.0 + self.close_min
        return -math.inf

    def free(self, t: float) -> bool:
        """Whether a pitch is free at ``t`` (releasing pitches whose vendor has left)."""
        occupied = self.occupied
        while occupied and occupied[0] <= t:
            heapq.heappop(occupied)
        return len(occupied) < self.capacity


class LeverField:
    """The enabled levers of one run, consulted by the violation field.

    Parameters
    ----------
    scenario
        The district; only its enabled levers are used.
    seed
        The run's seed (streams ``levers`` and ``levers-events``).
    n_candidates
        Candidate arrivals of the run (one pair of uniforms each).
    """

    def __init__(self, scenario: Scenario, seed: int, n_candidates: int) -> None:
        levers = scenario.levers
        self.n_types = n_types = len(scenario.violation_types)
        n_patches = len(scenario.patches)
        type_index = {vt.name: i for i, vt in enumerate(scenario.violation_types)}
        dist = scenario.network.distance_m
        street = [p.kind != "base" for p in scenario.patches]
        self.types = scenario.violation_types
        # stall zones: for each (patch, type), the zones that serve it, nearest first
        self.zones: list[_Zone] = []
        near: list[list[tuple[float, int]]] = [[] for _ in range(n_patches * n_types)]
        for z in levers.stall_zones:
            if not z.enabled or z.capacity <= 0:
                continue
            pz = scenario.patch_index(z.patch)
            zi = len(self.zones)
            self.zones.append(
                _Zone(
                    z.name, pz, z.open_min, z.close_min, z.capacity, z.uptake, z.deterred_uptake, []
                )
            )
            for p in range(n_patches):
                if street[p] and dist[p, pz] <= z.radius_m:
                    for name in z.violation_types:
                        near[p * n_types + type_index[name]].append((float(dist[p, pz]), zi))
        self.zones_near: list[list[int]] = [[zi for _, zi in sorted(row)] for row in near]
        # cameras: detection rate per minute and deterrence per (patch, type)
        miss = np.ones(n_patches * n_types)  # P(not noticed within an hour)
        undeterred = np.ones(n_patches * n_types)
        self.dispatch = [False] * (n_patches * n_types)
        self.camera_name = [""] * (n_patches * n_types)
        for c in levers.cameras:
            if not c.enabled:
                continue
            for pid in c.patches:
                p = scenario.patch_index(pid)
                for name in c.violation_types:
                    k = p * n_types + type_index[name]
                    miss[k] *= 1.0 - c.detect_per_hour
                    undeterred[k] *= 1.0 - c.deterrence
                    if c.detect_per_hour > 0:
                        self.dispatch[k] = self.dispatch[k] or c.dispatch
                        self.camera_name[k] = self.camera_name[k] or c.name
        with np.errstate(divide="ignore"):
            self.detect_rate = (-np.log(miss) / 60.0).tolist()  # per minute; inf if certain
        self.camera_deter = (1.0 - undeterred).tolist()
        # shop-front contracts: reduction per (patch, type) while kept, and the lapse
        self.contract: list[tuple[float, float, float, str] | None] = [None] * (n_patches * n_types)
        for s in levers.shopfront:
            if not s.enabled or s.share * s.rate_reduction <= 0:
                continue
            for pid in s.patches:
                p = scenario.patch_index(pid)
                for name in s.violation_types:
                    k = p * n_types + type_index[name]
                    self.contract[k] = (
                        s.share * s.rate_reduction,
                        s.grace_days * 1440.0,
                        s.lapse_tau_days * 1440.0,
                        s.name,
                    )
        self.last_visit = [0.0] * n_patches
        rng = stream(seed, "levers")
        self.u_avert: list[float] = rng.random(n_candidates).tolist()
        self.u_zone: list[float] = rng.random(n_candidates).tolist()
        self.rng = stream(seed, "levers-events")
        self.events: list[tuple[str, str, int, int, float, float, str]] = []

    # ------------------------------------------------------------ shop-front and deterrence

    def visit(self, p: int, t: float) -> None:
        """A unit arrives at ``p``: contracts there are renewed."""
        self.last_visit[p] = t

    def averted(self, i: int, p: int, v: int, t: float) -> bool:
        """Whether candidate ``i`` at (``p``, ``v``) is put off by a contract or a camera."""
        k = p * self.n_types + v
        contract = self.contract[k]
        deter = self.camera_deter[k]
        if contract is None and deter <= 0.0:
            return False
        keep = 0.0
        name = ""
        if contract is not None:
            reduction, grace, tau, name = contract
            since = t - self.last_visit[p]
            keep = reduction * (1.0 if since <= grace else math.exp(-(since - grace) / tau))
        share = 1.0 - (1.0 - keep) * (1.0 - deter)
        if self.u_avert[i] < share:
            self.events.append((name or self.camera_name[k], "averted", p, v, t, t, ""))
            return True
        return False

    # ------------------------------------------------------------ stall zones

    def _take(
        self, p: int, v: int, t: float, duration: float, u: float, deterred: bool, how: str
    ) -> bool:
        for zi in self.zones_near[p * self.n_types + v]:
            zone = self.zones[zi]
            close = zone.close_of_opening(t)
            if close <= t or not zone.free(t):
                continue  # closed or full: the next zone in range, else the street
            if u >= (zone.deterred_uptake if deterred else zone.uptake):
                return False
            end = min(t + duration, close)
            heapq.heappush(zone.occupied, end)
            self.events.append((zone.name, "zone", p, v, t, end, how))
            return True
        return False

    def absorb(self, i: int, p: int, v: int, t: float, duration: float, how: str) -> bool:
        """Whether would-be violation ``i`` (``fresh`` or ``latent``) takes a legal pitch."""
        if not self.zones_near[p * self.n_types + v]:
            return False
        return self._take(p, v, t, duration, self.u_zone[i], False, how)

    def absorb_deterred(self, i: int, p: int, v: int, t: float, duration: float) -> bool:
        """Whether deterred candidate ``i`` takes a legal pitch instead of waiting or moving."""
        if not self.zones_near[p * self.n_types + v]:
            return False
        return self._take(p, v, t, duration, self.u_zone[i], True, "deterred")

    def absorb_fled(self, p: int, v: int, t: float) -> bool:
        """Whether a vendor who fled a unit at ``p`` sets up on a legal pitch instead."""
        if not self.zones_near[p * self.n_types + v]:
            return False
        mean = self.types[v].duration_mean_min
        duration = math.inf if mean is None else float(self.rng.exponential(mean))
        return self._take(p, v, t, duration, float(self.rng.random()), True, "fled")

    # ------------------------------------------------------------ cameras

    def detection_delay(self, p: int, v: int) -> float:
        """Minutes until a camera notices a violation starting now at (``p``, ``v``)."""
        rate = self.detect_rate[p * self.n_types + v]
        if rate <= 0.0:
            return math.inf
        if math.isinf(rate):
            return 0.0
        return float(self.rng.exponential(1.0 / rate))

    def detected(self, p: int, v: int, t: float) -> bool:
        """Record a camera detection at (``p``, ``v``); return whether it sends a unit."""
        k = p * self.n_types + v
        self.events.append((self.camera_name[k], "camera", p, v, t, t, ""))
        return self.dispatch[k]
