"""The weekly roster (CP-SAT): who works which shift on which day, in which unit.

Imports run one way inside the wing: ``inputs`` (cover wanted, wishes, last roster, personal
limits) → ``problem`` → ``cpsat`` (solver settings and helpers) → ``soft`` (soft rules) →
``model`` (the CP-SAT model) → ``explain`` (why a week is impossible, in words) → ``solve`` →
``curtois`` (the public shift-scheduling benchmark as a roster problem).
"""

from __future__ import annotations

from patrolsim.roster.cpsat import RosterParams
from patrolsim.roster.inputs import (
    Preference,
    PreviousRoster,
    Requirement,
    StaffLimits,
    default_requirements,
    read_preferences,
    read_previous_roster,
    read_requirements,
)
from patrolsim.roster.model import RosterModel, build_roster_model
from patrolsim.roster.problem import RosterProblem, RuleKey, forbidden_successions
from patrolsim.roster.result import SOFT_RULES, CoverRow, Roster, RosterEntry
from patrolsim.roster.solve import extract_roster, solve_roster

__all__ = [
    "SOFT_RULES",
    "CoverRow",
    "Preference",
    "PreviousRoster",
    "Requirement",
    "Roster",
    "RosterEntry",
    "RosterModel",
    "RosterParams",
    "RosterProblem",
    "RuleKey",
    "StaffLimits",
    "build_roster_model",
    "default_requirements",
    "extract_roster",
    "forbidden_successions",
    "read_preferences",
    "read_previous_roster",
    "read_requirements",
    "solve_roster",
]
