"""CP-SAT machinery of the roster: settings, solver set-up, progress lines, rule helpers.

Solver settings (:class:`RosterParams`), the solver set-up, a progress callback that prints
objective/bound lines to stderr, the soft-cover helper (``add_soft_*`` return
``(penalty_vars, coeffs)``, STYLE.md §6) and the forbidden-pattern clauses for minimum runs
of work or rest. The benchmark-only solver in ``benchmarks/curtois/`` builds on them too.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from ortools.sat.python import cp_model

#: CP-SAT statuses that carry a solution.
SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)

#: Deterministic time (CP-SAT deterministic seconds) per week of roster when no budget is
#: asked for (``patrolsim roster --work-limit``): the same inputs and seed then give the
#: same roster, however busy the machine. Figures in ``benchmarks/RESULTS.md``.
DEFAULT_WORK_LIMIT = 10.0

#: Staff of the reference district (nanhu), for which :data:`DEFAULT_WORK_LIMIT` was chosen.
REFERENCE_STAFF = 35


def default_work(staff: int, weeks: int = 1, per_week: float = DEFAULT_WORK_LIMIT) -> float:
    """The default deterministic budget of a roster of ``staff`` people over ``weeks`` weeks.

    ``per_week`` per week for a district up to the reference's size, times
    ``√(staff / REFERENCE_STAFF)`` beyond it: a larger model needs more search. On a synthetic
    district of 2,000 people (one week), work 10 left 2,758 unit-shifts uncovered, 40 left
    1,883 and 80 left 1,620; the square root gives about 76 (about four minutes on two
    cores) where proportional growth would give 570.
    """
    return round(per_week * max(1, weeks) * max(1.0, math.sqrt(staff / REFERENCE_STAFF)), 1)


#: Searches of the interleaved portfolio under a deterministic budget
#: (:meth:`RosterParams.reproducible`). Fixed, not the machine's cores: the portfolio, and
#: so the roster, depends on the number. Two threads suit the bureaus' small machines; on
#: nanhu's four-week roster (work 40) two, four and eight interleaved searches each left
#: 57 units short where one search left 64.
REPRODUCIBLE_WORKERS = 2


@dataclass(frozen=True, slots=True)
class RosterParams:
    """Settings of a roster solve; by default a deterministic budget (one week's
    :data:`DEFAULT_WORK_LIMIT`, :data:`REPRODUCIBLE_WORKERS` interleaved searches), so that
    the same inputs and seed give the same roster on any machine. :meth:`wall_clock` gives a
    wall-clock limit instead.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit in seconds (``None``: none).
    num_workers
        CP-SAT search workers (the bureaus' machines are small).
    interleave
        With more than one worker, run their searches interleaved in fixed batches
        (CP-SAT ``interleave_search``) rather than racing: the roster then depends on the
        deterministic-time limit and the seed alone, not on the machine's speed or load
        (:meth:`reproducible`).
    seed
        CP-SAT ``random_seed``.
    max_deterministic_time
        Deterministic-time limit (CP-SAT deterministic seconds); with one worker or
        ``interleave``, and no wall-clock limit, the same inputs and seed give the same
        roster.
    relative_gap
        Stop when (objective − bound) / objective falls below this.
    progress
        Print one line per improving solution to stderr.
    log_search
        Let CP-SAT print its own search log.
    subsolvers
        Names of CP-SAT full-problem subsolvers to use instead of the default portfolio.
    """

    time_limit_s: float | None = None
    num_workers: int = REPRODUCIBLE_WORKERS
    interleave: bool = True
    seed: int = 0
    max_deterministic_time: float | None = DEFAULT_WORK_LIMIT
    relative_gap: float = 0.0
    progress: bool = False
    log_search: bool = False
    subsolvers: tuple[str, ...] = ("max_lp",)
    """Full-problem CP-SAT subsolvers to run; empty: CP-SAT's default portfolio. The default
    ``max_lp`` (full linear relaxation) gives strong lower bounds on cover-driven rosters: on
    two workers the default portfolio's ``default_lp`` stalls far below the optimum."""

    def __post_init__(self) -> None:
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise ValueError(f"Expected time_limit_s > 0, got {self.time_limit_s}.")
        if self.num_workers < 1:
            raise ValueError(f"Expected num_workers ≥ 1, got {self.num_workers}.")
        if self.max_deterministic_time is not None and not self.max_deterministic_time > 0:
            raise ValueError(
                f"Expected max_deterministic_time > 0, got {self.max_deterministic_time}."
            )
        if not 0 <= self.relative_gap < 1:
            raise ValueError(f"Expected 0 ≤ relative_gap < 1, got {self.relative_gap}.")

    @classmethod
    def reproducible(
        cls, work: float, seed: int = 0, workers: int = REPRODUCIBLE_WORKERS, progress: bool = False
    ) -> RosterParams:
        """A deterministic budget of ``work`` CP-SAT deterministic seconds: ``workers``
        searches interleaved, no clock; the same inputs and seed give the same roster on any
        machine."""
        return cls(
            time_limit_s=None,
            max_deterministic_time=work,
            num_workers=workers,
            interleave=workers > 1,
            seed=seed,
            progress=progress,
        )

    @classmethod
    def wall_clock(
        cls, seconds: float, seed: int = 0, workers: int = 2, progress: bool = False
    ) -> RosterParams:
        """A wall-clock limit of ``seconds``: ``workers`` searches racing, no deterministic
        limit; faster machines search further, and two runs may differ."""
        return cls(
            time_limit_s=seconds,
            max_deterministic_time=None,
            num_workers=workers,
            interleave=False,
            seed=seed,
            progress=progress,
        )


def make_solver(params: RosterParams) -> cp_model.CpSolver:
    """Return a CP-SAT solver configured from ``params``."""
    solver = cp_model.CpSolver()
    sp = solver.parameters
    sp.num_workers = params.num_workers
    sp.interleave_search = params.interleave and params.num_workers > 1
    sp.random_seed = params.seed
    if params.time_limit_s is not None:
        sp.max_time_in_seconds = params.time_limit_s
    if params.max_deterministic_time is not None:
        sp.max_deterministic_time = params.max_deterministic_time
    if params.relative_gap > 0:
        sp.relative_gap_limit = params.relative_gap
    sp.log_search_progress = params.log_search
    if params.subsolvers:
        sp.subsolvers.extend(params.subsolvers)
        if params.num_workers == 1 and "max_lp" in params.subsolvers:
            # One worker runs no portfolio: ask its search for the full LP instead.
            sp.linearization_level = 2
    return solver


class ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Print ``time, objective, bound, gap`` to a stream on every improving solution."""

    def __init__(self, label: str = "roster", stream: IO[str] | None = None) -> None:
        super().__init__()
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._t0 = time.perf_counter()
        self.solutions = 0

    def on_solution_callback(self) -> None:
        """Print one progress line."""
        self.solutions += 1
        obj = self.objective_value
        bound = self.best_objective_bound
        print(
            f"{self._label}: {time.perf_counter() - self._t0:7.1f} s  "
            f"objective {obj:.0f}  bound {bound:.0f}  gap {relative_gap(obj, bound):.2%}",
            file=self._stream,
            flush=True,
        )


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when both are 0; ``nan`` without a solution."""
    if math.isnan(objective):
        return math.nan
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-9)


