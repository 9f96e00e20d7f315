"""Branch-and-price over the weekends and the plan of a scarce shift, for the Curtois & Qu
benchmark.

Where the staff may work fewer shifts of some type than its cover rows ask for in all
(Instance8: 74 nights for 86 required), every roster at the least under-cover works each
employee's maximum of that type, and the plan of those shifts decides the rest. On
Instance8 the relaxation with the nights pinned to a roster's is that roster's value or
within one of it (1301.67, 1303.00, 1304.00, 1305.00 for rosters of 1302–1305), and
CP-SAT proves two such rosters optimal for their nights (15–44 s). Weekends are scarce as
well: the best known roster (1300) works every employee's maximum of weekends, and its 12
missing nights are where the weekends run short of people. Pinning only which weekends
each employee works gives a relaxation of 1298.2 for that roster's weekends and 1301.4 for
a 1304 roster's (no roster of 1300 works those), against 1296.6 unpinned.

So the search branches on both. At each node one employee's set of weekends worked, or of
days on the scarce shift, is pinned (in their pricing, as assumptions, and in the master,
by the columns' upper bounds) to a set that their columns of positive weight give them; the
relaxation of the rest is re-solved by column generation, and a node whose Lagrangian bound
reaches the incumbent is pruned. While some employee's weekends are fractional it branches
on the one whose heaviest set weighs most, into their sets by weight (at most
:data:`BRANCH_WIDTH`); then likewise on the plans. Once both are integral for everyone,
CP-SAT completes the roster with the plans fixed. The search is depth-first and starts
again from the root every :data:`RESTART_S` seconds on a perturbed master.

Its dives nearly all reach one set of weekends, next to the best: over seeds 0–15 the first
leaf of every run but one worked the best known roster's weekends except for employees N
and AC, a set whose relaxation, pinned and converged, is 1299.25 (its leaves 1303–1312). So
a search ends at a leaf that improves the incumbent with weekends no descent has started
from or reached, and a descent starts there (:meth:`_Tree.descend`): with every employee's
weekends pinned, it frees each employee's in turn and prices them alone, and moves the one
whose freedom lowers the master most to their heaviest other set if that lowers the
converged relaxation. From that set, freeing N gives 1298.29 and AC 1298.62 (anyone else
1298.95 or more); N's heaviest other set gives 1300.66 and is not taken, AC's 1298.51, then
N's 1298.19: the best known roster's weekends, where no move helps (17–23 s in all). The
plans are then searched with every employee's weekends held to those (:meth:`_Tree.hold`)
for :data:`RESTART_S` seconds. Where that improves the incumbent on them without reaching
the bound, CP-SAT on the whole model follows, with those weekends fixed and the incumbent
as its hint, for :data:`COMPLETE_S` seconds (:meth:`_Tree.complete`); then both again on
a perturbed master for as long as that improves the incumbent and CP-SAT has not proved
it the best on those weekends; then the free search goes on. The held search reached 1300
6–11 s in where it did, and stopped at 1301 or 1302 otherwise; from a held search's 1301,
CP-SAT alone on the machine reached 1300 in 12–31 s (five runs of 45 s) and proved it the
best on those weekends in 35–38 s (two of them). It is a heuristic: the widths make it
incomplete, and it never proves optimality beyond the root bound.

Instance8 at 120 s (``benchmarks/roster_curtois.py 8``), seeds 0–23: 1300 in all 24, from
the first held search in thirteen, from CP-SAT on the held weekends (from 1301 or 1302) in
ten, and in one (seed 22) from the second held search after CP-SAT had stayed at 1301; the
descent ended 23–42 s into the search, and CP-SAT proved 1300 the best on those weekends
in six runs.

Without CP-SAT on the held weekends, and holding while that improved, seeds 0–15 gave 1300
in fourteen (1301 for seeds 9 and 11) and seeds 16–23 1300 in all eight; with a single held
search after each descent, seeds 0–11 gave 1300, 1300, 1300, 1300, 1301, 1302, 1300, 1300,
1300, 1300, 1300, 1300; holding again after every later search as well, 1300 in nine of
seeds 0–11 (1301 for seeds 1, 7 and 8). Before the descent, seeds 0–11 gave 1300, 1300,
1300, 1300, 1300, 1300, 1303, 1303, 1301, 1301, 1303, 1300 (seven; seeds 12–15: 1304, 1300,
1300, 1301) in five searches of 187–248 nodes. Branching on the night plans alone, seeds
0–11 gave 1302, 1302, 1303, 1304, 1303, 1302, 1303, 1301, 1304, 1303, 1303, 1302 (median
1303), and without restarts (seeds 0–7) 1303, 1303, 1302, 1304, 1303, 1300, 1309, 1308. A
scratch prototype of the two-level branching (its weekend literals in every pricing model
from the start) gave 1302, 1305, 1300, 1300, 1300, 1304, 1301, 1305 over seeds 0–7: the
wall-clock limits make runs differ. The support search, rounding and neighbourhood search,
before any of this, gave 1302–1309 in ten runs (median 1306).

What the night plans alone could not do: following that branching along the plans of three
1300 rosters, J's set is its second choice (weight 0.27 against 0.59), F's its second or
third, and C's set was not among a node's columns at all; pinned in a random order, the
converged relaxation of a 1302 and a 1304 roster's plans first exceeds 1300 at 11 and 7
pins, so nothing pruned wrong plans sooner. Neither did more time (360 s: 1301–1302 over
seeds 0–3), branching only into sets of weight 0.1 or more, the least decided employee
first, backjumping, nor an aspiration of 1300. The night cover per day told the 1300
rosters apart (they all share one; held to it, the search reached 1300 in seven of eight
seeds, and held to other covers 1301–1305), but nothing cheap picked it among the fifty the
root leaves open: neither held relaxations (they put it eighth), nor how integral their
night plans are, nor an integer master over every column of reduced cost at most 1.2 at
the root (14,274 columns; 1301–1302 from a 1302 roster with SCIP or CP-SAT). The weekends
worked are what select it.

Settling the first weekends reached, before the descent, did no better. Once every
employee's weekends are pinned, the converged relaxation on the unperturbed master tells
weekend sets apart: 1298.19 and 1298.51 for the weekends of rosters of 1300,
1300.06–1301.35 for those of six rosters of 1302–1307 (which no roster of 1300 shares). A
scratch version pinned everyone's weekends at the first node where they were integral,
converged (1–3 s), searched the plans under them for at most 15 s if that set was new and
its relaxation within 1 of the least so far, and at each restart searched the plans again
under the set of least relaxation. Seeds 0–11 gave 1300, 1300, 1300, 1300, 1303, 1300,
1300, 1302, 1303, 1303, 1300, 1303 (seven, as before the descent): most dives settle on one
set (1299.25, its leaves 1303–1310), and three runs never met a set of 1298.19 or 1298.51
(two others only after 90 s). Choosing the weekend sets to try by sampling in proportion to
their weights, instead of heaviest first, gave 1306, 1301, 1302 over seeds 0–2. Holding
every employee's weekends to the incumbent's for 15 s after each search that improved it
(the search before the descent otherwise) gave 1300, 1300, 1302, 1300, 1300, 1300, 1300, 1305,
1303, 1306, 1303, 1300: seven again.
"""

