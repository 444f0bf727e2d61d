"""Filters of the findings register (UI, API, exports and CLI share them)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.models import Finding, FindingStatus, SeverityChoices
from hygie.apps.findings.models.findings import ACTIVE_STATUSES
from hygie.web.filtering import TenantFilterSet


def _assets(request: Any) -> QuerySet[Any]:
    """Assets offered by the filter: only those the user may see (the choices are rendered in the form)."""
    from hygie.apps.inventory.models import Asset

    user = getattr(request, "user", None)
    return Asset.objects.restrict(user, Action.VIEW) if user is not None else Asset.objects.none()


def _owners(request: Any) -> QuerySet[Any]:
    """Owners offered by the filter: users holding a role on a node the user may see, never other tenants'."""
    from hygie.apps.accounts.models import User
    from hygie.apps.organizations.models import Node

    user = getattr(request, "user", None)
    if user is None:
        return User.objects.none()
    return User.objects.filter(roles__node__in=Node.objects.restrict(user, Action.VIEW)).distinct()


SEVERITY_NAMES = [(c.name.lower(), c.label) for c in reversed(SeverityChoices)]
STATUS_CHOICES = [("active", _("Active (open or in remediation)")), *FindingStatus.choices]


class FindingFilterSet(TenantFilterSet):
    """Findings by severity (by name), status (or 'active'), source, check, owner, asset, text."""

    search_fields = ("title", "check_id")

    severity = django_filters.MultipleChoiceFilter(choices=SEVERITY_NAMES, method="filter_severity",
                                                   label=_("Severity"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"))
    source = django_filters.CharFilter(label=_("Source"))
    check_id = django_filters.CharFilter(label=_("Check"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    # Choices come from callables of the request: a plain ModelChoiceFilter would list (and leak)
    # every tenant's assets and users in the filter form.
    asset = django_filters.ModelChoiceFilter(queryset=_assets, label=_("Asset"))
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Owner"))

    class Meta:
        model = Finding
        fields: ClassVar[list[str]] = ["asset", "owner"]

    def filter_severity(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        """Severity names to stored integers."""
        return queryset.filter(severity__in=[SeverityChoices[v.upper()].value for v in value])

    def filter_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """One status, or every active one."""
        if value == "active":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        """Active findings whose due date has passed."""
        from django.utils import timezone

        if value:
            return queryset.filter(status__in=ACTIVE_STATUSES, due_date__lt=timezone.localdate())
        return queryset
