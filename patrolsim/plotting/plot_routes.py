"""Map of all unit routes of one day and shift."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

from patrolsim.terms import Lang, term

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from patrolsim.routing.district import DistrictRoutes
    from patrolsim.scenario.model import Scenario

__all__ = ["plot_routes"]


def plot_routes(
    scenario: Scenario, plan: DistrictRoutes, ax: Axes | None = None, lang: Lang = "zh"
) -> Axes:
    """Draw the patches, squad bases and every unit's route of one shift (local metres).

    Parameters
    ----------
    scenario
        The scenario (patch coordinates and names).
    plan
        Routes of one day and shift.
    ax
        Axes to draw on; a new figure is made when ``None``.

    Returns
    -------
    Axes
        The axes drawn on. Strict-tier patches are drawn larger; each route is a coloured line
        with its stop numbers. Chinese names need a CJK font to render (boxes otherwise).
    """

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    xs = [p.x_m for p in scenario.patches]
    ys = [p.y_m for p in scenario.patches]
    sizes = [60 if p.tier == "strict" else 25 for p in scenario.patches]
    ax.scatter(
        xs,
        ys,
        s=sizes,
        c="lightgrey",
        edgecolors="grey",
        zorder=1,
        label="巡查点位" if lang == "zh" else "patches",
    )
    for sq in scenario.squads:
        b = scenario.patches[sq.base_index]
        ax.scatter([b.x_m], [b.y_m], marker="s", s=120, c="black", zorder=3)
        ax.annotate(sq.name, (b.x_m, b.y_m), xytext=(6, 6), textcoords="offset points", fontsize=8)
    cmap = plt.get_cmap("tab10")
    for i, ur in enumerate(plan.routes):
        colour = cmap(i % 10)
        pts = [
            (scenario.patches[r.patch_index].x_m, scenario.patches[r.patch_index].y_m)
            for r in ur.rows
        ]
        ax.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            "-",
            color=colour,
            lw=1.5,
            alpha=0.8,
            zorder=2,
            label=(
                f"{ur.unit.label}({len(ur.stops)} 个巡查点)"
                if lang == "zh"
                else f"{ur.unit.label} ({len(ur.stops)} stops)"
            ),
        )
        for r in ur.stops:
            p = scenario.patches[r.patch_index]
            ax.annotate(
                str(r.seq),
                (p.x_m, p.y_m),
                color=colour,
                fontsize=7,
                xytext=(3, -8 - 0 * i),
                textcoords="offset points",
            )
    for p in scenario.patches:
        if p.kind != "base":
            ax.annotate(
                p.name,
                (p.x_m, p.y_m),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=6,
                color="dimgrey",
            )
    ax.set_aspect("equal")
    ax.set_xlabel("x (米)" if lang == "zh" else "x (m)")
    ax.set_ylabel("y (米)" if lang == "zh" else "y (m)")
    shift = scenario.shift(plan.shift)
    name = (shift.label or shift.name) if lang == "zh" else shift.name
    ax.set_title(f"{term('routes', lang)} {plan.date.isoformat()} {name}")
    ax.legend(loc="best", fontsize=7)
    return ax
