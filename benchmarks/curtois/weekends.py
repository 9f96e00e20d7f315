"""Weekend-first route for the Curtois & Qu benchmark, where weekend cover is the scarce part.

The max-weekends rule caps the weekend shifts an employee can work. When the weekend rows
ask for nearly all of them, the weekend cells decide the under-cover and the weekdays have
room to spare. Instance13 (120 employees) shows it in its column relaxation, solved in full
(124 s of its 300): every weekday row's dual is within 1 of 0, every weekend row's within
10 of 0 or of 100 (its under-cover weight). That relaxation is slow to solve whole, and the
rosters rounded from it rarely find the weekend plan the optimum needs (11 rows short;
most searches stop at 12, 100 more).

:func:`solve_weekends_first` therefore works in three stages:

1. it solves the column relaxation of the instance with its weekday cover rows left out
   (:func:`~benchmarks.curtois.columns.column_generation`) and rounds it within
   the cells the relaxation leaves integral and the support of its columns of reduced
   cost 0 (:func:`~benchmarks.curtois.columns.solve_rounding` with
   ``support_delta=0``), with a neighbourhood search after it if that is not at the
   bound. Dropping the weekday rows' non-negative terms makes it a relaxation, so its
   bound holds for the whole instance. Instance13: 1335, its bound, by 41–66 s in 14 of
   14 runs; the rounding without the support restriction, as in the generic path, gave
   1335 in about half the runs, and searches from the others took up to the stage's
   whole 90 s, once ending 12 rows short;
2. it pins every employee's weekend days to that roster, solves the column relaxation of
   the rest (Instance13: 1349.0–1354.4) and rounds it the same way (1854–2753; 2650–3951
   without the support restriction);
3. it re-optimises neighbourhoods with the weekends still pinned, so that the weekdays are
   filled around the weekend plan instead of trading it away
   (:func:`~benchmarks.curtois.lns.improve_curtois`). The caller's search then
   goes on with the weekends free.

Instance13 at 300 s, seeds 0–13: 1365, 1362, 1355, 1376, 1368, 1382, 1358, 1377, 1354,
1378, 1368, 1408, 1367, 1358 (+0.45 % to +4.45 %; seed 11's plan pinned a relaxation of
1354.4, the others' 1349.0–1353.0). Before the support restriction the route gave
1379–1410 in nine of ten runs and 1497 in one, where the weekend stage took all its time;
the whole relaxation's path gave 1450–1670 in most runs.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Mapping

from benchmarks.curtois.model import (
    COLUMN_HORIZON,
    CurtoisModel,
    build_curtois_model,
)
from patrolsim.formats.curtois import Assignment, CurtoisInstance, evaluate_curtois
from patrolsim.roster.cpsat import RosterParams

#: The route is taken for instances with at least this many employees whose weekend rows
#: ask for at least :data:`WEEKEND_TIGHT` of the weekend shifts the staff may work (two a
#: weekend, up to their maximum of weekends). Among the column-path instances (Curtois
#: 1–19) only Instance13 has so many employees (120; the next is 60): its whole relaxation
#: takes 124 s where Instance12's (60 employees, proved optimal in 38 s) is quick. Instance13
#: asks for 482 weekend shifts of 500. Tuned on that one instance: an assumption for
#: others.
WEEKEND_FIRST_STAFF = 100
WEEKEND_TIGHT = 0.9

#: Shares of the time limit, from its start: the weekend stage runs for at most
#: :data:`WEEKEND_STAGE_SHARE` of it (it stops at its bound), its column generation ends
#: by :data:`WEEKEND_COLUMNS_END`; the pinned column generation ends by
#: :data:`FILL_COLUMNS_END`; each rounding search gets :data:`FILL_ROUNDING_SHARE`; the
#: pinned neighbourhood search ends at :data:`PINNED_END`, leaving the rest to the caller's
#: free search. Instance13 at 300 s: the weekend relaxation stops once its bound meets its
#: value (38–41 s of column generation), weekend stage to 41–66 s, pinned relaxation and its
#: rounding to 117–148 s, pinned search to 240 s. At 60 s the route gives 3002 (4651 and
#: 5054 before the support restriction; the whole relaxation's path 5820).
WEEKEND_STAGE_SHARE = 0.3
WEEKEND_COLUMNS_END = 0.2
FILL_COLUMNS_END = 0.5
FILL_ROUNDING_SHARE = 0.07
PINNED_END = 0.8


def weekend_days(instance: CurtoisInstance) -> frozenset[int]:
    """The Saturdays and Sundays of the weekends the max-weekends rule counts."""
    return frozenset(d for w in range(instance.weeks) for d in (7 * w + 5, 7 * w + 6))


def weekends_first(instance: CurtoisInstance) -> bool:
    """Whether :func:`solve_weekends_first` is the route for ``instance`` (see
    :data:`WEEKEND_FIRST_STAFF`): many employees, weekend cover near the weekend shifts
    they may work, weekday rows to fill, and a horizon short enough for column generation
    (:data:`~benchmarks.curtois.model.COLUMN_HORIZON`)."""
    days = weekend_days(instance)
    weekend = sum(c.requirement for c in instance.cover if c.day in days)
    weekday = sum(c.requirement for c in instance.cover if c.day not in days)
    capacity = sum(2 * min(e.max_weekends, instance.weeks) for e in instance.staff)
    return (
        len(instance.staff) >= WEEKEND_FIRST_STAFF
        and weekday > 0
        and capacity > 0
        and weekend >= WEEKEND_TIGHT * capacity
        and instance.horizon <= COLUMN_HORIZON
    )


def solve_weekends_first(
    built: CurtoisModel,
    start: Assignment,
    params: RosterParams,
    t0: float,
    deadline: float,
    label: str | None,
) -> tuple[dict[tuple[str, int], str], float, float, Mapping[tuple[str, int, str], float]]:
    """Solve the weekends, then fill the weekdays around them (see the module docstring).

    Parameters
    ----------
    built
        The whole model of the instance.
    start
        A feasible roster to start the weekend stage from.
    params
        Solver settings; their wall-clock limit is the one that ``t0`` and ``deadline``
        (``time.perf_counter()`` values) bound.
    label
        Print progress lines to stderr under this label (``None``: quiet).

    Returns
    -------
    tuple
        The roster, its objective, a lower bound (the weekend stage's) and the pinned
        relaxation's values to guide a further search.
    """
    from benchmarks.curtois.columns import column_generation, solve_rounding
    from benchmarks.curtois.lns import improve_curtois

    instance = built.instance
    days = weekend_days(instance)
    limit = deadline - t0
    stage_end = min(deadline, t0 + WEEKEND_STAGE_SHARE * limit)
    weekend = dataclasses.replace(
        instance,
        name=f"{instance.name} weekends",
        cover=tuple(c for c in instance.cover if c.day in days),
    )
    stage = column_generation(
        weekend,
        start,
        min(stage_end, t0 + WEEKEND_COLUMNS_END * limit),
        workers=params.num_workers,
        label=None if label is None else f"{label} weekends",
    )
    bound = stage.bound
    planned = solve_rounding(
        build_curtois_model(weekend),
        stage,
        params,
        min(stage_end - time.perf_counter(), FILL_ROUNDING_SHARE * limit),
        support_delta=0.0,
    )
    objective = evaluate_curtois(weekend, planned).objective
    if objective > bound:
        planned, objective = improve_curtois(
            weekend, planned, stage_end, params, bound=bound, lp=stage.x
        )
    if label is not None:
        print(
            f"{label}: {time.perf_counter() - t0:7.1f} s  weekend stage: relaxation "
            f"{stage.value:.1f}, objective {objective} without the weekday rows (bound "
            f"{bound})",
            file=sys.stderr,
            flush=True,
        )
    relaxation = column_generation(
        instance,
        planned,
        min(deadline, t0 + FILL_COLUMNS_END * limit),
        workers=params.num_workers,
        label=label,
        pinned_days=days,
    )
    rounded = solve_rounding(
        built,
        relaxation,
        params,
        min(deadline - time.perf_counter(), FILL_ROUNDING_SHARE * limit),
        support_delta=0.0,
    )
    objective = evaluate_curtois(instance, rounded).objective
    if label is not None:
        print(
            f"{label}: {time.perf_counter() - t0:7.1f} s  weekends pinned: relaxation "
            f"{relaxation.value:.1f}, rounding {objective}",
            file=sys.stderr,
            flush=True,
        )
    roster, best = improve_curtois(
        instance,
        rounded,
        min(deadline, t0 + PINNED_END * limit),
        params,
        bound=bound,
        label=label,
        lp=relaxation.x,
        pinned_days=days,
    )
    return roster, float(best), bound, relaxation.x
