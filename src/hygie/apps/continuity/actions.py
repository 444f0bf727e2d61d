"""Actions decided after an exercise: findings of the register (owner, due date, workflow) linked to it.

An action is a manual finding (``manual.exercise_<exercise id>_<n>``) on the exercise's node, so
it follows the register's workflow and remediation plan like any other; :class:`ExerciseAction`
links it back to the exercise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.continuity.models import Exercise, ExerciseAction
from hygie.apps.findings.manual import create_manual_finding
from hygie.apps.findings.models import Finding

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["action_slug", "add_exercise_action"]


def action_slug(exercise: Exercise) -> str:
    """The next free slug of an action of ``exercise``: ``exercise_<id>_<n>``."""
    taken = set(
        Finding.objects.filter(
            node_id=exercise.node_id, check_id__startswith=f"manual.exercise_{exercise.pk}_"
        ).values_list("check_id", flat=True)
    )
    number = exercise.actions.count() + 1
    while f"manual.exercise_{exercise.pk}_{number}" in taken:
        number += 1
    return f"exercise_{exercise.pk}_{number}"


def add_exercise_action(
    exercise: Exercise,
    *,
    actor: Any,
    title: str,
    severity: str | int,
    owner: Any = None,
    due_date: dt.date | None = None,
    remediation: str = "",
) -> ExerciseAction:
    """Record an action of ``exercise`` as an open finding with its owner; ``ValidationError`` (nothing stored)."""
    if owner is not None and not user_can(owner, Action.VIEW, exercise.node.path):
        raise ValidationError({"owner": [_("The owner must be able to see the exercise's node.")]})
    with transaction.atomic():
        finding = create_manual_finding(
            exercise.node,
            actor=actor,
            slug=action_slug(exercise),
            title=title,
            severity=severity,
            affected=exercise.title,
            remediation=remediation,
            due_date=due_date,
        )
        if owner is not None:
            finding.owner = owner
            finding.save(update_fields=["owner"])
        return ExerciseAction.objects.create(exercise=exercise, finding=finding)
