"""Synthetic districts of any size, built like a given scenario (for speed benchmarks).

The patches copy the template's street patches in turn (a shuffled order, repeated), laid
out on a square grid with the template's density. Squads own compact areas, as a
district's squads own its streets: the grid is cut into square blocks, taken in order, and
every ``patches_per_squad + 1`` patches in that order are one squad's, its base the one
nearest their middle. Staff come in the template's ratio of people per patch (or
``staff_per_patch``) and its mix of roles; simulated inspections in proportion to the
number of patches. Campaigns and leave are dropped so that the work per patch stays the
same at every size, and so are the levers (stall zones, cameras, shop-front contracts), which
name the template's patches; the cost rates stay.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from patrolsim.scenario.levers import Levers
from patrolsim.scenario.model import Patch, Scenario, Squad, StaffMember
from patrolsim.scenario.network import network_for


def synthetic_district(
    template: Scenario,
    n_patches: int,
    seed: int = 0,
    patches_per_squad: int = 25,
    staff_per_patch: float | None = None,
) -> Scenario:
    """A district of ``n_patches`` street patches (plus squad bases) shaped like ``template``."""
    rng = np.random.default_rng(seed)
    street = [p for p in template.patches if p.kind != "base"]
    xs = np.array([p.x_m for p in template.patches])
    ys = np.array([p.y_m for p in template.patches])
    area = max((xs.max() - xs.min()) * (ys.max() - ys.min()), 1.0)
    spacing = math.sqrt(area / len(template.patches))
    n_squads = max(1, math.ceil(n_patches / patches_per_squad))
    side = math.ceil(math.sqrt(n_patches + n_squads))
    cells = rng.permutation(side * side)[: n_patches + n_squads]
    # compact squad areas: cells in the order of square blocks about a squad's size
    block = max(1, round(math.sqrt(patches_per_squad + 1)))
    col, row = cells % side, cells // side
    cells = cells[np.lexsort((col, row, col // block, row // block))]
    areas = np.array_split(cells, n_squads)
    patches: list[Patch] = []
    squads: list[Squad] = []
    members: list[tuple[int, str]] = []
    for s, cells_s in enumerate(areas):
        cx, cy = cells_s % side, cells_s // side
        middle = int(np.argmin((cx - cx.mean()) ** 2 + (cy - cy.mean()) ** 2))
        cell = int(cells_s[middle])
        pid = f"B{s + 1:04d}"
        sid = f"Q{s + 1:03d}"
        patches.append(
            Patch(
                len(patches),
                pid,
                f"基地{s + 1}",
                "base",
                "normal",
                (cell % side) * spacing,
                (cell // side) * spacing,
                sid,
            )
        )
        squads.append(Squad(s, sid, f"第{s + 1}中队", pid, len(patches) - 1))
        members.extend((int(c), sid) for k, c in enumerate(cells_s) if k != middle)
    # the template's street patches in a shuffled order, repeated: every size gets the
    # template's mix of kinds and tiers as nearly as its number of patches allows
    order = [street[int(k)] for k in rng.permutation(len(street))]
    for i, (cell, squad) in enumerate(members[:n_patches]):
        model = order[i % len(order)]
        patches.append(
            dataclasses.replace(
                model,
                index=len(patches),
                id=f"X{i + 1:05d}",
                name=f"{model.name}{i + 1}",
                x_m=(cell % side) * spacing,
                y_m=(cell // side) * spacing,
                squad=squad,
            )
        )
    per_patch = len(template.staff) / len(street) if staff_per_patch is None else staff_per_patch
    roles = [m.role for m in template.staff]
    staff: list[StaffMember] = []
    for s, sq in enumerate(squads):
        squad_patches = sum(1 for p in patches if p.squad == sq.id and p.kind != "base")
        for j in range(max(3, round(per_patch * squad_patches))):
            role = roles[j % len(roles)] if j >= 2 else "certified"
            staff.append(
                StaffMember(
                    len(staff), f"Z{s:03d}{j:03d}", f"队员{s}-{j}", role, sq.id, 40.0, 32.0, 48.0
                )
            )
    network = network_for(patches, template.travel, ())
    inspections = round(template.inspections_per_day * n_patches / len(street))
    return dataclasses.replace(
        template,
        name=f"synthetic {n_patches}",
        patches=tuple(patches),
        squads=tuple(squads),
        inspections_per_day=max(1, inspections),
        staff=tuple(staff),
        leave=(),
        campaigns=(),
        levers=Levers(costs=template.levers.costs),
        roads=(),
        network=network,
        content_hash=(
            f"synthetic-{n_patches}-{seed}-{patches_per_squad}-{staff_per_patch}-"
            f"{template.content_hash[:12]}"
        ),
    )
