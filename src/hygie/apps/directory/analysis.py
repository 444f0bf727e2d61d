"""Comparisons across audits: the diff of two audits (new, fixed, still open) and the trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from hygie.apps.directory.models import DirectoryAudit

__all__ = ["AuditDiff", "TrendPoint", "diff_audits", "previous_audit", "trend"]


@dataclass
class AuditDiff:
    """What changed from ``base`` to ``audit``, by (check id, object)."""

    new: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    still_open: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"new": self.new, "fixed": self.fixed, "still_open": self.still_open}


def _entries(audit: DirectoryAudit) -> dict[tuple[str, str], dict[str, Any]]:
    """One entry per (check id, affected object): the unit people fix."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for finding in audit.findings():
        objects = finding.get("objects") or [{}]
        for obj in objects:
            key = str(obj.get("identifier") or obj.get("name") or "")
            entries[str(finding.get("check_id", "")), key] = {
                "check_id": finding.get("check_id", ""),
                "title": finding.get("title", ""),
                "severity": finding.get("severity", ""),
                "anssi": finding.get("anssi", []),
                "object": obj.get("name") or obj.get("identifier") or "",
                "kind": obj.get("kind", ""),
            }
    return entries


def diff_audits(base: DirectoryAudit, audit: DirectoryAudit) -> AuditDiff:
    """New (only in ``audit``), fixed (only in ``base``) and still open (in both) findings."""
    before, after = _entries(base), _entries(audit)
    return AuditDiff(
        new=[after[k] for k in sorted(after.keys() - before.keys())],
        fixed=[before[k] for k in sorted(before.keys() - after.keys())],
        still_open=[after[k] for k in sorted(after.keys() & before.keys())],
    )


def _same_scope(audit: DirectoryAudit, audits: QuerySet[DirectoryAudit]) -> QuerySet[DirectoryAudit]:
    return audits.filter(node_id=audit.node_id, domain=audit.domain, status="succeeded")


def previous_audit(audit: DirectoryAudit, audits: QuerySet[DirectoryAudit]) -> DirectoryAudit | None:
    """The latest successful audit of the same node and domain before ``audit`` (from ``audits``)."""
    when = audit.collected or audit.created
    return (
        _same_scope(audit, audits)
        .exclude(pk=audit.pk)
        .filter(collected__lte=when)
        .order_by("-collected", "-id")
        .first()
    )


@dataclass(frozen=True)
class TrendPoint:
    """One audit on the trend chart, with its SVG coordinates (viewBox 0 0 240 100)."""

    audit_id: int
    label: str
    level: int
    score: int
    x: float
    y_score: float
    y_level: float


def trend(audit: DirectoryAudit, audits: QuerySet[DirectoryAudit], limit: int = 12) -> list[TrendPoint]:
    """The last ``limit`` successful audits of the same node and domain, oldest first."""
    rows = list(
        _same_scope(audit, audits)
        .order_by("-collected", "-id")
        .values_list("pk", "collected", "level", "score")[:limit]
    )
    rows.reverse()
    points = []
    step = 220 / max(len(rows) - 1, 1)
    for index, (pk, collected, level, score) in enumerate(rows):
        points.append(
            TrendPoint(
                audit_id=pk,
                label=collected.strftime("%Y-%m-%d") if collected else "",
                level=level or 0,
                score=score or 0,
                x=round(10 + index * step, 1),
                y_score=round(95 - 0.9 * (score or 0), 1),
                # Level 1 (worst) at the bottom, 5 (best) at the top.
                y_level=round(95 - 18 * ((level or 1) - 0.5), 1),
            )
        )
    return points
