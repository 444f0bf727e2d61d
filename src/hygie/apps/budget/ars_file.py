"""The evidence file an ARS asks for, for one funding application: a PDF, and a ZIP around it.

The PDF states the application (programme, amounts, milestones), the establishment's IT budget and
projects against the 5-10 % rule, and the compliance assessment of the programme's framework for
the node (its maturity) when one exists — else it says there is none. The ZIP holds the PDF, CSVs
of the budget, the projects, their lines and the milestones, the assessment's own export (CSV and
PDF) and the files attached to it as evidence. Generation takes well under a second for a real
establishment, so it is served directly rather than as a background job.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone

from hygie.apps.budget.amounts import format_amount
from hygie.apps.budget.models import BudgetLine, BudgetYear, FundingApplication, ItProject
from hygie.apps.compliance import exporting
from hygie.apps.compliance.evidence_files import evidence_path
from hygie.apps.compliance.models import Assessment, Evidence, Status
from hygie.apps.compliance.scoring import maturity

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ZIP_NAMES", "ars_context", "ars_html", "ars_pdf", "ars_zip", "file_name"]

#: Files every ZIP holds (the assessment's files are added when there is one).
ZIP_NAMES = ("ars-file.pdf", "budget.csv", "projects.csv", "budget-lines.csv", "milestones.csv", "README.txt")
#: Largest total of evidence files copied into one ZIP; beyond it the rest are listed, not copied.
MAX_EVIDENCE_BYTES = 512 * 1024 * 1024


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def _assessment(application: FundingApplication) -> Any:
    """The node's assessment against the programme's framework (the latest version), or None."""
    key = application.programme.framework_key
    if not key:
        return None
    return (
        Assessment.objects.filter(node=application.node, framework__key=key)
        .select_related("framework", "node")
        .order_by("-framework__created", "-id")
        .first()
    )


def _maturity(assessment: Any) -> dict[str, Any]:
    """The assessment's score and its counts per status, with the statuses' labels."""
    data = maturity(assessment).to_dict()
    labels = dict(Status.choices)
    data["rows"] = [(labels.get(status, status), count) for status, count in data.get("counts", {}).items()]
    return data


def ars_context(application: FundingApplication) -> dict[str, Any]:
    """Everything the file shows (the caller has checked the user may see the application)."""
    node = application.node
    years = {m.planned_on.year for m in application.milestones.all() if m.planned_on}
    years |= {timezone.localdate().year}
    budgets = list(BudgetYear.objects.filter(node=node).order_by("-year")[:5])
    projects = list(
        ItProject.objects.filter(node=node).with_totals().select_related("funding_application")
        .order_by("-year", "name")
    )
    funded = [p for p in projects if p.funding_application_id == application.pk]
    assessment = _assessment(application)
    return {
        "application": application,
        "programme": application.programme,
        "node": node,
        "milestones": application.ordered_milestones(),
        "budgets": budgets,
        "projects": projects,
        "funded_projects": funded,
        "flagged": [p for p in projects if p.flagged],
        "assessment": assessment,
        "maturity": _maturity(assessment) if assessment is not None else None,
        "generated": timezone.localtime(),
    }


def ars_html(application: FundingApplication) -> str:
    """The file as a self-contained HTML page."""
    return render_to_string("budget/ars_document.html", ars_context(application))


def ars_pdf(application: FundingApplication) -> bytes:
    """The file as PDF (WeasyPrint)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=ars_html(application)).write_pdf()
    return pdf


def file_name(application: FundingApplication, suffix: str) -> str:
    """``hygie-ars-<programme>-<id>.<suffix>``."""
    return f"hygie-ars-{application.programme.key}-{application.pk}.{suffix}"


def _budget_csv(application: FundingApplication) -> str:
    rows = BudgetYear.objects.filter(node=application.node).order_by("year")
    return _csv(
        ["year", "operating", "investment", "cyber_operating", "cyber_investment", "cyber_share_percent"],
        ([b.year, b.operating, b.investment, b.cyber_operating, b.cyber_investment, b.cyber_share] for b in rows),
    )


