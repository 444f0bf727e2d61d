"""The budget pages: overview with flags and timeline, French amounts in forms, import, milestones, ARS file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.apps.budget.models import BudgetYear, FundingApplication, ItProject

from .support import application, project


@pytest.fixture
def analyst(tenants: Any) -> Client:
    """A logged-in client of the analyst of group A."""
    client = Client()
    client.force_login(tenants.users["analyst"])
    return client


class TestOverview:
    """The overview of a node and year shows the budget, projects in the band, flags and the timeline."""

    def test_flags_and_timeline(self, tenants: Any, analyst: Client) -> None:
        BudgetYear.objects.create(node=tenants.hospital_a, year=2026, operating=Decimal("1234567.89"),
                                  investment=Decimal(0), hospital_operating=Decimal(80_000_000))
        project(tenants.hospital_a, "PACS below", 100_000, 1_000)
        project(tenants.hospital_a, "EDR in band", 100_000, 7_000)
        application(tenants.hospital_a, planned={"applied": timezone.localdate() - dt.timedelta(days=3)})
        response = analyst.get(reverse("budget:node_overview", args=[tenants.hospital_a.pk]), {"year": 2026})
        text = response.content.decode()
        assert 200 == response.status_code
        assert "1\u202f234\u202f567,89\u202f€" in text
        assert 1 == text.count('data-testid="flag-below"')
        assert 'data-testid="milestone-applied"' in text
        assert 'class="late"' in text
        assert "1,54\u202f%" in text  # IT share of the operating budget, against the 1.69 % reference

    def test_picker_and_rollup(self, tenants: Any, analyst: Client) -> None:
        project(tenants.hospital_a, "PACS", 100_000, 1_000)
        assert 200 == analyst.get(reverse("budget:overview"), {"node": tenants.group_a.pk, "year": "x"}).status_code
        response = analyst.get(reverse("budget:rollup", args=[tenants.group_a.pk]), {"year": 2026})
        assert 'data-testid="rollup-flagged">1<' in response.content.decode()


class TestForms:
    """Forms accept French amounts and refuse bad ones with the value named."""

    def test_budget_year(self, tenants: Any, analyst: Client) -> None:
        url = reverse("budget:year_edit", args=[tenants.hospital_a.pk])
        data = {"year": 2026, "operating": "1 234 567,89", "investment": "250.000,00", "cyber_operating": "",
                "cyber_investment": "12 500 €", "hospital_operating": "", "notes": ""}
        assert 302 == analyst.post(url, data).status_code
        budget = BudgetYear.objects.get(node=tenants.hospital_a, year=2026)
        assert (Decimal("1234567.89"), Decimal("250000.00"), None) == (
            budget.operating, budget.investment, budget.cyber_operating)
        shown = analyst.get(url, {"year": 2026}).content.decode()
        assert 'value="1 234 567,89"' in shown
        refused = analyst.post(url, {**data, "operating": "12,3456"})
        assert 400 == refused.status_code
        assert "12,3456" in refused.content.decode()

    def test_project_with_lines(self, tenants: Any, analyst: Client) -> None:
        data = {"node": tenants.hospital_a.pk, "year": 2026, "name": "Firewalls", "status": "planned",
                "lines_text": "Boxes | 90 000,00 | no\nHardening | 4 000 | yes"}
        assert 302 == analyst.post(reverse("budget:project_add"), data).status_code
        made = ItProject.objects.get(name="Firewalls")
        assert made.flagged
        page = analyst.get(made.get_absolute_url()).content.decode()
        assert 'data-testid="flag-below"' in page
        bad = analyst.post(reverse("budget:project_edit", args=[made.pk]), {**data, "lines_text": "Boxes | abc"})
        assert 400 == bad.status_code
        assert "line 1" in bad.content.decode()
        assert 2 == made.lines.count()

    def test_import_page(self, tenants: Any, analyst: Client) -> None:
        url = reverse("budget:project_import")
        wrong = SimpleUploadedFile("p.csv", b"name;cost\nA;1\n", content_type="text/csv")
        response = analyst.post(url, {"node": tenants.hospital_a.pk, "year": 2026, "file": wrong})
        assert 400 == response.status_code
        assert "Expected: project, line, amount, cybersecurity" in response.content.decode()
        assert not ItProject.objects.exists()

    def test_viewer_cannot_edit(self, tenants: Any) -> None:
        client = Client()
        client.force_login(tenants.users["viewer"])
        assert 403 == client.get(reverse("budget:year_edit", args=[tenants.hospital_a.pk])).status_code


class TestApplications:
    """An application is filed with its milestones, recorded in order, and its ARS file downloads."""

    def test_file_record_download(self, tenants: Any, analyst: Client) -> None:
        data = {"node": tenants.hospital_a.pk, "programme_key": "care_d2", "title": "D2", "reference": "R",
                "amount_requested": "45 000,00", "notes": "", "planned_applied": "2026-01-20"}
        response = analyst.post(reverse("budget:application_add"), data)
        assert 302 == response.status_code
        made = FundingApplication.objects.get(title="D2")
        assert ["applied", "validated", "declared", "checked", "paid"] == [m.kind for m in made.ordered_milestones()]
        validated = made.milestones.get(kind="validated")
        today = timezone.localdate().isoformat()
        analyst.post(reverse("budget:milestone_edit", args=[validated.pk]), {"done_on": today})
        validated.refresh_from_db()
        assert validated.done_on is None  # "applied" is not done yet
        applied = made.milestones.get(kind="applied")
        analyst.post(reverse("budget:milestone_edit", args=[applied.pk]), {"done_on": today, "note": "Filed"})
        applied.refresh_from_db()
        assert (timezone.localdate(), "Filed") == (applied.done_on, applied.note)
        pdf = analyst.get(reverse("budget:ars_file", args=[made.pk]), {"format": "pdf"})
        assert pdf.content.startswith(b"%PDF-")
        assert "hygie-ars-care_d2" in pdf["Content-Disposition"]
        archive = analyst.get(reverse("budget:ars_file", args=[made.pk]), {"format": "zip"})
        assert archive.content.startswith(b"PK")
