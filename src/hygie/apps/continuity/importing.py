"""Importing a continuity document (the engine's YAML/JSON schema) into a node, all or nothing.

The document is first validated by the engine (:func:`~hygie.engines.continuity.loader.model_from_dict`);
then, in one transaction, every object is created or updated **by name**: teams, backup systems,
components with their backup plan, copies and restore tests, the business-impact analyses of
existing inventory activities (matched by name) with their degraded modes, and scenarios. Any
problem raises :class:`~hygie.engines.continuity.loader.ModelError` naming the element, and the
transaction stores nothing.

Names resolve as :mod:`hygie.apps.continuity.document` writes them, so an export imported back
changes nothing. Objects owned by an ancestor of the node (a group's shared directory) are
read-only references: the import never writes above the node. New objects belong to the node.
For a component or an activity the document lists, its children are the document's: copies are
replaced, restore tests matched by date and degraded modes by name, the others removed. Objects
the document does not list are left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import acting_as, current_actor
from hygie.apps.continuity.document import in_scope, scope_of
from hygie.apps.continuity.models import (
    BackupCopy,
    BackupPlan,
    BackupSystem,
    BusinessImpact,
    Component,
    DegradedMode,
    Medium,
    RecoveryScenario,
    RecoveryTeam,
    RestoreTest,
)
from hygie.apps.inventory.models import Application, CareActivity
from hygie.engines.continuity.loader import ModelError, model_from_dict

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hygie.apps.continuity.document import Scope
    from hygie.apps.organizations.models import Node

__all__ = ["import_document"]


def _save(owner: str, instance: models.Model, exclude: tuple[str, ...] = ()) -> None:
    """Validate with the model's own rules (choices, lengths, validators, unique names), then save."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        details = "; ".join(
            f"{name}: {' '.join(str(message) for message in messages)}" for name, messages in error.message_dict.items()
        )
        raise ModelError(f"{owner}: {details}") from None
    instance.save()


