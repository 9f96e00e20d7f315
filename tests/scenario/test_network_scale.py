"""Tests that travel is never built for every pair of patches of a large district (issue 40,
item 4): squads route over their own patches, the simulator reads rows on demand, and a
city's neighbour lists come from a grid."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import numpy as np

from benchmarks.synthetic import synthetic_district
from patrolsim.demand.values import default_rates
from patrolsim.routing.district import build_squad_problem, default_units
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import FULL_MATRIX_MAX_PATCHES, TravelRows
from patrolsim.sim.violations import neighbour_lists

N = 3000


def test_squad_problems_hold_only_their_squads_travel(nanhu: Scenario) -> None:
    """Tests that a squad's travel matrix covers its base and its stops' patches, no more."""
    sc = synthetic_district(nanhu, N, seed=1)
    st = sc.shifts[0]
    squad = sc.squads[0]
    units = [u for u in default_units(sc, st) if u.squad == squad.id] or [default_units(sc, st)[0]]
    sp = build_squad_problem(sc, squad.id, units[:1], default_rates(sc, dt.date(2026, 11, 24)), st)
    patches = sorted({squad.base_index, *sp.stop_patch})
    assert sp.problem.travel.shape == (len(patches), len(patches))
    assert len(patches) < 40
    expected = sc.network.travel_s_between(sc.patrol.mode, patches, patches)
    np.testing.assert_array_equal(sp.problem.travel, expected)


def test_large_district_network_and_neighbours_stay_small(nanhu: Scenario) -> None:
    """Tests that loading-size work on 3,000 patches never allocates an n² array."""
    sc = synthetic_district(nanhu, N, seed=1)
    assert len(sc.patches) > FULL_MATRIX_MAX_PATCHES
    table = sc.network.travel_table(sc.patrol.mode)
    assert isinstance(table, TravelRows)
    a, b = 5, 2000
    assert table[a, b] == sc.network.travel_min_between(sc.patrol.mode, [a], [b])[0, 0]
    tracemalloc.start()
    lists = neighbour_lists(sc, 300.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(sc.patches)
    assert peak < n * n  # an n² bool array alone is n² bytes; float64 eight times that
    # the grid finds exactly what a row-by-row scan finds
    street = np.array([p.kind != "base" for p in sc.patches])
    for i in range(0, n, 97):
        row = (sc.network.distance_between([i])[0] <= 300.0) & street
        row[i] = False
        assert lists[i] == np.flatnonzero(row).tolist()


def test_small_district_travel_is_unchanged(nanhu: Scenario) -> None:
    """Tests that whole-matrix, block and row answers agree on the reference district."""
    mode = nanhu.patrol.mode
    full = nanhu.network.travel_s(mode)
    rows = [0, 3, 7]
    np.testing.assert_array_equal(
        nanhu.network.travel_s_between(mode, rows, rows), full[np.ix_(rows, rows)]
    )
    table = nanhu.network.travel_table(mode)
    assert isinstance(table, np.ndarray)
    assert table[3, 7] == full[3, 7] / 60.0
