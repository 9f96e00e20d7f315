"""The weekly plan: demand → roster → units → routes, simulated against simpler plans."""

from __future__ import annotations

from patrolsim.plan.week import PlanResult, check_week, plan_week

__all__ = ["PlanResult", "check_week", "plan_week"]
