"""Filters of the budget lists (UI)."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.utils.translation import gettext_lazy as _

from hygie.apps.budget.models import FundingApplication, ItProject, ProjectStatus
from hygie.web.filtering import TenantFilterSet

__all__ = ["ApplicationFilterSet", "ProjectFilterSet"]


class ProjectFilterSet(TenantFilterSet):
    """IT projects by node, year, status, state funding, text."""

    search_fields = ("name", "description")
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"))
    state_funded = django_filters.BooleanFilter(label=_("State-funded"))

    class Meta:
        model = ItProject
        fields: ClassVar[list[str]] = ["node", "year", "status", "state_funded", "q"]


class ApplicationFilterSet(TenantFilterSet):
    """Funding applications by node, programme, text."""

    search_fields = ("title", "reference")
    programme = django_filters.CharFilter(field_name="programme__key", label=_("Programme"))

    class Meta:
        model = FundingApplication
        fields: ClassVar[list[str]] = ["node", "programme", "q"]
