"""One iCalendar (.ics, RFC 5545) file per person with their shifts, so phones can show them.

Written by hand (a handful of fields) rather than with a library: events carry UTC times,
a stable UID per person and shift, and the unit in the description.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

from patrolsim.outputs import write_text
from patrolsim.roster import Roster, RosterEntry


def _utc(t: dt.datetime) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
        return t.strftime("%Y%m%dT%H%M%SZ")
    return t.strftime("%Y%m%dT%H%M%S")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def ics_text(entries: list[RosterEntry], name: str, stamp: dt.datetime | None = None) -> str:
    """The calendar of one person's shifts as RFC 5545 text (CRLF line ends)."""
    stamp = stamp or dt.datetime.now(dt.UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//patrolsim//roster//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_escape(name)} 排班"]
    for e in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.staff_id}-{e.date.isoformat()}-{e.shift}@patrolsim",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(e.start)}",
            f"DTEND:{_utc(e.end)}",
            f"SUMMARY:{_escape(e.shift)} ({_escape(e.unit)})",
            f"DESCRIPTION:{_escape(f'{e.name} {e.role} squad {e.squad} unit {e.unit}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def write_roster_ics(roster: Roster, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``FOLDER/<staff_id>.ics`` for everyone with at least one shift; return the paths."""
    by_person: dict[str, list[RosterEntry]] = defaultdict(list)
    for e in roster.entries:
        by_person[e.staff_id].append(e)
    out = []
    for sid, entries in sorted(by_person.items()):
        out.append(write_text(Path(folder) / f"{sid}.ics", ics_text(entries, entries[0].name)))
    return out
