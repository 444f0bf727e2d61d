"""Filters of the incident list (UI and API share them)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hygie.apps.findings.filtersets import SEVERITY_NAMES
from hygie.apps.findings.models import SeverityChoices
from hygie.apps.incidents.models import Incident, IncidentKind, IncidentStatus
from hygie.web.filtering import TenantFilterSet

__all__ = ["IncidentFilterSet"]


class IncidentFilterSet(TenantFilterSet):
    """Incidents by node (handling node and below), status, type, severity, text."""

    search_fields = ("title", "reference", "description")
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices, label=_("Type"))
    # By name (critical, high...), like the findings filter.
    severity = django_filters.ChoiceFilter(choices=SEVERITY_NAMES, method="filter_severity", label=_("Severity"))

    class Meta:
        model = Incident
        fields: ClassVar[list[str]] = []

    def filter_severity(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Incidents of the severity named ``value``."""
        return queryset.filter(severity=SeverityChoices[value.upper()].value)