from __future__ import annotations

import dataclasses
import math
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from benchmarks.curtois.columns import (
    INTEGRAL_TOL,
    PRICE_SCALE,
    ColumnRelaxation,
    Schedule,
    _Master,
    _price_round,
    _Pricer,
    _solve_restricted,
    integral_fixings,
    roster_schedules,
)
from benchmarks.curtois.model import CurtoisModel
from benchmarks.curtois.stall import quiet
from benchmarks.curtois.weekends import weekend_days
from patrolsim.formats.curtois import Assignment, CurtoisInstance, evaluate_curtois
from patrolsim.roster.cpsat import RosterParams

#: Most sets an employee's branch tries, the heaviest first.
BRANCH_WIDTH = 3

#: Pricing rounds of column generation over every employee at an inner node (after the
#: employee just pinned has been priced alone until they add no column). Its relaxation
#: then guides the branching without being converged (its Lagrangian bound still prunes); a
#: node where every plan is integral is converged before it is pruned or completed.
#: Instance8 at 120 s with night plans the only branching, seeds 0–5: 1303, 1303, 1302,
#: 1304, 1303, 1300 with 1 round (227–266 nodes; seeds 6 and 7: 1309, 1308); 1303, 1302,
#: 1304, 1303, 1302, 1307 with 2 (137–196 nodes). In a prototype, full convergence took
#: about 1.7 s a node against 0.6 s with 2 rounds (seeds 1 and 2: 1304 and 1305 against
#: 1300 and 1302).
INNER_ROUNDS = 1

