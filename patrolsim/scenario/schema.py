"""The schema of ``scenario.toml``: pydantic models that check every field at the boundary.

These models exist only to validate what a person typed and to publish a JSON Schema
(``patrolsim schema``). Right after validation the loader turns them into the frozen
dataclasses of :mod:`patrolsim.scenario.model`. Unknown keys are errors, so a typo never
silently becomes a default.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Any, Literal

import holidays
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from patrolsim.scenario.levers import Camera, Costs, ShopfrontContract, StallZone
from patrolsim.scenario.model import KPI_NAMES, Dynamics, RosterWeights

_DYN = Dynamics()
_WEIGHTS = RosterWeights()
_ZONE = StallZone("", "", 0, 0, 0)
_CAMERA = Camera("", ())
_SHOP = ShopfrontContract("", ())
_COSTS = Costs()

MAX_RATE_PER_DAY = 1000.0
"""Most violations a patch may start per day, per type: far above any street (a busy market
sees tens), low enough that a simulated week stays seconds, not hours."""
MAX_PROFILE_WEIGHT = 1000.0
"""Largest relative weight in an hour or weekday profile (a larger one would flatten every
other weight to zero once the profile is normalised)."""
FIRST_YEAR, LAST_YEAR = 2000, 2099
"""Years a scenario may start in (the holiday calendar and date arithmetic stay valid)."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]

_HHMM = re.compile(r"^([01]?\d|2[0-9]|3[0-5]):([0-5]\d)$")


def parse_hhmm(value: str) -> int:
    """Return minutes after midnight for ``"HH:MM"``; hours up to 35 express next-day times."""
    match = _HHMM.match(value.strip())
    if match is None:
        raise ValueError("expected a time as HH:MM, e.g. 07:30")
    return int(match.group(1)) * 60 + int(match.group(2))


class _Strict(BaseModel):
    # inf and nan pass ge/le checks; no number in a scenario may be either.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TimeWindow(_Strict):
    """A window of the day; ``end`` at or before ``start`` crosses midnight."""

    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_hhmm(value)
        return value


class DynamicsIn(_Strict):
    """Enforcement response of one violation type (:class:`patrolsim.scenario.model.Dynamics`)."""

    prior_risk: float = Field(_DYN.prior_risk, ge=0.0, lt=1.0)
    presence_risk: float = Field(_DYN.presence_risk, ge=0.0, lt=1.0)
    presence_tau_min: Positive = _DYN.presence_tau_min
    residual_tau_h: Positive = _DYN.residual_tau_h
    risk_elasticity: NonNegative = _DYN.risk_elasticity
    learn_sanction: Probability = _DYN.learn_sanction
    learn_unsanctioned: Probability = _DYN.learn_unsanctioned
    learn_credibility: Probability = _DYN.learn_credibility  # validity work (issue 4)
    anchor_tau_days: Positive = _DYN.anchor_tau_days
    latent_share: Probability = _DYN.latent_share
    latent_tau_h: Positive = _DYN.latent_tau_h
    latent_release_tau_h: Positive = _DYN.latent_release_tau_h
    broken_windows_gain: NonNegative = _DYN.broken_windows_gain
    broken_windows_scale: Positive = _DYN.broken_windows_scale
    displacement_share: Probability = _DYN.displacement_share
    diffusion_share: Probability = _DYN.diffusion_share
    neighbour_radius_m: NonNegative = _DYN.neighbour_radius_m
    flee_probability: Probability = _DYN.flee_probability
    reappear_probability: Probability = _DYN.reappear_probability
    reappear_delay_mean_min: Positive = _DYN.reappear_delay_mean_min
    growth_per_day: NonNegative = _DYN.growth_per_day

    @model_validator(mode="after")
    def _presence_above_prior(self) -> DynamicsIn:
        if self.presence_risk < self.prior_risk:
            raise ValueError(
                f"presence_risk must be at least prior_risk (got {self.presence_risk} < "
                f"{self.prior_risk})"
            )
        return self


