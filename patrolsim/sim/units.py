"""Patrol units: one SimPy process per unit and shift.

A unit starts its shift at its base, patrols as its policy says (travel over the network, stop
at a patch, look for violations, handle what it can), takes a meal break and its off-street
duties (Friday study, drills, meetings), answers complaints the dispatcher gives it (which
pre-empt patrol), and returns to base by the end of the shift. Work in progress at the end of
the shift — a violation being handled, a complaint being answered — is finished and booked as
overtime.

Rules of the street (DOMAIN.md):

* Sanctioning needs at least two certified officers (Administrative Penalty Law); a unit
  without them can only persuade (``persuasion_success``) and, for a type that needs a
  sanction, calls a sanctioning unit through the dispatcher.
* A mobile vendor who notices the unit may flee (``flee_probability``) and set up again
  nearby (:meth:`~patrolsim.sim.violations.ViolationField.flee`).

Time budget categories: ``travel``, ``stop`` (present at a patch), ``handling``, ``response``
(travel to a complaint), ``break``, ``off_street`` (duties), ``idle``; within the shift they add
up to the shift's length. Time past the shift's end is ``overtime``.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from patrolsim.sim.violations import Violation

if TYPE_CHECKING:
    from patrolsim.sim.engine import Run
    from patrolsim.sim.policies import UnitSpec

BUDGET_CATEGORIES = ("travel", "stop", "handling", "response", "break", "off_street", "idle")


@dataclass(slots=True)
class Budget:
    """Minutes a unit spent on each activity within its shift, and overtime after it."""

    start: float
    end: float
    minutes: dict[str, float] = field(default_factory=lambda: dict.fromkeys(BUDGET_CATEGORIES, 0.0))
    overtime: float = 0.0

    def add(self, category: str, t0: float, t1: float) -> None:
        """Book [t0, t1) to ``category``; the part after the shift's end is overtime."""
        inside = max(0.0, min(t1, self.end) - max(t0, self.start))
        self.minutes[category] += inside
        self.overtime += max(0.0, t1 - max(t0, self.end))


@dataclass(slots=True)
class Complaint:
    """A citizen's report (or a unit's call for a sanctioning unit) about a violation."""

    violation: Violation
    time: float
    internal: bool = False
    """True when a unit without sanctioning powers called for one."""
    unit: str = ""
    arrived: float = float("nan")


