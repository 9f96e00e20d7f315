"""Typed, validated scenario objects: what the rest of patrolsim works with.

The loader (:mod:`patrolsim.scenario.load`) reads the user's files, reports every problem with
its file, row and field, and builds these frozen dataclasses. Past the loader nothing sees a
dict of lists or a string id where an index will do.

Times of day are integer minutes after midnight; dates are :class:`datetime.date`; simulation
time is float minutes from the scenario's start (midnight of ``start_date``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from patrolsim.scenario.levers import Levers

Tier = Literal["strict", "controlled", "normal"]
Role = Literal["certified", "auxiliary", "leader"]
HandledBy = Literal["sanction", "any"]
TravelMode = Literal["foot", "ebike", "car"]

TIERS: tuple[Tier, ...] = ("strict", "controlled", "normal")
ROLES: tuple[Role, ...] = ("certified", "auxiliary", "leader")
TRAVEL_MODES: tuple[TravelMode, ...] = ("foot", "ebike", "car")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
INSPECTION_HOURS_MIN: tuple[int, int] = (8 * 60, 20 * 60)
"""Inspections (明查暗访) come at uniformly random times in office hours, 08:00–20:00, at
uniformly random street patches. Assumption."""

#: Chinese labels accepted for tiers and roles in the CSV files (seed 002 篇7, seed 003 篇7).
TIER_ALIASES: Mapping[str, Tier] = {"严管": "strict", "严控": "controlled", "规范": "normal"}
ROLE_ALIASES: Mapping[str, Role] = {
    "执法队员": "certified",
    "协管员": "auxiliary",
    "中队长": "leader",
    "队长": "leader",
}

#: Patch kinds patrolsim knows without being told (DOMAIN.md "Places"), with Chinese labels.
#: ``base`` is a squad's office: units start and end there, violations are not modelled there.
BUILTIN_PATCH_KINDS: Mapping[str, str] = {
    "main_road": "主干道",
    "secondary_road": "次干道",
    "back_lane": "小街小巷",
    "market": "农贸市场",
    "school": "校园周边",
    "station_square": "车站广场",
    "commercial": "商圈",
    "hospital": "医院周边",
    "night_market": "夜市",
    "construction_site": "工地",
    "urban_village": "城中村",
    "scenic_area": "景区",
    "base": "中队驻地",
}

#: KPI columns of a simulation's ``kpis.csv``; targets in scenario.toml must name one of them.
KPI_NAMES: tuple[str, ...] = (
    "violations_started",
    "violations_handled",
    "violations_self_ended",
    "violations_active_end",
    "violation_hours",
    "recorded_violations",
    "complaints",
    "complaint_response_mean_min",
    "complaint_response_p90_min",
    "complaints_within_target_share",
    "inspection_pass_rate",
    "patrol_hours",
    "overtime_hours",
    "annual_cost",
)


@dataclass(frozen=True, slots=True)
class Dynamics:
    """How one violation type responds to enforcement (DESIGN.md "The simulation model").

    The rate at a patch is ``λ = λ0 · f(R) · h(B) + release(L) + displaced inflow`` with
    ``f(R) = ((1 − R) / (1 − R0)) ** risk_elasticity``. Every default here is an assumption to
    calibrate unless its comment names a source; the reference scenario states its values
    explicitly, each with its source, and the validation suite checks them against the anchors.
    """

    prior_risk: float = 0.10
    """R0, the would-be violators' perceived risk of being caught with no recent signal.
    Only the ratio (1 − R) / (1 − R0) enters the rate, so R0 sets the scale of the other
    risks. Assumption."""
    presence_risk: float = 0.70
    """The perceived risk a unit on site drives R towards. Calibrated with
    ``risk_elasticity`` and ``residual_tau_h`` so that the chance of a new violation within
    30 min of a 10–16 min stop is ≈ 4 % where it is 15 % after a drive-by (Koper 1995;
    validity check 1 gives 4.0 %): f = ((1 − 0.7) / 0.9)² ≈ 0.11 while a unit is there."""
    presence_tau_min: float = 1.7
    """Time constant of the logistic rise of R while a unit is present
    (:func:`patrolsim.sim.deterrence.presence_rise`): 10 % of the effect by 2 min, 63 % by
    6, 95 % by 10 and all of it by 15 min, so short stops do little and the Koper curve
    flattens after about 15 min (Koper 1995; check 1)."""
    residual_tau_h: float = 1.0
    """Time constant of R's relaxation back to its anchor after a unit leaves (residual
    deterrence): hours for vendors, weeks for construction (Koper 1995; Sherman 1990).
    Calibrated to Koper's 4 % within 30 min of leaving (check 1) and to the 6–18 % fewer
    violations for twice the presence at hot spots (Sherman & Weisburd 1995, Braga et al.
    2019; check 4 gives 13.2 %)."""
    risk_elasticity: float = 2.0
    """k in f(R); how strongly the rate falls as perceived risk rises. Calibrated together
    with ``presence_risk`` (Koper 1995, check 1)."""
    learn_sanction: float = 0.005
    """Jump of R and its anchor towards 1 when a violation at the patch is sanctioned
    (Sherman 1990: deterrence is learned from outcomes). With a 30-day memory one sanction a
    day at a patch lifts its anchor from 0.10 to about 0.2. Calibrated with the presence dose
    (check 4): 0.05 made a few sanctions suppress a place for weeks."""
    learn_unsanctioned: float = 0.001
    """Jump of R and its anchor towards 0 when a violation ends unsanctioned; with many
    violators and thin enforcement this swamps enforcement (Kleiman 2009). Small by default
    so that an unpatrolled patch with ~8 violations a day keeps its anchor near R0 (0.1 →
    0.08); the tipping check uses a swamping parameter set. Assumption."""
    learn_credibility: float = 0.02
    """How much one encounter teaches violators about what a unit's presence means: a
    sanction raises the credibility C by this share of the way to 1, an encounter without
    sanction (the violator fled, or was only persuaded) lowers it by this share. During a
    crackdown encounters come faster than C is forgotten (``anchor_tau_days``), so presence
    loses force while the campaign continues (Sherman 1990, initial deterrence decay; check
    2). Assumption to calibrate."""
    anchor_tau_days: float = 30.0
    """Time constant with which R's anchor (the long-run norm of the place) follows R: a long,
    concentrated campaign can move it for good (Kleiman 2009 tipping). Assumption."""
    latent_share: float = 0.5
    """Share of suppressed opportunities that wait as latent demand L rather than vanish
    (vendors still need the income; "一停就乱", DOMAIN.md). Assumption to calibrate."""
    latent_tau_h: float = 72.0
    """Time constant with which latent demand is lost if not released. Assumption."""
    latent_release_tau_h: float = 12.0
    """Time constant of the release of latent demand when risk is at its anchor (rebound and
    overshoot after a campaign ends). Assumption to calibrate."""
    broken_windows_gain: float = 0.0
    """Relative rise of the rate while one unresolved violation is visible at the patch:
    1.08 doubles it, Keizer et al. 2008's 13 % → 27 % (validity check 6). Zero for types that
    do not carry the effect."""
    broken_windows_scale: float = 1.0
    """How fast the effect saturates with more visible violations: h(B) rises as
    1 − exp(−B / scale), normalised so that h(1) = 1 + gain; with 1, the most disorder gives
    1 + 1.58 · gain. Assumption."""
    displacement_share: float = 0.0
    """Share of the suppressed rate that moves to neighbours within ``neighbour_radius_m``
    (Weisburd et al. 2006: displacement is seen, but less often than diffusion)."""
    diffusion_share: float = 0.0
    """Share of a patch's perceived-risk gain that neighbours receive too (diffusion of
    benefits, Guerette & Bowers 2009; Braga et al. 2019)."""
    neighbour_radius_m: float = 400.0
    """Radius of displacement and diffusion. Assumption (a street block or two)."""
    flee_probability: float = 0.0
    """Probability that a mobile violator flees when a unit arrives ("打游击", seed 002)."""
    reappear_probability: float = 0.0
    """Probability that a violator who fled sets up again at a neighbouring patch."""
    reappear_delay_mean_min: float = 30.0
    """Mean delay before a violator who fled reappears. Assumption."""
    growth_per_day: float = 0.0
    """Relative growth per day of an unhandled violation's size and handling time (illegal
    construction "违建抢建", seed 002/003). Assumption."""


@dataclass(frozen=True, slots=True)
class ViolationType:
    """A kind of street violation (DOMAIN.md table) and its parameters."""

    name: str
    label: str
    base_rate_per_day: Mapping[str, float]
    """Mean violations started per patch per day, by patch kind, before profiles and
    enforcement; kinds not listed have none."""
    hour_profile: tuple[float, ...]
    """24 relative weights, one per hour of the day; normalised to mean 1 by the loader."""
    weekday_profile: tuple[float, ...]
    """7 relative weights, Monday first; normalised to mean 1 by the loader."""
    duration_mean_min: float | None
    """Mean time until the violation ends by itself; ``None``: it stays until handled."""
    visibility: float
    """Probability that a unit on site notices it."""
    complaint_probability: float
    """Probability that a citizen reports it to the hotline (12319 / 12345)."""
    complaint_delay_mean_min: float
    """Mean delay from start to the complaint."""
    handling_min: float
    """Mean on-site time to handle it."""
    handled_by: HandledBy
    """``sanction``: needs a unit of ≥2 certified officers; ``any``: auxiliaries may persuade."""
    persuasion_success: float
    """Probability that an auxiliary-only unit's persuasion ends the violation."""
    priority: int
    """Complaint priority, 1 (most urgent) to 3."""
    holiday_multiplier: float
    """Rate multiplier on public holidays."""
    mobile: bool
    """Mobile vendors flee and reappear nearby; fixed violations stay put."""
    dynamics: Dynamics


