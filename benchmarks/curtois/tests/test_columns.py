"""Tests of column generation and its rounding for the shift-scheduling benchmark."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from benchmarks.curtois import model as curtois_model
from benchmarks.curtois.columns import (
    PRICE_SCALE,
    SUPPORT_DELTAS,
    ColumnRelaxation,
    _Pricer,
    column_generation,
    integral_cells,
    solve_rounding,
    solve_support,
    support_cells,
)
from benchmarks.curtois.lns import construct_curtois, lp_relaxation
from benchmarks.curtois.model import build_curtois_model, solve_curtois
from patrolsim.formats.curtois import CurtoisInstance, evaluate_curtois, read_curtois
from patrolsim.roster.cpsat import RosterParams

PARAMS = RosterParams.wall_clock(30, seed=3, workers=1)

#: Published optima of Instances 1–3 (bounds.csv).
OPTIMUM = {1: 607, 2: 828, 3: 1001}


def _read(shared_benchmarks: Path, n: int) -> CurtoisInstance:
    return read_curtois(shared_benchmarks / "shift-scheduling" / f"Instance{n}.txt")


def _own_violations(inst: CurtoisInstance, staff_id: str, roster: dict) -> list[str]:
    """The evaluator's hard-rule violations of one employee's schedule."""
    return [v for v in evaluate_curtois(inst, roster).violations if v.startswith(f"{staff_id}:")]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_column_bound_is_valid_and_at_least_the_compact_one(
    shared_benchmarks: Path, n: int
) -> None:
    """Tests that column generation runs to the end on Instances 1–3 with a bound no higher than
    the published optimum and no lower than the compact relaxation's, and that its
    assignment values are those of a relaxed roster: each cell's shifts sum to at most 1."""
    inst = _read(shared_benchmarks, n)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 60.0)
    compact = lp_relaxation(build_curtois_model(inst))
    assert compact is not None
    # Converged, or stopped where no better integer bound was to be had.
    assert relaxation.converged or relaxation.bound == math.ceil(relaxation.value - 1e-6)
    assert compact.bound <= relaxation.bound <= OPTIMUM[n]
    assert relaxation.bound <= relaxation.value + 1e-6
    per_cell: dict[tuple[str, int], float] = {}
    for (e, d, _), v in relaxation.x.items():
        per_cell[e, d] = per_cell.get((e, d), 0.0) + v
    assert all(v <= 1 + 1e-6 for v in per_cell.values())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_pricing_returns_a_cheapest_schedule_within_the_rules(
    shared_benchmarks: Path, data: st.DataObject
) -> None:
    """Tests that every priced schedule meets the employee's hard rules; that against any
    cover duals the best costs no more than the employee's schedule in a feasible roster
    and no more than ``gap`` above the lower bound the pricing reports, which is valid."""
    inst = _read(shared_benchmarks, 2)
    employee = data.draw(st.sampled_from(inst.staff))
    e = employee.id
    duals = {(c.day, c.shift): data.draw(st.floats(-1.0, 100.0)) for c in inst.cover}
    gap = data.draw(st.sampled_from([0.0, 0.5, 20.0]))
    roster = construct_curtois(inst, PARAMS)
    pricer = _Pricer(inst, employee)
    schedules, lower, optimal = pricer.price(duals, time.perf_counter() + 10.0, gap)
    assert schedules
    assert lower is not None
    assert optimal == (gap == 0.0)
    for schedule in schedules:
        assert _own_violations(inst, e, {(e, d): s for d, s in schedule}) == []
    own = tuple(sorted((d, s) for (f, d), s in roster.items() if f == e))

    def reduced(cells: tuple[tuple[int, str], ...]) -> float:
        return pricer.cost(cells) - sum(duals[c] for c in cells)

    slack = inst.horizon / PRICE_SCALE  # the rounding of the pricing costs
    best = reduced(schedules[-1])
    assert lower <= best + slack
    assert lower <= reduced(own) + slack
    assert best <= lower + gap + slack
    if gap == 0.0:
        assert best <= reduced(own) + slack


