"""One iCalendar (.ics, RFC 5545) file per person with their shifts, so phones can show them.

Written by hand (a handful of fields) rather than with a library: events carry UTC times,
a stable UID per person and shift, and the unit in the description. Every text value is
escaped as RFC 5545 §3.3.11 says (backslash, ``;``, ``,``, line breaks as ``\\n``) and other
control characters are dropped, so no value can start a line of its own. File names are the
staff id encoded by :func:`~patrolsim.outputs.safe_name`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

from patrolsim.outputs import safe_name, write_text
from patrolsim.roster import Roster, RosterEntry


def _utc(t: dt.datetime) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
        return t.strftime("%Y%m%dT%H%M%SZ")
    return t.strftime("%Y%m%dT%H%M%S")


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping; CR LF, CR and LF all become ``\\n``, other controls go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c == "\n" or c == "\t" or c.isprintable())
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_text(entries: list[RosterEntry], name: str, stamp: dt.datetime | None = None) -> str:
    """The calendar of one person's shifts as RFC 5545 text (CRLF line ends)."""
    stamp = stamp or dt.datetime.now(dt.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//patrolsim//roster//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)} 排班",
    ]
    for e in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(e.staff_id)}-{e.date.isoformat()}-{_escape(e.shift)}@patrolsim",
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
    """Write ``FOLDER/<staff_id>.ics`` for everyone with at least one shift; return the paths.

    The id is encoded with :func:`~patrolsim.outputs.safe_name`, so every file lands in
    ``folder`` whatever the id holds.
    """
    by_person: dict[str, list[RosterEntry]] = defaultdict(list)
    for e in roster.entries:
        by_person[e.staff_id].append(e)
    out = []
    for sid, entries in sorted(by_person.items()):
        path = Path(folder) / f"{safe_name(sid)}.ics"
        out.append(write_text(path, ics_text(entries, entries[0].name)))
    return out
