"""What a patrol stop is worth: violation-hours it saves, given how often the patch is visited.

A violation at a patch lasts until it ends by itself (mean life D, exponential as in the
simulator) or until a unit there finds it. With visits every I hours, a violation that
starts w hours before the next visit is found after min(life, w) hours, so the
violation-hours of the violations starting between two visits are

    f(I) = r · D · (I − D · (1 − exp(−I / D)))

for r violations per hour (weighted by the probability that a unit notices them). Two limits
show why a stop's value depends on the other stops of the patch:

* **long-lived** violations (flyposting, muck, illegal construction: D ≫ I) give
  f ≈ r I² / 2 — the waiting time to the next visit is what counts, so the *first* visit of a
  shift saves far more than the second, and visits should be spread (minimising r I²/2 over
  the patches for a given number of visits gives the square-root rule: visits ∝ √rate);
* **short-lived** ones (street vending: D ≪ I) give f ≈ r D I − r D², and each visit saves
  about r D² whenever it comes — what matters is being there at the busy hours.

:func:`patch_values` turns this into the prizes of a route problem that cuts a shift into
slots of the revisit gap g: a *repeat* visit in slot k saves f(2g) − 2 f(g) at the slot's
rates (it halves an interval of 2g between visits in the neighbouring slots); the *first*
visit of the shift saves f(2L) − 2 f(L) at the rates of the shift and the one before (a
patch visited once a shift would otherwise wait two shifts, L long each). The route problem
offers every slot twice: as a repeat visit and, once per shift, as the first visit.

A stop also **deters** (Koper 1995): it drives the perceived risk R of the type at the patch
to the presence risk, from which it relaxes with the type's residual time constant τ; new
violations come at ``f(R) = ((1 − R) / (1 − R0))^k`` of their usual rate, and a share of
those suppressed only wait (latent demand). Over the W hours until the next visit a stop
thus prevents ``r · P(W)`` violations, ``P(W) = (1 − latent share) ∫₀^W (1 − f(R(s))) ds``,
each worth the hidden hours a violation has under that visiting rhythm, f(W) / (r W). Its
split gain is ``2 P(W/2) − P(W)``: little for types whose deterrence outlasts the interval
(one stop a shift keeps flyposters away), a full P for vendors (τ = 1 h). The parameters are
the simulator's (:class:`~patrolsim.scenario.model.Dynamics`) with the unit's credibility
and the patch's learned anchor at their defaults.

Inspections (明查暗访) fail when they see any violation, so a stop is also worth the hours in
which an inspection at the patch would fail and now passes (:func:`failing_hours`), counted in
inspection hours only and weighted by :data:`FAIL_WEIGHT`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from patrolsim.scenario.model import INSPECTION_HOURS_MIN, Patch, Scenario, ShiftType
from patrolsim.sim.deterrence import residual_risk, risk_factor

__all__ = [
    "PatchRates",
    "TypeResponse",
    "default_rates",
    "default_risk",
    "failing_hours",
    "hidden_hours",
    "patch_values",
    "patrol_patches",
    "shift_slots",
    "shift_value",
]

_SERIES_BELOW = 1e-4
"""Below this I/D the closed form loses precision; its series is used instead."""
FAIL_WEIGHT = 5.0
"""Violation-hours that one failing hour at a patch is worth in a stop's value (an hour in
which an inspection would see a violation there). Assumption, to weigh the two headline
KPIs: at 5 a week's failing hours at nanhu (about 1,000) weigh about as much as its
violation-hours; of 0, 5 and 20 tried on nanhu (same roster), 5 gave the best pass rate,
with violation-hours within noise of the others."""
_STEPS = 200
"""Trapezoid steps of the deterrence integral."""


@dataclass(frozen=True, slots=True, eq=False)
class TypeResponse:
    """How each violation type lives and responds to a stop (one value per type).

    Compared and hashed by identity (its fields are arrays), so that what depends on the
    types alone can be cached per response.

    Attributes
    ----------
    life_h
        Mean time until a violation ends by itself, hours (``inf``: until handled).
    prior_risk, presence_risk, elasticity, residual_h, latent_share
        The deterrence parameters of :class:`~patrolsim.scenario.model.Dynamics`
        (``prior_risk``, ``presence_risk``, ``risk_elasticity``, ``residual_tau_h``,
        ``latent_share``).
    """

    life_h: npt.NDArray[np.float64]
    prior_risk: npt.NDArray[np.float64]
    presence_risk: npt.NDArray[np.float64]
    elasticity: npt.NDArray[np.float64]
    residual_h: npt.NDArray[np.float64]
    latent_share: npt.NDArray[np.float64]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> TypeResponse:
        """The scenario's violation types."""
        types = scenario.violation_types
        return cls(
            np.array(
                [
                    math.inf if vt.duration_mean_min is None else vt.duration_mean_min / 60.0
                    for vt in types
                ]
            ),
            np.array([vt.dynamics.prior_risk for vt in types]),
            np.array([vt.dynamics.presence_risk for vt in types]),
            np.array([vt.dynamics.risk_elasticity for vt in types]),
            np.array([vt.dynamics.residual_tau_h for vt in types]),
            np.array([vt.dynamics.latent_share for vt in types]),
        )

    @classmethod
    def lasting(cls, life_h: float, n_types: int = 1) -> TypeResponse:
        """Types that live ``life_h`` hours and are not deterred (for plain risk inputs)."""
        ones = np.ones(n_types)
        return cls(life_h * ones, 0.1 * ones, 0.1 * ones, 0.0 * ones, ones, ones)

    @property
    def n_types(self) -> int:
        """Number of types."""
        return len(self.life_h)

    def deterred_hours(self, window_h: float) -> npt.NDArray[np.float64]:
        """P(W): hours of each type's usual rate a stop prevents over the next ``window_h``."""
        minutes = np.linspace(0.0, 60.0 * window_h, _STEPS + 1)[:, None]
        # After the stop R stands at the presence risk (credibility 1, anchor at the prior)
        # and relaxes as in the simulator.
        risk = residual_risk(self.presence_risk, self.prior_risk, minutes, self.residual_h)
        factor = risk_factor(risk, self.prior_risk, self.elasticity)
        suppressed = np.clip(1.0 - factor, 0.0, 1.0)
        area = (suppressed[1:] + suppressed[:-1]).sum(axis=0) * window_h / (2 * _STEPS)
        return (1.0 - self.latent_share) * area


