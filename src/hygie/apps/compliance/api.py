"""REST API of compliance: frameworks (shipped and imported), assessments, statuses, evidence, gaps, roll-up.

Every query goes through ``restrict(request.user, action)``: another tenant's object is a 404, an
object seen but not changeable a 403. Bad input is a 422 naming the field; nothing is half stored.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.compliance import catalogue, exporting, gaps, services
from hygie.apps.compliance.evidence_files import EvidenceError, evidence_path, max_evidence_bytes
from hygie.apps.compliance.measures import refresh
from hygie.apps.compliance.models import Assessment, Evidence, EvidenceKind, Framework, RequirementAssessment
from hygie.apps.compliance.schemas import (
    AssessmentDetailOut,
    AssessmentIn,
    AssessmentOut,
    EvidenceOut,
    FrameworkDetailOut,
    FrameworkOut,
    ItemIn,
    ItemOut,
    LinkIn,
    ObjectId,
    RefreshOut,
    RemediationIn,
    RemediationOut,
)
from hygie.apps.compliance.scoring import maturity, rollup
from hygie.apps.organizations.models import Node
from hygie.frameworks import FrameworkError
from hygie.web.api import require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import refuse_body, refuse_oversized

router = Router(tags=["compliance"])

_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")


# --- Helpers ----------------------------------------------------------------------------------------


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(map(str, texts))}" for field, texts in error.message_dict.items())
    return " ".join(map(str, error.messages))


def _node(request: HttpRequest, node_id: int, action: Action = Action.VIEW) -> Node:
    """A node the caller sees (404 otherwise), on which they may ``action`` (403 otherwise)."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return node


def _assessment(request: HttpRequest, assessment_id: int, action: Action = Action.VIEW) -> Assessment:
    assessments = Assessment.objects.restrict(request.user, Action.VIEW).select_related("node", "framework", "owner")
    assessment = get_object_or_404(assessments, pk=assessment_id)
    if action != Action.VIEW and not user_can(request.user, action, assessment.node.path):
        raise HttpError(403, "You may not change this assessment.")
    return assessment


def _item(request: HttpRequest, item_id: int, action: Action = Action.CHANGE) -> RequirementAssessment:
    items = RequirementAssessment.objects.restrict(request.user, Action.VIEW).select_related(
        "assessment__node", "assessment__framework", "requirement__section", "owner"
    )
    item = get_object_or_404(items, pk=item_id)
    if not user_can(request.user, action, item.assessment.node.path):
        raise HttpError(403, "You may not change this assessment.")
    return item


def _evidence(request: HttpRequest, evidence_id: int, action: Action = Action.VIEW) -> Evidence:
    found = Evidence.objects.restrict(request.user, Action.VIEW).select_related("item__assessment__node", "added_by")
    evidence = get_object_or_404(found, pk=evidence_id)
    if action != Action.VIEW and not user_can(request.user, action, evidence.item.assessment.node.path):
        raise HttpError(403, "You may not change this evidence.")
    return evidence


def _user_on(node: Node, user_id: int) -> Any:
    """An active user who may see ``node`` (an owner must be able to read what they own); 422 otherwise."""
    from hygie.apps.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user_can(user, Action.VIEW, node.path):
        raise HttpError(422, "owner_id: no active user with a role on this node.")
    return user


def _detail(assessment: Assessment) -> Assessment:
    items = (
        RequirementAssessment.objects.filter(assessment=assessment)
        .select_related("requirement__section", "owner")
        .annotate(evidence_count=Count("evidence"))
        .order_by("requirement__order")
    )
    # Read by AssessmentDetailOut's resolvers (``items`` is the model's reverse relation: not assignable).
    assessment.items_list = list(items)  # type: ignore[attr-defined]
    assessment.maturity_dict = maturity(assessment).to_dict()  # type: ignore[attr-defined]
    return assessment


