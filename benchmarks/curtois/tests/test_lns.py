"""Tests of the construction and neighbourhood search for the shift-scheduling benchmark."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.curtois.lns import (
    SWEEP_GAIN,
    _centred,
    _cover_gaps,
    _Search,
    _window,
    construct_curtois,
    improve_curtois,
    lp_relaxation,
)
from benchmarks.curtois.model import build_curtois_model
from patrolsim.errors import InfeasibleError
from patrolsim.formats.curtois import (
    CoverRequirement,
    CurtoisInstance,
    CurtoisShift,
    CurtoisStaff,
    ShiftRequest,
    evaluate_curtois,
    read_curtois,
)
from patrolsim.roster.cpsat import RosterParams, make_solver

PARAMS = RosterParams.wall_clock(60.0, seed=3, workers=1)


def _instance() -> CurtoisInstance:
    """Two weeks, four employees with varied rules, two shift types (N cannot precede D)."""
    staff = (
        CurtoisStaff("A", {"D": 14, "N": 3}, 10 * 480, 5 * 480, 5, 2, 2, 1, days_off=(3,)),
        CurtoisStaff("B", {"D": 14, "N": 0}, 8 * 480, 4 * 480, 4, 1, 1, 2, days_off=(9, 10)),
        CurtoisStaff("C", {"D": 5, "N": 5}, 9 * 480, 6 * 480, 4, 2, 2, 1),
        CurtoisStaff("D", {"D": 14, "N": 14}, 12 * 480, 3 * 480, 6, 3, 2, 2, days_off=(0,)),
    )
    cover = tuple(
        CoverRequirement(d, s, (2 if s == "D" else 1) if d % 7 < 5 else 1, 100, 1)
        for d in range(14)
        for s in ("D", "N")
    )
    on = (ShiftRequest("A", 1, "N", 2), ShiftRequest("C", 8, "D", 3))
    off = (ShiftRequest("D", 5, "D", 1), ShiftRequest("B", 2, "D", 2))
    return CurtoisInstance(
        "Mixed",
        14,
        (CurtoisShift("D", 480, ()), CurtoisShift("N", 480, ("D",))),
        staff,
        on,
        off,
        cover,
    )


def _minute_bound() -> CurtoisInstance:
    """:func:`_instance` with D allowed 11 shifts' minutes: the cover needs every minute the
    staff may work."""
    inst = _instance()
    staff = list(inst.staff)
    staff[3] = dataclasses.replace(staff[3], max_total_min=11 * 480)
    return dataclasses.replace(inst, staff=tuple(staff))


def _optimum(inst: CurtoisInstance) -> int:
    solver = make_solver(RosterParams.wall_clock(60, seed=0, workers=1))
    solver.solve(build_curtois_model(inst).model)
    return round(solver.objective_value)


@pytest.mark.parametrize("workers", [1, 2])
def test_construction_is_feasible(workers: int) -> None:
    """Tests that the employee-by-employee construction, in one thread or side by side,
    rosters everyone and meets every hard rule."""
    inst = _instance()
    roster = construct_curtois(
        inst, RosterParams.wall_clock(60.0, seed=3, workers=workers), group_size=1
    )
    assert evaluate_curtois(inst, roster).violations == ()
    assert {e for e, _ in roster} == {e.id for e in inst.staff}


@pytest.mark.parametrize("workers", [1, 2])
def test_construction_names_an_employee_whose_rules_conflict(workers: int) -> None:
    """Tests that an employee whose own rules cannot hold (must work more minutes than any
    roster of theirs can) stops the construction with an error naming them."""
    inst = _instance()
    staff = list(inst.staff)
    staff[1] = dataclasses.replace(staff[1], min_total_min=13 * 480, max_total_min=13 * 480)
    inst = dataclasses.replace(inst, staff=tuple(staff))
    with pytest.raises(InfeasibleError, match="the hard rules of B cannot all hold"):
        construct_curtois(
            inst, RosterParams.wall_clock(60.0, seed=3, workers=workers), group_size=1
        )


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("make", [_instance, _minute_bound])
def test_search_keeps_feasibility_and_never_worsens(make, seed: int) -> None:
    """Tests that the neighbourhood search returns a feasible roster at least as good as its
    start, whose objective is the evaluator's, and reaches the optimum of a small case (and
    of one bound by the staff's minutes, where it also frees employees with unused ones)."""
    inst = make()
    start = construct_curtois(
        inst, RosterParams.wall_clock(60.0, seed=seed, workers=1), group_size=1
    )
    first = evaluate_curtois(inst, start).objective
    optimum = _optimum(inst)
    roster, objective = improve_curtois(
        inst,
        start,
        time.perf_counter() + 20.0,
        RosterParams.wall_clock(60.0, seed=seed, workers=1),
        bound=optimum,
    )
    ev = evaluate_curtois(inst, roster)
    assert ev.violations == ()
    assert ev.objective == objective
    assert optimum <= objective <= first
    assert objective == optimum