@dataclass(frozen=True, slots=True)
class PatchRates:
    """Violations expected per hour at each patch, by hour of day and type.

    Attributes
    ----------
    rates
        Shape ``(patches, 24, types)``: violations starting per hour, each weighted by the
        probability that a unit on site notices it (the type's visibility).
    response
        How the types live and respond to a stop.
    """

    rates: npt.NDArray[np.float64]
    response: TypeResponse

    def __post_init__(self) -> None:
        if self.rates.ndim != 3 or self.rates.shape[1] != 24:
            raise ValueError(
                f"Expected rates of shape (patches, 24, types), got {self.rates.shape}."
            )
        if self.response.n_types != self.rates.shape[2]:
            raise ValueError(
                f"Expected a response for each of the {self.rates.shape[2]} "
                f"types, got {self.response.n_types}."
            )
        if (self.rates < 0).any():
            raise ValueError("Expected rates >= 0.")


def hidden_hours(
    rate: npt.ArrayLike, life_h: npt.ArrayLike, interval_h: float
) -> npt.NDArray[np.float64]:
    """Violation-hours of the violations starting in an interval that ends with a visit.

    Parameters
    ----------
    rate
        Violations per hour (broadcast against ``life_h``).
    life_h
        Mean life, hours (``inf`` allowed).
    interval_h
        Hours between the visits.

    Returns
    -------
    numpy.ndarray
        ``f(I) = r D (I − D (1 − exp(−I/D)))``; ``r I² / 2`` for infinite life.
    """
    r = np.asarray(rate, dtype=np.float64)
    d = np.asarray(life_h, dtype=np.float64)
    i = float(interval_h)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(np.isfinite(d), i / d, 0.0)
        exact = d * d * (x + np.expm1(-x))
        series = i * i / 2.0 * (1.0 - x / 3.0)
        per_rate = np.where(x < _SERIES_BELOW, series, exact)
    return r * per_rate


