"""Checks and build of the levers in ``scenario.toml`` (part of :mod:`patrolsim.scenario.load`).

The pydantic schema checks each field on its own; this module checks what needs the rest of
the scenario (patch ids, violation type names, unique lever names) and builds the
:class:`~patrolsim.scenario.levers.Levers`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from patrolsim.scenario.levers import Camera, Costs, Levers, ShopfrontContract, StallZone
from patrolsim.scenario.schema import CameraIn, ScenarioIn, ShopfrontIn, parse_hhmm

BadConfig = Callable[[Sequence[object], str, object], None]


def lever_names(config: ScenarioIn) -> list[tuple[tuple[object, ...], str]]:
    """Every lever's location in the TOML and its name (defaults filled in)."""
    out: list[tuple[tuple[object, ...], str]] = []
    for i, z in enumerate(config.stall_zones):
        out.append((("stall_zones", i, "name"), z.name or f"zone-{z.patch}"))
    for i, c in enumerate(config.cameras):
        out.append((("cameras", i, "name"), c.name or f"cameras-{i + 1}"))
    for i, s in enumerate(config.shopfront):
        out.append((("shopfront", i, "name"), s.name or f"shopfront-{i + 1}"))
    return out


def check_levers(
    config: ScenarioIn, patch_ids: set[str] | None, bad: BadConfig, patches_file: str
) -> None:
    """Report levers that name unknown patches or types, or share a name."""
    types = set(config.violation_types)

    def patch(loc: tuple[object, ...], pid: str) -> None:
        if patch_ids is not None and pid not in patch_ids:
            bad(loc, f"no such patch in {patches_file}", pid)

    def vtypes(loc: tuple[object, ...], names: Sequence[str]) -> None:
        for name in names:
            if name not in types:
                bad(
                    loc, f"unknown violation type; expected one of {', '.join(sorted(types))}", name
                )

    for i, z in enumerate(config.stall_zones):
        patch(("stall_zones", i, "patch"), z.patch)
        vtypes(("stall_zones", i, "violation_types"), z.violation_types)
        if parse_hhmm(z.open) % 1440 == parse_hhmm(z.close) % 1440:
            bad(("stall_zones", i, "close"), "the zone is never open (open = close)", z.close)
    watched: list[tuple[str, int, CameraIn | ShopfrontIn]] = [
        *(("cameras", i, c) for i, c in enumerate(config.cameras)),
        *(("shopfront", i, s) for i, s in enumerate(config.shopfront)),
    ]
    for kind, i, item in watched:
        for pid in item.patches:
            patch((kind, i, "patches"), pid)
        vtypes((kind, i, "violation_types"), item.violation_types)
    seen: set[str] = set()
    for loc, name in lever_names(config):
        if name in seen:
            bad(
                loc,
                "duplicate lever name (stall zones, cameras and shop-front contracts "
                "share one namespace)",
                name,
            )
        seen.add(name)


def build_levers(config: ScenarioIn) -> Levers:
    """The :class:`Levers` of a validated ``config``."""
    names = iter(name for _, name in lever_names(config))
    zones = []
    for z in config.stall_zones:
        a, b = parse_hhmm(z.open) % 1440, parse_hhmm(z.close) % 1440
        zones.append(
            StallZone(
                next(names),
                z.patch,
                a,
                b if b > a else b + 1440,
                z.capacity,
                tuple(z.violation_types),
                z.radius_m,
                z.uptake,
                z.deterred_uptake,
                z.annual_cost,
                z.enabled,
            )
        )
    cameras = tuple(
        Camera(
            next(names),
            tuple(c.patches),
            tuple(c.violation_types),
            c.detect_per_hour,
            c.dispatch,
            c.deterrence,
            c.annual_cost,
            c.enabled,
        )
        for c in config.cameras
    )
    shops = tuple(
        ShopfrontContract(
            next(names),
            tuple(s.patches),
            s.share,
            tuple(s.violation_types),
            s.rate_reduction,
            s.grace_days,
            s.lapse_tau_days,
            s.annual_cost,
            s.enabled,
        )
        for s in config.shopfront
    )
    c = config.costs
    costs = Costs(
        c.certified_per_year, c.auxiliary_per_year, c.leader_per_year, c.overtime_per_hour
    )
    return Levers(tuple(zones), cameras, shops, costs)


def _hhmm(minutes: int) -> str:
    return f"{minutes % 1440 // 60:02d}:{minutes % 60:02d}"


def levers_document(levers: Levers) -> dict[str, object]:
    """The TOML tables of ``levers`` (the inverse of :func:`build_levers`), for saving."""
    c = levers.costs
    costs: dict[str, object] = {
        "certified_per_year": c.certified_per_year,
        "auxiliary_per_year": c.auxiliary_per_year,
        "overtime_per_hour": c.overtime_per_hour,
    }
    if c.leader_per_year is not None:
        costs["leader_per_year"] = c.leader_per_year
    doc: dict[str, object] = {"costs": costs}
    if levers.stall_zones:
        doc["stall_zones"] = [
            {
                "name": z.name,
                "patch": z.patch,
                "open": _hhmm(z.open_min),
                "close": _hhmm(z.close_min),
                "capacity": z.capacity,
                "violation_types": list(z.violation_types),
                "radius_m": z.radius_m,
                "uptake": z.uptake,
                "deterred_uptake": z.deterred_uptake,
                "annual_cost": z.annual_cost,
                "enabled": z.enabled,
            }
            for z in levers.stall_zones
        ]
    if levers.cameras:
        doc["cameras"] = [
            {
                "name": k.name,
                "patches": list(k.patches),
                "violation_types": list(k.violation_types),
                "detect_per_hour": k.detect_per_hour,
                "dispatch": k.dispatch,
                "deterrence": k.deterrence,
                "annual_cost": k.annual_cost_per_patch,
                "enabled": k.enabled,
            }
            for k in levers.cameras
        ]
    if levers.shopfront:
        doc["shopfront"] = [
            {
                "name": s.name,
                "patches": list(s.patches),
                "share": s.share,
                "violation_types": list(s.violation_types),
                "rate_reduction": s.rate_reduction,
                "grace_days": s.grace_days,
                "lapse_tau_days": s.lapse_tau_days,
                "annual_cost": s.annual_cost_per_patch,
                "enabled": s.enabled,
            }
            for s in levers.shopfront
        ]
    return doc
