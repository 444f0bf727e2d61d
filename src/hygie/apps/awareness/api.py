"""REST API of the awareness app: censuses, targets, coverage, roll-up, sessions, campaigns, imports, check.

Every query goes through ``restrict(request.user, action)``: another tenant's object is a 404.
Imports are multipart uploads (``node_id`` and ``file``; ``name`` for a GoPhish campaign), one
transaction each: a refused file (422, the reason names the line) stores nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.awareness.census import record_census
from hygie.apps.awareness.checks import check_node
from hygie.apps.awareness.coverage import effective_targets, node_coverage, rollup, trend
from hygie.apps.awareness.csvfiles import CsvError
from hygie.apps.awareness.filtersets import CampaignFilterSet, CensusFilterSet, SessionFilterSet
from hygie.apps.awareness.importing import import_gophish, import_training
from hygie.apps.awareness.models import (
    AwarenessTarget,
    PhishingCampaign,
    StaffCategory,
    StaffCensus,
    TrainingSession,
)
from hygie.apps.awareness.schemas import (
    AwarenessImportOut,
    AwarenessTargetsIn,
    AwarenessTargetsOut,
    CampaignDetailOut,
    CampaignOut,
    CensusIn,
    CensusOut,
    CheckOut,
    CoverageOut,
    ObjectId,
    RollupOut,
    SessionDetailOut,
    SessionOut,
)
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import refuse_body, refuse_oversized

router = Router(tags=["awareness"])


def _node(request: HttpRequest, node_id: int, action: Action = Action.VIEW) -> Node:
    """A node the caller sees (404 otherwise), on which they may ``action`` (403 otherwise)."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return node


def _upload(request: HttpRequest, node_id: int | None, file: UploadedFile | None) -> tuple[Node, bytes, str]:
    """The node (ADD needed) and the file's bytes; 413 over the upload limit, 422 when a field is missing."""
    require_api_scope(request, Action.ADD)
    limit = settings.HYGIE_MAX_UPLOAD_BYTES
    refuse_oversized(request, limit)
    if file is not None and (file.size or 0) > limit:
        raise HttpError(413, f"The file is too large (limit: {limit} bytes).")
    if node_id is None:
        raise HttpError(422, "node_id is required (multipart field).")
    node = _node(request, node_id, Action.ADD)
    if file is None:
        raise HttpError(422, "A CSV file is required (multipart field 'file').")
    return node, file.read(), file.name or ""


# --- Staff and targets ------------------------------------------------------------------------------


@router.get("/censuses", response=list[CensusOut])
@paginate(PageNumberPagination, page_size=100)
def list_censuses(request: HttpRequest) -> Any:
    """Staff censuses (every dated row: the history); filters: node, category."""
    require_api_scope(request)
    censuses = StaffCensus.objects.restrict(request.user, Action.VIEW).select_related("node")
    return filtered(request, CensusFilterSet, censuses)


@router.post("/censuses", response={201: list[CensusOut]})
def add_census(request: HttpRequest, payload: CensusIn) -> Any:
    """Record a census of a node: one row per category given (same day: replaced)."""
    require_api_scope(request, Action.ADD)
    node = _node(request, payload.node_id, Action.ADD)
    as_of = payload.as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise HttpError(422, "as_of: a census cannot be dated in the future.")
    saved = record_census(node, {StaffCategory(k).value: v for k, v in payload.headcounts.items()}, as_of)
    return Status(201, saved)


def _targets(node: Node) -> dict[str, Any]:
    own = AwarenessTarget.objects.filter(node=node).first()
    effective = effective_targets(node)
    return {
        "node_id": node.pk,
        "node_name": node.name,
        "own_coverage_target_pct": own.coverage_target_pct if own else None,
        "own_click_ceiling_pct": own.click_ceiling_pct if own else None,
        "coverage_target_pct": effective.coverage_pct,
        "click_ceiling_pct": effective.click_ceiling_pct,
        "coverage_set_by": effective.coverage_set_by,
        "ceiling_set_by": effective.ceiling_set_by,
    }


