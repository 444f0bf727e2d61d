"""The dependency graph of a continuity model: what each activity needs, what is critical, what is a choke point.

Activities need applications (``Activity.needs``); components depend on others
(``Component.depends_on``). An activity *depends on* every component reachable from it through
these edges: the applications it needs, their servers, the directory those servers trust, and so on.

- **Critical activity**: one whose RTO is at most :data:`CRITICAL_RTO_H` (72 h): beyond three days
  every care activity has fallen back to degraded mode, so those recovered within them are the ones
  the plan is judged on.
- **Critical component**: one flagged ``critical`` in the model, or one a critical activity depends
  on (directly or transitively).
- **Single point of failure**: an articulation point of the undirected graph of activities and
  components (removing it disconnects the graph), kept when it is a component and at least one
  critical activity depends on it. A component every path goes through is the one whose loss cuts
  an activity from the rest of its chain, and the one where redundancy pays most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import rustworkx as rx

if TYPE_CHECKING:
    from hygie.engines.continuity.model import Activity, Model

__all__ = [
    "CRITICAL_RTO_H",
    "SinglePoint",
    "activities_by_component",
    "critical_activities",
    "critical_components",
    "needed_components",
    "single_points_of_failure",
]

#: An activity whose RTO is at most this many hours is critical (see the module docstring).
CRITICAL_RTO_H = 72.0


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """A component whose loss cuts activities from the rest of their chain.

    ``activities`` are all the activities depending on it (transitively), ``critical_activities``
    those of them whose RTO is at most :data:`CRITICAL_RTO_H`; both sorted by name.
    """

    component: str
    activities: tuple[str, ...]
    critical_activities: tuple[str, ...]


def critical_activities(model: Model) -> list[Activity]:
    """The activities whose RTO is at most :data:`CRITICAL_RTO_H`, in model order."""
    return [activity for activity in model.activities if activity.rto_h <= CRITICAL_RTO_H]


def needed_components(model: Model, activity: Activity) -> set[str]:
    """The components ``activity`` depends on: those it needs and, transitively, their dependencies."""
    return _reachable({component.name: component.depends_on for component in model.components}, activity)


def _reachable(depends_on: dict[str, tuple[str, ...]], activity: Activity) -> set[str]:
    seen: set[str] = set()
    stack = [name for name in activity.needs if name in depends_on]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(dependency for dependency in depends_on[name] if dependency not in seen)
    return seen


def activities_by_component(model: Model) -> dict[str, list[Activity]]:
    """For every component, the activities depending on it (directly or transitively), in model order.

    Components no activity depends on map to an empty list.
    """
    depends_on = {component.name: component.depends_on for component in model.components}
    dependents: dict[str, list[Activity]] = {name: [] for name in depends_on}
    for activity in model.activities:
        for name in _reachable(depends_on, activity):
            dependents[name].append(activity)
    return dependents


def critical_components(model: Model) -> set[str]:
    """Components flagged ``critical``, and those an activity with an RTO of at most 72 h depends on.

    "Depends on" is transitive: an activity needing the patient record also depends on the record's
    database server and on the directory that server trusts.
    """
    depends_on = {component.name: component.depends_on for component in model.components}
    critical = {component.name for component in model.components if component.critical}
    for activity in critical_activities(model):
        critical |= _reachable(depends_on, activity)
    return critical


def single_points_of_failure(model: Model) -> list[SinglePoint]:
    """Components that are articulation points of the activity/component graph under a critical activity.

    The graph is undirected: one node per activity and per component, an edge from an activity to
    each application it needs and from a component to each of its dependencies. Articulation points
    are computed by rustworkx (linear time); an activity that is one is not a failure point and is
    left out. Sorted by component name.
    """
    graph: rx.PyGraph[str, None] = rx.PyGraph(multigraph=False)
    nodes: dict[str, int] = {}
    for component in model.components:
        nodes[component.name] = graph.add_node(component.name)
    activity_indices = [graph.add_node(f"activity:{activity.name}") for activity in model.activities]
    for component in model.components:
        for dependency in component.depends_on:
            graph.add_edge(nodes[component.name], nodes[dependency], None)
    for activity, node in zip(model.activities, activity_indices, strict=True):
        for need in activity.needs:
            graph.add_edge(node, nodes[need], None)
    activity_nodes = set(activity_indices)
    dependents = activities_by_component(model)
    points: list[SinglePoint] = []
    for index in rx.articulation_points(graph):
        if index in activity_nodes:
            continue
        name = graph[index]
        activities = dependents[name]
        critical = sorted(a.name for a in activities if a.rto_h <= CRITICAL_RTO_H)
        if critical:
            points.append(SinglePoint(name, tuple(sorted(a.name for a in activities)), tuple(critical)))
    return sorted(points, key=lambda point: point.component)
