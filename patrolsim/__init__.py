"""patrolsim: staffing, rosters and patrol routes for city-management enforcement (城管).

Simulate how street violations arise and respond to enforcement (SimPy), build weekly
rosters (OR-Tools CP-SAT) and patrol routes (OR-Tools routing), and simulate the plan again
to see what it buys.
"""

from __future__ import annotations

__version__ = "0.1.0"
