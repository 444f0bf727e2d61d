"""REST API of the findings register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.filtersets import FindingFilterSet
from hygie.apps.findings.models import Finding
from hygie.web.api import filtered, require_api_scope

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


@router.get("/", response=list[FindingOut])
@paginate(PageNumberPagination, page_size=100)
def list_findings(request: HttpRequest) -> Any:
    """Findings; filters: severity, status (or 'active'), source, check_id, owner, asset, overdue, q, node."""
    require_api_scope(request)
    return filtered(request, FindingFilterSet, Finding.objects.restrict(request.user, Action.VIEW))


@router.get("/{finding_id}", response=FindingOut)
def get_finding(request: HttpRequest, finding_id: int) -> Finding:
    """One finding."""
    return get_object_or_404(Finding.objects.restrict(request.user, Action.VIEW), pk=finding_id)
