"""Complaint dispatch: the nearest free suitable unit goes; patrol is pre-empted.

Citizens' complaints (12319 / 12345 hotline, seed 000) and calls from units without
sanctioning powers queue by priority (the violation type's ``priority``, 1 first) and then by
time. When a complaint arrives, the dispatcher sends the unit on patrol that is suitable (a
type that needs a sanction needs a unit with two certified officers) and nearest by travel
time; that unit's patrol is interrupted. If none is free the complaint waits until a suitable
unit becomes free or starts its shift.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from patrolsim.sim.units import Complaint, Unit
from patrolsim.sim.violations import Violation

if TYPE_CHECKING:
    from patrolsim.sim.engine import Run


class Dispatcher:
    """Assigns complaints to units."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.on_shift: list[Unit] = []
        self.queue: list[tuple[int, float, int, Complaint]] = []
        self.complaints: list[Complaint] = []
        self._seq = 0

    def _suitable(self, unit: Unit, complaint: Complaint) -> bool:
        vtype = self.run.field.types[complaint.violation.vtype]
        return vtype.handled_by != "sanction" or unit.spec.can_sanction

    def complaint(self, viol: Violation, now: float) -> None:
        """A citizen reports ``viol``."""
        self.request(viol, now, internal=False)

    def request(self, viol: Violation, now: float, internal: bool) -> None:
        """Queue a complaint about ``viol`` and send a unit if one is free."""
        complaint = Complaint(viol, now, internal)
        self.complaints.append(complaint)
        travel = self.run.travel
        best: Unit | None = None
        for unit in self.on_shift:
            if unit.state != "patrol" or not self._suitable(unit, complaint):
                continue
            if (
                best is None
                or travel[unit.location, viol.patch] < travel[best.location, viol.patch]
            ):
                best = unit
        if best is None:
            self._seq += 1
            priority = self.run.field.types[viol.vtype].priority
            heapq.heappush(self.queue, (priority, now, self._seq, complaint))
            return
        best.state = "responding"
        assert best.process is not None
        best.process.interrupt(complaint)

    def available(self, unit: Unit) -> None:
        """``unit`` is on patrol and free: give it the most urgent suitable waiting complaint."""
        if unit not in self.on_shift:
            self.on_shift.append(unit)
        skipped = []
        while self.queue:
            item = heapq.heappop(self.queue)
            complaint = item[3]
            if self._suitable(unit, complaint):
                unit.pending.append(complaint)
                unit.state = "responding"
                break
            skipped.append(item)
        for item in skipped:
            heapq.heappush(self.queue, item)

    def leave(self, unit: Unit) -> None:
        """``unit``'s shift is over."""
        if unit in self.on_shift:
            self.on_shift.remove(unit)