@dataclass(frozen=True, slots=True)
class PatchKind:
    """A kind of place, with the time windows in which its fixed posts are held."""

    name: str
    label: str
    windows: tuple[tuple[int, int], ...] = ()
    """Fixed-post windows as (start, end) minutes after midnight (school gates at arrival and
    dismissal, market mornings); an end past 1440 crosses midnight. Empty: any time of the
    shift. Patrol stops are not bound by them: the expected violations say when to come."""


@dataclass(frozen=True, slots=True)
class Patch:
    """One place: a road section, market, school surroundings, ..."""

    index: int
    id: str
    name: str
    kind: str
    tier: Tier
    x_m: float
    y_m: float
    squad: str
    rate_overrides: Mapping[str, float] = field(default_factory=dict)
    """Per violation type base rates (per day) that replace the kind's default."""


@dataclass(frozen=True, slots=True)
class Squad:
    """A squad (中队) with its base patch, where its units start and end."""

    index: int
    id: str
    name: str
    base_patch: str
    base_index: int


@dataclass(frozen=True, slots=True)
class StaffMember:
    """One person on the staff list."""

    index: int
    id: str
    name: str
    role: Role
    squad: str
    weekly_hours: float
    min_weekly_hours: float
    max_weekly_hours: float

    @property
    def certified(self) -> bool:
        """Whether this person is a certified officer (leaders are certified officers)."""
        return self.role != "auxiliary"


