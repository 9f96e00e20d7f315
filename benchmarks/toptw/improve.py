"""The specialised TOPTW solver: OR-Tools, then an iterated local search (benchmark only).

The bureau's routes come from :func:`patrolsim.routing.solve_problem` (OR-Tools alone); this
module is what the TOPTW benchmark runs beside it, to show how far a solver specialised for
problems without meal breaks, revisit gaps or choice stops gets on the same instances.
:func:`solve_specialised` gives OR-Tools a share of the budget and this step the rest.

OR-Tools' local search with disjunctions stalls far from the best-known scores on the TOPTW
benchmark (its moves are judged by arc costs, which the prize dwarfs). This module runs, after
OR-Tools, the *insert / shake* iterated local search of Vansteenwegen et al. (2009, Computers &
OR 36(12):3281–3290), written from the paper's description, with a simulated-annealing
acceptance test and a swap move:

* **insert**: repeatedly add the unvisited stop with the best ``prize² / time added`` ratio at
  its best feasible position (checked in O(1) per position with the ``wait`` and ``max_shift``
  of each visit; vectorised over positions × stops with numpy, and kept per route until the
  route or the pool of unvisited stops changes);
* **swap**: put an unvisited stop in place of a visit of less prize (or of the same prize when
  that makes the route earlier), checked in O(1) per visit the same way, then insert again;
* **shake**: remove ``S`` consecutive visits from every route (from a random position per
  route, which measured better on the multi-route Cordeau instances than the paper's common
  position ``R``), pull the rest earlier, and grow ``S`` up to half the mean route length until
  a new best resets it;
* **tighten**: after each insert phase, relocate single visits within their route when that
  shortens travel and keeps every window (it reaches optima that insertion alone misses);
* insertion ratios get ±``noise`` (:class:`ImproveParams`) random noise after each shake;
* **accept**: the shaken and repaired solution replaces the current one when it has no less
  prize, and otherwise with probability ``exp(-loss / temperature)``; the temperature starts at
  half the mean prize and falls linearly to 0 over the budget. The paper accepts every
  solution and goes back to the best after a while; this test and the swap move each lowered
  the mean gap on the hard multi-route Cordeau runs. The best solution (more prize, then less
  travel) is returned.

Figures against the best known and PyVRP: ``benchmarks/routes_toptw.py`` (RESULTS.md).

It handles stops with at most one window, vehicles with their own depots and time limits, and
never removes mandatory stops. Problems with stop groups (revisit gaps), choices or meal breaks
are left to OR-Tools alone.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from patrolsim.routing.problem import RoutingParams, RoutingProblem, RoutingSolution
from patrolsim.routing.schedule import time_routes
from patrolsim.routing.solve import make_solution, solve_problem

__all__ = ["ImproveParams", "improvable", "improve_solution", "solve_specialised"]

_BIG = 1 << 50
_GAIN_WEIGHT = 1 << 30
_NONE = np.iinfo(np.int64).min
"""Weight of a swap's prize gain against the time it saves when ranking swaps."""
_PRIZE_POWER = 2.0
"""Exponent of the prize in the insertion ratio ``prize ** power / time added``."""
_TEMPERATURE = 0.5
"""Starting temperature of the acceptance test, as a share of the mean optional prize."""
_SHAKE_SHARE = 0.5
"""Largest shake, as a share of the mean number of visits per route."""


@dataclass(frozen=True, slots=True)
class ImproveParams:
    """Settings of the iterated local search.

    Attributes
    ----------
    share
        Share of the wall-clock budget given to this step (OR-Tools gets the rest): OR-Tools'
        guided local search gains little after its first seconds on the TOPTW files.
    noise
        Relative random noise on the insertion ratios after each shake (0: none).
    iterations
        Iterations when the OR-Tools part is deterministic (then no clock is read).
    seed
        Seed of the random generator.
    """

    share: float = 0.8
    noise: float = 0.2
    iterations: int = 3000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.share < 1.0:
            raise ValueError(f"Expected share in [0, 1), got {self.share}.")
        if not 0.0 <= self.noise < 1.0:
            raise ValueError(f"Expected noise in [0, 1), got {self.noise}.")
        if self.iterations < 0:
            raise ValueError(f"Expected iterations >= 0, got {self.iterations}.")


