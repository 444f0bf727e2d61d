"""Filters of the exposure lists (UI and API share them)."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.utils.translation import gettext_lazy as _

from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan
from hygie.web.filtering import TenantFilterSet


class ExposureScanFilterSet(TenantFilterSet):
    """Scans by node, perimeter, status, source, text."""

    search_fields = ("label",)
    perimeter = django_filters.NumberFilter(field_name="perimeter_id", label=_("Perimeter"))

    class Meta:
        model = ExposureScan
        fields: ClassVar[list[str]] = ["status", "source"]


class ExposurePerimeterFilterSet(TenantFilterSet):
    """Perimeters by node, text, enabled."""

    search_fields = ("name", "entries", "authorised_by")

    class Meta:
        model = ExposurePerimeter
        fields: ClassVar[list[str]] = ["enabled"]
