"""A node's continuity model as the engine's document (the YAML/JSON schema of ``engines.continuity.loader``).

What "a node's model" holds:

- **components** owned by the node or anywhere below it; those the node's activities need through
  their applications or ``extra_needs``, even when an ancestor owns them (a group's shared patient
  record); and every component they depend on, transitively, within the node's ancestors and
  subtree (a group's shared directory). A dependency outside that scope is left out: the model
  never names another tenant's objects;
- **activities**: the inventory care activities of the subtree that have a business-impact
  analysis; an activity needs the components whose application is one of its applications, plus
  its ``extra_needs``;
- **teams** and **backup systems** owned in the subtree or referenced by the components;
- **scenarios** of the node and of its ancestors. A selector of an ancestor's scenario that names
  a component absent from this model is dropped (a group-wide scenario names components of other
  establishments too).

Names must be unique in a document: two objects of a kind with the same name (owned by two nodes)
are prefixed with the owning node's short name, ``"CH A/Active Directory"``, and only then.

Beyond the engine's schema the document carries what the platform stores and the engine ignores
(an application's inventory name, a runbook, a restore test's notes...), so that an export
imported back gives the same document (see :mod:`hygie.apps.continuity.importing`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from hygie.apps.continuity.models import (
    BackupSystem,
    BusinessImpact,
    Component,
    RecoveryScenario,
    RecoveryTeam,
)
from hygie.engines.continuity.loader import KINDS, model_from_dict
from hygie.engines.continuity.model import SELECTOR_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.apps.organizations.models import Node
    from hygie.engines.continuity.model import Model

__all__ = ["Scope", "display_names", "model_document", "node_model", "scope_of"]


def in_scope(node: Node, field_name: str = "node__path") -> Q:
    """Rows owned by ``node``, its subtree or its ancestors."""
    return Q(**{f"{field_name}__startswith": node.path}) | Q(**{f"{field_name}__in": node.lineage_paths()})


def _owner_label(node: Node) -> str:
    return node.short_name or node.name


def display_names(objects: Iterable[Any]) -> dict[int, str]:
    """Document names by primary key: the name, prefixed by the owning node's short name on a clash."""
    items = list(objects)
    counts = Counter(item.name for item in items)
    names = {
        item.pk: item.name if counts[item.name] == 1 else f"{_owner_label(item.node)}/{item.name}" for item in items
    }
    # Two owners with the same short name: the node id settles it.
    again = Counter(names.values())
    for item in items:
        if again[names[item.pk]] > 1:
            names[item.pk] = f"{_owner_label(item.node)}#{item.node_id}/{item.name}"
    return names


@dataclass
class Scope:
    """The rows of a node's model, read once, and their document names."""

    node: Node
    components: list[Component]
    impacts: list[BusinessImpact]
    teams: list[RecoveryTeam]
    systems: list[BackupSystem]
    scenarios: list[RecoveryScenario]
    component_names: dict[int, str] = field(default_factory=dict)
    activity_names: dict[int, str] = field(default_factory=dict)
    team_names: dict[int, str] = field(default_factory=dict)
    system_names: dict[int, str] = field(default_factory=dict)
    scenario_names: dict[int, str] = field(default_factory=dict)
    needs: dict[int, list[int]] = field(default_factory=dict)

    def own(self, owner: Node) -> bool:
        """``owner`` is the node or lies below it (the import may write there; ancestors are read-only)."""
        return owner.path.startswith(self.node.path)


def _needed(components: dict[int, Component], impacts: list[BusinessImpact]) -> dict[int, list[int]]:
    """Component ids each activity (by BIA id) needs: its applications' components, then its extra needs."""
    by_application: dict[int, list[int]] = {}
    for component in components.values():
        if component.application_id is not None:
            by_application.setdefault(component.application_id, []).append(component.pk)
    needs: dict[int, list[int]] = {}
    for impact in impacts:
        wanted = [pk for app in impact.activity.applications.all() for pk in by_application.get(app.pk, [])]
        wanted += [extra.pk for extra in impact.extra_needs.all() if extra.pk in components]
        needs[impact.pk] = list(dict.fromkeys(wanted))
    return needs


