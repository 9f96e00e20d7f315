"""Branch-and-price over the plan of a scarce shift, for the Curtois & Qu benchmark.

Where the staff may work fewer shifts of some type than its cover rows ask for in all
(Instance8: 74 nights for 86 required), every roster at the least under-cover works each
employee's maximum of that type, and the plan of those shifts decides the rest. On
Instance8 the relaxation with the nights pinned to a roster's is that roster's value or
within one of it (1301.67, 1303.00, 1304.00, 1305.00 for rosters of 1302–1305), and
CP-SAT proves two such rosters optimal for their nights (15–44 s). The same relaxation with
the nights of 12 of the 22 night workers freed is still above 1300: the night plans the
neighbourhood search ends in are far from any that admits the best known roster.

So the search here branches on the plan. At each node an employee's days on the scarce
shift are pinned (in their pricing, as assumptions, and in the master, by the columns' upper
bounds) to a set that columns of positive weight give them; the relaxation of the rest is
re-solved by column generation, and a node whose Lagrangian bound reaches the incumbent is
pruned. Once every employee's plan is integral in the relaxation, CP-SAT completes the
roster with those shifts fixed. The search is depth-first, employees whose plan is most
decided first, their sets by weight (at most :data:`BRANCH_WIDTH`), and it starts again
from the root every :data:`RESTART_S` seconds on a perturbed master. It is a heuristic: the
widths make it incomplete, and it never proves optimality beyond the root bound.

Instance8 at 120 s (``benchmarks/roster_curtois.py 8``, seeds 0–11): 1302, 1302, 1303,
1304, 1303, 1302, 1303, 1301, 1304, 1303, 1303, 1302 (median 1303) in four or five searches
of 142–216 nodes in all. Without restarts (seeds 0–7): 1303, 1303, 1302, 1304, 1303, 1300
(the best known, at 99 s), 1309 and 1308, in 227–266 nodes; the first leaf comes 10–20 s
into the search. The wall-clock limits make runs differ: a rerun of seeds 6 and 7 (with a
rounding first, which gave nothing) ended at 1304 and 1304. A scratch prototype of the same
search reached 1300 in two of sixteen runs. The support search, rounding and neighbourhood
search gave 1302–1309 in ten runs (median 1306), and 1300 about once in twenty over earlier
measurements.

Why 1300 is luck: following this branching along the plans of three known 1300 rosters, the
first eight pins are its first choices, but J's set is its second choice (weight 0.27
against 0.59), F's its second or third (0.21 or 0.18), and at a node of one pricing round
C's set is not among the columns at all; pinned in a random order, the converged relaxation
of a 1302 and a 1304 roster's plans first exceeds 1300 at 11 and 7 pins, so nothing prunes
wrong plans sooner. The depth-first search then spends its time deep down (one traced 100-s
run: 251 nodes, and after the first dive none above depth 14); the restarts move it back to
the top. They narrow the spread (1301–1304 against 1300–1309; the median stays 1303) but
have not reached 1300 in twenty-eight runs of their variants.
Tried on that and dropped: branching only into sets of weight 0.1 or more (120 s, seeds
0–5: 1304, 1302, 1305, 1303, 1301, 1304), and with the least decided employee first
(floor 0.15, seeds 0–4: 1314, 1310, 1303, 1310, 1308); backjumping to the shallowest pins whose
converged relaxation reaches the incumbent (it cut one level); an aspiration of 1300, the
best known, pruning every node whose relaxation exceeds it (no leaf in 100 s).
The night cover per day decides much: the 1300 rosters on file all have the same one, and
with it held (each day's cover row fixed in the master) this search reaches 1300 in three
of four seeds within 50 s; held to the covers of 1302–1305 rosters it gives 1301–1305. But
no cheap test picks that cover: of the fifty that agree with the root's 24 integral rows,
held relaxations put it eighth (seven at 1296.8–1297.7, it at 1297.8; holding just those
rows gave 1301–1305 over seeds 0–3), and free searches queueing the covers of their leaves and
integral nodes for held searches gave 1300–1304 over seeds 0–7 (median 1302.5). Nor does
more time: at 360 s (restarts every 75 s), seeds 0–3 gave 1301, 1302, 1302, 1301.
Held to that cover for the whole 120 s, seeds 4–7 reached 1300 too (37–88 s into the
search; seven of eight seeds in all); held to the cover of least held relaxation, seeds 4
and 6 gave 1305 and 1303: the cover is what decides. Other tests that did not pick it: how
integral the held relaxations' night plans are (first of the fifty on the unperturbed
master; third and seventh of the thirteen best on two perturbed ones); holding day 26
alone at its count in the cover (4), which leaves days 12 and 20 far from theirs (about
0.02 and 1.65 against 1 and 1). An integer master over the columns of reduced cost at most
1.2 at the converged root duals (14,274 found in minutes of enumeration; the 1300 rosters'
columns sum to 1.88) gave 1302 with SCIP in 90 s and 1301 with CP-SAT in 60 s, both from a
1302 roster; with a 1300 roster's columns added, CP-SAT stayed at 1302 for 60 s.
"""

