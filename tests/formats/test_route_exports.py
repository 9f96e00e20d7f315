"""Tests of the route sheets and packets a squad prints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from patrolsim.formats.pdf import find_browser, screenshot
from patrolsim.formats.route_exports import (
    packet_html,
    time_window,
    unit_name,
    unit_title,
    write_district_outputs,
)
from patrolsim.routing.district import DistrictRoutes, DutyUnit, UnitRoute, VisitRow
from patrolsim.scenario import Scenario


def _routes(tiny: Scenario) -> list[DistrictRoutes]:
    """Two shifts of one day, the second unit labelled with a doubled squad prefix."""
    b, m, r = (tiny.patch_index(i) for i in ("B1", "M1", "R1"))
    rows = (
        VisitRow(0, b, 420, 420, 420, "depart"),
        VisitRow(1, m, 427, 431, 443, "post"),
        VisitRow(2, r, 450, 450, 462, "patrol"),
        VisitRow(3, b, 470, 470, 470, "return"),
    )
    early = UnitRoute(DutyUnit("S1", "early-1", 420, 900, ("T01", "T02", "T06")), rows)
    late = UnitRoute(DutyUnit("S1", "S1-late-1", 900, 1380, ("T03", "T04")), rows)
    day = dt.date(2026, 11, 30)
    return [
        DistrictRoutes(day, "early", (early,), 1.0, ()),
        DistrictRoutes(day, "late", (late,), 1.0, ()),
    ]


def test_sheets_name_people_and_units_plainly(tiny: Scenario) -> None:
    """Tests that sheets show names, not staff ids, and no doubled squad prefix."""
    page = packet_html(tiny, _routes(tiny), "S1", font_css="")
    assert "张伟、王芳、杨磊" in page
    assert "T01" not in page
    assert "S1-S1" not in page
    assert unit_name(DutyUnit("S1", "S1-late-1", 0, 1)) == "S1-late-1"
    assert page.count('<section class="unit">') == 2
    assert "early 1 组" in page  # tiny's shifts have no Chinese label
    assert unit_title(tiny, DutyUnit("S1", "late-p2", 0, 1), "en") == "late persuasion unit 2"


@pytest.mark.parametrize(
    ("start", "slack", "window"),
    [
        (431, 0, "07:10–07:20"),
        (431, 12, "07:10–07:25"),
        (1500, 15, "25:00–25:15"),
    ],
)
def test_stop_times_are_windows(start: float, slack: float, window: str) -> None:
    """Tests that a stop's time is a five-minute window widened by its slack."""
    assert time_window(start, slack) == window


def test_packets_per_squad_and_day_with_the_font_embedded(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that the outputs hold one packet per squad and day, self-contained."""
    written = write_district_outputs(tmp_path, tiny, _routes(tiny), pdf=False)
    packet = tmp_path / "packets" / "packet_2026-11-30_S1.html"
    assert packet in written
    text = packet.read_text(encoding="utf-8")
    assert "data:font/otf;base64," in text
    for words in ("巡查路线单", "到达时段", "机动余量"):
        assert words in text
    assert len(list((tmp_path / "sheets").glob("*.html"))) == 2


@pytest.mark.skipif(find_browser() is None, reason="headless Chromium is not installed")
def test_packet_prints_to_pdf_and_renders_chinese(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that the packet prints to PDF and that the browser renders its page."""
    write_district_outputs(tmp_path, tiny, _routes(tiny), pdf=True)
    pdf = tmp_path / "packets" / "packet_2026-11-30_S1.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    png = tmp_path / "sheet.png"
    assert screenshot(tmp_path / "packets" / "packet_2026-11-30_S1.html", png, 1000, 700)
    assert png.stat().st_size > 10_000
