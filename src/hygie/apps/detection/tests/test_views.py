"""Pages of log detection by role, the upload form, the workflow buttons, timeline, coverage, dashboard, CLI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from typer.testing import CliRunner

from hygie.apps.detection.models import Alert, AlertStatus, Hunt, LogSource, LogUpload, RulePack
from hygie.apps.detection.running import execute_hunt, new_hunt
from hygie.apps.detection.uploads import store_log_file
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE
from hygie.cli.detect_platform import app
from hygie.testing.tasks import run_queued_tasks

from .support import RULES, attack_events, jsonl, pack_version, source


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hunted(tenants: Any, tmp_path: Path) -> LogSource:
    """A source of hospital A with a file hunted by a global pack of the test rules (3 alerts)."""
    version = pack_version(tmp_path)
    src = source(tenants.hospital_a)
    upload, _ = store_log_file(src, [jsonl(attack_events())], "night.jsonl")
    execute_hunt(new_hunt(src, version, [upload], None))
    return src


class TestAlertPages:
    """The list, the detail with its workflow, the timeline and the coverage matrix."""

    def test_list_filters(self, hunted: LogSource, tenants: Any) -> None:
        """Level, tag, host and time filters narrow the list."""
        client = _client(tenants.users["viewer"])
        page = client.get("/detection/", {"min_level": 4}).content.decode()
        assert "LSASS memory access" in page
        assert "Shadow copies" not in page
        page = client.get("/detection/", {"tag": "attack.t1490"}).content.decode()
        assert "Shadow copies" in page
        assert "LSASS" not in page
        page = client.get("/detection/", {"host": "srv-app02", "since": "2026-11-20T02:59:00Z"}).content.decode()
        assert "RDP logon" in page
        assert "LSASS" not in page
        assert 'name="alerts"' not in page  # a viewer gets no bulk checkboxes

    def test_detail_and_workflow(self, hunted: LogSource, tenants: Any) -> None:
        """The analyst escalates with a reference; the page shows the event fields, rule and history."""
        alert = Alert.objects.get(rule_title="Shadow copies deleted with vssadmin")
        client = _client(tenants.users["analyst"])
        page = client.get(f"/detection/alerts/{alert.pk}/").content.decode()
        assert "vssadmin.exe delete shadows /all" in page
        assert "ransomware" in page
        assert 'data-testid="transition-submit"' in page
        response = client.post(f"/detection/alerts/{alert.pk}/transition/", {"status": "escalated"})
        alert.refresh_from_db()
        assert (302, AlertStatus.NEW) == (response.status_code, alert.status)  # refused: no incident reference
        client.post(
            f"/detection/alerts/{alert.pk}/transition/",
            {"status": "escalated", "incident_reference": "INC-7", "comment": "ransomware"},
        )
        alert.refresh_from_db()
        assert (AlertStatus.ESCALATED, "INC-7") == (alert.status, alert.incident_reference)
        assert "INC-7" in client.get(f"/detection/alerts/{alert.pk}/").content.decode()

    def test_viewer_cannot_move_alerts(self, hunted: LogSource, tenants: Any) -> None:
        """A read-only role sees no workflow form and is refused (403) when it posts anyway."""
        alert = Alert.objects.first()
        client = _client(tenants.users["viewer"])
        assert 'data-testid="transition-submit"' not in client.get(f"/detection/alerts/{alert.pk}/").content.decode()
        assert 403 == client.post(f"/detection/alerts/{alert.pk}/transition/", {"status": "acknowledged"}).status_code
        assert (
            403 == client.post("/detection/alerts/bulk/", {"alerts": [alert.pk], "status": "acknowledged"}).status_code
        )
        assert not Alert.objects.exclude(status=AlertStatus.NEW).exists()

    def test_bulk(self, hunted: LogSource, tenants: Any) -> None:
        """Ticked alerts are acknowledged together."""
        ids = list(Alert.objects.values_list("pk", flat=True)[:2])
        response = _client(tenants.users["analyst"]).post(
            "/detection/alerts/bulk/", {"alerts": ids, "status": "acknowledged", "next": "/detection/?open=true"}
        )
        assert ("/detection/?open=true", 2) == (
            response["Location"],
            Alert.objects.filter(status="acknowledged").count(),
        )

    def test_unsafe_redirect_and_reference(self, hunted: LogSource, tenants: Any) -> None:
        """The bulk form never redirects to another site; a rule reference that is not a web address is no link."""
        alert = Alert.objects.first()
        client = _client(tenants.users["analyst"])
        response = client.post(
            "/detection/alerts/bulk/", {"alerts": [alert.pk], "status": "acknowledged", "next": "//evil.example/"}
        )
        assert "/detection/" == response["Location"]
        Alert.objects.filter(pk=alert.pk).update(references=["javascript:alert(1)", "https://example.org/r"])
        page = client.get(f"/detection/alerts/{alert.pk}/").content.decode()
        assert 'href="javascript' not in page
        assert 'href="https://example.org/r"' in page

    def test_timeline(self, hunted: LogSource, tenants: Any) -> None:
        """Alerts in time order, grouped by hour, with host and level; a hunt's timeline only shows it."""
        client = _client(tenants.users["viewer"])
        page = client.get("/detection/timeline/").content.decode()
        order = [page.index(title) for title in ("LSASS memory access", "RDP logon", "Shadow copies")]
        assert order == sorted(order)
        assert "2026-11-20 02:00" in page or "2026-11-20 03:00" in page
        assert 3 == page.count('data-testid="timeline-alert"')
        other = Hunt.objects.create(node=tenants.hospital_a, source=hunted)
        assert 0 == client.get("/detection/timeline/", {"hunt": other.pk}).content.decode().count(
            'data-testid="timeline-alert"'
        )
        assert 1 == client.get("/detection/timeline/", {"by": "day"}).content.decode().count("<h3>")

    def test_coverage(self, hunted: LogSource, tenants: Any) -> None:
        """Techniques of the active packs under their tactics; those with alerts marked."""
        page = _client(tenants.users["viewer"]).get("/detection/coverage/").content.decode()
        assert "Credential access" in page
        assert "T1003.001" in page
        assert "T1490" in page
        assert 3 == page.count('class="alerted"')
        assert (
            404
            == _client(tenants.users["viewer"]).get("/detection/coverage/", {"node": tenants.hospital_b.pk}).status_code
        )

    def test_dashboard_card(self, hunted: LogSource, tenants: Any) -> None:
        """The node dashboard counts open alerts by level."""
        page = _client(tenants.users["viewer"]).get(f"/organizations/{tenants.hospital_a.pk}/").content.decode()
        assert 'data-testid="detection-card"' in page
        assert 'data-testid="detection-level-critical">1<' in page


