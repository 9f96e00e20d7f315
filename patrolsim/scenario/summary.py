"""A short, human-readable summary of a scenario (what ``patrolsim validate`` prints)."""

from __future__ import annotations

from collections import Counter

from patrolsim.scenario.model import TIERS, Scenario


def summarise(scenario: Scenario) -> str:
    """Return a few lines describing the scenario's places, people, types and calendar."""
    lines = [f"Scenario {scenario.name!r} ({scenario.folder})"]
    lines.append(
        f"  horizon: {scenario.start_date} to {scenario.end_date} ({scenario.horizon_days} days, "
        f"{scenario.timezone}, warm-up {scenario.warmup_days} days)"
    )
    kinds = Counter(p.kind for p in scenario.patches)
    tiers = Counter(p.tier for p in scenario.patches)
    lines.append(
        f"  patches: {len(scenario.patches)} — "
        + ", ".join(
            f"{kind} ({scenario.patch_kinds[kind].label}) {n}" for kind, n in sorted(kinds.items())
        )
    )
    lines.append("  tiers: " + ", ".join(f"{t} {tiers.get(t, 0)}" for t in TIERS))
    for squad in scenario.squads:
        members = [s for s in scenario.staff if s.squad == squad.id]
        roles = Counter(s.role for s in members)
        lines.append(
            f"  squad {squad.id} {squad.name}: {len(members)} staff ("
            + ", ".join(f"{r} {n}" for r, n in sorted(roles.items()))
            + f"), base {squad.base_patch}, "
            + f"{sum(p.squad == squad.id for p in scenario.patches)} patches"
        )
    certified = sum(s.certified for s in scenario.staff)
    lines.append(
        f"  staff: {len(scenario.staff)} ({certified} certified incl. leaders, "
        f"{len(scenario.staff) - certified} auxiliaries); {len(scenario.leave)} leave "
        "entries"
    )
    lines.append(
        "  violation types: " + ", ".join(f"{v.name} ({v.label})" for v in scenario.violation_types)
    )
    lines.append(
        "  shifts: "
        + ", ".join(
            f"{s.name} {s.start_min // 60:02d}:{s.start_min % 60:02d}–"
            f"{(s.end_min // 60) % 24:02d}:{s.end_min % 60:02d}"
            for s in scenario.shifts
        )
    )
    holidays = [d for d in scenario.days if d.holiday]
    lines.append(
        f"  holidays in range: {len(holidays)}"
        + (": " + ", ".join(f"{d.date} {d.holiday}" for d in holidays) if holidays else "")
    )
    if scenario.campaigns:
        lines.append(
            "  campaigns: " + ", ".join(f"{c.name} {c.start}–{c.end}" for c in scenario.campaigns)
        )
    lev = scenario.levers
    items = lev.all()
    if items:
        lines.append(
            "  levers: " + ", ".join(f"{x.name}{'' if x.enabled else ' (off)'}" for x in items)
        )
    if scenario.targets:
        lines.append(
            "  targets: "
            + ", ".join(
                f"{t.kpi}"
                + (f" ≥ {t.min:g}" if t.min is not None else "")
                + (f" ≤ {t.max:g}" if t.max is not None else "")
                for t in scenario.targets
            )
        )
    return "\n".join(lines)