@router.get("/targets/{node_id}", response=AwarenessTargetsOut)
def get_targets(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """A node's own targets and those in force."""
    return _targets(_node(request, node_id))


@router.put("/targets/{node_id}", response=AwarenessTargetsOut)
def set_targets(request: HttpRequest, node_id: ObjectId, payload: AwarenessTargetsIn) -> dict[str, Any]:
    """Set a node's own targets (null: inherit)."""
    node = _node(request, node_id, Action.CHANGE)
    target = AwarenessTarget.objects.filter(node=node).first() or AwarenessTarget(node=node)
    target.coverage_target_pct = payload.coverage_target_pct
    target.click_ceiling_pct = payload.click_ceiling_pct
    target.updated = timezone.now()
    target.save()
    return _targets(node)


# --- Coverage ---------------------------------------------------------------------------------------


@router.get("/coverage/{node_id}", response=CoverageOut)
def get_coverage(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """Coverage of a node (its subtree) over the last twelve months, per category, with the quarterly trend."""
    node = _node(request, node_id)
    today = timezone.localdate()
    coverage = node_coverage(node, user=request.user, as_of=today)
    points = [{**p, "date": p["date"].isoformat()} for p in trend(node, user=request.user, as_of=today)]
    return {**coverage.as_dict(), "node_name": node.name, "trend": points}


@router.get("/rollup/{node_id}", response=RollupOut)
def get_rollup(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """The establishments under a group or region with their coverage and the categories below target."""
    node = _node(request, node_id)
    today = timezone.localdate()
    total = node_coverage(node, user=request.user, as_of=today)
    rows = [
        {"node_id": child.pk, "node_name": child.name, "headcount": cov.headcount, "trained": cov.trained,
         "rate": cov.rate, "below_target": [c.category for c in cov.below]}
        for child, cov in rollup(node, user=request.user, as_of=today)
    ]
    return {"node_id": node.pk, "node_name": node.name, "headcount": total.headcount, "trained": total.trained,
            "rate": total.rate, "establishments": rows}


@router.post("/check/{node_id}", response=CheckOut)
def check(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """Write the awareness findings of a node and of the nodes below it; findings raised per node."""
    refuse_body(request)
    node = _node(request, node_id, Action.CHANGE)
    return {"raised": {str(k): v for k, v in check_node(node).items()}}


# --- Training ---------------------------------------------------------------------------------------


@router.get("/sessions", response=list[SessionOut])
@paginate(PageNumberPagination, page_size=100)
def list_sessions(request: HttpRequest) -> Any:
    """Training sessions; filters: node, kind, q."""
    require_api_scope(request)
    return filtered(request, SessionFilterSet, TrainingSession.objects.restrict(request.user, Action.VIEW))


@router.get("/sessions/{session_id}", response=SessionDetailOut)
def get_session(request: HttpRequest, session_id: ObjectId) -> dict[str, Any]:
    """One session with its completions per category."""
    from hygie.apps.awareness.models import TrainingCompletion

    session = get_object_or_404(TrainingSession.objects.restrict(request.user, Action.VIEW), pk=session_id)
    completions = TrainingCompletion.objects.restrict(request.user, Action.VIEW).filter(session=session)
    per_category = dict(completions.values_list("category").annotate(n=Count("id")).order_by("category"))
    return {"id": session.pk, "node_id": session.node_id, "title": session.title, "kind": session.kind,
            "description": session.description, "completions": sum(per_category.values()),
            "per_category": per_category}


@router.post("/import/training", response=AwarenessImportOut)
def import_training_csv(
    request: HttpRequest, node_id: Form[ObjectId | None] = None, file: File[UploadedFile | None] = None
) -> dict[str, int]:
    """Import training completions (CSV columns: see the user guide) for a node, in one transaction."""
    node, data, _name = _upload(request, node_id, file)
    try:
        return import_training(node, data, user=request.user).as_dict()
    except CsvError as exc:
        raise HttpError(422, str(exc)) from exc


# --- Phishing ---------------------------------------------------------------------------------------


@router.get("/campaigns", response=list[CampaignOut])
@paginate(PageNumberPagination, page_size=100)
def list_campaigns(request: HttpRequest) -> Any:
    """Phishing campaigns; filters: node, q."""
    require_api_scope(request)
    return filtered(request, CampaignFilterSet, PhishingCampaign.objects.restrict(request.user, Action.VIEW))


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut)
def get_campaign(request: HttpRequest, campaign_id: ObjectId) -> PhishingCampaign:
    """One campaign with its funnel overall and per staff category."""
    return get_object_or_404(PhishingCampaign.objects.restrict(request.user, Action.VIEW), pk=campaign_id)


@router.post("/import/gophish", response={201: CampaignDetailOut})
def import_gophish_csv(
    request: HttpRequest,
    node_id: Form[ObjectId | None] = None,
    name: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Any:
    """Import a GoPhish CSV results export as a new campaign of a node."""
    node, data, source_name = _upload(request, node_id, file)
    try:
        campaign = import_gophish(node, data, name=name, source_name=source_name)
    except CsvError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, campaign)
