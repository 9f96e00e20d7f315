"""Tests of the shift-scheduling benchmark reader and its independent evaluator."""

from __future__ import annotations

from pathlib import Path

import pytest

from patrolsim.errors import ScenarioError
from patrolsim.formats.curtois import (
    CoverRequirement,
    CurtoisInstance,
    CurtoisShift,
    CurtoisStaff,
    ShiftRequest,
    evaluate_curtois,
    read_curtois,
)

TINY = """\
# a hand-made instance
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
L,600,D

SECTION_STAFF
A,D=7|L=2,4800,960,4,2,2,1
B,D=7|L=0,4800,0,5,1,1,1

SECTION_DAYS_OFF
A,6
B

SECTION_SHIFT_ON_REQUESTS
A,0,D,2
B,3,D,1

SECTION_SHIFT_OFF_REQUESTS
A,1,L,3

SECTION_COVER
0,D,1,100,1
0,L,0,100,1
1,D,1,100,1
1,L,1,100,1
2,D,2,100,1
2,L,0,100,1
3,D,1,100,1
3,L,0,100,1
4,D,0,100,1
4,L,0,100,1
5,D,0,100,1
5,L,0,100,1
6,D,0,100,1
6,L,0,100,1
"""


def _tiny(tmp_path: Path) -> CurtoisInstance:
    path = tmp_path / "Tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    return read_curtois(path)


def test_reader_reads_every_section(tmp_path: Path) -> None:
    """Tests that the reader returns shifts, staff, days off, requests and cover as written."""
    inst = _tiny(tmp_path)
    assert inst.name == "Tiny"
    assert inst.horizon == 7
    assert inst.shifts == (CurtoisShift("D", 480, ()), CurtoisShift("L", 600, ("D",)))
    a, b = inst.staff
    assert a == CurtoisStaff("A", {"D": 7, "L": 2}, 4800, 960, 4, 2, 2, 1, days_off=(6,))
    assert b.max_shifts == {"D": 7, "L": 0}
    assert b.days_off == ()
    assert inst.on_requests == (ShiftRequest("A", 0, "D", 2), ShiftRequest("B", 3, "D", 1))
    assert inst.off_requests == (ShiftRequest("A", 1, "L", 3),)
    assert len(inst.cover) == 14
    assert inst.cover[2] == CoverRequirement(1, "D", 1, 100, 1)


def test_reader_accepts_crlf(tmp_path: Path) -> None:
    """Tests that CRLF line endings read the same as LF."""
    path = tmp_path / "Crlf.txt"
    path.write_bytes(TINY.replace("\n", "\r\n").encode())
    assert read_curtois(path).staff == _tiny(tmp_path).staff


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("A,D=7|L=2,4800", "A,D=x|L=2,4800", r"Tiny.txt:\d+: MaxShifts: expected an integer"),
        ("1,L,1,100,1", "1,Q,1,100,1", r"Tiny.txt:\d+: ShiftID: unknown shift \(got 'Q'\)"),
        ("A,1,L,3", "Z,1,L,3", r"Tiny.txt:\d+: EmployeeID: unknown employee \(got 'Z'\)"),
        ("B,3,D,1", "B,9,D,1", r"Tiny.txt:\d+: Day: outside the horizon"),
        ("SECTION_COVER\n", "", r"SECTION_COVER: section missing"),
    ],
)
def test_reader_reports_bad_input_with_location(
    tmp_path: Path, old: str, new: str, match: str
) -> None:
    """Tests that bad values raise ScenarioError naming file, line and field."""
    path = tmp_path / "Tiny.txt"
    path.write_text(TINY.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=match):
        read_curtois(path)


