"""Perimeter validation, pages by role, the report, the CLI and the demo."""

from __future__ import annotations

import datetime as dt
from html import escape as html_escape
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from typer.testing import CliRunner

from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan
from hygie.apps.exposure.report import remediation_plan, report_html, report_pdf, standalone_report_html
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION
from hygie.cli.exposure_platform import app
from hygie.engines.exposure.registry import CHECKS

from .results import DICOM, RDP, WEB, perimeter, result, stored_scan
from .test_running import NMAP_XML


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestPerimeterModel:
    """The engine's parsers validate what the administrator declares, on the field at fault."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("entries", "192.0.2.0/33"),
            ("entries", "not a host!"),
            ("exclusions", "*.whole.example"),
            ("ports", "22,70000"),
            ("nameservers", "dns.example"),
            ("dns_domains", "bad_domain!"),
        ],
    )
    def test_invalid_field(self, tenants: Any, field: str, value: str) -> None:
        """Each bad value is refused with a message on its own field."""
        scope = ExposurePerimeter(
            node=tenants.hospital_a,
            name="x",
            entries="192.0.2.0/24",
            authorised_by="CISO",
            valid_until=timezone.now() + dt.timedelta(days=1),
        )
        setattr(scope, field, value)
        with pytest.raises(ValidationError) as caught:
            scope.full_clean()
        assert field in caught.value.message_dict

    def test_engine_objects_and_schedule(self, tenants: Any) -> None:
        """perimeter(), policy() and port_list() are the engine's; schedule_next counts from the given time."""
        scope = perimeter(tenants.hospital_a, ports="22,443", rate=5, interval_days=3)
        assert scope.perimeter().authorised_by == "CISO"
        assert (22, 443) == scope.port_list()
        assert 5 == scope.policy().rate
        assert 2 == scope.policy().host_concurrency
        now = timezone.now()
        scope.schedule_next(now)
        assert now + dt.timedelta(days=3) == scope.next_run_at


class TestPerimeterPages:
    """Only administrators of the node declare or change a perimeter."""

    def _form(self, node: Any, name: str = "Internet") -> dict[str, Any]:
        return {
            "node": node.pk,
            "name": name,
            "entries": "192.0.2.0/24",
            "authorised_by": "CISO",
            "valid_until": "2099-01-01T00:00",
            "ports": "hospital",
            "rate": 300,
            "host_concurrency": 2,
            "host_connection_cap": 3000,
            "connect_timeout": 2,
            "probe_timeout": 8,
            "retries": 1,
            "resolver_port": 53,
            "interval_days": 7,
            "enabled": "on",
        }

    def test_administrator_declares_others_refused(self, tenants: Any) -> None:
        """Administrator: saved with its schedule; manager and analyst: 403; a bad CIDR: 400 with the reason."""
        admin = _client(tenants.users["administrator"])
        response = admin.post("/exposure/perimeters/add/", self._form(tenants.hospital_a))
        assert 302 == response.status_code, response.content
        scope = ExposurePerimeter.objects.get()
        assert scope.next_run_at is not None
        for role in ("manager", "analyst"):
            client = _client(tenants.users[role])
            assert 403 == client.get("/exposure/perimeters/add/").status_code
            assert 403 == client.get(f"/exposure/perimeters/{scope.pk}/edit/").status_code
            assert 403 == client.post(f"/exposure/perimeters/{scope.pk}/delete/").status_code
        bad = admin.post("/exposure/perimeters/add/", {**self._form(tenants.hospital_a, "B"), "entries": "10.0.0.0/40"})
        assert 400 == bad.status_code
        assert "10.0.0.0/40" in bad.content.decode()
        # An administrator of group A cannot declare on group B (not offered): 400, nothing saved.
        foreign = admin.post("/exposure/perimeters/add/", self._form(tenants.hospital_b, "C"))
        assert 400 == foreign.status_code
        assert 1 == ExposurePerimeter.objects.count()
        page = _client(tenants.users["viewer"]).get(scope.get_absolute_url())
        assert 200 == page.status_code
        assert "192.0.2.0/24" in page.content.decode()
        assert 404 == _client(tenants.outsider).get(scope.get_absolute_url()).status_code
        assert 302 == Client().get(scope.get_absolute_url()).status_code


