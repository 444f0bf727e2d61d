"""The append-only audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from hygie.apps.accounts.audit import acting_as
from hygie.apps.accounts.models import AuditEvent
from hygie.apps.accounts.permissions import Action


class TestAuditLog:
    """Changes to security data are recorded with who, what, before and after; nothing erases them."""

    def test_update_records_before_and_after(self, tenants: Any) -> None:
        """Renaming a node records the old and new name and the actor."""
        manager = tenants.users["manager"]
        with acting_as(manager, "web"):
            tenants.hospital_a.name = "Hospital A renamed"
            tenants.hospital_a.save()
        event = AuditEvent.objects.filter(object_type="organizations.Node", action="update").first()
        assert event is not None
        assert ["Hospital A", "Hospital A renamed"] == event.changes["name"]
        assert "manager_a" == event.actor_name
        assert tenants.hospital_a.pk == event.node_id

    def test_events_cannot_be_changed_or_deleted_through_the_orm(self, tenants: Any) -> None:
        """The queryset and the model refuse updates and deletes."""
        event = AuditEvent.objects.first()
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().update(actor_name="x")
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()
        with pytest.raises(PermissionError):
            event.save()

    def test_database_refuses_raw_updates(self, tenants: Any) -> None:
        """Even raw SQL cannot rewrite history: the database triggers abort it."""
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_auditevent SET actor_name = 'forged'")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_auditevent")

    def test_deleting_a_user_keeps_their_events(self, tenants: Any) -> None:
        """A departed user's actions stay in the log under their name."""
        analyst = tenants.users["analyst"]
        with acting_as(analyst, "web"):
            tenants.site_a.city = "Lyon"
            tenants.site_a.save()
        analyst.delete()
        assert AuditEvent.objects.filter(actor_name="analyst_a").exists()

    def test_audit_log_is_restricted(self, tenants: Any) -> None:
        """Auditors of group A read group A's events only; viewers read none."""
        with acting_as(tenants.outsider, "web"):
            tenants.hospital_b.city = "Grenoble"
            tenants.hospital_b.save()
        visible = AuditEvent.objects.restrict(tenants.users["auditor"], Action.VIEW_AUDIT)
        assert not visible.filter(node=tenants.hospital_b).exists()
        assert visible.filter(node=tenants.hospital_a).exists()
        assert not AuditEvent.objects.restrict(tenants.users["viewer"], Action.VIEW_AUDIT).exists()
