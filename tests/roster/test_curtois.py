"""Tests of the Curtois adapter: benchmark instances solved by the district roster model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from patrolsim.formats.curtois import CurtoisInstance, evaluate_curtois, read_curtois
from patrolsim.roster.cpsat import RosterParams
from patrolsim.roster.curtois import (
    CURTOIS_START,
    curtois_problem,
    roster_assignment,
    solve_curtois_roster,
)
from patrolsim.roster.inputs import Preference, Requirement, StaffLimits

PARAMS = RosterParams(time_limit_s=None, max_deterministic_time=10.0, num_workers=1, seed=0)

#: Two weeks, two shift types (L may not be followed by D), three employees with every kind
#: of limit, fixed days off, requests and cover with unequal weights.
SMALL = """\
SECTION_HORIZON
14

SECTION_SHIFTS
D,480,
L,600,D

SECTION_STAFF
A,D=14|L=3,6000,2880,4,2,2,1
B,D=14|L=0,4800,1920,5,1,2,2
C,D=5|L=5,5400,3000,3,2,1,1

SECTION_DAYS_OFF
A,6
B,0,1
C

SECTION_SHIFT_ON_REQUESTS
A,2,L,2
C,9,D,3

SECTION_SHIFT_OFF_REQUESTS
B,4,D,1

SECTION_COVER
""" + "".join(f"{d},D,{1 + d % 2},100,1\n{d},L,{1 if d % 3 == 0 else 0},50,2\n" for d in range(14))


def _small(tmp_path: Path) -> CurtoisInstance:
    path = tmp_path / "Small.txt"
    path.write_text(SMALL, encoding="utf-8")
    return read_curtois(path)


def test_adapter_maps_every_rule(tmp_path: Path) -> None:
    """Tests that limits, successions, days off, requests and cover reach the roster problem."""
    inst = _small(tmp_path)
    problem = curtois_problem(inst)
    sc = problem.scenario
    assert problem.start == CURTOIS_START
    assert CURTOIS_START.weekday() == 0
    assert problem.days == 14
    assert [(s.name, s.duration_min) for s in sc.shifts] == [("D", 480), ("L", 600)]
    assert problem.successions() == {("L", "D")}
    assert problem.limits[1] == StaffLimits("B", {"D": 14, "L": 0}, 1920, 4800, 5, 1, 2, 2)
    assert [(lv.staff_id, lv.start) for lv in sc.leave] == [
        ("A", CURTOIS_START + dt.timedelta(days=6)),
        ("B", CURTOIS_START),
        ("B", CURTOIS_START + dt.timedelta(days=1)),
    ]
    assert problem.preferences == (
        Preference("A", CURTOIS_START + dt.timedelta(days=2), "L", "want", 2),
        Preference("C", CURTOIS_START + dt.timedelta(days=9), "D", "want", 3),
        Preference("B", CURTOIS_START + dt.timedelta(days=4), "D", "avoid", 1),
    )
    assert problem.requirements[1] == Requirement(CURTOIS_START, "L", "S1", 1, 0, 50, 2)
    assert sc.roster.unit_certified == 1


def test_small_instance_objective_equals_the_evaluators(tmp_path: Path) -> None:
    """Tests that on a hand-made instance with every rule the roster breaks none and its
    objective is the evaluator's."""
    inst = _small(tmp_path)
    res = solve_curtois_roster(inst, PARAMS)
    assert res.evaluation.violations == ()
    assert res.roster.status == "OPTIMAL"
    assert res.objective == res.roster.objective
    assert res.assignment == roster_assignment(res.roster)


@pytest.mark.parametrize(
    ("number", "optimum"),
    [(1, 607), pytest.param(2, 828, marks=pytest.mark.slow)],
)
def test_published_instance_reaches_its_optimum(
    shared_benchmarks: Path, number: int, optimum: int
) -> None:
    """Tests that Instances 1 and 2 are solved to their published optima with no hard violation,
    the evaluator agreeing with the solver."""
    inst = read_curtois(shared_benchmarks / "shift-scheduling" / f"Instance{number}.txt")
    res = solve_curtois_roster(inst, PARAMS)
    assert res.evaluation.violations == ()
    assert res.objective == res.roster.objective == optimum
    assert res.roster.status == "OPTIMAL"
    assert evaluate_curtois(inst, res.assignment).objective == optimum


def test_same_seed_same_roster(shared_benchmarks: Path) -> None:
    """Tests that the same instance, seed and deterministic budget give an identical roster."""
    inst = read_curtois(shared_benchmarks / "shift-scheduling" / "Instance1.txt")
    params = RosterParams(time_limit_s=None, max_deterministic_time=0.5, num_workers=1, seed=4)
    a = solve_curtois_roster(inst, params)
    b = solve_curtois_roster(inst, params)
    assert a.roster.entries == b.roster.entries
    assert a.assignment == b.assignment
