"""REST API of exposure audits: perimeters (administrators), scans, start, import, diff, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.exposure.analysis import diff_document
from hygie.apps.exposure.filtersets import ExposurePerimeterFilterSet, ExposureScanFilterSet
from hygie.apps.exposure.models import MANAGE_PERIMETERS, ExposurePerimeter, ExposureScan
from hygie.apps.exposure.report import render_report, report_filename
from hygie.apps.exposure.running import IMPORT_SUFFIXES, ScanFailedError, import_upload, previous_scan, start_scan
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination

router = Router(tags=["exposure"])

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: Bytes of body tolerated where an operation takes no parameters (an empty JSON object or form).
MAX_EMPTY_BODY = 1024
ADMINISTRATORS_ONLY = "Only administrators of the node declare exposure perimeters."


class PerimeterOut(Schema):
    """A declared perimeter."""

    id: int
    node_id: int
    name: str
    entries: str
    exclusions: str
    dns_domains: str
    authorised_by: str
    valid_until: dt.datetime
    ports: str
    rate: float
    host_concurrency: int
    host_connection_cap: int
    connect_timeout: float
    probe_timeout: float
    retries: int
    nameservers: str
    resolver_port: int
    interval_days: int | None
    next_run_at: dt.datetime | None
    enabled: bool


class PerimeterPatch(Schema):
    """Changes to a perimeter; unset fields stay."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    entries: str | None = Field(None, min_length=1, max_length=100_000)
    exclusions: str | None = Field(None, max_length=100_000)
    dns_domains: str | None = Field(None, max_length=10_000)
    authorised_by: str | None = Field(None, min_length=1, max_length=200)
    valid_until: dt.datetime | None = None
    ports: str | None = Field(None, min_length=1, max_length=2000)
    rate: float | None = Field(None, gt=0, le=100_000)
    host_concurrency: int | None = Field(None, ge=1, le=1024)
    host_connection_cap: int | None = Field(None, ge=1, le=1_000_000)
    connect_timeout: float | None = Field(None, gt=0, le=60)
    probe_timeout: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=5)
    nameservers: str | None = Field(None, max_length=500)
    resolver_port: int | None = Field(None, ge=1, le=65535)
    interval_days: int | None = Field(None, ge=1, le=366)
    enabled: bool | None = None


class PerimeterIn(PerimeterPatch):
    """A new perimeter: node, name, entries, who authorised it and until when are required."""

    node_id: ObjectId
    name: str = Field(min_length=1, max_length=200)
    entries: str = Field(min_length=1, max_length=100_000)
    authorised_by: str = Field(min_length=1, max_length=200)
    valid_until: dt.datetime


class ScanOut(Schema):
    """An exposure scan (the full engine document at ``/result``)."""

    id: int
    node_id: int
    perimeter_id: int | None
    source: str
    label: str
    scheduled: bool
    status: str
    error: str
    job_id: int | None
    scanned_at: dt.datetime | None
    started: dt.datetime | None
    finished: dt.datetime | None
    score: int | None
    host_count: int
    service_count: int
    finding_count: int
    counts: dict[str, Any]
    changes: dict[str, Any]
    created: dt.datetime


class ScanDetailOut(ScanOut):
    """A scan with the perimeter as it stood when it ran."""

    perimeter_snapshot: dict[str, Any]


class ScanDiffOut(Schema):
    """What changed from ``base_id`` to ``scan_id`` (the engine's diff document; null without a base)."""

    base_id: int | None
    scan_id: int
    diff: dict[str, Any] | None


def _scan(request: HttpRequest, scan_id: int) -> ExposureScan:
    return get_object_or_404(
        ExposureScan.objects.restrict(request.user, Action.VIEW).select_related("node"), pk=scan_id
    )