def test_restricted_model_counts_fixed_cells() -> None:
    """Tests that re-solving one employee against a fixed roster gives the same objective as
    the evaluator (up to the model's constant), i.e. fixed cells enter the cover."""
    inst = _instance()
    roster = construct_curtois(inst, PARAMS, group_size=1)
    free = {"B": frozenset(range(inst.horizon))}
    built = build_curtois_model(inst, fixed=roster, free=free)
    solver = make_solver(RosterParams.wall_clock(30, seed=0, workers=1))
    solver.solve(built.model)
    part = {(e, d): s for (e, d, s), v in built.x.items() if solver.boolean_value(v)}
    new = {k: s for k, s in roster.items() if k[0] != "B"} | part
    before, after = evaluate_curtois(inst, roster), evaluate_curtois(inst, new)
    assert after.violations == ()
    assert after.objective <= before.objective


def test_search_rejects_an_infeasible_start() -> None:
    """Tests that a start breaking a hard rule is refused."""
    inst = _instance()
    with pytest.raises(ValueError, match="feasible"):
        improve_curtois(inst, {("A", 3): "D"}, time.perf_counter() + 1.0, PARAMS)


def test_construction_on_a_benchmark_instance(shared_benchmarks: Path) -> None:
    """Tests that the construction gives a feasible roster for Instance5."""
    inst = read_curtois(shared_benchmarks / "shift-scheduling" / "Instance5.txt")
    roster = construct_curtois(inst, PARAMS)
    assert evaluate_curtois(inst, roster).violations == ()


def test_linear_relaxation_guides_the_search() -> None:
    """Tests that the relaxation read from the CP-SAT model gives a value in [0, 1] for every
    assignment variable, and that the search using it stays feasible and reaches the
    optimum of a small case."""
    inst = _instance()
    built = build_curtois_model(inst)
    lp = lp_relaxation(built)
    assert lp is not None
    assert set(lp.x) == set(built.x)
    assert all(-1e-9 <= v <= 1 + 1e-9 for v in lp.x.values())
    optimum = _optimum(inst)
    assert 0 < lp.bound <= optimum
    start = construct_curtois(inst, PARAMS, group_size=1)
    roster, objective = improve_curtois(
        inst, start, time.perf_counter() + 20.0, PARAMS, bound=optimum, lp=lp.x
    )
    assert evaluate_curtois(inst, roster).violations == ()
    assert objective == optimum


def test_cover_gaps_match_the_evaluator() -> None:
    """Tests that the rows found under- and over-covered carry the evaluator's cover
    penalties: each costs at least its weight, and there are none exactly when the penalty
    is zero."""
    inst = _instance()
    roster = construct_curtois(inst, PARAMS, group_size=1)
    ev = evaluate_curtois(inst, roster)
    under, over = _cover_gaps(inst, roster)
    rows = {(c.day, c.shift): c for c in inst.cover}
    assert not set(under) & set(over)
    assert (ev.under_cover_penalty == 0) == (not under)
    assert (ev.over_cover_penalty == 0) == (not over)
    assert ev.under_cover_penalty >= sum(rows[r].weight_under for r in under)
    assert ev.over_cover_penalty >= sum(rows[r].weight_over for r in over)


