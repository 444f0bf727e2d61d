"""Inventory: assets, applications and the care activities that depend on them."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """Assets, applications, care activities."""

    name = "hygie.apps.inventory"
    label = "inventory"
    verbose_name = _("Inventory")
