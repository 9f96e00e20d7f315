"""Tests of the weekend-first route for the shift-scheduling benchmark and of the pinned days
it relies on (pricing, column generation, neighbourhood search)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.curtois import weekends as curtois_weekends
from benchmarks.curtois.columns import _Pricer, column_generation
from benchmarks.curtois.lns import construct_curtois, improve_curtois
from benchmarks.curtois.model import build_curtois_model, solve_curtois
from benchmarks.curtois.weekends import (
    solve_weekends_first,
    weekend_days,
    weekends_first,
)
from patrolsim.formats.curtois import CurtoisInstance, evaluate_curtois, read_curtois
from patrolsim.roster.cpsat import RosterParams

PARAMS = RosterParams.wall_clock(30, seed=3, workers=1)

#: Published optimum of Instance3 (bounds.csv).
OPTIMUM_3 = 1001


def _read(shared_benchmarks: Path, n: int) -> CurtoisInstance:
    return read_curtois(shared_benchmarks / "shift-scheduling" / f"Instance{n}.txt")


def _agree(roster: dict, start: dict, inst: CurtoisInstance, days: frozenset[int]) -> bool:
    """Whether every employee works the same shift (or is off) in both rosters on ``days``."""
    return all(roster.get((e.id, d)) == start.get((e.id, d)) for e in inst.staff for d in days)


def test_route_is_taken_for_instance13_alone(shared_benchmarks: Path) -> None:
    """Tests the rule choosing the route on the benchmark: of Instances 1–21 only Instance13
    (120 employees, 482 weekend shifts asked of 500) qualifies."""
    chosen = [n for n in range(1, 22) if weekends_first(_read(shared_benchmarks, n))]
    assert chosen == [13]


def test_weekend_days_are_those_the_rule_counts(shared_benchmarks: Path) -> None:
    """Tests that the weekend days are the Saturdays and Sundays of the whole weeks."""
    inst = _read(shared_benchmarks, 3)  # 14 days from a Monday
    assert weekend_days(inst) == {5, 6, 12, 13}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_pinned_pricing_keeps_the_pins(shared_benchmarks: Path, data: st.DataObject) -> None:
    """Tests that against any cover duals every schedule a pricing with pinned days finds
    works the pinned shift (or is off) on each of them."""
    inst = _read(shared_benchmarks, 2)
    roster = construct_curtois(inst, PARAMS)
    employee = data.draw(st.sampled_from(inst.staff))
    days = data.draw(st.sets(st.integers(0, inst.horizon - 1), min_size=1))
    pins = {d: roster.get((employee.id, d)) for d in days}
    duals = {(c.day, c.shift): data.draw(st.floats(-1.0, 100.0)) for c in inst.cover}
    schedules, lower, _ = _Pricer(inst, employee, pins).price(
        duals, time.perf_counter() + 10.0, 0.0
    )
    assert schedules
    assert lower is not None
    for schedule in schedules:
        worked = dict(schedule)
        assert all(worked.get(d) == s for d, s in pins.items())


def test_pinned_column_generation_stays_on_the_pins(shared_benchmarks: Path) -> None:
    """Tests that with the weekend days pinned every column generated keeps the start's
    weekends, and that the relaxation (a restriction) is no lower than the free one."""
    inst = _read(shared_benchmarks, 3)
    start = construct_curtois(inst, PARAMS)
    days = weekend_days(inst)
    pinned = column_generation(inst, start, time.perf_counter() + 60.0, pinned_days=days)
    free = column_generation(inst, start, time.perf_counter() + 60.0)
    for _, e, schedule in pinned.reduced:
        worked = dict(schedule)
        assert all(worked.get(d) == start.get((e, d)) for d in days)
    assert pinned.value >= free.value - 1e-6
    assert _agree(pinned.roster, start, inst, days)


@pytest.mark.parametrize("seed", [0, 1])
def test_pinned_search_keeps_the_pins_and_never_worsens(shared_benchmarks: Path, seed: int) -> None:
    """Tests that the neighbourhood search with pinned days returns a feasible roster no
    worse than its start that keeps the start's shifts on those days."""
    inst = _read(shared_benchmarks, 3)
    params = RosterParams.wall_clock(60.0, seed=seed, workers=1)
    start = construct_curtois(inst, params)
    days = frozenset({0, 5, 6, 9})
    roster, objective = improve_curtois(
        inst, start, time.perf_counter() + 5.0, params, pinned_days=days
    )
    ev = evaluate_curtois(inst, roster)
    assert ev.violations == ()
    assert ev.objective == objective <= evaluate_curtois(inst, start).objective
    assert _agree(roster, start, inst, days)


def test_route_gives_a_feasible_roster_and_a_valid_bound(shared_benchmarks: Path) -> None:
    """Tests the route on Instance3: a feasible roster whose objective is the evaluator's,
    and a bound (the weekend stage's) no higher than the published optimum."""
    inst = _read(shared_benchmarks, 3)
    params = RosterParams.wall_clock(20.0, seed=0, workers=1)
    start = construct_curtois(inst, params)
    t0 = time.perf_counter()
    roster, objective, bound, lp = solve_weekends_first(
        build_curtois_model(inst), start, params, t0, t0 + 20.0, None
    )
    ev = evaluate_curtois(inst, roster)
    assert ev.violations == ()
    assert ev.objective == objective
    assert 0 < bound <= OPTIMUM_3 <= objective
    assert lp


def test_solve_takes_the_route_when_it_applies(
    shared_benchmarks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that a whole solve of an instance meeting the rule (here with the staff
    threshold lowered to Instance3's 20) goes through the route and returns a feasible
    roster within its bound, which is at most the optimum."""
    monkeypatch.setattr(curtois_weekends, "WEEKEND_FIRST_STAFF", 20)
    calls = []
    real = solve_weekends_first

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(curtois_weekends, "solve_weekends_first", spy)
    inst = _read(shared_benchmarks, 3)
    built = build_curtois_model(inst)
    res = solve_curtois(built, RosterParams.wall_clock(20.0, seed=0, workers=1), lns_share=1.0)
    assert calls == [True]
    assert res.violations == ()
    assert res.objective == evaluate_curtois(inst, res.assignment).objective
    assert res.best_bound <= OPTIMUM_3 <= res.objective
