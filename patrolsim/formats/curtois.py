"""The public shift-scheduling benchmark of Curtois & Qu (2014): reader and evaluator.

The format and the rules are described in ``shared/benchmarks/shift-scheduling/README.md``:
seven sections (horizon, shifts, staff, days off, shift-on requests, shift-off requests,
cover), comma-separated, ``#`` comments, day 0 a Monday. :func:`read_curtois` turns a file
into a frozen :class:`CurtoisInstance`; :func:`evaluate_curtois` computes the benchmark's
objective for an assignment and lists every broken hard constraint. The evaluator shares no
code with the solvers (the roster model through :mod:`patrolsim.roster.curtois`, and the
benchmark-only solver in ``benchmarks/curtois/``), so that it checks them rather than
repeating them.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from patrolsim.errors import ScenarioError

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@dataclass(frozen=True, slots=True)
class CurtoisShift:
    """A shift type: its id, length and the shifts that may not be worked the next day."""

    id: str
    length_min: int
    cannot_follow: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CurtoisStaff:
    """One employee and its hard limits over the whole horizon."""

    id: str
    max_shifts: Mapping[str, int]
    """Maximum number of shifts of each type; 0: cannot work that type."""
    max_total_min: int
    min_total_min: int
    max_consecutive: int
    min_consecutive: int
    min_consecutive_off: int
    max_weekends: int
    days_off: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    """A wish to work (on-request) or not to work (off-request) a shift on a day."""

    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True, slots=True)
class CoverRequirement:
    """Number of employees wanted on ``shift`` on ``day`` and the weights of missing it."""

    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True, slots=True)
class CurtoisInstance:
    """One benchmark instance, as read from its file."""

    name: str
    horizon: int
    shifts: tuple[CurtoisShift, ...]
    staff: tuple[CurtoisStaff, ...]
    on_requests: tuple[ShiftRequest, ...]
    off_requests: tuple[ShiftRequest, ...]
    cover: tuple[CoverRequirement, ...]

    def shift(self, shift_id: str) -> CurtoisShift:
        """The shift type with id ``shift_id``."""
        for s in self.shifts:
            if s.id == shift_id:
                return s
        raise KeyError(shift_id)

    @property
    def weeks(self) -> int:
        """Number of whole weeks in the horizon."""
        return self.horizon // 7


#: An assignment: ``{(staff_id, day): shift_id}`` for every worked day; absent = day off.
Assignment = Mapping[tuple[str, int], str]


@dataclass(frozen=True, slots=True)
class CurtoisEvaluation:
    """The benchmark objective of an assignment, split by term, and its hard violations."""

    objective: int
    on_request_penalty: int
    off_request_penalty: int
    under_cover_penalty: int
    over_cover_penalty: int
    violations: tuple[str, ...] = field(default=())

    @property
    def feasible(self) -> bool:
        """Whether every hard constraint holds."""
        return not self.violations

    def summary(self) -> str:
        """One line: objective, its terms and the number of hard violations."""
        return (
            f"objective {self.objective} (on-requests {self.on_request_penalty}, "
            f"off-requests {self.off_request_penalty}, under-cover {self.under_cover_penalty}, "
            f"over-cover {self.over_cover_penalty}); "
            f"{len(self.violations)} hard violation(s)"
        )

    def __str__(self) -> str:
        return self.summary()


def _int(value: str, where: str, fieldname: str, problems: list[str], minimum: int = 0) -> int:
    """Parse a non-negative integer or record a problem and return ``minimum``."""
    try:
        result = int(value)
    except ValueError:
        problems.append(f"{where}: {fieldname}: expected an integer (got {value!r})")
        return minimum
    if result < minimum:
        problems.append(f"{where}: {fieldname}: expected an integer ≥ {minimum} (got {value!r})")
        return minimum
    return result


def read_curtois(path: str | os.PathLike[str]) -> CurtoisInstance:
    """Read a benchmark instance file.

    Parameters
    ----------
    path
        An ``InstanceN.txt`` file in the format of the benchmark's README.

    Returns
    -------
    CurtoisInstance
        The instance; its ``name`` is the file's stem.

    Raises
    ------
    ScenarioError
        With one ``FILE:LINE: FIELD: problem (got VALUE)`` line per problem found.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read the file ({exc.strerror})") from exc
    rows: dict[str, list[tuple[int, list[str]]]] = {s: [] for s in SECTIONS}
    problems: list[str] = []
    current: str | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r").strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in rows:
                problems.append(f"{p}:{lineno}: section: unknown section (got {line!r})")
                current = None
            else:
                current = line
            continue
        if current is None:
            problems.append(f"{p}:{lineno}: section: data before any section (got {line!r})")
            continue
        rows[current].append((lineno, next(csv.reader([line]))))
    for s in SECTIONS:
        if s not in text:
            problems.append(f"{p}: {s}: section missing")
    if problems:
        raise ScenarioError(problems)

    horizon = 0
    if len(rows["SECTION_HORIZON"]) != 1:
        n = len(rows["SECTION_HORIZON"])
        problems.append(f"{p}: SECTION_HORIZON: expected one line (got {n})")
    else:
        lineno, cells = rows["SECTION_HORIZON"][0]
        horizon = _int(cells[0], f"{p}:{lineno}", "horizon", problems, minimum=1)

    shifts: list[CurtoisShift] = []
    for lineno, cells in rows["SECTION_SHIFTS"]:
        where = f"{p}:{lineno}"
        if len(cells) < 2:
            problems.append(f"{where}: shift: expected ShiftID,Length,CannotFollow (got {cells!r})")
            continue
        follow = tuple(c for c in (cells[2].split("|") if len(cells) > 2 else []) if c)
        shifts.append(
            CurtoisShift(cells[0], _int(cells[1], where, "LengthInMinutes", problems, 1), follow)
        )
    shift_ids = {s.id for s in shifts}
    for sh in shifts:
        for t in sh.cannot_follow:
            if t not in shift_ids:
                problems.append(f"{p}: SECTION_SHIFTS: CannotFollow: unknown shift (got {t!r})")

    staff_rows: list[tuple[str, dict[str, int], list[int]]] = []
    for lineno, cells in rows["SECTION_STAFF"]:
        where = f"{p}:{lineno}"
        if len(cells) != 8:
            problems.append(f"{where}: staff: expected 8 fields (got {len(cells)})")
            continue
        maxes: dict[str, int] = {}
        for item in cells[1].split("|"):
            sid, _, count = item.partition("=")
            if sid not in shift_ids:
                problems.append(f"{where}: MaxShifts: unknown shift (got {sid!r})")
                continue
            maxes[sid] = _int(count, where, "MaxShifts", problems)
        for sid in shift_ids - set(maxes):
            maxes[sid] = 0
        names = (
            "MaxTotalMinutes",
            "MinTotalMinutes",
            "MaxConsecutiveShifts",
            "MinConsecutiveShifts",
            "MinConsecutiveDaysOff",
            "MaxWeekends",
        )
        nums = [_int(c, where, n, problems) for c, n in zip(cells[2:], names, strict=True)]
        staff_rows.append((cells[0], maxes, nums))
    staff_ids = {r[0] for r in staff_rows}

    days_off: dict[str, tuple[int, ...]] = {}
    for lineno, cells in rows["SECTION_DAYS_OFF"]:
        where = f"{p}:{lineno}"
        if cells[0] not in staff_ids:
            problems.append(f"{where}: EmployeeID: unknown employee (got {cells[0]!r})")
            continue
        days = tuple(_int(c, where, "day", problems) for c in cells[1:] if c != "")
        for d in days:
            if d >= horizon:
                problems.append(f"{where}: day: outside the horizon 0..{horizon - 1} (got {d})")
        days_off[cells[0]] = days

    def requests(section: str) -> list[ShiftRequest]:
        out: list[ShiftRequest] = []
        for lineno, cells in rows[section]:
            where = f"{p}:{lineno}"
            if len(cells) != 4:
                problems.append(f"{where}: request: expected 4 fields (got {len(cells)})")
                continue
            if cells[0] not in staff_ids:
                problems.append(f"{where}: EmployeeID: unknown employee (got {cells[0]!r})")
            if cells[2] not in shift_ids:
                problems.append(f"{where}: ShiftID: unknown shift (got {cells[2]!r})")
            day = _int(cells[1], where, "Day", problems)
            if day >= horizon:
                problems.append(f"{where}: Day: outside the horizon 0..{horizon - 1} (got {day})")
            out.append(
                ShiftRequest(cells[0], day, cells[2], _int(cells[3], where, "Weight", problems))
            )
        return out

    on = requests("SECTION_SHIFT_ON_REQUESTS")
    off = requests("SECTION_SHIFT_OFF_REQUESTS")

    cover: list[CoverRequirement] = []
    seen: set[tuple[int, str]] = set()
    for lineno, cells in rows["SECTION_COVER"]:
        where = f"{p}:{lineno}"
        if len(cells) != 5:
            problems.append(f"{where}: cover: expected 5 fields (got {len(cells)})")
            continue
        day = _int(cells[0], where, "Day", problems)
        if cells[1] not in shift_ids:
            problems.append(f"{where}: ShiftID: unknown shift (got {cells[1]!r})")
        if (day, cells[1]) in seen:
            problems.append(f"{where}: cover: second row for day {day} shift {cells[1]}")
        seen.add((day, cells[1]))
        cover.append(
            CoverRequirement(
                day,
                cells[1],
                _int(cells[2], where, "Requirement", problems),
                _int(cells[3], where, "WeightForUnder", problems),
                _int(cells[4], where, "WeightForOver", problems),
            )
        )
    if problems:
        raise ScenarioError(problems)

    staff = tuple(
        CurtoisStaff(sid, maxes, *nums, days_off=days_off.get(sid, ()))  # type: ignore[arg-type, misc]
        for sid, maxes, nums in staff_rows
    )
    return CurtoisInstance(
        p.stem, horizon, tuple(shifts), staff, tuple(on), tuple(off), tuple(cover)
    )