class TestSourcesAndUploads:
    """Log sources, their files and hunts; watched folders for administrators only."""

    def test_upload_then_hunt_job(self, tenants: Any, tmp_path: Path) -> None:
        """Uploading a file queues its hunt; the job raises the alerts."""
        pack_version(tmp_path)
        src = source(tenants.hospital_a)
        response = _client(tenants.users["analyst"]).post(
            "/detection/upload/",
            {"source": src.pk, "hunt": "on", "file": SimpleUploadedFile("night.jsonl", jsonl(attack_events()))},
        )
        hunt = Hunt.objects.get()
        assert (302, hunt.get_absolute_url()) == (response.status_code, response["Location"])
        run_queued_tasks()
        assert 3 == Alert.objects.filter(hunt=hunt).count()
        assert "3 new alerts" in _client(tenants.users["viewer"]).get(hunt.get_absolute_url()).content.decode()

    def test_bad_upload(self, tenants: Any) -> None:
        """A bad file is refused with the reason under the field (400) and nothing is stored."""
        src = source(tenants.hospital_a)
        client = _client(tenants.users["analyst"])
        response = client.post("/detection/upload/", {"source": src.pk, "file": SimpleUploadedFile("x.evtx", b"nope")})
        assert 400 == response.status_code
        assert "not a Windows event log" in response.content.decode()
        response = client.post("/detection/upload/", {"source": src.pk, "file": SimpleUploadedFile("x.exe", b"MZ")})
        assert 400 == response.status_code
        assert "Expected an .evtx" in response.content.decode()
        with override_settings(HYGIE_MAX_UPLOAD_BYTES=10):
            big = SimpleUploadedFile("x.jsonl", b"{}\n" * 10)
            assert 413 == client.post("/detection/upload/", {"source": src.pk, "file": big}).status_code
        assert not LogUpload.objects.exists()

    def test_watched_folder_needs_an_administrator(self, tenants: Any, tmp_path: Path) -> None:
        """A manager may declare a source but not a watched folder; an administrator may, if the folder exists."""
        data = {
            "node": tenants.hospital_a.pk,
            "name": "Sysmon",
            "kind": "sysmon_linux",
            "host_names": "pacs01",
            "watched_folder": str(tmp_path),
            "enabled": "on",
        }
        response = _client(tenants.users["manager"]).post("/detection/sources/add/", data)
        assert 400 == response.status_code
        assert "Only administrators" in response.content.decode()
        admin = _client(tenants.users["administrator"])
        response = admin.post("/detection/sources/add/", {**data, "watched_folder": str(tmp_path / "nope")})
        assert 400 == response.status_code
        assert "does not exist" in response.content.decode()
        assert 302 == admin.post("/detection/sources/add/", data).status_code
        assert LogSource.objects.get().watched_folder == str(tmp_path)

    def test_pack_upload_and_page(self, tenants: Any) -> None:
        """A zip of rules becomes a pack version; the page lists refused rules with their reasons."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, text in RULES.items():
                archive.writestr(f"rules/{name}", text)
            archive.writestr("rules/broken.yml", "title: broken\n")
        client = _client(tenants.users["analyst"])
        response = client.post(
            "/detection/packs/upload/",
            {"node": tenants.hospital_a.pk, "name": "Local", "file": SimpleUploadedFile("r.zip", buffer.getvalue())},
        )
        pack = RulePack.objects.get(name="Local")
        assert (302, pack.get_absolute_url()) == (response.status_code, response["Location"])
        page = client.get(pack.get_absolute_url()).content.decode()
        assert "rules/broken.yml" in page
        assert "LSASS memory access" in page
        bad = SimpleUploadedFile("r.zip", b"not a zip")
        response = client.post(
            "/detection/packs/upload/", {"node": tenants.hospital_a.pk, "name": "Other", "file": bad}
        )
        assert 400 == response.status_code
        assert not RulePack.objects.filter(name="Other").exists()


class TestCli:
    """``hygie detect platform``: sources, upload, hunt, alerts, packs, pack-upload, watch."""

    def test_commands(self, tenants: Any, tmp_path: Path) -> None:
        """Upload and hunt as an analyst; the alerts list filters; errors exit with their codes."""
        src = source(tenants.hospital_a)
        pack_version(tmp_path, name="cli rules")
        logs = tmp_path / "night.jsonl"
        logs.write_bytes(jsonl(attack_events()))
        runner = CliRunner()
        result = runner.invoke(app, ["upload", str(src.pk), str(logs), "--as", "analyst_a"])
        assert 0 == result.exit_code, result.output
        result = runner.invoke(app, ["hunt", str(src.pk), "--pack", "cli rules", "--as", "analyst_a"])
        assert 0 == result.exit_code, result.output
        assert "3 new alerts" in result.output, result.output
        result = runner.invoke(app, ["alerts", "--min-level", "critical", "--as", "viewer_a"])
        assert "LSASS" in result.output
        assert "Shadow" not in result.output
        assert "Sysmon" in runner.invoke(app, ["sources", "--as", "viewer_a"]).output
        assert "cli" in runner.invoke(app, ["packs", "--as", "viewer_a"]).output
        assert EXIT_PERMISSION == runner.invoke(app, ["upload", str(src.pk), str(logs), "--as", "viewer_a"]).exit_code
        assert EXIT_NOT_FOUND == runner.invoke(app, ["hunt", str(src.pk), "--as", "manager_b"]).exit_code
        assert EXIT_USAGE == runner.invoke(app, ["alerts", "--min-level", "huge"]).exit_code
        bad = tmp_path / "bad.evtx"
        bad.write_bytes(b"nope")
        result = runner.invoke(app, ["upload", str(src.pk), str(bad), "--as", "analyst_a"])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "not a Windows event log" in result.output
        (tmp_path / "empty").mkdir()
        result = runner.invoke(
            app, ["pack-upload", "empty", str(tmp_path / "empty"), "--node", str(tenants.hospital_a.pk)]
        )
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "No rule could be loaded" in result.output
        result = runner.invoke(
            app,
            [
                "pack-upload",
                "local",
                str(tmp_path / "rules-cli-rules"),
                "--node",
                str(tenants.hospital_a.pk),
                "--as",
                "analyst_a",
            ],
        )
        assert 0 == result.exit_code, result.output
        assert "3 rules loaded" in result.output, result.output
        assert (
            EXIT_PERMISSION
            == runner.invoke(
                app, ["pack-upload", "global", str(tmp_path / "rules-cli-rules"), "--as", "analyst_a"]
            ).exit_code
        )
        assert 0 == runner.invoke(app, ["watch"]).exit_code
