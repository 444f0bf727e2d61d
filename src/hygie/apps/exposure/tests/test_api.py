"""The REST API: perimeters (administrators only), scans, import, diff, result, report, other tenants."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan
from hygie.apps.jobs.models import Job

from .results import RDP, WEB, perimeter, stored_scan
from .test_running import NMAP_XML


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _payload(node: Any, **extra: Any) -> dict[str, Any]:
    return {
        "node_id": node.pk,
        "name": "Internet",
        "entries": "192.0.2.0/24\n*.chu.example",
        "authorised_by": "CISO",
        "valid_until": "2099-01-01T00:00:00+00:00",
        **extra,
    }


class TestPerimeterApi:
    """Administrators declare; everyone with a role sees; the engine's parser validates."""

    def test_crud_by_administrator(self, tenants: Any) -> None:
        """Create, read, patch (schedule), delete; invalid entries give 422 naming the field."""
        admin = _api(tenants.users["administrator"])
        created = admin.post(
            "/api/exposure/perimeters", _payload(tenants.hospital_a, interval_days=7), content_type="application/json"
        )
        assert 201 == created.status_code, created.content
        pk = created.json()["id"]
        assert created.json()["next_run_at"]
        assert 2 == created.json()["host_concurrency"]  # the safe default
        assert "CISO" == _api(tenants.users["viewer"]).get(f"/api/exposure/perimeters/{pk}").json()["authorised_by"]
        patched = admin.patch(
            f"/api/exposure/perimeters/{pk}", {"ports": "22,443", "rate": 10}, content_type="application/json"
        )
        assert 200 == patched.status_code, patched.content
        assert "22,443" == ExposurePerimeter.objects.get(pk=pk).ports
        bad = admin.patch(f"/api/exposure/perimeters/{pk}", {"entries": "10.0.0.0/33"}, content_type="application/json")
        assert 422 == bad.status_code
        assert "entries" in bad.json()["detail"]
        bad_ports = admin.patch(f"/api/exposure/perimeters/{pk}", {"ports": "99999"}, content_type="application/json")
        assert 422 == bad_ports.status_code
        clash = admin.post("/api/exposure/perimeters", _payload(tenants.hospital_a), content_type="application/json")
        assert 409 == clash.status_code
        assert 204 == admin.delete(f"/api/exposure/perimeters/{pk}").status_code

    def test_only_administrators_declare(self, tenants: Any) -> None:
        """A manager or an analyst is refused (403); another tenant's perimeter is a 404."""
        for role in ("manager", "analyst", "viewer"):
            response = _api(tenants.users[role]).post(
                "/api/exposure/perimeters", _payload(tenants.hospital_a), content_type="application/json"
            )
            assert 403 == response.status_code, role
        scope = perimeter(tenants.hospital_a)
        assert 403 == _api(tenants.users["manager"]).delete(f"/api/exposure/perimeters/{scope.pk}").status_code
        outsider = _api(tenants.outsider)
        url = f"/api/exposure/perimeters/{scope.pk}"
        assert 404 == outsider.get(url).status_code
        assert 404 == outsider.patch(url, {"name": "x"}, content_type="application/json").status_code
        assert 404 == outsider.delete(url).status_code
        assert 404 == outsider.post(f"{url}/scan").status_code
        assert 0 == outsider.get("/api/exposure/perimeters").json()["count"]


class TestScanApi:
    """Start, list, read, diff, report; import refuses bad files whole."""

    def test_start_queues_a_job(self, tenants: Any) -> None:
        """An analyst starts a scan: 201 with its job."""
        scope = perimeter(tenants.hospital_a)
        response = _api(tenants.users["analyst"]).post(f"/api/exposure/perimeters/{scope.pk}/scan")
        assert 201 == response.status_code, response.content
        assert Job.objects.get().pk == response.json()["job_id"]
        assert 403 == _api(tenants.users["viewer"]).post(f"/api/exposure/perimeters/{scope.pk}/scan").status_code

    def test_detail_result_diff_report(self, tenants: Any) -> None:
        """Two scans: the diff names the new RDP service; result is the engine JSON; the report a PDF."""
        scope = perimeter(tenants.hospital_a)
        first = stored_scan(tenants.hospital_a, WEB, days_ago=10, perimeter=scope)
        second = stored_scan(tenants.hospital_a, WEB, RDP, days_ago=1, perimeter=scope)
        client = _api(tenants.users["viewer"])
        detail = client.get(f"/api/exposure/scans/{second.pk}").json()
        assert "done" == detail["status"]
        assert 2 == detail["service_count"]
        result = client.get(f"/api/exposure/scans/{second.pk}/result").json()
        assert {"hosts", "findings", "refused", "domains"} <= set(result)
        diff = client.get(f"/api/exposure/scans/{second.pk}/diff").json()
        assert first.pk == diff["base_id"]
        assert ["192.0.2.31:3389/tcp"] == [s["target"] for s in diff["diff"]["new_services"]]
        explicit = client.get(f"/api/exposure/scans/{second.pk}/diff?base_id={first.pk}").json()
        assert diff == explicit
        pdf = client.get(f"/api/exposure/scans/{second.pk}/report?format=pdf")
        assert pdf.content.startswith(b"%PDF")
        assert 422 == client.get(f"/api/exposure/scans/{second.pk}/report?format=doc").status_code
        listed = client.get(f"/api/exposure/scans?perimeter={scope.pk}").json()
        assert 2 == listed["count"]

    def test_other_tenant_gets_404_everywhere(self, tenants: Any) -> None:
        """The outsider sees no scan of group A, by id or by list."""
        scan = stored_scan(tenants.hospital_a, RDP)
        outsider = _api(tenants.outsider)
        for suffix in ("", "/result", "/diff", "/report?format=html"):
            assert 404 == outsider.get(f"/api/exposure/scans/{scan.pk}{suffix}").status_code, suffix
        assert 0 == outsider.get("/api/exposure/scans").json()["count"]
        assert 401 == Client().get(f"/api/exposure/scans/{scan.pk}").status_code

    def test_import(self, tenants: Any) -> None:
        """A good nmap file: 201; a truncated one: 422 with the reason, nothing stored; a viewer: 403."""
        analyst = _api(tenants.users["analyst"])

        def send(client: Client, content: bytes, name: str = "scan.xml") -> Any:
            return client.post(
                "/api/exposure/scans/import",
                {"node_id": tenants.hospital_a.pk, "file": SimpleUploadedFile(name, content)},
            )

        bad = send(analyst, NMAP_XML[:100].encode())
        assert 422 == bad.status_code
        assert bad.json()["detail"]
        assert not ExposureScan.objects.exists()
        assert 422 == send(analyst, b"x", name="scan.exe").status_code
        assert 403 == send(_api(tenants.users["viewer"]), NMAP_XML.encode()).status_code
        good = send(analyst, NMAP_XML.encode())
        assert 201 == good.status_code, good.content
        assert "nmap" == good.json()["source"]
