"""Crisis-log entries cannot be edited or deleted: model, raw SQL, API, CLI, admin (the UI: test_views_log).

A correction is always a new entry naming the one it corrects; the original stays as written.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import Resolver404, resolve
from typer.testing import CliRunner

from hygie.apps.incidents.models import LogEntry
from hygie.apps.incidents.services import add_log_entry
from hygie.cli.incident import app as incident_app

from .support_cases import api_client, open_case

JSON = "application/json"


@pytest.fixture
def entry(tenants: Any) -> LogEntry:
    """A decision in the crisis log of an incident of hospital A."""
    incident = open_case(tenants)
    return add_log_entry(incident, kind="decision", text="Cut the Internet link", user=tenants.users["manager"])


def _unchanged(entry: LogEntry) -> None:
    row = LogEntry.objects.get(pk=entry.pk)
    assert (entry.text, entry.kind, entry.occurred_at) == (row.text, row.kind, row.occurred_at)


class TestModel:
    """The model and its queryset refuse every change."""

    def test_save_and_delete(self, entry: LogEntry) -> None:
        """Saving an existing entry or deleting it raises PermissionError."""
        entry.text = "Never happened"
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        entry.refresh_from_db()
        assert "Cut the Internet link" == entry.text

    def test_queryset_update_delete_bulk(self, entry: LogEntry) -> None:
        """Queryset update, delete and bulk_update raise PermissionError."""
        with pytest.raises(PermissionError):
            LogEntry.objects.filter(pk=entry.pk).update(text="x")
        with pytest.raises(PermissionError):
            LogEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(PermissionError):
            entry.incident.log_entries.all().delete()
        entry.text = "bulk"
        # bulk_update runs in its own atomic block: a savepoint keeps the test's transaction usable.
        with pytest.raises(PermissionError), transaction.atomic():
            LogEntry.objects.bulk_update([entry], ["text"])
        _unchanged(LogEntry.objects.get(pk=entry.pk))

    def test_incident_with_a_log_cannot_be_deleted(self, entry: LogEntry) -> None:
        """Deleting the incident would cascade: it is protected."""
        with pytest.raises(ProtectedError):
            entry.incident.delete()
        assert LogEntry.objects.filter(pk=entry.pk).exists()


class TestRawSql:
    """The database triggers refuse UPDATE and DELETE (SQLite and PostgreSQL alike)."""

    @pytest.mark.parametrize("statement", [
        "UPDATE incidents_logentry SET text = 'rewritten' WHERE id = %s",
        "DELETE FROM incidents_logentry WHERE id = %s",
    ])
    def test_refused(self, entry: LogEntry, statement: str) -> None:
        """Raw SQL fails with a database error naming the rule; the row is unchanged."""
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
        _unchanged(entry)


class TestApi:
    """No API route edits or deletes an entry."""

    def test_no_such_routes(self, entry: LogEntry, tenants: Any) -> None:
        """PUT, PATCH and DELETE on the log and on an entry answer 404 or 405; the row is unchanged."""
        api = api_client(tenants.users["administrator"])
        base = f"/api/incidents/{entry.incident_id}/log"
        for url in (base, f"{base}/{entry.pk}", f"/api/incidents/log/{entry.pk}"):
            for method in ("put", "patch", "delete"):
                response = getattr(api, method)(url, {"text": "rewritten"}, content_type=JSON)
                assert response.status_code in {404, 405}, f"{method} {url}: {response.status_code}"
        _unchanged(entry)

    def test_schema_has_no_writing_log_route(self) -> None:
        """The OpenAPI schema offers only GET and POST on paths about the log."""
        from hygie.web.api import api

        paths = api.get_openapi_schema()["paths"]
        methods = {m for path, ops in paths.items() if path.startswith("/api/incidents/") and "log" in path
                   for m in ops}
        assert {"get", "post"} == methods

    def test_correction_appends(self, entry: LogEntry, tenants: Any) -> None:
        """A correction through the API is a new entry; the original stays."""
        api = api_client(tenants.users["manager"])
        response = api.post(f"/api/incidents/{entry.incident_id}/log",
                            {"text": "At 9:15, not 9:00", "corrects_id": entry.pk}, content_type=JSON)
        assert 201 == response.status_code, response.content
        assert 2 == LogEntry.objects.filter(incident=entry.incident).exclude(pk__lt=entry.pk).count()
        _unchanged(entry)


class TestCli:
    """No command edits; ``log --corrects`` appends."""

    def test_no_editing_command(self) -> None:
        """The incident commands hold no edit, delete, amend or remove."""
        import typer.main

        group = typer.main.get_command(incident_app)
        names = set(group.commands)  # type: ignore[attr-defined]
        assert "log" in names
        assert not names & {"edit", "delete", "amend", "remove", "rm", "update"}
        log_options = {opt for param in group.commands["log"].params for opt in param.opts}  # type: ignore[attr-defined]
        assert not log_options & {"--edit", "--delete", "--replace"}

    def test_corrects_appends(self, entry: LogEntry) -> None:
        """``log REF text --corrects UID`` adds a correction; the original is unchanged."""
        before = LogEntry.objects.count()
        result = CliRunner().invoke(incident_app, ["log", entry.incident.reference, "It was 9:15",
                                                   "--corrects", str(entry.uid)])
        assert 0 == result.exit_code, result.output
        assert before + 1 == LogEntry.objects.count()
        correction = LogEntry.objects.latest("id")
        assert ("correction", entry.pk) == (correction.kind, correction.corrects_id)
        _unchanged(entry)


class TestAdmin:
    """The Django admin is not installed nor served, so it cannot edit the log."""

    def test_admin_not_served(self) -> None:
        """No admin app, no /admin/ route, and LogEntry registered with no admin site."""
        assert "django.contrib.admin" not in settings.INSTALLED_APPS
        with pytest.raises(Resolver404):
            resolve("/admin/")
        with pytest.raises(Resolver404):
            resolve("/admin/incidents/logentry/1/change/")