def _runs(worked: list[bool], value: bool) -> Iterable[tuple[int, int]]:
    """Yield (start, length) of every maximal run of ``value`` in ``worked``."""
    start: int | None = None
    for d, w in enumerate([*worked, not value]):
        if w == value and start is None:
            start = d
        elif w != value and start is not None:
            yield start, d - start
            start = None


def evaluate_curtois(instance: CurtoisInstance, assignment: Assignment) -> CurtoisEvaluation:
    """Compute the benchmark objective of ``assignment`` and check every hard constraint.

    Written directly from the benchmark's README, independently of the solver.

    Parameters
    ----------
    instance
        The instance.
    assignment
        ``{(staff_id, day): shift_id}`` for every worked day.

    Returns
    -------
    CurtoisEvaluation
        The objective split by term and one message per broken hard constraint.
    """
    violations: list[str] = []
    lengths = {s.id: s.length_min for s in instance.shifts}
    follow = {s.id: set(s.cannot_follow) for s in instance.shifts}
    staff_ids = {e.id for e in instance.staff}
    for (eid, day), sid in assignment.items():
        if eid not in staff_ids:
            violations.append(f"unknown employee {eid!r}")
        if not 0 <= day < instance.horizon:
            violations.append(f"{eid}: day {day} outside the horizon")
        if sid not in lengths:
            violations.append(f"{eid} day {day}: unknown shift {sid!r}")
    for e in instance.staff:
        days = [assignment.get((e.id, d)) for d in range(instance.horizon)]
        worked = [s is not None for s in days]
        for d in range(instance.horizon - 1):
            s, t = days[d], days[d + 1]
            if s is not None and t is not None and t in follow.get(s, set()):
                violations.append(f"{e.id}: shift {t} on day {d + 1} cannot follow {s} on day {d}")
        for sid, mx in e.max_shifts.items():
            n = sum(1 for s in days if s == sid)
            if n > mx:
                violations.append(f"{e.id}: {n} shifts of type {sid}, at most {mx} allowed")
        total = sum(lengths.get(s, 0) for s in days if s is not None)
        if total > e.max_total_min:
            violations.append(f"{e.id}: {total} minutes worked, at most {e.max_total_min}")
        if total < e.min_total_min:
            violations.append(f"{e.id}: {total} minutes worked, at least {e.min_total_min}")
        for start, length in _runs(worked, True):
            if length > e.max_consecutive:
                violations.append(
                    f"{e.id}: {length} consecutive shifts from day {start}, "
                    f"at most {e.max_consecutive}"
                )
            touches = start == 0 or start + length == instance.horizon
            if length < e.min_consecutive and not touches:
                violations.append(
                    f"{e.id}: {length} consecutive shifts from day {start}, "
                    f"at least {e.min_consecutive}"
                )
        for start, length in _runs(worked, False):
            touches = start == 0 or start + length == instance.horizon
            if length < e.min_consecutive_off and not touches:
                violations.append(
                    f"{e.id}: {length} consecutive days off from day {start}, "
                    f"at least {e.min_consecutive_off}"
                )
        weekends = sum(1 for w in range(instance.weeks) if worked[7 * w + 5] or worked[7 * w + 6])
        if weekends > e.max_weekends:
            violations.append(f"{e.id}: {weekends} weekends worked, at most {e.max_weekends}")
        for d in e.days_off:
            if worked[d]:
                violations.append(f"{e.id}: works on day {d}, a fixed day off")

    on_pen = sum(
        r.weight for r in instance.on_requests if assignment.get((r.staff, r.day)) != r.shift
    )
    off_pen = sum(
        r.weight for r in instance.off_requests if assignment.get((r.staff, r.day)) == r.shift
    )
    counts: dict[tuple[int, str], int] = {}
    for (_, d), s in assignment.items():
        counts[d, s] = counts.get((d, s), 0) + 1
    under = sum(
        c.weight_under * max(0, c.requirement - counts.get((c.day, c.shift), 0))
        for c in instance.cover
    )
    over = sum(
        c.weight_over * max(0, counts.get((c.day, c.shift), 0) - c.requirement)
        for c in instance.cover
    )
    return CurtoisEvaluation(
        on_pen + off_pen + under + over, on_pen, off_pen, under, over, tuple(violations)
    )


def read_assignment_csv(path: str | os.PathLike[str]) -> dict[tuple[str, int], str]:
    """Read a ``staff_id,day,shift`` roster written by ``patrolsim roster --curtois``."""
    p = Path(path)
    out: dict[tuple[str, int], str] = {}
    problems: list[str] = []
    with p.open(encoding="utf-8", newline="") as fh:
        for row_no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                day = int(row["day"])
            except (TypeError, ValueError):
                problems.append(f"{p}:{row_no}: day: expected an integer (got {row.get('day')!r})")
                continue
            out[row["staff_id"], day] = row["shift"]
    if problems:
        raise ScenarioError(problems)
    return out