def _closure(start: set[int], edges: dict[int, list[int]]) -> set[int]:
    seen = set(start)
    stack = list(start)
    while stack:
        for child in edges.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def scope_of(node: Node) -> Scope:
    """Read the rows of ``node``'s model (see the module docstring) in a fixed number of queries."""
    candidates = {
        component.pk: component
        for component in Component.objects.filter(in_scope(node))
        .select_related("node", "team", "team__node", "application", "backup_plan__system__node")
        .prefetch_related("backup_plan__copies", "restore_tests", "depends_on")
    }
    impacts = list(
        BusinessImpact.objects.filter(activity__node__path__startswith=node.path)
        .select_related("activity", "activity__node")
        .prefetch_related("activity__applications", "extra_needs", "activity__degraded_modes")
        .order_by("activity__name", "activity__node__path", "pk")
    )
    needs = _needed(candidates, impacts)
    edges = {pk: [dep.pk for dep in c.depends_on.all() if dep.pk in candidates] for pk, c in candidates.items()}
    start = {pk for pk, c in candidates.items() if c.node.path.startswith(node.path)}
    start |= {pk for wanted in needs.values() for pk in wanted}
    chosen = _closure(start, edges)
    components = sorted((candidates[pk] for pk in chosen), key=lambda c: (c.name, c.node.path, c.pk))
    teams = {c.team.pk: c.team for c in components}
    teams.update(
        {t.pk: t for t in RecoveryTeam.objects.filter(node__path__startswith=node.path).select_related("node")}
    )
    systems = {
        plan.system.pk: plan.system
        for c in components
        if (plan := getattr(c, "backup_plan", None)) is not None and plan.system is not None
    }
    systems.update(
        {s.pk: s for s in BackupSystem.objects.filter(node__path__startswith=node.path).select_related("node")}
    )
    scenarios = list(
        RecoveryScenario.objects.filter(node__path__in=node.lineage_paths())
        .select_related("node")
        .order_by("name", "node__path", "pk")
    )
    scope = Scope(
        node=node,
        components=components,
        impacts=impacts,
        teams=sorted(teams.values(), key=lambda t: (t.name, t.node.path, t.pk)),
        systems=sorted(systems.values(), key=lambda s: (s.name, s.node.path, s.pk)),
        scenarios=scenarios,
        needs=needs,
    )
    scope.component_names = display_names(components)
    scope.activity_names = display_names(impact.activity for impact in impacts)
    scope.team_names = display_names(scope.teams)
    scope.system_names = display_names(scope.systems)
    scope.scenario_names = display_names(scenarios)
    return scope


def _set(data: dict[str, Any], **values: Any) -> dict[str, Any]:
    """``data`` with the values that are set (``None``, empty text and ``False`` extras are left out)."""
    data.update({key: value for key, value in values.items() if value not in (None, "", False)})
    return data


def _backup(component: Component, scope: Scope) -> dict[str, Any] | None:
    plan = getattr(component, "backup_plan", None)
    if plan is None:
        return None
    copies = [
        _set(
            {"site": copy.site, "medium": copy.medium, "online": copy.online},
            immutable=copy.immutable,
            encrypted=copy.encrypted,
            frequency_h=copy.frequency_h,
        )
        for copy in sorted(plan.copies.all(), key=lambda copy: copy.pk)
    ]
    data: dict[str, Any] = {
        "method": plan.method,
        "frequency_h": plan.frequency_h,
        "retention_days": plan.retention_days,
        "copies": copies,
    }
    return _set(
        data,
        system=scope.system_names[plan.system.pk] if plan.system is not None else None,
        covered_by_contract=plan.covered_by_contract,
    )


def _component(component: Component, scope: Scope) -> dict[str, Any]:
    names = scope.component_names
    data: dict[str, Any] = {
        "name": names[component.pk],
        "kind": component.kind,
        "category": component.category,
        "team": scope.team_names[component.team.pk],
        "depends_on": sorted(names[dep.pk] for dep in component.depends_on.all() if dep.pk in names),
        "critical": component.critical,
    }
    tests = [
        _set(
            {"date": test.date.isoformat(), "success": test.success},
            duration_h=test.duration_h,
            to_production=test.to_production,
            functional_check_by=test.functional_check_by,
            notes=test.notes,
        )
        for test in sorted(component.restore_tests.all(), key=lambda test: (test.date, test.pk))
    ]
    return _set(
        data,
        site=component.site,
        platform=component.platform,
        application=component.application.name if component.application is not None else None,
        restore_h=component.restore_h,
        data_gb=component.data_gb,
        throughput_gb_h=component.throughput_gb_h,
        setup_h=component.setup_h,
        rebuild_h=component.rebuild_h,
        spread=component.spread,
        restore_tests=tests or None,
        backup=_backup(component, scope),
        runbook=component.runbook,
    )