@given(st.integers(1, 400), st.data())
def test_window_holds_its_day_within_the_horizon(horizon: int, data: st.DataObject) -> None:
    """Tests that a window has its width, lies within the horizon and includes its day."""
    day = data.draw(st.integers(0, horizon - 1))
    width = data.draw(st.integers(1, horizon))
    days = _window(day, width, horizon, np.random.default_rng(data.draw(st.integers(0, 99))))
    assert day in days
    assert len(days) == width
    assert days == frozenset(range(min(days), max(days) + 1))
    assert min(days) >= 0
    assert max(days) < horizon


@pytest.mark.parametrize("seed", range(5))
def test_spare_neighbourhood_frees_who_can_fill_a_missed_row(seed: int) -> None:
    """Tests that the "spare" neighbourhood is offered only on a minute-bound instance, and
    frees employees with unused minutes who may work a missed row, and employees working
    that day, over the whole horizon."""
    inst = _minute_bound()
    roster = construct_curtois(
        inst, RosterParams.wall_clock(60.0, seed=seed, workers=1), group_size=1
    )
    under, _ = _cover_gaps(inst, roster)
    search = _Search(
        inst, roster, evaluate_curtois(inst, roster).objective, 0.0, 0.0, 1.0, None, None
    )
    assert search.minute_bound
    assert not _Search(_instance(), roster, 0, 0.0, 0.0, 1.0, None, None).minute_bound
    spare = search._spare_minutes(roster)
    assert all(m >= 0 for m in spare.values())
    if not under or not any(spare.values()):
        return
    free = search._spare(np.random.default_rng(seed), 4, roster, under, spare)
    staff = {e.id: e for e in inst.staff}
    assert all(d == frozenset(range(inst.horizon)) for d in free.values())
    assert any(
        spare[e] > 0
        and any(staff[e].max_shifts.get(s, 0) > 0 and d not in staff[e].days_off for d, s in under)
        for e in free
    )
    assert all(spare[e] > 0 or any((e, d) in roster for d, _ in under) for e in free)


@given(st.integers(1, 400), st.integers(1, 400), st.data())
def test_centred_window_holds_its_day(horizon: int, span: int, data: st.DataObject) -> None:
    """Tests that a centred window lies within the horizon, includes its day and has the
    span or the whole horizon."""
    day = data.draw(st.integers(0, horizon - 1))
    days = _centred(day, span, horizon)
    assert day in days
    assert len(days) == min(span, horizon)
    assert days == frozenset(range(min(days), max(days) + 1))
    assert min(days) >= 0
    assert max(days) < horizon


@pytest.mark.parametrize("seed", range(3))
def test_sweeps_free_each_employee_alone_until_they_stop_paying(seed: int) -> None:
    """Tests that the opening sweeps free every employee once, alone, over the whole horizon,
    and that a further sweep follows only one that gained at least SWEEP_GAIN."""
    inst = _instance()
    roster = construct_curtois(inst, RosterParams.wall_clock(60.0, seed=seed, workers=1))
    objective = evaluate_curtois(inst, roster).objective
    search = _Search(inst, roster, objective, 0.0, 0.0, 1.0, None, None)
    rng = np.random.default_rng(seed)
    size = {"staff": 2, "days": 2, "hot": 2, "rins": 2, "spare": 2, "weekend": 1}

    def sweep() -> list[str]:
        freed = []
        for _ in inst.staff:
            kind, free = search._neighbourhood(rng, size, roster)
            assert kind == "one"
            assert all(days == frozenset(range(inst.horizon)) for days in free.values())
            freed.extend(free)
        return freed

    assert sorted(sweep()) == sorted(e.id for e in inst.staff)
    search.objective = math.floor((1 - SWEEP_GAIN) * objective)  # the sweep paid
    assert sorted(sweep()) == sorted(e.id for e in inst.staff)
    search._neighbourhood(rng, size, roster)  # the second one gained nothing
    assert not search.sweeping


