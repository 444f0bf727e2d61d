"""Filters of an assessment's requirements: status, section, measure needing review, text."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hygie.apps.compliance.models import Measure, RequirementAssessment, Status

__all__ = ["ItemFilterSet"]


class ItemFilterSet(django_filters.FilterSet):
    """Requirements of one assessment (the queryset is already restricted and scoped to it)."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    section = django_filters.NumberFilter(field_name="requirement__section_id", label=_("Section"))
    measure = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in Measure.choices if value], label=_("Measure")
    )
    needs_review = django_filters.BooleanFilter(method="filter_needs_review", label=_("Measure to confirm"))

    class Meta:
        model = RequirementAssessment
        fields: ClassVar[list[str]] = []

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Case-insensitive search in the requirement's identifier and titles."""
        query = Q(requirement__ref__icontains=value) | Q(requirement__title__icontains=value)
        return queryset.filter(query | Q(requirement__title_fr__icontains=value))

    def filter_needs_review(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Requirements whose measure differs from the one a person last confirmed (or the others)."""
        if value is None:
            return queryset
        # Same rule as ``RequirementAssessment.needs_review``, in SQL.
        pending = Q(measure__gt="") & ~Q(measure=F("confirmed_measure"))
        return queryset.filter(pending) if value else queryset.exclude(pending)
