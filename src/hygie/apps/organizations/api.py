"""REST API of the organisation tree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.dashboard import summarise
from hygie.apps.findings.models import Finding
from hygie.apps.organizations.filtersets import NodeFilterSet
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import reasons

router = Router(tags=["organizations"])


class NodeOut(Schema):
    """A node of the organisation tree."""

    id: int
    kind: str
    name: str
    short_name: str
    parent_id: int | None
    depth: int
    finess_ej: str
    finess_eg: str
    category: str
    bed_count: int | None
    activity_share: Decimal | None
    is_ose: bool
    city: str


class NodeIn(Schema):
    """Fields to create a node."""

    kind: str
    name: str
    parent_id: int
    short_name: str = ""
    finess_ej: str = ""
    finess_eg: str = ""
    category: str = ""
    bed_count: int | None = None
    activity_share: Decimal | None = None
    is_ose: bool = False
    city: str = ""


class NodePatch(Schema):
    """Fields to change a node; a new ``parent_id`` moves it with its subtree."""

    name: str | None = None
    short_name: str | None = None
    parent_id: int | None = None
    finess_ej: str | None = None
    finess_eg: str | None = None
    category: str | None = None
    bed_count: int | None = None
    activity_share: Decimal | None = None
    is_ose: bool | None = None
    city: str | None = None


class BarOut(Schema):
    """A bar of a dashboard chart."""

    key: str
    label: str
    count: int


class WeekOut(Schema):
    """Findings opened and closed in one week."""

    week: dt.date
    opened: int
    closed: int


class SummaryOut(Schema):
    """Dashboard figures of a node's subtree."""

    active: int
    critical: int
    overdue: int
    closed_30d: int
    by_severity: list[BarOut]
    by_source: list[BarOut]
    trend: list[WeekOut]


def _save(node: Node) -> Node:
    try:
        node.full_clean()
    except ValidationError as exc:
        raise HttpError(422, reasons(exc)) from exc
    node.save()
    return node


def _parent(request: HttpRequest, parent_id: int) -> Node:
    # A parent outside the caller's scope is reported as missing, like any foreign object.
    parent = Node.objects.restrict(request.user, Action.ADD).filter(pk=parent_id).first()
    if parent is None:
        raise HttpError(404, "Parent node not found.")
    return parent


@router.get("/nodes", response=list[NodeOut])
@paginate(PageNumberPagination, page_size=100)
def list_nodes(request: HttpRequest) -> Any:
    """Nodes visible to the caller; filters: kind, category, is_ose, q, node (subtree)."""
    require_api_scope(request)
    return filtered(request, NodeFilterSet, Node.objects.restrict(request.user, Action.VIEW))


@router.get("/nodes/{node_id}", response=NodeOut)
def get_node(request: HttpRequest, node_id: int) -> Node:
    """One node."""
    return get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)


@router.get("/nodes/{node_id}/summary", response=SummaryOut)
def node_summary(request: HttpRequest, node_id: int) -> dict[str, Any]:
    """Dashboard figures of the node's subtree."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    findings = Finding.objects.restrict(request.user, Action.VIEW).filter(node__path__startswith=node.path)
    summary = summarise(findings)
    return {
        "active": summary.active, "critical": summary.critical, "overdue": summary.overdue,
        "closed_30d": summary.closed_30d,
        "by_severity": [vars(b) for b in summary.by_severity],
        "by_source": [vars(b) for b in summary.by_source],
        "trend": [{"week": w, "opened": o, "closed": c} for w, o, c in summary.trend],
    }


@router.post("/nodes", response={201: NodeOut})
def create_node(request: HttpRequest, payload: NodeIn) -> Status:
    """Create a node under a parent the caller may add to."""
    require_api_scope(request, Action.ADD)
    data = payload.dict()
    parent = _parent(request, data.pop("parent_id"))
    return Status(201, _save(Node(parent=parent, **data)))


@router.patch("/nodes/{node_id}", response=NodeOut)
def update_node(request: HttpRequest, node_id: int, payload: NodePatch) -> Node:
    """Change a node; moving it keeps all its data."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.CHANGE), pk=node_id)
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        node.parent = _parent(request, data.pop("parent_id"))
    for key, value in data.items():
        if value is not None:
            setattr(node, key, value)
    return _save(node)
