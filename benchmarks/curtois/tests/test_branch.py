"""Tests of branch-and-price over a scarce shift's plan (Curtois & Qu benchmark)."""

from __future__ import annotations

import dataclasses
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.curtois import branch as curtois_branch
from benchmarks.curtois.branch import branch_and_price, scarce_shift
from benchmarks.curtois.columns import (
    ColumnRelaxation,
    _Master,
    _Pricer,
    column_generation,
)
from benchmarks.curtois.lns import construct_curtois
from benchmarks.curtois.model import build_curtois_model, solve_curtois
from patrolsim.formats.curtois import CurtoisInstance, evaluate_curtois, read_curtois
from patrolsim.roster.cpsat import RosterParams

PARAMS = RosterParams.wall_clock(30, seed=0, workers=2)


def _read(shared_benchmarks: Path, n: int) -> CurtoisInstance:
    return read_curtois(shared_benchmarks / "shift-scheduling" / f"Instance{n}.txt")


def _short_of_days(inst: CurtoisInstance, most: int) -> CurtoisInstance:
    """``inst`` with every employee allowed at most ``most`` shifts of each type."""
    staff = tuple(
        dataclasses.replace(e, max_shifts={s: min(n, most) for s, n in e.max_shifts.items()})
        for e in inst.staff
    )
    return dataclasses.replace(inst, staff=staff)


def test_scarce_shift_is_the_one_the_staff_cannot_cover(shared_benchmarks: Path) -> None:
    """Tests that Instance8's nights (74 may be worked, 86 asked) are found scarce, that
    Instance1 (112 day shifts may be worked, 71 asked) has none, and that capping Instance1's
    day shifts at 8 an employee (64) makes them scarce."""
    assert scarce_shift(_read(shared_benchmarks, 8)) == "N"
    inst = _read(shared_benchmarks, 1)
    assert scarce_shift(inst) is None
    assert scarce_shift(_short_of_days(inst, 8)) == "D"


def test_restricted_pricing_works_the_pinned_days_only(shared_benchmarks: Path) -> None:
    """Tests that a pricing restricted to a set of night days returns schedules with
    exactly those nights, and that lifting the restriction gives back a schedule no dearer
    (the unrestricted problem is a relaxation of the restricted one)."""
    inst = _read(shared_benchmarks, 8)
    employee = next(e for e in inst.staff if e.id == "A")
    pricer = _Pricer(inst, employee)
    duals = {(c.day, c.shift): 30.0 * ((c.day * 7 + len(c.shift)) % 5) for c in inst.cover}
    free, free_lower, _ = pricer.price(duals, time.perf_counter() + 10, 0.0)
    nights = frozenset(d for d, s in free[-1] if s == "N")
    # Another feasible plan: the nights of A's schedule in rosters built with other seeds.
    plans = {
        frozenset(
            d
            for (f, d), s in construct_curtois(inst, dataclasses.replace(PARAMS, seed=seed)).items()
            if f == "A" and s == "N"
        )
        for seed in range(4)
    }
    other = max(plans - {nights} or plans, key=sorted)
    pricer.restrict("N", other)
    pinned, pinned_lower, _ = pricer.price(duals, time.perf_counter() + 10, 0.0)
    assert pinned
    assert all(frozenset(d for d, s in sch if s == "N") == other for sch in pinned)
    assert pinned_lower is not None
    assert free_lower is not None
    assert pinned_lower >= free_lower - 1e-6
    pricer.restrict("N", None)
    _, again_lower, _ = pricer.price(duals, time.perf_counter() + 10, 0.0)
    assert again_lower == pytest.approx(free_lower)


def test_pricing_restricted_to_weekends_works_those_only(shared_benchmarks: Path) -> None:
    """Tests that a pricing restricted to a set of weekends (alone, and with a set of night
    days) returns schedules working on exactly those weekends, no cheaper than the free
    pricing, and that lifting the restriction gives back the free bound."""
    inst = _read(shared_benchmarks, 8)
    employee = next(e for e in inst.staff if e.id == "B")
    pricer = _Pricer(inst, employee)
    duals = {(c.day, c.shift): 40.0 * ((c.day * 3 + len(c.shift)) % 4) for c in inst.cover}
    _, free_lower, _ = pricer.price(duals, time.perf_counter() + 10, 0.0)
    assert free_lower is not None
    for weeks, nights in ((frozenset({0, 3}), None), (frozenset({1, 2}), frozenset({2, 3}))):
        others = frozenset(range(inst.weeks)) - weeks
        pricer.restrict("N", nights, weeks)
        pinned, lower, _ = pricer.price(duals, time.perf_counter() + 10, 0.0)
        assert pinned
        assert lower is not None
        assert lower >= free_lower - 1e-6
        for sch in pinned:
            days = {d for d, _ in sch}
            assert all(7 * w + 5 in days or 7 * w + 6 in days for w in weeks)
            assert not any(7 * w + 5 in days or 7 * w + 6 in days for w in others)
            assert nights is None or frozenset(d for d, s in sch if s == "N") == nights
    pricer.restrict("N", None, None)
    _, again_lower, _ = pricer.price(duals, time.perf_counter() + 10, 0.0)
    assert again_lower == pytest.approx(free_lower)