def _filter_node(request: HttpRequest, node_id: int) -> Node:
    """The node a list is filtered on; 422 (not 404: a filter names no object) when the caller cannot see it."""
    node = Node.objects.restrict(request.user, Action.VIEW).filter(pk=node_id).first()
    if node is None:
        raise HttpError(422, "node: unknown node.")
    return node


# --- Frameworks -------------------------------------------------------------------------------------


@router.get("/frameworks", response=list[FrameworkOut])
@paginate(PageNumberPagination, page_size=100)
def list_frameworks(request: HttpRequest, key: str = "", node: int | None = None) -> Any:
    """Stored frameworks: shipped ones and those imported in the caller's scope; filters: key, node (importer)."""
    require_api_scope(request)
    frameworks = Framework.objects.restrict(request.user, Action.VIEW)
    if key:
        frameworks = frameworks.filter(key=key)
    if node is not None:
        frameworks = frameworks.filter(node=_filter_node(request, node))
    return frameworks.order_by("key", "-created", "-pk")


# Before "/frameworks/{framework_id}": a path segment "import" would otherwise match the detail route.
@router.post("/frameworks/import", response={201: FrameworkOut})
def import_framework(
    request: HttpRequest, node_id: Form[ObjectId | None] = None, file: File[UploadedFile | None] = None
) -> Status[Framework]:
    """Import a framework file (our YAML format or a CISO Assistant library) for a node; 422 naming the fault."""
    require_api_scope(request, Action.ADD)
    refuse_oversized(request, min(catalogue.MAX_UPLOAD_BYTES, settings.HYGIE_MAX_UPLOAD_BYTES))
    if node_id is None:
        raise HttpError(422, "node_id is required (multipart field).")
    node = _node(request, node_id, Action.ADD)
    if file is None:
        raise HttpError(422, "A framework file is required (multipart field 'file').")
    if (file.size or 0) > catalogue.MAX_UPLOAD_BYTES:
        raise HttpError(413, f"The file is too large (limit: {catalogue.MAX_UPLOAD_BYTES} bytes).")
    try:
        framework = catalogue.read_framework_upload(file.read(), file.name or "upload")
    except FrameworkError as exc:
        raise HttpError(422, str(exc)) from exc
    with transaction.atomic():
        stored = catalogue.store_framework(framework, node, request.user)
    return Status(201, stored)


@router.get("/frameworks/{framework_id}", response=FrameworkDetailOut)
def get_framework(request: HttpRequest, framework_id: ObjectId) -> Framework:
    """One framework version with its levels, sections and requirements."""
    return get_object_or_404(Framework.objects.restrict(request.user, Action.VIEW), pk=framework_id)


# --- Assessments ------------------------------------------------------------------------------------


@router.get("/assessments", response=list[AssessmentOut])
@paginate(PageNumberPagination, page_size=100)
def list_assessments(request: HttpRequest, node: int | None = None, framework: str = "") -> Any:
    """Assessments; filters: node (its subtree), framework (key)."""
    require_api_scope(request)
    assessments = Assessment.objects.restrict(request.user, Action.VIEW).select_related("node", "framework", "owner")
    if node is not None:
        assessments = assessments.filter(node__path__startswith=_filter_node(request, node).path)
    if framework:
        if not _KEY_RE.fullmatch(framework):
            raise HttpError(422, "framework: a framework id (lower-case letters, digits, _).")
        assessments = assessments.filter(framework__key=framework)
    return assessments


@router.post("/assessments", response={201: AssessmentDetailOut})
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[Any]:
    """Open a node's assessment of a framework (one item per requirement, measures refreshed); 422 if it exists."""
    require_api_scope(request, Action.ADD)
    node = _node(request, payload.node_id, Action.ADD)
    framework = get_object_or_404(Framework.objects.restrict(request.user, Action.VIEW), pk=payload.framework_id)
    try:
        assessment = services.open_assessment(node, framework, request.user)
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return Status(201, _detail(assessment))


