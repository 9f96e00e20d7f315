"""Synthetic districts of any size, built like a given scenario (for speed benchmarks).

The patches copy the template's street patches in turn (a shuffled order, repeated), laid
out on a square grid with the template's density; one squad (with a base) per
``patches_per_squad`` patches; staff in the template's ratio of people per patch and its mix
of roles; simulated inspections in proportion to the number of patches. Campaigns and leave
are dropped so that the work per patch stays the same at every size.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from patrolsim.scenario.model import Patch, Scenario, Squad, StaffMember
from patrolsim.scenario.network import network_for


def synthetic_district(
    template: Scenario, n_patches: int, seed: int = 0, patches_per_squad: int = 25
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
    patches: list[Patch] = []
    squads: list[Squad] = []
    for s in range(n_squads):
        cell = int(cells[s])
        pid = f"B{s + 1:04d}"
        patches.append(
            Patch(
                len(patches),
                pid,
                f"基地{s + 1}",
                "base",
                "normal",
                (cell % side) * spacing,
                (cell // side) * spacing,
                f"Q{s + 1:03d}",
            )
        )
        squads.append(Squad(s, f"Q{s + 1:03d}", f"第{s + 1}中队", pid, len(patches) - 1))
    # the template's street patches in a shuffled order, repeated: every size gets the
    # template's mix of kinds and tiers as nearly as its number of patches allows
    order = [street[int(k)] for k in rng.permutation(len(street))]
    for i in range(n_patches):
        model = order[i % len(order)]
        cell = int(cells[n_squads + i])
        squad = squads[min(i // patches_per_squad, n_squads - 1)].id
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
    per_patch = len(template.staff) / len(street)
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
        roads=(),
        network=network,
        content_hash=f"synthetic-{n_patches}-{seed}-{template.content_hash[:12]}",
    )
