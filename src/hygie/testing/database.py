"""Database chores of tests that cannot run inside one transaction (live server, browser).

Such tests empty the tables afterwards with Django's ``flush``; on SQLite that is a ``DELETE``,
which the append-only triggers (audit log, crisis log) refuse. ``unlock_audit_log_for_flush``
removes the triggers for that one flush and puts them back as soon as it is done.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate

__all__ = ["unlock_audit_log_for_flush"]

_TRIGGERS = (
    importlib.import_module("hygie.apps.accounts.migrations.0002_audit_append_only"),
    importlib.import_module("hygie.apps.incidents.migrations.0002_crisis_log_append_only"),
)
_UID = "hygie.testing.database.restore_audit_triggers"


class _Executor:
    """The part of a schema editor the trigger migration uses, usable inside a transaction too.

    SQLite's real schema editor refuses to open inside an atomic block, where ordinary tests run.
    """

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _restore(sender: Any, **kwargs: Any) -> None:
    # Django's flush ends by sending post_migrate once per app: act on the first, then stop listening.
    post_migrate.disconnect(dispatch_uid=_UID)
    for module in _TRIGGERS:
        module.forwards(apps, _Executor())


def unlock_audit_log_for_flush() -> None:
    """Drop the append-only triggers now; the next flush's post_migrate signal reinstalls them."""
    for module in _TRIGGERS:
        module.backwards(apps, _Executor())
    post_migrate.connect(_restore, dispatch_uid=_UID, weak=False)