def failing_hours(
    rate: npt.NDArray[np.float64], life_h: npt.NDArray[np.float64], interval_h: float
) -> npt.NDArray[np.float64]:
    """Hours of an interval after a visit in which an inspection would see a violation.

    Violations noticed on site build up after a visit as ``m(s) = Σ r D (1 − exp(−s/D))``
    (``r s`` for those that stay); an inspection fails with probability ``1 − exp(−m)``.
    ``rate`` has the types on its last axis and any number of patches before it; the
    result has one value per patch (a 0-d array for one patch).
    """
    s = np.linspace(0.0, interval_h, _STEPS + 1)[:, None]
    with np.errstate(invalid="ignore"):
        per_rate = np.where(np.isfinite(life_h), life_h * -np.expm1(-s / life_h), s)
    fail = -np.expm1(-(np.asarray(rate, dtype=np.float64) @ per_rate.T))
    return np.asarray((fail[..., 1:] + fail[..., :-1]).sum(axis=-1) * interval_h / (2 * _STEPS))


@functools.lru_cache(maxsize=64)
def _saved_per_rate(response: TypeResponse, interval_h: float) -> npt.NDArray[np.float64]:
    """Per type, the violation-hours a stop in the middle of an interval of ``interval_h``
    saves for each violation per hour: found sooner, ``f(I) − 2 f(I/2)`` (f is linear in the
    rate), and deterred, ``h · (2 P(I/2) − P(I))`` with h the hidden hours of a violation
    when visits come every I/2. It depends on the types alone, so it is worked out once per
    response and interval rather than for every patch and slot.
    """
    half = interval_h / 2.0
    hidden_half = hidden_hours(1.0, response.life_h, half)
    found = hidden_hours(1.0, response.life_h, interval_h) - 2.0 * hidden_half
    deterred = 2.0 * response.deterred_hours(half) - response.deterred_hours(interval_h)
    saved = found + hidden_half / half * deterred
    saved.setflags(write=False)
    return saved


def _split_gain(
    rate: npt.NDArray[np.float64], response: TypeResponse, interval_h: float, fail_weight: float
) -> npt.NDArray[np.float64]:
    """What a stop in the middle of an interval of ``interval_h`` saves: the violation-hours
    of :func:`_saved_per_rate` at these rates (``(..., types)``), plus ``fail_weight`` × the
    failing hours it saves; one value per patch."""
    value = rate @ _saved_per_rate(response, interval_h)
    if fail_weight > 0:
        value = value + fail_weight * (
            failing_hours(rate, response.life_h, interval_h)
            - 2.0 * failing_hours(rate, response.life_h, interval_h / 2.0)
        )
    return np.asarray(value)


def _share_inside(lo_min: int, hi_min: int, window: tuple[int, int]) -> float:
    """Share of the minutes [lo, hi) that fall in the daily ``window``."""
    if hi_min <= lo_min:
        return 0.0
    minutes = np.arange(lo_min, hi_min) % 1440
    return float(((minutes >= window[0]) & (minutes < window[1])).mean())


