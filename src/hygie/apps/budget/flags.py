"""Budget findings in the register (source ``budget``): projects below 5 % and late milestones.

:func:`refresh_findings` recomputes a node's budget findings and hands them to the findings
ingestion, which creates new ones, updates those still raised and closes, as fixed, those no
longer raised (a project brought back into the band, a milestone done).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from hygie.apps.budget.amounts import format_amount
from hygie.apps.budget.models import FundingApplication, ItProject, ProjectStatus
from hygie.apps.findings.ingest import ingest
from hygie.engines._core import AffectedObject, Finding, Severity

if TYPE_CHECKING:
    import datetime as dt

    from hygie.apps.findings.ingest import IngestResult
    from hygie.apps.organizations.models import Node

__all__ = ["BELOW_RULE", "LATE_MILESTONE", "SOURCE", "budget_findings", "refresh_findings"]

#: The findings register's source of these findings.
SOURCE = "budget"
BELOW_RULE = "budget.project_below_cyber_share"
LATE_MILESTONE = "budget.funding_milestone_late"


def _project_finding(project: ItProject) -> Finding:
    share = project.cyber_share
    severity = Severity.HIGH if project.rule_applies else Severity.MEDIUM
    return Finding(
        check_id=BELOW_RULE,
        title=f"IT project {project.name} ({project.year}): {share} % for cybersecurity, below 5 %",
        severity=severity,
        affected=(AffectedObject("it_project", f"{project.name} ({project.year})", str(project.pk)),),
        evidence={
            "project_id": project.pk,
            "year": project.year,
            "total": str(project.total),
            "cybersecurity": str(project.cyber),
            "share_percent": str(share),
            "state_funded": project.rule_applies,
        },
        remediation=(
            f"Add at least {format_amount(project.missing_for_rule(), currency=True, space=' ')} of "
            "cybersecurity lines (security by design, hardening, backups, audits) to reach 5 %."
        ),
    )


def _milestone_findings(application: FundingApplication, today: dt.date) -> list[Finding]:
    return [
        Finding(
            check_id=LATE_MILESTONE,
            title=f"{application.title}: milestone “{milestone.get_kind_display()}” planned on "
            f"{milestone.planned_on:%d/%m/%Y} is late",
            severity=Severity.MEDIUM,
            affected=(AffectedObject("funding_application", f"{application.title}: {milestone.kind}",
                                     str(milestone.pk)),),
            evidence={"application_id": application.pk, "milestone": milestone.kind,
                      "planned_on": milestone.planned_on.isoformat() if milestone.planned_on else None,
                      "programme": application.programme.key},
            remediation="Complete the milestone or agree a new date with the ARS.",
        )
        for milestone in application.late_milestones(today)
    ]


def budget_findings(node: Node, today: dt.date | None = None) -> list[Finding]:
    """The budget findings of ``node`` (its own projects and applications, every year)."""
    today = today or timezone.localdate()
    findings: list[Finding] = []
    projects = (
        ItProject.objects.filter(node=node).exclude(status=ProjectStatus.CANCELLED).with_totals()
        .select_related("funding_application").order_by("year", "name")
    )
    findings += [_project_finding(p) for p in projects if p.flagged]
    applications = FundingApplication.objects.filter(node=node).select_related("programme").prefetch_related(
        "milestones"
    )
    for application in applications:
        findings += _milestone_findings(application, today)
    return findings


def refresh_findings(node: Node, today: dt.date | None = None) -> IngestResult:
    """Recompute and store ``node``'s budget findings; those no longer raised are closed."""
    return ingest(node, SOURCE, budget_findings(node, today))
