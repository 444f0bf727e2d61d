"""Filters shared by every list: the organisation subtree filter and a free-text search."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hygie.apps.organizations.models import Node


class TenantFilterSet(django_filters.FilterSet):
    """Base FilterSet: ``node`` keeps rows owned by that node or below it; ``q`` searches text.

    Subclasses list their searchable fields in ``search_fields``. The ``node`` filter narrows, it
    never widens: the queryset it receives is already restricted to what the user may see.
    """

    search_fields: tuple[str, ...] = ("name",)
    node_path_field = "node__path"

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    node = django_filters.NumberFilter(method="filter_node", label=_("Organisation node"))

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Case-insensitive search over ``search_fields``."""
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    def filter_node(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        """Rows owned by the node ``value`` or its descendants."""
        path = Node.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.node_path_field}__startswith": path})