def _perimeter(request: HttpRequest, perimeter_id: int, action: Action = Action.VIEW) -> ExposurePerimeter:
    perimeter = get_object_or_404(
        ExposurePerimeter.objects.restrict(request.user, Action.VIEW).select_related("node"), pk=perimeter_id
    )
    if action != Action.VIEW and not user_can(request.user, action, perimeter.node.path):
        raise HttpError(403, ADMINISTRATORS_ONLY if action == MANAGE_PERIMETERS else "You may not scan on this node.")
    return perimeter


def _save(perimeter: ExposurePerimeter) -> None:
    """Validate with the engine's parsers (422 naming the field) and save."""
    try:
        perimeter.full_clean()
    except ValidationError as exc:
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    perimeter.save()


# --- Perimeters -----------------------------------------------------------------------------------


@router.get("/perimeters", response=list[PerimeterOut])
@paginate(PageNumberPagination, page_size=100)
def list_perimeters(request: HttpRequest) -> Any:
    """Perimeters of the nodes the caller sees; filters: node, enabled, q."""
    require_api_scope(request)
    return filtered(request, ExposurePerimeterFilterSet, ExposurePerimeter.objects.restrict(request.user, Action.VIEW))


@router.post("/perimeters", response={201: PerimeterOut})
def create_perimeter(request: HttpRequest, payload: PerimeterIn) -> Status[ExposurePerimeter]:
    """Declare a perimeter (administrators of the node); entries are checked by the engine's parser."""
    require_api_scope(request, MANAGE_PERIMETERS)
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=payload.node_id)
    if not user_can(request.user, MANAGE_PERIMETERS, node.path):
        raise HttpError(403, ADMINISTRATORS_ONLY)
    if ExposurePerimeter.objects.filter(node=node, name=payload.name).exists():
        raise HttpError(409, "A perimeter with this name already exists on this node.")
    data = {k: v for k, v in payload.dict(exclude={"node_id"}).items() if v is not None}
    perimeter = ExposurePerimeter(node=node, **data)
    perimeter.schedule_next(dt.datetime.now(tz=dt.UTC))
    _save(perimeter)
    return Status(201, perimeter)


@router.get("/perimeters/{perimeter_id}", response=PerimeterOut)
def get_perimeter(request: HttpRequest, perimeter_id: ObjectId) -> ExposurePerimeter:
    """One perimeter."""
    return _perimeter(request, perimeter_id)


