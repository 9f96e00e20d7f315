"""Tests of the district roster model: hard rules, soft cover, explanations, inputs."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import itertools
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrolsim.errors import InfeasibleError, ScenarioError
from patrolsim.roster import (
    Roster,
    RosterProblem,
    build_roster_model,
    forbidden_successions,
    solve_roster,
)
from patrolsim.roster.cpsat import (
    DEFAULT_WORK_LIMIT,
    REFERENCE_STAFF,
    RosterParams,
    default_work,
)
from patrolsim.roster.inputs import (
    Preference,
    Requirement,
    StaffLimits,
    default_requirements,
    read_preferences,
    read_previous_roster,
    read_requirements,
)
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import Duty, Leave, ShiftType, StaffMember

MONDAY = dt.date(2026, 11, 23)
PARAMS = RosterParams(time_limit_s=None, num_workers=1, seed=3, max_deterministic_time=5.0)


def _shifts() -> tuple[ShiftType, ...]:
    return (
        ShiftType("early", "早班", 6 * 60, 14 * 60),
        ShiftType("day", "白班", 8 * 60 + 30, 17 * 60),
        ShiftType("late", "晚班", 14 * 60, 22 * 60),
        ShiftType("night", "夜班", 18 * 60, 26 * 60),
    )


def _scenario(
    tiny: Scenario,
    staff: list[StaffMember],
    leave: list[Leave],
    squads: int = 1,
    duties: tuple[Duty, ...] = (),
) -> Scenario:
    sq0 = tiny.squads[0]
    sq = tuple(
        dataclasses.replace(sq0, index=i, id=f"S{i + 1}", name=f"{i + 1}中队")
        for i in range(squads)
    )
    return dataclasses.replace(
        tiny,
        staff=tuple(staff),
        leave=tuple(leave),
        squads=sq,
        shifts=_shifts(),
        duties=duties,
        start_date=MONDAY,
    )


def _person(i: int, role: str, squad: str, hours: float = 40.0) -> StaffMember:
    return StaffMember(i, f"P{i:02d}", f"人{i}", role, squad, hours, hours - 8, hours + 8)  # type: ignore[arg-type]


def check_hard_rules(roster: Roster, problem: RosterProblem) -> list[str]:
    """Independent check of every hard rule on an extracted roster."""
    sc = problem.scenario
    rules = sc.roster
    shift = {s.name: s for s in sc.shifts}
    staff = {p.id: p for p in sc.staff}
    bad = forbidden_successions(sc.shifts, rules.min_rest_hours)
    found: list[str] = []
    worked: dict[str, dict[dt.date, str]] = defaultdict(dict)
    for e in roster.entries:
        if e.date in worked[e.staff_id]:
            found.append(f"{e.staff_id} two shifts on {e.date}")
        worked[e.staff_id][e.date] = e.shift
        if e.squad != staff[e.staff_id].squad:
            found.append(f"{e.staff_id} in squad {e.squad}")
        if sc.on_leave(e.staff_id, e.date):
            found.append(f"{e.staff_id} works on leave {e.date}")
        if (e.end - e.start) != dt.timedelta(minutes=shift[e.shift].duration_min):
            found.append(f"{e.staff_id} wrong times")
    dates = problem.dates
    for p in sc.staff:
        days = worked[p.id]
        for k in range(len(dates) - 1):
            a, b = days.get(dates[k]), days.get(dates[k + 1])
            if a and b and (a, b) in bad:
                found.append(f"{p.id} rest {a}->{b} on {dates[k]}")
            # Rest measured directly from the clock times, not from forbidden_successions.
            if a and b:
                rest = 1440 + shift[b].start_min - shift[a].end_min
                if rest < rules.min_rest_hours * 60:
                    found.append(f"{p.id} only {rest} min rest on {dates[k]}")
        run = 0
        for d in dates:
            run = run + 1 if d in days else 0
            if run > rules.max_consecutive_days:
                found.append(f"{p.id} {run} days in a row to {d}")
        for b in range(0, len(dates), 7):
            block = dates[b : b + 7]
            n_work = sum(1 for d in block if d in days)
            if len(block) - n_work < rules.min_days_off_per_week * len(block) // 7:
                found.append(f"{p.id} too few days off from {block[0]}")
            minutes = sum(shift[days[d]].duration_min for d in block if d in days)
            leave_days = sum(1 for d in block if sc.on_leave(p.id, d))
            lo = p.min_weekly_hours * 60 * len(block) / 7 - leave_days * p.weekly_hours * 12
            if minutes > p.max_weekly_hours * 60 * len(block) / 7 + 1e-6:
                found.append(f"{p.id} {minutes} min > max from {block[0]}")
            if minutes < lo - 1e-6:
                found.append(f"{p.id} {minutes} min < min from {block[0]}")
    if problem.strict_cover:
        for c in roster.cover:
            if c.units_missing or c.auxiliaries_missing:
                found.append(f"uncovered {c}")
    # Cover rows must agree with the entries.
    count: Counter[tuple[dt.date, str, str, bool]] = Counter(
        (e.date, e.shift, e.squad, staff[e.staff_id].certified) for e in roster.entries
    )
    for c in roster.cover:
        if count[c.date, c.shift, c.squad, True] != c.certified:
            found.append(f"cover row certified mismatch {c}")
        need_c = c.units_needed * rules.unit_certified
        if c.units_missing != max(0, -(-(need_c - c.certified) // rules.unit_certified)):
            found.append(f"units_missing wrong {c}")
    return found


@st.composite
def staff_sets(draw: st.DrawFn) -> tuple[list[StaffMember], list[Leave], int]:
    squads = draw(st.integers(1, 2))
    n = draw(st.integers(3, 8))
    staff = []
    for i in range(n):
        role = draw(st.sampled_from(["certified", "certified", "auxiliary", "leader"]))
        squad = f"S{draw(st.integers(1, squads))}"
        hours = draw(st.sampled_from([32.0, 40.0, 44.0]))
        staff.append(_person(i, role, squad, hours))
    leave = []
    for p in staff:
        if draw(st.booleans()) and draw(st.booleans()):
            first = draw(st.integers(0, 6))
            length = draw(st.integers(1, 4))
            leave.append(
                Leave(
                    p.id,
                    MONDAY + dt.timedelta(days=first),
                    MONDAY + dt.timedelta(days=first + length - 1),
                    "annual",
                )
            )
    return staff, leave, squads


@pytest.mark.slow
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=staff_sets(), units=st.integers(0, 2), seed=st.integers(0, 3))
def test_every_hard_rule_holds_on_generated_staff(
    tiny: Scenario, data: tuple[list[StaffMember], list[Leave], int], units: int, seed: int
) -> None:
    """Tests that rosters of generated staff sets meet every hard rule (checked independently)."""
    staff, leave, squads = data
    sc = _scenario(
        tiny,
        staff,
        leave,
        squads,
        duties=(Duty("周五学习", 4, 15 * 60, 16 * 60 + 30, 1, ("day",)),),
    )
    sc = dataclasses.replace(
        sc,
        roster=dataclasses.replace(
            sc.roster, default_cover={"early": units, "late": units, "night": 1, "day": 0}
        ),
    )
    problem = RosterProblem(sc, MONDAY, 7, default_requirements(sc, MONDAY))
    roster = solve_roster(problem, dataclasses.replace(PARAMS, seed=seed))
    assert check_hard_rules(roster, problem) == []
    assert roster.status in ("OPTIMAL", "FEASIBLE")


def test_soft_cover_lists_every_uncovered_shift(tiny: Scenario) -> None:
    """Tests that a short-staffed week still gets a roster with the missing units listed."""
    staff = [_person(i, "certified", "S1") for i in range(3)]
    sc = _scenario(tiny, staff, [])
    reqs = (Requirement(MONDAY + dt.timedelta(days=5), "late", "S1", 2, 0),)
    problem = RosterProblem(sc, MONDAY, 7, reqs)
    roster = solve_roster(problem, PARAMS)
    assert [(u.date, u.shift, u.squad, u.units_missing) for u in roster.uncovered] == [
        (MONDAY + dt.timedelta(days=5), "late", "S1", 1)
    ]
    assert "shortfall" in roster.penalties
    assert roster.penalty_by_rule["shortfall"] == sc.roster.weights.shortfall
    assert roster.summary_dict()["uncovered"][0]["units_missing"] == 1


def test_impossible_week_names_rule_people_and_days(tiny: Scenario) -> None:
    """Tests that a strict-cover week that cannot be staffed is explained in words.

    Saturday late needs 3 units = 6 certified officers; the squad has 6 but P04 and P05
    are on leave, so 4 are available.
    """
    staff = [_person(i, "certified", "S1") for i in range(6)]
    sat = MONDAY + dt.timedelta(days=5)
    leave = [
        Leave("P04", sat, sat, "sick"),
        Leave("P05", sat - dt.timedelta(days=2), sat, "annual"),
    ]
    sc = _scenario(tiny, staff, leave)
    problem = RosterProblem(
        sc, MONDAY, 7, (Requirement(sat, "late", "S1", 3, 0),), strict_cover=True
    )
    with pytest.raises(InfeasibleError) as info:
        solve_roster(problem, PARAMS)
    text = str(info.value)
    assert "Sat 2026-11-28 late, squad S1 needs 3 units = 6 certified officers" in text
    assert "4 certified officers are available: P04 人4 and P05 人5 are on leave" in text


def test_rest_rule_conflict_is_named(tiny: Scenario) -> None:
    """Tests that a conflict caused by the 11-hour rest rule names the rest rule and people.

    Tuesday late needs 2 units (4 of the 4 certified), Wednesday early 1 unit: everyone who
    worked late would need to start early after only 8 hours.
    """
    staff = [_person(i, "certified", "S1") for i in range(4)]
    sc = _scenario(tiny, staff, [])
    tue, wed = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    reqs = (Requirement(tue, "late", "S1", 2, 0), Requirement(wed, "early", "S1", 1, 0))
    problem = RosterProblem(sc, MONDAY, 7, reqs, strict_cover=True)
    with pytest.raises(InfeasibleError) as info:
        solve_roster(problem, PARAMS)
    text = str(info.value)
    assert "Tue 2026-11-24 late, squad S1 needs 2 units" in text
    assert "Wed 2026-11-25 early, squad S1 needs 1 unit" in text
    assert "11 h rest between shifts" in text
    assert "days off" not in text


def test_strict_cover_feasible_week_has_no_shortfall(tiny: Scenario) -> None:
    """Tests that strict cover returns a fully covered roster when one exists."""
    staff = [_person(i, "certified", "S1") for i in range(6)]
    sc = _scenario(tiny, staff, [])
    reqs = tuple(Requirement(MONDAY + dt.timedelta(days=k), "day", "S1", 1, 0) for k in range(7))
    problem = RosterProblem(sc, MONDAY, 7, reqs, strict_cover=True)
    roster = solve_roster(problem, PARAMS)
    assert roster.uncovered == ()
    assert check_hard_rules(roster, problem) == []


def test_preferences_are_honoured_when_free(tiny: Scenario) -> None:
    """Tests that a wanted shift and an avoided day are granted when cover allows it."""
    staff = [_person(i, "certified", "S1") for i in range(4)]
    sc = _scenario(tiny, staff, [])
    reqs = tuple(Requirement(MONDAY + dt.timedelta(days=k), "day", "S1", 1, 0) for k in range(7))
    prefs = (
        Preference("P00", MONDAY, "early", "want", 3),
        Preference("P01", MONDAY + dt.timedelta(days=2), "off", "want", 3),
    )
    roster = solve_roster(RosterProblem(sc, MONDAY, 7, reqs, prefs), PARAMS)
    got = {(e.staff_id, e.date): e.shift for e in roster.entries}
    assert got.get(("P00", MONDAY)) == "early"
    assert ("P01", MONDAY + dt.timedelta(days=2)) not in got
    assert roster.penalty_by_rule["preference"] == 0


def test_duty_day_puts_spare_people_on_the_duty_shift(tiny: Scenario) -> None:
    """Tests that on a Friday study day non-study shifts carry no more people than needed."""
    staff = [_person(i, "certified", "S1") for i in range(6)]
    duty = Duty("周五学习", 4, 15 * 60, 16 * 60 + 30, 1, ("day",))
    sc = _scenario(tiny, staff, [], duties=(duty,))
    fri = MONDAY + dt.timedelta(days=4)
    reqs = (Requirement(fri, "late", "S1", 1, 0),)
    roster = solve_roster(RosterProblem(sc, MONDAY, 7, reqs), PARAMS)
    friday = Counter(e.shift for e in roster.entries if e.date == fri)
    assert friday["late"] == 2
    assert friday["early"] == friday["night"] == 0


def test_previous_roster_blocks_early_after_late(tiny: Scenario) -> None:
    """Tests that a late shift on the Sunday before forbids an early shift on Monday."""
    staff = [_person(i, "certified", "S1") for i in range(2)]
    sc = _scenario(tiny, staff, [])
    reqs = (Requirement(MONDAY, "early", "S1", 1, 0),)
    previous = {("P00", MONDAY - dt.timedelta(days=1)): "late"}
    roster = solve_roster(RosterProblem(sc, MONDAY, 7, reqs, previous=previous), PARAMS)
    assert all(
        not (e.staff_id == "P00" and e.date == MONDAY and e.shift == "early")
        for e in roster.entries
    )
    assert roster.uncovered[0].units_missing == 1


def test_same_seed_same_roster(tiny: Scenario) -> None:
    """Tests that the same seed and deterministic limits give an identical roster."""
    problem = RosterProblem(tiny, MONDAY, 7, default_requirements(tiny, MONDAY))
    a = solve_roster(problem, PARAMS)
    b = solve_roster(build_roster_model(problem), PARAMS)
    assert a.entries == b.entries


def test_interleaved_searches_give_the_same_roster_on_a_busy_machine(nanhu: Scenario) -> None:
    """Tests that the default budget (searches interleaved in fixed batches) gives one roster
    whether it runs alone or three at once on the same cores, so that CP-SAT's threads
    finish in another order."""
    problem = RosterProblem(nanhu, MONDAY, 7, default_requirements(nanhu, MONDAY))
    params = RosterParams.reproducible(2.0, seed=1)
    assert params.interleave
    assert params.num_workers > 1
    assert params.time_limit_s is None
    alone = solve_roster(problem, params)
    with cf.ThreadPoolExecutor(3) as pool:
        crowded = list(pool.map(lambda _: solve_roster(problem, params), range(3)))
    assert all(r.entries == alone.entries for r in crowded)
    assert all(r.objective == alone.objective for r in crowded)


def test_default_budget_grows_with_the_district_and_the_weeks() -> None:
    """Tests that the default work limit is the reference's for districts up to its size,
    grows with the square root of the staff beyond it, and in proportion to the weeks."""
    base = default_work(REFERENCE_STAFF)
    assert base == DEFAULT_WORK_LIMIT
    assert default_work(5) == base
    assert default_work(4 * REFERENCE_STAFF) == pytest.approx(2 * base)
    assert default_work(REFERENCE_STAFF, weeks=4) == pytest.approx(4 * base)
    sizes = [35, 100, 500, 2000, 10000]
    budgets = [default_work(n) for n in sizes]
    assert budgets == sorted(budgets)
    assert all(b / base <= n / REFERENCE_STAFF for b, n in zip(budgets, sizes, strict=True))


def test_default_requirements_follow_default_cover(tiny: Scenario) -> None:
    """Tests that default cover gives one row per day × listed shift × squad."""
    reqs = default_requirements(tiny, MONDAY, 14)
    assert len(reqs) == 14 * len(tiny.roster.default_cover) * len(tiny.squads)
    assert reqs[0].auxiliaries == reqs[0].units * tiny.roster.unit_auxiliaries


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("date,shift,squad,units\n2026-13-01,early,S1,1\n", r"requirements.csv:2: date"),
        ("date,shift,squad,units\n2026-11-23,lunch,S1,1\n", r"requirements.csv:2: shift"),
        ("date,shift,squad,units\n2026-11-23,early,S9,1\n", r"requirements.csv:2: squad"),
        ("date,shift,squad,units\n2026-11-23,early,S1,-1\n", r"requirements.csv:2: units"),
        ("date,shift,squad,units\n2026-11-23,early,S1,1.5\n", r"requirements.csv:2: units"),
        (
            "date,shift,squad,units\n2026-11-23,early,S1,1\n2026-11-23,early,S1,2\n",
            r"requirements.csv:3: date: second row",
        ),
        ("date,shift,units\n", r"requirements.csv:1: squad: missing column"),
    ],
)
def test_bad_requirements_are_reported(
    tiny: Scenario, tmp_path: Path, text: str, match: str
) -> None:
    """Tests that bad requirements.csv values raise ScenarioError with file, row and field."""
    path = tmp_path / "requirements.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=match):
        read_requirements(path, tiny)


def test_requirements_and_preferences_read(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that good requirements, preferences and previous rosters are read as written."""
    req = tmp_path / "requirements.csv"
    req.write_text(
        "date,shift,squad,units,auxiliaries\n2026-11-23,early,S1,2,\n2026/11/24,late,S1,1,3\n",
        encoding="utf-8",
    )
    assert read_requirements(req, tiny) == (
        Requirement(MONDAY, "early", "S1", 2, 2 * tiny.roster.unit_auxiliaries),
        Requirement(MONDAY + dt.timedelta(days=1), "late", "S1", 1, 3),
    )
    pref = tmp_path / "preferences.csv"
    pref.write_text(
        "staff_id,date,shift,kind,weight\nT01,2026-11-23,off,want,2\nT02,2026-11-24,late,avoid,\n",
        encoding="utf-8",
    )
    assert read_preferences(pref, tiny) == (
        Preference("T01", MONDAY, "off", "want", 2),
        Preference("T02", MONDAY + dt.timedelta(days=1), "late", "avoid", 1),
    )
    prev = tmp_path / "roster.csv"
    prev.write_text(
        "staff_id,date,shift\nT01,2026-11-22,late\nXX,2026-11-22,late\n", encoding="utf-8"
    )
    assert read_previous_roster(prev, tiny) == {("T01", MONDAY - dt.timedelta(days=1)): "late"}
    bad = tmp_path / "bad.csv"
    bad.write_text("staff_id,date,shift,kind\nT99,2026-11-23,early,maybe\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad.csv:2: staff_id: unknown staff id") as info:
        read_preferences(bad, tiny)
    assert "bad.csv:2: kind: unknown value" in str(info.value)


