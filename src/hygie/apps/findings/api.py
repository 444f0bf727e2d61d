"""REST API of the findings register: list, detail, workflow changes, history, manual entry, ingestion, plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.findings.exporting import start_findings_export
from hygie.apps.findings.filtersets import FindingFilterSet
from hygie.apps.findings.ingest import ingest, parse_findings
from hygie.apps.findings.manual import create_manual_finding
from hygie.apps.findings.models import Finding
from hygie.apps.findings.plan import plan_groups
from hygie.apps.findings.workflow import KEEP, change_finding, eligible_owners
from hygie.apps.jobs.api import JobOut
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import reasons

router = Router(tags=["findings"])


class FindingOut(Schema):
    """A finding."""

    id: int
    node_id: int
    source: str
    check_id: str
    title: str
    severity: str
    status: str
    asset_id: int | None
    affected: list[dict[str, Any]]
    evidence: dict[str, Any]
    remediation: str
    references: list[dict[str, Any]]
    owner_id: int | None
    due_date: dt.date | None
    justification: str
    acceptance_expires: dt.date | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_severity(obj: Finding) -> str:
        """Severity by name."""
        return obj.severity_name


class FindingPatch(Schema):
    """A workflow change; fields left out stay as they are (``owner_id``/``due_date`` null clear them)."""

    status: str | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    justification: str | None = None
    acceptance_expires: dt.date | None = None
    comment: str = ""


class EventOut(Schema):
    """One step of a finding's history."""

    id: int
    timestamp: dt.datetime
    actor_name: str
    from_status: str
    to_status: str
    comment: str
    changes: dict[str, Any]


class ManualIn(Schema):
    """A finding recorded by hand; its check id becomes ``manual.<slug>``."""

    node_id: int
    slug: str
    title: str
    severity: str
    affected: str = ""
    remediation: str = ""
    asset_id: int | None = None
    due_date: dt.date | None = None


class IngestIn(Schema):
    """An engine run for one node: findings in the engine contract's ``to_dict`` form."""

    node_id: int
    source: str
    findings: list[Any]


class IngestOut(Schema):
    """What the run changed."""

    created: int
    updated: int
    reopened: int
    closed: int


class PlanGroupOut(Schema):
    """One owner's share of the remediation plan (first rows only; the counts cover everything)."""

    owner_id: int | None
    owner_name: str
    total: int
    overdue: int
    critical: int
    findings: list[FindingOut]


def _refused(exc: ValidationError) -> HttpError:
    """A 422 whose detail lists the reasons per field (as ``filtered`` does for bad filters)."""
    return HttpError(422, reasons(exc))


def _node_for(request: HttpRequest, node_id: int, action: Action) -> Node:
    """A node the caller can see (else 404) and may ``action`` on (else 403)."""
    require_api_scope(request, action)  # no role allowing it anywhere: 403 before any lookup
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not add findings to this node.")
    return node


@router.get("/", response=list[FindingOut])
@paginate(PageNumberPagination, page_size=100)
def list_findings(request: HttpRequest) -> Any:
    """Findings; filters: severity, status (or 'active'), source, check_id, owner, asset, overdue, q, node."""
    require_api_scope(request)
    return filtered(request, FindingFilterSet, Finding.objects.restrict(request.user, Action.VIEW))


@router.post("/", response={201: FindingOut})
def create_finding(request: HttpRequest, payload: ManualIn) -> Any:
    """Record a finding by hand (analysts and above on the node)."""
    node = _node_for(request, payload.node_id, Action.ADD)
    asset = None
    if payload.asset_id is not None:
        from hygie.apps.inventory.models import Asset

        asset = Asset.objects.restrict(request.user, Action.VIEW).select_related("node").filter(
            pk=payload.asset_id).first()
        if asset is None:
            raise HttpError(422, "asset_id: no such asset")
    try:
        finding = create_manual_finding(node, actor=request.user, slug=payload.slug, title=payload.title,
                                        severity=payload.severity, affected=payload.affected,
                                        remediation=payload.remediation, asset=asset, due_date=payload.due_date)
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(201, finding)


@router.post("/ingest", response={200: IngestOut})
def ingest_run(request: HttpRequest, payload: IngestIn) -> Any:
    """Upsert an engine run's findings on a node; findings of that source not in the run are closed."""
    node = _node_for(request, payload.node_id, Action.CHANGE)
    try:
        result = ingest(node, payload.source, parse_findings(payload.findings))
    except ValueError as exc:
        raise HttpError(422, f"findings: {exc}") from exc
    return Status(200, result.as_dict())


class ExportIn(Schema):
    """A background export of a node's findings, with the list filters as a query string."""

    node_id: int
    query: str = Field("", max_length=2000, description="List filters, e.g. 'severity=critical&status=active'.")


@router.post("/export", response={201: JobOut})
def export_job(request: HttpRequest, payload: ExportIn) -> Any:
    """Start a CSV export job; follow it at /api/jobs/{id} and fetch the file at /api/jobs/{id}/download."""
    node = _node_for(request, payload.node_id, Action.VIEW)
    return Status(201, start_findings_export(request.user, node, payload.query))


@router.get("/plan", response=list[PlanGroupOut])
def remediation_plan(request: HttpRequest) -> Any:
    """Active findings per owner, overdue first, then by due date and severity (same filters as the list)."""
    require_api_scope(request)
    findings = filtered(request, FindingFilterSet, Finding.objects.restrict(request.user, Action.VIEW))
    return [
        {"owner_id": g.owner_id, "owner_name": g.owner_name, "total": g.total, "overdue": g.overdue,
         "critical": g.critical, "findings": g.rows}
        for g in plan_groups(findings)
    ]


@router.get("/{finding_id}", response=FindingOut)
def get_finding(request: HttpRequest, finding_id: int) -> Finding:
    """One finding."""
    return get_object_or_404(Finding.objects.restrict(request.user, Action.VIEW), pk=finding_id)


@router.get("/{finding_id}/history", response=list[EventOut])
def finding_history(request: HttpRequest, finding_id: int) -> Any:
    """The finding's history, newest first."""
    finding = get_object_or_404(Finding.objects.restrict(request.user, Action.VIEW), pk=finding_id)
    return finding.events.all()


@router.patch("/{finding_id}", response={200: FindingOut})
def change(request: HttpRequest, finding_id: int, payload: FindingPatch) -> Any:
    """Change status, owner or due date, with a comment; refused changes give 422 with reasons."""
    finding = get_object_or_404(Finding.objects.restrict(request.user, Action.VIEW).select_related("node"),
                                pk=finding_id)
    if not Finding.objects.restrict(request.user, Action.CHANGE).filter(pk=finding.pk).exists():
        raise HttpError(403, "You may not change this finding.")
    given = payload.model_fields_set
    owner: Any = KEEP
    if "owner_id" in given:
        owner = None
        if payload.owner_id is not None:
            # One message whether the user does not exist or belongs elsewhere: ids of other tenants stay secret.
            owner = eligible_owners(finding).filter(pk=payload.owner_id).first()
            if owner is None:
                reason = "no user with a role on this finding's node or above has this id"
                raise HttpError(422, f"owner_id: {reason}")
    try:
        change_finding(
            finding, actor=request.user, status=payload.status, owner=owner,
            due_date=payload.due_date if "due_date" in given else KEEP,
            justification=payload.justification, acceptance_expires=payload.acceptance_expires,
            comment=payload.comment,
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(200, Finding.objects.get(pk=finding.pk))
