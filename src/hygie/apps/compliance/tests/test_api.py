"""The REST API: a CISO's round trip, and bad input answered with a clear status and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.models import Assessment, Evidence, Framework, RequirementAssessment, Status
from hygie.apps.findings.models import Finding
from hygie.frameworks import DATA_DIR

JSON = "application/json"
API = "/api/compliance"


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def opened(tenants: Any) -> dict[str, Any]:
    """Hospital A's NIS2 assessment opened through the API by the manager."""
    sync_shipped(only=["nis2_art21"])
    framework = Framework.objects.get(key="nis2_art21")
    client = _api(tenants.users["manager"])
    response = client.post(f"{API}/assessments", {"node_id": tenants.hospital_a.pk, "framework_id": framework.pk},
                           content_type=JSON)
    assert 201 == response.status_code, response.content
    body = response.json()
    return {"client": client, "assessment": body, "item": body["items"][0]}


class TestRoundTrip:
    """Open, set, attach, export, gaps, remediation, roll-up."""

    def test_round_trip(self, opened: dict[str, Any], tenants: Any) -> None:
        client, body = opened["client"], opened["assessment"]
        assert body["maturity"]["score"] == 0
        assert len(body["items"]) == Framework.objects.get(key="nis2_art21").requirements.count()
        item_id = opened["item"]["id"]
        response = client.patch(f"{API}/items/{item_id}",
                                {"status": "met", "owner_id": tenants.users["analyst"].pk, "comment": "Signed"},
                                content_type=JSON)
        assert 200 == response.status_code, response.content
        assert ("met", "analyst_a") == (response.json()["status"], response.json()["owner"])
        upload = client.post(f"{API}/items/{item_id}/evidence",
                             {"file": SimpleUploadedFile("policy.pdf", b"%PDF-1.7\npolicy\n"), "title": "Policy"})
        assert 201 == upload.status_code, upload.content
        evidence_id = upload.json()["id"]
        download = client.get(f"{API}/evidence/{evidence_id}/download")
        assert 200 == download.status_code
        assert download["Content-Disposition"].startswith("attachment")
        assert b"%PDF-1.7\npolicy\n" == b"".join(download.streaming_content)
        detail = client.get(f"{API}/assessments/{body['id']}").json()
        assert 1 == detail["items"][0]["evidence_count"]
        assert detail["maturity"]["counts"]["met"] == 1
        for fmt, kind in (("csv", "text/csv"), ("json", "application/json"), ("pdf", "application/pdf")):
            export = client.get(f"{API}/assessments/{body['id']}/export", {"format": fmt})
            assert 200 == export.status_code
            assert export["Content-Type"].startswith(kind)
        gaps = client.get(f"{API}/assessments/{body['id']}/gaps").json()
        assert item_id not in [gap["item_id"] for gap in gaps]
        plan = client.post(f"{API}/assessments/{body['id']}/remediation", {"item_ids": [gaps[0]["item_id"]]},
                           content_type=JSON)
        assert 201 == plan.status_code, plan.content
        assert 1 == Finding.objects.filter(source="compliance").count()
        rollup = client.get(f"{API}/rollup/{tenants.group_a.pk}", {"framework": "nis2_art21"}).json()
        assert ["GHT A", "Hospital A"] == [row["node"] for row in rollup["rows"]]
        assert client.delete(f"{API}/evidence/{evidence_id}").status_code == 204
        assert not Evidence.objects.exists()
        assert 200 == client.post(f"{API}/assessments/{body['id']}/refresh").status_code

    def test_import_a_framework(self, tenants: Any) -> None:
        client = _api(tenants.users["analyst"])
        content = (DATA_DIR / "care_d1.yaml").read_bytes()
        response = client.post(f"{API}/frameworks/import", {"node_id": tenants.hospital_a.pk,
                                                            "file": SimpleUploadedFile("care.yaml", content)})
        assert 201 == response.status_code, response.content
        stored = response.json()
        assert ("care_d1", "imported", tenants.hospital_a.pk) == (stored["key"], stored["origin"], stored["node_id"])
        detail = client.get(f"{API}/frameworks/{stored['id']}").json()
        assert "d1.ex2" in [requirement["ref"] for requirement in detail["requirements"]]
        # The other tenant does not see it.
        assert 404 == _api(tenants.outsider).get(f"{API}/frameworks/{stored['id']}").status_code