def solve_specialised(
    problem: RoutingProblem, params: RoutingParams, improve: ImproveParams | None = None
) -> RoutingSolution:
    """OR-Tools (:func:`~patrolsim.routing.solve_problem`), then the iterated local search.

    Parameters
    ----------
    problem
        The problem; when it is not :func:`improvable`, OR-Tools' solution is returned.
    params
        OR-Tools settings. With ``deterministic`` off, ``time_limit_s`` covers both steps and
        ``improve.share`` of it goes to the local search; with it on, both stop by counts.
    improve
        Local-search settings.

    Returns
    -------
    RoutingSolution
        Timed routes.
    """
    improve = improve or ImproveParams()
    t0 = time.perf_counter()
    use = improvable(problem)
    first = params
    if use and not params.deterministic:
        first = dataclasses.replace(params, time_limit_s=params.time_limit_s * (1 - improve.share))
    sol = solve_problem(problem, first)
    if not use or sol.status != "solved":
        return sol
    seqs = [[v.stop for v in r.visits] for r in sol.routes]
    remaining = params.time_limit_s - (time.perf_counter() - t0)
    better = improve_solution(problem, seqs, improve, params.deterministic, remaining)
    if better is seqs:
        return dataclasses.replace(sol, wall_s=time.perf_counter() - t0)
    log = [*sol.log, "iterated local search improved the solution"]
    routes, _ = time_routes(problem, better, None, log)
    return make_solution(problem, routes, "solved", sol.strategy, time.perf_counter() - t0, log)


def improvable(problem: RoutingProblem) -> bool:
    """Whether the post-step can handle ``problem`` (single windows, no groups, choices, breaks)."""
    if any(v.break_window is not None for v in problem.vehicles):
        return False
    if problem.min_gap > 0 and any(s.group is not None for s in problem.stops):
        return False
    if any(s.choice is not None for s in problem.stops):
        # Alternatives (at most one of them made) are left to OR-Tools.
        return False
    return all(len(s.windows) <= 1 for s in problem.stops)


class _Schedule(NamedTuple):
    """A route's timing per position (start depot, visits, end depot); see ``schedule``."""

    locs: list[int]
    dep: list[int]
    wait: list[int]
    ms: list[int]
    la: np.ndarray
    """``locs`` as an array."""
    depa: np.ndarray
    """``dep`` as an array."""
    room: np.ndarray
    """``wait + ms``: how much later the arrival at each position may be."""
    base: np.ndarray
    """Arrival at position p + 1 when leaving position p as scheduled."""


class _State:
    """Routes with their schedules; all arrays are plain Python lists for speed."""

    def __init__(self, ctx: _Context, seqs: Sequence[Sequence[int]]) -> None:
        self.ctx = ctx
        self.seqs: list[list[int]] = [list(s) for s in seqs]
        self.visited = np.zeros(ctx.n, dtype=bool)
        for s in self.seqs:
            self.visited[s] = True
        self.sched: list[_Schedule] = [ctx.schedule(v, s) for v, s in enumerate(self.seqs)]
        # Best insertion per route, kept while the route, the pool of unvisited stops and the
        # noise are unchanged (``pool`` counts changes) and its stop is still unvisited.
        self.pool = 0
        self.ins: list[tuple[object, int, tuple[float, int, int] | None]] = [
            (None, -1, None) for _ in self.seqs
        ]

    def key(self) -> tuple[int, int]:
        prize = int(self.ctx.prize_arr[self.visited].sum()) if self.visited.any() else 0
        travel = sum(self.ctx.travel_of(v, s) for v, s in enumerate(self.seqs))
        return prize, -travel

    def copy_seqs(self) -> list[list[int]]:
        return [list(s) for s in self.seqs]


