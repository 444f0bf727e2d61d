"""Views of what recovers: components, recovery teams, backup systems."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.filtersets import BackupSystemFilterSet, ComponentFilterSet, RecoveryTeamFilterSet
from hygie.apps.continuity.forms import BackupSystemForm, ComponentForm, RecoveryTeamForm
from hygie.apps.continuity.models import (
    BackupPlan,
    BackupSystem,
    BusinessImpact,
    Component,
    Exercise,
    RecoveryTeam,
    RestoreTest,
)
from hygie.apps.continuity.tables import BACKUP_SYSTEM_COLUMNS, COMPONENT_COLUMNS, TEAM_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectEditView, ObjectListView

__all__ = [
    "BackupSystemDetailView",
    "BackupSystemEditView",
    "BackupSystemListView",
    "ComponentDetailView",
    "ComponentEditView",
    "ComponentListView",
    "TeamDetailView",
    "TeamEditView",
    "TeamListView",
]


def _can(model: Any, user: Any, obj: Any, action: Action) -> bool:
    return bool(model.objects.restrict(user, action).filter(pk=obj.pk).exists())


def _dependents_closure(component: Component) -> set[int]:
    """The component and every component depending on it, directly or not (one query per level)."""
    through = Component.depends_on.through.objects
    seen, frontier = {component.pk}, {component.pk}
    while frontier:
        found = set(through.filter(to_component__in=frontier).values_list("from_component", flat=True))
        frontier = found - seen
        seen |= frontier
    return seen


class ComponentListView(ObjectListView):
    """Recovery components of the user's nodes."""

    model = Component
    select_related = ("node", "team")
    filterset_class = ComponentFilterSet
    columns = COMPONENT_COLUMNS
    add_url_name = "continuity:component_add"
    template_name = "continuity/object_list.html"


class ComponentDetailView(ObjectDetailView):
    """A component: dependencies both ways, backup plan and copies, restore tests, the activities that need it."""

    model = Component
    select_related = ("node", "team", "application")

    def get_context(self, obj: Component) -> dict[str, Any]:
        """Related rows, each through the choke point."""
        user = self.request.user
        visible = Component.objects.restrict(user, Action.VIEW)
        plan = BackupPlan.objects.restrict(user, Action.VIEW).filter(component=obj).select_related("system").first()
        # An activity needs the component directly (its application, an extra need) or through the
        # components that depend on it, transitively (the directory under the patient record).
        closure = _dependents_closure(obj)
        applications = Component.objects.filter(pk__in=closure, application__isnull=False).values("application")
        impacts = BusinessImpact.objects.restrict(user, Action.VIEW).select_related("activity")
        needed_by = impacts.filter(Q(extra_needs__in=closure) | Q(activity__applications__in=applications)).distinct()
        return {
            "depends_on": visible.filter(dependents=obj),
            "dependents": visible.filter(depends_on=obj),
            "plan": plan,
            "copies": plan.copies.all() if plan else [],
            "restore_tests": RestoreTest.objects.restrict(user, Action.VIEW)
            .filter(component=obj)
            .select_related("exercise"),
            "needed_by": needed_by,
            # A test may name an exercise of an ancestor the user does not see: its title stays hidden.
            "visible_exercises": set(
                Exercise.objects.restrict(user, Action.VIEW)
                .filter(restore_tests__component=obj)
                .values_list("pk", flat=True)
            ),
            "can_change": _can(Component, user, obj, Action.CHANGE),
        }


class ComponentEditView(ObjectEditView):
    """Declare or change a component."""

    model = Component
    form_class = ComponentForm


class TeamListView(ObjectListView):
    """Recovery teams."""

    model = RecoveryTeam
    filterset_class = RecoveryTeamFilterSet
    columns = TEAM_COLUMNS
    add_url_name = "continuity:team_add"
    template_name = "continuity/object_list.html"


class TeamDetailView(ObjectDetailView):
    """A team and the components it restores."""

    model = RecoveryTeam

    def get_context(self, obj: RecoveryTeam) -> dict[str, Any]:
        """Its components."""
        user = self.request.user
        return {
            "components": Component.objects.restrict(user, Action.VIEW).filter(team=obj),
            "can_change": _can(RecoveryTeam, user, obj, Action.CHANGE),
        }


class TeamEditView(ObjectEditView):
    """Declare or change a recovery team."""

    model = RecoveryTeam
    form_class = RecoveryTeamForm


class BackupSystemListView(ObjectListView):
    """Backup systems."""

    model = BackupSystem
    filterset_class = BackupSystemFilterSet
    columns = BACKUP_SYSTEM_COLUMNS
    add_url_name = "continuity:backupsystem_add"
    template_name = "continuity/object_list.html"


class BackupSystemDetailView(ObjectDetailView):
    """A backup system and the plans that use it."""

    model = BackupSystem

    def get_context(self, obj: BackupSystem) -> dict[str, Any]:
        """The plans using it."""
        user = self.request.user
        return {
            "plans": BackupPlan.objects.restrict(user, Action.VIEW).filter(system=obj).select_related("component"),
            "can_change": _can(BackupSystem, user, obj, Action.CHANGE),
        }


class BackupSystemEditView(ObjectEditView):
    """Declare or change a backup system."""

    model = BackupSystem
    form_class = BackupSystemForm
