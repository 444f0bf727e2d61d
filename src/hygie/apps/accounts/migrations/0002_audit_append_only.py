"""Database triggers that make the audit log append-only even for raw SQL."""

from __future__ import annotations

from typing import Any

from django.db import migrations

_SQLITE = [
    """CREATE TRIGGER accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    """CREATE TRIGGER accounts_auditevent_no_delete BEFORE DELETE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION hygie_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER accounts_auditevent_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
       FOR EACH ROW EXECUTE FUNCTION hygie_audit_append_only();""",
]
_UNDO = {
    "sqlite": ["DROP TRIGGER IF EXISTS accounts_auditevent_no_update;",
               "DROP TRIGGER IF EXISTS accounts_auditevent_no_delete;"],
    "postgresql": ["DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;",
                   "DROP FUNCTION IF EXISTS hygie_audit_append_only();"],
}


def _run(statements: dict[str, list[str]], schema_editor: Any) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    """Install the triggers for the running database."""
    _run({"sqlite": _SQLITE, "postgresql": _POSTGRES}, schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    """Remove them."""
    _run(_UNDO, schema_editor)


class Migration(migrations.Migration):
    """Append-only audit log."""

    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