class Unit:
    """The live state of one unit during its shift."""

    def __init__(self, spec: UnitSpec, run: Run) -> None:
        self.spec = spec
        self.run = run
        self.location = spec.base
        self.state = "off"
        """``off``, ``patrol`` (may be pre-empted), ``busy`` (handling or an off-street block),
        ``responding``."""
        self.pending: list[Complaint] = []
        self.budget = Budget(spec.start, spec.end)
        self.round: list[int] = []
        self.route_pos = 0
        self.process: simpy.Process | None = None
        self.blocks = run.off_street_blocks(spec)

    # ------------------------------------------------------------------ helpers

    def _timed(
        self, minutes: float, category: str, patch: int = -1
    ) -> Generator[simpy.Event, Any, None]:
        """Spend ``minutes`` on ``category`` (present at ``patch`` if given); interruptible."""
        env = self.run.env
        t0 = env.now
        at_arrival = self.run.field.arrive(patch, t0) if patch >= 0 else []
        try:
            yield env.timeout(max(minutes, 0.0))
        finally:
            if patch >= 0:
                self.run.field.depart(patch, env.now, at_arrival)
                self.run.presence[patch] += env.now - t0
            self.budget.add(category, t0, env.now)

    def _travel(self, target: int, category: str) -> Generator[simpy.Event, Any, None]:
        origin = self.location
        minutes = float(self.run.travel[origin, target])
        t0 = self.run.env.now
        try:
            yield from self._timed(minutes, category)
            self.location = target
        except simpy.Interrupt:
            self.location = target if self.run.env.now - t0 >= minutes / 2 else origin
            raise

    def _handle(self, viol: Violation) -> Generator[simpy.Event, Any, None]:
        """Deal with a noticed violation at the unit's location (not interruptible)."""
        run = self.run
        field_ = run.field
        now = run.env.now
        field_.prune(viol.patch, now)  # it may have ended by itself while the unit was busy
        if viol.outcome != "active" or viol.handler >= 0:
            return
        if field_.flee(viol, now):
            return
        vtype = field_.types[viol.vtype]
        if vtype.handled_by == "sanction" and not self.spec.can_sanction:
            run.dispatcher.request(viol, now, internal=True)
            return
        viol.handler = 1
        viol.handling_from = now
        previous, self.state = self.state, "busy"
        yield from self._timed(field_.handling_minutes(viol, now), "handling", viol.patch)
        self.state = previous
        viol.handler = -1
        now = run.env.now
        if self.spec.can_sanction:
            field_.finish(viol, now, sanctioned=True, unit=self.spec.id)
        elif run.detection_rng.random() < vtype.persuasion_success:
            field_.finish(viol, now, sanctioned=False, unit=self.spec.id)
        else:
            field_.learn_escape(viol, now)

    def _look(self, patch: int) -> Generator[simpy.Event, Any, None]:
        for viol in self.run.field.scan(patch, self.run.env.now):
            yield from self._handle(viol)

    # ------------------------------------------------------------------ the shift

    def shift(self) -> Generator[simpy.Event, Any, None]:
        """The unit's shift, as a SimPy process."""
        run = self.run
        env = run.env
        spec = self.spec
        if env.now < spec.start:
            yield env.timeout(spec.start - env.now)
        self.state = "patrol"
        run.dispatcher.available(self)
        while True:
            try:
                if self.pending:
                    yield from self._respond(self.pending.pop(0))
                    continue
                finished = yield from self._patrol_step()
                if finished:
                    break
            except simpy.Interrupt as interrupt:
                complaint = interrupt.cause  # dispatch interrupts a unit with a Complaint
                assert isinstance(complaint, Complaint)
                self.pending.append(complaint)
        self.state = "off"
        run.dispatcher.leave(self)
        # the way home, and anything left after the last step, is booked at the end
        if self.location != spec.base:
            yield from self._timed(float(run.travel[self.location, spec.base]), "travel")
            self.location = spec.base
        if env.now < spec.end:
            self.budget.add("idle", env.now, spec.end)
        run.finished_units.append(self)

    def _home_by(self) -> float:
        return self.spec.end - float(self.run.travel[self.location, self.spec.base])

    def _patrol_step(self) -> Generator[simpy.Event, Any, bool]:
        run = self.run
        env = run.env
        now = env.now
        home_by = self._home_by()
        if now >= home_by:
            return True
        block = self.blocks[0] if self.blocks else None
        due = home_by
        if block is not None:
            # leave in time to be at base when a duty starts; breaks are taken where one is
            to_base = float(run.travel[self.location, self.spec.base])
            due = block[0] - (to_base if block[2] == "off_street" else 0.0)
            if now >= due:
                yield from self._off_street(*self.blocks.pop(0))
                return False
        limit = min(home_by, due)
        choice = run.policy.next_stop(run.ctx, self, now)
        if choice is None:
            yield from self._timed(min(limit - now, 15.0), "idle")
            return False
        patch, stop = choice
        arrive = now + float(run.travel[self.location, patch])
        if arrive + 1.0 > limit:
            yield from self._timed(limit - now, "idle")
            return False
        if patch != self.location:
            yield from self._travel(patch, "travel")
        run.ctx.last_visit[patch] = env.now
        yield from self._look(patch)
        stay = min(stop, limit - env.now)
        if stay > 0:
            yield from self._timed(stay, "stop", patch)
            yield from self._look(patch)
        return False

    def _off_street(
        self, start: float, end: float, category: str
    ) -> Generator[simpy.Event, Any, None]:
        previous, self.state = self.state, "busy"
        try:
            if category == "off_street" and self.location != self.spec.base:
                yield from self._travel(self.spec.base, "travel")
            remaining = end - self.run.env.now
            if remaining > 0:
                yield from self._timed(remaining, category)
        finally:
            self.state = previous

    def _respond(self, complaint: Complaint) -> Generator[simpy.Event, Any, None]:
        run = self.run
        self.state = "responding"
        viol = complaint.violation
        yield from self._travel(viol.patch, "response")
        complaint.arrived = run.env.now
        complaint.unit = self.spec.id
        run.field.prune(viol.patch, run.env.now)
        if viol.outcome == "active" and viol.handler < 0:
            if math.isnan(viol.detected):
                viol.detected = run.env.now
            yield from self._handle(viol)  # the dispatcher only sends units that may handle it
        yield from self._look(viol.patch)
        self.state = "patrol" if run.env.now < self._home_by() else "busy"
        if self.state == "patrol":
            run.dispatcher.available(self)
