"""Web views of the findings register: detail, status change, manual entry, remediation plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.findings.tests.factories import stored_finding

S = FindingStatus


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestFindingDetail:
    """The detail page shows the finding; other tenants get 404."""

    def test_shows_evidence_and_form_to_analyst(self, tenants: Any) -> None:
        """Evidence is pretty-printed; the status form is shown to those who may change."""
        finding = stored_finding(tenants.hospital_a, evidence={"days": 400},
                                 references=[{"kind": "anssi", "id": "vuln_krbtgt"}])
        response = _client(tenants.users["analyst"]).get(f"/findings/{finding.pk}/")
        assert 200 == response.status_code
        assert "&quot;days&quot;: 400" in response.content.decode()
        assert "vuln_krbtgt" in response.content.decode()
        assert response.context["form"] is not None

    def test_viewer_sees_no_form(self, tenants: Any) -> None:
        """No status form for a viewer."""
        finding = stored_finding(tenants.hospital_a)
        response = _client(tenants.users["viewer"]).get(f"/findings/{finding.pk}/")
        assert (200, None) == (response.status_code, response.context["form"])

    def test_other_tenant_is_404(self, tenants: Any) -> None:
        """Group B's finding does not exist for group A."""
        finding = stored_finding(tenants.hospital_b)
        assert 404 == _client(tenants.users["administrator"]).get(f"/findings/{finding.pk}/").status_code


class TestStatusChange:
    """POSTing the status form applies the workflow."""

    def test_htmx_change(self, tenants: Any) -> None:
        """An HTMX post answers the workflow block with the new status and history."""
        finding = stored_finding(tenants.hospital_a)
        response = _client(tenants.users["analyst"]).post(
            f"/findings/{finding.pk}/status/", {"status": "in_remediation", "comment": "On it"},
            headers={"HX-Request": "true"})
        assert 200 == response.status_code
        assert "On it" in response.content.decode()
        assert S.IN_REMEDIATION == Finding.objects.get(pk=finding.pk).status

    def test_refused_change_is_422_with_errors(self, tenants: Any) -> None:
        """A false positive without justification: 422, the form shows the error, nothing saved."""
        finding = stored_finding(tenants.hospital_a)
        response = _client(tenants.users["analyst"]).post(
            f"/findings/{finding.pk}/status/", {"status": "false_positive"}, headers={"HX-Request": "true"})
        assert 422 == response.status_code
        assert response.context["form"].errors["justification"]
        assert S.OPEN == Finding.objects.get(pk=finding.pk).status

    def test_viewer_is_403(self, tenants: Any) -> None:
        """The server re-checks: a viewer posting gets 403."""
        finding = stored_finding(tenants.hospital_a)
        response = _client(tenants.users["viewer"]).post(f"/findings/{finding.pk}/status/", {"status": "fixed"})
        assert 403 == response.status_code
        assert S.OPEN == Finding.objects.get(pk=finding.pk).status

    def test_other_tenant_is_404(self, tenants: Any) -> None:
        """The outsider cannot post to group A's finding."""
        finding = stored_finding(tenants.hospital_a)
        assert 404 == _client(tenants.outsider).post(f"/findings/{finding.pk}/status/", {"status": "fixed"}).status_code


class TestManualFinding:
    """Analysts record findings by hand."""

    def test_analyst_creates(self, tenants: Any) -> None:
        """The finding is created open with check id manual.<slug>."""
        response = _client(tenants.users["analyst"]).post("/findings/add/", {
            "node": tenants.hospital_a.pk, "slug": "weak_wifi_key", "title": "Weak Wi-Fi key", "severity": "high"})
        assert 302 == response.status_code
        finding = Finding.objects.get()
        assert ("manual", "manual.weak_wifi_key", S.OPEN) == (finding.source, finding.check_id, finding.status)

    def test_viewer_refused(self, tenants: Any) -> None:
        """A viewer cannot open the form."""
        assert 403 == _client(tenants.users["viewer"]).get("/findings/add/").status_code

    def test_foreign_node_refused(self, tenants: Any) -> None:
        """Group B's node is not a valid choice for group A's analyst."""
        response = _client(tenants.users["analyst"]).post("/findings/add/", {
            "node": tenants.hospital_b.pk, "slug": "x", "title": "X", "severity": "low"})
        assert (400, 0) == (response.status_code, Finding.objects.count())


class TestRemediationPlan:
    """The plan groups active findings by owner, overdue first, and exports CSV."""

    def test_groups_and_order(self, tenants: Any) -> None:
        """Overdue before due later; closed and foreign findings absent."""
        today = timezone.localdate()
        analyst = tenants.users["analyst"]
        stored_finding(tenants.hospital_a, "later", owner=analyst, due_date=today + dt.timedelta(days=3))
        stored_finding(tenants.hospital_a, "late", owner=analyst, due_date=today - dt.timedelta(days=3))
        stored_finding(tenants.hospital_a, "fixed", status=S.FIXED)
        stored_finding(tenants.hospital_b, "foreign")
        response = _client(tenants.users["viewer"]).get("/findings/plan/")
        groups = response.context["groups"]
        assert [["late", "later"]] == [[f.title for f in g.rows] for g in groups]
        assert (2, 1) == (response.context["total"], response.context["overdue"])

    def test_csv_export(self, tenants: Any) -> None:
        """The CSV lists the same active rows."""
        stored_finding(tenants.hospital_a, "=cmd")
        stored_finding(tenants.hospital_b, "foreign")
        response = _client(tenants.users["viewer"]).get("/findings/plan/?export=csv")
        body = b"".join(response.streaming_content).decode()
        assert 2 == len(body.strip().splitlines())
        assert "'=cmd" in body
        assert "foreign" not in body
