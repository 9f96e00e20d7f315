"""The discrete-event simulation of violations and patrol units (SimPy)."""

from __future__ import annotations

from patrolsim.sim.engine import simulate
from patrolsim.sim.metrics import SimResult

__all__ = ["SimResult", "simulate"]
