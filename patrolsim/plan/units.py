"""From a roster to the patrol units that the route planner sends out: the one place it is done.

Units are the roster's ``unit`` groups of each day × shift × squad. A group with at least
``unit_certified`` certified officers is a sanctioning unit and keeps ``unit_auxiliaries``
auxiliaries, as in the simulator's default unit formation; further auxiliaries, and groups
without enough certified officers, patrol in pairs as persuasion units of their own, so that
they add presence where they are. A unit works from its members' earliest start to their
latest end (the shift's times for a roster patrolsim made).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from patrolsim.roster.result import RosterEntry
from patrolsim.routing.district import DutyUnit
from patrolsim.scenario.model import Scenario

__all__ = ["route_units"]


def _minutes(moment: dt.datetime, date: dt.date) -> int:
    delta = moment.replace(tzinfo=None) - dt.datetime.combine(date, dt.time(0))
    return int(delta.total_seconds() // 60)


def route_units(
    entries: Iterable[RosterEntry], scenario: Scenario
) -> dict[tuple[dt.date, str], list[DutyUnit]]:
    """Patrol units of each day and shift.

    Parameters
    ----------
    entries
        Roster entries (``Roster.entries``, or :func:`~patrolsim.roster.read.read_roster`).
    scenario
        Staff (who is certified) and the unit rules (``roster.unit_certified``,
        ``roster.unit_auxiliaries``).

    Returns
    -------
    dict
        ``{(date, shift): [DutyUnit, ...]}``; a unit's ``unit`` is its roster label without
        the squad prefix, its ``members`` are staff ids.
    """
    certified = {m.id for m in scenario.staff if m.certified}
    keep = scenario.roster.unit_auxiliaries
    groups: dict[tuple[dt.date, str, str], dict[str, list[RosterEntry]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for e in entries:
        groups[e.date, e.shift, e.squad][e.unit].append(e)
    out: dict[tuple[dt.date, str], list[DutyUnit]] = defaultdict(list)
    for (date, shift, squad), units in sorted(groups.items()):
        spare: list[RosterEntry] = []
        for label, members in sorted(units.items()):
            members = sorted(members, key=lambda e: e.staff_id)
            certs = [e for e in members if e.staff_id in certified]
            auxs = [e for e in members if e.staff_id not in certified]
            if len(certs) < scenario.roster.unit_certified:
                spare.extend(members)
                continue
            spare.extend(auxs[keep:])
            team = certs + auxs[:keep]
            out[date, shift].append(
                DutyUnit(
                    squad,
                    label.removeprefix(f"{squad}-"),
                    min(_minutes(e.start, date) for e in team),
                    max(_minutes(e.end, date) for e in team),
                    tuple(e.staff_id for e in team),
                )
            )
        for n in range(0, len(spare), 2):
            pair = spare[n : n + 2]
            ids = tuple(e.staff_id for e in pair)
            start = min(_minutes(e.start, date) for e in pair)
            end = max(_minutes(e.end, date) for e in pair)
            last = out[date, shift][-1] if out[date, shift] else None
            if len(pair) == 1 and last is not None and last.squad == squad:
                out[date, shift][-1] = dataclasses.replace(
                    last,
                    members=last.members + ids,
                    start_min=min(last.start_min, start),
                    end_min=max(last.end_min, end),
                )
                continue
            out[date, shift].append(DutyUnit(squad, f"{shift}-p{n // 2 + 1}", start, end, ids))
    return dict(out)
