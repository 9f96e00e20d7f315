"""Travel between patches: a road graph when roads.csv is given, else distance from coordinates.

Without roads, the street distance is the straight-line distance times a circuity factor
(``[travel] circuity``, default 1.3: urban road networks are typically 1.2–1.4 times longer
than the straight line; an assumption to calibrate against the district's map). With
roads.csv, distances (or minutes) are shortest paths over the undirected road graph
(networkx); patches that no road reaches fall back to the circuity rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt

from patrolsim.scenario.model import Network, Patch, RoadEdge, TravelRules


@dataclass(frozen=True, slots=True)
class Road:
    """One road edge between two patches (by index), with metres or minutes."""

    a: int
    b: int
    metres: float | None
    minutes: float | None


def _road_graph(n: int, roads: Sequence[Road], weight: str) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for road in roads:
        w = road.metres if weight == "metres" else road.minutes
        if graph.has_edge(road.a, road.b):
            w = min(w, graph[road.a][road.b]["w"])  # type: ignore[type-var]
        graph.add_edge(road.a, road.b, w=w)
    return graph


@dataclass(frozen=True, slots=True)
class _Dijkstra:
    """Shortest road lengths from one patch: one Dijkstra run, on demand (picklable)."""

    graph: nx.Graph

    def __call__(self, source: int) -> Mapping[int, float]:
        return nx.single_source_dijkstra_path_length(self.graph, source, weight="w")


def build_network(
    xy: npt.NDArray[np.float64],
    speeds_kmh: Mapping[str, float],
    circuity: float,
    roads: Sequence[Road] = (),
    roads_mode: str = "ebike",
) -> Network:
    """Build the patch-to-patch :class:`Network`.

    Nothing is computed for every pair of patches here: the network keeps the coordinates
    and the road graph, and computes travel for the rows and blocks callers ask for.

    Parameters
    ----------
    xy
        Patch coordinates in metres, one row per patch index.
    speeds_kmh
        Speed per travel mode (``foot``, ``ebike``, ``car``), km/h.
    circuity
        Street distance over straight-line distance where no road path exists.
    roads
        Edges from roads.csv; all in metres or all in minutes.
    roads_mode
        The travel mode that road minutes are for (other modes scale by speed).
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if not roads:
        return Network(xy, dict(speeds_kmh), circuity)
    unit = "metres" if all(r.metres is not None for r in roads) else "minutes"
    graph = _road_graph(len(xy), roads, unit)
    return Network(
        xy,
        dict(speeds_kmh),
        circuity,
        _Dijkstra(graph),
        unit,
        roads_mode if unit == "minutes" else None,
    )


def network_for(
    patches: Sequence[Patch], travel: TravelRules, roads: Sequence[RoadEdge] = ()
) -> Network:
    """Build the :class:`Network` of ``patches`` from the scenario's travel rules and roads."""
    index = {p.id: p.index for p in patches}
    edges = [Road(index[r.source], index[r.target], r.metres, r.minutes) for r in roads]
    xy = np.array([[p.x_m, p.y_m] for p in patches], dtype=np.float64).reshape(-1, 2)
    return build_network(xy, travel.speeds_kmh, travel.circuity, edges, travel.roads_mode)
