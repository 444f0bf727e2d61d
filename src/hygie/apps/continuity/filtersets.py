"""Filters of the continuity lists (UI and API share them)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hygie.apps.continuity.models import (
    ActivityKind,
    Authentication,
    BackupSystem,
    BusinessImpact,
    Component,
    ComponentCategory,
    ComponentKind,
    Exercise,
    ExerciseKind,
    ExerciseStatus,
    Platform,
    RecoveryScenario,
    RecoveryTeam,
    Simulation,
    SimulationStatus,
)
from hygie.web.filtering import TenantFilterSet

__all__ = [
    "BackupSystemFilterSet",
    "BusinessImpactFilterSet",
    "ComponentFilterSet",
    "ExerciseFilterSet",
    "RecoveryTeamFilterSet",
    "ScenarioFilterSet",
    "SimulationFilterSet",
]


class ComponentFilterSet(TenantFilterSet):
    """Recovery components by node, kind, category, platform, site, team, criticality, backup, text."""

    search_fields = ("name", "site", "application__name")
    kind = django_filters.ChoiceFilter(choices=ComponentKind.choices, label=_("Kind"))
    category = django_filters.MultipleChoiceFilter(choices=ComponentCategory.choices, label=_("Category"))
    platform = django_filters.ChoiceFilter(choices=Platform.choices, label=_("Platform"))
    site = django_filters.CharFilter(field_name="site", lookup_expr="iexact", label=_("Site"))
    team = django_filters.NumberFilter(field_name="team_id", label=_("Recovery team"))
    critical = django_filters.BooleanFilter(label=_("Critical"))
    backed_up = django_filters.BooleanFilter(method="filter_backed_up", label=_("Backed up"))
    offline_copy = django_filters.BooleanFilter(method="filter_offline_copy", label=_("Offline or immutable copy"))

    class Meta:
        model = Component
        fields: ClassVar[list[str]] = []

    def filter_backed_up(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Components with a backup plan (or without one)."""
        if value is None:
            return queryset
        return queryset.filter(backup_plan__isnull=not value)

    def filter_offline_copy(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Components with at least one offline or immutable copy (or without any)."""
        if value is None:
            return queryset
        query = Q(backup_plan__copies__online=False) | Q(backup_plan__copies__immutable=True)
        with_copy = queryset.filter(query).values("pk")
        # A subquery rather than a join: a component with two such copies must stay one row.
        return queryset.filter(pk__in=with_copy) if value else queryset.exclude(pk__in=with_copy)


class BackupSystemFilterSet(TenantFilterSet):
    """Backup systems by node, console authentication, MFA, isolation, supervision, text."""

    search_fields = ("name", "product")
    authentication = django_filters.ChoiceFilter(choices=Authentication.choices, label=_("Console authentication"))

    class Meta:
        model = BackupSystem
        fields: ClassVar[list[str]] = ["mfa", "isolation", "supervised"]


class ScenarioFilterSet(TenantFilterSet):
    """Recovery scenarios by node, text."""

    search_fields = ("name", "description")

    class Meta:
        model = RecoveryScenario
        fields: ClassVar[list[str]] = ["online_backups_destroyed"]


class SimulationFilterSet(TenantFilterSet):
    """Simulations by node (of their scenario), scenario, status."""

    search_fields = ("scenario__name",)
    node_path_field = "scenario__node__path"
    scenario = django_filters.NumberFilter(field_name="scenario_id", label=_("Scenario"))
    status = django_filters.MultipleChoiceFilter(choices=SimulationStatus.choices, label=_("Status"))

    class Meta:
        model = Simulation
        fields: ClassVar[list[str]] = []


class ExerciseFilterSet(TenantFilterSet):
    """Exercises by node, kind, status, planned date range, text."""

    search_fields = ("title", "scenario", "participants")
    kind = django_filters.MultipleChoiceFilter(choices=ExerciseKind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(choices=ExerciseStatus.choices, label=_("Status"))
    since = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte", label=_("Planned from"))
    until = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte", label=_("Planned until"))

    class Meta:
        model = Exercise
        fields: ClassVar[list[str]] = []


class RecoveryTeamFilterSet(TenantFilterSet):
    """Recovery teams by node, text (name, members): the UI list and the API share it."""

    search_fields = ("name", "members")

    class Meta:
        model = RecoveryTeam
        fields: ClassVar[list[str]] = []


class BusinessImpactFilterSet(TenantFilterSet):
    """Business-impact analyses by node (of their activity), kind, text."""

    search_fields = ("activity__name", "assessed_by")
    node_path_field = "activity__node__path"
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))

    class Meta:
        model = BusinessImpact
        fields: ClassVar[list[str]] = []
