"""Inventory models."""

from hygie.apps.inventory.models.applications import Application, ApplicationCategory, CareActivity
from hygie.apps.inventory.models.assets import Asset, AssetKind, Criticality, Hosting

__all__ = ["Application", "ApplicationCategory", "Asset", "AssetKind", "CareActivity", "Criticality", "Hosting"]