def _mean_rates(
    rates: npt.NDArray[np.float64], lo_min: int, hi_min: int
) -> npt.NDArray[np.float64]:
    """Mean over the minutes [lo, hi) of hourly rates (``(..., 24, types)``), across
    midnight."""
    if hi_min <= lo_min:
        return np.zeros(rates.shape[:-2] + rates.shape[-1:])
    minutes = np.arange(lo_min, hi_min)
    weights = np.bincount((minutes // 60) % 24, minlength=24) / len(minutes)
    return np.einsum("h,...ht->...t", weights, rates)


def patch_values(
    patch_rates: npt.NDArray[np.float64],
    response: TypeResponse,
    slots: list[tuple[int, int]],
    gap_min: int,
    inspection_min: tuple[int, int] = (0, 1440),
    fail_weight: float = FAIL_WEIGHT,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Repeat-visit value per slot and first-visit value of patches for one shift.

    One call values every patch of a squad at once: the work is array arithmetic over the
    patches, not a loop per patch (a district of 5,000 patches is valued in well under a
    second).

    Parameters
    ----------
    patch_rates
        Shape ``(patches, 24, types)`` (or ``(24, types)`` for one patch): the patches'
        rates (see :class:`PatchRates`).
    response
        How the types live and respond to a stop.
    slots
        The shift's slots as (start, end) minutes after the shift day's midnight.
    gap_min
        Minimum minutes between two visits (the slot length).
    inspection_min
        When inspections come, minutes after midnight; failing hours count only then.
    fail_weight
        Violation-hours one failing hour (an hour in which an inspection would see a
        violation) is worth; 0 leaves inspections out.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Shapes ``(patches, slots)`` and ``(patches,)``: the value of a visit in each slot
        when the neighbouring slots are visited too, and of the shift's first visit when the
        patch is visited once a shift.
    """
    gap_h = gap_min / 60.0
    repeat = []
    for a, b in slots:
        weight = fail_weight * _share_inside(a - gap_min, b + gap_min, inspection_min)
        repeat.append(_split_gain(_mean_rates(patch_rates, a, b), response, 2.0 * gap_h, weight))
    lo, hi = slots[0][0], slots[-1][1]
    length = hi - lo
    weight = fail_weight * _share_inside(lo - length, hi + length, inspection_min)
    first = _split_gain(
        _mean_rates(patch_rates, lo - length, hi), response, 2.0 * length / 60.0, weight
    )
    return np.stack(repeat, axis=-1), first


def default_risk(
    scenario: Scenario, date: dt.date, shift: ShiftType | str | None = None
) -> npt.NDArray[np.float64]:
    """Scenario-default risk per patch and hour of day: expected visible violations per hour.

    ``risk[p, h] = Σ_types base_rate_per_day(kind or override) / 24 × hour_profile[h] ×
    weekday_profile[weekday] × visibility`` (× the holiday multiplier on public holidays).
    Base patches have none. The simulation's demand module will replace this with the
    avoidable violation-hours it measures.

    Parameters
    ----------
    scenario
        The scenario.
    date
        The day (its weekday and holiday status are used; hours after midnight of a night
        shift use the same day's profile).
    shift
        Unused; accepted so that callers can pass the shift they plan.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(scenario.patches), 24)``.
    """
    del shift
    return default_rates(scenario, date).rates.sum(axis=2)


def default_rates(scenario: Scenario, date: dt.date) -> PatchRates:
    """Scenario-default rates per patch, hour of day and type (see :func:`default_risk`).

    Lives and deterrence are the types' (:meth:`TypeResponse.from_scenario`).
    """
    types = scenario.violation_types
    rates = np.zeros((len(scenario.patches), 24, len(types)), dtype=np.float64)
    weekday = date.weekday()
    holiday = False
    try:
        holiday = scenario.day(date).holiday is not None
    except KeyError:
        holiday = False
    for v, vt in enumerate(types):
        hour = np.asarray(vt.hour_profile, dtype=np.float64)
        wk = float(vt.weekday_profile[weekday]) if vt.weekday_profile else 1.0
        mult = vt.holiday_multiplier if holiday else 1.0
        for p in scenario.patches:
            if p.kind == "base":
                continue
            rate = p.rate_overrides.get(vt.name, vt.base_rate_per_day.get(p.kind, 0.0))
            if rate <= 0:
                continue
            rates[p.index, :, v] = rate / 24.0 * hour * wk * mult * vt.visibility
    return PatchRates(rates, TypeResponse.from_scenario(scenario))


def shift_slots(lo: int, hi: int, gap: int) -> list[tuple[int, int]]:
    """The slots of ``gap`` minutes (the last may be shorter) that cut [lo, hi)."""
    n = max(1, math.ceil((hi - lo) / gap))
    return [(lo + k * gap, min(hi, lo + (k + 1) * gap)) for k in range(n)]


def patrol_patches(scenario: Scenario, squad: str) -> list[Patch]:
    """The squad's street patches (not its base)."""
    base = scenario.squad(squad).base_index
    return [
        p for p in scenario.patches if p.squad == squad and p.kind != "base" and p.index != base
    ]


def shift_value(scenario: Scenario, rates: PatchRates, squad: str, shift: ShiftType) -> float:
    """What the stops a squad could make in a shift are worth: the sum over its patches of
    the first visit and a repeat visit in every slot (violation-hours, failing hours
    weighted in; see :func:`patrolsim.demand.values.patch_values`).

    The demand module shares a squad's units among the shifts in proportion to it.
    """
    gap = round(scenario.patrol.revisit_gap_min)
    slots = shift_slots(shift.start_min, shift.end_min, gap)
    index = [p.index for p in patrol_patches(scenario, squad)]
    repeat, first = patch_values(
        rates.rates[index], rates.response, slots, gap, INSPECTION_HOURS_MIN
    )
    return float(first.sum() + repeat.sum())
