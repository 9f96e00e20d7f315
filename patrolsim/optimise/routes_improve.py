"""An iterated-local-search post-step for prize-collecting routing with time windows.

OR-Tools' local search with disjunctions stalls far from the best-known scores on the TOPTW
benchmark (its moves are judged by arc costs, which the prize dwarfs). This module runs, after
OR-Tools, the *insert / shake* iterated local search of Vansteenwegen et al. (2009, Computers &
OR 36(12):3281–3290), written from the paper's description:

* **insert**: repeatedly add the unvisited stop with the best ``prize² / time added`` ratio at
  its best feasible position (checked in O(1) per position with the ``wait`` and ``max_shift``
  of each visit; vectorised over stops × positions with numpy);
* **shake**: remove ``S`` consecutive visits from every route (from a random position per
  route, which measured better on the multi-route Cordeau instances than the paper's common
  position ``R``), pull the rest earlier, and grow ``S`` until an improvement resets it;
* **tighten**: after each insert phase, relocate single visits within their route when that
  shortens travel and keeps every window (this lifted c104 from 390 to its optimum 420);
* insertion ratios get ±``improve_noise`` random noise after each shake;
* the best solution (more prize, then less travel) is kept; after a run without improvement the
  search restarts from the best one.

Measured with ``benchmarks/routes_toptw.py`` at 10 s per run (20 % OR-Tools, 80 % this
post-step) on a shared, loaded 2-core machine: Righini–Salani Solomon 100, m = 1, mean gap
-0.12 % to bks.csv (every run within 1.1 %; r108 beat its unproven 294 with 308); Cordeau
pr01–pr10, m = 1..4, mean gap 3.4 % (m = 1: 2.3 %, m = 4: 5.0 %); a second Cordeau run gave
3.1 % against PyVRP's 1.95 % on the same budget (PyVRP is clearly better with m = 3 and 4).
OR-Tools alone (guided local search, 5 s) stayed 14–17 % below the optimum on r102, rc104 and
pr05 (m = 3); restarting OR-Tools from this step's result found nothing more.

It handles stops with at most one window, vehicles with their own depots and time limits, and
never removes mandatory stops. Problems with stop groups (revisit gaps) or meal breaks are
left to OR-Tools alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from patrolsim.optimise.routes import RoutingParams, RoutingProblem

__all__ = ["improvable", "improve_solution"]

_BIG = 1 << 50
_GAIN_WEIGHT = 1 << 30
"""Weight of a swap's prize gain against the time it saves when ranking swaps."""
_PRIZE_POWER = 2.0
"""Exponent of the prize in the insertion ratio ``prize ** power / time added``."""
_TEMPERATURE = 0.5
"""Starting temperature of the acceptance test, as a share of the mean optional prize."""


def improvable(problem: RoutingProblem) -> bool:
    """Whether the post-step can handle ``problem`` (single windows, no groups, choices, breaks)."""
    if any(v.break_window is not None for v in problem.vehicles):
        return False
    if problem.min_gap > 0 and any(s.group is not None for s in problem.stops):
        return False
    if any(getattr(s, "choice", None) is not None for s in problem.stops):
        # Alternatives (at most one of them made) are left to OR-Tools.
        return False
    return all(len(s.windows) <= 1 for s in problem.stops)