@router.get("/assessments/{assessment_id}", response=AssessmentDetailOut)
def get_assessment(request: HttpRequest, assessment_id: ObjectId) -> Any:
    """One assessment: maturity (score, counts, sections, level) and every requirement's status and measure."""
    return _detail(_assessment(request, assessment_id))


@router.post("/assessments/{assessment_id}/refresh", response=RefreshOut)
def refresh_assessment(request: HttpRequest, assessment_id: ObjectId) -> dict[str, Any]:
    """Refresh the measures from the engines' latest runs; how many changed."""
    refuse_body(request)
    assessment = _assessment(request, assessment_id, Action.CHANGE)
    changed = refresh(assessment)
    return {"changed": changed, "measured_at": assessment.measured_at}


@router.get("/assessments/{assessment_id}/export")
def export_assessment(request: HttpRequest, assessment_id: ObjectId, format: str = "json") -> HttpResponse:  # noqa: A002 - the query parameter's name
    """The assessment as CSV, JSON or PDF (an attachment)."""
    assessment = _assessment(request, assessment_id)
    stem = f"hygie-{assessment.framework.key}-{assessment.node_id}"
    if format == "csv":
        response = HttpResponse(exporting.assessment_csv(assessment), content_type="text/csv; charset=utf-8")
    elif format == "json":
        import orjson

        response = HttpResponse(
            orjson.dumps(exporting.assessment_json(assessment), option=orjson.OPT_INDENT_2),
            content_type="application/json",
        )
    elif format == "pdf":
        response = HttpResponse(exporting.assessment_pdf(assessment), content_type="application/pdf")
    else:
        raise HttpError(422, "format: csv, json or pdf.")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{format}"'
    return response


@router.get("/assessments/{assessment_id}/gaps", response=list[dict[str, Any]])
def list_gaps(request: HttpRequest, assessment_id: ObjectId) -> list[dict[str, Any]]:
    """Requirements not met, partially met or not assessed, worst first."""
    return [gap.to_dict() for gap in gaps.gap_list(_assessment(request, assessment_id))]


@router.post("/assessments/{assessment_id}/remediation", response={201: RemediationOut})
def create_remediation(request: HttpRequest, assessment_id: ObjectId, payload: RemediationIn) -> Status[Any]:
    """Put gaps (``item_ids``; none: every gap) in the findings register; existing findings are given back."""
    assessment = _assessment(request, assessment_id, Action.ADD)
    items = RequirementAssessment.objects.filter(assessment=assessment).select_related("requirement", "owner")
    if payload.item_ids:
        chosen = list(items.filter(pk__in=payload.item_ids))
        if len(chosen) != len(set(payload.item_ids)):
            raise HttpError(404, "Unknown requirement of this assessment in item_ids.")
    else:
        chosen = list(items.filter(status__in=gaps.GAP_STATUSES))
    owner = _user_on(assessment.node, payload.owner_id) if payload.owner_id is not None else None
    try:
        findings = gaps.create_remediation(assessment, request.user, chosen, owner=owner, due_date=payload.due_date)
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return Status(201, {"finding_ids": [finding.pk for finding in findings], "count": len(findings)})


@router.get("/rollup/{node_id}", response=dict[str, Any])
def get_rollup(request: HttpRequest, node_id: ObjectId, framework: str = "care_d2") -> dict[str, Any]:
    """A framework over a node and its establishments: scores per section (heat map) and the aggregate."""
    if not _KEY_RE.fullmatch(framework):
        raise HttpError(422, "framework: a framework id (lower-case letters, digits, _).")
    return rollup(request.user, _node(request, node_id), framework).to_dict()


# --- Requirements and evidence ----------------------------------------------------------------------


