"""Views of the inventory."""

from __future__ import annotations

from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.models import Finding
from hygie.apps.inventory.filtersets import ApplicationFilterSet, AssetFilterSet, CareActivityFilterSet
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.inventory.tables import APPLICATION_COLUMNS, ASSET_COLUMNS, CARE_ACTIVITY_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectListView


class AssetListView(ObjectListView):
    """Assets."""

    model = Asset
    filterset_class = AssetFilterSet
    columns = ASSET_COLUMNS


class AssetDetailView(ObjectDetailView):
    """An asset, its applications and its findings."""

    model = Asset

    def get_context(self, obj: Asset) -> dict[str, Any]:
        """Applications running on it and findings about it, as the user may see them."""
        return {
            "applications": Application.objects.restrict(self.request.user, Action.VIEW).filter(assets=obj),
            "findings": Finding.objects.restrict(self.request.user, Action.VIEW).filter(asset=obj)[:50],
        }


class ApplicationListView(ObjectListView):
    """Applications."""

    model = Application
    filterset_class = ApplicationFilterSet
    columns = APPLICATION_COLUMNS


class ApplicationDetailView(ObjectDetailView):
    """An application, what it runs on, depends on, and which care needs it."""

    model = Application

    def get_context(self, obj: Application) -> dict[str, Any]:
        """Related objects, restricted."""
        user = self.request.user
        return {
            "assets": Asset.objects.restrict(user, Action.VIEW).filter(applications=obj),
            "depends_on": Application.objects.restrict(user, Action.VIEW).filter(dependents=obj),
            "dependents": Application.objects.restrict(user, Action.VIEW).filter(depends_on=obj),
            "care_activities": CareActivity.objects.restrict(user, Action.VIEW).filter(applications=obj),
        }


class CareActivityListView(ObjectListView):
    """Care activities."""

    model = CareActivity
    filterset_class = CareActivityFilterSet
    columns = CARE_ACTIVITY_COLUMNS


class CareActivityDetailView(ObjectDetailView):
    """A care activity and the applications it needs."""

    model = CareActivity

    def get_context(self, obj: CareActivity) -> dict[str, Any]:
        """Applications, restricted."""
        return {"applications": Application.objects.restrict(self.request.user, Action.VIEW).filter(
            care_activities=obj)}