from __future__ import annotations

import dataclasses
import math
import random
import sys
import time
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
from patrolsim.optimise.roster_cpsat import RosterParams, quiet

#: Most sets an employee's branch tries, the heaviest first.
BRANCH_WIDTH = 3

#: Pricing rounds of column generation over every employee at an inner node (after the
#: employee just pinned has been priced alone until they add no column). Its relaxation
#: then guides the branching without being converged (its Lagrangian bound still prunes); a
#: node where every plan is integral is converged before it is pruned or completed.
#: Instance8 at 120 s, seeds 0–5: 1303, 1303, 1302, 1304, 1303, 1300 with 1 round (227–266
#: nodes; seeds 6 and 7: 1309, 1308); 1303, 1302, 1304, 1303, 1302, 1307 with 2 (137–196
#: nodes). In a prototype, full convergence took about 1.7 s a node against 0.6 s with 2
#: rounds (seeds 1 and 2: 1304 and 1305 against 1300 and 1302).
INNER_ROUNDS = 1

#: Wall-clock seconds of one depth-first search before it starts again from the root, the
#: master's column costs perturbed by up to :data:`PERTURBATION` each (seeded): the
#: relaxation is degenerate, so its weights, and with them the branches the dives take,
#: change with the vertex the LP settles on. Without restarts the search spends its time
#: deep in the first dive's subtree. Instance8 as set here, and without restarts: the
#: module's docstring. A scratch version (its converged nodes did not allow for the
#: perturbation in their bound) gave 1302, 1303, 1303, 1303, 1303, 1303, 1303, 1302 with
#: costs perturbed by up to 0.01 (seeds 0–7), and with restarts every 15 s, seeds 0–3,
#: 1302, 1301, 1304, 1304.
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


def branch_and_price(
    built: CurtoisModel, relaxation: ColumnRelaxation, shift_id: str, roster: Assignment,
    params: RosterParams, deadline: float, label: str | None = None,
) -> tuple[dict[tuple[str, int], str], int]:
    """Search the plans of ``shift_id``, from the columns of ``relaxation``, until
    ``deadline`` (or until the roster meets the relaxation's bound).

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
        self.slack = len(instance.staff) * instance.horizon / PRICE_SCALE
        self.excess = 0.0
        """How much the master's perturbed costs can raise its value (:meth:`_Master.perturb`)."""
        self.pins: dict[str, frozenset[int]] = {}
        self.pool: ThreadPoolExecutor
        self.nodes = 0
        self.leaves = 0

    def plan(self, schedule: Schedule) -> frozenset[int]:
        """The days ``schedule`` works the scarce shift."""
        return frozenset(d for d, s in schedule if s == self.shift)

    def pin(self, e: str, days: frozenset[int] | None) -> None:
        """Pin (``None``: free) employee ``e``'s plan in their pricing and the master."""
        if days is None:
            self.pins.pop(e, None)
        else:
            self.pins[e] = days
        self.pricers[e].restrict(self.shift, days)
        self.master.restrict(e, None if days is None else (lambda c: self.plan(c) == days))

    def relax(self, rounds: int, first: str | None) -> _Node | None:
        """Column generation at the node, ``first``'s pricing alone to begin with (the
        employee just pinned), then at most ``rounds`` rounds over everyone; ``None`` if
        a pricing finds no schedule. Every pin is the plan of some column (:meth:`dfs`), so
        the master always has a column it may use for each employee."""
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

    def weights(self) -> dict[str, dict[frozenset[int], float]]:
        """Per employee, the weight of each plan among their columns in the LP solution."""
        out: dict[str, dict[frozenset[int], float]] = {}
        for e, cols in self.master.columns.items():
            plans = out.setdefault(e, {})
            for schedule, v in cols.items():
                w = v.solution_value()
                if w > INTEGRAL_TOL:
                    days = self.plan(schedule)
                    plans[days] = plans.get(days, 0.0) + w
        return out

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
        weights = self.weights()
        open_ = [(max(plans.values()), e) for e, plans in weights.items() if len(plans) > 1]
        if not open_:
            if not node.converged:
                converged = self.relax(sys.maxsize, None)
                if converged is not None:
                    self.dfs(None, converged)
            else:
                self.leaf(math.ceil(node.bound - 1e-6))
            return
        _, e = max(open_)
        for days, _ in sorted(weights[e].items(), key=lambda t: -t[1])[:BRANCH_WIDTH]:
            self.pin(e, days)
            self.dfs(e)
            if time.perf_counter() >= self.deadline:
                break
        self.pin(e, None)

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

