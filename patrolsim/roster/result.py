"""The result of a roster solve: who works when, cover against requirement, penalties.

Split from :mod:`patrolsim.roster` (which re-exports everything here).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from patrolsim.roster.cpsat import relative_gap
from patrolsim.scenario.model import StaffMember

#: Names of the soft rules, in the order reported.
SOFT_RULES = (
    "shortfall",
    "auxiliary_shortfall",
    "surplus",
    "preference",
    "fairness_nights",
    "fairness_weekends",
    "shift_consistency",
    "weekend_pair",
    "stability",
)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person on one shift."""

    staff_id: str
    name: str
    role: str
    squad: str
    date: dt.date
    shift: str
    start: dt.datetime
    end: dt.datetime
    unit: str
    """``SQUAD-SHIFT-N`` of the sanctioning unit, or ``SQUAD-SHIFT-aux`` for people in no
    unit of ≥ ``unit_certified`` certified officers."""


@dataclass(frozen=True, slots=True)
class CoverRow:
    """Cover achieved against the requirement for one day × shift × squad."""

    date: dt.date
    shift: str
    squad: str
    units_needed: int
    auxiliaries_needed: int
    certified: int
    auxiliaries: int
    units_formed: int
    units_missing: int
    auxiliaries_missing: int
    surplus: int


@dataclass(frozen=True, slots=True)
class Roster:
    """A solved roster with its cover, penalties and solver figures."""

    start: dt.date
    days: int
    entries: tuple[RosterEntry, ...]
    cover: tuple[CoverRow, ...]
    status: str
    objective: float
    best_bound: float
    solve_time_s: float
    penalty_by_rule: Mapping[str, int]
    """Penalty of every soft rule (weight × amount), zero included."""
    strict_cover: bool = False
    staff: tuple[StaffMember, ...] = ()
    night_shifts: tuple[str, ...] = ()

    def is_optimal(self) -> bool:
        """Whether CP-SAT proved this roster optimal."""
        return self.status == "OPTIMAL"

    @property
    def gap(self) -> float:
        """Relative gap between objective and best bound."""
        return relative_gap(self.objective, self.best_bound)

    @property
    def penalties(self) -> tuple[str, ...]:
        """Names of the soft rules that were relaxed (non-zero penalty)."""
        return tuple(r for r in SOFT_RULES if self.penalty_by_rule.get(r, 0))

    @property
    def uncovered(self) -> tuple[CoverRow, ...]:
        """Every day × shift × squad left short of units or auxiliary places."""
        return tuple(c for c in self.cover if c.units_missing or c.auxiliaries_missing)

    def summary(self, timing: bool = True) -> str:
        """A few lines: status, objective, bound, relaxed rules and uncovered shifts.

        ``timing=False`` leaves out the solve time, for files that must not change from run to
        run (the weekly plan's report).
        """
        seconds = f", {self.solve_time_s:.1f} s" if timing else ""
        lines = [
            f"roster {self.start} +{self.days} d: {self.status}, objective {self.objective:.0f}, "
            f"bound {self.best_bound:.0f}, gap {self.gap:.1%}{seconds}",
            f"{len(self.entries)} shifts for {len({e.staff_id for e in self.entries})} people",
        ]
        if self.penalties:
            lines.append(
                "relaxed: " + ", ".join(f"{r} {self.penalty_by_rule[r]}" for r in self.penalties)
            )
        for u in self.uncovered:
            lines.append(
                f"uncovered: {u.date} {u.shift} squad {u.squad}: "
                f"{u.units_missing} unit(s), {u.auxiliaries_missing} auxiliary place(s)"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per shift worked: staff_id,name,role,squad,date,shift,start,end,unit."""
        cols = ["staff_id", "name", "role", "squad", "date", "shift", "start", "end", "unit"]
        return pd.DataFrame(
            [
                [
                    e.staff_id,
                    e.name,
                    e.role,
                    e.squad,
                    e.date.isoformat(),
                    e.shift,
                    e.start.isoformat(),
                    e.end.isoformat(),
                    e.unit,
                ]
                for e in self.entries
            ],
            columns=cols,
        )

    def cover_frame(self) -> pd.DataFrame:
        """Cover against requirement, one row per day × shift × squad."""
        rows = [{f: getattr(c, f) for f in CoverRow.__dataclass_fields__} for c in self.cover]
        df = pd.DataFrame(rows, columns=list(CoverRow.__dataclass_fields__))
        df["date"] = df["date"].map(lambda d: d.isoformat())
        return df

    def hours_frame(self) -> pd.DataFrame:
        """Per person: shifts, hours, night shifts and weekend shifts."""
        rows = []
        for p in self.staff:
            mine = [e for e in self.entries if e.staff_id == p.id]
            rows.append(
                {
                    "staff_id": p.id,
                    "name": p.name,
                    "role": p.role,
                    "squad": p.squad,
                    "shifts": len(mine),
                    "hours": round(sum((e.end - e.start).total_seconds() for e in mine) / 3600, 2),
                    "nights": sum(1 for e in mine if e.shift in self.night_shifts),
                    "weekend_shifts": sum(1 for e in mine if e.date.weekday() >= 5),
                    "contract_hours_per_week": p.weekly_hours,
                }
            )
        return pd.DataFrame(rows)

    def summary_dict(self) -> dict[str, Any]:
        """What ``summary.json`` holds."""
        return {
            "status": self.status,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "gap": None if math.isnan(self.gap) else self.gap,
            "solve_time_s": round(self.solve_time_s, 3),
            "start": self.start.isoformat(),
            "days": self.days,
            "strict_cover": self.strict_cover,
            "penalties": dict(self.penalty_by_rule),
            "relaxed_rules": list(self.penalties),
            "uncovered": [
                {
                    "date": u.date.isoformat(),
                    "shift": u.shift,
                    "squad": u.squad,
                    "units_missing": u.units_missing,
                    "auxiliaries_missing": u.auxiliaries_missing,
                    "units_needed": u.units_needed,
                    "certified_rostered": u.certified,
                }
                for u in self.uncovered
            ],
        }


def unit_labels(
    certified: Sequence[str],
    auxiliaries: Sequence[str],
    squad: str,
    shift: str,
    unit_certified: int,
) -> dict[str, str]:
    """The unit each person on one day × shift × squad belongs to, by staff id.

    Certified officers form units of ``unit_certified`` in the order given (a remainder joins
    the last unit); auxiliaries are dealt round the units. With too few certified officers
    for one unit, everyone is in ``SQUAD-SHIFT-aux``.

    Returns
    -------
    dict
        ``{staff_id: "SQUAD-SHIFT-N"}`` (or ``"SQUAD-SHIFT-aux"``).
    """
    n_units = len(certified) // unit_certified if unit_certified else 0
    if not n_units:
        return {pid: f"{squad}-{shift}-aux" for pid in (*certified, *auxiliaries)}
    out = {
        pid: f"{squad}-{shift}-{min(i // unit_certified, n_units - 1) + 1}"
        for i, pid in enumerate(certified)
    }
    out.update({pid: f"{squad}-{shift}-{i % n_units + 1}" for i, pid in enumerate(auxiliaries)})
    return out