def test_branching_settles_weekends_before_plans(shared_benchmarks: Path) -> None:
    """Tests, on Instance8's relaxation after 3 s of column generation, that the search
    branches first on an employee whose weekends are fractional, into weekend sets their
    columns of positive weight work, heaviest first; and, once every employee's weekends
    are pinned to such a set, on the night plans."""
    inst = _read(shared_benchmarks, 8)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 3, workers=2)
    tree = curtois_branch._Tree(
        build_curtois_model(inst), relaxation, "N", start, PARAMS, time.perf_counter() + 30, None
    )
    tree.master.solve()
    weights = tree.weights(tree.weekends)
    assert any(len(sets) > 1 for sets in weights.values())
    branch = tree.branching()
    assert branch is not None
    e, options, pin = branch
    assert pin == tree.pin_weekends
    assert len(weights[e]) > 1
    assert options == sorted(weights[e], key=lambda k: -weights[e][k])[: len(options)]
    for f, sets in weights.items():
        tree.pin_weekends(f, max(sets, key=lambda k: sets[k]))
    tree.master.solve()
    assert all(len(sets) == 1 for sets in tree.weights(tree.weekends).values())
    branch = tree.branching()
    assert branch is None or branch[2] == tree.pin


def _schedule(roster: dict, e: str) -> tuple:
    return tuple(sorted((d, s) for (f, d), s in roster.items() if f == e))


def test_perturbed_master_stays_within_its_excess(shared_benchmarks: Path) -> None:
    """Tests that perturbing the master's column costs raises its value by no more than
    the excess it reports, and that a perturbation of 0 gives back the true value."""
    inst = _read(shared_benchmarks, 1)
    master = _Master(inst)
    pricers = {e.id: _Pricer(inst, e) for e in inst.staff}
    for seed in range(3):
        roster = construct_curtois(inst, dataclasses.replace(PARAMS, seed=seed))
        for f in pricers:
            master.add(f, _schedule(roster, f), pricers[f].cost(_schedule(roster, f)))
    value, _, _ = master.solve()
    excess = master.perturb(random.Random(0), 5.0)
    assert excess == pytest.approx(5.0 * len(inst.staff))
    perturbed, _, _ = master.solve()
    assert value - 1e-6 <= perturbed <= value + excess + 1e-6
    assert perturbed > value + 1e-6
    assert master.perturb(random.Random(0), 0.0) == 0.0
    assert master.solve()[0] == pytest.approx(value)


def test_restricted_master_leaves_other_columns_at_zero(shared_benchmarks: Path) -> None:
    """Tests that the master LP gives no weight to an employee's columns its restriction
    rejects, also to a column added after the restriction."""
    inst = _read(shared_benchmarks, 1)
    rosters = [construct_curtois(inst, dataclasses.replace(PARAMS, seed=s)) for s in range(3)]
    master = _Master(inst)
    pricers = {e.id: _Pricer(inst, e) for e in inst.staff}

    e = inst.staff[0].id
    for roster in rosters[:2]:
        for f in pricers:
            master.add(f, _schedule(roster, f), pricers[f].cost(_schedule(roster, f)))
    keep = _schedule(rosters[0], e)
    master.restrict(e, lambda c: c == keep)
    master.add(e, _schedule(rosters[2], e), pricers[e].cost(_schedule(rosters[2], e)))
    master.solve()
    for c, v in master.columns[e].items():
        if c != keep:
            assert v.solution_value() == pytest.approx(0.0)
    assert master.columns[e][keep].solution_value() == pytest.approx(1.0)


def test_branch_and_price_reaches_the_optimum_of_a_small_scarce_instance(
    shared_benchmarks: Path,
) -> None:
    """Tests, on Instance1 with day shifts capped at 8 an employee (scarce), that the search
    returns a feasible roster no worse than its start, no better than the relaxation's
    bound, and at the optimum CP-SAT proves for the whole model."""
    inst = _short_of_days(_read(shared_benchmarks, 1), 8)
    built = build_curtois_model(inst)
    proved = solve_curtois(
        build_curtois_model(inst), dataclasses.replace(PARAMS, time_limit_s=60), lns_share=0.0
    )
    assert proved.status == "OPTIMAL"
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 30, workers=2)
    roster, objective = branch_and_price(
        built, relaxation, "D", start, PARAMS, time.perf_counter() + 30
    )
    ev = evaluate_curtois(inst, roster)
    assert not ev.violations
    assert ev.objective == objective
    assert relaxation.bound <= objective <= evaluate_curtois(inst, start).objective
    assert objective == proved.objective