#: Wall-clock seconds of one depth-first search before it starts again from the root, the
#: master's column costs perturbed by up to :data:`PERTURBATION` each (seeded): the
#: relaxation is degenerate, so its weights, and with them the branches the dives take,
#: change with the vertex the LP settles on. Without restarts the search spends its time
#: deep in the first dive's subtree. Instance8 as set here, and without restarts (night
#: plans the only branching): the module's docstring. With night plans only, a scratch
#: version (its converged nodes did not allow for the perturbation in their bound) gave
#: 1302, 1303, 1303, 1303, 1303, 1303, 1303, 1302 with costs perturbed by up to 0.01 (seeds
#: 0–7), and with restarts every 15 s, seeds 0–3, 1302, 1301, 1304, 1304.
RESTART_S = 25.0
PERTURBATION = 0.1

#: Least fall of the converged relaxation that moves an employee's weekends in
#: :meth:`_Tree.descend` (below it the LP's tolerances decide). Instance8's moves fall by
#: 0.3–0.8.
DESCENT_STEP = 0.01

#: Time limit (seconds) of CP-SAT on the whole model with every employee's weekends fixed
#: to those a descent reached, after a held search improved the incumbent on them
#: (:meth:`_Tree.complete`). On Instance8's best weekends, from a roster of 1301, it found
#: 1300 12–31 s in and proved it the best there 35–38 s in (the module's docstring); at
#: 120 s the descent and the held search leave it 40–50 s.
COMPLETE_S = 40.0

#: Time limit of CP-SAT completing a leaf (seconds). On Instance8 a leaf whose relaxation
#: is integral is complete in its heaviest columns; the others round in well under this.
LEAF_LIMIT_S = 3.0


def scarce_shift(instance: CurtoisInstance) -> str | None:
    """The shift type whose cover asks most beyond what the staff may work of it in all
    (``None`` if none does)."""
    short = {
        s.id: sum(c.requirement for c in instance.cover if c.shift == s.id)
        - sum(min(e.max_shifts.get(s.id, 0), instance.horizon) for e in instance.staff)
        for s in instance.shifts
    }
    shift, excess = max(short.items(), key=lambda t: t[1], default=(None, 0))
    return shift if excess > 0 else None


def _set(pins: dict[str, frozenset[int]], e: str, value: frozenset[int] | None) -> None:
    """Set (``None``: remove) ``e``'s entry of ``pins``."""
    if value is None:
        pins.pop(e, None)
    else:
        pins[e] = value


