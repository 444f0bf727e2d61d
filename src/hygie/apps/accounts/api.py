"""REST API of accounts: the caller's identity and roles, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from hygie.apps.accounts.filtersets import AuditEventFilterSet
from hygie.apps.accounts.models import AuditEvent
from hygie.apps.accounts.permissions import Action
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination

router = Router(tags=["accounts"])


class RoleOut(Schema):
    """A role held on a node."""

    role: str
    node_id: int
    node_name: str


class MeOut(Schema):
    """The authenticated caller."""

    username: str
    full_name: str
    is_superuser: bool
    roles: list[RoleOut]


class AuditEventOut(Schema):
    """One audit event."""

    id: int
    timestamp: dt.datetime
    actor_name: str
    channel: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    node_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: dict[str, Any] | None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    """Who am I, and which roles do I hold where."""
    user: Any = request.user
    roles = [
        {"role": r.role, "node_id": r.node_id, "node_name": r.node.name}
        for r in user.roles.select_related("node")
    ]
    return {"username": user.username, "full_name": user.get_full_name(), "is_superuser": user.is_superuser,
            "roles": roles}


@router.get("/audit", response=list[AuditEventOut])
@paginate(PageNumberPagination, page_size=100)
def list_audit(request: HttpRequest) -> Any:
    """Audit events of the nodes where the caller may read the audit log."""
    require_api_scope(request, Action.VIEW_AUDIT)
    return filtered(request, AuditEventFilterSet, AuditEvent.objects.restrict(request.user, Action.VIEW_AUDIT))


@router.get("/audit/{event_id}", response=AuditEventOut)
def get_audit(request: HttpRequest, event_id: int) -> AuditEvent:
    """One audit event."""
    return get_object_or_404(AuditEvent.objects.restrict(request.user, Action.VIEW_AUDIT), pk=event_id)
