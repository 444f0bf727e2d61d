"""REST API of directory audits: list, detail, upload, live run, diff, report; credentials (password write-only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.directory.analysis import diff_audits, previous_audit
from hygie.apps.directory.filtersets import DirectoryAuditFilterSet, DirectoryCredentialFilterSet
from hygie.apps.directory.models import DirectoryAudit, DirectoryCredential
from hygie.apps.directory.report import report_filename, report_html, report_pdf
from hygie.apps.directory.running import UPLOAD_SUFFIXES, start_ldap_audit, start_upload_audit, store_upload
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination

router = Router(tags=["directory"])

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
MANAGE_CREDENTIALS = Action.DELETE


class AuditOut(Schema):
    """A directory audit (the full engine document in ``result``)."""

    id: int
    node_id: int
    domain: str
    domains: list[str]
    source: str
    label: str
    status: str
    error: str
    job_id: int | None
    credential_id: int | None
    collected: dt.datetime | None
    started: dt.datetime | None
    finished: dt.datetime | None
    level: int | None
    score: int | None
    finding_count: int
    categories: dict[str, Any]
    counts: dict[str, Any]
    not_evaluated: list[dict[str, Any]]
    created: dt.datetime


class AuditDetailOut(AuditOut):
    """An audit with its result document."""

    result: dict[str, Any] | None


class RunIn(Schema):
    """A live collection with a stored credential."""

    model_config = ConfigDict(extra="forbid")

    credential_id: ObjectId


class DiffOut(Schema):
    """Findings by (check id, object): new since the base audit, fixed, still open."""

    base_id: int | None
    audit_id: int
    new: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    still_open: list[dict[str, Any]]


class CredentialOut(Schema):
    """A credential: the password never leaves the server."""

    id: int
    node_id: int
    label: str
    url: str
    base_dn: str
    bind_user: str
    has_password: bool
    ca_certificate: str
    verify: bool
    start_tls: bool


class CredentialIn(Schema):
    """A new credential."""

    model_config = ConfigDict(extra="forbid")

    node_id: ObjectId
    label: str = Field(min_length=1, max_length=200)
    url: str = Field(pattern=r"^(?i:ldaps?)://\S+$", max_length=300)
    base_dn: str = Field("", max_length=300)
    bind_user: str = Field(min_length=1, max_length=300)
    password: str = Field(min_length=1, max_length=1000)
    ca_certificate: str = Field("", max_length=100_000)
    verify: bool = True
    start_tls: bool = False


class CredentialPatch(Schema):
    """Changes to a credential; a ``password`` replaces the stored one."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, min_length=1, max_length=200)
    url: str | None = Field(None, pattern=r"^(?i:ldaps?)://\S+$", max_length=300)
    base_dn: str | None = Field(None, max_length=300)
    bind_user: str | None = Field(None, min_length=1, max_length=300)
    password: str | None = Field(None, min_length=1, max_length=1000)
    ca_certificate: str | None = Field(None, max_length=100_000)
    verify: bool | None = None
    start_tls: bool | None = None


def _audit(request: HttpRequest, audit_id: int) -> DirectoryAudit:
    return get_object_or_404(
        DirectoryAudit.objects.restrict(request.user, Action.VIEW).select_related("node"), pk=audit_id
    )


@router.get("/audits", response=list[AuditOut])
@paginate(PageNumberPagination, page_size=100)
def list_audits(request: HttpRequest) -> Any:
    """Audits; filters: node, domain, status, source, level, q."""
    require_api_scope(request)
    return filtered(request, DirectoryAuditFilterSet, DirectoryAudit.objects.restrict(request.user, Action.VIEW))


@router.post("/audits/upload", response={201: AuditOut})
def upload(request: HttpRequest, node_id: Form[ObjectId | None] = None, file: File[UploadedFile | None] = None) -> Any:
    """Audit an uploaded collection (SharpHound zip/JSON, LDIF) as a job; follow ``job_id`` at /api/jobs/."""
    require_api_scope(request, Action.ADD)
    limit = settings.HYGIE_MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit or (file is not None and (file.size or 0) > limit):
        raise HttpError(413, f"The file is too large (limit: {limit} bytes).")
    if node_id is None:
        raise HttpError(422, "node_id is required (multipart field).")
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, Action.ADD, node.path):
        raise HttpError(403, "You may not add audits to this node.")
    if file is None:
        raise HttpError(422, "A collection file is required (multipart field 'file').")
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise HttpError(422, "Expected a .zip, .json or .ldif file.")
    path = store_upload(file.chunks(), name)
    return Status(201, start_upload_audit(request.user, node, path, name))


@router.post("/audits/run", response={201: AuditOut})
def run_live(request: HttpRequest, payload: RunIn) -> Any:
    """Collect and audit live with a stored credential, as a job, on the credential's node."""
    require_api_scope(request, Action.ADD)
    credential = get_object_or_404(
        DirectoryCredential.objects.restrict(request.user, Action.VIEW).select_related("node"), pk=payload.credential_id
    )
    if not user_can(request.user, Action.ADD, credential.node.path):
        raise HttpError(403, "You may not add audits to this node.")
    return Status(201, start_ldap_audit(request.user, credential))