def test_rounding_of_an_integral_relaxation_returns_its_roster(shared_benchmarks: Path) -> None:
    """Tests that when the relaxation is a roster (every cell integral) the rounding fixes
    every cell and returns that roster."""
    inst = _read(shared_benchmarks, 2)
    roster = construct_curtois(inst, PARAMS)
    x = {(e, d, s): 1.0 for (e, d), s in roster.items()}
    relaxation = ColumnRelaxation(x, roster, 0.0, 0, False, 0, len(inst.staff))
    assert len(integral_cells(inst, x)) == len(inst.staff) * inst.horizon
    assert solve_rounding(build_curtois_model(inst), relaxation, PARAMS, 10.0) == roster


def test_rounding_of_the_relaxation_is_feasible(shared_benchmarks: Path) -> None:
    """Tests that the rounding search of Instance3's column relaxation returns a feasible
    roster no better than the optimum and no worse than the relaxation's roster of
    heaviest columns, which agrees with the relaxation on its integral cells, as does the
    result; and that, held to the support as well, it works only shifts of the support or
    of that roster."""
    inst = _read(shared_benchmarks, 3)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 60.0)
    cells = integral_cells(inst, relaxation.x)
    assert 0 < len(cells) < len(inst.staff) * inst.horizon
    heaviest = evaluate_curtois(inst, relaxation.roster)
    assert heaviest.violations == ()
    allowed = support_cells(relaxation, 0.0) | {
        (e, d, s) for (e, d), s in relaxation.roster.items()
    }
    for delta in (None, 0.0):
        rounded = solve_rounding(
            build_curtois_model(inst), relaxation, PARAMS, 20.0, support_delta=delta
        )
        ev = evaluate_curtois(inst, rounded)
        assert ev.violations == ()
        assert OPTIMUM[3] <= ev.objective <= heaviest.objective
        for roster in (relaxation.roster, rounded):
            assert all(
                roster.get((e, d))
                == next(
                    (s for (f, g, s), v in relaxation.x.items() if (f, g) == (e, d) and v > 0.5),
                    None,
                )
                for e, d in cells
            )
        if delta is not None:
            assert {(e, d, s) for (e, d), s in rounded.items()} <= allowed