@dataclass(frozen=True, slots=True)
class Leave:
    """A person's absence, ``start`` to ``end`` inclusive."""

    staff_id: str
    start: dt.date
    end: dt.date
    kind: str

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls in this leave."""
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A shift: name and clock times. An end at or before the start crosses midnight."""

    name: str
    label: str
    start_min: int
    end_min: int
    """Minutes after the start day's midnight; > 1440 when the shift crosses midnight."""

    @property
    def duration_min(self) -> int:
        """Length of the shift in minutes."""
        return self.end_min - self.start_min

    @property
    def night(self) -> bool:
        """Whether at least two hours of the shift fall between 22:00 and 06:00."""
        return _overlap(self.start_min, self.end_min, 22 * 60, 30 * 60) >= 120


@dataclass(frozen=True, slots=True)
class Duty:
    """An off-street duty: Friday study, drills, squad meetings (seeds 001, 003)."""

    name: str
    weekday: int
    """0 = Monday."""
    start_min: int
    end_min: int
    every_weeks: int
    """1: every week; 2: fortnightly (counted from the scenario's first week); ..."""
    shifts: tuple[str, ...]
    """Shifts whose workers attend; they are off the street for the duty's duration."""

    def on(self, day: dt.date, first_day: dt.date) -> bool:
        """Whether the duty takes place on ``day``."""
        week = (day - first_day).days // 7
        return day.weekday() == self.weekday and week % self.every_weeks == 0


@dataclass(frozen=True, slots=True)
class RosterWeights:
    """Weights of the roster's soft rules (all penalties are minimised together)."""

    shortfall: int = 1000
    surplus: int = 5
    preference: int = 10
    fairness_nights: int = 20
    fairness_weekends: int = 20
    shift_consistency: int = 2
    weekend_pair: int = 10
    stability: int = 3


