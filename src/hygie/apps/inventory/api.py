"""REST API of the inventory: reads, writes and CSV imports, all through ``restrict``.

Foreign objects are never revealed: an owner node outside the caller's scope is 404 ("not found"),
linked ids (``asset_ids``, ``depends_on_ids``, ``application_ids``) the caller cannot link are 422
("unknown ids"), whether they exist elsewhere or not. A refused write changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from hygie.apps.accounts.permissions import Action
from hygie.apps.inventory.csvcolumns import ImportKind
from hygie.apps.inventory.filtersets import ApplicationFilterSet, AssetFilterSet, CareActivityFilterSet
from hygie.apps.inventory.importing import ImportRefusedError, import_csv
from hygie.apps.inventory.linking import linkable
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import reasons

router = Router(tags=["inventory"])

# Bounded numbers: an id or a level beyond what the database stores is a 422, never a server error.
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Level = Annotated[int, Field(ge=1, le=4)]
Hours = Annotated[int, Field(ge=0, le=2**31 - 1)]


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


@router.get("/assets/{int:asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: ObjectId) -> Asset:
    """One asset."""
    return get_object_or_404(Asset.objects.restrict(request.user, Action.VIEW), pk=asset_id)


@router.get("/applications", response=list[ApplicationOut])
@paginate(PageNumberPagination, page_size=100)
def list_applications(request: HttpRequest) -> Any:
    """Applications; filters: category, criticality, hosting, q, node."""
    require_api_scope(request)
    qs = Application.objects.restrict(request.user, Action.VIEW).prefetch_related("assets", "depends_on")
    return filtered(request, ApplicationFilterSet, qs)


@router.get("/applications/{int:application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, application_id: ObjectId) -> Application:
    """One application."""
    return get_object_or_404(Application.objects.restrict(request.user, Action.VIEW), pk=application_id)


@router.get("/care-activities", response=list[CareActivityOut])
@paginate(PageNumberPagination, page_size=100)
def list_care_activities(request: HttpRequest) -> Any:
    """Care activities; filters: patient_impact, q, node."""
    require_api_scope(request)
    qs = CareActivity.objects.restrict(request.user, Action.VIEW).prefetch_related("applications")
    return filtered(request, CareActivityFilterSet, qs)


@router.get("/care-activities/{int:activity_id}", response=CareActivityOut)
def get_care_activity(request: HttpRequest, activity_id: ObjectId) -> CareActivity:
    """One care activity."""
    return get_object_or_404(CareActivity.objects.restrict(request.user, Action.VIEW), pk=activity_id)


# --- Writes -----------------------------------------------------------------------------------


class AssetIn(Schema):
    """Fields of a new asset."""

    node_id: ObjectId
    name: str
    kind: str
    vendor: str = ""
    product: str = ""
    version: str = ""
    cpe: str = ""
    ip_addresses: list[str] = []
    owner: str = ""
    criticality: Level = 2
    hosting: str = "on_premise"
    serial_number: str = ""
    description: str = ""


class AssetPatch(Schema):
    """Fields to change on an asset (absent ones are kept)."""

    node_id: ObjectId | None = None
    name: str | None = None
    kind: str | None = None
    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    cpe: str | None = None
    ip_addresses: list[str] | None = None
    owner: str | None = None
    criticality: Level | None = None
    hosting: str | None = None
    serial_number: str | None = None
    description: str | None = None


class ApplicationIn(Schema):
    """Fields of a new application and the ids of what it runs on and depends on."""

    node_id: ObjectId
    name: str
    category: str
    vendor: str = ""
    version: str = ""
    criticality: Level = 2
    hosting: str = "on_premise"
    owner: str = ""
    description: str = ""
    asset_ids: list[ObjectId] = []
    depends_on_ids: list[ObjectId] = []


class ApplicationPatch(Schema):
    """Fields to change on an application; given id lists replace the current links."""

    node_id: ObjectId | None = None
    name: str | None = None
    category: str | None = None
    vendor: str | None = None
    version: str | None = None
    criticality: Level | None = None
    hosting: str | None = None
    owner: str | None = None
    description: str | None = None
    asset_ids: list[ObjectId] | None = None
    depends_on_ids: list[ObjectId] | None = None


class CareActivityIn(Schema):
    """Fields of a new care activity and the ids of the applications it needs."""

    node_id: ObjectId
    name: str
    patient_impact: Level = 3
    max_downtime_hours: Hours | None = None
    description: str = ""
    application_ids: list[ObjectId] = []


class CareActivityPatch(Schema):
    """Fields to change on a care activity; a given id list replaces the current links."""

    node_id: ObjectId | None = None
    name: str | None = None
    patient_impact: Level | None = None
    max_downtime_hours: Hours | None = None
    description: str | None = None
    application_ids: list[ObjectId] | None = None


class ProblemOut(Schema):
    """One bad cell of an imported file."""

    line: int
    column: str
    reason: str


class ImportReportOut(Schema):
    """What an import found and did; ``applied`` is false for dry runs and invalid files."""

    kind: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    applied: bool
    valid: bool
    problems: list[ProblemOut]


class RequestErrorOut(Schema):
    """A malformed request (no file, wrong field types): the reasons, as every API error gives them."""

    detail: Any


#: Payload id lists → (model field, linked model).
_LINKS: dict[str, tuple[str, type[Model]]] = {
    "asset_ids": ("assets", Asset),
    "depends_on_ids": ("depends_on", Application),
    "application_ids": ("applications", Application),
}


def _node(request: HttpRequest, node_id: int, action: Action) -> Node:
    # A node outside the caller's scope is reported as missing, like any foreign object.
    node = Node.objects.restrict(request.user, action).filter(pk=node_id).first()
    if node is None:
        raise HttpError(404, "Node not found.")
    return node


def _writable(request: HttpRequest, model: type[Model], pk: int, action: Action) -> Any:
    """The object if the caller may ``action`` it: 404 when invisible, 403 when only visible."""
    obj = get_object_or_404(model.objects.restrict(request.user, Action.VIEW), pk=pk)  # type: ignore[attr-defined]
    if not model.objects.restrict(request.user, action).filter(pk=pk).exists():  # type: ignore[attr-defined]
        raise HttpError(403, "You hold no role allowing this.")
    return obj


def _save(request: HttpRequest, obj: Any, data: dict[str, Any]) -> Any:
    """Apply ``data`` (fields and id lists) to ``obj``, validate, save, link; all or nothing."""
    links = {key: data.pop(key) for key in list(data) if key in _LINKS}
    if any(isinstance(v, str) and "\x00" in v for v in data.values()):
        raise HttpError(422, "Text values cannot contain NUL characters.")
    if "node_id" in data:
        obj.node = _node(request, data.pop("node_id"), Action.CHANGE if obj.pk else Action.ADD)
    for key, value in data.items():
        setattr(obj, key, value)
    resolved: dict[str, list[Any]] = {}
    for key, ids in links.items():
        if ids is None:
            continue
        field, model = _LINKS[key]
        found = list(linkable(model, request.user, obj.node).filter(pk__in=ids).exclude(pk=obj.pk or 0)
                     if model is type(obj) else linkable(model, request.user, obj.node).filter(pk__in=ids))
        missing = sorted(set(ids) - {o.pk for o in found})
        if missing:
            raise HttpError(422, f"{key}: unknown ids {missing} (not visible, or not in the owner node's group).")
        resolved[field] = found
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise HttpError(422, reasons(exc)) from exc
    with transaction.atomic():
        obj.save()
        for field, objects in resolved.items():
            getattr(obj, field).set(objects)
    return obj


def _create(request: HttpRequest, model: type[Model], payload: Schema) -> Status[Any]:
    require_api_scope(request, Action.ADD)
    return Status(201, _save(request, model(), payload.dict()))


def _update(request: HttpRequest, model: type[Model], pk: int, payload: Schema) -> Any:
    obj = _writable(request, model, pk, Action.CHANGE)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "max_downtime_hours"}
    return _save(request, obj, data)


def _delete(request: HttpRequest, model: type[Model], pk: int) -> Status[None]:
    # A DELETE takes no body: a client sending one (conditions, a payload meant for another call)
    # is confused, and deleting anyway would be the worst guess.
    if request.body:
        raise HttpError(400, "This operation takes no request body.")
    _writable(request, model, pk, Action.DELETE).delete()
    return Status(204, None)


@router.post("/assets", response={201: AssetOut})
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    """Create an asset on a node the caller may add to."""
    return _create(request, Asset, payload)


@router.patch("/assets/{int:asset_id}", response=AssetOut)
def update_asset(request: HttpRequest, asset_id: ObjectId, payload: AssetPatch) -> Asset:
    """Change an asset."""
    return _update(request, Asset, asset_id, payload)


@router.delete("/assets/{int:asset_id}", response={204: None})
def delete_asset(request: HttpRequest, asset_id: ObjectId) -> Status[None]:
    """Delete an asset."""
    return _delete(request, Asset, asset_id)


@router.post("/applications", response={201: ApplicationOut})
def create_application(request: HttpRequest, payload: ApplicationIn) -> Status[Application]:
    """Create an application; linked ids must be visible and in the owner node's group."""
    return _create(request, Application, payload)


