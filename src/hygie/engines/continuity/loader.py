"""Reading a continuity model from a YAML or JSON document, with errors that name the element at fault.

The document (documented in ``docs/continuity.md`` when the CLI lands)::

    teams:        [{name, capacity}]
    components:   [{name, kind: infrastructure|application, team, restore_h, depends_on: [names],
                    spread, backup: {frequency_h, offline, offline_frequency_h}}]
    activities:   [{name, needs: [application names], rto_h, rpo_h, degraded_hold_h}]
    scenarios:    [{name, lost: [component names or kinds], online_backups_destroyed}]

Nothing is partially accepted: the first problem raises :class:`ModelError`.
"""

from __future__ import annotations

import math
from typing import Any

from hygie.engines.continuity.model import Activity, Backup, Component, Model, Scenario, Team

__all__ = ["KINDS", "ModelError", "model_from_dict"]

#: Component kinds a scenario may name to lose every component of that kind.
KINDS = ("infrastructure", "application")


class ModelError(ValueError):
    """The model is invalid; the message names the element and what is wrong with it."""


def _hours(owner: str, data: dict[str, Any], key: str, *, required: bool = True, default: float = 0.0) -> float:
    value = data.get(key)
    if value is None:
        if required:
            raise ModelError(f"{owner}: {key} is missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{owner}: {key} must be a number of hours, not {value!r}")
    if value < 0:
        raise ModelError(f"{owner}: {key} is negative ({value})")
    return float(value)


def _name(kind: str, data: Any, index: int) -> str:
    if not isinstance(data, dict):
        raise ModelError(f"{kind} #{index + 1}: expected a mapping, not {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ModelError(f"{kind} #{index + 1}: name is missing")
    return name.strip()


def _names(owner: str, data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ModelError(f"{owner}: {key} must be a list of names")
    return tuple(item.strip() for item in value)


def _unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ModelError(f"{kind} {name!r} is declared twice")
        seen.add(name)


def _teams(document: dict[str, Any]) -> dict[str, Team]:
    teams: list[Team] = []
    for index, data in enumerate(document.get("teams") or []):
        name = _name("team", data, index)
        capacity = data.get("capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ModelError(f"team {name!r}: capacity must be a whole number of at least 1, not {capacity!r}")
        teams.append(Team(name, capacity))
    _unique("team", [team.name for team in teams])
    return {team.name: team for team in teams}


def _component(data: Any, index: int, teams: dict[str, Team]) -> Component:
    name = _name("component", data, index)
    owner = f"component {name!r}"
    kind = data.get("kind", "application")
    if kind not in KINDS:
        raise ModelError(f"{owner}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    team = data.get("team")
    if team not in teams:
        raise ModelError(f"{owner}: unknown team {team!r}")
    backup = None
    if data.get("backup") is not None:
        raw = data["backup"]
        if not isinstance(raw, dict):
            raise ModelError(f"{owner}: backup must be a mapping")
        offline_frequency = _hours(f"{owner} backup", raw, "offline_frequency_h", required=False, default=-1.0)
        backup = Backup(
            frequency_h=_hours(f"{owner} backup", raw, "frequency_h"),
            offline=bool(raw.get("offline", False)),
            offline_frequency_h=offline_frequency if offline_frequency >= 0 else None,
        )
    return Component(
        name=name,
        kind=str(kind),
        team=str(team),
        restore_h=_hours(owner, data, "restore_h"),
        depends_on=_names(owner, data, "depends_on"),
        spread=_hours(owner, data, "spread", required=False),
        backup=backup,
    )


def _ordered(components: list[Component]) -> list[Component]:
    """Components in dependency order; a cycle raises, naming its path."""
    by_name = {component.name: component for component in components}
    for component in components:
        for dependency in component.depends_on:
            if dependency not in by_name:
                raise ModelError(f"component {component.name!r}: unknown dependency {dependency!r}")
    state: dict[str, int] = {}  # 1: being visited, 2: done
    ordered: list[Component] = []
    for root in components:
        if state.get(root.name):
            continue
        stack: list[tuple[str, int]] = [(root.name, 0)]
        path = [root.name]
        state[root.name] = 1
        while stack:
            name, position = stack[-1]
            dependencies = by_name[name].depends_on
            if position < len(dependencies):
                stack[-1] = (name, position + 1)
                child = dependencies[position]
                if state.get(child) == 1:
                    cycle = [*path[path.index(child) :], child]
                    raise ModelError("dependency cycle: " + " -> ".join(cycle))
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, 0))
                    path.append(child)
                continue
            stack.pop()
            path.pop()
            state[name] = 2
            ordered.append(by_name[name])
    return ordered


def model_from_dict(document: Any) -> Model:
    """A validated :class:`Model` from a parsed YAML/JSON document; :class:`ModelError` on the first problem."""
    if not isinstance(document, dict):
        raise ModelError("the model must be a mapping with teams, components, activities and scenarios")
    teams = _teams(document)
    raw_components = document.get("components") or []
    if not isinstance(raw_components, list) or not raw_components:
        raise ModelError("components: at least one component is needed")
    components = [_component(data, index, teams) for index, data in enumerate(raw_components)]
    _unique("component", [component.name for component in components])
    names = {component.name for component in components}
    activities = []
    for index, data in enumerate(document.get("activities") or []):
        name = _name("activity", data, index)
        owner = f"activity {name!r}"
        needs = _names(owner, data, "needs")
        for need in needs:
            if need not in names:
                raise ModelError(f"{owner}: unknown application {need!r}")
        activities.append(
            Activity(
                name=name,
                needs=needs,
                rto_h=_hours(owner, data, "rto_h"),
                rpo_h=_hours(owner, data, "rpo_h"),
                degraded_hold_h=_hours(owner, data, "degraded_hold_h", required=False),
            )
        )
    _unique("activity", [activity.name for activity in activities])
    scenarios: dict[str, Scenario] = {}
    for index, data in enumerate(document.get("scenarios") or []):
        name = _name("scenario", data, index)
        lost = _names(f"scenario {name!r}", data, "lost")
        for item in lost:
            if item not in names and item not in KINDS:
                raise ModelError(f"scenario {name!r}: {item!r} is neither a component nor a kind")
        if name in scenarios:
            raise ModelError(f"scenario {name!r} is declared twice")
        scenarios[name] = Scenario(name, lost, bool(data.get("online_backups_destroyed", False)))
    return Model(_ordered(components), teams, activities, scenarios)
