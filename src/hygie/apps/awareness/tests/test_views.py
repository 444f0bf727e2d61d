"""The web UI: overview with bars and funnels, roll-up, census and target forms, imports, details."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.apps.awareness.models import AwarenessTarget, PhishingCampaign, StaffCensus, TrainingCompletion
from hygie.apps.findings.models import Finding

from .support import gophish_csv, training_csv


@pytest.fixture
def client_for(tenants: Any) -> Any:
    """A logged-in client for a role on group A."""

    def make(role: str = "manager") -> Client:
        client = Client()
        client.force_login(tenants.users[role])
        return client

    return make


def _recent(days: int = 10) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


class TestOverview:
    """The node overview."""

    def test_coverage_bars_target_and_campaign(self, tenants: Any, client_for: Any) -> None:
        """Categories with their bars, the inherited target, a below-target row, the campaign funnel."""
        hospital = tenants.hospital_a
        StaffCensus.objects.create(node=hospital, category="medical", headcount=10, as_of=timezone.localdate())
        AwarenessTarget.objects.create(node=tenants.group_a, coverage_target_pct=Decimal(80))
        client = client_for("viewer")
        client_for("manager").post(reverse("awareness:training_import"), {
            "node": hospital.pk,
            "file": SimpleUploadedFile("t.csv", training_csv(*[f"p{i}@chu.example,,,medical,,M,{_recent()}"
                                                               for i in range(4)])),
        })
        PhishingCampaign.objects.create(node=hospital, name="Spring", launched_on=timezone.localdate(),
                                        funnel={"overall": {"targeted": 10, "sent": 10, "opened": 6, "clicked": 2}})
        text = client.get(reverse("awareness:node_overview", args=[hospital.pk])).content.decode()
        assert 'data-category="medical"' in text
        assert '<progress class="bar" max="100" value="40.0">' in text
        assert "(inherited)" in text
        assert 'class="below"' in text
        assert "Spring" in text
        assert '<progress class="bar" max="100" value="20.0">' in text  # clicked: 2 of 10 delivered

    def test_french_page_keeps_machine_numbers(self, tenants: Any, client_for: Any) -> None:
        """In French the text says "37,5 %" while the bar's value stays "37.5" (a decimal comma breaks it)."""
        StaffCensus.objects.create(node=tenants.hospital_a, category="it", headcount=8, as_of=timezone.localdate())
        client_for("manager").post(reverse("awareness:training_import"), {
            "node": tenants.hospital_a.pk,
            "file": SimpleUploadedFile("t.csv", training_csv(*[f"p{i}@chu.example,,,it,,M,{_recent()}"
                                                               for i in range(3)])),
        })
        client = client_for("viewer")
        client.cookies["django_language"] = "fr"
        text = client.get(reverse("awareness:node_overview", args=[tenants.hospital_a.pk]),
                          headers={"accept-language": "fr"}).content.decode()
        assert 'value="37.5"' in text
        assert "37,5" in text

    def test_picker_and_rollup(self, tenants: Any, client_for: Any) -> None:
        """The overview picks a node; the roll-up lists group A's establishments only."""
        client = client_for("viewer")
        assert 200 == client.get(reverse("awareness:overview"), {"node": tenants.group_a.pk}).status_code
        text = client.get(reverse("awareness:rollup", args=[tenants.group_a.pk])).content.decode()
        assert "Hospital A" in text
        assert "Hospital B" not in text


class TestForms:
    """Staff census and targets."""

    def test_census_keeps_history(self, tenants: Any, client_for: Any) -> None:
        """Two censuses on two dates: two rows; a future date is refused."""
        client = client_for("analyst")
        url = reverse("awareness:staff_edit", args=[tenants.hospital_a.pk])
        assert 302 == client.post(url, {"as_of": _recent(100), "medical": 400}).status_code
        assert 302 == client.post(url, {"as_of": _recent(1), "medical": 420, "it": 25}).status_code
        assert [420, 400] == list(StaffCensus.objects.filter(category="medical").values_list("headcount", flat=True))
        future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        response = client.post(url, {"as_of": future, "medical": 1})
        assert 400 == response.status_code
        assert "future" in response.content.decode()
        assert 400 == client.post(url, {"as_of": _recent(1)}).status_code  # no headcount at all

    def test_targets(self, tenants: Any, client_for: Any) -> None:
        """Set, then clear to inherit; out-of-range refused."""
        client = client_for("analyst")
        url = reverse("awareness:target_edit", args=[tenants.hospital_a.pk])
        assert 302 == client.post(url, {"coverage_target_pct": "85", "click_ceiling_pct": ""}).status_code
        target = AwarenessTarget.objects.get(node=tenants.hospital_a)
        assert (Decimal(85), None) == (target.coverage_target_pct, target.click_ceiling_pct)
        assert 400 == client.post(url, {"coverage_target_pct": "150"}).status_code

    def test_check_writes_findings(self, tenants: Any, client_for: Any) -> None:
        """The button writes the findings of the node."""
        StaffCensus.objects.create(node=tenants.hospital_a, category="it", headcount=20, as_of=timezone.localdate())
        AwarenessTarget.objects.create(node=tenants.hospital_a, coverage_target_pct=Decimal(80))
        response = client_for("analyst").post(reverse("awareness:check", args=[tenants.hospital_a.pk]))
        assert 302 == response.status_code
        assert 1 == Finding.objects.filter(node=tenants.hospital_a, source="awareness").count()