@router.patch("/perimeters/{perimeter_id}", response=PerimeterOut)
def update_perimeter(request: HttpRequest, perimeter_id: ObjectId, payload: PerimeterPatch) -> ExposurePerimeter:
    """Change a perimeter (administrators); ``interval_days`` restarts the schedule from now."""
    perimeter = _perimeter(request, perimeter_id, MANAGE_PERIMETERS)
    changes = payload.dict(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field != "interval_days":
            raise HttpError(422, f"{field} cannot be null.")
        setattr(perimeter, field, value)
    if "interval_days" in changes:
        perimeter.schedule_next(dt.datetime.now(tz=dt.UTC))
    if (
        "name" in changes
        and ExposurePerimeter.objects.filter(node_id=perimeter.node_id, name=perimeter.name)
        .exclude(pk=perimeter.pk)
        .exists()
    ):
        raise HttpError(409, "A perimeter with this name already exists on this node.")
    _save(perimeter)
    return perimeter


@router.delete("/perimeters/{perimeter_id}", response={204: None})
def delete_perimeter(request: HttpRequest, perimeter_id: ObjectId) -> Status[None]:
    """Delete a perimeter (its scans stay, without it)."""
    if request.body:
        raise HttpError(400, "This operation takes no request body.")
    _perimeter(request, perimeter_id, MANAGE_PERIMETERS).delete()
    return Status(204, None)


@router.post("/perimeters/{perimeter_id}/scan", response={201: ScanOut})
def start(request: HttpRequest, perimeter_id: ObjectId) -> Status[ExposureScan]:
    """Scan a perimeter now, as a job; follow ``job_id`` at /api/jobs/."""
    perimeter = _perimeter(request, perimeter_id, Action.ADD)
    # No parameters: an empty form or JSON envelope is fine, anything larger is a mistake.
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_EMPTY_BODY:
        raise HttpError(400, "This operation takes no request body.")
    if not perimeter.enabled:
        raise HttpError(409, "This perimeter is disabled.")
    return Status(201, start_scan(request.user, perimeter))


# --- Scans ----------------------------------------------------------------------------------------


@router.get("/scans", response=list[ScanOut])
@paginate(PageNumberPagination, page_size=100)
def list_scans(request: HttpRequest) -> Any:
    """Scans; filters: node, perimeter, status, source, q."""
    require_api_scope(request)
    return filtered(request, ExposureScanFilterSet, ExposureScan.objects.restrict(request.user, Action.VIEW))


@router.post("/scans/import", response={201: ScanOut})
def import_scan_file(
    request: HttpRequest, node_id: Form[ObjectId | None] = None, file: File[UploadedFile | None] = None
) -> Any:
    """Import an nmap XML or masscan JSON file: judged and stored at once, or refused whole (422, nothing stored)."""
    require_api_scope(request, Action.ADD)
    limit = settings.HYGIE_MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit or (file is not None and (file.size or 0) > limit):
        raise HttpError(413, f"The file is too large (limit: {limit} bytes).")
    if node_id is None:
        raise HttpError(422, "node_id is required (multipart field).")
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, Action.ADD, node.path):
        raise HttpError(403, "You may not add scans to this node.")
    if file is None:
        raise HttpError(422, "A scan file is required (multipart field 'file').")
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        raise HttpError(422, "Expected an nmap .xml or a masscan .json file.")
    try:
        scan = import_upload(request.user, node, file.chunks(), name)
    except ScanFailedError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, scan)


@router.get("/scans/{scan_id}", response=ScanDetailOut)
def get_scan(request: HttpRequest, scan_id: ObjectId) -> ExposureScan:
    """One scan (its summary; the full result at ``/result``)."""
    return _scan(request, scan_id)


@router.get("/scans/{scan_id}/result", response=dict[str, Any] | None)
def get_result(request: HttpRequest, scan_id: ObjectId) -> Any:
    """The engine's JSON result (``hosts[]``, ``findings[]``, ``domains[]``, ``refused[]``...)."""
    scan = _scan(request, scan_id)
    if not scan.succeeded:
        raise HttpError(409, "This scan has no result yet.")
    return scan.result


@router.get("/scans/{scan_id}/diff", response=ScanDiffOut)
def diff(request: HttpRequest, scan_id: ObjectId, base_id: ObjectId | None = None) -> dict[str, Any]:
    """Changes since ``base_id`` (by default the previous scan of the same perimeter)."""
    scan = _scan(request, scan_id)
    visible = ExposureScan.objects.restrict(request.user, Action.VIEW)
    base = get_object_or_404(visible, pk=base_id) if base_id is not None else previous_scan(scan, visible)
    return {"base_id": getattr(base, "pk", None), "scan_id": scan.pk, "diff": diff_document(base, scan)}


@router.get("/scans/{scan_id}/report", response={200: None})
def report(request: HttpRequest, scan_id: ObjectId, format: str = "pdf") -> HttpResponse:  # noqa: A002 - the query parameter's name
    """The report as a PDF (``format=pdf``) or HTML (``format=html``) download."""
    scan = _scan(request, scan_id)
    if not scan.succeeded:
        raise HttpError(409, "This scan has no result yet.")
    if format not in {"pdf", "html"}:
        raise HttpError(422, "format must be pdf or html.")
    visible = ExposureScan.objects.restrict(request.user, Action.VIEW)
    content, content_type = render_report(scan, format, diff_document(previous_scan(scan, visible), scan))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report_filename(scan, format)}"'
    return response
