"""HTML pages printed to PDF by headless Chromium, when it is installed.

The route packets are HTML pages laid out for A4 (one unit per page, the Chinese font
embedded). Printing them with the browser's own ``--print-to-pdf`` gives a PDF identical to
what a scheduler would print from the page, from one layout; a second layout in matplotlib's
``PdfPages`` would have to re-draw every table by hand and drift from the HTML. Chromium is an
optional system program: without it no PDF is written (the HTML prints from any browser).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from patrolsim.outputs import atomic_path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Program names tried in turn; ``PATROLSIM_CHROMIUM`` names another."""
TIMEOUT_S = 120
_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}([^)]*)\)")


def _undate(pdf: bytes) -> bytes:
    """The PDF with its creation and modification dates set to 2000-01-01 00:00.

    Chromium dates a printed PDF by the clock; without the date (and without the tagged
    structure, whose ids follow the page's run-to-run DOM ids: ``--disable-pdf-tagging``),
    the same page always gives the same bytes. Each date keeps its length, so the
    cross-reference offsets stay valid.
    """
    return _DATES.sub(lambda m: b"/" + m.group(1) + b" (D:20000101000000" + m.group(2) + b")", pdf)


def find_browser() -> str | None:
    """The path of a headless-capable Chromium, or ``None``."""
    named = os.environ.get("PATROLSIM_CHROMIUM")
    if named:
        return shutil.which(named)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_command(browser: str, profile: str) -> list[str]:
    """Chromium's arguments for a quiet headless run with a throw-away profile."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]


def html_to_pdf(page: str | os.PathLike[str], pdf: str | os.PathLike[str]) -> bool:
    """Print ``page`` to ``pdf`` (atomically); ``False`` when no browser is installed.

    Raises
    ------
    subprocess.CalledProcessError
        If the browser fails on the page.
    """
    browser = find_browser()
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile, atomic_path(pdf) as tmp:
        subprocess.run(
            [
                *chromium_command(browser, profile),
                "--no-pdf-header-footer",
                "--disable-pdf-tagging",
                f"--print-to-pdf={tmp}",
                Path(page).resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
        )
        tmp.write_bytes(_undate(tmp.read_bytes()))
    return True


def screenshot(
    page: str | os.PathLike[str], png: str | os.PathLike[str], width: int = 1200, height: int = 1600
) -> bool:
    """A PNG of ``page`` as the browser renders it; ``False`` when no browser is installed."""
    browser = find_browser()
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile, atomic_path(png) as tmp:
        subprocess.run(
            [
                *chromium_command(browser, profile),
                f"--screenshot={tmp}",
                f"--window-size={width},{height}",
                Path(page).resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
        )
    return True
