"""Scans run through the real task worker against loopback listeners; register, diff, schedule, imports."""

from __future__ import annotations

import datetime as dt
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan, ScanSource, ScanStatus
from hygie.apps.exposure.running import ScanFailedError, enqueue_due_scans, exposure_dir, import_file
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.jobs.models import Job, JobStatus
from hygie.testing.tasks import run_queued_tasks

from .results import DICOM, RDP, SSH, WEB, perimeter, stored_scan

NMAP_XML = """<?xml version="1.0"?>
<nmaprun scanner="nmap" args="nmap -sT" start="1700000000" version="7.94">
<host><status state="up"/><address addr="192.0.2.31" addrtype="ipv4"/>
<ports><port protocol="tcp" portid="3389"><state state="open"/><service name="ms-wbt-server"/></port></ports>
</host></nmaprun>
"""


class _Banner(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"SSH-2.0-OpenSSH_8.9p1 Debian-3\r\n")


@pytest.fixture
def listener() -> Iterator[int]:
    """An SSH-looking TCP listener on 127.0.0.1 (an ephemeral port), served from a thread."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Banner)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _loopback(node: Any, port: int, **extra: Any) -> ExposurePerimeter:
    """A perimeter allowing 127.0.0.1 only, on ``port`` only, with fast timeouts."""
    return perimeter(
        node, name="Loopback", entries="127.0.0.1/32", ports=str(port), connect_timeout=1.0, probe_timeout=2.0, **extra
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestScanJob:
    """The vertical slice: start from the UI, job, result, register, re-scan, diff."""

    def test_scan_finds_the_listener_and_rescan_closes_it(self, tenants: Any, listener: int) -> None:
        """The SSH listener is found and reported; once gone, a re-scan closes its finding and the diff says so."""
        scope = _loopback(tenants.hospital_a, listener)
        client = _client(tenants.users["analyst"])
        response = client.post(f"/exposure/perimeters/{scope.pk}/run/")
        assert 302 == response.status_code, response.content
        run_queued_tasks()
        first = ExposureScan.objects.get()
        assert ScanStatus.DONE == first.status, first.error
        assert JobStatus.SUCCEEDED == first.job.status
        assert [listener] == [s["port"] for s in first.services()]
        assert "127.0.0.1" == first.services()[0]["address"]
        assert first.finding_count >= 1
        assert ["127.0.0.1/32"] == first.perimeter_snapshot["entries"]
        register = Finding.objects.filter(node=tenants.hospital_a, source="exposure")
        assert register.exists()
        assert set(register.values_list("fingerprint", flat=True)) == {f["fingerprint"] for f in first.findings()}
        page = client.get(first.get_absolute_url()).content.decode()
        assert f"{listener}/tcp" in page

        # The service goes away: the port is now closed.
        ExposurePerimeter.objects.filter(pk=scope.pk).update(ports=str(_free_port()))
        client.post(f"/exposure/perimeters/{scope.pk}/run/")
        run_queued_tasks()
        second = ExposureScan.objects.exclude(pk=first.pk).get()
        assert ScanStatus.DONE == second.status, second.error
        assert 0 == second.service_count
        assert 1 == second.changes["closed_services"]
        assert first.pk == second.changes["base_id"]
        assert not register.exclude(status=FindingStatus.FIXED).exists()
        diff = client.get(f"/exposure/{second.pk}/diff/").content.decode()
        assert f"127.0.0.1:{listener}/tcp" in diff

    def test_expired_authorisation_fails_the_job_and_stores_nothing(self, tenants: Any, listener: int) -> None:
        """An authorisation that ended: the engine refuses every target; the job fails with the reason."""
        scope = _loopback(tenants.hospital_a, listener)
        ExposurePerimeter.objects.filter(pk=scope.pk).update(valid_until=timezone.now() - dt.timedelta(days=1))
        client = _client(tenants.users["analyst"])
        client.post(f"/exposure/perimeters/{scope.pk}/run/")
        run_queued_tasks()
        scan = ExposureScan.objects.get()
        assert ScanStatus.FAILED == scan.status
        assert "authorisation" in scan.error
        assert scan.result is None
        assert JobStatus.FAILED == Job.objects.get().status
        assert not Finding.objects.exists()
        assert "authorisation" in client.get(scan.get_absolute_url()).content.decode()

    def test_viewer_cannot_start_and_disabled_perimeter_does_not_scan(self, tenants: Any, listener: int) -> None:
        """Starting needs the add right; a disabled perimeter queues nothing."""
        scope = _loopback(tenants.hospital_a, listener)
        assert 403 == _client(tenants.users["viewer"]).post(f"/exposure/perimeters/{scope.pk}/run/").status_code
        assert 404 == _client(tenants.outsider).post(f"/exposure/perimeters/{scope.pk}/run/").status_code
        ExposurePerimeter.objects.filter(pk=scope.pk).update(enabled=False)
        assert 302 == _client(tenants.users["analyst"]).post(f"/exposure/perimeters/{scope.pk}/run/").status_code
        assert not ExposureScan.objects.exists()
        assert not Job.objects.exists()


class TestRegister:
    """Findings land in the shared register, one perimeter never closes another's."""

    def test_rescan_updates_and_closes(self, tenants: Any) -> None:
        """RDP then SSH on the same perimeter: the RDP finding is closed, the SSH one opened, nothing duplicated."""
        scope = perimeter(tenants.hospital_a)
        stored_scan(tenants.hospital_a, RDP, days_ago=30, perimeter=scope)
        rdp = set(Finding.objects.filter(source="exposure").values_list("fingerprint", flat=True))
        assert rdp
        stored_scan(tenants.hospital_a, RDP, days_ago=20, perimeter=scope)
        assert rdp == set(Finding.objects.filter(source="exposure").values_list("fingerprint", flat=True))
        stored_scan(tenants.hospital_a, SSH, days_ago=10, perimeter=scope)
        closed = Finding.objects.filter(source="exposure", fingerprint__in=rdp)
        assert {FindingStatus.FIXED} == set(closed.values_list("status", flat=True))

    def test_other_perimeter_keeps_its_findings(self, tenants: Any) -> None:
        """A scan of perimeter B leaves the findings of perimeter A open on the same node."""
        first, other = perimeter(tenants.hospital_a, "A"), perimeter(tenants.hospital_a, "B")
        stored_scan(tenants.hospital_a, RDP, days_ago=5, perimeter=first)
        stored_scan(tenants.hospital_a, DICOM, days_ago=1, perimeter=other)
        open_findings = Finding.objects.filter(source="exposure", status=FindingStatus.OPEN)
        targets = {a["name"] for f in open_findings for a in f.affected}
        assert any("3389" in t for t in targets)
        assert any(":104/" in t for t in targets)


