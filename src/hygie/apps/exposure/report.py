"""The exposure report, in the manner of the national cyber-surveillance service's: one HTML page, or its PDF.

Perimeter and authorisation, a management summary (score, counts, top risks), the map of exposed
services by category, vulnerabilities by criticality with a prioritised remediation plan, and
what changed since the previous scan. The PDF is WeasyPrint's rendering of the same HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.findings.stored import severity_rank

if TYPE_CHECKING:
    from hygie.apps.exposure.models import ExposureScan
    from hygie.engines.exposure.model import ScanResult

__all__ = [
    "TOP_RISKS",
    "remediation_plan",
    "report_context",
    "report_filename",
    "report_html",
    "report_pdf",
    "standalone_report_html",
]

#: Findings named in the management summary.
TOP_RISKS = 5


def remediation_plan(scan: ExposureScan) -> list[dict[str, Any]]:
    """One step per check, critical first, then the most affected targets: what to fix, where, how."""
    steps: dict[str, dict[str, Any]] = {}
    for finding in scan.findings():
        check_id = str(finding.get("check_id", ""))
        step = steps.setdefault(
            check_id,
            {
                "check_id": check_id,
                "title": finding.get("title", ""),
                "severity": finding.get("severity", "info"),
                # Remediations are English in the engine; a translation is used where the catalogue has one.
                "remediation": _(finding["remediation"]) if finding.get("remediation") else "",
                "targets": [],
            },
        )
        if severity_rank(finding.get("severity")) < severity_rank(step["severity"]):
            step["severity"] = finding.get("severity")
        target = finding.get("target") or ", ".join(
            str(a.get("name") or a.get("identifier") or "") for a in finding.get("affected") or []
        )
        if target and target not in step["targets"]:
            step["targets"].append(target)
    ordered = sorted(steps.values(), key=lambda s: (severity_rank(s["severity"]), -len(s["targets"]), s["check_id"]))
    for index, step in enumerate(ordered, start=1):
        step["priority"] = index
    return ordered


def report_context(
    scan: ExposureScan, ancestors: list[Any], diff: dict[str, Any] | None = None, node_name: str | None = None
) -> dict[str, Any]:
    """What the report template shows."""
    findings = scan.findings()
    return {
        "scan": scan,
        "node_name": scan.node.name if node_name is None else node_name,
        "ancestors": ancestors,
        "perimeter": scan.perimeter_snapshot or {},
        "categories": scan.by_category(),
        "groups": scan.severity_groups(),
        "top_risks": findings[:TOP_RISKS],
        "plan": remediation_plan(scan),
        "tls": scan.tls_services(),
        "domains": scan.domains(),
        "refused": scan.refused(),
        "diff": diff,
        "generated": timezone.now(),
    }


def report_html(scan: ExposureScan, ancestors: list[Any], diff: dict[str, Any] | None = None) -> str:
    """The report as one HTML document (styles inline: it opens anywhere, offline)."""
    return render_to_string("exposure/report.html", report_context(scan, ancestors, diff))


def report_pdf(scan: ExposureScan, ancestors: list[Any], diff: dict[str, Any] | None = None) -> bytes:
    """The same report as PDF."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=report_html(scan, ancestors, diff)).write_pdf()
    return pdf


def standalone_report_html(result: ScanResult, diff: dict[str, Any] | None = None) -> str:
    """The same report for an engine result outside the platform (``hygie exposure scan --format html``).

    Nothing is read from or written to the database: the scan is an unsaved object.
    """
    from hygie.apps.exposure.models import ExposureScan, ScanStatus
    from hygie.apps.exposure.running import summarise

    scan = ExposureScan(source=result.source, label=result.source, status=ScanStatus.DONE)
    summarise(scan, result)
    context = report_context(scan, [], diff, node_name="")
    return render_to_string("exposure/report.html", context)


def report_filename(scan: ExposureScan, extension: str) -> str:
    """A file name naming the scan and the date."""
    label = "".join(c if c.isalnum() or c in "-." else "_" for c in (scan.label or "exposure"))[:80]
    when = timezone.localtime(scan.scanned_at or scan.created).strftime("%Y%m%d")
    return f"hygie-exposure-{label}-{when}.{extension}"


def render_report(scan: ExposureScan, fmt: str, diff: dict[str, Any] | None) -> tuple[bytes, str]:
    """(content, content type) of the report in ``fmt`` (``pdf`` or ``html``); ``ValueError`` otherwise."""
    ancestors = scan.node.ancestors()
    if fmt == "pdf":
        return report_pdf(scan, ancestors, diff), "application/pdf"
    if fmt == "html":
        return report_html(scan, ancestors, diff).encode("utf-8"), "text/html; charset=utf-8"
    raise ValueError(fmt)