class TestImports:
    """The import pages."""

    def test_training_bad_file_shows_the_line(self, tenants: Any, client_for: Any) -> None:
        """A bad line: 400, the reason under the file field, nothing stored."""
        data = training_csv("a@chu.example,,,it,,M,2026-01-01", "b@chu.example,,,cook,,M,2026-01-01")
        response = client_for().post(reverse("awareness:training_import"),
                                     {"node": tenants.hospital_a.pk, "file": SimpleUploadedFile("t.csv", data)})
        assert 400 == response.status_code
        assert "Line 3: unknown category" in response.content.decode()
        assert 0 == TrainingCompletion.objects.count()

    def test_oversized_file_is_413(self, tenants: Any, client_for: Any, settings: Any) -> None:
        """Over the upload limit: 413 with the limit, nothing stored."""
        settings.HYGIE_MAX_UPLOAD_BYTES = 200
        data = training_csv(*["a@chu.example,,,it,,M,2026-01-01"] * 20)
        response = client_for().post(reverse("awareness:training_import"),
                                     {"node": tenants.hospital_a.pk, "file": SimpleUploadedFile("t.csv", data)})
        assert 413 == response.status_code
        assert "the limit is 200 bytes" in response.content.decode()
        assert 0 == TrainingCompletion.objects.count()

    def test_wrong_type_refused(self, tenants: Any, client_for: Any) -> None:
        """Not a .csv file: refused by the form."""
        response = client_for().post(reverse("awareness:training_import"),
                                     {"node": tenants.hospital_a.pk, "file": SimpleUploadedFile("t.exe", b"MZ")})
        assert 400 == response.status_code

    def test_gophish_then_detail(self, tenants: Any, client_for: Any) -> None:
        """Import, land on the campaign: overall and per-category funnels."""
        client = client_for()
        data = gophish_csv([("Clicked Link", "Infirmier"), ("Email Sent", "Médecin"), ("Email Opened", "IDE")])
        response = client.post(reverse("awareness:gophish_import"), {
            "node": tenants.hospital_a.pk, "name": "Autumn <script>", "file": SimpleUploadedFile("g.csv", data)})
        assert 302 == response.status_code
        text = client.get(response["Location"]).content.decode()
        assert "Autumn &lt;script&gt;" in text
        assert 'data-testid="funnel-overall"' in text
        assert "Paramedical" in text
        assert "Medical" in text

    def test_expected_columns_documented(self, client_for: Any) -> None:
        """The import page lists the columns."""
        text = client_for().get(reverse("awareness:gophish_import")).content.decode()
        assert "id,status,ip,latitude,longitude,send_date,reported,modified_date,email" in text


class TestSessions:
    """Sessions list and detail."""

    def test_list_and_detail(self, tenants: Any, client_for: Any) -> None:
        """The list counts completions; the detail shows pseudonyms only."""
        client = client_for()
        client.post(reverse("awareness:training_import"), {
            "node": tenants.hospital_a.pk,
            "file": SimpleUploadedFile(
                "t.csv", training_csv("ann.secret@chu.example,Ann,Secret,it,,Module X,2026-01-01")
            ),
        })
        text = client.get(reverse("awareness:session_list")).content.decode()
        assert "Module X" in text
        completion = TrainingCompletion.objects.get()
        detail = client.get(completion.session.get_absolute_url()).content.decode()
        assert completion.person[:12] in detail
        assert "Secret" not in detail
        assert "ann.secret" not in detail