class ViolationTypeIn(_Strict):
    """One violation type (DOMAIN.md table)."""

    label: str = Field(min_length=1, description="Display name, e.g. 流动摊贩")
    base_rate_per_day: dict[str, Annotated[float, Field(ge=0.0, le=MAX_RATE_PER_DAY)]] = Field(
        description="Mean violations started per patch per day, by patch kind"
    )
    hour_profile: list[Annotated[float, Field(ge=0.0, le=MAX_PROFILE_WEIGHT)]] = Field(
        min_length=24, max_length=24, description="24 relative weights, 00:00 first"
    )
    weekday_profile: list[Annotated[float, Field(ge=0.0, le=MAX_PROFILE_WEIGHT)]] = Field(
        min_length=7, max_length=7, description="7 relative weights, Monday first"
    )
    duration_mean_min: Positive | None = Field(
        None, description="Mean minutes until it ends by itself; omit: stays until handled"
    )
    visibility: Probability = Field(description="P(a unit on site notices it)")
    complaint_probability: Probability = Field(description="P(a citizen reports it)")
    complaint_delay_mean_min: NonNegative = 30.0
    handling_min: Positive = Field(description="Mean on-site minutes to handle it")
    handled_by: Literal["sanction", "any"] = Field(
        "sanction",
        description="sanction: needs ≥2 certified officers; any: auxiliaries may persuade",
    )
    persuasion_success: Probability = 0.5
    priority: int = Field(2, ge=1, le=3, description="Complaint priority, 1 most urgent")
    holiday_multiplier: NonNegative = 1.0
    mobile: bool = Field(False, description="Mobile vendors flee and reappear nearby")
    dynamics: DynamicsIn = Field(default_factory=DynamicsIn)

    @field_validator("hour_profile", "weekday_profile")
    @classmethod
    def _not_all_zero(cls, value: list[float]) -> list[float]:
        if sum(value) <= 0.0:
            raise ValueError("profile must have at least one positive weight")
        return value


class PatchKindIn(_Strict):
    """Display label and fixed-post windows of a patch kind."""

    label: str | None = None
    windows: list[TimeWindow] = Field(default_factory=list)


class ShiftIn(_Strict):
    """A shift type."""

    name: Identifier
    label: str | None = None
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM; at or before start: ends next day")

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_hhmm(value)
        return value

    @model_validator(mode="after")
    def _length(self) -> ShiftIn:
        if parse_hhmm(self.start) % 1440 == parse_hhmm(self.end) % 1440:
            raise ValueError(
                f"shift {self.name} has zero length (start {self.start} = end {self.end})"
            )
        return self


class SquadIn(_Strict):
    """A squad (中队) and its base patch."""

    id: Identifier
    name: str = Field(min_length=1)
    base_patch: str = Field(min_length=1, description="id of a patch in patches.csv")


class DutyIn(_Strict):
    """An off-street duty: study session, drill, meeting."""

    name: str = Field(min_length=1)
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    start: str
    end: str
    every_weeks: int = Field(1, ge=1, le=52)
    shifts: list[str] = Field(default_factory=list, description="attending shifts; empty: all")

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_hhmm(value)
        return value


class RosterWeightsIn(_Strict):
    """Weights of the roster's soft rules."""

    shortfall: int = Field(_WEIGHTS.shortfall, ge=0)
    surplus: int = Field(_WEIGHTS.surplus, ge=0)
    preference: int = Field(_WEIGHTS.preference, ge=0)
    fairness_nights: int = Field(_WEIGHTS.fairness_nights, ge=0)
    fairness_weekends: int = Field(_WEIGHTS.fairness_weekends, ge=0)
    shift_consistency: int = Field(_WEIGHTS.shift_consistency, ge=0)
    weekend_pair: int = Field(_WEIGHTS.weekend_pair, ge=0)
    stability: int = Field(_WEIGHTS.stability, ge=0)


class RosterIn(_Strict):
    """Roster rules."""

    min_rest_hours: float = Field(11.0, ge=0.0, le=48.0)
    max_consecutive_days: int = Field(6, ge=1, le=14)
    min_days_off_per_week: int = Field(2, ge=0, le=7)
    unit_certified: int = Field(2, ge=2, le=10, description="≥2 by the Administrative Penalty Law")
    unit_auxiliaries: int = Field(1, ge=0, le=10)
    hours_tolerance: float = Field(8.0, ge=0.0)
    default_cover: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="units per shift per squad, by shift name"
    )
    weights: RosterWeightsIn = Field(default_factory=RosterWeightsIn)