def add_soft_cover(
    model: cp_model.CpModel,
    count: cp_model.LinearExprT,
    need: int,
    max_count: int,
    weight_under: int,
    weight_over: int,
    prefix: str,
) -> tuple[list[cp_model.IntVar], list[int]]:
    """Penalise ``count`` below or above ``need`` (OT ``add_soft_sum_constraint``).

    ``count + under − over == need`` with ``under ∈ [0, need]`` and ``over ∈ [0, max_count]``
    is tight: at most one of them is non-zero in an optimal solution, and the LP relaxation
    sees the shortfall directly.

    Parameters
    ----------
    model
        The model.
    count
        Linear expression of the people (or units) on the shift.
    need
        Required count.
    max_count
        Upper bound of ``count``.
    weight_under, weight_over
        Penalty per missing / surplus person.
    prefix
        Name stem of the new variables.

    Returns
    -------
    tuple
        ``([under, over], [weight_under, weight_over])``; a variable with zero weight is left
        out.
    """
    under = model.new_int_var(0, max(need, 0), f"{prefix}.under")
    over = model.new_int_var(0, max(max_count - need, 0), f"{prefix}.over")
    model.add(count + under - over == need)  # type: ignore[operator]
    out_vars: list[cp_model.IntVar] = []
    coeffs: list[int] = []
    if weight_under:
        out_vars.append(under)
        coeffs.append(weight_under)
    if weight_over:
        out_vars.append(over)
        coeffs.append(weight_over)
    if need > max_count:
        # Cannot be met at all: the shortfall is at least need − max_count.
        model.add(under >= need - max_count)
    return out_vars, coeffs


def add_min_run_clauses(
    model: cp_model.CpModel,
    lits: Sequence[cp_model.LiteralT],
    min_run: int,
    exempt_edges: bool = True,
    enforce: Sequence[cp_model.LiteralT] = (),
) -> int:
    """Forbid runs of true ``lits`` shorter than ``min_run`` with pattern clauses.

    For every L < ``min_run`` and every window, the pattern *false, L × true, false* is
    forbidden by one clause (the tight encoding of OT ``shift_scheduling_sat.py``). With
    ``exempt_edges`` runs that touch the first or last position are allowed; otherwise the
    positions outside the sequence count as false.

    Parameters
    ----------
    model
        The model.
    lits
        One literal per day (pass negated literals to constrain runs of days off).
    min_run
        Shortest allowed run length.
    exempt_edges
        Whether runs touching the ends are exempt.
    enforce
        Literals that switch the clauses on (``only_enforce_if``); empty: always on.

    Returns
    -------
    int
        Number of clauses added.
    """
    n = len(lits)
    added = 0
    for length in range(1, min_run):
        for start in range(n - length + 1):
            before, after = start - 1, start + length
            if exempt_edges and (before < 0 or after >= n):
                continue
            clause: list[cp_model.LiteralT] = []
            if before >= 0:
                clause.append(lits[before])
            clause.extend(_negate(lits[i]) for i in range(start, start + length))
            if after < n:
                clause.append(lits[after])
            model.add_bool_or(clause).only_enforce_if(enforce)
            added += 1
    return added


def _negate(lit: cp_model.LiteralT) -> cp_model.LiteralT:
    """The negation of a literal (Python bools too)."""
    if isinstance(lit, bool | int):
        return not bool(lit)
    return lit.Not()  # type: ignore[union-attr]