@dataclass(frozen=True, slots=True)
class RosterRules:
    """Hard rules and soft weights of the weekly roster (DOMAIN.md "Staff and rules")."""

    min_rest_hours: float = 11.0
    max_consecutive_days: int = 6
    min_days_off_per_week: int = 2
    unit_certified: int = 2
    """Certified officers per sanctioning unit (Administrative Penalty Law: ≥2)."""
    unit_auxiliaries: int = 1
    """Auxiliary places per unit."""
    hours_tolerance: float = 8.0
    """Default min/max weekly hours = weekly_hours ∓ this, unless staff.csv gives them."""
    default_cover: Mapping[str, int] = field(default_factory=dict)
    """Units per shift per squad when no requirements are given, by shift name."""
    weights: RosterWeights = field(default_factory=RosterWeights)


@dataclass(frozen=True, slots=True)
class PatrolRules:
    """How units patrol: stop lengths, revisits, breaks, travel mode."""

    stop_min: float = 12.0
    """Koper 1995: stops of 11–15 min are best; 12 is the default stop."""
    stop_max: float = 15.0
    revisit_gap_min: float = 120.0
    """Minimum gap between visits to one patch (Koper 1995: revisit within about 2 h)."""
    meal_break_min: float = 30.0
    mode: TravelMode = "ebike"


@dataclass(frozen=True, slots=True)
class Campaign:
    """A special enforcement campaign (专项整治) overlaid on any policy."""

    name: str
    start: dt.date
    end: dt.date
    patch_kinds: tuple[str, ...]
    patches: tuple[str, ...]
    violation_types: tuple[str, ...]
    extra_units: int

    def covers(self, day: dt.date) -> bool:
        """Whether the campaign runs on ``day``."""
        return self.start <= day <= self.end

    def targets_patch(self, patch: Patch) -> bool:
        """Whether the campaign targets ``patch`` (no kinds and no patches: every patch)."""
        if not self.patch_kinds and not self.patches:
            return True
        return patch.kind in self.patch_kinds or patch.id in self.patches


