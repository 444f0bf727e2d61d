"""REST API of the findings register: workflow changes, history, manual entry, ingestion, plan."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from hygie.apps.accounts.models import ApiToken
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.findings.tests.factories import engine_finding, stored_finding

S = FindingStatus


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _patch(client: Client, finding_id: int, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/findings/{finding_id}", json.dumps(body), content_type="application/json")


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


class TestPatchFinding:
    """PATCH /findings/{id} applies the workflow."""

    def test_accept_risk(self, tenants: Any) -> None:
        """An analyst accepts a risk with a justification and a future expiry."""
        finding = stored_finding(tenants.hospital_a)
        expires = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
        response = _patch(_api(tenants.users["analyst"]), finding.pk,
                          {"status": "risk_accepted", "justification": "Isolated VLAN", "acceptance_expires": expires,
                           "comment": "Reviewed by CISO"})
        assert 200 == response.status_code
        assert ("risk_accepted", expires) == (response.json()["status"], response.json()["acceptance_expires"])

    def test_invalid_change_is_422_with_reasons(self, tenants: Any) -> None:
        """No justification: 422 naming the field."""
        finding = stored_finding(tenants.hospital_a)
        response = _patch(_api(tenants.users["analyst"]), finding.pk, {"status": "false_positive"})
        assert 422 == response.status_code
        assert response.json()["detail"].startswith("justification:")

    def test_foreign_owner_is_422(self, tenants: Any) -> None:
        """An owner from group B is refused."""
        finding = stored_finding(tenants.hospital_a)
        response = _patch(_api(tenants.users["manager"]), finding.pk, {"owner_id": tenants.outsider.pk})
        assert 422 == response.status_code
        assert Finding.objects.get(pk=finding.pk).owner is None

    def test_set_and_clear_owner(self, tenants: Any) -> None:
        """owner_id sets the owner; null clears it."""
        finding = stored_finding(tenants.hospital_a)
        client = _api(tenants.users["manager"])
        assert tenants.users["analyst"].pk == _patch(client, finding.pk,
                                                     {"owner_id": tenants.users["analyst"].pk}).json()["owner_id"]
        assert _patch(client, finding.pk, {"owner_id": None}).json()["owner_id"] is None

    def test_foreign_finding_is_404(self, tenants: Any) -> None:
        """The outsider cannot reach group A's finding."""
        finding = stored_finding(tenants.hospital_a)
        assert 404 == _patch(_api(tenants.outsider), finding.pk, {"status": "fixed"}).status_code

    def test_viewer_is_403(self, tenants: Any) -> None:
        """A viewer sees but cannot change."""
        finding = stored_finding(tenants.hospital_a)
        assert 403 == _patch(_api(tenants.users["viewer"]), finding.pk, {"status": "fixed"}).status_code


class TestHistory:
    """GET /findings/{id}/history."""

    def test_history_lists_events(self, tenants: Any) -> None:
        """A change appears in the history; a foreign finding is 404."""
        finding = stored_finding(tenants.hospital_a)
        _patch(_api(tenants.users["analyst"]), finding.pk, {"status": "in_remediation", "comment": "go"})
        response = _api(tenants.users["viewer"]).get(f"/api/findings/{finding.pk}/history")
        assert [("open", "in_remediation", "go")] == [
            (e["from_status"], e["to_status"], e["comment"]) for e in response.json()
        ]
        assert 404 == _api(tenants.outsider).get(f"/api/findings/{finding.pk}/history").status_code


class TestCreateManual:
    """POST /findings records a manual finding."""

    def test_analyst_creates(self, tenants: Any) -> None:
        """The check id is manual.<slug>, the finding open."""
        response = _post(_api(tenants.users["analyst"]), "/api/findings/",
                         {"node_id": tenants.hospital_a.pk, "slug": "weak_wifi_key", "title": "Weak Wi-Fi key",
                          "severity": "high"})
        assert 201 == response.status_code
        assert ("manual.weak_wifi_key", "open", "high") == (
            response.json()["check_id"], response.json()["status"], response.json()["severity"])

    def test_viewer_refused_and_foreign_node_404(self, tenants: Any) -> None:
        """A viewer gets 403; a node of group B is 404 for group A's analyst."""
        body = {"node_id": tenants.hospital_a.pk, "slug": "x", "title": "X", "severity": "low"}
        assert 403 == _post(_api(tenants.users["viewer"]), "/api/findings/", body).status_code
        body["node_id"] = tenants.hospital_b.pk
        assert 404 == _post(_api(tenants.users["analyst"]), "/api/findings/", body).status_code

    def test_duplicate_is_422(self, tenants: Any) -> None:
        """The same manual finding twice is refused."""
        body = {"node_id": tenants.hospital_a.pk, "slug": "x", "title": "X", "severity": "low"}
        client = _api(tenants.users["analyst"])
        _post(client, "/api/findings/", body)
        assert 422 == _post(client, "/api/findings/", body).status_code


class TestIngestApi:
    """POST /findings/ingest."""

    def test_counts(self, tenants: Any) -> None:
        """A run returns its counts."""
        body = {"node_id": tenants.hospital_a.pk, "source": "directory",
                "findings": [engine_finding("alice").to_dict()]}
        response = _post(_api(tenants.users["analyst"]), "/api/findings/ingest", body)
        assert {"created": 1, "updated": 0, "reopened": 0, "closed": 0} == response.json()

    def test_malformed_is_422_and_stores_nothing(self, tenants: Any) -> None:
        """One bad finding: 422 naming it, nothing stored."""
        body = {"node_id": tenants.hospital_a.pk, "source": "directory",
                "findings": [engine_finding("alice").to_dict(), {"title": "no check"}]}
        response = _post(_api(tenants.users["analyst"]), "/api/findings/ingest", body)
        assert 422 == response.status_code
        assert "#1" in response.json()["detail"]
        assert 0 == Finding.objects.count()

    def test_foreign_node_is_404(self, tenants: Any) -> None:
        """Group B's node is 404 for group A."""
        body = {"node_id": tenants.hospital_b.pk, "source": "directory", "findings": []}
        assert 404 == _post(_api(tenants.users["manager"]), "/api/findings/ingest", body).status_code


class TestPlanApi:
    """GET /findings/plan groups active findings by owner."""

    def test_groups(self, tenants: Any) -> None:
        """Overdue first within an owner; other tenants absent."""
        today = timezone.localdate()
        analyst = tenants.users["analyst"]
        stored_finding(tenants.hospital_a, "later", owner=analyst, due_date=today + dt.timedelta(days=5))
        stored_finding(tenants.hospital_a, "late", owner=analyst, due_date=today - dt.timedelta(days=5))
        stored_finding(tenants.hospital_a, "nobody's")
        stored_finding(tenants.hospital_b, "foreign")
        groups = _api(tenants.users["viewer"]).get("/api/findings/plan").json()
        assert [("analyst_a", 2, 1), ("", 1, 0)] == [(g["owner_name"], g["total"], g["overdue"]) for g in groups]
        assert ["late", "later"] == [f["title"] for f in groups[0]["findings"]]
