"""Filters of the inventory lists (UI, API and exports share them)."""

from __future__ import annotations

from typing import ClassVar

from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.web.filtering import TenantFilterSet


class AssetFilterSet(TenantFilterSet):
    """Assets by kind, criticality, hosting, text."""

    search_fields = ("name", "vendor", "product", "version", "cpe", "owner", "serial_number")

    class Meta:
        model = Asset
        fields: ClassVar[list[str]] = ["kind", "criticality", "hosting"]


class ApplicationFilterSet(TenantFilterSet):
    """Applications by category, criticality, hosting, text."""

    search_fields = ("name", "vendor", "owner")

    class Meta:
        model = Application
        fields: ClassVar[list[str]] = ["category", "criticality", "hosting"]


class CareActivityFilterSet(TenantFilterSet):
    """Care activities by patient impact, text."""

    search_fields = ("name",)

    class Meta:
        model = CareActivity
        fields: ClassVar[list[str]] = ["patient_impact"]