class PatrolIn(_Strict):
    """How units patrol."""

    stop_min: Positive = 12.0
    stop_max: Positive = 15.0
    revisit_gap_min: NonNegative = 120.0
    meal_break_min: NonNegative = 30.0
    mode: Literal["foot", "ebike", "car"] = "ebike"

    @model_validator(mode="after")
    def _stops(self) -> PatrolIn:
        if self.stop_max < self.stop_min:
            raise ValueError(
                f"stop_max must be at least stop_min (got {self.stop_max} < {self.stop_min})"
            )
        return self


class CampaignIn(_Strict):
    """A special enforcement campaign (专项整治)."""

    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    patch_kinds: list[str] = Field(default_factory=list)
    patches: list[str] = Field(default_factory=list)
    violation_types: list[str] = Field(default_factory=list)
    extra_units: int = Field(0, ge=0, le=100, description="units added per shift")

    @model_validator(mode="after")
    def _order(self) -> CampaignIn:
        if self.end < self.start:
            raise ValueError(f"campaign ends before it starts (got {self.start} to {self.end})")
        return self


class ExamPeriodIn(_Strict):
    """An exam period (中考/高考)."""

    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    patch_kinds: list[str] = Field(default_factory=lambda: ["school"])
    multiplier: NonNegative = Field(1.5, description="rate multiplier at those patch kinds")

    @model_validator(mode="after")
    def _order(self) -> ExamPeriodIn:
        if self.end < self.start:
            raise ValueError(f"exam period ends before it starts (got {self.start} to {self.end})")
        return self


class CalendarIn(_Strict):
    """Calendar overrides on top of the public holidays."""

    public_holidays: bool = Field(True, description="take China's public holidays from `holidays`")
    extra_holidays: list[dt.date] = Field(default_factory=list)
    not_holidays: list[dt.date] = Field(default_factory=list, description="remove these holidays")
    exam_periods: list[ExamPeriodIn] = Field(default_factory=list)
    inspection_days: list[dt.date] = Field(default_factory=list)
    country: str = Field(
        "CN",
        description="ISO 3166 country code whose public holidays apply "
        "(a case log from elsewhere gets its own holidays)",
    )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value.upper() not in holidays.list_supported_countries():
            raise ValueError(f"unknown country code {value!r}; expected e.g. CN or US")
        return value.upper()


class TravelIn(_Strict):
    """Speeds and street circuity for travel times."""

    foot_kmh: Positive = 4.5
    ebike_kmh: Positive = 15.0
    car_kmh: Positive = 20.0
    circuity: float = Field(1.3, ge=1.0, le=3.0, description="street / straight-line distance")
    roads_mode: Literal["foot", "ebike", "car"] = Field(
        "ebike", description="the mode that roads.csv minutes are for"
    )


