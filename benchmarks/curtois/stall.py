"""Wall-clock search steps of the specialised Curtois solver.

:func:`quiet` gives the settings of a sub-solve under a wall-clock limit;
:func:`solve_until_stall` runs CP-SAT until its wall-clock limit or until neither objective
nor bound has improved for a fifth of it; :func:`improve_lns` re-optimises a few people (or a
window of days) at a time with everything else fixed. Both depend on the clock; the
product's roster (:mod:`patrolsim.roster`) runs under deterministic budgets and uses neither.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from patrolsim.roster.cpsat import (
    SOLVED,
    ProgressCallback,
    RosterParams,
    make_solver,
    relative_gap,
)

__all__ = ["improve_lns", "quiet", "solve_until_stall"]


def quiet(params: RosterParams, time_limit_s: float, **changes: Any) -> RosterParams:
    """``params`` for a sub-solve: a wall-clock limit of ``time_limit_s`` seconds (and no
    deterministic one), no progress lines or search log, and ``changes``."""
    return dataclasses.replace(
        params,
        time_limit_s=time_limit_s,
        max_deterministic_time=None,
        progress=False,
        log_search=False,
        **changes,
    )


class _StallWatch(cp_model.CpSolverSolutionCallback):
    """Records the time of the last improving solution; prints progress when asked."""

    def __init__(self, progress: ProgressCallback | None) -> None:
        super().__init__()
        self.progress = progress
        self.last = time.perf_counter()

    def on_solution_callback(self) -> None:
        """Note the time; print a progress line."""
        self.last = time.perf_counter()
        if self.progress is not None:
            obj = self.objective_value
            bound = self.best_objective_bound
            print(
                f"{self.progress._label}: {time.perf_counter() - self.progress._t0:7.1f} s  "
                f"objective {obj:.0f}  bound {bound:.0f}  gap {relative_gap(obj, bound):.2%}",
                file=self.progress._stream,
                flush=True,
            )


def solve_until_stall(
    model: cp_model.CpModel,
    params: RosterParams,
    min_share: float,
    label: str = "roster",
) -> tuple[cp_model.CpSolver, Any]:
    """Solve ``model`` until the limit, or stop early once it stalls.

    After ``min_share`` of ``params.time_limit_s`` the search is stopped as soon as neither
    the objective nor the bound has improved for a fifth of the limit (a watchdog thread
    calls ``stop_search``), leaving the rest of the time to :func:`improve_lns`.

    Returns
    -------
    tuple
        The solver (with its solution) and the status.
    """
    solver = make_solver(params)
    limit = params.time_limit_s or 0.0
    watch = _StallWatch(ProgressCallback(label) if params.progress else None)

    def on_bound(_: float) -> None:
        watch.last = time.perf_counter()

    solver.best_bound_callback = on_bound
    done = threading.Event()
    t0 = time.perf_counter()

    def watchdog() -> None:
        while not done.wait(0.25):
            now = time.perf_counter()
            if now - t0 >= min_share * limit and now - watch.last >= 0.2 * limit:
                solver.stop_search()
                return

    thread = threading.Thread(target=watchdog, daemon=True)
    thread.start()
    try:
        status = solver.solve(model, watch)
    finally:
        done.set()
        thread.join()
    return solver, status


def improve_lns(
    model: cp_model.CpModel,
    x: Mapping[tuple[str, int, str], cp_model.IntVar],
    values: Mapping[tuple[str, int, str], bool],
    objective_expr: cp_model.LinearExprT,
    objective: float,
    bound: float,
    deadline: float,
    params: RosterParams,
    label: str = "roster",
    sub_limit_s: float = 5.0,
    hot_days: Callable[[Mapping[tuple[str, int, str], bool]], Sequence[int]] | None = None,
) -> tuple[dict[tuple[str, int, str], bool], float]:
    """Improve a roster by exact re-optimisation of a few people (or days) at a time.

    ``x[person, day, shift]`` are the assignment literals. Each step copies the model, fixes
    every ``x`` outside the neighbourhood to its current value, caps the objective at the
    current value, hints the current values and solves on one worker. A neighbourhood is a
    random set of people over the whole horizon or every person over a window of days: on
    horizons longer than four weeks a random window, and, when ``hot_days`` is given (it
    returns the days whose cover is missed in the current roster), a window around one of
    those days. Its size grows while steps are solved to optimality quickly and shrinks when
    they are not. Equal-cost moves are accepted (they let the search
    drift across plateaus).

    Returns
    -------
    tuple
        The best values of ``x`` and their objective.
    """
    rng = np.random.default_rng(params.seed)
    people = sorted({k[0] for k in x})
    horizon = 1 + max(k[1] for k in x)
    current = dict(values)
    n_free = min(len(people), 3)
    window = min(horizon, 7 if hot_days is not None else 14)
    sub_params = dataclasses.replace(params, progress=False, log_search=False, num_workers=1)
    t0 = time.perf_counter()
    while time.perf_counter() < deadline - 0.2 and objective > bound:
        hot = list(hot_days(current)) if hot_days is not None else []
        by_window = (horizon > 28 or bool(hot)) and rng.random() < 0.5
        free_days: range | None = None
        chosen: set[str] = set()
        if by_window:
            if hot:
                centre = int(rng.choice(hot))
                first = min(max(0, centre - window // 2), horizon - window)
            else:
                first = int(rng.integers(0, horizon - window + 1))
            free_days = range(first, first + window)
        else:
            chosen = set(rng.choice(people, size=n_free, replace=False).tolist())
        m = model.clone()
        m.clear_hints()
        proto = m.proto
        for key, v in x.items():
            val = int(current[key])
            free = key[1] in free_days if free_days is not None else key[0] in chosen
            if free:
                m.add_hint(v, bool(val))
            else:
                dom = proto.variables[v.index].domain
                dom.clear()
                dom.extend([val, val])
        m.add(objective_expr <= math.floor(objective + 1e-6))
        limit = min(sub_limit_s, deadline - time.perf_counter())
        if limit <= 0.1:
            break
        solver = make_solver(dataclasses.replace(sub_params, time_limit_s=limit))
        st = solver.solve(m)
        if st in SOLVED and solver.objective_value <= objective:
            improved = solver.objective_value < objective
            current = {key: bool(solver.boolean_value(v)) for key, v in x.items()}
            objective = solver.objective_value
            if improved and params.progress:
                print(
                    f"{label}: lns {time.perf_counter() - t0:7.1f} s  objective "
                    f"{objective:.0f}  bound {bound:.0f}",
                    file=sys.stderr,
                    flush=True,
                )
        fast = st == cp_model.OPTIMAL and solver.wall_time < limit / 4
        if by_window:
            window = min(horizon, window + 1) if fast else max(3, window - 1)
        else:
            n_free = min(len(people), n_free + 1) if fast else max(2, n_free - 1)
    return current, objective