@pytest.mark.parametrize("margin", [1, 2, 3])
def test_weekend_pair_frees_two_weekends_preferring_half_worked_ones(margin: int) -> None:
    """Tests that a weekend pair holds the Saturday and Sunday of the given weekend and of
    one other, with ``margin`` days either side within the horizon, and that the other is
    more often one on which employees work only one of the two days."""
    inst = dataclasses.replace(_instance(), horizon=28)  # four weekends
    roster = {("A", 19): "D", ("B", 19): "D", ("C", 26): "D", ("C", 27): "D"}
    search = _Search(inst, roster, 0, 0.0, 0.0, 1.0, None, None)
    assert search.weekends == 4  # some employee may work fewer than all four
    rng = np.random.default_rng(margin)
    chosen = []
    for _ in range(300):
        days = search._weekend_pair(rng, 0, margin, roster)
        others = {d // 7 for d in days if d % 7 >= 5} - {0}
        assert len(others) == 1
        other = others.pop()
        chosen.append(other)
        expected = {d for w in (0, other) for d in range(7 * w + 5 - margin, 7 * w + 7 + margin)}
        assert days == {d for d in expected if 0 <= d < inst.horizon}
    # weekend 2 has two half-worked weekends (weight 2.5 against 0.5 and 0.5)
    assert chosen.count(2) > max(chosen.count(1), chosen.count(3))


def test_weekend_neighbourhood_is_offered_only_for_a_short_weekend() -> None:
    """Tests that the weekend neighbourhood frees every employee over two weekends, is
    drawn only while a weekend row is under-covered, and never where every employee may
    work every weekend."""
    inst = _instance()
    size = {"staff": 2, "days": 2, "hot": 2, "rins": 2, "spare": 2, "weekend": 1}
    rng = np.random.default_rng(0)
    short = {(e.id, d): "D" for e in inst.staff[:2] for d in range(14) if d % 7 < 5}
    search = _Search(inst, short, 10**6, 0.0, 0.0, 1.0, None, None)
    search.sweeping = False
    kinds = set()
    for _ in range(200):
        kind, free = search._neighbourhood(rng, size, short)
        kinds.add(kind)
        if kind == "weekend":
            assert set(free) == {e.id for e in inst.staff}
            assert {d for days in free.values() for d in days} == {4, 5, 6, 7, 11, 12, 13}
    assert "weekend" in kinds
    covered = short | {(e, d): s for d in (5, 6, 12, 13) for e, s in (("C", "D"), ("D", "N"))}
    assert all(d % 7 < 5 for d, _ in _cover_gaps(inst, covered)[0])
    assert all(search._neighbourhood(rng, size, covered)[0] != "weekend" for _ in range(100))
    free_weekends = dataclasses.replace(
        inst, staff=tuple(dataclasses.replace(e, max_weekends=2) for e in inst.staff)
    )
    assert _Search(free_weekends, short, 0, 0.0, 0.0, 1.0, None, None).weekends == 0


def test_staff_neighbourhood_frees_a_few_employees_over_the_whole_horizon() -> None:
    """Tests that the "staff" neighbourhood frees its number of employees over every day,
    on a long horizon too (there they may trade shifts across it)."""
    inst = dataclasses.replace(_instance(), horizon=182)
    size = {"staff": 3, "days": 2, "hot": 2, "rins": 2, "spare": 2, "weekend": 1}
    rng = np.random.default_rng(0)
    search = _Search(inst, {}, 10**6, 0.0, 0.0, 1.0, None, None)
    search.sweeping = False
    drawn = 0
    for _ in range(200):
        kind, free = search._neighbourhood(rng, size, {})
        if kind == "staff":
            drawn += 1
            assert len(free) == 3
            assert all(days == frozenset(range(182)) for days in free.values())
    assert drawn
