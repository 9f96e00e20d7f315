"""Policies: who works which shift in which unit, and where each unit goes next.

A policy answers two questions for the simulator:

* :meth:`Policy.units` — the units of one day: their members, shift, kind and area.
* :meth:`Policy.next_stop` — for a unit on patrol, the next patch and how long to stay.

The base policies form units from the staff list with a default rota (two consecutive days
off a week, staggered; leave honoured), so that policies differ only in how units patrol:

``posts`` (定岗)
    Each unit holds a fixed post on a strict-tier patch of its squad, busiest first, for the
    whole shift (seed 002 篇7: 定时、定人、定岗).
``mobile`` (机动巡查)
    Units drive round their squad's patches in a shuffled order with short stops.
``posts+mobile``
    Units alternate: posts first, then mobile.
``hotspot``
    Risk-weighted stops: the next patch is drawn with weight = expected violations there at
    this hour, discounted by travel time and excluding patches visited within the revisit
    gap; stops last ``stop_min``–``stop_max`` (Koper 1995).
``planned``
    Explicit units and routes made elsewhere (the optimiser); see :class:`PlannedPolicy`.

Campaigns (专项整治) overlay any policy: on campaign days each shift gets ``extra_units``
additional units that make Koper stops at the campaign's target patches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from patrolsim.errors import ScenarioError
from patrolsim.scenario.model import Scenario, StaffMember, TravelRows

if TYPE_CHECKING:
    from patrolsim.sim.units import Unit

MOBILE_STOP_MIN = 3.0
"""Stop length of mobile patrol: a brief look from the kerb. Assumption."""

BASE_POLICIES = ("posts", "mobile", "posts+mobile", "hotspot")


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit for one shift: who, when, which way of patrolling, and where."""

    id: str
    squad: str
    shift: str
    start: float
    """Shift start, simulation minutes."""
    end: float
    members: tuple[str, ...]
    """Staff ids."""
    certified: int
    auxiliaries: int
    kind: str
    """``post``, ``mobile``, ``hotspot``, ``campaign`` or ``planned``."""
    base: int
    """Patch index where the unit starts and ends."""
    area: tuple[int, ...]
    """Patches the unit patrols."""
    post: int = -1
    """For a post unit, its patch."""
    route: tuple[tuple[int, float, float], ...] = ()
    """For a planned unit: (patch, start, depart) in simulation minutes."""

    @property
    def can_sanction(self) -> bool:
        """Whether the unit has the two certified officers an administrative penalty needs."""
        return self.certified >= 2


class Policy(Protocol):
    """How units are formed and where they go."""

    name: str

    def units(self, ctx: PolicyContext, day: int) -> list[UnitSpec]:
        """The units working on day ``day`` (0 = the scenario's start date)."""
        ...

    def next_stop(self, ctx: PolicyContext, unit: Unit, now: float) -> tuple[int, float] | None:
        """The next (patch, stop minutes) for ``unit``, or ``None`` to wait."""
        ...


def scale_staff(staff: Sequence[StaffMember], staffing: float) -> tuple[StaffMember, ...]:
    """Return ``staffing`` × the staff list, stratified by role and squad.

    Below 1 each (role, squad) group keeps its first ``round(n · staffing)`` members (at least
    one where the group had any and staffing > 0); above 1 it adds copies of its members
    (ids ``<id>+1``, ``<id>+2``, …), new people without leave.
    """
    if staffing < 0:
        raise ScenarioError([f"--staffing: must be at least 0 (got {staffing:g})"])
    groups: dict[tuple[str, str], list[StaffMember]] = {}
    for member in staff:
        groups.setdefault((member.role, member.squad), []).append(member)
    out: list[StaffMember] = []
    for members in groups.values():
        target = round(len(members) * staffing)
        if staffing > 0 and target == 0:
            target = 1
        for i in range(target):
            original = members[i % len(members)]
            copy = i // len(members)
            out.append(
                original
                if copy == 0
                else dataclasses.replace(
                    original, id=f"{original.id}+{copy}", name=f"{original.name}+{copy}"
                )
            )
    return tuple(dataclasses.replace(m, index=i) for i, m in enumerate(out))


