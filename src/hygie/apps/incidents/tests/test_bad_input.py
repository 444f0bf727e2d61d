"""Bad input to incidents gives a clear error and stores nothing, through the CLI, the API and the web UI.

Times in the future, unknown or foreign establishments, unreadable times and oversized evidence files
(issue 8, "Must show"). Each refusal is checked against the row counts of every model (and, for files,
the evidence folder): nothing is half stored.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from hygie.apps.accounts.models import ApiToken
from hygie.apps.accounts.permissions import Role
from hygie.apps.compliance.evidence_files import evidence_dir
from hygie.apps.incidents.models import Incident, IncidentKind
from hygie.apps.incidents.services import open_incident
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND
from hygie.cli.incident import app
from hygie.engines.incidents import PARIS
from hygie.testing import database_fingerprint

if TYPE_CHECKING:
    from pathlib import Path

#: A small upload limit for the tests, so that "oversized" costs a few kilobytes.
LIMIT = 1024


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _tomorrow() -> str:
    """Tomorrow on the Paris wall clock, as the CLI reads it."""
    return (timezone.now() + dt.timedelta(days=1)).astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


def _yesterday() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=1)


def _files() -> set[Path]:
    folder = evidence_dir()
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


@pytest.fixture
def incident(tenants: Any) -> Incident:
    """A ransomware at hospital A, opened yesterday by its group's manager."""
    return open_incident(node=tenants.hospital_a, user=tenants.users[Role.MANAGER], title="Ransomware A",
                         kind=IncidentKind.RANSOMWARE, aware_at=_yesterday())


@pytest.fixture
def api(tenants: Any) -> Client:
    """An API client with a token of group A's manager (issued before any fingerprint is taken)."""
    _token, key = ApiToken.issue(tenants.users[Role.MANAGER], "bad-input")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _ui(tenants: Any) -> Client:
    client = Client()
    client.force_login(tenants.users[Role.MANAGER])
    return client


class TestCli:
    """``hygie incident``: a message on standard error, exit 3 (invalid) or 4 (not found), nothing stored."""

    def _open(self, *extra: str, node: str = "Hospital A", aware_at: str = "2026-01-10 08:30") -> tuple[int, str]:
        return _run("open", "--node", node, "--title", "Ransomware", "--kind", "ransomware", "--aware-at", aware_at,
                    "--as", "manager_a", *extra)

    def test_unknown_node(self, tenants: Any) -> None:
        """Given an establishment nobody knows, when opening, then exit 4 naming it, and nothing is stored."""
        before = database_fingerprint()
        code, output = self._open(node="CH Inconnu")
        assert EXIT_NOT_FOUND == code
        assert "CH Inconnu" in output
        assert before == database_fingerprint()

    def test_node_of_another_tenant(self, tenants: Any) -> None:
        """Given group B's hospital, when group A's manager opens an incident there, then it is unknown to them."""
        before = database_fingerprint()
        assert EXIT_NOT_FOUND == self._open(node="Hospital B")[0]
        assert EXIT_NOT_FOUND == self._open("--establishment", "Hospital B")[0]
        assert before == database_fingerprint()

    def test_awareness_in_the_future(self, tenants: Any) -> None:
        """Given a time of awareness tomorrow, when opening, then exit 3 saying it is in the future."""
        before = database_fingerprint()
        code, output = self._open(aware_at=_tomorrow())
        assert EXIT_INVALID_INPUT == code
        assert "future" in output
        assert before == database_fingerprint()

    @pytest.mark.parametrize("text", ["yesterday", "2026-13-45 08:00", "24/11/2026 8h30", "0001-01-01 00:00"])
    def test_unreadable_time(self, tenants: Any, text: str) -> None:
        """Given a time the CLI cannot read (or an implausible one), then exit 3 showing the expected form."""
        before = database_fingerprint()
        code, output = self._open(aware_at=text)
        assert EXIT_INVALID_INPUT == code, output
        assert "error" in output
        assert before == database_fingerprint()

    def test_log_entry_in_the_future(self, incident: Incident) -> None:
        """Given an entry dated tomorrow, when logging, then exit 3 and the log is unchanged."""
        before = database_fingerprint()
        code, output = _run("log", incident.reference, "Backups checked", "--at", _tomorrow(), "--as", "manager_a")
        assert EXIT_INVALID_INPUT == code
        assert "future" in output
        assert before == database_fingerprint()

    def test_obligation_done_in_the_future(self, incident: Incident) -> None:
        """Given a clock marked done tomorrow, then exit 3 and no obligation is recorded."""
        before = database_fingerprint()
        code, _output = _run("clock", incident.reference, "--done", "cert_sante", "--at", _tomorrow(),
                             "--proof", "CS-1", "--as", "manager_a")
        assert EXIT_INVALID_INPUT == code
        assert before == database_fingerprint()

    def test_unknown_incident(self, tenants: Any) -> None:
        """Given a reference nobody has, then exit 4."""
        code, output = _run("show", "INC-1999-0042", "--as", "manager_a")
        assert EXIT_NOT_FOUND == code
        assert "INC-1999-0042" in output