def test_master_falls_back_to_clp_when_glop_fails(
    shared_benchmarks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that column generation reaches the same relaxation and bound on Instance1 when
    every GLOP solve of its master fails (so each round is solved by CLP)."""
    inst = _read(shared_benchmarks, 1)
    start = construct_curtois(inst, PARAMS)
    expected = column_generation(inst, start, time.perf_counter() + 60.0)
    solve = pywraplp.Solver.Solve
    failed: list[str] = []

    def glop_fails(solver: pywraplp.Solver, *args: object) -> int:
        if "glop" in solver.SolverVersion().lower():
            failed.append(solver.SolverVersion())
            return pywraplp.Solver.ABNORMAL
        return solve(solver, *args)

    monkeypatch.setattr(pywraplp.Solver, "Solve", glop_fails)
    relaxation = column_generation(inst, start, time.perf_counter() + 60.0)
    assert len(failed) == 2  # the warm solve and the cold one, once: then CLP is kept
    assert relaxation.bound == expected.bound
    assert relaxation.value == pytest.approx(expected.value, abs=1e-6)


def test_solve_takes_the_column_path_on_larger_models(
    shared_benchmarks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that a model above the small size (here lowered to 0) goes through column
    generation and the rounding search: the roster is feasible, its objective the
    evaluator's, and the bound is the column bound, at most the optimum."""
    monkeypatch.setattr(curtois_model, "SMALL_MODEL", 0)
    called = []
    real = column_generation

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        called.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr("benchmarks.curtois.columns.column_generation", spy)
    inst = _read(shared_benchmarks, 2)
    built = build_curtois_model(inst)
    res = solve_curtois(built, RosterParams.wall_clock(10.0, seed=0, workers=1))
    assert called
    assert res.violations == ()
    assert res.objective == evaluate_curtois(inst, res.assignment).objective
    assert res.best_bound <= OPTIMUM[2] <= res.objective


@pytest.mark.parametrize("solved", [True, False])
def test_a_solved_relaxation_is_rounded_however_few_cells_are_integral(
    shared_benchmarks: Path, monkeypatch: pytest.MonkeyPatch, solved: bool
) -> None:
    """Tests the rule that chooses whether the column relaxation is rounded: with no share
    of integral cells enough, it is rounded when its bound meets its value and not when it
    stopped short (here: its bound taken away)."""
    monkeypatch.setattr(curtois_model, "SMALL_MODEL", 0)
    monkeypatch.setattr(curtois_model, "MIN_INTEGRAL_SHARE", 1.01)
    monkeypatch.setattr(curtois_model, "SUPPORT_MODEL", -1)  # no support search
    real_generation, real_rounding = column_generation, solve_rounding
    rounded = []

    def generation(*args, **kwargs):  # type: ignore[no-untyped-def]
        relaxation = real_generation(*args, **kwargs)
        return relaxation if solved else dataclasses.replace(relaxation, bound=0)

    def rounding(*args, **kwargs):  # type: ignore[no-untyped-def]
        rounded.append(True)
        return real_rounding(*args, **kwargs)

    monkeypatch.setattr("benchmarks.curtois.columns.column_generation", generation)
    monkeypatch.setattr("benchmarks.curtois.columns.solve_rounding", rounding)
    inst = _read(shared_benchmarks, 2)
    res = solve_curtois(build_curtois_model(inst), RosterParams.wall_clock(10.0, seed=0, workers=1))
    assert res.violations == ()
    assert bool(rounded) == solved


def test_support_grows_with_the_threshold_and_holds_the_relaxation(
    shared_benchmarks: Path,
) -> None:
    """Tests that the support at reduced cost 0 holds every cell of positive value in the
    relaxation (and so its roster of heaviest columns), that it grows with the threshold,
    and that with no threshold it holds the cells of every column generated."""
    inst = _read(shared_benchmarks, 3)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 60.0)
    assert len(relaxation.reduced) == relaxation.columns
    costs = [r for r, _, _ in relaxation.reduced]
    assert costs == sorted(costs)
    first = support_cells(relaxation, 0.0)
    assert {k for k, v in relaxation.x.items() if v > 1e-6} <= first
    assert {(e, d, s) for (e, d), s in relaxation.roster.items()} <= first
    every = {(e, d, s) for _, e, schedule in relaxation.reduced for d, s in schedule}
    sizes = [len(support_cells(relaxation, delta)) for delta in (0.0, 1.0, 5.0, math.inf)]
    assert sizes == sorted(sizes)
    assert support_cells(relaxation, math.inf) == every


def test_support_search_stays_in_the_support_and_never_worsens(
    shared_benchmarks: Path,
) -> None:
    """Tests that the support search of Instance3 returns a feasible roster no worse than
    its start and no better than the optimum, working only cells of its support (at the
    largest threshold) or of the start, and that it reaches the optimum from the
    relaxation's roster of heaviest columns."""
    inst = _read(shared_benchmarks, 3)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 60.0)
    begin = dict(relaxation.roster)
    found, delta = solve_support(
        build_curtois_model(inst), relaxation, begin, PARAMS, time.perf_counter() + 60.0, 20.0
    )
    ev = evaluate_curtois(inst, found)
    assert ev.violations == ()
    assert OPTIMUM[3] == ev.objective <= evaluate_curtois(inst, begin).objective
    assert delta in SUPPORT_DELTAS  # some step proved optimal
    allowed = support_cells(relaxation, max(SUPPORT_DELTAS)) | {
        (e, d, s) for (e, d), s in begin.items()
    }
    assert {(e, d, s) for (e, d), s in found.items()} <= allowed
