"""Changing assessments: open one, set a requirement's status, confirm a measure, add or remove evidence.

Every change writes a :class:`~hygie.apps.compliance.models.RequirementEvent` (the requirement's
history); bad input raises ``ValidationError`` and stores nothing. Callers (views, API, CLI) check
that the user may change the assessment (``restrict(user, Action.CHANGE)``); this module checks
what only it can see: that a linked platform object is visible to the user and belongs to the
assessment's branch of the tree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.compliance.evidence_files import EvidenceError, store_evidence_file
from hygie.apps.compliance.models import (
    Assessment,
    Evidence,
    EvidenceKind,
    Measure,
    RequirementAssessment,
    RequirementEvent,
    Status,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from hygie.apps.compliance.models import Framework
    from hygie.apps.organizations.models import Node

__all__ = [
    "MEASURE_STATUS",
    "UNCHANGED",
    "add_file_evidence",
    "add_link_evidence",
    "confirm_measure",
    "open_assessment",
    "remove_evidence",
    "set_status",
]


class _Unchanged:
    """Marker of an argument left out (``None`` means "clear the owner / due date")."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()

#: Status a confirmed measure gives.
MEASURE_STATUS = {Measure.PASSING: Status.MET, Measure.MIXED: Status.PARTIAL, Measure.FAILING: Status.NOT_MET}

_TITLE_MAX = 300


def _actor(user: Any) -> tuple[Any, str]:
    if getattr(user, "pk", None) is None:
        return None, ""
    return user, user.get_username()


def _event(item: RequirementAssessment, user: Any, **fields: Any) -> RequirementEvent:
    actor, name = _actor(user)
    return RequirementEvent.objects.create(item=item, actor=actor, actor_name=name, **fields)


def _no_nul(**texts: str) -> None:
    errors = {name: [_("Text cannot contain NUL characters.")] for name, text in texts.items() if "\x00" in text}
    if errors:
        raise ValidationError(errors)


def open_assessment(node: Node, framework: Framework, user: Any) -> Assessment:
    """Create ``node``'s assessment of ``framework`` with one item per requirement, measures refreshed.

    ``ValidationError`` when the node already has an assessment of this framework version, or the
    framework is imported by a node outside the assessed node's branch.
    """
    from hygie.apps.compliance.measures import refresh

    if framework.node_id is not None and not (
        node.path.startswith(framework.node.path) or framework.node.path.startswith(node.path)
    ):
        raise ValidationError({"framework": [_("This framework was imported by a node outside this branch.")]})
    if Assessment.objects.filter(node=node, framework=framework).exists():
        raise ValidationError({"framework": [_("This node already has an assessment of this framework.")]})
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                node=node, framework=framework, owner=user if getattr(user, "pk", None) else None
            )
            RequirementAssessment.objects.bulk_create(
                RequirementAssessment(assessment=assessment, requirement=requirement)
                for requirement in framework.requirements.order_by("order")
            )
    except IntegrityError as exc:  # opened at the same moment by someone else
        raise ValidationError({"framework": [_("This node already has an assessment of this framework.")]}) from exc
    refresh(assessment)
    return assessment


def _user_name(user: Any) -> str:
    return user.get_username() if user is not None else ""


def set_status(
    item: RequirementAssessment,
    user: Any,
    *,
    status: str | None = None,
    reason: str = "",
    owner: Any = UNCHANGED,
    due_date: dt.date | Any | None = UNCHANGED,
    comment: str = "",
) -> RequirementEvent | None:
    """Change a requirement's status (and owner, due date), with a comment; the event written.

    ``status=None`` keeps the status. "Not applicable" needs a ``reason``; another status drops the
    reason. Values equal to the current ones are not recorded; nothing changed and no comment
    returns ``None``. ``ValidationError`` on an unknown status or a missing reason.
    """
    new_status = item.status if status is None else str(status)
    if new_status not in Status.values:
        raise ValidationError({"status": [_("Unknown status %(status)r.") % {"status": new_status[:40]}]})
    reason = (reason or "").strip()
    comment = (comment or "").strip()
    _no_nul(reason=reason, comment=comment)
    if new_status == Status.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": [_("Say why the requirement does not apply.")]})
    new_reason = reason if new_status == Status.NOT_APPLICABLE else ""
    changes: dict[str, list[Any]] = {}
    if new_reason != item.reason:
        changes["reason"] = [item.reason, new_reason]
    if owner is not UNCHANGED and getattr(owner, "pk", None) != item.owner_id:
        changes["owner"] = [_user_name(item.owner), _user_name(owner)]
        item.owner = owner
    if due_date is not UNCHANGED and due_date != item.due_date:
        changes["due_date"] = [
            item.due_date.isoformat() if item.due_date else None,
            due_date.isoformat() if due_date else None,
        ]
        item.due_date = due_date
    old_status = item.status
    if new_status == old_status and not changes and not comment:
        return None
    item.status = new_status
    item.reason = new_reason
    if comment:
        item.comment = comment
    item.updated = timezone.now()
    with transaction.atomic():
        item.save()
        return _event(
            item,
            user,
            from_status=old_status if new_status != old_status else "",
            to_status=new_status if new_status != old_status else "",
            comment=comment,
            changes=changes,
        )


