"""The REST API: censuses, targets, coverage, roll-up, imports (multipart, 422 with the line), check."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hygie.apps.accounts.models import ApiToken
from hygie.apps.awareness.models import PhishingCampaign, StaffCensus, TrainingCompletion

from .support import gophish_csv, training_csv


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


class TestAwarenessApi:
    """A manager of group A through the API."""

    def test_census_targets_coverage(self, tenants: Any) -> None:
        """Record a census, set a target, read the coverage with the category below target."""
        api = _api(tenants.users["manager"])
        hospital = tenants.hospital_a
        today = timezone.localdate().isoformat()
        response = api.post("/api/awareness/censuses", {"node_id": hospital.pk, "as_of": today,
                                                         "headcounts": {"medical": 10, "it": 4}},
                            content_type="application/json")
        assert 201 == response.status_code, response.content
        assert 2 == StaffCensus.objects.count()
        bad = api.post("/api/awareness/censuses", {"node_id": hospital.pk, "headcounts": {"cooks": 3}},
                       content_type="application/json")
        assert 422 == bad.status_code
        response = api.put(f"/api/awareness/targets/{tenants.group_a.pk}", {"coverage_target_pct": 80},
                           content_type="application/json")
        assert 200 == response.status_code
        targets = api.get(f"/api/awareness/targets/{hospital.pk}").json()
        assert (None, "80.00", tenants.group_a.pk) == (targets["own_coverage_target_pct"],
                                                       str(targets["coverage_target_pct"]), targets["coverage_set_by"])
        rows = "\n".join(f"p{i}@chu.example,,,it,,Module,{today}" for i in range(3))
        response = api.post("/api/awareness/import/training",
                            {"node_id": hospital.pk, "file": SimpleUploadedFile("t.csv", training_csv(rows))})
        assert 200 == response.status_code, response.content
        assert {"lines": 3, "sessions_created": 1, "completions_created": 3, "already_known": 0} == response.json()
        coverage = api.get(f"/api/awareness/coverage/{hospital.pk}").json()
        by_category = {c["category"]: c for c in coverage["categories"]}
        assert (4, 3, 0.75, True) == tuple(by_category["it"][k] for k in ("headcount", "trained", "rate",
                                                                           "below_target"))
        assert 5 == len(coverage["trend"])
        rollup = api.get(f"/api/awareness/rollup/{tenants.group_a.pk}").json()
        assert [["medical", "it"]] == [row["below_target"] for row in rollup["establishments"]]
        raised = api.post(f"/api/awareness/check/{hospital.pk}").json()["raised"]
        assert {str(hospital.pk): 2} == raised

    def test_bad_training_csv_is_422_and_atomic(self, tenants: Any) -> None:
        """Wrong columns: 422 listing the expected ones; nothing stored."""
        api = _api(tenants.users["manager"])
        response = api.post("/api/awareness/import/training", {
            "node_id": tenants.hospital_a.pk,
            "file": SimpleUploadedFile("t.csv", b"name,date\nx,2026-01-01\n"),
        })
        assert 422 == response.status_code
        assert "Expected columns: email, category, establishment, session, completed_on" in response.json()["detail"]
        assert 0 == TrainingCompletion.objects.count()

    def test_gophish_import_and_detail(self, tenants: Any) -> None:
        """201 with the funnel; the detail and list show it; a missing name is 422."""
        api = _api(tenants.users["analyst"])
        data = gophish_csv([("Clicked Link", "Infirmier"), ("Email Sent", "Médecin")])
        response = api.post("/api/awareness/import/gophish", {
            "node_id": tenants.hospital_a.pk, "name": "Spring", "file": SimpleUploadedFile("g.csv", data)})
        assert 201 == response.status_code, response.content
        body = response.json()
        assert (2, 1, 0.5) == (body["funnel"]["overall"]["sent"], body["funnel"]["overall"]["clicked"],
                               body["click_rate"])
        assert ["Spring"] == [c["name"] for c in api.get("/api/awareness/campaigns").json()["items"]]
        missing = api.post("/api/awareness/import/gophish", {
            "node_id": tenants.hospital_a.pk, "file": SimpleUploadedFile("g.csv", data)})
        assert 422 == missing.status_code
        assert 1 == PhishingCampaign.objects.count()

    def test_viewer_cannot_import(self, tenants: Any) -> None:
        """A viewer: 403, nothing stored."""
        response = _api(tenants.users["viewer"]).post("/api/awareness/import/gophish", {
            "node_id": tenants.hospital_a.pk, "name": "X",
            "file": SimpleUploadedFile("g.csv", gophish_csv([("Email Sent", "IDE")]))})
        assert 403 == response.status_code
        assert 0 == PhishingCampaign.objects.count()