def branch_and_price(
    built: CurtoisModel,
    relaxation: ColumnRelaxation,
    shift_id: str,
    roster: Assignment,
    params: RosterParams,
    deadline: float,
    label: str | None = None,
) -> tuple[dict[tuple[str, int], str], int]:
    """Search the weekends worked and the plans of ``shift_id``, from the columns of
    ``relaxation``, until ``deadline`` (or until the roster meets the relaxation's bound).

    Returns
    -------
    tuple
        The best roster found (at worst ``roster``) and its objective.
    """
    tree = _Tree(built, relaxation, shift_id, roster, params, deadline, label)
    rng = random.Random(params.seed)
    searches = 0
    held: set[frozenset[tuple[str, frozenset[int]]]] = set()
    holds = 0
    with ThreadPoolExecutor(max(1, params.num_workers)) as tree.pool:
        while time.perf_counter() < deadline and tree.objective > tree.bound:
            if searches:
                tree.excess = tree.master.perturb(rng, PERTURBATION)
            searches += 1
            tree.deadline = min(deadline, time.perf_counter() + RESTART_S)
            tree.dfs(None)
            if _key(tree.roster_weekends()) in tree.descended or time.perf_counter() >= deadline:
                continue
            tree.excess = tree.master.perturb(rng, 0.0)
            tree.deadline = deadline
            weekends, value = tree.descend()
            if (
                _key(weekends) in held
                or value == math.inf
                or math.ceil(value - tree.slack - 1e-6) >= tree.objective
            ):
                continue
            held.add(_key(weekends))
            # Held searches, the first on the unperturbed master, each that improves the
            # incumbent on those weekends followed by CP-SAT on them, while they improve.
            while time.perf_counter() < deadline and tree.objective > tree.bound:
                holds += 1
                before = tree.objective
                tree.hold(weekends, min(deadline, time.perf_counter() + RESTART_S))
                if tree.objective >= before:
                    break
                if (
                    tree.objective > tree.bound
                    and tree.roster_weekends() == weekends
                    and tree.complete(weekends, min(deadline, time.perf_counter() + COMPLETE_S))
                ):
                    break
                tree.excess = tree.master.perturb(rng, PERTURBATION)
    if label is not None:
        print(
            f"{label}: {time.perf_counter() - tree.t0:7.1f} s  branch-and-price on "
            f"{shift_id}: {searches} searches, {holds} held, {tree.nodes} nodes, "
            f"{tree.leaves} leaves, objective {tree.objective}",
            file=sys.stderr,
            flush=True,
        )
    return tree.roster, tree.objective


def _key(weekends: dict[str, frozenset[int]]) -> frozenset[tuple[str, frozenset[int]]]:
    """A hashable form of every employee's weekends."""
    return frozenset(weekends.items())


@dataclasses.dataclass
class _Node:
    """A node's relaxation: a valid bound and whether it converged."""

    bound: float
    converged: bool