class TargetIn(_Strict):
    """A KPI threshold."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> TargetIn:
        if self.min is None and self.max is None:
            raise ValueError("a target needs min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max is below min (got min {self.min}, max {self.max})")
        return self


class ComplaintsIn(_Strict):
    """Complaint handling targets."""

    response_target_min: Positive = 30.0


class InspectionsIn(_Strict):
    """Simulated inspections (明查暗访)."""

    per_day: int = Field(20, ge=0, le=10_000)


LeverName = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$")
]


class StallZoneIn(_Strict):
    """A designated stall zone (疏导点 / 摊点群); see
    :class:`patrolsim.scenario.levers.StallZone`."""

    name: LeverName | None = Field(None, description="unique lever name; default zone-<patch>")
    patch: str = Field(min_length=1, description="id of the patch where the pitches are")
    open: str = Field(description="HH:MM")
    close: str = Field(description="HH:MM; at or before open: closes next day")
    capacity: int = Field(ge=0, le=100_000, description="pitches")
    violation_types: list[str] = Field(default_factory=lambda: list(_ZONE.violation_types))
    radius_m: NonNegative = _ZONE.radius_m
    uptake: Probability = Field(
        _ZONE.uptake,
        description="share of would-be vendors nearby who take a free pitch (assumption)",
    )
    deterred_uptake: Probability = Field(
        _ZONE.deterred_uptake,
        description="share of vendors deterred nearby who take a free pitch (assumption)",
    )
    annual_cost: NonNegative = _ZONE.annual_cost
    enabled: bool = True

    @field_validator("open", "close")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_hhmm(value)
        return value


class CameraIn(_Strict):
    """Video cameras (视频探头) over patches; see :class:`patrolsim.scenario.levers.Camera`."""

    name: LeverName | None = Field(None, description="unique lever name; default cameras-<n>")
    patches: list[str] = Field(min_length=1, description="ids of the patches covered")
    violation_types: list[str] = Field(default_factory=lambda: list(_CAMERA.violation_types))
    detect_per_hour: Probability = Field(
        _CAMERA.detect_per_hour, description="P(a live violation in view is noticed within an hour)"
    )
    dispatch: bool = Field(_CAMERA.dispatch, description="a detection sends a unit")
    deterrence: Probability = Field(
        _CAMERA.deterrence,
        description="share of would-be violators put off (default 0; give a source)",
    )
    annual_cost: NonNegative = Field(
        _CAMERA.annual_cost_per_patch, description="yuan per patch covered per year"
    )
    enabled: bool = True


class ShopfrontIn(_Strict):
    """Shop-front contracts (门前三包); see
    :class:`patrolsim.scenario.levers.ShopfrontContract`."""

    name: LeverName | None = Field(None, description="unique lever name; default shopfront-<n>")
    patches: list[str] = Field(min_length=1, description="ids of the patches")
    share: Probability = Field(_SHOP.share, description="share of shops under contract")
    violation_types: list[str] = Field(default_factory=lambda: list(_SHOP.violation_types))
    rate_reduction: Probability = _SHOP.rate_reduction
    grace_days: NonNegative = _SHOP.grace_days
    lapse_tau_days: Positive = _SHOP.lapse_tau_days
    annual_cost: NonNegative = Field(
        _SHOP.annual_cost_per_patch, description="yuan per patch per year"
    )
    enabled: bool = True


class CostsIn(_Strict):
    """Annual cost rates, yuan; see :class:`patrolsim.scenario.levers.Costs`."""

    certified_per_year: NonNegative = _COSTS.certified_per_year
    auxiliary_per_year: NonNegative = _COSTS.auxiliary_per_year
    leader_per_year: NonNegative | None = Field(None, description="default: certified_per_year")
    overtime_per_hour: NonNegative = _COSTS.overtime_per_hour


class ScenarioIn(_Strict):
    """The whole ``scenario.toml``."""

    name: str = Field(min_length=1)
    start_date: dt.date
    horizon_days: int = Field(gt=0, le=3660)
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    warmup_days: int = Field(0, ge=0)
    violation_types: dict[str, ViolationTypeIn] = Field(min_length=1)
    patch_kinds: dict[str, PatchKindIn] = Field(default_factory=dict)
    shifts: list[ShiftIn] = Field(min_length=1)
    squads: list[SquadIn] = Field(min_length=1)
    duties: list[DutyIn] = Field(default_factory=list)
    roster: RosterIn = Field(default_factory=RosterIn)
    patrol: PatrolIn = Field(default_factory=PatrolIn)
    campaigns: list[CampaignIn] = Field(default_factory=list)
    calendar: CalendarIn = Field(default_factory=CalendarIn)
    travel: TravelIn = Field(default_factory=TravelIn)
    targets: dict[str, TargetIn] = Field(default_factory=dict)
    complaints: ComplaintsIn = Field(default_factory=ComplaintsIn)
    inspections: InspectionsIn = Field(default_factory=InspectionsIn)
    stall_zones: list[StallZoneIn] = Field(default_factory=list)
    cameras: list[CameraIn] = Field(default_factory=list)
    shopfront: list[ShopfrontIn] = Field(default_factory=list)
    costs: CostsIn = Field(default_factory=CostsIn)

    @field_validator("start_date")
    @classmethod
    def _year(cls, value: dt.date) -> dt.date:
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Shanghai") from exc
        return value

    @field_validator("violation_types")
    @classmethod
    def _type_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise ValueError(f"violation type names are lower_snake_case (got {name!r})")
        return value

    @field_validator("targets")
    @classmethod
    def _kpis(cls, value: dict[str, Any]) -> dict[str, Any]:
        for kpi in value:
            if kpi not in KPI_NAMES:
                raise ValueError(f"unknown KPI {kpi!r}; expected one of {', '.join(KPI_NAMES)}")
        return value