class TestBadInput:
    """Clear statuses and messages; nothing stored."""

    def test_malformed_framework_upload(self, tenants: Any) -> None:
        client = _api(tenants.users["analyst"])
        for name, content in (("broken.yaml", b"id: [unclosed\n"), ("bad.yaml", yaml.safe_dump({"id": "x"}).encode()),
                              ("binary.yaml", b"\xff\xfe\x00")):
            response = client.post(f"{API}/frameworks/import", {"node_id": tenants.hospital_a.pk,
                                                                "file": SimpleUploadedFile(name, content)})
            assert 422 == response.status_code, response.content
            assert name in response.json()["detail"]
        assert not Framework.objects.filter(node__isnull=False).exists()  # the shipped ones only

    def test_not_applicable_without_reason(self, opened: dict[str, Any]) -> None:
        response = opened["client"].patch(f"{API}/items/{opened['item']['id']}", {"status": "not_applicable"},
                                          content_type=JSON)
        assert 422 == response.status_code
        assert "reason" in response.json()["detail"]
        assert Status.NOT_ASSESSED == RequirementAssessment.objects.get(pk=opened["item"]["id"]).status

    def test_wrong_type_and_oversized_evidence(self, opened: dict[str, Any], settings: Any) -> None:
        url = f"{API}/items/{opened['item']['id']}/evidence"
        client = opened["client"]
        fake = client.post(url, {"file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")})
        assert 422 == fake.status_code
        assert "not a PDF" in fake.json()["detail"]
        settings.HYGIE_COMPLIANCE_MAX_EVIDENCE_BYTES = 100
        big = client.post(url, {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 200)})
        assert 413 == big.status_code
        assert not Evidence.objects.exists()

    def test_foreign_tenant_links_and_owner(self, opened: dict[str, Any], tenants: Any) -> None:
        client = opened["client"]
        foreign = Finding.objects.create(node=tenants.hospital_b, source="manual", check_id="manual.x",
                                         fingerprint="x", title="B's finding", severity=1)
        url = f"{API}/items/{opened['item']['id']}/links"
        assert 404 == client.post(url, {"finding_id": foreign.pk}, content_type=JSON).status_code
        bad = client.post(url, {"url": "javascript:alert(1)"}, content_type=JSON)
        assert 422 == bad.status_code
        owner = client.patch(f"{API}/items/{opened['item']['id']}", {"owner_id": tenants.outsider.pk},
                             content_type=JSON)
        assert 422 == owner.status_code
        assert not Evidence.objects.exists()

    def test_viewer_cannot_change_and_other_tenant_gets_404(self, opened: dict[str, Any], tenants: Any) -> None:
        item_url = f"{API}/items/{opened['item']['id']}"
        viewer = _api(tenants.users["viewer"])
        assert 403 == viewer.patch(item_url, {"status": "met"}, content_type=JSON).status_code
        outsider = _api(tenants.outsider)
        assert 404 == outsider.patch(item_url, {"status": "met"}, content_type=JSON).status_code
        assessment_id = opened["assessment"]["id"]
        assert 404 == outsider.get(f"{API}/assessments/{assessment_id}").status_code
        assert 404 == outsider.get(f"{API}/rollup/{tenants.group_a.pk}").status_code

    def test_bad_queries(self, opened: dict[str, Any]) -> None:
        client = opened["client"]
        assessment_id = opened["assessment"]["id"]
        assert 422 == client.get(f"{API}/assessments/{assessment_id}/export", {"format": "xls"}).status_code
        assert 422 == client.get(f"{API}/assessments", {"framework": "DROP TABLE"}).status_code
        again = client.post(f"{API}/assessments", {"node_id": opened["assessment"]["node_id"],
                                                   "framework_id": opened["assessment"]["framework_id"]},
                            content_type=JSON)
        assert 422 == again.status_code
        assert 1 == Assessment.objects.count()
