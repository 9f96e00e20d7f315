"""Read TOPTW instances and check and score solutions of them independently.

The files are the KU Leuven / Vansteenwegen TOPTW format staged in
``../shared/benchmarks/toptw`` (see its README): a header of two lines, then one line per node
``i x y d S f a <a values> O C`` with service duration ``d``, score ``S`` and the window
``[O, C]`` for the start of service. Node 0 is the depot (start and end) and its closing time
is the route length limit Tmax. Travel time equals Euclidean distance **rounded down** to one
decimal (Solomon-based files) or two decimals (Cordeau ``pr`` files).

Everything here works in integer *ticks* (tenths or hundredths of a time unit) so that the
rounding rule is exact: ``travel_ticks[i, j] = floor(distance * scale)``.

:func:`check_solution` is deliberately independent of the optimiser in
:mod:`patrolsim.routing`: it recomputes every distance from the coordinates, replays
each route from the depot and reports every window, Tmax or repeat-visit violation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from patrolsim.errors import ScenarioError

__all__ = [
    "TOPTWCheck",
    "TOPTWInstance",
    "check_solution",
    "read_toptw",
    "rounding_decimals",
]


@dataclass(frozen=True, slots=True)
class TOPTWInstance:
    """A TOPTW instance (node 0 is the depot; times in the file's units).

    Attributes
    ----------
    name
        File stem, e.g. ``c101`` or ``pr01``.
    x, y
        Coordinates of every node, depot first.
    service
        Visit duration of every node (0 at the depot).
    score
        Prize of every node (0 at the depot).
    open, close
        Window for the start of service of every node; ``close[0]`` is Tmax.
    decimals
        Distances are rounded down to this many decimals (1 Solomon, 2 Cordeau).
    """

    name: str
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    service: npt.NDArray[np.float64]
    score: npt.NDArray[np.int64]
    open: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    decimals: int
    header: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.x)
        if n < 2:
            raise ValueError(f"Expected at least 2 nodes, got {n}.")
        for name in ("y", "service", "score", "open", "close"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Expected {name} of length {n}, got {len(getattr(self, name))}.")
        if self.decimals not in (0, 1, 2, 3):
            raise ValueError(f"Expected decimals in 0..3, got {self.decimals}.")

    @property
    def num_nodes(self) -> int:
        """Number of nodes including the depot."""
        return len(self.x)

    @property
    def tmax(self) -> float:
        """Route length limit (closing time of the depot)."""
        return float(self.close[0])

    @property
    def scale(self) -> int:
        """Ticks per time unit: ``10 ** decimals``."""
        return int(10**self.decimals)

    def travel_ticks(self) -> npt.NDArray[np.int64]:
        """Travel times in ticks, Euclidean distance rounded down as the benchmark defines."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        d = np.sqrt(dx * dx + dy * dy) * self.scale
        # A tiny tolerance keeps exact values (e.g. 5.0 stored as 4.99999...) from dropping a tick.
        return np.floor(d + 1e-7).astype(np.int64)

    def to_ticks(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Convert file times (service, windows) to integer ticks; they are whole in the files."""
        return np.rint(np.asarray(values, dtype=np.float64) * self.scale).astype(np.int64)

    @property
    def total_score(self) -> int:
        """Sum of all prizes (an upper bound on any solution's score)."""
        return int(self.score.sum())


def rounding_decimals(path: str | os.PathLike[str]) -> int:
    """Decimals of the rounding rule for a file: 2 for Cordeau ``pr*`` files, else 1."""
    stem = Path(path).stem.lower()
    return 2 if stem.startswith("pr") else 1


def read_toptw(path: str | os.PathLike[str], decimals: int | None = None) -> TOPTWInstance:
    """Read a TOPTW instance file.

    Parameters
    ----------
    path
        The instance file.
    decimals
        Rounding rule for distances; by default taken from the file name
        (:func:`rounding_decimals`).

    Returns
    -------
    TOPTWInstance
        The instance, node 0 being the depot.

    Raises
    ------
    ScenarioError
        If the file is missing or a line cannot be read, one ``FILE:ROW: FIELD: ...`` line
        per problem.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{p}:0: file: not found (got {p})")
    lines = p.read_text(encoding="utf-8").splitlines()
    problems: list[str] = []
    rows: list[tuple[float, float, float, int, float, float]] = []
    expected = 0
    for lineno, line in enumerate(lines[2:], start=3):
        parts = line.split()
        if not parts:
            continue
        expected += 1
        if len(parts) < 9:
            problems.append(
                f"{p}:{lineno}: node: expected at least 9 fields (got {line.strip()!r})"
            )
            continue
        try:
            idx = int(parts[0])
            x, y, d, s = (float(v) for v in parts[1:5])
            o, c = float(parts[-2]), float(parts[-1])
        except ValueError:
            problems.append(f"{p}:{lineno}: node: not a number (got {line.strip()!r})")
            continue
        if idx != expected - 1:
            problems.append(f"{p}:{lineno}: i: expected node {expected - 1} (got {idx})")
        if s != int(s) or s < 0:
            problems.append(f"{p}:{lineno}: S: expected a whole score >= 0 (got {s})")
        if c < o:
            problems.append(f"{p}:{lineno}: C: closing before opening (got {c} < {o})")
        rows.append((x, y, d, int(s), o, c))
    if len(rows) < 2 and not problems:
        problems.append(f"{p}:3: node: expected a depot and at least one node (got {len(rows)})")
    if problems:
        raise ScenarioError(problems)
    arr = np.array([(*r[:3], float(r[3]), *r[4:]) for r in rows], dtype=np.float64)
    score = arr[:, 3].astype(np.int64)
    score[0] = 0
    service = arr[:, 2].copy()
    service[0] = 0.0
    return TOPTWInstance(
        name=p.stem,
        x=arr[:, 0],
        y=arr[:, 1],
        service=service,
        score=score,
        open=arr[:, 4],
        close=arr[:, 5],
        decimals=rounding_decimals(p) if decimals is None else decimals,
        header=tuple(lines[:2]),
    )


@dataclass(frozen=True, slots=True)
class TOPTWCheck:
    """Outcome of :func:`check_solution` on one TOPTW solution: feasible or not, and its score.

    Attributes
    ----------
    feasible
        No violation found.
    score
        Sum of the prizes of the distinct nodes visited (counted even when infeasible).
    violations
        One readable line per problem.
    """

    feasible: bool
    score: int
    violations: tuple[str, ...]


def _dist_ticks(inst: TOPTWInstance, i: int, j: int) -> int:
    """One distance in ticks, computed on its own (not from the solver's matrix)."""
    d = math.hypot(float(inst.x[i] - inst.x[j]), float(inst.y[i] - inst.y[j]))
    return math.floor(d * inst.scale + 1e-7)


def check_solution(
    inst: TOPTWInstance,
    routes: Sequence[Sequence[int]],
    teams: int,
    starts: Sequence[Sequence[float]] | None = None,
) -> TOPTWCheck:
    """Check a TOPTW solution and compute its score, independently of any solver.

    Each route is replayed from the depot at time 0, starting service at each node as early as
    its window allows (or at the given start time, which must not be earlier than arrival).

    Parameters
    ----------
    inst
        The instance.
    routes
        One node sequence per used team, **without** the depot at either end.
    teams
        Number of teams m; more non-empty routes than this is a violation.
    starts
        Optional start-of-service times per route (file time units), e.g. as written in
        routes.csv; checked against arrival and windows instead of the earliest schedule.

    Returns
    -------
    TOPTWCheck
        Feasibility, score and a line per violation.
    """
    scale = inst.scale
    open_t = inst.to_ticks(inst.open)
    close_t = inst.to_ticks(inst.close)
    serv_t = inst.to_ticks(inst.service)
    tmax = int(close_t[0])
    problems: list[str] = []
    seen: dict[int, int] = {}
    used = [r for r in routes if len(r) > 0]
    if len(used) > teams:
        problems.append(f"{len(used)} routes used but only {teams} teams")
    for r, route in enumerate(routes):
        t = int(open_t[0])
        prev = 0
        for k, node in enumerate(route):
            node = int(node)
            if not 0 < node < inst.num_nodes:
                problems.append(f"route {r} position {k}: node {node} does not exist")
                continue
            if node in seen:
                problems.append(
                    f"route {r}: node {node} visited again (first on route {seen[node]})"
                )
            seen.setdefault(node, r)
            arrive = t + _dist_ticks(inst, prev, node)
            start = max(arrive, int(open_t[node]))
            if starts is not None:
                given = round(float(starts[r][k]) * scale)
                if given < arrive:
                    problems.append(
                        f"route {r} node {node}: start {given / scale} "
                        f"before arrival {arrive / scale}"
                    )
                start = max(start, given)
            if start > close_t[node]:
                problems.append(
                    f"route {r} node {node}: start {start / scale} after window close "
                    f"{close_t[node] / scale}"
                )
            if start < open_t[node]:
                problems.append(
                    f"route {r} node {node}: start {start / scale} before window open "
                    f"{open_t[node] / scale}"
                )
            t = start + int(serv_t[node])
            prev = node
        back = t + _dist_ticks(inst, prev, 0)
        if route and back > tmax:
            problems.append(
                f"route {r}: returns to depot at {back / scale} after Tmax {tmax / scale}"
            )
    score = int(sum(int(inst.score[n]) for n in seen))
    return TOPTWCheck(feasible=not problems, score=score, violations=tuple(problems))
