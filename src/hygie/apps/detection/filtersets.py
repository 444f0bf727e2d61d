"""Filters of the detection lists (UI and API share them)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hygie.apps.detection.models import Alert, AlertLevel, AlertStatus, Hunt, LogSource, RulePack
from hygie.web.filtering import TenantFilterSet

__all__ = ["AlertFilterSet", "HuntFilterSet", "LogSourceFilterSet", "RulePackFilterSet"]


class AlertFilterSet(TenantFilterSet):
    """Alerts by level, status, rule, host, tag, time range, source, hunt, text."""

    search_fields = ("rule_title", "computer", "rule_id")
    status = django_filters.MultipleChoiceFilter(choices=AlertStatus.choices, label=_("Status"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open only"))
    level = django_filters.MultipleChoiceFilter(choices=AlertLevel.choices, label=_("Level"))
    min_level = django_filters.TypedChoiceFilter(
        choices=AlertLevel.choices, coerce=int, field_name="level", lookup_expr="gte", label=_("Minimum level")
    )
    rule = django_filters.CharFilter(method="filter_rule", label=_("Rule"))
    host = django_filters.CharFilter(field_name="computer", lookup_expr="icontains", label=_("Host"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("From"))
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lte", label=_("Until"))
    source = django_filters.NumberFilter(field_name="source_id", label=_("Log source"))
    hunt = django_filters.NumberFilter(field_name="hunt_id", label=_("Hunt"))

    class Meta:
        model = Alert
        fields: ClassVar[list[str]] = []

    def filter_open(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """New or acknowledged alerts (or the others)."""
        if value is None:
            return queryset
        query = Q(status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED])
        return queryset.filter(query) if value else queryset.exclude(query)

    def filter_rule(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """A rule by id or by words of its title."""
        return queryset.filter(Q(rule_id=value) | Q(rule_title__icontains=value))

    def filter_tag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Alerts whose rule carries this tag (``attack.t1003.001``, ``attack.impact``), case-insensitive.

        Tags are a JSON list: matching the quoted tag in its text form works on SQLite and PostgreSQL alike.
        """
        tag = value.strip().lower()
        if not tag:
            return queryset
        return queryset.filter(tags__icontains=f'"{tag}"')


class HuntFilterSet(TenantFilterSet):
    """Hunts by node, source, status."""

    search_fields = ("source__name",)
    source = django_filters.NumberFilter(field_name="source_id", label=_("Log source"))

    class Meta:
        model = Hunt
        fields: ClassVar[list[str]] = ["status"]


class LogSourceFilterSet(TenantFilterSet):
    """Log sources by node, kind, text."""

    search_fields = ("name", "host_names")

    class Meta:
        model = LogSource
        fields: ClassVar[list[str]] = ["kind", "enabled"]


class RulePackFilterSet(TenantFilterSet):
    """Rule packs by node, text."""

    search_fields = ("name", "description")

    class Meta:
        model = RulePack
        fields: ClassVar[list[str]] = []
