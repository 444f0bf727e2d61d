"""Database triggers that make the audit log append-only even for raw SQL."""

from __future__ import annotations

from django.db import migrations

from hygie.apps.accounts.append_only import AppendOnlyTable

AUDIT_LOG = AppendOnlyTable("accounts_auditevent", "hygie_audit_append_only", "the audit log is append-only")
forwards = AUDIT_LOG.forwards
backwards = AUDIT_LOG.backwards


class Migration(migrations.Migration):
    """Append-only audit log."""

    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