class _RowLists:
    """``rows[a][b]``: travel minutes from patch ``a`` to ``b``, from a :class:`TravelRows`."""

    def __init__(self, table: TravelRows) -> None:
        self.table = table

    def __getitem__(self, a: int) -> Any:
        return self.table.row_list(a)


class PolicyContext:
    """What policies may look at: the scenario, staff, expected load, and the live state."""

    def __init__(
        self,
        scenario: Scenario,
        staff: Sequence[StaffMember],
        days: int,
        lam: npt.NDArray[np.float64],
        rng: np.random.Generator,
        campaigns: bool = True,
    ) -> None:
        self.scenario = scenario
        self.staff = tuple(staff)
        self.days = days
        self.lam = lam  # D × 24 × P × V expected violations per hour, no enforcement
        self.rng = rng
        self.campaigns = campaigns
        # a whole matrix for a district, rows on demand for a city (never n² at scale)
        self.travel = scenario.network.travel_table(scenario.patrol.mode)
        self.field: object = None  # set by the engine: the ViolationField
        self.street = [p.index for p in scenario.patches if p.kind != "base"]
        self.squad_area = {
            s.id: tuple(p.index for p in scenario.patches if p.squad == s.id and p.kind != "base")
            for s in scenario.squads
        }
        self.load = lam.sum(axis=3)  # D × 24 × P
        self.travel_rows: Sequence[list[float]] | _RowLists = (
            self.travel.tolist() if isinstance(self.travel, np.ndarray) else _RowLists(self.travel)
        )
        self.last_visit = [-math.inf] * len(scenario.patches)
        self._load_key = -1
        self._load_list: list[float] = []

    def load_list(self, now: float) -> list[float]:
        """:meth:`load_now` as a list (cached per hour: cheap to read patch by patch)."""
        key = int(now // 60)
        if key != self._load_key:
            self._load_key, self._load_list = key, self.load_now(now).tolist()
        return self._load_list

    def shift_window(self, day: int, shift: str) -> tuple[float, float]:
        """Start and end of ``shift`` on ``day`` in simulation minutes."""
        s = self.scenario.shift(shift)
        return day * 1440.0 + s.start_min, day * 1440.0 + s.end_min

    def shift_load(self, day: int, shift: str, patches: Sequence[int]) -> npt.NDArray[np.float64]:
        """Expected violations (no enforcement) during ``shift`` on ``day`` at each patch."""
        s = self.scenario.shift(shift)
        total = np.zeros(len(patches))
        for minute in range(s.start_min, s.end_min, 60):
            d, h = day + minute // 1440, (minute % 1440) // 60
            if d < self.days:
                total += self.load[d, h, list(patches)]
        return total

    def load_now(self, now: float) -> npt.NDArray[np.float64]:
        """Expected violations per hour (no enforcement) at every patch at time ``now``."""
        d = min(int(now // 1440), self.days - 1)
        h = int((now % 1440) // 60)
        return self.load[d, h]

    def works(self, member: StaffMember, position: int, day: int) -> bool:
        """Default rota: two consecutive days off a week, staggered by position; leave honoured."""
        weekday = (self.scenario.start_date.weekday() + day) % 7
        off = position % 7
        if weekday in (off, (off + 1) % 7):
            return False
        date = self.scenario.start_date + dt.timedelta(days=day)
        return not self.scenario.on_leave(member.id, date)


class BasePolicy:
    """Units from the staff list by the default rota; subclasses say how units patrol."""

    name = "base"

    def units(self, ctx: PolicyContext, day: int) -> list[UnitSpec]:
        """Form the day's units squad by squad, then add campaign units."""
        specs: list[UnitSpec] = []
        for squad in ctx.scenario.squads:
            specs.extend(self._squad_units(ctx, day, squad.id, squad.base_index))
        if ctx.campaigns:
            specs.extend(campaign_units(ctx, day))
        return specs

    def _squad_units(self, ctx: PolicyContext, day: int, squad: str, base: int) -> list[UnitSpec]:
        sc = ctx.scenario
        rules = sc.roster
        positions: dict[str, int] = {}
        available_cert: list[StaffMember] = []
        available_aux: list[StaffMember] = []
        for member in ctx.staff:
            if member.squad != squad:
                continue
            pos = positions.get(member.role, 0)
            positions[member.role] = pos + 1
            if ctx.works(member, pos, day):
                (available_cert if member.certified else available_aux).append(member)
        area = ctx.squad_area[squad]
        cover = dict(rules.default_cover) or {s.name: 1 for s in sc.shifts}
        shifts = [s.name for s in sc.shifts if cover.get(s.name, 0) > 0]
        if not shifts or not area:
            return []
        loads = {s: float(ctx.shift_load(day, s, area).sum()) for s in shifts}
        order = sorted(shifts, key=lambda s: -loads[s])
        slots = [
            s
            for level in range(1, max(cover.values()) + 1)
            for s in order
            if cover.get(s, 0) >= level
        ]
        n_units = len(available_cert) // rules.unit_certified
        groups: list[tuple[str, list[StaffMember]]] = []
        for i in range(n_units):
            shift = slots[i] if i < len(slots) else order[(i - len(slots)) % len(order)]
            members = available_cert[i * rules.unit_certified : (i + 1) * rules.unit_certified]
            groups.append((shift, members))
        spare_cert = available_cert[n_units * rules.unit_certified :]
        if groups:
            groups[0][1].extend(spare_cert)
        aux = list(available_aux)
        for _, members in groups:
            for _ in range(rules.unit_auxiliaries):
                if aux:
                    members.append(aux.pop(0))
        i = len(groups)
        while len(aux) >= 2:
            shift = order[i % len(order)]
            groups.append((shift, [aux.pop(0), aux.pop(0)]))
            i += 1
        if aux and groups:
            groups[-1][1].append(aux.pop(0))

        specs = []
        per_shift: dict[str, int] = {}
        for shift, members in groups:
            n = per_shift.get(shift, 0)
            per_shift[shift] = n + 1
            start, end = ctx.shift_window(day, shift)
            certified = sum(m.certified for m in members)
            spec = UnitSpec(
                id=f"d{day:03d}-{shift}-{squad}-{n + 1}",
                squad=squad,
                shift=shift,
                start=start,
                end=end,
                members=tuple(m.id for m in members),
                certified=certified,
                auxiliaries=len(members) - certified,
                kind="mobile",
                base=base,
                area=area,
            )
            specs.append(spec)
        return self._assign(ctx, day, specs)

    def _assign(self, ctx: PolicyContext, day: int, specs: list[UnitSpec]) -> list[UnitSpec]:
        return specs

    def next_stop(self, ctx: PolicyContext, unit: Unit, now: float) -> tuple[int, float] | None:
        """Dispatch on the unit's kind."""
        kind = unit.spec.kind
        if kind == "post":
            return unit.spec.post, unit.spec.end - now
        if kind == "mobile":
            return mobile_stop(ctx, unit)
        return hotspot_stop(ctx, unit, now, unit.spec.area)


def _posts(
    ctx: PolicyContext, day: int, specs: list[UnitSpec], which: Sequence[int]
) -> list[UnitSpec]:
    """Give the units at positions ``which`` (within each squad and shift) fixed posts."""
    out = []
    counters: dict[tuple[str, str], int] = {}
    for spec in specs:
        key = (spec.squad, spec.shift)
        pos = counters.get(key, 0)
        counters[key] = pos + 1
        if pos not in which:
            out.append(spec)
            continue
        strict = [p for p in spec.area if ctx.scenario.patches[p].tier == "strict"] or list(
            spec.area
        )
        load = ctx.shift_load(day, spec.shift, strict)
        ranked = [strict[i] for i in np.argsort(-load, kind="stable")]
        post = ranked[pos % len(ranked)]
        out.append(dataclasses.replace(spec, kind="post", post=post))
    return out


class PostsPolicy(BasePolicy):
    """定岗: every unit holds a fixed post on a strict-tier patch for the shift."""

    name = "posts"

    def _assign(self, ctx: PolicyContext, day: int, specs: list[UnitSpec]) -> list[UnitSpec]:
        return _posts(ctx, day, specs, range(1000))


class MobilePolicy(BasePolicy):
    """机动巡查: every unit drives round its squad's patches with short stops."""

    name = "mobile"


class PostsMobilePolicy(BasePolicy):
    """Posts and mobile patrol alternating within each squad and shift."""

    name = "posts+mobile"

    def _assign(self, ctx: PolicyContext, day: int, specs: list[UnitSpec]) -> list[UnitSpec]:
        return _posts(ctx, day, specs, range(0, 1000, 2))


class HotspotPolicy(BasePolicy):
    """Risk-weighted hotspot patrol with Koper-length stops."""

    name = "hotspot"

    def _assign(self, ctx: PolicyContext, day: int, specs: list[UnitSpec]) -> list[UnitSpec]:
        return [dataclasses.replace(s, kind="hotspot") for s in specs]


class PlannedPolicy(BasePolicy):
    """Explicit units and routes, e.g. from the roster and route optimisers.

    Parameters
    ----------
    plan
        Units per day index; each unit's ``route`` lists (patch, start, depart) in simulation
        minutes. A unit travels to each patch, waits there until ``start`` if early, and
        leaves at ``depart``. When its route is done it returns to base and stays available
        for complaints. Days without a plan have no units (see :class:`SwitchPolicy`).
    """

    name = "planned"

    def __init__(self, plan: Mapping[int, Sequence[UnitSpec]]) -> None:
        self.plan = plan

    def units(self, ctx: PolicyContext, day: int) -> list[UnitSpec]:
        """The planned units of ``day`` plus campaign units."""
        specs = [dataclasses.replace(s, kind="planned") for s in self.plan.get(day, ())]
        if ctx.campaigns:
            specs.extend(campaign_units(ctx, day))
        return specs

    def next_stop(self, ctx: PolicyContext, unit: Unit, now: float) -> tuple[int, float] | None:
        """Follow the route in order; campaign units make hotspot stops at their targets.

        A unit delayed by a case or a complaint keeps the order of its route and still makes
        a Koper-length stop at each patch, rather than skipping the stops whose planned times
        have passed (skipping lost a fifth of the planned stops on the reference district);
        it waits on site when early. Stops that would start after the shift are dropped.
        """
        if unit.spec.kind != "planned":
            return hotspot_stop(ctx, unit, now, unit.spec.area)
        route = unit.spec.route
        while unit.route_pos < len(route):
            patch, _, depart = route[unit.route_pos]
            unit.route_pos += 1
            arrive = now + ctx.travel[unit.location, patch]
            if arrive >= unit.spec.end:
                continue
            return patch, max(depart - arrive, ctx.scenario.patrol.stop_min)
        return None


class SwitchPolicy:
    """``before`` until day ``from_day``, ``after`` from then on.

    Used to compare ways of working over one week from the same history: every arm runs the
    bureau's usual policy before the week.
    """

    def __init__(self, before: Policy, after: Policy, from_day: int) -> None:
        self.before = before
        self.after = after
        self.from_day = from_day
        self.name = after.name

    def _at(self, day: int) -> Policy:
        return self.after if day >= self.from_day else self.before

    def units(self, ctx: PolicyContext, day: int) -> list[UnitSpec]:
        """The units of whichever policy holds on ``day``."""
        return self._at(day).units(ctx, day)

    def next_stop(self, ctx: PolicyContext, unit: Unit, now: float) -> tuple[int, float] | None:
        """Ask the policy that formed the unit."""
        return self._at(int(unit.spec.start // 1440)).next_stop(ctx, unit, now)


def campaign_units(ctx: PolicyContext, day: int) -> list[UnitSpec]:
    """Extra units of the campaigns running on ``day``, one set per shift."""
    sc = ctx.scenario
    if day >= len(sc.days):
        return []
    date = sc.days[day].date
    specs = []
    for c_index, campaign in enumerate(sc.campaigns):
        if not campaign.covers(date) or campaign.extra_units <= 0:
            continue
        area = tuple(p.index for p in sc.patches if p.kind != "base" and campaign.targets_patch(p))
        if not area:
            continue
        for shift in sc.shifts:
            start, end = ctx.shift_window(day, shift.name)
            for n in range(campaign.extra_units):
                base_patch = sc.patches[area[n % len(area)]]
                base = sc.squad(base_patch.squad).base_index
                specs.append(
                    UnitSpec(
                        id=f"d{day:03d}-{shift.name}-campaign{c_index + 1}-{n + 1}",
                        squad=base_patch.squad,
                        shift=shift.name,
                        start=start,
                        end=end,
                        members=tuple(
                            f"campaign{c_index + 1}-{n + 1}-{i}"
                            for i in range(sc.roster.unit_certified + sc.roster.unit_auxiliaries)
                        ),
                        certified=sc.roster.unit_certified,
                        auxiliaries=sc.roster.unit_auxiliaries,
                        kind="campaign",
                        base=base,
                        area=area,
                    )
                )
    return specs


def mobile_stop(ctx: PolicyContext, unit: Unit) -> tuple[int, float] | None:
    """Next patch of a mobile round (a fresh shuffle of the area each round)."""
    if not unit.round:
        area = list(unit.spec.area)
        ctx.rng.shuffle(area)
        unit.round = area
    return unit.round.pop(), MOBILE_STOP_MIN


def hotspot_stop(
    ctx: PolicyContext, unit: Unit, now: float, area: Sequence[int]
) -> tuple[int, float] | None:
    """Risk-weighted choice of the next patch, with a Koper-length stop.

    Weight of a patch: expected violations there this hour with no enforcement (what a bureau
    knows from its records; units do not know where violations are right now), divided by
    (1 + travel minutes / 10); patches visited by any unit within the revisit gap get no
    weight unless all have been.
    """
    if not area:
        return None
    patrol = ctx.scenario.patrol
    load = ctx.load_list(now)
    travel = ctx.travel_rows[unit.location]
    last = ctx.last_visit
    gap = patrol.revisit_gap_min
    weights = []
    total = 0.0
    for p in area:
        if now - last[p] < gap:
            weights.append(0.0)
            continue
        w = load[p] / (1.0 + travel[p] / 10.0)
        weights.append(w)
        total += w
    u = ctx.rng.random()
    choice = area[min(int(u * len(area)), len(area) - 1)]
    if total > 0.0:
        target = u * total
        for p, w in zip(area, weights, strict=True):
            target -= w
            if target < 0.0:
                choice = p
                break
    stop = patrol.stop_min + (patrol.stop_max - patrol.stop_min) * ctx.rng.random()
    return int(choice), float(stop)


def make_policy(name: str) -> Policy:
    """The base policy called ``name`` (``planned`` needs a plan: build PlannedPolicy)."""
    policies: dict[str, type[BasePolicy]] = {
        "posts": PostsPolicy,
        "mobile": MobilePolicy,
        "posts+mobile": PostsMobilePolicy,
        "hotspot": HotspotPolicy,
    }
    if name not in policies:
        raise ScenarioError(
            [f"--policy: unknown policy; expected one of {', '.join(BASE_POLICIES)} (got {name!r})"]
        )
    return policies[name]()