@router.patch("/items/{item_id}", response=ItemOut)
def update_item(request: HttpRequest, item_id: ObjectId, payload: ItemIn) -> RequirementAssessment:
    """Change a requirement's status, reason, owner, due date or comment (history kept); 422 on bad values."""
    item = _item(request, item_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "owner_id" in given:
        changes["owner"] = _user_on(item.assessment.node, payload.owner_id) if payload.owner_id else None
    if "due_date" in given:
        changes["due_date"] = payload.due_date
    reason = payload.reason if "reason" in given else item.reason
    try:
        services.set_status(item, request.user, status=payload.status, reason=reason, comment=payload.comment,
                            **changes)
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return item


@router.post("/items/{item_id}/confirm", response=ItemOut)
def confirm_item(request: HttpRequest, item_id: ObjectId) -> RequirementAssessment:
    """Take the engines' measure as the status (passing: met, mixed: partial, failing: not met)."""
    refuse_body(request)
    item = _item(request, item_id)
    try:
        services.confirm_measure(item, request.user)
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return item


@router.post("/items/{item_id}/evidence", response={201: EvidenceOut})
def add_file(
    request: HttpRequest,
    item_id: ObjectId,
    file: File[UploadedFile | None] = None,
    title: Form[str] = "",
    note: Form[str] = "",
) -> Status[Evidence]:
    """Attach a file (PDF, image, text, CSV, office document, ZIP) as evidence; 413 when too large."""
    refuse_oversized(request, max_evidence_bytes())
    item = _item(request, item_id)
    if file is None:
        raise HttpError(422, "A file is required (multipart field 'file').")
    if (file.size or 0) > max_evidence_bytes():
        raise HttpError(413, f"The file is too large (limit: {max_evidence_bytes()} bytes).")
    try:
        evidence = services.add_file_evidence(item, request.user, file, title=title[:300], note=note)
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return Status(201, evidence)


@router.post("/items/{item_id}/links", response={201: EvidenceOut})
def add_link(request: HttpRequest, item_id: ObjectId, payload: LinkIn) -> Status[Evidence]:
    """Attach a URL or a platform object (finding, directory audit, exposure scan, exercise) as evidence."""
    from hygie.apps.continuity.models import Exercise
    from hygie.apps.directory.models import DirectoryAudit
    from hygie.apps.exposure.models import ExposureScan
    from hygie.apps.findings.models import Finding

    item = _item(request, item_id)
    objects: dict[str, Any] = {}
    for name, model, pk in (
        ("finding", Finding, payload.finding_id),
        ("directory_audit", DirectoryAudit, payload.directory_audit_id),
        ("exposure_scan", ExposureScan, payload.exposure_scan_id),
        ("exercise", Exercise, payload.exercise_id),
    ):
        if pk is not None:
            objects[name] = get_object_or_404(model.objects.restrict(request.user, Action.VIEW), pk=pk)
    try:
        evidence = services.add_link_evidence(item, request.user, title=payload.title, url=payload.url,
                                              note=payload.note, **objects)
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return Status(201, evidence)


@router.get("/evidence/{evidence_id}/download")
def download_evidence(request: HttpRequest, evidence_id: ObjectId) -> FileResponse:
    """The file of a piece of evidence, as an attachment (never shown inline)."""
    evidence = _evidence(request, evidence_id)
    if evidence.kind != EvidenceKind.FILE:
        raise HttpError(404, "This evidence is not a file.")
    try:
        path = evidence_path(evidence)
        handle = path.open("rb")
    except (EvidenceError, OSError) as exc:
        raise HttpError(404, "The file of this evidence is missing.") from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.file_name or "evidence",
                            content_type=evidence.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete("/evidence/{evidence_id}", response={204: None})
def delete_evidence(request: HttpRequest, evidence_id: ObjectId) -> Status[None]:
    """Remove a piece of evidence (written to the requirement's history)."""
    refuse_body(request)
    services.remove_evidence(_evidence(request, evidence_id, Action.DELETE), request.user)
    return Status(204, None)
