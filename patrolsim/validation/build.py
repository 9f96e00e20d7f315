"""Purpose-built scenarios and plans for the validity checks.

Each check of :mod:`patrolsim.validation` drives the real simulator
(:func:`patrolsim.sim.engine.simulate`) with a small scenario built here in code: a row of
patches of one kind, one squad, no staff list (units come from a
:class:`~patrolsim.sim.policies.PlannedPolicy`), no duties, no campaigns of the scenario's own,
no inspections, flat hour and weekday profiles and no holidays, so that what a check measures
is the mechanism it is about and nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from patrolsim.scenario.model import (
    BUILTIN_PATCH_KINDS,
    CalendarRules,
    DayInfo,
    Dynamics,
    Patch,
    PatchKind,
    PatrolRules,
    RosterRules,
    Scenario,
    Squad,
    TravelRules,
    ViolationType,
)
from patrolsim.scenario.network import network_for
from patrolsim.sim.policies import PlannedPolicy, UnitSpec

START = dt.date(2027, 3, 1)
"""A Monday with no public holiday near it; the checks' scenarios carry no holidays anyway."""

SPACING_M = 20_000.0
"""Distance between patches that must not influence each other (beyond every radius)."""


def violation_type(
    name: str = "disorder",
    rate_per_day: float = 5.0,
    dynamics: Dynamics | None = None,
    duration_mean_min: float | None = 60.0,
    visibility: float = 0.0,
    complaint_probability: float = 0.0,
    complaint_delay_mean_min: float = 0.0,
    handling_min: float = 15.0,
    handled_by: str = "sanction",
    persuasion_success: float = 1.0,
    mobile: bool = False,
    kind: str = "main_road",
) -> ViolationType:
    """A violation type with flat profiles occurring at patches of ``kind`` only.

    ``visibility`` is 0 by default: units are present but never notice anything, so presence
    works through perceived risk alone (the Koper and dose checks).
    """
    return ViolationType(
        name=name,
        label=name,
        base_rate_per_day={kind: rate_per_day},
        hour_profile=(1.0,) * 24,
        weekday_profile=(1.0,) * 7,
        duration_mean_min=duration_mean_min,
        visibility=visibility,
        complaint_probability=complaint_probability,
        complaint_delay_mean_min=complaint_delay_mean_min,
        handling_min=handling_min,
        handled_by=handled_by,  # type: ignore[arg-type]
        persuasion_success=persuasion_success,
        priority=2,
        holiday_multiplier=1.0,
        mobile=mobile,
        dynamics=dynamics if dynamics is not None else Dynamics(),
    )


def with_flat_profiles(
    vt: ViolationType, kind: str = "main_road", rate_per_day: float | None = None
) -> ViolationType:
    """``vt`` (e.g. a reference-district type) with flat profiles, occurring at ``kind`` only.

    The rate defaults to the type's highest rate over all patch kinds.
    """
    rate = max(vt.base_rate_per_day.values()) if rate_per_day is None else rate_per_day
    return dataclasses.replace(
        vt,
        base_rate_per_day={kind: rate},
        hour_profile=(1.0,) * 24,
        weekday_profile=(1.0,) * 7,
        holiday_multiplier=1.0,
    )


DAYTIME = tuple(1.0 if 8 <= h < 22 else 0.0 for h in range(24))
"""Hour profile of the campaign checks: active 08:00–22:00, when the units patrol."""


def daytime(vt: ViolationType) -> ViolationType:
    """``vt`` active only 08:00–22:00 (same daily total)."""
    return dataclasses.replace(vt, hour_profile=tuple(24 / 14 * w for w in DAYTIME))


def scenario(
    types: Sequence[ViolationType],
    positions: Sequence[tuple[float, float]],
    days: int,
    name: str = "validity",
    kind: str = "main_road",
    base_at: tuple[float, float] | None = None,
    rate_overrides: Mapping[int, Mapping[str, float]] | None = None,
    meal_break_min: float = 0.0,
) -> Scenario:
    """A one-squad scenario with street patches of ``kind`` at ``positions`` (metres).

    Patch 0 is the squad's base (at ``base_at``, default the first street patch's position,
    so that travel there is zero); street patches are 1, 2, … in the order given.
    """
    bx, by = base_at if base_at is not None else positions[0]
    overrides = rate_overrides or {}
    patches = [Patch(0, "BASE", "base", "base", "normal", bx, by, "S1")]
    for i, (x, y) in enumerate(positions, start=1):
        patches.append(
            Patch(
                i, f"P{i:02d}", f"P{i:02d}", kind, "strict", x, y, "S1", dict(overrides.get(i, {}))
            )
        )
    travel = TravelRules(speeds_kmh={"foot": 4.5, "ebike": 15.0, "car": 20.0}, circuity=1.0)
    day_infos = tuple(
        DayInfo(START + dt.timedelta(days=d), None, True, (), False) for d in range(days)
    )
    return Scenario(
        name=name,
        folder="",
        start_date=START,
        horizon_days=days,
        timezone="Asia/Shanghai",
        warmup_days=0,
        violation_types=tuple(types),
        patch_kinds={k: PatchKind(k, label) for k, label in BUILTIN_PATCH_KINDS.items()},
        patches=tuple(patches),
        squads=(Squad(0, "S1", "S1", "BASE", 0),),
        staff=(),
        leave=(),
        shifts=(),
        duties=(),
        roster=RosterRules(),
        # stop_min 0: a planned stop lasts exactly as planned (the checks set stop lengths)
        patrol=PatrolRules(stop_min=0.0, stop_max=0.0, meal_break_min=meal_break_min),
        campaigns=(),
        exam_periods=(),
        calendar=CalendarRules(public_holidays=False),
        days=day_infos,
        travel=travel,
        roads=(),
        network=network_for(patches, travel, ()),
        targets=(),
        complaint_target_min=30.0,
        inspections_per_day=0,
        content_hash=f"validity:{name}",
    )


def row(n: int, spacing_m: float = SPACING_M) -> list[tuple[float, float]]:
    """``n`` positions on a line, ``spacing_m`` apart."""
    return [(i * spacing_m, 0.0) for i in range(n)]


def unit(
    uid: str,
    start: float,
    end: float,
    stops: Sequence[tuple[int, float, float]],
    certified: int = 2,
    base: int | None = None,
) -> UnitSpec:
    """A planned unit from ``start`` to ``end`` that makes ``stops`` (patch, start, depart).

    The unit starts and ends at ``base`` (default: its first stop's patch, so that it needs
    no travel and is on site exactly from the stop's start to its departure).
    """
    if base is None:
        base = stops[0][0] if stops else 0
    return UnitSpec(
        id=uid,
        squad="S1",
        shift="validity",
        start=start,
        end=end,
        members=tuple(f"{uid}-{i}" for i in range(certified)),
        certified=certified,
        auxiliaries=0,
        kind="planned",
        base=base,
        area=(),
        route=tuple(stops),
    )


def plan(units_by_day: Mapping[int, Sequence[UnitSpec]]) -> PlannedPolicy:
    """A planned policy from units per day."""
    return PlannedPolicy({d: list(u) for d, u in units_by_day.items()})