@router.get("/audits/{audit_id}", response=AuditDetailOut)
def get_audit(request: HttpRequest, audit_id: ObjectId) -> DirectoryAudit:
    """One audit with its full result."""
    return _audit(request, audit_id)


@router.get("/audits/{audit_id}/diff", response=DiffOut)
def diff(request: HttpRequest, audit_id: ObjectId, base_id: ObjectId | None = None) -> dict[str, Any]:
    """Changes since ``base_id`` (by default the previous audit of the same node and domain)."""
    audit = _audit(request, audit_id)
    visible = DirectoryAudit.objects.restrict(request.user, Action.VIEW)
    base = get_object_or_404(visible, pk=base_id) if base_id is not None else previous_audit(audit, visible)
    if base is None or not audit.succeeded or not base.succeeded:
        return {"base_id": getattr(base, "pk", None), "audit_id": audit.pk, "new": [], "fixed": [], "still_open": []}
    return {"base_id": base.pk, "audit_id": audit.pk, **diff_audits(base, audit).as_dict()}


@router.get("/audits/{audit_id}/report", response={200: None})
def report(request: HttpRequest, audit_id: ObjectId, format: str = "pdf") -> HttpResponse:  # noqa: A002 - the query parameter's name
    """The report as a PDF (``format=pdf``) or HTML (``format=html``) download."""
    audit = _audit(request, audit_id)
    if not audit.succeeded:
        raise HttpError(409, "This audit has no result yet.")
    if format == "pdf":
        response = HttpResponse(report_pdf(audit, audit.node.ancestors()), content_type="application/pdf")
    elif format == "html":
        response = HttpResponse(report_html(audit, audit.node.ancestors()), content_type="text/html")
    else:
        raise HttpError(422, "format must be pdf or html.")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(audit, format)}"'
    return response


# --- Credentials ---------------------------------------------------------------------------------


def _credential(request: HttpRequest, credential_id: int, action: Action) -> DirectoryCredential:
    credential = get_object_or_404(
        DirectoryCredential.objects.restrict(request.user, Action.VIEW).select_related("node"), pk=credential_id
    )
    if not user_can(request.user, action, credential.node.path):
        raise HttpError(403, "Only managers and administrators manage directory credentials.")
    return credential


@router.get("/credentials", response=list[CredentialOut])
@paginate(PageNumberPagination, page_size=100)
def list_credentials(request: HttpRequest) -> Any:
    """Credentials of the nodes the caller manages."""
    require_api_scope(request, MANAGE_CREDENTIALS)
    return filtered(
        request, DirectoryCredentialFilterSet, DirectoryCredential.objects.restrict(request.user, MANAGE_CREDENTIALS)
    )


@router.post("/credentials", response={201: CredentialOut})
def create_credential(request: HttpRequest, payload: CredentialIn) -> Status[DirectoryCredential]:
    """Store a credential; the password is encrypted and never returned."""
    require_api_scope(request, MANAGE_CREDENTIALS)
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=payload.node_id)
    if not user_can(request.user, MANAGE_CREDENTIALS, node.path):
        raise HttpError(403, "Only managers and administrators manage directory credentials.")
    if DirectoryCredential.objects.filter(node=node, label=payload.label).exists():
        raise HttpError(409, "A credential with this label already exists on this node.")
    data = payload.dict(exclude={"node_id", "password"})
    credential = DirectoryCredential(node=node, **data)
    credential.set_password(payload.password)
    credential.save()
    return Status(201, credential)


@router.get("/credentials/{credential_id}", response=CredentialOut)
def get_credential(request: HttpRequest, credential_id: ObjectId) -> DirectoryCredential:
    """One credential, without its password."""
    return _credential(request, credential_id, MANAGE_CREDENTIALS)


@router.patch("/credentials/{credential_id}", response=CredentialOut)
def update_credential(request: HttpRequest, credential_id: ObjectId, payload: CredentialPatch) -> DirectoryCredential:
    """Change a credential; ``password`` replaces the stored one."""
    credential = _credential(request, credential_id, MANAGE_CREDENTIALS)
    changes = payload.dict(exclude_unset=True)
    password = changes.pop("password", None)
    for field, value in changes.items():
        if value is None:
            raise HttpError(422, f"{field} cannot be null.")
        setattr(credential, field, value)
    if password:
        credential.set_password(password)
    if (
        "label" in changes
        and DirectoryCredential.objects.filter(node_id=credential.node_id, label=credential.label)
        .exclude(pk=credential.pk)
        .exists()
    ):
        raise HttpError(409, "A credential with this label already exists on this node.")
    credential.save()
    return credential


@router.delete("/credentials/{credential_id}", response={204: None})
def delete_credential(request: HttpRequest, credential_id: ObjectId) -> Status[None]:
    """Delete a credential (its audits stay, without it)."""
    if request.body:
        raise HttpError(400, "This operation takes no request body.")
    _credential(request, credential_id, Action.DELETE).delete()
    return Status(204, None)
