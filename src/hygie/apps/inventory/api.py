"""REST API of the inventory."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from hygie.apps.accounts.permissions import Action
from hygie.apps.inventory.filtersets import ApplicationFilterSet, AssetFilterSet, CareActivityFilterSet
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.web.api import filtered, require_api_scope

router = Router(tags=["inventory"])


class AssetOut(Schema):
    """An asset."""

    id: int
    node_id: int
    name: str
    kind: str
    vendor: str
    product: str
    version: str
    cpe: str
    ip_addresses: list[str]
    owner: str
    criticality: int
    hosting: str
    serial_number: str
    description: str


class ApplicationOut(Schema):
    """An application with the ids of its assets and dependencies."""

    id: int
    node_id: int
    name: str
    category: str
    vendor: str
    version: str
    criticality: int
    hosting: str
    owner: str
    asset_ids: list[int]
    depends_on_ids: list[int]

    @staticmethod
    def resolve_asset_ids(obj: Application) -> list[int]:
        """Ids of the assets it runs on."""
        return [a.pk for a in obj.assets.all()]

    @staticmethod
    def resolve_depends_on_ids(obj: Application) -> list[int]:
        """Ids of the applications it needs."""
        return [a.pk for a in obj.depends_on.all()]


class CareActivityOut(Schema):
    """A care activity and the ids of the applications it needs."""

    id: int
    node_id: int
    name: str
    patient_impact: int
    max_downtime_hours: int | None
    application_ids: list[int]

    @staticmethod
    def resolve_application_ids(obj: CareActivity) -> list[int]:
        """Ids of the applications it needs."""
        return [a.pk for a in obj.applications.all()]


@router.get("/assets", response=list[AssetOut])
@paginate(PageNumberPagination, page_size=100)
def list_assets(request: HttpRequest) -> Any:
    """Assets; filters: kind, criticality, hosting, q, node (subtree)."""
    require_api_scope(request)
    return filtered(request, AssetFilterSet, Asset.objects.restrict(request.user, Action.VIEW))


@router.get("/assets/{asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: int) -> Asset:
    """One asset."""
    return get_object_or_404(Asset.objects.restrict(request.user, Action.VIEW), pk=asset_id)


@router.get("/applications", response=list[ApplicationOut])
@paginate(PageNumberPagination, page_size=100)
def list_applications(request: HttpRequest) -> Any:
    """Applications; filters: category, criticality, hosting, q, node."""
    require_api_scope(request)
    qs = Application.objects.restrict(request.user, Action.VIEW).prefetch_related("assets", "depends_on")
    return filtered(request, ApplicationFilterSet, qs)


@router.get("/applications/{application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, application_id: int) -> Application:
    """One application."""
    return get_object_or_404(Application.objects.restrict(request.user, Action.VIEW), pk=application_id)


@router.get("/care-activities", response=list[CareActivityOut])
@paginate(PageNumberPagination, page_size=100)
def list_care_activities(request: HttpRequest) -> Any:
    """Care activities; filters: patient_impact, q, node."""
    require_api_scope(request)
    qs = CareActivity.objects.restrict(request.user, Action.VIEW).prefetch_related("applications")
    return filtered(request, CareActivityFilterSet, qs)


@router.get("/care-activities/{activity_id}", response=CareActivityOut)
def get_care_activity(request: HttpRequest, activity_id: int) -> CareActivity:
    """One care activity."""
    return get_object_or_404(CareActivity.objects.restrict(request.user, Action.VIEW), pk=activity_id)