def _activity(impact: BusinessImpact, scope: Scope) -> dict[str, Any]:
    modes = [
        _set(
            {"name": mode.name, "hold_h": mode.hold_h},
            procedure=mode.procedure,
            owner=mode.owner,
            last_tested=mode.last_tested.isoformat() if mode.last_tested else None,
        )
        for mode in sorted(impact.activity.degraded_modes.all(), key=lambda mode: (mode.name, mode.pk))
    ]
    data: dict[str, Any] = {
        "name": scope.activity_names[impact.activity_id],
        "kind": impact.kind,
        "needs": sorted(scope.component_names[pk] for pk in scope.needs[impact.pk]),
    }
    return _set(
        data,
        bia=impact.grid or None,
        rto_h=impact.rto_h,
        rpo_h=impact.rpo_h,
        mtpd_h=impact.mtpd_h,
        min_service_pct=impact.min_service_pct,
        degraded_modes=modes or None,
        assessed_on=impact.assessed_on.isoformat() if impact.assessed_on else None,
        assessed_by=impact.assessed_by,
    )


def _selectors(items: Iterable[str], scope: Scope, *, own: bool) -> list[str]:
    """Scenario selectors in document names; an ancestor's selector naming an absent component is dropped."""
    by_raw: dict[str, list[str]] = {}
    for component in scope.components:
        by_raw.setdefault(component.name, []).append(scope.component_names[component.pk])
    documented = set(scope.component_names.values())
    kept: list[str] = []
    for item in items:
        prefix, _, value = item.partition(":")
        if item in documented or item in KINDS or (value and prefix in SELECTOR_FIELDS):
            kept.append(item)
        elif item in by_raw:
            kept.extend(by_raw[item])  # a clashing name: every component so named
        elif own:
            kept.append(item)  # the node's own scenario: an unknown name must surface as an error
    return list(dict.fromkeys(kept))


def _scenario(scenario: RecoveryScenario, scope: Scope) -> dict[str, Any]:
    own = scenario.node_id == scope.node.pk
    outages: dict[str, float] = {}
    for item, hours in (scenario.outages or {}).items():
        for name in _selectors([item], scope, own=own):
            outages[name] = hours
    return _set(
        {
            "name": scope.scenario_names[scenario.pk],
            "lost": _selectors(scenario.lost or [], scope, own=own),
            "online_backups_destroyed": scenario.online_backups_destroyed,
        },
        description=scenario.description,
        outages=outages or None,
    )


def document_of(scope: Scope) -> dict[str, Any]:
    """The document of a scope already read."""
    return {
        "teams": [
            _set({"name": scope.team_names[team.pk], "capacity": team.capacity}, members=team.members)
            for team in scope.teams
        ],
        "backup_systems": [
            _set(
                {
                    "name": scope.system_names[system.pk],
                    "authentication": system.authentication,
                    "mfa": system.mfa,
                    "isolation": system.isolation,
                    "supervised": system.supervised,
                },
                product=system.product,
                central_alerts=system.central_alerts,
                failure_procedure=system.failure_procedure,
            )
            for system in scope.systems
        ],
        "components": [_component(component, scope) for component in scope.components],
        "activities": [_activity(impact, scope) for impact in scope.impacts],
        "scenarios": [_scenario(scenario, scope) for scenario in scope.scenarios],
    }


def model_document(node: Node) -> dict[str, Any]:
    """The engine document of ``node``'s model (plain JSON types: dates are ISO text)."""
    return document_of(scope_of(node))


def node_model(node: Node) -> Model:
    """The validated engine model of ``node``; :class:`~hygie.engines.continuity.loader.ModelError` if invalid."""
    return model_from_dict(model_document(node))