@dataclass(frozen=True, slots=True)
class ExamPeriod:
    """An exam period (中考/高考): more activity around schools and a campaign there."""

    name: str
    start: dt.date
    end: dt.date
    patch_kinds: tuple[str, ...]
    multiplier: float


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one day of the horizon."""

    date: dt.date
    holiday: str | None
    """Name of the public holiday, or ``None``."""
    workday: bool
    """An ordinary working day: Monday–Friday not a holiday, or a weekend made a working day."""
    exam_periods: tuple[str, ...]
    inspection: bool


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """The calendar as the scenario states it (the resolved days are ``Scenario.days``)."""

    public_holidays: bool = True
    """Take the public holidays and working weekends of ``country`` (default China) from the
    ``holidays`` library."""
    extra_holidays: tuple[dt.date, ...] = ()
    not_holidays: tuple[dt.date, ...] = ()
    inspection_days: tuple[dt.date, ...] = ()
    country: str = "CN"
    """ISO 3166 code of the country whose public holidays apply (``holidays`` library)."""


@dataclass(frozen=True, slots=True)
class TravelRules:
    """Speeds and street circuity used to build the :class:`Network`."""

    speeds_kmh: Mapping[str, float]
    """Per travel mode; defaults foot 4.5, e-bike 15, car 20 km/h (assumptions)."""
    circuity: float = 1.3
    """Street over straight-line distance where roads.csv gives no path (typical 1.2–1.4)."""
    roads_mode: str = "ebike"
    """The travel mode that roads.csv minutes are for."""


@dataclass(frozen=True, slots=True)
class RoadEdge:
    """One row of roads.csv: an undirected edge between two patches."""

    source: str
    target: str
    metres: float | None
    minutes: float | None


@dataclass(frozen=True, slots=True)
class Target:
    """A KPI threshold from scenario.toml: ``min <= value`` and/or ``value <= max``."""

    kpi: str
    min: float | None = None
    max: float | None = None

    def met_by(self, value: float) -> bool:
        """Whether ``value`` meets the target."""
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)


FULL_MATRIX_MAX_PATCHES = 2000
"""Up to this many patches the simulator keeps a whole patch-to-patch travel matrix (fast
lookups, at most 32 MB); above it travel is computed a row at a time (:class:`TravelRows`)."""
ROW_CACHE = 256
"""Rows of travel a :class:`TravelRows` keeps (a row of a 50,000-patch city is 400 kB)."""

Indices = Sequence[int] | npt.NDArray[np.int64]
"""Patch indices: a list, a range or an integer array."""
RoadLengths = Callable[[int], Mapping[int, float]]
"""Shortest road lengths from one patch (metres or minutes) to every patch roads reach."""


@dataclass(frozen=True, slots=True, eq=False)
class Network:
    """Travel between patches, indexed by patch index, computed on demand.

    The street distance from patch i to j is the shortest path over roads.csv when roads
    connect them, otherwise the straight-line distance times ``circuity``. Nothing here is
    stored for every pair of patches: a city of 50,000 patches would need 20 GB per matrix.
    Callers ask for the rows or blocks they need (:meth:`distance_from`,
    :meth:`travel_s_between`, :meth:`travel_table`, :meth:`neighbours`); the whole-matrix
    properties remain for small districts and tests.

    Attributes
    ----------
    xy
        Patch coordinates in metres, one row per patch index.
    speeds_kmh
        Speed per travel mode.
    circuity
        Street distance over straight-line distance where no road path exists.
    road_lengths
        Shortest road lengths from one patch, or ``None`` without roads.csv.
    road_unit
        ``"metres"`` or ``"minutes"``: what :attr:`road_lengths` returns.
    road_mode
        The mode that road minutes are for.
    """

    xy: npt.NDArray[np.float64]
    speeds_kmh: Mapping[str, float]
    circuity: float = 1.3
    road_lengths: RoadLengths | None = None
    road_unit: str | None = None
    road_mode: str | None = None

    @property
    def n(self) -> int:
        """Number of patches."""
        return len(self.xy)

    @property
    def road_minutes(self) -> bool:
        """Whether roads.csv gives minutes (travel then scales by speed from ``road_mode``)."""
        return self.road_lengths is not None and self.road_unit == "minutes"

    def _fallback_m(
        self, sources: npt.NDArray[np.int64], targets: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        diff = self.xy[sources][:, None, :] - self.xy[targets][None, :, :]
        return np.sqrt((diff**2).sum(axis=-1)) * self.circuity

    def _road_block(
        self, sources: npt.NDArray[np.int64], targets: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """Road lengths (metres or minutes; inf where no road path) for the block."""
        assert self.road_lengths is not None
        out = np.full((len(sources), len(targets)), np.inf)
        where = {int(t): k for k, t in enumerate(targets)}
        for row, s in enumerate(sources):
            for t, length in self.road_lengths(int(s)).items():
                k = where.get(t)
                if k is not None:
                    out[row, k] = length
        return out

    def _metres_and_minutes(
        self, rows: Indices, cols: Indices | None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
        sources = np.asarray(rows, dtype=np.int64)
        targets = np.arange(self.n) if cols is None else np.asarray(cols, dtype=np.int64)
        fallback_m = self._fallback_m(sources, targets)
        if self.road_lengths is None:
            return fallback_m, None
        road = self._road_block(sources, targets)
        if not self.road_minutes:
            return np.where(np.isfinite(road), road, fallback_m), None
        assert self.road_mode is not None
        per_min = self.speeds_kmh[self.road_mode] * 1000.0 / 60.0
        minutes = np.where(np.isfinite(road), road, fallback_m / per_min)
        return minutes * per_min, minutes

    def distance_between(self, rows: Indices, cols: Indices | None = None) -> npt.NDArray[np.int64]:
        """Street metres from each patch in ``rows`` to each in ``cols`` (default: all)."""
        metres, _ = self._metres_and_minutes(rows, cols)
        return np.rint(metres).astype(np.int64)

    def travel_s_between(
        self, mode: str, rows: Indices, cols: Indices | None = None
    ) -> npt.NDArray[np.int64]:
        """Travel time in whole seconds by ``mode`` from each of ``rows`` to each of ``cols``."""
        metres, minutes = self._metres_and_minutes(rows, cols)
        if minutes is not None:
            assert self.road_mode is not None
            scale = self.speeds_kmh[self.road_mode] / self.speeds_kmh[mode]
            return np.rint(minutes * 60.0 * scale).astype(np.int64)
        metres_per_s = self.speeds_kmh[mode] / 3.6
        return np.rint(np.rint(metres) / metres_per_s).astype(np.int64)

    def travel_min_between(
        self, mode: str, rows: Indices, cols: Indices | None = None
    ) -> npt.NDArray[np.float64]:
        """Travel time in minutes (whole seconds / 60) by ``mode``; see :meth:`travel_s_between`."""
        return self.travel_s_between(mode, rows, cols).astype(np.float64) / 60.0

    @property
    def distance_m(self) -> npt.NDArray[np.int64]:
        """Street metres between every pair of patches (n × n: small districts only)."""
        return self.distance_between(range(self.n))

    def travel_s(self, mode: str) -> npt.NDArray[np.int64]:
        """Travel time in whole seconds between every pair of patches (small districts only)."""
        return self.travel_s_between(mode, range(self.n))

    def travel_min(self, mode: str) -> npt.NDArray[np.float64]:
        """Travel time in minutes between every pair of patches (small districts only)."""
        return self.travel_s(mode).astype(np.float64) / 60.0

    def travel_table(self, mode: str) -> npt.NDArray[np.float64] | TravelRows:
        """Travel minutes for lookups ``table[a, b]``: a whole matrix for a small district,
        a :class:`TravelRows` (a row at a time, cached) above
        :data:`FULL_MATRIX_MAX_PATCHES` patches."""
        if self.n <= FULL_MATRIX_MAX_PATCHES:
            return self.travel_min(mode)
        return TravelRows(self, mode)

    def neighbours(
        self, radius_m: float, keep: npt.NDArray[np.bool_] | None = None
    ) -> list[list[int]]:
        """For each patch, the other patches within ``radius_m`` street metres, ascending.

        ``keep`` limits the neighbours to patches where it is true. Without roads, candidates
        come from a grid of cells ``radius / circuity`` wide, so the work grows with the
        number of patches, not its square.
        """
        keep_mask = np.ones(self.n, dtype=bool) if keep is None else keep
        out: list[list[int]] = []
        if self.road_lengths is not None or self.n <= FULL_MATRIX_MAX_PATCHES:
            for i in range(self.n):
                row = (self.distance_between([i])[0] <= radius_m) & keep_mask
                row[i] = False
                out.append(np.flatnonzero(row).tolist())
            return out
        cell = max((radius_m + 1.0) / self.circuity, 1.0)
        keys = np.floor(self.xy / cell).astype(np.int64)
        buckets: dict[tuple[int, int], list[int]] = {}
        for i, (kx, ky) in enumerate(keys.tolist()):
            buckets.setdefault((kx, ky), []).append(i)
        for i, (kx, ky) in enumerate(keys.tolist()):
            near = [
                j
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for j in buckets.get((kx + dx, ky + dy), ())
            ]
            cand = np.array(sorted(near), dtype=np.int64)
            d = self.distance_between([i], cand)[0]
            ok = (d <= radius_m) & keep_mask[cand] & (cand != i)
            out.append(cand[ok].tolist())
        return out


class TravelRows:
    """Travel minutes from patch to patch by one mode, computed when looked up.

    ``table[a, b]`` is the travel time from a to b and ``table.row_list(a)[b]`` the same
    through a row object. Without roads a lookup is a few floating-point operations (the same
    ones, in the same order, as :meth:`Network.travel_s_between`, so the answers agree to the
    bit); with roads, the last :data:`ROW_CACHE` rows used are kept.
    """

    def __init__(self, network: Network, mode: str, cache_rows: int = ROW_CACHE) -> None:
        self.network = network
        self.mode = mode
        self.cache_rows = cache_rows
        self._rows: OrderedDict[int, npt.NDArray[np.float64]] = OrderedDict()
        self._xy: list[list[float]] | None = (
            network.xy.tolist() if network.road_lengths is None else None
        )
        self._metres_per_s = network.speeds_kmh[mode] / 3.6

    @property
    def shape(self) -> tuple[int, int]:
        """``(patches, patches)``, as of the matrix it stands for."""
        return (self.network.n, self.network.n)

    def row(self, a: int) -> npt.NDArray[np.float64]:
        """Travel minutes from patch ``a`` to every patch."""
        row = self._rows.get(a)
        if row is None:
            row = self.network.travel_min_between(self.mode, [a])[0]
            self._rows[a] = row
            if len(self._rows) > self.cache_rows:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(a)
        return row

    def row_list(self, a: int) -> _TravelRow:
        """The travel minutes from patch ``a``, indexed by patch: ``row_list(a)[b]``."""
        return _TravelRow(self, a)

    def __getitem__(self, key: tuple[int, int]) -> float:
        a, b = int(key[0]), int(key[1])
        if self._xy is None:
            return float(self.row(a)[b])
        (xa, ya), (xb, yb) = self._xy[a], self._xy[b]
        dx, dy = xa - xb, ya - yb
        metres = round(math.sqrt(dx * dx + dy * dy) * self.network.circuity)
        return round(metres / self._metres_per_s) / 60.0


class _TravelRow:
    """One origin's travel minutes, looked up per destination (see :class:`TravelRows`)."""

    __slots__ = ("a", "table")

    def __init__(self, table: TravelRows, a: int) -> None:
        self.table = table
        self.a = a

    def __getitem__(self, b: int) -> float:
        return self.table[self.a, b]


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything patrolsim knows about a district: places, people, rules, calendar."""

    name: str
    folder: str
    start_date: dt.date
    horizon_days: int
    timezone: str
    warmup_days: int
    violation_types: tuple[ViolationType, ...]
    patch_kinds: Mapping[str, PatchKind]
    patches: tuple[Patch, ...]
    squads: tuple[Squad, ...]
    staff: tuple[StaffMember, ...]
    leave: tuple[Leave, ...]
    shifts: tuple[ShiftType, ...]
    duties: tuple[Duty, ...]
    roster: RosterRules
    patrol: PatrolRules
    campaigns: tuple[Campaign, ...]
    exam_periods: tuple[ExamPeriod, ...]
    calendar: CalendarRules
    days: tuple[DayInfo, ...]
    """One entry per day of the horizon."""
    travel: TravelRules
    roads: tuple[RoadEdge, ...]
    network: Network
    targets: tuple[Target, ...]
    complaint_target_min: float
    """A complaint counts as answered in time if a unit arrives within this many minutes."""
    inspections_per_day: int
    """Simulated inspection visits per day (random patch, random time); inspection days in
    the calendar get three times as many (迎检, seed 003)."""
    content_hash: str
    """SHA-256 of the scenario's files, for manifests and result stores."""
    levers: Levers = field(default_factory=Levers)
    """Stall zones, cameras, shop-front contracts and cost rates
    (:mod:`~patrolsim.scenario.levers`)."""
    language: Literal["zh", "en"] = "zh"
    """Language of what the bureau reads (reports, sheets, plots) unless ``--lang`` says
    otherwise: Chinese first (STYLE.md §9)."""

    @property
    def end_date(self) -> dt.date:
        """The last day of the horizon."""
        return self.start_date + dt.timedelta(days=self.horizon_days - 1)

    def patch_index(self, patch_id: str) -> int:
        """Index of the patch with id ``patch_id``."""
        for p in self.patches:
            if p.id == patch_id:
                return p.index
        raise KeyError(patch_id)

    def shift(self, name: str) -> ShiftType:
        """The shift type called ``name``."""
        for s in self.shifts:
            if s.name == name:
                return s
        raise KeyError(name)

    def squad(self, squad_id: str) -> Squad:
        """The squad with id ``squad_id``."""
        for s in self.squads:
            if s.id == squad_id:
                return s
        raise KeyError(squad_id)

    def violation_type(self, name: str) -> ViolationType:
        """The violation type called ``name``."""
        for v in self.violation_types:
            if v.name == name:
                return v
        raise KeyError(name)

    def day(self, date: dt.date) -> DayInfo:
        """Calendar information for ``date`` (which must be inside the horizon)."""
        offset = (date - self.start_date).days
        if not 0 <= offset < self.horizon_days:
            raise KeyError(date)
        return self.days[offset]

    def on_leave(self, staff_id: str, day: dt.date) -> bool:
        """Whether ``staff_id`` is on leave on ``day``."""
        return any(lv.staff_id == staff_id and lv.covers(day) for lv in self.leave)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    """Minutes shared by [a0, a1) and [b0, b1), also across one midnight."""
    total = 0
    for shift in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY):
        total += max(0, min(a1, b1 + shift) - max(a0, b0 + shift))
    return total
