"""Writes one benchmark's figures into its own section of ``benchmarks/RESULTS.md``.

Each script owns a section between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` and
replaces only that section, so scripts run at different times never overwrite each other's
figures. The file is written to a temporary file and renamed, so an interrupted run leaves the
previous figures intact.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Written by the scripts in `benchmarks/`; each section names the command that produced it.\n"
    "Do not edit by hand: re-run the script.\n"
)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=RESULTS.parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def write_section(name: str, title: str, command: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section ``name`` of ``path`` with ``body``.

    Parameters
    ----------
    name
        Section key, e.g. ``"curtois"``; letters, digits, ``-`` and ``_``.
    title
        The section's heading.
    command
        The command line that produced the figures, shown under the heading.
    body
        Markdown: tables and notes.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"Expected a section name of letters, digits, - and _, got {name!r}.")
    stamp = dt.date.today().isoformat()
    section = (
        f"<!-- BEGIN {name} -->\n## {title}\n\n"
        f"`{command}` — {stamp}, commit {_commit()}, {platform.machine()}, "
        f"{os.cpu_count()} cores.\n\n{body.strip()}\n<!-- END {name} -->\n"
    )
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(rf"<!-- BEGIN {name} -->.*?<!-- END {name} -->\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".RESULTS.", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