def test_evaluator_matches_hand_computed_objective(tmp_path: Path) -> None:
    """Tests the evaluator's objective against a hand computation on the tiny instance.

    A works D on days 0–2 and L on day 3; B works D on days 2–3.
    On-requests: A,0,D granted; B,3,D granted → 0. Off-request A,1,L not violated → 0.
    Cover: day 1 L wants 1, has 0 → 100; day 3 D wants 1, has 1 (B) → 0; day 3 L wants 0, has
    1 → 1; day 2 D wants 2, has 2 → 0. Total 101.
    """
    inst = _tiny(tmp_path)
    assignment = {
        ("A", 0): "D",
        ("A", 1): "D",
        ("A", 2): "D",
        ("A", 3): "L",
        ("B", 2): "D",
        ("B", 3): "D",
    }
    ev = evaluate_curtois(inst, assignment)
    assert ev.violations == ()
    assert (ev.on_request_penalty, ev.off_request_penalty) == (0, 0)
    assert (ev.under_cover_penalty, ev.over_cover_penalty) == (100, 1)
    assert ev.objective == 101


def test_evaluator_counts_requests(tmp_path: Path) -> None:
    """Tests that unmet on-requests and met off-requests cost their weights (2 + 1 + 3)."""
    inst = _tiny(tmp_path)
    # A works L on days 1–2 (off-request day 1 L hit: 3; on-request day 0 D missed: 2);
    # B does not work day 3 (on-request missed: 1).
    assignment = {("A", 1): "L", ("A", 2): "L"}
    ev = evaluate_curtois(inst, assignment)
    assert ev.on_request_penalty == 3
    assert ev.off_request_penalty == 3
    # Cover: day0 D 100, day1 D 100, day1 L ok, day2 D 200, day2 L over 1, day3 D 100.
    assert ev.under_cover_penalty == 500
    assert ev.over_cover_penalty == 1
    assert ev.objective == 507


@pytest.mark.parametrize(
    ("assignment", "match"),
    [
        ({("A", 0): "L", ("A", 1): "D"}, "cannot follow"),
        ({("A", d): "L" for d in range(3)}, "shifts of type L"),
        ({("A", d): "D" for d in range(5)}, "5 consecutive shifts"),
        ({("A", 1): "D", ("A", 2): "D", ("A", 4): "D", ("A", 5): "D"}, "consecutive days off"),
        ({("A", 0): "D"}, "480 minutes worked, at least 960"),
        (
            {("A", 2): "D", ("A", 4): "D", ("A", 5): "D"},
            "1 consecutive shifts from day 2, at least 2",
        ),
        ({("A", 4): "D", ("A", 5): "D", ("A", 6): "D"}, "fixed day off"),
        ({("B", 2): "L"}, "shifts of type L, at most 0"),
    ],
)
def test_evaluator_detects_each_hard_violation(
    tmp_path: Path, assignment: dict[tuple[str, int], str], match: str
) -> None:
    """Tests that the evaluator reports each kind of broken hard constraint."""
    inst = _tiny(tmp_path)
    ev = evaluate_curtois(inst, assignment)
    assert not ev.feasible
    assert any(match in v for v in ev.violations), ev.violations


def test_evaluator_exempts_runs_at_the_horizon_edges(tmp_path: Path) -> None:
    """Tests that short runs touching day 0 or the last day are allowed."""
    inst = _tiny(tmp_path)
    # A: one shift on day 0 (edge), then off, then days 3-4 (run of 2), weekend off.
    # Day 0 run of 1 < min 2 but touches day 0; the 2-day off run in between is fine.
    ev = evaluate_curtois(inst, {("A", 0): "D", ("A", 3): "D", ("A", 4): "D"})
    assert ev.violations == ()


def test_reads_all_published_instances(shared_benchmarks: Path) -> None:
    """Tests that all 24 published instances parse with the sizes listed in the README."""
    sizes = {1: (14, 8, 1), 8: (28, 30, 4), 13: (28, 120, 18), 24: (364, 150, 32)}
    folder = shared_benchmarks / "shift-scheduling"
    for n in range(1, 25):
        inst = read_curtois(folder / f"Instance{n}.txt")
        assert len(inst.cover) == inst.horizon * len(inst.shifts)
        if n in sizes:
            assert (inst.horizon, len(inst.staff), len(inst.shifts)) == sizes[n]
