"""Tests of the CP-SAT model of the shift-scheduling benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.curtois.model import build_curtois_model, solve_curtois
from patrolsim.errors import InfeasibleError
from patrolsim.formats.curtois import (
    CoverRequirement,
    CurtoisInstance,
    CurtoisShift,
    CurtoisStaff,
    evaluate_curtois,
    read_curtois,
)
from patrolsim.roster.cpsat import RosterParams

#: One worker and a deterministic-time limit: reproducible; the wall limit is only a guard.
TEST_PARAMS = RosterParams(
    time_limit_s=120, num_workers=1, seed=1, max_deterministic_time=200.0, subsolvers=("max_lp",)
)


@pytest.mark.parametrize(("number", "optimum"), [(1, 607), (2, 828), (3, 1001)])
def test_reaches_published_optimum(shared_benchmarks: Path, number: int, optimum: int) -> None:
    """Tests that Instances 1–3 are solved to their published optimum, checked independently."""
    inst = read_curtois(shared_benchmarks / "shift-scheduling" / f"Instance{number}.txt")
    res = solve_curtois(build_curtois_model(inst), TEST_PARAMS)
    assert res.violations == ()
    assert res.objective == optimum
    assert res.is_optimal()
    assert evaluate_curtois(inst, res.assignment).objective == optimum
    assert res.solver_objective == pytest.approx(optimum)


def _small(max_weekends: int = 1, min_total: int = 0) -> CurtoisInstance:
    staff = tuple(
        CurtoisStaff(
            e,
            {"D": 7, "N": 7},
            7 * 480,
            min_total,
            5,
            2,
            2,
            max_weekends,
            days_off=(3,) if e == "A" else (),
        )
        for e in ("A", "B", "C")
    )
    cover = tuple(
        CoverRequirement(d, s, 1 if s == "D" else (1 if d >= 5 else 0), 100, 1)
        for d in range(7)
        for s in ("D", "N")
    )
    return CurtoisInstance(
        "Small",
        7,
        (CurtoisShift("D", 480, ()), CurtoisShift("N", 480, ("D",))),
        staff,
        (),
        (),
        cover,
    )


def test_solution_meets_every_hard_rule_and_matches_solver() -> None:
    """Tests that a small instance is solved feasibly and the evaluator agrees with CP-SAT."""
    inst = _small()
    res = solve_curtois(build_curtois_model(inst), TEST_PARAMS)
    assert res.violations == ()
    assert res.is_optimal()
    assert res.objective == round(res.solver_objective)
    # 9 shifts of cover are wanted; three people with 1 weekend each can give them all.
    assert res.terms["under_cover"] == 0


def test_hint_is_accepted_and_kept_when_optimal() -> None:
    """Tests that an optimal assignment given as a hint comes back with the same objective."""
    inst = _small()
    first = solve_curtois(build_curtois_model(inst), TEST_PARAMS)
    second = solve_curtois(build_curtois_model(inst), TEST_PARAMS, hint=first.assignment)
    assert second.objective == first.objective


def test_impossible_hard_rules_raise_infeasible() -> None:
    """Tests that minimum minutes beyond what the rules allow raise InfeasibleError."""
    inst = _small(min_total=7 * 480)  # everyone must work every day, but A has day 3 off
    with pytest.raises(InfeasibleError, match="INFEASIBLE"):
        solve_curtois(build_curtois_model(inst), TEST_PARAMS)


def test_lns_improves_a_poor_start_and_stays_feasible() -> None:
    """Tests that the re-optimisation phase turns an empty roster into a better feasible one."""
    import time

    from benchmarks.curtois.stall import improve_lns

    inst = _small()
    built = build_curtois_model(inst)
    start = {key: False for key in built.x}
    empty = evaluate_curtois(inst, {}).objective
    expr = sum(c * v for c, v in zip(built.penalty_coeffs, built.penalty_vars, strict=True))
    values, objective = improve_lns(
        built.model,
        built.x,
        start,
        expr + built.objective_offset,
        float(empty),
        0.0,
        time.perf_counter() + 3.0,
        RosterParams.wall_clock(60.0, seed=2, workers=1),
    )
    assignment = {(e, d): s for (e, d, s), on in values.items() if on}
    ev = evaluate_curtois(inst, assignment)
    assert ev.violations == ()
    assert ev.objective == objective
    assert objective < empty
