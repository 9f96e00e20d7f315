"""The levers a bureau has besides staff: stall zones, cameras, shop-front contracts, and costs.

Typed objects built by the loader from ``[[stall_zones]]``, ``[[cameras]]``, ``[[shopfront]]``
and ``[costs]`` in ``scenario.toml`` (the mechanisms are in :mod:`patrolsim.sim.levers`, the
annual cost in :mod:`patrolsim.sim.costs`). Patches and violation types are named by id and
name, like :class:`~patrolsim.scenario.model.Campaign`; the simulator resolves them to indices.

Every lever has ``enabled``: a lever that is defined but not enabled costs nothing and does
nothing, so a scenario can list the levers a bureau *could* buy and the mix search
(:mod:`patrolsim.experiment.mix`) or a comparison switches them on.

Defaults are assumptions to calibrate unless their docstring names a source.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

VENDING_TYPES: tuple[str, ...] = ("street_vending", "night_market_stall")
"""Types a stall zone serves by default: mobile vendors and night-market stalls (seed 003:
"划分了多个夜市摊点群" absorbs night-market vending)."""

CAMERA_TYPES: tuple[str, ...] = ("muck_spill", "flyposting")
"""Types a camera watches by default: muck lorries, dumping and illegal ads (seed 003:
"对渣土运输、偷倒垃圾及户外广告设置等难点问题 … 借助治安、市容等多部门的视频探头")."""

SHOPFRONT_TYPES: tuple[str, ...] = ("shopfront_occupation",)
"""Types a shop-front contract (门前三包) covers by default."""


@dataclass(frozen=True, slots=True)
class StallZone:
    """A designated stall zone (疏导点 / 摊点群): legal pitches that absorb vendors nearby.

    A would-be vendor of a served type within ``radius_m`` (street metres) of the zone's
    patch, while it is open and has a free pitch, takes a legal pitch with probability
    ``uptake``; one deterred by enforcement (or fleeing a unit) takes one with probability
    ``deterred_uptake``. Vendors on a pitch are not violations; a full or closed zone sends
    them back to the street.
    """

    name: str
    patch: str
    """Id of the patch where the pitches are."""
    open_min: int
    """Opening time, minutes after midnight."""
    close_min: int
    """Closing time, minutes after midnight, > ``open_min`` (up to 2880: past midnight)."""
    capacity: int
    """Pitches."""
    violation_types: tuple[str, ...] = VENDING_TYPES
    radius_m: float = 800.0
    """Vendors within this street distance may use it. Assumption: ten minutes' walk with a
    cart."""
    uptake: float = 0.6
    """Share of would-be vendors nearby who take a free pitch rather than the street.
    Assumption to calibrate (the issue's figure; relocation studies report partial uptake,
    with vendors staying where the customers are)."""
    deterred_uptake: float = 0.9
    """Share of vendors deterred by enforcement nearby (or fleeing a unit) who take a free
    pitch instead of waiting or moving round the corner. Assumption: a vendor who still
    needs the income and is chased from the street goes where trading is legal."""
    annual_cost: float = 200_000.0
    """Running cost per year (management, cleaning, lighting), yuan. Assumption."""
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Camera:
    """Video cameras (视频探头) over some patches: detection without presence.

    A live violation of a watched type at a covered patch is noticed with probability
    ``detect_per_hour`` per hour of its life (an exponential time to detection). A noticed
    violation counts as recorded; with ``dispatch`` it also sends the nearest suitable unit,
    like a complaint (an internal call: it does not count among citizens' complaints).
    """

    name: str
    patches: tuple[str, ...]
    violation_types: tuple[str, ...] = CAMERA_TYPES
    detect_per_hour: float = 0.5
    """P(a live violation in view is noticed within an hour). Assumption: the control room
    watches many feeds (seed 003 uses other departments' cameras)."""
    dispatch: bool = True
    """A detection sends a unit, as seed 003 describes ("及时掌握信息")."""
    deterrence: float = 0.0
    """Share of would-be violators at a covered patch put off by the camera. Default 0:
    Welsh & Farrington 2009 (systematic review of public-area CCTV) found effects concentrated
    in car parks and small or none in city and town centres; set it only with a local source."""
    annual_cost_per_patch: float = 30_000.0
    """Yuan per covered patch per year (lease, maintenance, watching). Assumption."""
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ShopfrontContract:
    """Shop-front responsibility contracts (门前三包 / 门前四包, seed 002) at some patches.

    A share ``share`` of the shops is under contract; a contracted shop, while its contract
    is kept, occupies the pavement ``rate_reduction`` less often, so the base rate falls by
    ``share · rate_reduction``. A contract is kept by visits: for ``grace_days`` after a
    unit last stood at the patch it holds in full, after that its effect fades with time
    constant ``lapse_tau_days``.
    """

    name: str
    patches: tuple[str, ...]
    share: float = 0.5
    """Share of shops under contract. Assumption."""
    violation_types: tuple[str, ...] = SHOPFRONT_TYPES
    rate_reduction: float = 0.5
    """How much less often a contracted shop occupies the pavement. Assumption to calibrate."""
    grace_days: float = 7.0
    """Days after a visit during which a contract holds in full. Assumption."""
    lapse_tau_days: float = 14.0
    """Time constant of the fading once the grace is over. Assumption."""
    annual_cost_per_patch: float = 5_000.0
    """Yuan per patch per year (signing, plaques, yearly review). Assumption."""
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Costs:
    """What staff and overtime cost a year, yuan (``[costs]``; assumptions to calibrate)."""

    certified_per_year: float = 120_000.0
    """A certified officer (执法队员), salary and on-costs. Assumption."""
    auxiliary_per_year: float = 60_000.0
    """An auxiliary (协管员). Assumption (seed 004: staff leave over low pay, 待遇过低)."""
    leader_per_year: float | None = None
    """A squad leader; ``None``: as a certified officer."""
    overtime_per_hour: float = 80.0
    """Per person-hour of overtime. Assumption."""


@dataclass(frozen=True, slots=True)
class Levers:
    """Every lever of a scenario and the cost rates (empty: none, the plain model)."""

    stall_zones: tuple[StallZone, ...] = ()
    cameras: tuple[Camera, ...] = ()
    shopfront: tuple[ShopfrontContract, ...] = ()
    costs: Costs = field(default_factory=Costs)

    def all(self) -> tuple[StallZone | Camera | ShopfrontContract, ...]:
        """Every lever, enabled or not: stall zones, cameras, shop-front contracts."""
        return (*self.stall_zones, *self.cameras, *self.shopfront)

    @property
    def active(self) -> bool:
        """Whether any lever is enabled (otherwise the simulation is the plain model)."""
        return any(x.enabled for x in self.all())

    def names(self) -> tuple[str, ...]:
        """Names of every lever, enabled or not."""
        return tuple(x.name for x in self.all())

    def with_enabled(self, names: set[str] | frozenset[str]) -> Levers:
        """These levers with exactly ``names`` enabled and every other lever disabled."""
        return Levers(
            tuple(dataclasses.replace(z, enabled=z.name in names) for z in self.stall_zones),
            tuple(dataclasses.replace(c, enabled=c.name in names) for c in self.cameras),
            tuple(dataclasses.replace(s, enabled=s.name in names) for s in self.shopfront),
            self.costs,
        )