class _State:
    """Routes with their schedules; all arrays are plain Python lists for speed."""

    def __init__(self, ctx: _Context, seqs: Sequence[Sequence[int]]) -> None:
        self.ctx = ctx
        self.seqs: list[list[int]] = [list(s) for s in seqs]
        self.visited = np.zeros(ctx.n, dtype=bool)
        for s in self.seqs:
            self.visited[s] = True
        self.sched: list[tuple[list[int], list[int], list[int], list[int]]] = [
            ctx.schedule(v, s) for v, s in enumerate(self.seqs)
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

    def schedule(
        self, v: int, seq: Sequence[int]
    ) -> tuple[list[int], list[int], list[int], list[int]]:
        """Locations, departure times, wait and max_shift per position (depots included).

        Position 0 is the start depot, position ``len(seq) + 1`` the end depot. ``dep[p]`` is
        when the vehicle leaves position p; ``wait[p]`` the idle time before service there;
        ``ms[p]`` how much later the arrival at p may be without breaking the route.
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
        return locs, dep, wait, ms

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


def _best_insertion(
    ctx: _Context, state: _State, v: int, cand: np.ndarray
) -> tuple[float, int, int] | None:
    """Best (ratio, stop, position) for inserting one of ``cand`` into route ``v``."""
    if cand.size == 0:
        return None
    T = ctx.T
    locs, dep, wait, ms = state.sched[v]
    locU = ctx.loc[cand]
    la = np.asarray(locs, dtype=np.int64)
    locp, locn = la[:-1], la[1:]
    depp = np.asarray(dep[:-1], dtype=np.int64)[None, :]
    room = (np.asarray(wait[1:], dtype=np.int64) + np.asarray(ms[1:], dtype=np.int64))[None, :]
    arr = depp + T[locp][:, locU].T
    st = np.maximum(arr, ctx.open[cand][:, None])
    shift = st + ctx.serv[cand][:, None] + T[locU][:, locn] - (depp + T[locp, locn][None, :])
    ok = (st <= ctx.close[cand][:, None]) & (shift <= room)
    if not ok.any():
        return None
    ratio = np.where(ok, ctx.prize2[cand][:, None] / (np.maximum(shift, 0) + 1.0), -1.0)
    if ctx.noise is not None:
        ratio = ratio * ctx.noise[cand][:, None]
    idx = int(np.argmax(ratio))
    u, p = divmod(idx, ratio.shape[1])
    return float(ratio.flat[idx]), int(cand[u]), int(p)


def _insert_all(ctx: _Context, state: _State) -> None:
    """Greedy insertion until no unvisited stop fits anywhere."""
    cand = np.flatnonzero(~state.visited)
    bests = [_best_insertion(ctx, state, v, cand) for v in range(len(state.seqs))]
    while True:
        choice = None
        for v, b in enumerate(bests):
            if b is not None and (choice is None or b[0] > bests[choice][0]):  # type: ignore[index]
                choice = v
        if choice is None:
            return
        _, k, p = bests[choice]  # type: ignore[misc]
        state.seqs[choice].insert(p, k)
        state.visited[k] = True
        state.sched[choice] = ctx.schedule(choice, state.seqs[choice])
        cand = np.flatnonzero(~state.visited)
        for v, b in enumerate(bests):
            if v == choice or (b is not None and b[1] == k):
                bests[v] = _best_insertion(ctx, state, v, cand)


def _best_replacement(
    ctx: _Context, state: _State, v: int, cand: np.ndarray
) -> tuple[int, int, int, int] | None:
    """Best (prize gain, time saved, stop, position) for swapping an unvisited stop into ``v``.

    A swap must gain prize, or keep it and make the next arrival earlier. Like an insertion it
    is checked in O(1) per visit with ``wait`` and ``max_shift``; vectorised over stops × visits.
    """
    seq = state.seqs[v]
    if cand.size == 0 or not seq:
        return None
    T = ctx.T
    locs, dep, wait, ms = state.sched[v]
    la = np.asarray(locs, dtype=np.int64)
    n = len(seq)
    locp, locv, locn = la[:n], la[1 : n + 1], la[2 : n + 2]
    depa = np.asarray(dep, dtype=np.int64)
    old_next = depa[1 : n + 1] + T[locv, locn]
    room = (np.asarray(wait[2:], dtype=np.int64) + np.asarray(ms[2:], dtype=np.int64))[None, :]
    gain = ctx.prize_arr[cand][:, None] - ctx.prize_arr[np.asarray(seq)][None, :]
    locU = ctx.loc[cand]
    st = np.maximum(depa[:n][None, :] + T[locp][:, locU].T, ctx.open[cand][:, None])
    shift = st + ctx.serv[cand][:, None] + T[locU][:, locn] - old_next[None, :]
    ok = (st <= ctx.close[cand][:, None]) & (shift <= room)
    ok &= (gain > 0) | ((gain == 0) & (shift < 0))
    if not ok.any():
        return None
    score = np.where(ok, gain * _GAIN_WEIGHT - shift, np.iinfo(np.int64).min)
    idx = int(np.argmax(score))
    u, p = divmod(idx, n)
    return int(gain[u, p]), int(-shift[u, p]), int(cand[u]), int(p)


def _replace_all(ctx: _Context, state: _State, limit: int = 50) -> None:
    """Swap unvisited stops for visits of less prize (or equal prize and less time), each
    followed by greedy insertion, until no swap helps (at most ``limit`` swaps)."""
    for _ in range(limit):
        cand = np.flatnonzero(~state.visited)
        best: tuple[tuple[int, int, int, int], int] | None = None
        for v in range(len(state.seqs)):
            b = _best_replacement(ctx, state, v, cand)
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


def _shake(
    ctx: _Context, state: _State, size: int, pos: int, rng: np.random.Generator | None = None
) -> None:
    """Remove ``size`` consecutive non-mandatory visits from each route from ``pos`` on.

    With ``rng`` each route gets its own random start position instead.
    """
    for v, seq in enumerate(state.seqs):
        if not seq:
            continue
        start = pos % len(seq) if rng is None else int(rng.integers(0, len(seq)))
        removed = 0
        keep: list[int] = []
        for i, k in enumerate(seq):
            if start <= i < start + size and not ctx.mandatory[k]:
                state.visited[k] = False
                removed += 1
            else:
                keep.append(k)
        if removed:
            state.seqs[v] = keep
            state.sched[v] = ctx.schedule(v, keep)


def _two_opt_travel(ctx: _Context, state: _State) -> None:
    """Intra-route relocation of single visits that shortens travel and stays feasible.

    The travel change of each move is computed in O(1) from the neighbours; only moves that
    shorten travel are checked for feasibility.
    """
    Tl, locl = ctx.Tl, ctx.locl
    for v, seq in enumerate(state.seqs):
        if len(seq) < 3:
            continue
        veh = ctx.vehicles[v]
        improved = True
        while improved:
            improved = False
            locs = [veh.start_location] + [locl[k] for k in seq] + [veh.end_location]
            n = len(seq)
            for i in range(n):
                li = locs[i + 1]
                a, b = locs[i], locs[i + 2]
                gain = Tl[a][li] + Tl[li][b] - Tl[a][b]
                if gain <= 0:
                    continue
                rest_locs = locs[: i + 1] + locs[i + 2 :]
                for j in range(n):
                    if j == i:
                        continue
                    c, d = rest_locs[j], rest_locs[j + 1]
                    if Tl[c][li] + Tl[li][d] - Tl[c][d] < gain:
                        rest = seq[:i] + seq[i + 1 :]
                        trial = [*rest[:j], seq[i], *rest[j:]]
                        if ctx.feasible(v, trial):
                            seq, improved = trial, True
                            break
                if improved:
                    break
        state.seqs[v] = seq
        state.sched[v] = ctx.schedule(v, seq)


def improve_solution(
    problem: RoutingProblem,
    seqs: list[list[int]],
    params: RoutingParams,
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
        ``deterministic``, ``improve_iterations`` and ``seed`` are used.
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
    max_size = max(1, ctx.n // (3 * len(problem.vehicles)))
    size = 1
    it = 0
    while True:
        it += 1
        if params.deterministic:
            if it > params.improve_iterations:
                break
            done = it / max(1, params.improve_iterations)
        else:
            elapsed = time.perf_counter() - t0
            if elapsed >= time_budget_s:
                break
            done = elapsed / time_budget_s
        if params.improve_noise > 0:
            ctx.noise = rng.uniform(1.0 - params.improve_noise, 1.0 + params.improve_noise, ctx.n)
        _shake(ctx, state, size, 0, rng)
        _insert_all(ctx, state)
        _two_opt_travel(ctx, state)
        _insert_all(ctx, state)
        _replace_all(ctx, state)
        key = state.key()
        if key > best_key:
            # A new best: tighten its routes, then keep it.
            ctx.noise = None
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