class TestSchedule:
    """Perimeters with an interval get a scan queued when due, once."""

    def test_due_perimeters_are_queued_once(self, tenants: Any) -> None:
        """Due: queued and moved on; not due, disabled, expired or unscheduled: nothing."""
        now = timezone.now()
        due = perimeter(tenants.hospital_a, "due", interval_days=7, next_run_at=now - dt.timedelta(minutes=1))
        perimeter(tenants.hospital_a, "later", interval_days=7, next_run_at=now + dt.timedelta(days=1))
        perimeter(tenants.hospital_a, "off", interval_days=7, next_run_at=now, enabled=False)
        perimeter(tenants.hospital_a, "by hand")
        expired = perimeter(tenants.hospital_b, "expired", interval_days=7, next_run_at=now)
        ExposurePerimeter.objects.filter(pk=expired.pk).update(valid_until=now - dt.timedelta(days=1))
        started = enqueue_due_scans(now)
        assert [due.pk] == [s.perimeter_id for s in started]
        scan = started[0]
        assert scan.scheduled
        assert "exposure.scan" == scan.job.kind
        due.refresh_from_db()
        assert now + dt.timedelta(days=7) == due.next_run_at
        assert ExposurePerimeter.objects.get(pk=expired.pk).next_run_at is None
        assert [] == enqueue_due_scans(now)

    def test_scheduled_job_runs_without_a_user(self, tenants: Any) -> None:
        """The worker runs a scheduled scan (no person asked): an unreachable port, a clean result."""
        now = timezone.now()
        perimeter(
            tenants.hospital_a,
            "night",
            entries="127.0.0.1/32",
            ports=str(_free_port()),
            connect_timeout=0.5,
            interval_days=1,
            next_run_at=now,
        )
        enqueue_due_scans(now)
        run_queued_tasks()
        scan = ExposureScan.objects.get()
        assert ScanStatus.DONE == scan.status, scan.error
        assert scan.created_by is None

    def test_cli_run_due(self, tenants: Any) -> None:
        """``schedule --run-due`` queues what is due and says how many."""
        from typer.testing import CliRunner

        from hygie.cli.exposure_platform import app

        perimeter(tenants.hospital_a, "due", interval_days=3, next_run_at=timezone.now() - dt.timedelta(hours=1))
        outcome = CliRunner().invoke(app, ["schedule", "--run-due"])
        assert 0 == outcome.exit_code, outcome.output
        assert "1 scans queued" in outcome.output
        assert 1 == ExposureScan.objects.count()


