"""The shared test helpers of ``hygie.testing`` do what the suites rely on."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connection, transaction

from hygie.apps.accounts.models import AuditEvent
from hygie.testing.database import unlock_audit_log_for_flush
from hygie.testing.world import MARK_A, MARK_B, World, database_fingerprint


def _raw_delete_audit() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent")


class TestUnlockAuditLogForFlush:
    """The append-only triggers are lifted for one flush and are back after its post_migrate signal."""

    def test_lifted_then_restored(self, world: World) -> None:
        with pytest.raises(DatabaseError):
            _raw_delete_audit()
        unlock_audit_log_for_flush()
        _raw_delete_audit()
        assert 0 == AuditEvent.objects.count()
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        AuditEvent.objects.create(actor_name="test", channel="test", action="create")
        with pytest.raises(DatabaseError):
            _raw_delete_audit()


class TestWorld:
    """Each tenant owns one object of every kind, named with its marker; the fingerprint sees writes."""

    def test_markers(self, world: World) -> None:
        for kind in ("node", "asset", "application", "careactivity", "finding", "job", "user"):
            assert MARK_A in str(world.get(kind, "a")), kind
            assert MARK_B in str(world.get(kind, "b")), kind

    def test_sides_belong_to_their_group(self, world: World) -> None:
        tenants = world.tenants
        assert world.get("asset", "a").node.path.startswith(tenants.group_a.path)
        assert world.get("asset", "b").node.path.startswith(tenants.group_b.path)

    def test_fingerprint_sees_an_update(self, world: World) -> None:
        before = database_fingerprint()
        asset: Any = world.get("asset")
        asset.vendor = "Changed"
        asset.save()
        assert before != database_fingerprint()