@router.patch("/applications/{int:application_id}", response=ApplicationOut)
def update_application(request: HttpRequest, application_id: ObjectId, payload: ApplicationPatch) -> Application:
    """Change an application."""
    return _update(request, Application, application_id, payload)


@router.delete("/applications/{int:application_id}", response={204: None})
def delete_application(request: HttpRequest, application_id: ObjectId) -> Status[None]:
    """Delete an application."""
    return _delete(request, Application, application_id)


@router.post("/care-activities", response={201: CareActivityOut})
def create_care_activity(request: HttpRequest, payload: CareActivityIn) -> Status[CareActivity]:
    """Create a care activity."""
    return _create(request, CareActivity, payload)


@router.patch("/care-activities/{int:activity_id}", response=CareActivityOut)
def update_care_activity(request: HttpRequest, activity_id: ObjectId, payload: CareActivityPatch) -> CareActivity:
    """Change a care activity."""
    return _update(request, CareActivity, activity_id, payload)


@router.delete("/care-activities/{int:activity_id}", response={204: None})
def delete_care_activity(request: HttpRequest, activity_id: ObjectId) -> Status[None]:
    """Delete a care activity."""
    return _delete(request, CareActivity, activity_id)


@router.post("/{kind}/import", response={200: ImportReportOut, 422: ImportReportOut | RequestErrorOut})
def import_file(request: HttpRequest, kind: ImportKind, file: File[UploadedFile | None] = None,
                dry_run: Form[bool] = False) -> Status[dict[str, Any]]:
    """Import a CSV file (columns as the CSV export); 422 with the report when a line is wrong."""
    require_api_scope(request, Action.ADD)
    limit = settings.HYGIE_MAX_UPLOAD_BYTES
    # Refuse by the announced length first: a too large upload is not even read.
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit or (file is not None and (file.size or 0) > limit):
        raise HttpError(413, f"The file is too large (limit: {limit} bytes).")
    if file is None:
        raise HttpError(422, "A CSV file is required (multipart field 'file').")
    try:
        report = import_csv(file.read(), kind, request.user, dry_run=dry_run)
    except ImportRefusedError as exc:
        raise HttpError(exc.status, exc.message) from exc
    body = {**vars(report), "valid": report.valid, "problems": [vars(p) for p in report.problems]}
    return Status(200 if report.valid else 422, body)
