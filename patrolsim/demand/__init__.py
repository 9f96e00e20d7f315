"""What patrol is worth where and when, and the cover it needs.

``values`` (what a stop saves, from the violation dynamics; scenario-default rates) →
``cover`` (the week's cover per day × shift × squad, from simulated runs).
"""

from __future__ import annotations

from patrolsim.demand.cover import Demand, weekly_demand
from patrolsim.demand.values import PatchRates, TypeResponse, default_rates, default_risk

__all__ = ["Demand", "PatchRates", "TypeResponse", "default_rates", "default_risk", "weekly_demand"]
