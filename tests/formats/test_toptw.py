"""Tests of the TOPTW reader, the independent checker and the score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from patrolsim.errors import ScenarioError
from patrolsim.formats.toptw import check_solution, read_toptw
from patrolsim.routing import RoutingParams
from patrolsim.routing.toptw import solve_toptw, toptw_problem

TINY = """1 1 4 1
0 200
0 0.0 0.0 0 0 0 0 0 100
1 3.0 4.0 2 10 1 1 1 0 20
2 6.0 8.0 2 20 1 1 1 10 30
3 0.0 1.05 1 5 1 1 1 50 60
"""


def _tiny(tmp_path: Path, name: str = "t1.txt", text: str = TINY) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reader_parses_nodes_and_rounding(tmp_path: Path) -> None:
    """Tests that the reader keeps depot, scores, windows and floors distances to 1 decimal."""
    inst = read_toptw(_tiny(tmp_path))
    assert inst.num_nodes == 4
    assert inst.tmax == 100
    assert list(inst.score) == [0, 10, 20, 5]
    assert inst.decimals == 1
    assert inst.scale == 10
    t = inst.travel_ticks()
    assert t[0, 1] == 50  # exactly 5.0 must not drop to 4.9
    assert t[0, 3] == 10  # 1.05 rounds down to 1.0
    assert t[1, 2] == 50


def test_reader_uses_two_decimals_for_cordeau_names(tmp_path: Path) -> None:
    """Tests that pr* files use the 2-decimal rounding rule."""
    inst = read_toptw(_tiny(tmp_path, "pr99.txt"))
    assert inst.decimals == 2
    assert inst.travel_ticks()[0, 3] == 105


def test_reader_reports_bad_lines(tmp_path: Path) -> None:
    """Tests that bad node lines are reported as FILE:ROW: FIELD lines."""
    bad = TINY.replace("1 3.0 4.0 2 10", "1 3.0 x 2 10").replace(
        "2 6.0 8.0 2 20 1 1 1 10 30", "5 6.0 8.0 2 20 1 1 1 10 30"
    )
    with pytest.raises(ScenarioError) as exc:
        read_toptw(_tiny(tmp_path, text=bad))
    lines = exc.value.problems
    assert any(":4: node: not a number" in line for line in lines)
    assert any(":5: i: expected node 2 (got 5)" in line for line in lines)


def test_checker_scores_and_flags_violations(tmp_path: Path) -> None:
    """Tests that the checker scores feasible routes and names each kind of violation."""
    inst = read_toptw(_tiny(tmp_path))
    ok = check_solution(inst, [[1, 2]], teams=1)
    assert ok.feasible
    assert ok.score == 30
    late = check_solution(inst, [[3, 1]], teams=1)
    assert not late.feasible
    assert any("after window close" in v for v in late.violations)
    twice = check_solution(inst, [[1], [1]], teams=2)
    assert not twice.feasible
    assert twice.score == 10
    too_many = check_solution(inst, [[1], [2]], teams=1)
    assert any("teams" in v for v in too_many.violations)
    early = check_solution(inst, [[1]], teams=1, starts=[[1.0]])
    assert any("before arrival" in v for v in early.violations)


def test_c101_reader_and_product_solver(shared_benchmarks: Path) -> None:
    """Tests that c101 reads as published and that the district's solver gives it checked routes
    near the optimum 320 (m=1) on a small deterministic budget."""
    inst = read_toptw(shared_benchmarks / "toptw" / "solomon_100_righini_salani" / "c101.txt")
    assert inst.num_nodes == 101
    assert inst.tmax == 1236
    assert inst.total_score == 1810
    res = solve_toptw(inst, 1, RoutingParams(branch_limit=5000, restarts=1))
    assert res.feasible, res.violations
    assert 300 <= res.score <= 320
    again = check_solution(inst, res.routes, 1, starts=res.starts)
    assert again.feasible
    assert again.score == res.score


def test_toptw_problem_keeps_exact_ticks(tmp_path: Path) -> None:
    """Tests that the routing problem of an instance uses the floored integer ticks."""
    inst = read_toptw(_tiny(tmp_path))
    prob = toptw_problem(inst, 2)
    assert np.array_equal(prob.travel, inst.travel_ticks())
    assert prob.stops[2].windows == ((500, 600),)
    assert len(prob.vehicles) == 2
    assert prob.vehicles[0].end_time == 1000