class TestApi:
    """``/api/incidents/``: 404 for what the caller cannot see, 422 for times in the future, 413 for big files."""

    def _open(self, api: Client, tenants: Any, **changes: Any) -> Any:
        payload = {"node_id": tenants.hospital_a.pk, "title": "Ransomware", "kind": "ransomware",
                   "aware_at": _yesterday().isoformat(), **changes}
        return api.post("/api/incidents/", json.dumps(payload), content_type="application/json")

    def test_unknown_node(self, api: Client, tenants: Any) -> None:
        """An unknown node id is a 404 and nothing is stored."""
        before = database_fingerprint()
        response = self._open(api, tenants, node_id=987654321)
        assert 404 == response.status_code
        assert before == database_fingerprint()

    def test_foreign_establishment(self, api: Client, tenants: Any) -> None:
        """Group B's hospital, named as the node or as an affected establishment, is unknown to group A."""
        before = database_fingerprint()
        assert 404 == self._open(api, tenants, node_id=tenants.hospital_b.pk).status_code
        response = self._open(api, tenants, establishment_ids=[tenants.hospital_b.pk])
        assert 404 == response.status_code
        assert before == database_fingerprint()

    def test_awareness_in_the_future(self, api: Client, tenants: Any) -> None:
        """A time of awareness tomorrow is refused with 422 saying so."""
        before = database_fingerprint()
        response = self._open(api, tenants, aware_at=(timezone.now() + dt.timedelta(days=1)).isoformat())
        assert 422 == response.status_code
        assert "future" in response.content.decode()
        assert before == database_fingerprint()

    def test_log_entry_in_the_future(self, api: Client, incident: Incident) -> None:
        """An entry dated tomorrow is refused with 422; the log is unchanged."""
        before = database_fingerprint()
        response = api.post(f"/api/incidents/{incident.pk}/log", json.dumps({
            "kind": "decision", "text": "Backups checked",
            "occurred_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}), content_type="application/json")
        assert 422 == response.status_code
        assert before == database_fingerprint()

    def test_oversized_evidence(self, api: Client, incident: Incident) -> None:
        """A file over the upload limit is refused with 413: no row, no file left behind."""
        before, files = database_fingerprint(), _files()
        upload = SimpleUploadedFile("note.txt", b"x" * (4 * LIMIT), content_type="text/plain")
        with override_settings(HYGIE_MAX_UPLOAD_BYTES=LIMIT, DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT):
            response = api.post(f"/api/incidents/{incident.pk}/evidence", {"file": upload, "title": "N"})
        assert 413 == response.status_code
        assert "too large" in response.content.decode()
        assert before == database_fingerprint()
        assert files == _files()


class TestWebUi:
    """The forms answer 400 (413 for a big file) with the error next to the field, and store nothing."""

    def test_open_in_the_future(self, tenants: Any) -> None:
        """The open form refuses a time of awareness tomorrow."""
        tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
        before = database_fingerprint()
        response = _ui(tenants).post(reverse("incidents:incident_open"), {
            "node": tenants.hospital_a.pk, "title": "Ransomware", "kind": "ransomware", "severity": 3,
            "aware_at": tomorrow, "significant": "on"})
        assert 400 == response.status_code
        assert "in the future" in response.content.decode()
        assert before == database_fingerprint()

    def test_open_at_a_foreign_node(self, tenants: Any) -> None:
        """Group B's hospital is not a choice for group A's manager, as node or as affected establishment."""
        before = database_fingerprint()
        client = _ui(tenants)
        base = {"title": "Ransomware", "kind": "ransomware", "severity": 3, "significant": "on",
                "aware_at": _yesterday().astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")}
        assert 400 == client.post(reverse("incidents:incident_open"),
                                  {**base, "node": tenants.hospital_b.pk}).status_code
        assert 400 == client.post(reverse("incidents:incident_open"), {
            **base, "node": tenants.hospital_a.pk, "establishments": [tenants.hospital_b.pk]}).status_code
        assert before == database_fingerprint()

    def test_oversized_evidence(self, incident: Incident, tenants: Any) -> None:
        """A file over the limit is refused as a form error: no row, no file left behind."""
        before, files = database_fingerprint(), _files()
        upload = SimpleUploadedFile("note.txt", b"x" * (4 * LIMIT), content_type="text/plain")
        with override_settings(HYGIE_MAX_UPLOAD_BYTES=LIMIT):
            response = _ui(tenants).post(reverse("incidents:evidence_upload", args=[incident.pk]),
                                         {"title": "Note", "file": upload})
        assert response.status_code in {400, 413}
        assert before == database_fingerprint()
        assert files == _files()