class _Tree:
    """State of the depth-first branch-and-price (one master LP, one pricer per employee)."""

    def __init__(
        self,
        built: CurtoisModel,
        relaxation: ColumnRelaxation,
        shift_id: str,
        roster: Assignment,
        params: RosterParams,
        deadline: float,
        label: str | None,
    ) -> None:
        instance = built.instance
        self.built = built
        self.shift = shift_id
        self.params = params
        self.deadline = deadline
        self.label = label
        self.t0 = time.perf_counter()
        self.bound = relaxation.bound
        self.roster = dict(roster)
        self.objective = evaluate_curtois(instance, roster).objective
        self.pricers = {e.id: _Pricer(instance, e) for e in instance.staff}
        self.master = _Master(instance)
        for _, e, schedule in relaxation.reduced:
            self.master.add(e, schedule, self.pricers[e].cost(schedule))
        self.requirement = {(c.day, c.shift): c.requirement for c in instance.cover}
        self.weekend_days = weekend_days(instance)
        self.slack = len(instance.staff) * instance.horizon / PRICE_SCALE
        self.excess = 0.0
        """How much the master's perturbed costs can raise its value (:meth:`_Master.perturb`)."""
        self.pins: dict[str, frozenset[int]] = {}
        """Per employee, the days they work the scarce shift (where pinned)."""
        self.weekend_pins: dict[str, frozenset[int]] = {}
        """Per employee, the weekends they work (where pinned)."""
        self.descended: set[frozenset[tuple[str, frozenset[int]]]] = set()
        """The weekends :meth:`descend` started from or reached (:func:`_key`): a search
        ends at a leaf that improves the incumbent with other weekends, for a descent to
        start there."""
        self.pool: ThreadPoolExecutor
        self.nodes = 0
        self.leaves = 0

    def plan(self, schedule: Schedule) -> frozenset[int]:
        """The days ``schedule`` works the scarce shift."""
        return frozenset(d for d, s in schedule if s == self.shift)

    def weekends(self, schedule: Schedule) -> frozenset[int]:
        """The weekends ``schedule`` works on (weekend ``w`` is days ``7w + 5`` and
        ``7w + 6``, as the max-weekends rule counts them)."""
        return frozenset(d // 7 for d, _ in schedule if d in self.weekend_days)

    def roster_weekends(self) -> dict[str, frozenset[int]]:
        """Per employee, the weekends the incumbent roster works on."""
        return {
            e: self.weekends(schedule)
            for e, schedule in roster_schedules(self.roster, self.pricers).items()
        }

    def pin(self, e: str, days: frozenset[int] | None) -> None:
        """Pin (``None``: free) employee ``e``'s plan in their pricing and the master."""
        _set(self.pins, e, days)
        self._restrict(e)

    def pin_weekends(self, e: str, weeks: frozenset[int] | None) -> None:
        """Pin (``None``: free) the weekends employee ``e`` works, as :meth:`pin`."""
        _set(self.weekend_pins, e, weeks)
        self._restrict(e)

    def _restrict(self, e: str) -> None:
        """Impose ``e``'s pins on their pricing and on their columns in the master."""
        days, weeks = self.pins.get(e), self.weekend_pins.get(e)
        self.pricers[e].restrict(self.shift, days, weeks)
        self.master.restrict(
            e,
            None
            if days is None and weeks is None
            else (
                lambda c: (
                    (days is None or self.plan(c) == days)
                    and (weeks is None or self.weekends(c) == weeks)
                )
            ),
        )

    def price_alone(self, e: str) -> float | None:
        """Price employee ``e`` alone until they add no column; return the master's value
        then (``None`` if their pricing finds no schedule)."""
        one = {e: self.pricers[e]}
        while True:
            value, pi, mu = self.master.solve()
            lower, added, _ = _price_round(
                self.pool, one, self.master, pi, pi, mu, self.deadline, 0.0, self.requirement, 0.0
            )
            if lower == -math.inf:
                return None
            if not added:
                return value

    def relax(self, rounds: int, first: str | None, prune: bool = True) -> _Node | None:
        """Column generation at the node, ``first``'s pricing alone to begin with (the
        employee just pinned), then at most ``rounds`` rounds over everyone, stopped early
        (unless not ``prune``) once the Lagrangian bound reaches the incumbent; ``None`` if
        a pricing finds no schedule. Every pin is the set of some column the pins before it
        allow (:meth:`branching`), so the master always has a column it may use for each
        employee."""
        master = self.master
        if first is not None and self.price_alone(first) is None:
            return None
        best = -math.inf
        for _ in range(rounds):
            value, pi, mu = master.solve()
            lagrangian, added, _ = _price_round(
                self.pool,
                self.pricers,
                master,
                pi,
                pi,
                mu,
                self.deadline,
                0.0,
                self.requirement,
                self.slack,
            )
            if lagrangian == -math.inf:
                return None
            best = max(best, lagrangian)
            if prune and math.ceil(best - 1e-6) >= self.objective:
                return _Node(best, False)
            if not added:
                return _Node(max(best, value - self.slack - self.excess), True)
        master.solve()  # the weights of the columns the last round added
        return _Node(best, False)

    def converged(self) -> float:
        """Converge the relaxation of the current pins, unpruned; return its value
        (``math.inf`` if a pricing finds no schedule)."""
        if self.relax(sys.maxsize, None, prune=False) is None:
            return math.inf
        return self.master.solve()[0]

    def descend(self) -> tuple[dict[str, frozenset[int]], float]:
        """Local search on the weekends worked, from the incumbent's.

        With every employee's weekends pinned, each employee's are freed in turn and priced
        alone against the others' (0.1–0.3 s each on Instance8); the employee whose freedom
        lowers the master most moves to their heaviest other set if that lowers the
        converged relaxation by :data:`DESCENT_STEP`, else the next, and the sweep starts
        again; it stops when no move does. The pins are lifted at the end.

        Returns
        -------
        tuple
            The weekends reached and their converged relaxation.
        """
        # A column the pins allow for everyone: the incumbent's.
        for e, schedule in roster_schedules(self.roster, self.pricers).items():
            self.master.add(e, schedule, self.pricers[e].cost(schedule))
        weekends = self.roster_weekends()
        self.descended.add(_key(weekends))
        for e, weeks in weekends.items():
            self.pin_weekends(e, weeks)
        value = self.converged()
        tried: set[tuple[str, frozenset[int]]] = set()
        while time.perf_counter() < self.deadline:
            moves = []
            for e, weeks in weekends.items():
                self.pin_weekends(e, None)
                freed = self.price_alone(e)
                others = [(w, k) for k, w in self.weights(self.weekends)[e].items() if k != weeks]
                self.pin_weekends(e, weeks)
                if freed is not None and freed < value - DESCENT_STEP and others:
                    move = (e, max(others, key=lambda t: t[0])[1])
                    if move not in tried:
                        moves.append((freed, move))
            for _, (e, weeks) in sorted(moves, key=lambda t: t[0]):
                tried.add((e, weeks))
                self.pin_weekends(e, weeks)
                moved = self.converged()
                if moved < value - DESCENT_STEP:
                    weekends[e], value = weeks, moved
                    break
                self.pin_weekends(e, weekends[e])
            else:
                break
        for e in weekends:
            self.pin_weekends(e, None)
        self.descended.add(_key(weekends))
        if self.label is not None:
            print(
                f"{self.label}: {time.perf_counter() - self.t0:7.1f} s  weekends descended "
                f"to a relaxation of {value:.2f} ({len(tried)} moves tried)",
                file=sys.stderr,
                flush=True,
            )
        return weekends, value

    def hold(self, weekends: dict[str, frozenset[int]], until: float) -> None:
        """Search the plans until ``until`` with every employee's weekends pinned to
        ``weekends``."""
        for e, weeks in weekends.items():
            self.pin_weekends(e, weeks)
        self.deadline = until
        self.dfs(None)
        for e in weekends:
            self.pin_weekends(e, None)

    def complete(self, weekends: dict[str, frozenset[int]], until: float) -> bool:
        """CP-SAT on the whole model until ``until``, with every employee's weekends fixed to
        ``weekends`` (which the incumbent works) and the incumbent as its hint; keep the
        roster if better. Returns whether it proved the best roster on those weekends."""
        cells: dict[tuple[str, int], list[cp_model.IntVar]] = {}
        for (e, d, _), v in self.built.x.items():
            if d in self.weekend_days:
                cells.setdefault((e, d // 7), []).append(v)
        fixings = [(v, 0) for (e, week), vs in cells.items() if week not in weekends[e] for v in vs]
        clauses = [vs for (e, week), vs in cells.items() if week in weekends[e]]
        limit = until - time.perf_counter()
        status, found = _solve_restricted(
            self.built, fixings, self.roster, quiet(self.params, max(limit, 0.1)), clauses
        )
        if found is not None:
            value = evaluate_curtois(self.built.instance, found).objective
            if value < self.objective:
                self.roster, self.objective = found, value
        if self.label is not None:
            print(
                f"{self.label}: {time.perf_counter() - self.t0:7.1f} s  CP-SAT on the held "
                f"weekends: objective {self.objective}"
                f"{', optimal on them' if status == cp_model.OPTIMAL else ''}",
                file=sys.stderr,
                flush=True,
            )
        return status == cp_model.OPTIMAL

    def weights(
        self, key: Callable[[Schedule], frozenset[int]]
    ) -> dict[str, dict[frozenset[int], float]]:
        """Per employee, the weight of each value of ``key`` (a plan, or the weekends
        worked) among their columns in the LP solution."""
        out: dict[str, dict[frozenset[int], float]] = {}
        for e, cols in self.master.columns.items():
            plans = out.setdefault(e, {})
            for schedule, v in cols.items():
                w = v.solution_value()
                if w > INTEGRAL_TOL:
                    k = key(schedule)
                    plans[k] = plans.get(k, 0.0) + w
        return out

    def branching(
        self,
    ) -> tuple[str, list[frozenset[int]], Callable[[str, frozenset[int] | None], None]] | None:
        """The employee to branch on, their options (at most :data:`BRANCH_WIDTH`, the
        heaviest first) and the method that pins one; ``None`` where every employee's
        weekends and plan are integral. Weekends come first: the employee with a fractional
        set of weekends whose heaviest set weighs most; then likewise for the plans."""
        for key, pin in ((self.weekends, self.pin_weekends), (self.plan, self.pin)):
            weights = self.weights(key)
            open_ = [(max(plans.values()), e) for e, plans in weights.items() if len(plans) > 1]
            if open_:
                _, e = max(open_)
                ranked = sorted(weights[e].items(), key=lambda t: -t[1])[:BRANCH_WIDTH]
                return e, [value for value, _ in ranked], pin
        return None

    def dfs(self, first: str | None, node: _Node | None = None) -> None:
        """Search the subtree of the current pins; ``first`` is the employee just pinned
        (priced alone first) and ``node`` the relaxation when it is solved already."""
        if time.perf_counter() >= self.deadline or self.objective <= self.bound:
            return
        if node is None:
            node = self.relax(INNER_ROUNDS, first)
            self.nodes += 1
        if node is None or math.ceil(node.bound - 1e-6) >= self.objective:
            return
        branch = self.branching()
        if branch is None:
            if not node.converged:
                converged = self.relax(sys.maxsize, None)
                if converged is not None:
                    self.dfs(None, converged)
            else:
                self.leaf(math.ceil(node.bound - 1e-6))
            return
        e, options, pin = branch
        for value in options:
            pin(e, value)
            self.dfs(e)
            if time.perf_counter() >= self.deadline:
                break
        pin(e, None)

    def leaf(self, bound: int) -> None:
        """Complete a roster from a converged relaxation in which every employee's plan is
        integral: its heaviest columns, or CP-SAT with the plans and every integral cell
        fixed, from them; keep it if better."""
        self.leaves += 1
        instance = self.built.instance
        found = self.master.heaviest()
        value = evaluate_curtois(instance, found).objective
        if value > bound:
            x = self.master.x()
            fixings = integral_fixings(self.built, x)
            fixed = {v.index for v, _ in fixings}
            fixings += [
                (v, int(x.get(cell, 0.0) > 0.5))
                for cell, v in self.built.x.items()
                if cell[2] == self.shift and v.index not in fixed
            ]
            limit = min(LEAF_LIMIT_S, self.deadline - time.perf_counter())
            _, rounded = _solve_restricted(
                self.built, fixings, found, quiet(self.params, max(limit, 0.1))
            )
            if rounded is not None:
                found, value = rounded, evaluate_curtois(instance, rounded).objective
        if value < self.objective:
            self.roster, self.objective = found, value
            if self.label is not None:
                print(
                    f"{self.label}: {time.perf_counter() - self.t0:7.1f} s  branch-and-price "
                    f"leaf: objective {value} ({self.nodes} nodes)",
                    file=sys.stderr,
                    flush=True,
                )
            if _key(self.roster_weekends()) not in self.descended:
                self.deadline = time.perf_counter()  # end the search: descend from here