class TestScanPages:
    """History, detail and diff pages; another tenant's scan is a 404."""

    def test_pages(self, tenants: Any) -> None:
        """The viewer sees list, detail (services, findings), diff and the report; the outsider gets 404."""
        scope = perimeter(tenants.hospital_a)
        first = stored_scan(tenants.hospital_a, WEB, days_ago=20, perimeter=scope)
        second = stored_scan(tenants.hospital_a, WEB, RDP, days_ago=1, perimeter=scope)
        viewer = _client(tenants.users["viewer"])
        assert str(second) in viewer.get("/exposure/").content.decode()
        detail = viewer.get(second.get_absolute_url()).content.decode()
        assert "192.0.2.31" in detail
        assert "3389/tcp" in detail
        diff = viewer.get(f"/exposure/{second.pk}/diff/?base={first.pk}").content.decode()
        assert 'data-testid="diff-new-services">1<' in diff
        html = viewer.get(f"/exposure/{second.pk}/report/?format=html")
        assert 200 == html.status_code
        assert 400 == viewer.get(f"/exposure/{second.pk}/report/?format=doc").status_code
        outsider = _client(tenants.outsider)
        for suffix in ("", "diff/", "report/?format=html"):
            assert 404 == outsider.get(f"/exposure/{second.pk}/{suffix}").status_code, suffix
        assert 404 == viewer.get(f"/exposure/{second.pk}/diff/?base=999999").status_code
        assert 403 == viewer.get("/exposure/import/").status_code
        assert 200 == _client(tenants.users["analyst"]).get("/exposure/import/").status_code


class TestReport:
    """The report a CISO hands over, in both languages."""

    def test_html_and_pdf(self, tenants: Any) -> None:
        """Perimeter, authorisation, map, plan (critical first), diff; the PDF starts with %PDF."""
        scope = perimeter(tenants.hospital_a, authorised_by="Dr Martin, director")
        stored_scan(tenants.hospital_a, WEB, days_ago=20, perimeter=scope)
        scan = stored_scan(tenants.hospital_a, WEB, RDP, DICOM, days_ago=1, perimeter=scope)
        scan.perimeter_snapshot = scope.snapshot()
        plan = remediation_plan(scan)
        assert plan
        ranks = [("critical", "high", "medium", "low", "info").index(step["severity"]) for step in plan]
        assert sorted(ranks) == ranks
        assert all(step["remediation"] for step in plan)
        html = report_html(scan, tenants.hospital_a.ancestors())
        for expected in ("Dr Martin, director", "192.0.2.0/24", "remote_access", "192.0.2.40:104/tcp", "Hospital A"):
            assert expected in html
        with translation.override("fr"):
            french = report_html(scan, [])
        check = next(f["check_id"] for f in scan.findings() if f["check_id"] in CHECKS)
        assert html_escape(CHECKS[check].title_fr) in french
        assert report_pdf(scan, []).startswith(b"%PDF")

    def test_standalone(self) -> None:
        """The engine CLI's HTML report: no database, no node."""
        html = standalone_report_html(result(RDP))
        assert "192.0.2.31" in html


