"""The remediation plan: active findings ordered overdue first, then by due date, then severity, per owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.findings.models import Finding, SeverityChoices
from hygie.apps.findings.models.findings import ACTIVE_STATUSES
from hygie.web.tables import Column

__all__ = ["PLAN_COLUMNS", "OwnerGroup", "plan_groups", "plan_rows"]

#: Rows shown per owner on the page; the CSV export has them all.
ROWS_PER_OWNER = 100

PLAN_COLUMNS = [
    Column("owner", _("Owner"), accessor="owner.username"),
    Column("due_date", _("Due date")),
    Column("past_due", _("Overdue")),
    Column("severity", _("Severity"), display=True, badge="severity"),
    Column("title", _("Title"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("status", _("Status"), display=True, badge="status"),
    Column("check_id", _("Check")),
]


@dataclass
class OwnerGroup:
    """One owner's share of the plan."""

    owner_id: int | None
    owner_name: str
    total: int = 0
    overdue: int = 0
    critical: int = 0
    rows: list[Finding] = field(default_factory=list)


def _priority() -> list[Any]:
    # Overdue first, then the nearest due date (none last), then the most severe.
    return [F("past_due").desc(), F("due_date").asc(nulls_last=True), F("severity").desc(), F("id").asc()]


def plan_rows(findings: Any, today: dt.date | None = None) -> Any:
    """Active rows of ``findings`` (already restricted) with ``past_due``, in plan order."""
    today = today or timezone.localdate()
    return (
        findings.filter(status__in=ACTIVE_STATUSES)
        .select_related("node", "owner")
        .annotate(past_due=Case(When(due_date__lt=today, then=True), default=False,
                                  output_field=BooleanField()))
        .order_by(F("owner__username").asc(nulls_last=True), *_priority())
    )


def plan_groups(findings: Any, today: dt.date | None = None, per_owner: int = ROWS_PER_OWNER) -> list[OwnerGroup]:
    """The plan grouped by owner (unassigned last): counts from one query, rows from a second."""
    today = today or timezone.localdate()
    active = findings.filter(status__in=ACTIVE_STATUSES)
    counts = (
        active.order_by()
        .values("owner_id", "owner__username")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)),
                  critical=Count("id", filter=Q(severity=SeverityChoices.CRITICAL)))
    )
    groups = {
        row["owner_id"]: OwnerGroup(row["owner_id"], row["owner__username"] or "", row["total"], row["overdue"],
                                    row["critical"])
        for row in counts
    }
    # Rank within each owner in SQL so that a scope with 20,000 active findings loads only the first rows.
    ranked = plan_rows(findings, today).annotate(
        rank=Window(RowNumber(), partition_by=[F("owner_id")], order_by=_priority()),
    ).filter(rank__lte=per_owner)
    for finding in ranked:
        groups[finding.owner_id].rows.append(finding)
    return sorted(groups.values(), key=lambda g: (g.owner_id is None, g.owner_name.lower()))
