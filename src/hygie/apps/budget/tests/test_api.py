"""The budget API: French amounts in, clear 422s, import, summaries, the ARS file."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.budget.models import BudgetYear, ItProject

from .support import application, project


@pytest.fixture
def api(tenants: Any) -> Client:
    """A bearer-token client of the manager of group A."""
    _token, key = ApiToken.issue(tenants.users["manager"], "tests")
    return Client(headers={"Authorization": f"Bearer {key}"})


class TestApi:
    """Writes and reads of the budget API."""

    def test_project_with_french_amounts(self, tenants: Any, api: Client) -> None:
        body = {"node_id": tenants.hospital_a.pk, "year": 2026, "name": "PACS", "state_funded": True,
                "lines": [{"label": "Storage", "amount": "96 000,00 €"},
                          {"label": "Audit", "amount": 4000, "cybersecurity": True}]}
        response = api.post("/api/budget/projects", body, content_type="application/json")
        assert 201 == response.status_code, response.content
        data = response.json()
        assert ("100000.00", "4.00", "below", True) == (data["total"], data["cyber_share"], data["position"],
                                                         data["flagged"])

    def test_bad_amount_is_422_naming_it(self, tenants: Any, api: Client) -> None:
        body = {"node_id": tenants.hospital_a.pk, "year": 2026, "operating": "1,234.5,6", "investment": 0}
        response = api.put("/api/budget/years", body, content_type="application/json")
        assert 422 == response.status_code
        assert "1,234.5,6" in response.content.decode()
        assert not BudgetYear.objects.exists()

    def test_set_year(self, tenants: Any, api: Client) -> None:
        body = {"node_id": tenants.hospital_a.pk, "year": 2026, "operating": "2 500 000", "investment": "800.000,00"}
        assert 200 == api.put("/api/budget/years", body, content_type="application/json").status_code
        body = {"node_id": tenants.hospital_a.pk, "year": 2026, "cyber_operating": 90000}
        data = api.put("/api/budget/years", body, content_type="application/json").json()
        assert ("2500000.00", "2.72") == (data["operating"], data["cyber_share"])

    def test_import_wrong_columns(self, tenants: Any, api: Client) -> None:
        upload = SimpleUploadedFile("p.csv", b"name;cost\nA;1\n")
        response = api.post("/api/budget/projects/import",
                            {"node_id": tenants.hospital_a.pk, "year": 2026, "file": upload})
        assert 422 == response.status_code
        assert "Expected: project, line, amount, cybersecurity" in response.json()["detail"]
        assert not ItProject.objects.exists()

    def test_application_milestones_summary(self, tenants: Any, api: Client) -> None:
        body = {"node_id": tenants.hospital_a.pk, "programme": "care_d1", "title": "D1",
                "amount_requested": "180 000", "planned": {"checked": "2020-01-01"}}
        made = api.post("/api/budget/applications", body, content_type="application/json").json()
        assert (["checked"], "applied") == (made["late"], made["next_milestone"])
        applied = next(m for m in made["milestones"] if m["kind"] == "applied")
        response = api.patch(f"/api/budget/milestones/{applied['id']}", {"done_on": "2026-01-10"},
                             content_type="application/json")
        assert "2026-01-10" == response.json()["done_on"]
        unknown = api.post("/api/budget/applications", {**body, "programme": "nope"}, content_type="application/json")
        assert 422 == unknown.status_code
        summary = api.get(f"/api/budget/nodes/{tenants.hospital_a.pk}/summary", {"year": 2026}).json()
        assert "applied" == summary["applications"][0]["state"]

    def test_rollup_and_filters(self, tenants: Any, api: Client) -> None:
        project(tenants.hospital_a, "A", 100_000, 1_000)
        project(tenants.hospital_a, "B", 100_000, 9_000)
        rolled = api.get(f"/api/budget/nodes/{tenants.group_a.pk}/rollup", {"year": 2026}).json()
        assert (1, "5.00") == (rolled["flagged"], rolled["projects_share"])
        flagged = api.get("/api/budget/projects", {"flagged": "true"}).json()["items"]
        assert ["A"] == [p["name"] for p in flagged]

    def test_ars_zip(self, tenants: Any, api: Client) -> None:
        made = application(tenants.hospital_a)
        response = api.get(f"/api/budget/applications/{made.pk}/ars-file", {"format": "zip"})
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            assert "ars-file.pdf" in archive.namelist()
        assert 422 == api.get(f"/api/budget/applications/{made.pk}/ars-file", {"format": "doc"}).status_code

    def test_project_cannot_move(self, tenants: Any, api: Client) -> None:
        made = project(tenants.hospital_a, "A", 100, 10)
        body = {"node_id": tenants.group_a.pk, "year": 2026, "name": "A", "lines": []}
        assert 422 == api.put(f"/api/budget/projects/{made.pk}", body, content_type="application/json").status_code
        assert Decimal(100) == ItProject.objects.with_totals().get(pk=made.pk).total


class TestHostileInput:
    """Out-of-range and malformed parameters are 422s, never server errors."""

    @pytest.mark.parametrize("url", [
        "/api/budget/years?year=99999999999999999999",
        "/api/budget/projects?year=1",
        "/api/budget/projects?node=abc",
        "/api/budget/nodes/{node}/summary?year=3000",
        "/api/budget/nodes/{node}/rollup?year=-1",
    ])
    def test_query(self, tenants: Any, api: Client, url: str) -> None:
        assert 422 == api.get(url.format(node=tenants.hospital_a.pk)).status_code

    def test_too_many_lines(self, tenants: Any, api: Client) -> None:
        body = {"node_id": tenants.hospital_a.pk, "year": 2026, "name": "Big",
                "lines": [{"label": "x", "amount": 1}] * 501}
        assert 422 == api.post("/api/budget/projects", body, content_type="application/json").status_code
        assert not ItProject.objects.exists()
