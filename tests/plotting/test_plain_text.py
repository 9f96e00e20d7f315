"""Tests that user text is drawn as plain text, never parsed as mathtext (issue 40, item 11)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import matplotlib.pyplot as plt
import pandas as pd

from patrolsim.plotting.plot_plan import plot_roster_grid
from patrolsim.plotting.plot_routes import plot_routes
from patrolsim.routing.district import DistrictRoutes, DutyUnit, UnitRoute, VisitRow
from patrolsim.scenario import Scenario

MATH = r"$\frac{1}{$"


def _render(fig: plt.Figure) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    assert buffer.getvalue().startswith(b"\x89PNG")


def test_route_map_draws_mathtext_names_as_text(tiny: Scenario) -> None:
    """Tests that patch, squad and unit names with $...$ render on the route map."""
    patches = tuple(dataclasses.replace(p, name=MATH) for p in tiny.patches)
    squads = tuple(dataclasses.replace(s, name=MATH) for s in tiny.squads)
    sc = dataclasses.replace(tiny, patches=patches, squads=squads)
    rows = (
        VisitRow(0, 0, 420, 420, 420, "depart"),
        VisitRow(1, 1, 430, 430, 445, "patrol"),
        VisitRow(2, 0, 900, 900, 900, "return"),
    )
    plan = DistrictRoutes(
        dt.date(2026, 11, 24), "early", (UnitRoute(DutyUnit("S1", MATH, 420, 900), rows),), 0.0, ()
    )
    fig, ax = plt.subplots()
    plot_routes(sc, plan, ax=ax)
    texts = [t.get_text() for t in ax.texts]
    assert MATH in texts
    _render(fig)


def test_roster_grid_draws_mathtext_names_as_text() -> None:
    """Tests that a staff name with $...$ renders as a tick label of the roster grid."""
    roster = pd.DataFrame({"staff_id": ["a"], "date": ["2026-11-23"], "shift": ["early"]})
    staff = pd.DataFrame({"id": ["a"], "name": [MATH], "squad": ["S1"], "role": ["certified"]})
    fig, ax = plt.subplots()
    plot_roster_grid(roster, staff, ["early"], ax=ax)
    _render(fig)