def _date(owner: str, value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ModelError(
            _("%(owner)s: the date must be YYYY-MM-DD, not %(value)r") % {"owner": owner, "value": value}
        ) from None


def _text(owner: str, data: dict[str, Any], key: str) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise ModelError(_("%(owner)s: %(key)s must be text") % {"owner": owner, "key": key})
    return value.strip()


def _by_name(names: dict[int, str], rows: list[Any]) -> dict[str, Any]:
    return {names[row.pk]: row for row in rows}


class _Importer:
    """One import: the scope read before, the objects resolved by document name, the counts."""

    def __init__(self, node: Node, document: dict[str, Any]) -> None:
        self.node = node
        self.document = document
        self.scope: Scope = scope_of(node)
        self.teams = _by_name(self.scope.team_names, self.scope.teams)
        self.systems = _by_name(self.scope.system_names, self.scope.systems)
        self.components = _by_name(self.scope.component_names, self.scope.components)
        self.scenarios = _by_name(self.scope.scenario_names, self.scope.scenarios)
        self.counts = dict.fromkeys(("teams", "backup_systems", "components", "activities", "scenarios"), 0)

    def _find(self, model: type[Any], known: dict[str, Any], name: str) -> tuple[Any, bool]:
        """(the object named ``name`` or a new one on the node, whether the import may write it)."""
        found = known.get(name) or model.objects.filter(node=self.node, name=name).first()
        if found is None:
            return model(node=self.node, name=name), True
        return found, self.scope.own(found.node)

    def run(self) -> dict[str, int]:
        self._teams()
        self._systems()
        written = self._components()
        for data in self.document.get("components") or []:
            if data["name"].strip() in written:
                self._children(written[data["name"].strip()], data)
        self._activities()
        self._scenarios()
        return self.counts

    def _teams(self) -> None:
        for data in self.document.get("teams") or []:
            team, writable = self._find(RecoveryTeam, self.teams, data["name"].strip())
            self.teams[data["name"].strip()] = team
            if writable:
                owner = f"team {team.name!r}"
                team.capacity = data["capacity"]
                team.members = _text(owner, data, "members")
                _save(owner, team)
                self.counts["teams"] += 1

    def _systems(self) -> None:
        for data in self.document.get("backup_systems") or []:
            system, writable = self._find(BackupSystem, self.systems, data["name"].strip())
            self.systems[data["name"].strip()] = system
            if writable:
                owner = f"backup system {system.name!r}"
                system.product = _text(owner, data, "product")
                system.authentication = data.get("authentication") or "production_directory"
                for flag in ("mfa", "isolation", "supervised", "central_alerts"):
                    setattr(system, flag, bool(data.get(flag, False)))
                system.failure_procedure = _text(owner, data, "failure_procedure")
                _save(owner, system)
                self.counts["backup_systems"] += 1

    def _application(self, owner: str, component: Component, data: dict[str, Any]) -> Application | None:
        name = _text(owner, data, "application")
        if not name:
            return None
        found = list(Application.objects.filter(in_scope(self.node), name=name).select_related("node"))
        if len(found) > 1:
            found = [app for app in found if app.node_id == component.node_id] or found
        if not found:
            raise ModelError(
                _("%(owner)s: no inventory application named %(name)r in %(node)s")
                % {"owner": owner, "name": name, "node": self.node}
            )
        if len(found) > 1:
            raise ModelError(
                _("%(owner)s: several inventory applications named %(name)r in %(node)s")
                % {"owner": owner, "name": name, "node": self.node}
            )
        return found[0]

    def _components(self) -> dict[str, Component]:
        """Create or update the components (their dependencies afterwards: they may come later)."""
        written: dict[str, Component] = {}
        raw = self.document.get("components") or []
        for data in raw:
            name = data["name"].strip()
            component, writable = self._find(Component, self.components, name)
            self.components[name] = component
            if not writable:
                continue
            owner = f"component {name!r}"
            component.kind = data.get("kind") or "application"
            component.category = data.get("category") or (
                "application" if component.kind == "application" else "server"
            )
            component.site = _text(owner, data, "site")
            component.platform = _text(owner, data, "platform")
            component.team = self.teams[data["team"]]
            component.application = self._application(owner, component, data)
            component.critical = bool(data.get("critical", False))
            for key in ("restore_h", "data_gb", "throughput_gb_h", "setup_h", "rebuild_h", "spread"):
                setattr(component, key, data.get(key))
            component.runbook = _text(owner, data, "runbook")
            _save(owner, component)
            written[name] = component
            self.counts["components"] += 1
        for data in raw:
            component = written.get(data["name"].strip())
            if component is not None:
                component.depends_on.set([self.components[name.strip()] for name in data.get("depends_on") or []])
        return written

    def _children(self, component: Component, data: dict[str, Any]) -> None:
        """The component's backup plan and copies, and its restore tests, as the document gives them."""
        owner = f"component {data['name'].strip()!r}"
        raw = data.get("backup")
        plan = BackupPlan.objects.filter(component=component).first()
        if raw is None:
            if plan is not None:
                plan.delete()
        else:
            plan = plan or BackupPlan(component=component)
            plan.method = raw.get("method") or "full"
            plan.frequency_h = raw["frequency_h"]
            plan.retention_days = round(raw.get("retention_days", 30))
            plan.system = self.systems[raw["system"]] if raw.get("system") is not None else None
            plan.covered_by_contract = bool(raw.get("covered_by_contract", False))
            _save(f"{owner} backup", plan)
            plan.copies.all().delete()
            for index, copy in enumerate(self._copies(raw)):
                copy.plan = plan
                _save(f"{owner} backup copy #{index + 1}", copy)
        existing: dict[dt.date, list[RestoreTest]] = {}
        for test in RestoreTest.objects.filter(component=component).order_by("pk"):
            existing.setdefault(test.date, []).append(test)
        for index, raw_test in enumerate(data.get("restore_tests") or []):
            where = f"{owner} restore test #{index + 1}"
            when = _date(where, raw_test["date"])
            same_day = existing.get(when) or []
            test = same_day.pop(0) if same_day else RestoreTest(component=component, date=when)
            test.success = bool(raw_test.get("success", False))
            test.duration_h = raw_test.get("duration_h")
            test.to_production = bool(raw_test.get("to_production", False))
            test.functional_check_by = _text(where, raw_test, "functional_check_by")
            test.notes = _text(where, raw_test, "notes")
            _save(where, test)
        for leftovers in existing.values():
            for test in leftovers:
                test.delete()

    @staticmethod
    def _copies(raw: dict[str, Any]) -> list[BackupCopy]:
        if "copies" not in raw:
            # The engine's short form: the primary online copy, plus an offline one when ``offline`` is set.
            copies = [BackupCopy(medium=Medium.DISK)]
            if raw.get("offline"):
                copies.append(BackupCopy(medium=Medium.TAPE, online=False, frequency_h=raw.get("offline_frequency_h")))
            return copies
        return [
            BackupCopy(
                site=(copy.get("site") or "").strip(),
                medium=(copy.get("medium") or Medium.DISK).strip(),
                online=bool(copy.get("online", True)),
                immutable=bool(copy.get("immutable", False)),
                encrypted=bool(copy.get("encrypted", False)),
                frequency_h=copy.get("frequency_h"),
            )
            for copy in raw["copies"]
        ]

    def _activity(self, name: str) -> CareActivity:
        """The inventory activity of the subtree a document name designates."""
        for impact in self.scope.impacts:
            if self.scope.activity_names[impact.activity_id] == name:
                return impact.activity
        found = list(CareActivity.objects.filter(node__path__startswith=self.node.path, name=name))
        if len(found) > 1:
            found = [activity for activity in found if activity.node_id == self.node.pk] or found
        if not found:
            raise ModelError(
                _("activity %(name)r: no inventory activity of that name in %(node)s (add it to the inventory first)")
                % {"name": name, "node": self.node}
            )
        if len(found) > 1:
            raise ModelError(
                _("activity %(name)r: several inventory activities of that name below %(node)s")
                % {"name": name, "node": self.node}
            )
        return found[0]

    def _activities(self) -> None:
        for data in self.document.get("activities") or []:
            name = data["name"].strip()
            owner = f"activity {name!r}"
            activity = self._activity(name)
            impact = BusinessImpact.objects.filter(activity=activity).first() or BusinessImpact(activity=activity)
            impact.kind = data.get("kind") or "care"
            impact.grid = data.get("bia") or {}
            for key in ("rto_h", "rpo_h", "mtpd_h", "min_service_pct"):
                setattr(impact, key, data.get(key))
            impact.assessed_on = _date(owner, data.get("assessed_on"))
            impact.assessed_by = _text(owner, data, "assessed_by")
            # A BIA with explicit targets and no grid is valid for the engine (the form asks for a grid).
            _save(owner, impact, exclude=() if impact.grid else ("grid",))
            applications = set(activity.applications.values_list("pk", flat=True))
            needs = [self.components[need.strip()] for need in data.get("needs") or []]
            # Components of the activity's applications are needed anyway; only the others are extra.
            impact.extra_needs.set([c for c in needs if c.application_id not in applications])
            self._degraded_modes(owner, activity, data)
            self.counts["activities"] += 1

    @staticmethod
    def _degraded_modes(owner: str, activity: CareActivity, data: dict[str, Any]) -> None:
        existing = {mode.name: mode for mode in DegradedMode.objects.filter(activity=activity)}
        kept: set[int] = set()
        for raw in data.get("degraded_modes") or []:
            name = raw["name"].strip()
            where = f"{owner} degraded mode {name!r}"
            mode = existing.get(name) or DegradedMode(activity=activity, name=name)
            mode.hold_h = raw["hold_h"]
            mode.procedure = _text(where, raw, "procedure")
            mode.owner = _text(where, raw, "owner")
            mode.last_tested = _date(where, raw.get("last_tested"))
            _save(where, mode)
            kept.add(mode.pk)
        DegradedMode.objects.filter(activity=activity).exclude(pk__in=kept).delete()

    def _scenarios(self) -> None:
        for data in self.document.get("scenarios") or []:
            scenario, writable = self._find(RecoveryScenario, self.scenarios, data["name"].strip())
            if not writable:
                continue
            owner = f"scenario {scenario.name!r}"
            scenario.description = _text(owner, data, "description")
            scenario.lost = [item.strip() for item in data.get("lost") or []]
            scenario.outages = dict(data.get("outages") or {})
            scenario.online_backups_destroyed = bool(data.get("online_backups_destroyed", False))
            _save(owner, scenario)
            self.counts["scenarios"] += 1


@contextlib.contextmanager
def _attributed_to(actor: Any) -> Iterator[None]:
    """Changes attributed to ``actor`` (through the current channel) when given, else to the current actor."""
    if actor is None:
        yield
        return
    with acting_as(actor, current_actor()[1]):
        yield


def import_document(node: Node, document: Any, *, actor: Any = None) -> dict[str, int]:
    """Import ``document`` into ``node`` atomically; objects written per kind.

    Raises :class:`~hygie.engines.continuity.loader.ModelError` (naming the element) for an invalid
    document, an unknown inventory activity or application, or a value the platform refuses; then
    nothing is stored.
    """
    model_from_dict(document)
    with _attributed_to(actor), transaction.atomic():
        return _Importer(node, document).run()