class _Context:
    """Static data of the problem in the forms the search needs."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        self.T = np.asarray(problem.travel, dtype=np.int64)
        self.TT = np.ascontiguousarray(self.T.T)
        self.Tl: list[list[int]] = self.T.tolist()
        stops = problem.stops
        self.n = len(stops)
        self.loc = np.array([s.location for s in stops], dtype=np.int64)
        self.locl = self.loc.tolist()
        # Mandatory stops weigh more than every optional prize together.
        total = sum(s.prize for s in stops) + 1
        self.prize_arr = np.array(
            [s.prize + (total if s.mandatory else 0) for s in stops], dtype=np.int64
        )
        self.prize2 = self.prize_arr.astype(np.float64) ** _PRIZE_POWER
        self.serv = np.array([s.service for s in stops], dtype=np.int64)
        self.servl = self.serv.tolist()
        self.open = np.array(
            [s.windows[0][0] if s.windows else -_BIG for s in stops], dtype=np.int64
        )
        self.close = np.array(
            [s.windows[0][1] if s.windows else _BIG for s in stops], dtype=np.int64
        )
        self.openl = self.open.tolist()
        self.closel = self.close.tolist()
        self.mandatory = np.array([s.mandatory for s in stops], dtype=bool)
        self.vehicles = problem.vehicles
        self.noise: np.ndarray | None = None
        self.iterations = 0

    def schedule(self, v: int, seq: Sequence[int]) -> _Schedule:
        """Locations, departure times, wait and max_shift per position (depots included).

        Position 0 is the start depot, position ``len(seq) + 1`` the end depot. ``dep[p]`` is
        when the vehicle leaves position p; ``wait[p]`` the idle time before service there;
        ``ms[p]`` how much later the start of service at p may be without breaking the route.
        """
        veh = self.vehicles[v]
        Tl, locl, servl, openl, closel = self.Tl, self.locl, self.servl, self.openl, self.closel
        locs = [veh.start_location]
        dep = [veh.start_time]
        wait = [0]
        starts = [veh.start_time]
        t = veh.start_time
        prev = veh.start_location
        for k in seq:
            lk = locl[k]
            a = t + Tl[prev][lk]
            st = a if a >= openl[k] else openl[k]
            wait.append(st - a)
            starts.append(st)
            t = st + servl[k]
            dep.append(t)
            locs.append(lk)
            prev = lk
        a_end = t + Tl[prev][veh.end_location]
        locs.append(veh.end_location)
        dep.append(a_end)
        wait.append(0)
        starts.append(a_end)
        n = len(locs)
        ms = [0] * n
        ms[n - 1] = veh.end_time - a_end
        for p in range(n - 2, 0, -1):
            k = seq[p - 1]
            slack = closel[k] - starts[p]
            nxt = wait[p + 1] + ms[p + 1]
            ms[p] = slack if slack < nxt else nxt
        ms[0] = wait[1] + ms[1] if n > 1 else 0
        la = np.array(locs, dtype=np.int64)
        depa = np.array(dep, dtype=np.int64)
        room = np.array(wait, dtype=np.int64) + np.array(ms, dtype=np.int64)
        base = depa[:-1] + self.T[la[:-1], la[1:]]
        return _Schedule(locs, dep, wait, ms, la, depa, room, base)

    def travel_of(self, v: int, seq: Sequence[int]) -> int:
        veh = self.vehicles[v]
        Tl, locl = self.Tl, self.locl
        prev = veh.start_location
        total = 0
        for k in seq:
            total += Tl[prev][locl[k]]
            prev = locl[k]
        if seq:
            total += Tl[prev][veh.end_location]
        return total

    def feasible(self, v: int, seq: Sequence[int]) -> bool:
        veh = self.vehicles[v]
        Tl, locl, servl, openl, closel = self.Tl, self.locl, self.servl, self.openl, self.closel
        t = veh.start_time
        prev = veh.start_location
        for k in seq:
            a = t + Tl[prev][locl[k]]
            st = a if a >= openl[k] else openl[k]
            if st > closel[k]:
                return False
            t = st + servl[k]
            prev = locl[k]
        return t + Tl[prev][veh.end_location] <= veh.end_time


class _Candidates(NamedTuple):
    """The unvisited stops with the data the insertion tests need, as row vectors."""

    stops: np.ndarray
    loc: np.ndarray
    open: np.ndarray
    close: np.ndarray
    serv: np.ndarray
    weight: np.ndarray
    """Insertion weight ``prize ** power`` (times the current noise)."""


def _candidates(ctx: _Context, state: _State) -> _Candidates:
    cand = np.flatnonzero(~state.visited)
    weight = ctx.prize2[cand]
    if ctx.noise is not None:
        weight = weight * ctx.noise[cand]
    return _Candidates(
        cand,
        ctx.loc[cand][None, :],
        ctx.open[cand][None, :],
        ctx.close[cand][None, :],
        ctx.serv[cand][None, :],
        weight[None, :],
    )


def _best_insertion(
    ctx: _Context, state: _State, v: int, cd: _Candidates
) -> tuple[float, int, int] | None:
    """Best (ratio, stop, position) for inserting one of the candidates into route ``v``.

    Rows of the arrays are the gaps of the route (after position p), columns the candidates.
    """
    if cd.stops.size == 0:
        return None
    sc = state.sched[v]
    la = sc.la[:, None]
    st = np.maximum(sc.depa[:-1, None] + ctx.T[la[:-1], cd.loc], cd.open)
    shift = st + cd.serv + ctx.TT[la[1:], cd.loc] - sc.base[:, None]
    ok = (st <= cd.close) & (shift <= sc.room[1:, None])
    ratio = np.where(ok, cd.weight / (np.maximum(shift, 0) + 1.0), -1.0)
    idx = int(ratio.argmax())
    best = float(ratio.flat[idx])
    if best < 0:
        return None
    p, u = divmod(idx, cd.stops.size)
    return best, int(cd.stops[u]), p


def _insert_all(ctx: _Context, state: _State) -> None:
    """Greedy insertion until no unvisited stop fits anywhere."""
    cd: _Candidates | None = None
    while True:
        choice, best = -1, None
        for v in range(len(state.seqs)):
            sched, pool, b = state.ins[v]
            if (
                sched is not state.sched[v]
                or pool != state.pool
                or (b is not None and state.visited[b[1]])
            ):
                if cd is None:
                    cd = _candidates(ctx, state)
                b = _best_insertion(ctx, state, v, cd)
                state.ins[v] = (state.sched[v], state.pool, b)
            if b is not None and (best is None or b[0] > best[0]):
                choice, best = v, b
        if best is None:
            return
        _, k, p = best
        state.seqs[choice].insert(p, k)
        state.visited[k] = True
        state.sched[choice] = ctx.schedule(choice, state.seqs[choice])
        cd = None


def _best_replacement(
    ctx: _Context, state: _State, v: int, cd: _Candidates
) -> tuple[int, int, int, int] | None:
    """Best (prize gain, time saved, stop, position) for swapping an unvisited stop into ``v``.

    A swap must gain prize, or keep it and make the next arrival earlier. Like an insertion it
    is checked in O(1) per visit with ``wait`` and ``max_shift``; vectorised over visits × stops.
    """
    seq = state.seqs[v]
    if cd.stops.size == 0 or not seq:
        return None
    sc = state.sched[v]
    la = sc.la[:, None]
    st = np.maximum(sc.depa[:-2, None] + ctx.T[la[:-2], cd.loc], cd.open)
    shift = st + cd.serv + ctx.TT[la[2:], cd.loc] - sc.base[1:, None]
    gain = ctx.prize_arr[cd.stops][None, :] - ctx.prize_arr[seq][:, None]
    ok = (st <= cd.close) & (shift <= sc.room[2:, None])
    ok &= (gain > 0) | ((gain == 0) & (shift < 0))
    score = np.where(ok, gain * _GAIN_WEIGHT - shift, _NONE)
    idx = int(score.argmax())
    if score.flat[idx] == _NONE:
        return None
    p, u = divmod(idx, cd.stops.size)
    return int(gain[p, u]), int(-shift[p, u]), int(cd.stops[u]), p


def _replace_all(ctx: _Context, state: _State, limit: int = 50) -> None:
    """Swap unvisited stops for visits of less prize (or equal prize and less time), each
    followed by greedy insertion, until no swap helps (at most ``limit`` swaps).

    A route's best swap is kept until the route changes or its stop is taken elsewhere.
    """
    m = len(state.seqs)
    cache: list[tuple[object, tuple[int, int, int, int] | None]] = [(None, None)] * m
    for _ in range(limit):
        cd: _Candidates | None = None
        best: tuple[tuple[int, int, int, int], int] | None = None
        for v in range(m):
            sched, b = cache[v]
            if sched is not state.sched[v] or (b is not None and state.visited[b[2]]):
                if cd is None:
                    cd = _candidates(ctx, state)
                b = _best_replacement(ctx, state, v, cd)
                cache[v] = (state.sched[v], b)
            if b is not None and (best is None or b[:2] > best[0][:2]):
                best = (b, v)
        if best is None:
            return
        (_, _, k, p), v = best
        old = state.seqs[v][p]
        state.seqs[v][p] = k
        state.visited[k] = True
        state.visited[old] = False
        state.sched[v] = ctx.schedule(v, state.seqs[v])
        _insert_all(ctx, state)


def _shake(ctx: _Context, state: _State, size: int, rng: np.random.Generator) -> None:
    """Remove ``size`` consecutive non-mandatory visits from each route, from a random position
    per route."""
    for v, seq in enumerate(state.seqs):
        if not seq:
            continue
        start = int(rng.integers(0, len(seq)))
        removed = 0
        keep: list[int] = []
        for i, k in enumerate(seq):
            if start <= i < start + size and not ctx.mandatory[k]:
                state.visited[k] = False
                removed += 1
            else:
                keep.append(k)
        if removed:
            state.pool += 1
            state.seqs[v] = keep
            state.sched[v] = ctx.schedule(v, keep)


def _two_opt_travel(ctx: _Context, state: _State) -> None:
    """Intra-route relocation of single visits that shortens travel and stays feasible.

    The travel change of every move (visit i to gap e) is computed at once with numpy; the
    moves that shorten travel are checked for feasibility, best first, and the first feasible
    one is made, until none is left.
    """
    T = ctx.T
    for v in range(len(state.seqs)):
        seq = state.seqs[v]
        if len(seq) < 3:
            continue
        changed = False
        while True:
            n = len(seq)
            la = state.sched[v].la if not changed else ctx.schedule(v, seq).la
            prev, cur, nxt = la[:-2], la[1:-1], la[2:]
            saving = T[prev, cur] + T[cur, nxt] - T[prev, nxt]
            gap_from, gap_to = la[:-1], la[1:]
            added = (
                T[gap_from[None, :], cur[:, None]]
                + T[cur[:, None], gap_to[None, :]]
                - T[gap_from, gap_to][None, :]
            )
            delta = added - saving[:, None]
            idx = np.arange(n)
            delta[idx, idx] = 0
            delta[idx, idx + 1] = 0
            moves = np.flatnonzero(delta < 0)
            if moves.size == 0:
                break
            moved = False
            for flat in moves[np.argsort(delta.flat[moves], kind="stable")]:
                i, e = divmod(int(flat), n + 1)
                k = seq[i]
                if e < i:
                    trial = [*seq[:e], k, *seq[e:i], *seq[i + 1 :]]
                else:
                    trial = [*seq[:i], *seq[i + 1 : e], k, *seq[e:]]
                if ctx.feasible(v, trial):
                    seq, moved, changed = trial, True, True
                    break
            if not moved:
                break
        if changed:
            state.seqs[v] = seq
            state.sched[v] = ctx.schedule(v, seq)


def improve_solution(
    problem: RoutingProblem,
    seqs: list[list[int]],
    params: ImproveParams,
    deterministic: bool,
    time_budget_s: float,
) -> list[list[int]]:
    """Improve stop sequences with the insert / shake iterated local search.

    Parameters
    ----------
    problem
        The routing problem (see :func:`improvable`; others are returned unchanged).
    seqs
        Feasible stop sequences per vehicle (e.g. from OR-Tools).
    params
        Iterations, noise and seed.
    deterministic
        Stop after ``params.iterations`` iterations rather than by the clock.
    time_budget_s
        Wall-clock budget when not deterministic.

    Returns
    -------
    list of list of int
        The best sequences found; the very same object as ``seqs`` if nothing better was found.
    """
    if not improvable(problem) or not problem.stops:
        return seqs
    ctx = _Context(problem)
    if not all(ctx.feasible(v, s) for v, s in enumerate(seqs)):
        return seqs
    rng = np.random.default_rng(params.seed)
    t0 = time.perf_counter()
    start_key = _State(ctx, seqs).key()
    state = _State(ctx, seqs)
    _insert_all(ctx, state)
    cur_key = best_key = state.key()
    cur = best = state.copy_seqs()
    optional = ctx.prize_arr[~ctx.mandatory]
    temp0 = _TEMPERATURE * (float(optional.mean()) if optional.size else 1.0)
    # Shakes remove up to half the mean route length from each route (measured: n / 3m, the
    # paper's bound, made m = 1 and 2 on the 200-300-stop Cordeau files needlessly erratic).
    mean_len = sum(len(s) for s in state.seqs) / len(state.seqs)
    max_size = max(2, int(_SHAKE_SHARE * mean_len))
    size = 1
    it = 0
    while True:
        it += 1
        if deterministic:
            if it > params.iterations:
                break
            done = it / max(1, params.iterations)
        else:
            elapsed = time.perf_counter() - t0
            if elapsed >= time_budget_s:
                break
            done = elapsed / time_budget_s
        if params.noise > 0:
            ctx.noise = rng.uniform(1.0 - params.noise, 1.0 + params.noise, ctx.n)
            state.pool += 1
        _shake(ctx, state, size, rng)
        _insert_all(ctx, state)
        _two_opt_travel(ctx, state)
        _insert_all(ctx, state)
        _replace_all(ctx, state)
        key = state.key()
        if key > best_key:
            # A new best: tighten its routes, then keep it.
            ctx.noise = None
            state.pool += 1
            _two_opt_travel(ctx, state)
            _insert_all(ctx, state)
            _replace_all(ctx, state)
            key = state.key()
            best_key, best = key, state.copy_seqs()
            size = 1
        else:
            size = size + 1 if size < max_size else 1
        # Simulated annealing on the prize: a loss of d is kept with probability
        # exp(-d / temperature), the temperature falling linearly to 0 over the budget.
        temp = temp0 * (1.0 - done)
        loss = cur_key[0] - key[0]
        if key >= cur_key or (temp > 0 and rng.random() < np.exp(-loss / temp)):
            cur_key, cur = key, state.copy_seqs()
        else:
            state = _State(ctx, cur)
    ctx.iterations = it
    if best_key > start_key:
        return best
    return seqs
