"""Tests that the pages a bureau reads render in a real browser: report.html and a route sheet.

Headless Chromium (Debian's ``chromium``) takes the screenshots; without it the test skips.
``PATROLSIM_SCREENSHOT_PLAN=DIR`` screenshots an existing ``patrolsim plan`` output folder
instead of planning the tiny district, and ``PATROLSIM_SCREENSHOT_DIR=DIR`` keeps the
pictures (docs/screenshots/ holds the reference district's).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.image import imread

from patrolsim.cli import main
from patrolsim.formats.pdf import find_browser, screenshot

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.slow
@pytest.mark.skipif(find_browser() is None, reason="headless Chromium is not installed")
def test_report_and_route_sheet_render_in_a_browser(tmp_path: Path) -> None:
    """Tests that report.html and a route packet render to full pages with the embedded font."""
    plan = os.environ.get("PATROLSIM_SCREENSHOT_PLAN")
    if plan:
        src = Path(plan)
    else:
        src = tmp_path / "plan"
        assert (
            main(
                [
                    "plan",
                    str(SCENARIOS / "tiny"),
                    "--week",
                    "2026-11-30",
                    "--reps",
                    "2",
                    "--roster-time-limit",
                    "3",
                    "--route-branches",
                    "300",
                    "--out",
                    str(src),
                ]
            )
            == 0
        )
    dest = Path(os.environ.get("PATROLSIM_SCREENSHOT_DIR") or tmp_path)
    report = src / "report.html"
    packet = sorted((src / "packets").glob("packet_*.html"))[0]
    for page in (report, packet):
        assert "data:font/otf;base64," in page.read_text(encoding="utf-8")
    assert screenshot(report, dest / "report.png", 1200, 2400)
    assert screenshot(packet, dest / "route_sheet.png", 1100, 1400)
    for name in ("report.png", "route_sheet.png"):
        picture = imread(dest / name)
        assert picture.shape[0] >= 1400
        assert picture[:, :, :3].std() > 0.05  # a page with content, not a blank one
