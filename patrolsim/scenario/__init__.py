"""Scenario input: the folder format, its validation, and the typed objects built from it."""

from __future__ import annotations

from patrolsim.scenario.load import load_scenario
from patrolsim.scenario.model import Scenario

__all__ = ["Scenario", "load_scenario"]