def test_restarts_on_a_perturbed_master_keep_the_roster_valid(
    shared_benchmarks: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """Tests, on Instance8 from a relaxation stopped after 3 s, that a search restarting
    every second does restart and returns a feasible roster, evaluated as it says, no worse
    than its start and no better than the bound (with the weekend descent, which would take
    the rest of the 5 s, replaced by one that finds nothing)."""

    def no_descent(tree: curtois_branch._Tree) -> tuple[dict, float]:
        tree.descended.add(curtois_branch._key(tree.roster_weekends()))
        return tree.roster_weekends(), math.inf

    monkeypatch.setattr(curtois_branch, "RESTART_S", 1.0)
    monkeypatch.setattr(curtois_branch._Tree, "descend", no_descent)
    inst = _read(shared_benchmarks, 8)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 3, workers=2)
    roster, objective = branch_and_price(
        build_curtois_model(inst),
        relaxation,
        "N",
        start,
        PARAMS,
        time.perf_counter() + 5,
        label="test",
    )
    searches = int(capsys.readouterr().err.split(" searches")[0].rsplit(" ", 1)[-1])
    assert searches >= 3
    ev = evaluate_curtois(inst, roster)
    assert not ev.violations
    assert ev.objective == objective
    assert relaxation.bound <= objective <= evaluate_curtois(inst, start).objective


def test_weekend_descent_never_raises_the_relaxation(shared_benchmarks: Path) -> None:
    """Tests, on Instance8 from a relaxation stopped after 3 s, that the descent from the
    incumbent's weekends returns sets each employee may work (at most their maximum of
    weekends) whose converged relaxation is no higher than that of the incumbent's, is that
    of the sets returned, and no lower than the bound; and that it lifts its pins."""
    inst = _read(shared_benchmarks, 8)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 3, workers=2)
    tree = curtois_branch._Tree(
        build_curtois_model(inst), relaxation, "N", start, PARAMS, time.perf_counter() + 20, None
    )
    first = tree.roster_weekends()
    most = {e.id: e.max_weekends for e in inst.staff}
    assert all(len(weeks) <= most[e] for e, weeks in first.items())
    with ThreadPoolExecutor(2) as tree.pool:
        weekends, value = tree.descend()
        assert not tree.weekend_pins
        assert not tree.master.allowed
        assert {curtois_branch._key(first), curtois_branch._key(weekends)} <= tree.descended
        assert all(len(weeks) <= most[e] for e, weeks in weekends.items())
        assert relaxation.bound - 1 <= value < math.inf
        tree.deadline = time.perf_counter() + 60  # the descent may have stopped at its own
        for pins in (first, weekends):
            for e, weeks in pins.items():
                tree.pin_weekends(e, weeks)
            again = tree.converged()
            for e in pins:
                tree.pin_weekends(e, None)
            if pins is first:
                assert value <= again + 1e-6
            else:
                assert again == pytest.approx(value, abs=1e-3)


def _capped_tree(shared_benchmarks: Path) -> tuple[curtois_branch._Tree, ColumnRelaxation]:
    """A search tree on Instance1 with day shifts capped at 8 an employee (scarce), from a
    constructed roster, and its column relaxation."""
    inst = _short_of_days(_read(shared_benchmarks, 1), 8)
    start = construct_curtois(inst, PARAMS)
    relaxation = column_generation(inst, start, time.perf_counter() + 30, workers=2)
    tree = curtois_branch._Tree(
        build_curtois_model(inst), relaxation, "D", start, PARAMS, time.perf_counter() + 60, None
    )
    return tree, relaxation


def test_completion_on_held_weekends_works_exactly_those(shared_benchmarks: Path) -> None:
    """Tests, on Instance1 with day shifts capped at 8 an employee, that CP-SAT with every
    employee's weekends fixed to the incumbent's returns a feasible roster that works exactly
    those weekends (the ones worked included), no worse than the incumbent and no better
    than the bound, and proves it the best on them."""
    tree, relaxation = _capped_tree(shared_benchmarks)
    inst, start = tree.built.instance, dict(tree.roster)
    weekends = tree.roster_weekends()
    assert tree.complete(weekends, time.perf_counter() + 30)
    ev = evaluate_curtois(inst, tree.roster)
    assert not ev.violations
    assert ev.objective == tree.objective
    assert relaxation.bound <= tree.objective <= evaluate_curtois(inst, start).objective
    assert tree.roster_weekends() == weekends


def test_leaf_rounds_with_cp_sat_when_its_heaviest_columns_fall_short(
    shared_benchmarks: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tests, on Instance1 with day shifts capped at 8 an employee and its relaxation
    converged, that a leaf whose heaviest columns make a roster above its bound (here the
    constructed start, standing in for them) completes one with CP-SAT around the
    relaxation's integral cells, and keeps it: feasible, evaluated as it says, better than
    the start and no better than the bound."""
    tree, relaxation = _capped_tree(shared_benchmarks)
    inst, start = tree.built.instance, dict(tree.roster)
    tree.objective = math.inf  # any roster the leaf completes is kept
    monkeypatch.setattr(tree.master, "heaviest", lambda: dict(start))
    with ThreadPoolExecutor(2) as tree.pool:
        value = tree.converged()
    bound = math.ceil(value - 1e-6)
    tree.leaf(bound)
    ev = evaluate_curtois(inst, tree.roster)
    assert not ev.violations
    assert ev.objective == tree.objective
    assert relaxation.bound <= tree.objective < evaluate_curtois(inst, start).objective