class TestImport:
    """An nmap file is judged and stored; a bad file stores nothing."""

    def test_nmap_import(self, tenants: Any, tmp_path: Path) -> None:
        """RDP in an nmap file: a scan (source nmap) with its finding in the register."""
        path = tmp_path / "scan.xml"
        path.write_text(NMAP_XML, encoding="utf-8")
        scan = import_file(tenants.users["analyst"], tenants.hospital_a, path, "scan.xml")
        assert ScanSource.NMAP == scan.source
        assert ScanStatus.DONE == scan.status
        assert [3389] == [s["port"] for s in scan.services()]
        assert Finding.objects.filter(node=tenants.hospital_a, source="exposure").exists()

    @pytest.mark.parametrize(
        "content", [NMAP_XML[: len(NMAP_XML) // 2], "<nmaprun><host>", "\x00\x01binary", "", '{"not": "masscan"}']
    )
    def test_bad_file_stores_nothing(self, tenants: Any, tmp_path: Path, content: str) -> None:
        """Truncated XML, binary garbage, an empty or foreign file: ScanFailedError, no scan, no finding."""
        suffix = ".json" if content.startswith("{") else ".xml"
        path = tmp_path / f"bad{suffix}"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ScanFailedError) as caught:
            import_file(tenants.users["analyst"], tenants.hospital_a, path, path.name)
        assert str(caught.value)
        assert "Traceback" not in str(caught.value)
        assert not ExposureScan.objects.exists()
        assert not Finding.objects.exists()

    def test_upload_view_refuses_bad_file_with_the_reason(self, tenants: Any) -> None:
        """The import page: a truncated file gives 400 with the message; the upload folder is emptied."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = _client(tenants.users["analyst"])
        bad = SimpleUploadedFile("scan.xml", NMAP_XML[:120].encode())
        response = client.post("/exposure/import/", {"node": tenants.hospital_a.pk, "file": bad})
        assert 400 == response.status_code
        assert not ExposureScan.objects.exists()
        assert not list((exposure_dir() / "uploads").glob("*/scan.xml"))
        good = SimpleUploadedFile("scan.xml", NMAP_XML.encode())
        response = client.post("/exposure/import/", {"node": tenants.hospital_a.pk, "file": good})
        assert 302 == response.status_code
        assert 1 == ExposureScan.objects.count()

    def test_too_large_refused(self, tenants: Any, settings: Any) -> None:
        """Above HYGIE_MAX_UPLOAD_MB: 413, nothing stored."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.HYGIE_MAX_UPLOAD_BYTES = 100
        upload = SimpleUploadedFile("scan.xml", NMAP_XML.encode())
        response = _client(tenants.users["analyst"]).post(
            "/exposure/import/", {"node": tenants.hospital_a.pk, "file": upload}
        )
        assert 413 == response.status_code
        assert not ExposureScan.objects.exists()


class TestDiffAndDashboard:
    """The node dashboard highlights what is new since the previous scans."""

    def test_card_counts_new_services_and_findings(self, tenants: Any) -> None:
        """WEB then WEB+RDP: the card says 1 new service and the RDP findings, on the node and its group."""
        scope = perimeter(tenants.hospital_a)
        first = stored_scan(tenants.hospital_a, WEB, days_ago=30, perimeter=scope)
        second = stored_scan(tenants.hospital_a, WEB, RDP, days_ago=1, perimeter=scope)
        assert 1 == second.changes["new_services"]
        assert second.changes["new_findings"] >= 1
        client = _client(tenants.users["viewer"])
        for node in (tenants.hospital_a, tenants.group_a):
            page = client.get(node.get_absolute_url()).content.decode()
            assert 'data-testid="exposure-card"' in page
            assert 'data-testid="exposure-new-services">1<' in page
        assert first.scanned_at is not None
        # The page shows the date in the server's time zone (Europe/Paris), which near midnight UTC is
        # not the UTC date.
        shown = timezone.localtime(first.scanned_at).strftime("%Y-%m-%d")
        assert shown in client.get(tenants.hospital_a.get_absolute_url()).content.decode()
        # Another tenant's dashboard says nothing about it.
        page = _client(tenants.outsider).get(tenants.group_b.get_absolute_url()).content.decode()
        assert "exposure-card" not in page
