"""Gaps of an assessment (requirements not met, partially met or not assessed) and their remediation.

A gap put in the findings register becomes a finding of source ``compliance`` on the assessed
node, one check id per requirement (``compliance.<framework>.<requirement>``), so it follows the
register's workflow (owner, due date, status). Creating it again gives the existing finding back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hygie.apps.compliance.models import RequirementAssessment, RequirementEvent, Status
from hygie.engines._core import AffectedObject, Severity
from hygie.engines._core import Finding as EngineFinding

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.apps.compliance.models import Assessment
    from hygie.apps.findings.models import Finding

__all__ = ["GAP_STATUSES", "SOURCE", "Gap", "check_id_for", "create_remediation", "gap_list"]

#: The findings register's source of compliance gaps.
SOURCE = "compliance"
#: Statuses that make a requirement a gap, worst first.
GAP_STATUSES = (Status.NOT_MET, Status.PARTIAL, Status.NOT_ASSESSED)
_SEVERITY = {Status.NOT_MET: Severity.HIGH, Status.PARTIAL: Severity.MEDIUM, Status.NOT_ASSESSED: Severity.LOW}
_NOT_SLUG = re.compile(r"[^a-z0-9_]+")
_CHECK_ID_MAX = 120


@dataclass(frozen=True)
class Gap:
    """A requirement not (fully) met: where it is, who owns it, when it is due, what the engines measure."""

    item: RequirementAssessment
    ref: str
    title: str
    title_fr: str
    section: str
    section_title: str
    status: str
    owner: str
    due_date: dt.date | None
    measure: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form (API, CLI)."""
        return {
            "item_id": self.item.pk, "ref": self.ref, "title": self.title, "title_fr": self.title_fr,
            "section": self.section, "section_title": self.section_title, "status": self.status,
            "owner": self.owner, "due_date": self.due_date.isoformat() if self.due_date else None,
            "measure": self.measure,
        }


def gap_list(assessment: Assessment) -> list[Gap]:
    """The assessment's gaps: not met first, then partially met, then not assessed; framework order within."""
    items = (
        RequirementAssessment.objects.filter(assessment=assessment, status__in=GAP_STATUSES)
        .select_related("requirement__section", "owner")
        .order_by("requirement__order")
    )
    gaps = [
        Gap(
            item=item,
            ref=item.requirement.ref,
            title=item.requirement.title,
            title_fr=item.requirement.title_fr,
            section=item.requirement.section.ref,
            section_title=item.requirement.section.title,
            status=item.status,
            owner=item.owner.get_username() if item.owner else "",
            due_date=item.due_date,
            measure=item.measure,
        )
        for item in items
    ]
    return sorted(gaps, key=lambda gap: GAP_STATUSES.index(Status(gap.status)))


def check_id_for(framework_key: str, ref: str) -> str:
    """The findings register's check id of a requirement: ``compliance.<framework>.<requirement>``."""
    slug = _NOT_SLUG.sub("_", ref.lower()).strip("_") or "requirement"
    return f"{SOURCE}.{framework_key}.{slug}"[:_CHECK_ID_MAX]


def create_remediation(
    assessment: Assessment,
    user: Any,
    items: Iterable[RequirementAssessment],
    *,
    owner: Any = None,
    due_date: dt.date | None = None,
) -> list[Finding]:
    """Put the gaps ``items`` in the findings register (one finding each; existing ones are given back).

    ``ValidationError`` when an item belongs to another assessment or is not a gap.
    """
    from hygie.apps.findings.models import Finding, FindingEvent, FindingStatus

    chosen = list(items)
    for item in chosen:
        if item.assessment_id != assessment.pk:
            raise ValidationError(_("A requirement of another assessment was given."))
        if item.status not in GAP_STATUSES:
            raise ValidationError(
                _("%(ref)s is not a gap (met or not applicable).") % {"ref": item.requirement.ref}
            )
    actor = user if getattr(user, "pk", None) is not None else None
    actor_name = user.get_username() if actor is not None else "system"
    framework = assessment.framework
    found: list[Finding] = []
    with transaction.atomic():
        for item in chosen:
            requirement = item.requirement
            contract = EngineFinding(
                check_id=check_id_for(framework.key, requirement.ref),
                title=f"{framework.name}: {requirement.ref} {requirement.title}"[:300],
                severity=_SEVERITY[Status(item.status)],
                affected=(AffectedObject("requirement", requirement.ref, str(requirement.pk)),),
            )
            existing = Finding.objects.filter(
                node=assessment.node, check_id=contract.check_id, fingerprint=contract.fingerprint
            ).first()
            if existing is not None:
                found.append(existing)
                continue
            finding = Finding.objects.create(
                node=assessment.node, source=SOURCE, check_id=contract.check_id, fingerprint=contract.fingerprint,
                title=contract.title, severity=int(contract.severity),
                affected=[obj.to_dict() for obj in contract.affected],
                remediation=requirement.description or requirement.title,
                owner=owner or item.owner, due_date=due_date or item.due_date,
                evidence={"assessment_id": assessment.pk, "item_id": item.pk, "status": item.status,
                          "measure": item.measure},
            )
            FindingEvent.objects.create(finding=finding, actor=actor, actor_name=actor_name,
                                        to_status=FindingStatus.OPEN,
                                        comment=_("Compliance gap put in the register."))
            RequirementEvent.objects.create(item=item, actor=actor, actor_name=actor_name if actor else "",
                                            changes={"remediation_finding": [None, finding.pk]})
            found.append(finding)
    return found