def confirm_measure(item: RequirementAssessment, user: Any, comment: str = "") -> RequirementEvent:
    """Take the engines' measure as the status (passing: met, mixed: partial, failing: not met).

    ``ValidationError`` when the requirement has no measure.
    """
    if not item.measure:
        raise ValidationError({"measure": [_("No engine measures this requirement: set its status by hand.")]})
    new_status = MEASURE_STATUS[Measure(item.measure)]
    old_status = item.status
    changes: dict[str, list[Any]] = {"confirmed_measure": [item.confirmed_measure, item.measure]}
    if item.reason:
        changes["reason"] = [item.reason, ""]
    item.status = new_status
    item.reason = ""
    item.confirmed_measure = item.measure
    item.updated = timezone.now()
    with transaction.atomic():
        item.save()
        return _event(
            item,
            user,
            from_status=old_status if new_status != old_status else "",
            to_status=new_status if new_status != old_status else "",
            comment=comment.strip() or _("Measure confirmed."),
            changes=changes,
        )


def _title(title: str, fallback: str) -> str:
    text = " ".join((title or "").split()) or fallback
    _no_nul(title=text)
    if len(text) > _TITLE_MAX:
        raise ValidationError({"title": [_("The title is longer than %(max)d characters.") % {"max": _TITLE_MAX}]})
    return text


def add_file_evidence(
    item: RequirementAssessment, user: Any, upload: UploadedFile, title: str = "", note: str = ""
) -> Evidence:
    """Store an uploaded file as evidence of ``item``; ``ValidationError`` when the file is refused."""
    name = upload.name or "evidence"
    title = _title(title, name)
    _no_nul(note=note)
    try:
        stored = store_evidence_file(upload.chunks(), name)
    except EvidenceError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    actor, _name = _actor(user)
    with transaction.atomic():
        evidence = Evidence.objects.create(
            item=item,
            kind=EvidenceKind.FILE,
            title=title,
            note=note.strip(),
            file_name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            added_by=actor,
        )
        _event(item, user, changes={"evidence_added": [None, title]})
    return evidence


#: Linked platform objects: (argument, evidence kind, model path).
_LINKS = (
    ("finding", EvidenceKind.FINDING, "findings.Finding"),
    ("directory_audit", EvidenceKind.DIRECTORY_AUDIT, "directory.DirectoryAudit"),
    ("exposure_scan", EvidenceKind.EXPOSURE_SCAN, "exposure.ExposureScan"),
    ("exercise", EvidenceKind.EXERCISE, "continuity.Exercise"),
)


def _linked(item: RequirementAssessment, user: Any, name: str, obj: Any) -> Any:
    """The object again, through ``restrict``: visible to ``user`` and in the assessment's branch."""
    from django.apps import apps

    label = {arg: model for arg, _kind, model in _LINKS}[name]
    model = apps.get_model(label)
    pk = getattr(obj, "pk", obj)
    found = model.objects.restrict(user, Action.VIEW).select_related("node").filter(pk=pk).first()
    if found is None:
        raise ValidationError({name: [_("No such object visible to you.")]})
    node_path = item.assessment.node.path
    if not (found.node.path.startswith(node_path) or node_path.startswith(found.node.path)):
        raise ValidationError({name: [_("The object must belong to the assessed node or its branch of the tree.")]})
    return found


def add_link_evidence(
    item: RequirementAssessment,
    user: Any,
    *,
    title: str = "",
    url: str = "",
    finding: Any = None,
    directory_audit: Any = None,
    exposure_scan: Any = None,
    exercise: Any = None,
    note: str = "",
) -> Evidence:
    """Attach a link (URL) or a platform object (finding, audit, scan, exercise) as evidence.

    Exactly one of ``url`` and the objects. ``ValidationError`` when the object is not visible to
    ``user``, lies outside the assessment's node, subtree and ancestors, or the URL is not http(s).
    """
    objects = {"finding": finding, "directory_audit": directory_audit, "exposure_scan": exposure_scan,
               "exercise": exercise}
    given = [name for name, value in objects.items() if value is not None]
    url = (url or "").strip()
    if len(given) + bool(url) != 1:
        raise ValidationError(_("Give exactly one of: a URL, a finding, a directory audit, a scan, an exercise."))
    _no_nul(note=note)
    fields: dict[str, Any] = {}
    if url:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise ValidationError({"url": [_("Enter an http(s) address.")]}) from exc
        if len(url) > 1000:  # noqa: PLR2004 - the field's length
            raise ValidationError({"url": [_("The address is too long.")]})
        kind, fallback = EvidenceKind.LINK, url
        fields["url"] = url
    else:
        name = given[0]
        kind = {arg: k for arg, k, _model in _LINKS}[name]
        found = _linked(item, user, name, objects[name])
        fields[name] = found
        fallback = str(found)
    title = _title(title, fallback[:_TITLE_MAX])
    actor, _name = _actor(user)
    with transaction.atomic():
        evidence = Evidence.objects.create(item=item, kind=kind, title=title, note=note.strip(), added_by=actor,
                                           **fields)
        _event(item, user, changes={"evidence_added": [None, title]})
    return evidence


def remove_evidence(evidence: Evidence, user: Any) -> RequirementEvent:
    """Remove a piece of evidence (the stored file stays: other evidence may share its content)."""
    item = evidence.item
    with transaction.atomic():
        title = evidence.title
        evidence.delete()
        return _event(item, user, changes={"evidence_removed": [title, None]})
