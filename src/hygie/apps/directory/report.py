"""The audit report a CISO hands to ANSSI or the ARS: one self-contained HTML page, or its PDF.

The PDF is WeasyPrint's rendering of the very same HTML, so both say the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone

if TYPE_CHECKING:
    from hygie.apps.directory.models import DirectoryAudit

__all__ = ["report_context", "report_filename", "report_html", "report_pdf"]

#: Shortest paths printed in the report: enough to show how, not a dump of the graph.
MAX_PATHS = 10


def report_context(audit: DirectoryAudit, ancestors: list[Any]) -> dict[str, Any]:
    """What the report template shows."""
    paths = audit.attack_paths
    return {
        "audit": audit,
        "ancestors": ancestors,
        "groups": audit.severity_groups(),
        "paths": paths,
        "path_chains": chains(paths, MAX_PATHS),
        "generated": timezone.now(),
    }


def chains(paths: dict[str, Any] | None, limit: int) -> list[list[str]]:
    """The first ``limit`` attack paths as lists of readable steps: ``name`` then ``-[Kind]->`` ``name``."""
    if not paths:
        return []
    result = []
    for path in (paths.get("paths") or [])[:limit]:
        nodes = path.get("nodes") or []
        edges = path.get("edges") or []
        steps: list[str] = []
        for index, node in enumerate(nodes):
            if index:
                kind = edges[index - 1] if index - 1 < len(edges) else ""
                kind = kind.get("kind", "") if isinstance(kind, dict) else str(kind)
                steps.append(f"–[{kind}]→")
            steps.append(str(node.get("name") or node.get("id") or "?") if isinstance(node, dict) else str(node))
        result.append(steps)
    return result


def report_html(audit: DirectoryAudit, ancestors: list[Any]) -> str:
    """The report as one HTML document (styles inline: it opens anywhere, offline)."""
    return render_to_string("directory/report.html", report_context(audit, ancestors))


def report_pdf(audit: DirectoryAudit, ancestors: list[Any]) -> bytes:
    """The same report as PDF."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=report_html(audit, ancestors)).write_pdf()
    return pdf


def report_filename(audit: DirectoryAudit, extension: str) -> str:
    """A file name naming the domain and the date."""
    domain = "".join(c if c.isalnum() or c in "-." else "_" for c in (audit.domain or "directory"))[:80]
    when = timezone.localtime(audit.collected or audit.created).strftime("%Y%m%d")
    return f"hygie-ad-audit-{domain}-{when}.{extension}"
