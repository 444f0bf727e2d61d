"""Exports of an assessment: rows (CSV), a JSON document, and a PDF report (WeasyPrint).

The CSV neutralises cells a spreadsheet would run as formulas (a comment starting with ``=``).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.compliance.models import Measure, RequirementAssessment, Status
from hygie.apps.compliance.scoring import maturity

if TYPE_CHECKING:
    from hygie.apps.compliance.models import Assessment

__all__ = ["assessment_csv", "assessment_json", "assessment_pdf", "assessment_rows", "neutralise"]


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula (CSV injection) with a quote."""
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def _items(assessment: Assessment) -> list[RequirementAssessment]:
    return list(
        RequirementAssessment.objects.filter(assessment=assessment)
        .select_related("requirement__section", "owner")
        .annotate(evidence_count=Count("evidence"))
        .order_by("requirement__order")
    )


def assessment_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """One row per requirement: section, ref, title, status, measure, owner, due date, comment, evidence."""
    return [
        {
            "section": item.requirement.section.ref,
            "ref": item.requirement.ref,
            "title": item.requirement.title,
            "title_fr": item.requirement.title_fr,
            "level": item.requirement.level,
            "status": item.status,
            "status_label": str(Status(item.status).label),
            "reason": item.reason,
            "measure": item.measure,
            "measure_label": str(Measure(item.measure).label),
            "checks": list(item.requirement.checks or []),
            "owner": item.owner.get_username() if item.owner else "",
            "due_date": item.due_date.isoformat() if item.due_date else "",
            "comment": item.comment,
            "evidence": item.evidence_count,  # type: ignore[attr-defined]  # annotated
        }
        for item in _items(assessment)
    ]


_CSV_COLUMNS = ("section", "ref", "title", "status", "reason", "measure", "checks", "owner", "due_date", "comment",
                "evidence")


def assessment_csv(assessment: Assessment) -> str:
    """The rows as CSV text (header first), formula-neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    labels = {"section": _("Section"), "ref": _("Requirement"), "title": _("Title"), "status": _("Status"),
              "reason": _("Reason"), "measure": _("Measure"), "checks": _("Engine checks"), "owner": _("Owner"),
              "due_date": _("Due date"), "comment": _("Comment"), "evidence": _("Evidence")}
    writer.writerow([labels[key] for key in _CSV_COLUMNS])
    for row in assessment_rows(assessment):
        cells = []
        for key in _CSV_COLUMNS:
            value = row[key]
            text = " ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
            cells.append(neutralise(text))
        writer.writerow(cells)
    return buffer.getvalue()


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """The assessment as a JSON document: framework, node, maturity and every requirement."""
    framework = assessment.framework
    return {
        "framework": {"id": framework.pk, "key": framework.key, "name": framework.name,
                      "version": framework.version, "digest": framework.digest},
        "node": {"id": assessment.node.pk, "name": assessment.node.name},
        "assessment_id": assessment.pk,
        "measured_at": assessment.measured_at.isoformat() if assessment.measured_at else None,
        "exported_at": timezone.now().isoformat(),
        "maturity": maturity(assessment).to_dict(),
        "requirements": assessment_rows(assessment),
    }


def assessment_pdf(assessment: Assessment) -> bytes:
    """A PDF report: scores per section, then every requirement with its status, measure and owner."""
    from weasyprint import HTML

    context = {
        "assessment": assessment,
        "framework": assessment.framework,
        "node": assessment.node,
        "maturity": maturity(assessment),
        "rows": assessment_rows(assessment),
        "generated": timezone.localtime(),
    }
    html = render_to_string("compliance/export_pdf.html", context)
    # No base URL and no external resources in the template: nothing is fetched while rendering.
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
