"""The findings workflow: status, owner and due date changes, each one written to the history.

Every change goes through ``change_finding``: the web form, the REST API and the CLI share the
same rules (allowed transitions, justification, expiry, owner on the finding's branch of the tree).
Each change saves the finding (so the audit log records it) and adds a ``FindingEvent``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.findings.models import Finding, FindingEvent, FindingStatus
from hygie.apps.findings.models.findings import ACTIVE_STATUSES

__all__ = [
    "KEEP",
    "TRANSITIONS",
    "change_finding",
    "eligible_owners",
    "expire_acceptances",
    "transition_allowed",
]

S = FindingStatus

#: Allowed moves. A closed finding (fixed, false positive) can only be reopened; a risk
#: acceptance can be withdrawn (reopened, taken into remediation) or end with a fix.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_REMEDIATION, S.RISK_ACCEPTED, S.FIXED, S.FALSE_POSITIVE}),
    S.IN_REMEDIATION: frozenset({S.OPEN, S.RISK_ACCEPTED, S.FIXED, S.FALSE_POSITIVE}),
    S.RISK_ACCEPTED: frozenset({S.OPEN, S.IN_REMEDIATION, S.FIXED}),
    S.FIXED: frozenset({S.OPEN}),
    S.FALSE_POSITIVE: frozenset({S.OPEN}),
}


class _Keep:
    """Marker for "leave this field as it is" (``None`` means "clear it")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def transition_allowed(current: str, new: str) -> bool:
    """True when a finding may go from ``current`` to ``new`` (staying put is always allowed)."""
    return current == new or new in TRANSITIONS.get(current, frozenset())


def eligible_owners(finding: Finding) -> Any:
    """Active users holding a role on the finding's node or one of its ancestors."""
    from hygie.apps.accounts.models import User

    return (
        User.objects.filter(is_active=True, roles__node__path__in=finding.node.lineage_paths())
        .distinct()
        .order_by("username")
    )


def _actor_name(actor: Any) -> str:
    return getattr(actor, "username", "") or "system"


def _owner_name(owner: Any) -> str | None:
    return owner.username if owner is not None else None


def change_finding(  # noqa: C901 - one rule per branch reads better than scattered helpers
    finding: Finding,
    *,
    actor: Any,
    status: str | None = None,
    owner: Any = KEEP,
    due_date: Any = KEEP,
    justification: str | None = None,
    acceptance_expires: dt.date | None = None,
    comment: str = "",
) -> FindingEvent:
    """Apply a change to ``finding`` and record it; raise ``ValidationError`` (nothing saved) when refused.

    ``status`` None keeps the status; ``owner``/``due_date`` left to ``KEEP`` are unchanged and
    ``None`` clears them. The caller has already checked that ``actor`` may change the finding.
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        # Lock the row (PostgreSQL) so that two people changing the same finding serialise.
        locked = Finding.objects.select_for_update().select_related("node").get(pk=finding.pk)
        old_status = locked.status
        new_status = status or old_status
        if new_status not in S.values:
            errors.setdefault("status", []).append(_("Unknown status %(status)s.") % {"status": new_status})
        elif not transition_allowed(old_status, new_status):
            errors.setdefault("status", []).append(
                _("A finding cannot go from %(old)s to %(new)s.")
                % {"old": S(old_status).label, "new": S(new_status).label},
            )
        changes: dict[str, list[Any]] = {}
        if owner is not KEEP and owner != locked.owner:
            if owner is not None and not eligible_owners(locked).filter(pk=owner.pk).exists():
                errors.setdefault("owner", []).append(
                    _("%(user)s holds no role on this finding's node or above it.") % {"user": owner},
                )
            changes["owner"] = [_owner_name(locked.owner), _owner_name(owner)]
            locked.owner = owner
        if due_date is not KEEP and due_date != locked.due_date:
            changes["due_date"] = [
                locked.due_date.isoformat() if locked.due_date else None,
                due_date.isoformat() if due_date else None,
            ]
            locked.due_date = due_date
        for name, text in (("comment", comment), ("justification", justification or "")):
            if "\x00" in text:
                errors.setdefault(name, []).append(_("Text cannot contain NUL characters."))
        if errors:
            raise ValidationError(errors)
        _apply_status(locked, new_status, justification, acceptance_expires)
        try:
            locked.clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        if new_status == old_status and not changes and not comment.strip() and justification is None:
            raise ValidationError({"status": [_("Nothing to change.")]})
        if new_status == S.RISK_ACCEPTED and locked.acceptance_expires is not None:
            changes["acceptance_expires"] = [None, locked.acceptance_expires.isoformat()]
        locked.save()
        event = FindingEvent.objects.create(
            finding=locked,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=_actor_name(actor),
            from_status=old_status,
            to_status=new_status,
            comment=comment.strip(),
            changes=changes,
        )
    # The caller's object reflects what was saved.
    for field in ("status", "owner", "due_date", "justification", "acceptance_expires", "closed_at"):
        setattr(finding, field, getattr(locked, field))
    return event


def _apply_status(
    finding: Finding, status: str, justification: str | None, acceptance_expires: dt.date | None,
) -> None:
    """Set status and its companions: justification, expiry and ``closed_at``."""
    was_active = finding.status in ACTIVE_STATUSES
    finding.status = status
    if status in {S.RISK_ACCEPTED, S.FALSE_POSITIVE}:
        if justification is not None:
            finding.justification = justification.strip()
        if status == S.RISK_ACCEPTED and acceptance_expires is not None:
            finding.acceptance_expires = acceptance_expires
    else:
        # A justification or an expiry only means something for an accepted risk or a false positive.
        finding.acceptance_expires = None
        if status in ACTIVE_STATUSES:
            finding.justification = ""
    if status in ACTIVE_STATUSES:
        finding.closed_at = None
    elif was_active or finding.closed_at is None:
        finding.closed_at = timezone.now()


def expire_acceptances(today: dt.date | None = None) -> int:
    """Reopen every finding whose risk acceptance has reached its expiry date; return how many."""
    today = today or timezone.localdate()
    count = 0
    expired = Finding.objects.filter(status=S.RISK_ACCEPTED, acceptance_expires__lte=today)
    for finding in expired.iterator(chunk_size=500):
        with transaction.atomic():
            expiry = finding.acceptance_expires
            finding.status = S.OPEN
            finding.closed_at = None
            finding.acceptance_expires = None
            finding.save()
            FindingEvent.objects.create(
                finding=finding,
                actor_name="system",
                from_status=S.RISK_ACCEPTED,
                to_status=S.OPEN,
                comment=_("Risk acceptance expired on %(date)s: the finding is open again.")
                % {"date": expiry.isoformat() if expiry else "?"},
                changes={"acceptance_expires": [expiry.isoformat() if expiry else None, None]},
            )
        count += 1
    return count
