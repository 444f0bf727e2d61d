"""Database triggers that make the crisis log append-only even for raw SQL."""

from __future__ import annotations

from django.db import migrations

from hygie.apps.accounts.append_only import AppendOnlyTable

CRISIS_LOG = AppendOnlyTable("incidents_logentry", "hygie_crisis_log_append_only",
                             "the crisis log is append-only")
forwards = CRISIS_LOG.forwards
backwards = CRISIS_LOG.backwards


class Migration(migrations.Migration):
    """Append-only crisis log."""

    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
