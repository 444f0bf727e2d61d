"""The alert workflow: new -> acknowledged -> false positive | escalated, every step in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from hygie.apps.detection.models import TRANSITIONS, Alert, AlertEvent, AlertStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["WorkflowError", "bulk_transition", "transition"]


class WorkflowError(Exception):
    """The move is not allowed from the alert's status, or lacks what it needs."""


def transition(
    alert: Alert, to_status: str, user: Any, *, comment: str = "", incident_reference: str = ""
) -> AlertEvent:
    """Move ``alert`` to ``to_status`` and record who, when and why (callers checked the change right)."""
    if to_status not in AlertStatus.values:
        raise WorkflowError(_("Unknown status %(status)s.") % {"status": to_status[:40]})
    if to_status not in TRANSITIONS.get(alert.status, frozenset()):
        raise WorkflowError(
            _("An alert cannot go from %(from)s to %(to)s.")
            % {"from": alert.get_status_display(), "to": AlertStatus(to_status).label}
        )
    reference = incident_reference.strip()[:200]
    if to_status == AlertStatus.ESCALATED and not reference:
        raise WorkflowError(_("Give the reference of the incident this alert is escalated to."))
    with transaction.atomic():
        event = AlertEvent.objects.create(
            alert=alert,
            actor=user if getattr(user, "pk", None) is not None else None,
            actor_name=getattr(user, "username", "")[:150],
            from_status=alert.status,
            to_status=to_status,
            comment=comment.strip()[:5000],
            incident_reference=reference,
        )
        alert.status = to_status
        if to_status == AlertStatus.ESCALATED:
            alert.incident_reference = reference
        # save() (not update()): the audit log records the change through the model's signals.
        alert.save(update_fields=["status", "incident_reference", "updated"])
    return event


def bulk_transition(alerts: Iterable[Alert], to_status: str, user: Any, *, comment: str = "") -> tuple[int, int]:
    """Move every alert that may move to ``to_status``; (moved, skipped). Escalation needs one alert at a time."""
    if to_status not in {AlertStatus.ACKNOWLEDGED, AlertStatus.FALSE_POSITIVE}:
        raise WorkflowError(_("Only acknowledging and marking as false positive work on several alerts at once."))
    moved = skipped = 0
    for alert in alerts:
        try:
            transition(alert, to_status, user, comment=comment)
        except WorkflowError:
            skipped += 1
        else:
            moved += 1
    return moved, skipped
