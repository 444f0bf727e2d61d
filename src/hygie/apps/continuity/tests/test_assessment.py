"""Model checks stored as findings of the node (source ``continuity``), and exercise actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from hygie.apps.continuity.actions import add_exercise_action
from hygie.apps.continuity.assessment import SOURCE, audit_node
from hygie.apps.continuity.models import Exercise, ExerciseKind
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.engines.continuity.loader import ModelError

from .support import build_continuity


class TestAuditNode:
    """``audit_node`` upserts the model findings and closes those fixed."""

    def test_findings(self, tenants: Any) -> None:
        """The PACS has only an online copy; fixing it closes the finding at the next audit."""
        built = build_continuity(tenants.hospital_a)
        count = audit_node(tenants.hospital_a, as_of=dt.date(2026, 11, 1))
        findings = Finding.objects.filter(node=tenants.hospital_a, source=SOURCE)
        assert count == findings.count() > 0
        offline = findings.filter(check_id="continuity.backup_no_offline_copy")
        assert any(a["name"] == "PACS" for f in offline for a in f.affected)
        plan = built["plans"]["PACS"]
        plan.copies.update(online=False)
        audit_node(tenants.hospital_a, as_of=dt.date(2026, 11, 1))
        pacs = [f for f in offline.all() if any(a["name"] == "PACS" for a in f.affected)]
        assert [FindingStatus.FIXED] == [f.status for f in pacs]

    def test_invalid_model(self, tenants: Any) -> None:
        """An invalid model raises and stores nothing."""
        built = build_continuity(tenants.hospital_a)
        built["storage"].restore_h = None
        built["storage"].save()
        with pytest.raises(ModelError, match="SAN storage"):
            audit_node(tenants.hospital_a)
        assert not Finding.objects.exists()


class TestExerciseActions:
    """Exercise actions are findings with an owner and a due date."""

    def test_add(self, tenants: Any) -> None:
        """Two actions, two findings on the exercise's node, linked back."""
        exercise = Exercise.objects.create(
            node=tenants.hospital_a, kind=ExerciseKind.TABLETOP, title="Ransomware tabletop",
            planned_on=dt.date(2026, 10, 1),
        )  # fmt: skip
        analyst = tenants.users["analyst"]
        first = add_exercise_action(
            exercise, actor=analyst, title="Print the paper kit", severity="high", owner=analyst,
            due_date=dt.date(2026, 12, 1),
        )  # fmt: skip
        second = add_exercise_action(exercise, actor=analyst, title="Second team", severity="medium")
        assert [first.pk, second.pk] == [a.pk for a in exercise.actions.order_by("pk")]
        finding = first.finding
        assert (tenants.hospital_a, analyst, dt.date(2026, 12, 1)) == (finding.node, finding.owner, finding.due_date)
        assert f"manual.exercise_{exercise.pk}_2" == second.finding.check_id

    def test_bad_input(self, tenants: Any) -> None:
        """A bad severity or an owner who cannot see the node: nothing stored."""
        exercise = Exercise.objects.create(
            node=tenants.hospital_a, kind=ExerciseKind.TABLETOP, title="T", planned_on=dt.date(2026, 10, 1)
        )
        with pytest.raises(ValidationError):
            add_exercise_action(exercise, actor=None, title="x", severity="apocalyptic")
        with pytest.raises(ValidationError):
            add_exercise_action(exercise, actor=None, title="x", severity="low", owner=tenants.outsider)
        assert not Finding.objects.exists()
