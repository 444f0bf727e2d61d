"""Filters of the organisation tree."""

from __future__ import annotations

from typing import ClassVar

import django_filters

from hygie.apps.organizations.models import Node
from hygie.web.filtering import TenantFilterSet


class NodeFilterSet(TenantFilterSet):
    """Nodes by kind, category, text."""

    search_fields = ("name", "short_name", "finess_ej", "finess_eg", "city")
    node_path_field = "path"

    class Meta:
        model = Node
        fields: ClassVar[list[str]] = ["kind", "category", "is_ose"]

    is_ose = django_filters.BooleanFilter()
