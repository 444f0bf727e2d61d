"""Lessons learned: post-incident actions become findings of the register, and follow its workflow.

An incident task of kind ``action`` (with an owner and a due date) becomes a finding of source
``incidents``, check id ``incidents.action``, on the incident's node; its fingerprint is the task's
(the affected object is the task), so putting it in the register again gives the same finding back.
``task.finding`` links it back; when the task is done, the finding is marked fixed.
Same shape as compliance gaps (:mod:`hygie.apps.compliance.gaps`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.incidents.models import IncidentTask, TaskKind, TaskStatus
from hygie.engines._core import AffectedObject, Severity
from hygie.engines._core import Finding as EngineFinding

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.apps.findings.models import Finding
    from hygie.apps.incidents.models import Incident

__all__ = ["CHECK_ID", "SOURCE", "action_contract", "actions_to_findings", "close_task_finding"]

#: The findings register's source and check id of post-incident actions.
SOURCE = "incidents"
CHECK_ID = "incidents.action"


def action_contract(task: IncidentTask) -> EngineFinding:
    """The finding a post-incident action becomes; its fingerprint depends only on the task's id."""
    incident = task.incident
    return EngineFinding(
        check_id=CHECK_ID,
        title=f"{incident.reference}: {task.title}".strip(": ")[:300],
        severity=Severity(incident.severity),
        affected=(AffectedObject("incident_task", task.title[:200], str(task.pk)),),
    )


def _actor(user: Any) -> tuple[Any, str]:
    actor = user if getattr(user, "pk", None) is not None else None
    return actor, (user.get_username() if actor is not None else getattr(user, "username", "") or "system")


def actions_to_findings(incident: Incident, user: Any, tasks: Iterable[IncidentTask] | None = None) -> list[Finding]:
    """Put the incident's post-incident actions (or ``tasks`` among them) in the findings register.

    One finding per action, idempotent: an action already in the register gives its finding back.
    Response tasks and cancelled actions are skipped. A task already done gives a fixed finding.
    """
    from hygie.apps.findings.models import Finding, FindingEvent, FindingStatus

    chosen = list(tasks) if tasks is not None else list(incident.tasks.filter(kind=TaskKind.ACTION))
    actor, actor_name = _actor(user)
    found: list[Finding] = []
    with transaction.atomic():
        for task in chosen:
            if task.incident_id != incident.pk or task.kind != TaskKind.ACTION or task.status == TaskStatus.CANCELLED:
                continue
            contract = action_contract(task)
            existing = Finding.objects.filter(node=incident.node, check_id=CHECK_ID,
                                              fingerprint=contract.fingerprint).first()
            if existing is None:
                done = task.status == TaskStatus.DONE
                existing = Finding.objects.create(
                    node=incident.node, source=SOURCE, check_id=CHECK_ID, fingerprint=contract.fingerprint,
                    title=contract.title, severity=int(contract.severity),
                    affected=[obj.to_dict() for obj in contract.affected],
                    remediation=task.details or task.title, owner=task.owner,
                    due_date=timezone.localdate(task.due) if task.due else None,
                    status=FindingStatus.FIXED if done else FindingStatus.OPEN,
                    closed_at=timezone.now() if done else None,
                    evidence={"incident_id": incident.pk, "incident_uid": str(incident.uid),
                              "reference": incident.reference, "task_id": task.pk,
                              "owner_name": task.owner_name},
                )
                FindingEvent.objects.create(finding=existing, actor=actor, actor_name=actor_name,
                                            to_status=existing.status,
                                            comment=_("Post-incident action put in the register."))
            if task.finding_id != existing.pk:
                task.finding = existing
                task.save(update_fields=["finding"])
            found.append(existing)
    return found


def close_task_finding(task: IncidentTask, user: Any) -> Finding | None:
    """Mark the finding of a done action fixed (nothing when it has none or is already closed)."""
    from hygie.apps.findings.models import FindingStatus
    from hygie.apps.findings.models.findings import ACTIVE_STATUSES
    from hygie.apps.findings.workflow import change_finding

    if task.finding_id is None or task.status != TaskStatus.DONE:
        return None
    finding = task.finding
    if finding is None or finding.status not in ACTIVE_STATUSES:
        return finding
    change_finding(finding, actor=user, status=FindingStatus.FIXED,
                   comment=_("The post-incident action is done."))
    return finding
