"""Fixtures of the cross-cutting suites."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def world(db: Any) -> Any:
    """Both tenants with one object of every kind each (see ``hygie.testing.world``)."""
    from hygie.testing import build_world

    return build_world()


@pytest.fixture
def flushable_db(transactional_db: Any) -> Any:
    """``transactional_db`` whose final flush may empty the append-only audit log (see hygie.testing.database)."""
    yield
    from hygie.testing.database import unlock_audit_log_for_flush

    unlock_audit_log_for_flush()
