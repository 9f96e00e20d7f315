"""The annual cost of a configuration: staff, overtime, and the levers switched on.

A configuration is a staff list (as a run forms its units from it) and a scenario's enabled
levers, costed with the scenario's ``[costs]`` rates (:class:`~patrolsim.scenario.levers.Costs`):

* staff: each person on the list for a year at their role's rate (a leader at
  ``leader_per_year``, by default the certified rate);
* overtime: person-hours of overtime simulated in the measured window, scaled to a year
  (365 / measured days), at ``overtime_per_hour``;
* stall zones: ``annual_cost`` each; cameras and shop-front contracts: their rate per patch
  covered (a patch under two camera entries is paid twice: two installations).

The fixed part (everything but overtime) is known before simulating, so a search can
discard configurations over budget without running them (:func:`fixed_cost`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from patrolsim.scenario.levers import Costs, Levers
from patrolsim.scenario.model import StaffMember

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Annual cost of a configuration by item, yuan."""

    staff: float
    overtime: float
    stall_zones: float
    cameras: float
    shopfront: float

    @property
    def total(self) -> float:
        """Everything, yuan per year."""
        return self.staff + self.overtime + self.stall_zones + self.cameras + self.shopfront

    @property
    def fixed(self) -> float:
        """Everything but overtime."""
        return self.total - self.overtime

    def summary(self) -> str:
        """One line: total and items in 10k yuan (万元)."""
        return (
            f"年度成本 annual cost {self.total / 1e4:.1f} 万元: 人员 staff "
            f"{self.staff / 1e4:.1f}, 加班 overtime {self.overtime / 1e4:.1f}, 摊点群 stall "
            f"zones {self.stall_zones / 1e4:.1f}, 视频探头 cameras {self.cameras / 1e4:.1f}, "
            f"门前三包 shop-front {self.shopfront / 1e4:.1f}"
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per item with its cost (yuan per year), then the total."""
        items = ("staff", "overtime", "stall_zones", "cameras", "shopfront")
        return pd.DataFrame(
            {
                "item": [*items, "total"],
                "annual_cost": [*(getattr(self, i) for i in items), self.total],
            }
        )


def staff_cost(staff: Sequence[StaffMember], costs: Costs) -> float:
    """Yuan per year for the people on ``staff``."""
    leader = costs.certified_per_year if costs.leader_per_year is None else costs.leader_per_year
    rate = {
        "certified": costs.certified_per_year,
        "auxiliary": costs.auxiliary_per_year,
        "leader": leader,
    }
    return float(sum(rate[m.role] for m in staff))


def fixed_cost(staff: Sequence[StaffMember], levers: Levers) -> CostBreakdown:
    """Annual cost of ``staff`` and the enabled ``levers``, without overtime."""
    return annual_cost(staff, levers, 0.0, 1.0)


def annual_cost(
    staff: Sequence[StaffMember], levers: Levers, overtime_person_hours: float, measured_days: float
) -> CostBreakdown:
    """Annual cost of a configuration.

    Parameters
    ----------
    staff
        The staff list the configuration employs.
    levers
        The scenario's levers (only enabled ones cost anything) and cost rates.
    overtime_person_hours
        Person-hours of overtime in the measured window.
    measured_days
        Length of the measured window, days (> 0), to scale overtime to a year.
    """
    if measured_days <= 0:
        raise ValueError(f"Expected measured_days > 0, got {measured_days}.")
    c = levers.costs
    return CostBreakdown(
        staff=staff_cost(staff, c),
        overtime=overtime_person_hours * DAYS_PER_YEAR / measured_days * c.overtime_per_hour,
        stall_zones=float(sum(z.annual_cost for z in levers.stall_zones if z.enabled)),
        cameras=float(
            sum(k.annual_cost_per_patch * len(k.patches) for k in levers.cameras if k.enabled)
        ),
        shopfront=float(
            sum(s.annual_cost_per_patch * len(s.patches) for s in levers.shopfront if s.enabled)
        ),
    )
