"""What the budget pages, the API and the CLI show: a node's year, and the roll-up of a subtree.

Every query goes through ``restrict(user, Action.VIEW)``: a group CISO sees the establishments
of their group, an ARS auditor those of the region, and nobody the rows of another tenant.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from hygie.apps.accounts.permissions import Action
from hygie.apps.budget.models import (
    MILESTONE_ORDER,
    BudgetYear,
    FundingApplication,
    ItProject,
    MilestoneKind,
    percent,
    position_of,
)

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["applications_of", "default_year", "node_year", "projects_of", "rollup"]


def default_year() -> int:
    """The current calendar year."""
    return timezone.localdate().year


def projects_of(user: Any, node: Node, year: int | None = None) -> list[ItProject]:
    """IT projects of ``node``'s subtree (of ``year`` when given), with their sums, lines prefetched."""
    projects = ItProject.objects.restrict(user, Action.VIEW).filter(node__path__startswith=node.path)
    if year is not None:
        projects = projects.filter(year=year)
    return list(
        projects.with_totals().select_related("node", "funding_application").order_by("node__path", "name")
    )


def applications_of(user: Any, node: Node) -> list[FundingApplication]:
    """Funding applications of ``node``'s subtree with their programme and milestones."""
    return list(
        FundingApplication.objects.restrict(user, Action.VIEW)
        .filter(node__path__startswith=node.path)
        .select_related("node", "programme")
        .prefetch_related("milestones")
        .order_by("node__path", "-created", "-id")
    )


def node_year(user: Any, node: Node, year: int) -> dict[str, Any]:
    """The node's IT budget of ``year``, its projects against the 5-10 % rule and its applications."""
    budget = BudgetYear.objects.restrict(user, Action.VIEW).filter(node=node, year=year).first()
    projects = projects_of(user, node, year)
    total = sum((p.total for p in projects), Decimal(0))
    cyber = sum((p.cyber for p in projects), Decimal(0))
    share = percent(cyber, total)
    years = sorted(
        set(BudgetYear.objects.restrict(user, Action.VIEW).filter(node=node).values_list("year", flat=True))
        | set(ItProject.objects.restrict(user, Action.VIEW).filter(node=node).values_list("year", flat=True))
        | {year},
        reverse=True,
    )
    return {
        "node": node,
        "year": year,
        "years": years,
        "budget": budget,
        "projects": projects,
        "projects_total": total,
        "projects_cyber": cyber,
        "projects_share": share,
        "projects_position": position_of(cyber, total),
        "flagged": [p for p in projects if p.flagged],
        "applications": applications_of(user, node),
    }


def rollup(user: Any, node: Node, year: int) -> dict[str, Any]:
    """Per establishment of the subtree: IT budget, cyber share, projects flagged; applications by milestone."""
    budgets = {
        b.node_id: b
        for b in BudgetYear.objects.restrict(user, Action.VIEW)
        .filter(node__path__startswith=node.path, year=year)
        .select_related("node")
    }
    projects = projects_of(user, node, year)
    by_node: dict[int, list[ItProject]] = {}
    for project in projects:
        by_node.setdefault(project.node_id, []).append(project)
    nodes = {b.node_id: b.node for b in budgets.values()} | {p.node_id: p.node for p in projects}
    rows = []
    for node_id, owner in sorted(nodes.items(), key=lambda item: item[1].path):
        own = by_node.get(node_id, [])
        total = sum((p.total for p in own), Decimal(0))
        cyber = sum((p.cyber for p in own), Decimal(0))
        budget = budgets.get(node_id)
        rows.append({
            "node": owner,
            "budget": budget,
            "it_total": budget.total if budget else None,
            "declared_share": budget.cyber_share if budget else None,
            "projects": len(own),
            "projects_total": total,
            "projects_cyber": cyber,
            "projects_share": percent(cyber, total),
            "position": position_of(cyber, total),
            "flagged": sum(1 for p in own if p.flagged),
        })
    applications = applications_of(user, node)
    states = Counter(a.state or "none" for a in applications)
    today = timezone.localdate()
    it_total = sum((r["it_total"] for r in rows if r["it_total"] is not None), Decimal(0))
    declared = [b.cyber_total for b in budgets.values() if b.cyber_total is not None]
    projects_total = sum((r["projects_total"] for r in rows), Decimal(0))
    projects_cyber = sum((r["projects_cyber"] for r in rows), Decimal(0))
    return {
        "node": node,
        "year": year,
        "rows": rows,
        "it_total": it_total,
        "declared_cyber": sum(declared, Decimal(0)) if declared else None,
        "projects_total": projects_total,
        "projects_cyber": projects_cyber,
        "projects_share": percent(projects_cyber, projects_total),
        "flagged": sum(r["flagged"] for r in rows),
        "applications": applications,
        "by_milestone": [
            {"kind": kind, "label": MilestoneKind(kind).label, "count": states.get(kind, 0)}
            for kind in MILESTONE_ORDER
        ],
        "not_applied": states.get("none", 0),
        "late": sum(1 for a in applications if a.late_milestones(today)),
    }