def test_checker_catches_broken_rosters(tiny: Scenario) -> None:
    """Tests that the independent checker used above reports rest, leave and double shifts."""
    staff = [_person(i, "certified", "S1") for i in range(4)]
    tue = MONDAY + dt.timedelta(days=1)
    sc = _scenario(tiny, staff, [Leave("P01", tue, tue, "sick")])
    problem = RosterProblem(sc, MONDAY, 7, (Requirement(MONDAY, "late", "S1", 1, 0),))
    roster = solve_roster(problem, PARAMS)
    late = next(e for e in roster.entries if e.shift == "late")
    early = dataclasses.replace(
        late,
        date=tue,
        shift="early",
        start=late.start + dt.timedelta(hours=16),
        end=late.end + dt.timedelta(hours=16),
    )
    on_leave = dataclasses.replace(
        early,
        staff_id="P01",
        shift="day",
        start=early.start + dt.timedelta(minutes=150),
        end=early.start + dt.timedelta(minutes=660),
    )
    broken = dataclasses.replace(roster, entries=(*roster.entries, early, on_leave, on_leave))
    found = " | ".join(check_hard_rules(broken, problem))
    assert "rest late->early" in found
    assert "P01 works on leave" in found
    assert "P01 two shifts" in found


def test_staff_limits_and_forbidden_pairs_hold(tiny: Scenario) -> None:
    """Tests that personal limits over the horizon and listed successions are hard rules.

    Cover asks for two units on every early and night shift of two weeks; P00 may work no
    night, at most 3 early shifts, at most one weekend, in runs of at least 2 days with at
    least 2 days off between them, and nobody may work day after night (which 11 h of rest
    allow).
    """
    staff = [_person(i, "certified", "S1") for i in range(6)]
    sc = _scenario(tiny, staff, [])
    reqs = tuple(
        Requirement(MONDAY + dt.timedelta(days=k), s, "S1", 2, 0)
        for k in range(14)
        for s in ("early", "night")
    )
    limits = (
        StaffLimits(
            "P00",
            max_shifts={"night": 0, "early": 3},
            max_weekends=1,
            min_consecutive_days=2,
            min_consecutive_days_off=2,
            max_consecutive_days=4,
            min_minutes=8 * 60 * 5,
        ),
    )
    problem = RosterProblem(
        sc, MONDAY, 14, reqs, limits=limits, forbidden_pairs=(("night", "day"),)
    )
    roster = solve_roster(problem, dataclasses.replace(PARAMS, max_deterministic_time=1.0))
    assert check_hard_rules(roster, problem) == []
    mine = {(e.date - MONDAY).days: e.shift for e in roster.entries if e.staff_id == "P00"}
    assert "night" not in mine.values()
    assert sum(1 for s in mine.values() if s == "early") <= 3
    assert len(mine) >= 5
    weekends = {k // 7 for k in mine if k % 7 >= 5}
    assert len(weekends) <= 1
    worked = [k in mine for k in range(14)]
    runs = [(v, len(list(g))) for v, g in itertools.groupby(worked)]
    inner = runs[1:-1]
    assert all(n >= 2 for _, n in inner), runs
    assert all(n <= 4 for v, n in runs if v), runs
    days: dict[str, dict[dt.date, str]] = defaultdict(dict)
    for e in roster.entries:
        days[e.staff_id][e.date] = e.shift
    for sid, by_date in days.items():
        for d, s in by_date.items():
            assert not (s == "night" and by_date.get(d + dt.timedelta(days=1)) == "day"), sid


def test_requirement_weights_replace_the_scenario_weights(tiny: Scenario) -> None:
    """Tests that a requirement's own under / over weights price its shortfall and surplus."""
    staff = [_person(i, "certified", "S1") for i in range(3)]
    sc = _scenario(tiny, staff, [])
    sat = MONDAY + dt.timedelta(days=5)
    reqs = (Requirement(sat, "late", "S1", 2, 0, weight_under=7, weight_over=0),)
    roster = solve_roster(RosterProblem(sc, MONDAY, 7, reqs), PARAMS)
    assert roster.penalty_by_rule["shortfall"] == 7