class TestCli:
    """Perimeter, run, scans, import, diff, report; ``--as`` obeys roles."""

    def test_commands(self, tenants: Any, tmp_path: Path) -> None:
        """The administrator declares; the analyst imports; the viewer lists, diffs and writes the report."""
        runner = CliRunner()
        admin, analyst, viewer = (tenants.users[r].username for r in ("administrator", "analyst", "viewer"))
        add = [
            "perimeter", "add", "--node", str(tenants.hospital_a.pk), "--name", "Internet",
            "--target", "192.0.2.0/24", "--authorised-by", "CISO", "--until", "2099-01-01", "--every", "7",
        ]  # fmt: skip
        assert EXIT_PERMISSION == runner.invoke(app, [*add, "--as", analyst]).exit_code
        outcome = runner.invoke(app, [*add, "--as", admin])
        assert 0 == outcome.exit_code, outcome.output
        scope = ExposurePerimeter.objects.get()
        bad = runner.invoke(
            app, [*add[:-6], "--target", "10.0.0.0/99", "--authorised-by", "x", "--until", "2099-01-01"]
        )
        assert EXIT_INVALID_INPUT == bad.exit_code
        assert "Internet" in runner.invoke(app, ["perimeter", "list", "--as", viewer]).output
        assert "192.0.2.0/24" in runner.invoke(app, ["perimeter", "show", str(scope.pk), "--as", viewer]).output
        queued = runner.invoke(app, ["run", str(scope.pk), "--as", analyst])
        assert 0 == queued.exit_code, queued.output
        assert EXIT_PERMISSION == runner.invoke(app, ["run", str(scope.pk), "--as", viewer]).exit_code
        assert EXIT_NOT_FOUND == runner.invoke(app, ["run", str(scope.pk), "--as", tenants.outsider.username]).exit_code

        xml = tmp_path / "scan.xml"
        xml.write_text(NMAP_XML, encoding="utf-8")
        imported = runner.invoke(app, ["import", str(xml), "--node", str(tenants.hospital_a.pk), "--as", analyst])
        assert 0 == imported.exit_code, imported.output
        bad_xml = tmp_path / "bad.xml"
        bad_xml.write_text("<nmaprun>", encoding="utf-8")
        node = str(tenants.hospital_a.pk)
        assert EXIT_INVALID_INPUT == runner.invoke(app, ["import", str(bad_xml), "--node", node]).exit_code
        first = ExposureScan.objects.get(source="nmap")
        second = stored_scan(tenants.hospital_a, RDP, DICOM)
        listing = runner.invoke(app, ["scans", "--node", str(tenants.group_a.pk), "--as", viewer])
        assert 0 == listing.exit_code, listing.output
        assert str(first.pk) in listing.output
        diff = runner.invoke(app, ["diff", str(first.pk), str(second.pk), "--as", viewer])
        assert 0 == diff.exit_code, diff.output
        assert "192.0.2.40:104/tcp" in diff.output
        pdf = tmp_path / "report.pdf"
        report = runner.invoke(app, ["report", str(second.pk), "-o", str(pdf), "--as", viewer])
        assert 0 == report.exit_code, report.output
        assert pdf.read_bytes().startswith(b"%PDF")
        hidden = runner.invoke(app, ["report", str(second.pk), "-o", str(pdf), "--as", tenants.outsider.username])
        assert EXIT_NOT_FOUND == hidden.exit_code


class TestDemo:
    """The demo's perimeters and scans: deterministic, idempotent, and the dashboard shows the news."""

    def test_seed_twice(self, db: Any) -> None:
        """Three perimeters, two scans each; a second run adds nothing; the support hospital has new services."""
        from hygie.demo.exposure_seed import EXPOSURE_PERIMETERS, seed_exposure
        from hygie.engines._core import NullProgress
        from hygie.testing.tenants import build_tenants

        tenants = build_tenants()
        owners = {"support": tenants.hospital_a, "general": tenants.hospital_b, "psychiatry": tenants.site_a}
        now = timezone.now()
        assert 6 == seed_exposure(owners, None, NullProgress(), now)
        assert 0 == seed_exposure(owners, None, NullProgress(), now)
        assert len(EXPOSURE_PERIMETERS) == ExposurePerimeter.objects.count()
        latest = ExposureScan.objects.filter(node=tenants.hospital_a).order_by("-scanned_at").first()
        assert latest is not None
        assert 2 == latest.changes["new_services"]
        products = {s["product"] for s in latest.services()}
        assert "FortiOS" in products
        page = _client(tenants.superuser).get(tenants.hospital_a.get_absolute_url()).content.decode()
        assert 'data-testid="exposure-new-services">2<' in page