def _projects_csv(projects: list[ItProject]) -> str:
    return _csv(
        ["year", "project", "status", "state_funded", "total", "cybersecurity", "cyber_share_percent", "position"],
        ([p.year, p.name, p.status, "yes" if p.rule_applies else "no", p.total, p.cyber, p.cyber_share, p.position]
         for p in projects),
    )


def _lines_csv(application: FundingApplication) -> str:
    lines = BudgetLine.objects.filter(project__node=application.node).select_related("project").order_by(
        "project__year", "project__name", "order", "id"
    )
    return _csv(
        ["year", "project", "line", "amount", "cybersecurity"],
        ([li.project.year, li.project.name, li.label, li.amount, "yes" if li.cybersecurity else "no"]
         for li in lines),
    )


def _milestones_csv(application: FundingApplication) -> str:
    return _csv(
        ["milestone", "planned_on", "done_on", "amount", "late", "note"],
        ([m.kind, m.planned_on, m.done_on, m.amount, "yes" if m.late else "no", m.note]
         for m in application.ordered_milestones()),
    )


def _add_assessment(archive: zipfile.ZipFile, assessment: Any) -> list[str]:
    """The assessment's CSV, PDF and evidence files; lines for the README."""
    notes: list[str] = []
    archive.writestr("assessment/assessment.csv", exporting.assessment_csv(assessment))
    archive.writestr("assessment/assessment.pdf", exporting.assessment_pdf(assessment))
    copied = 0
    evidence = Evidence.objects.filter(item__assessment=assessment).exclude(sha256="").select_related(
        "item__requirement"
    )
    seen: set[str] = set()
    for item in evidence.order_by("id"):
        name = _evidence_name(item, seen)
        try:
            path = evidence_path(item)
            size = path.stat().st_size
        except (OSError, ValueError):
            notes.append(f"Missing evidence file: {item.title}")
            continue
        if copied + size > MAX_EVIDENCE_BYTES:
            notes.append(f"Not copied (size limit): {item.title}")
            continue
        archive.write(path, f"assessment/evidence/{name}")
        copied += size
    return notes


def _evidence_name(item: Any, seen: set[str]) -> str:
    """A safe, unique file name in the archive: requirement ref, then the original name."""
    import re

    ref = re.sub(r"[^A-Za-z0-9._-]+", "_", getattr(item.item.requirement, "ref", "") or "item")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", item.file_name or item.title or "file").lstrip(".") or "file"
    name = f"{ref}-{base}"[:150]
    candidate, number = name, 1
    while candidate in seen:
        number += 1
        candidate = f"{number}-{name}"
    seen.add(candidate)
    return candidate


def ars_zip(application: FundingApplication) -> bytes:
    """The ZIP: the PDF, the CSVs, and the assessment's export and evidence files when there is one."""
    context = ars_context(application)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ars-file.pdf", ars_pdf(application))
        archive.writestr("budget.csv", _budget_csv(application))
        archive.writestr("projects.csv", _projects_csv(context["projects"]))
        archive.writestr("budget-lines.csv", _lines_csv(application))
        archive.writestr("milestones.csv", _milestones_csv(application))
        assessment = context["assessment"]
        readme = [
            f"Evidence file for {application.title} ({application.programme.name})",
            f"Establishment: {application.node}",
            f"Amount requested: {format_amount(application.amount_requested, currency=True, space=' ')}",
            f"Generated by Hygie on {context['generated']:%Y-%m-%d %H:%M}",
            "",
        ]
        if assessment is None:
            key = application.programme.framework_key or "-"
            readme.append(f"No compliance assessment of framework {key} exists for this establishment.")
        else:
            readme.append(f"Compliance assessment: {assessment}")
            readme += _add_assessment(archive, assessment)
        archive.writestr("README.txt", "\n".join(readme) + "\n")
    return buffer.getvalue()
