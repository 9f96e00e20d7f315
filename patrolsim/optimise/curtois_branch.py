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
again from the root every :data:`RESTART_S` seconds on a perturbed master. It is a
heuristic: the widths make it incomplete, and it never proves optimality beyond the root
bound.

Instance8 at 120 s (``benchmarks/roster_curtois.py 8``, seeds 0–11): 1300, 1300, 1300,
1300, 1300, 1300, 1303, 1303, 1301, 1301, 1303, 1300 (the best known in seven; median
1300), in five searches of 187–248 nodes; 1300 came 42–99 s into the search. Branching on
the night plans alone, seeds 0–11 gave 1302, 1302, 1303, 1304, 1303, 1302, 1303, 1301,
1304, 1303, 1303, 1302 (median 1303), and without restarts (seeds 0–7) 1303, 1303, 1302,
1304, 1303, 1300, 1309, 1308. A scratch prototype of the two-level branching (its weekend
literals in every pricing model from the start) gave 1302, 1305, 1300, 1300, 1300, 1304,
1301, 1305 over seeds 0–7: the wall-clock limits make runs differ. The support search,
rounding and neighbourhood search, before any of this, gave 1302–1309 in ten runs
(median 1306).

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

Settling the weekends did no better. Once every employee's weekends are pinned, the
converged relaxation on the unperturbed master tells weekend sets apart: 1298.19 and
1298.51 for the weekends of rosters of 1300, 1300.06–1301.35 for those of six rosters of
1302–1307 (which no roster of 1300 shares). A scratch version pinned everyone's weekends at
the first node where they were integral, converged (1–3 s), searched the plans under them
for at most 15 s if that set was new and its relaxation within 1 of the least so far, and
at each restart searched the plans again under the set of least relaxation. Seeds 0–11 gave
1300, 1300, 1300, 1300, 1303, 1300, 1300, 1302, 1303, 1303, 1300, 1303 (seven, as here):
most dives settle on one set (1299.25, its leaves 1303–1310), and three runs never met a
set of 1298.19 or 1298.51 (two others only after 90 s). Choosing the weekend sets to try
by sampling in proportion to their weights, instead of heaviest first, gave 1306, 1301,
1302 over seeds 0–2. Holding every employee's weekends to the incumbent's for 15 s after
each search that improved it (this search otherwise unchanged) gave 1300, 1300, 1302, 1300,
1300, 1300, 1300, 1305, 1303, 1306, 1303, 1300: seven again.
"""

from __future__ import annotations

import dataclasses
import math
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from patrolsim.formats.curtois import Assignment, CurtoisInstance, evaluate_curtois
from patrolsim.optimise.curtois_columns import (
    INTEGRAL_TOL,
    PRICE_SCALE,
    ColumnRelaxation,
    Schedule,
    _Master,
    _price_round,
    _Pricer,
    _solve_restricted,
    integral_fixings,
)
from patrolsim.optimise.curtois_model import CurtoisModel
from patrolsim.optimise.curtois_weekends import weekend_days
from patrolsim.optimise.roster_cpsat import RosterParams, quiet

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
    built: CurtoisModel, relaxation: ColumnRelaxation, shift_id: str, roster: Assignment,
    params: RosterParams, deadline: float, label: str | None = None,
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
    with ThreadPoolExecutor(max(1, params.num_workers)) as tree.pool:
        while time.perf_counter() < deadline and tree.objective > tree.bound:
            if searches:
                tree.excess = tree.master.perturb(rng, PERTURBATION)
            searches += 1
            tree.deadline = min(deadline, time.perf_counter() + RESTART_S)
            tree.dfs(None)
    if label is not None:
        print(f"{label}: {time.perf_counter() - tree.t0:7.1f} s  branch-and-price on "
              f"{shift_id}: {searches} searches, {tree.nodes} nodes, {tree.leaves} leaves, "
              f"objective {tree.objective}", file=sys.stderr, flush=True)
    return tree.roster, tree.objective


@dataclasses.dataclass
class _Node:
    """A node's relaxation: a valid bound and whether it converged."""

    bound: float
    converged: bool


class _Tree:
    """State of the depth-first branch-and-price (one master LP, one pricer per employee)."""

    def __init__(self, built: CurtoisModel, relaxation: ColumnRelaxation, shift_id: str,
                 roster: Assignment, params: RosterParams, deadline: float,
                 label: str | None) -> None:
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
        self.master.restrict(e, None if days is None and weeks is None else (
            lambda c: (days is None or self.plan(c) == days)
            and (weeks is None or self.weekends(c) == weeks)))

    def relax(self, rounds: int, first: str | None) -> _Node | None:
        """Column generation at the node, ``first``'s pricing alone to begin with (the
        employee just pinned), then at most ``rounds`` rounds over everyone; ``None`` if
        a pricing finds no schedule. Every pin is the set of some column the pins before it
        allow (:meth:`branching`), so the master always has a column it may use for each
        employee."""
        master = self.master
        if first is not None:
            one = {first: self.pricers[first]}
            while True:
                _, pi, mu = master.solve()
                lower, added, _ = _price_round(self.pool, one, master, pi, pi, mu,
                                               self.deadline, 0.0, self.requirement, 0.0)
                if lower == -math.inf:
                    return None
                if not added:
                    break
        best = -math.inf
        for _ in range(rounds):
            value, pi, mu = master.solve()
            lagrangian, added, _ = _price_round(self.pool, self.pricers, master, pi, pi, mu,
                                                self.deadline, 0.0, self.requirement,
                                                self.slack)
            if lagrangian == -math.inf:
                return None
            best = max(best, lagrangian)
            if math.ceil(best - 1e-6) >= self.objective:
                return _Node(best, False)
            if not added:
                return _Node(max(best, value - self.slack - self.excess), True)
        master.solve()  # the weights of the columns the last round added
        return _Node(best, False)

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
            fixings += [(v, int(x.get(cell, 0.0) > 0.5)) for cell, v in self.built.x.items()
                        if cell[2] == self.shift and v.index not in fixed]
            limit = min(LEAF_LIMIT_S, self.deadline - time.perf_counter())
            _, rounded = _solve_restricted(self.built, fixings, found,
                                           quiet(self.params, max(limit, 0.1)))
            if rounded is not None:
                found, value = rounded, evaluate_curtois(instance, rounded).objective
        if value < self.objective:
            self.roster, self.objective = found, value
            if self.label is not None:
                print(f"{self.label}: {time.perf_counter() - self.t0:7.1f} s  branch-and-price "
                      f"leaf: objective {value} ({self.nodes} nodes)", file=sys.stderr,
                      flush=True)

