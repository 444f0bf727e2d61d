"""The incident pages: open, list with overdue clocks, clocks marked done, status, evidence, declarations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hygie.apps.continuity.models import DegradedMode
from hygie.apps.findings.models import Finding
from hygie.apps.incidents.models import (
    Declaration,
    Incident,
    IncidentEvidence,
    IncidentKind,
    IncidentStatus,
    ObligationRecord,
)
from hygie.apps.incidents.services import open_incident
from hygie.apps.inventory.models import CareActivity


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def analyst(tenants: Any) -> Client:
    """A logged-in analyst of group A."""
    client = Client()
    client.force_login(tenants.users["analyst"])
    return client


@pytest.fixture
def late(tenants: Any) -> Incident:
    """A ransomware incident at hospital A, aware 30 hours ago: the 24-hour clocks are overdue."""
    return open_incident(node=tenants.hospital_a, user=None, title="Ransomware on the DPI",
                         kind=IncidentKind.RANSOMWARE, aware_at=timezone.now() - dt.timedelta(hours=30))


class TestOpenIncident:
    """The open form: node, times, flags and what the incident touches."""

    def _data(self, tenants: Any, **extra: Any) -> dict[str, Any]:
        return {"node": tenants.hospital_a.pk, "title": "Ransomware", "kind": IncidentKind.RANSOMWARE,
                "severity": 4, "aware_at": _local(timezone.now() - dt.timedelta(hours=1)), "significant": "on",
                **extra}

    def test_open_starts_the_clocks(self, tenants: Any, analyst: Client) -> None:
        """A valid form opens the incident and its page shows the CERT Santé clock."""
        activity = CareActivity.objects.create(node=tenants.hospital_a, name="Emergency", max_downtime_hours=2)
        response = analyst.post(reverse("incidents:incident_open"), self._data(tenants, activities=[activity.pk]))
        assert 302 == response.status_code
        incident = Incident.objects.get(title="Ransomware")
        assert [activity] == list(incident.activities.all())
        text = analyst.get(response["Location"]).content.decode()
        assert 'id="clocks"' in text
        assert 'data-obligation="cert_sante"' in text
        assert 'data-declare="cert_sante"' in text

    def test_the_form_lists_nodes_and_objects(self, tenants: Any, analyst: Client) -> None:
        """The GET form offers group A's establishment and nothing of group B."""
        text = analyst.get(reverse("incidents:incident_open")).content.decode()
        assert "Hospital A" in text
        assert tenants.hospital_b.name not in text

    @pytest.mark.parametrize("field", ["aware_at", "occurred_at"])
    def test_future_times_are_refused(self, tenants: Any, analyst: Client, field: str) -> None:
        """A time in the future is a form error; nothing is stored."""
        data = self._data(tenants, **{field: _local(timezone.now() + dt.timedelta(hours=2))})
        response = analyst.post(reverse("incidents:incident_open"), data)
        assert 400 == response.status_code
        assert "This time is in the future." in response.content.decode()
        assert not Incident.objects.exists()

    def test_another_tenants_node_is_refused(self, tenants: Any, analyst: Client) -> None:
        """An establishment of group B is not a valid choice."""
        response = analyst.post(reverse("incidents:incident_open"), self._data(tenants, node=tenants.hospital_b.pk))
        assert 400 == response.status_code
        assert not Incident.objects.exists()

    def test_an_object_outside_the_handling_node_is_refused(self, tenants: Any, analyst: Client) -> None:
        """An activity of another establishment of the group: the service refuses, the form says why."""
        from hygie.apps.organizations.models import Node, NodeKind

        sister = Node.objects.create(kind=NodeKind.ESTABLISHMENT, name="Clinic A2", parent=tenants.group_a)
        activity = CareActivity.objects.create(node=sister, name="Maternity", max_downtime_hours=4)
        response = analyst.post(reverse("incidents:incident_open"), self._data(tenants, activities=[activity.pk]))
        assert 400 == response.status_code
        assert "does not belong to" in response.content.decode()
        assert not Incident.objects.exists()


class TestList:
    """The list with its overdue column, filters and CSV export."""

    def test_overdue_column_and_filters(self, late: Incident, analyst: Client) -> None:
        """The overdue clocks are named; the status filter narrows; the CSV carries the column."""
        text = analyst.get(reverse("incidents:incident_list")).content.decode()
        assert late.reference in text
        assert "overdue:" in text
        assert late.reference not in analyst.get(reverse("incidents:incident_list"),
                                                 {"status": IncidentStatus.CLOSED}).content.decode().split(
                                                     'id="table"')[1]
        csv = b"".join(analyst.get(reverse("incidents:incident_list"), {"export": "csv"}).streaming_content)
        assert "Overdue clocks" in csv.decode()
        assert "Report the incident to CERT Santé" in csv.decode()

    def test_severity_and_type_filters(self, late: Incident, analyst: Client) -> None:
        """Severity by name and type narrow the rows."""
        url = reverse("incidents:incident_list")

        def table(query: dict[str, str]) -> str:
            return analyst.get(url, query).content.decode().split('id="table"')[1]

        assert late.reference in table({"severity": "high", "kind": IncidentKind.RANSOMWARE})
        assert late.reference not in table({"severity": "critical"})
        assert late.reference not in table({"kind": IncidentKind.OUTAGE})


class TestClocks:
    """The clocks table and the "mark done" form."""

    def test_overdue_then_done_with_a_proof_file(self, late: Incident, analyst: Client) -> None:
        """The overdue row turns done late with its proof and file."""
        text = analyst.get(late.get_absolute_url()).content.decode()
        assert 'data-obligation="cert_sante" data-state="overdue"' in text
        response = analyst.post(reverse("incidents:obligation_done", args=[late.pk]), {
            "obligation": "cert_sante", "done_at": _local(timezone.now() - dt.timedelta(minutes=10)),
            "reference": "CS-2026-118", "file": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n"),
        })
        assert 302 == response.status_code
        record = ObligationRecord.objects.get(incident=late, obligation="cert_sante")
        assert record.evidence is not None
        text = analyst.get(late.get_absolute_url()).content.decode()
        assert 'data-obligation="cert_sante" data-state="done_late"' in text
        assert "CS-2026-118" in text

    def test_future_time_and_unknown_obligation_are_refused(self, late: Incident, analyst: Client) -> None:
        """Form errors, nothing stored."""
        url = reverse("incidents:obligation_done", args=[late.pk])
        future = analyst.post(url, {"obligation": "cert_sante", "reference": "X",
                                    "done_at": _local(timezone.now() + dt.timedelta(hours=1))})
        unknown = analyst.post(url, {"obligation": "moon_landing", "reference": "X",
                                     "done_at": _local(timezone.now())})
        assert (400, 400) == (future.status_code, unknown.status_code)
        assert "does not apply" in unknown.content.decode()
        assert not ObligationRecord.objects.exists()

    @override_settings(HYGIE_MAX_UPLOAD_BYTES=100)
    def test_oversized_proof_file_is_refused(self, late: Incident, analyst: Client) -> None:
        """An oversized proof file is a form error; neither the record nor the file is stored."""
        response = analyst.post(reverse("incidents:obligation_done", args=[late.pk]), {
            "obligation": "cert_sante", "done_at": _local(timezone.now()), "reference": "CS-1",
            "file": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n" + b"0" * 500),
        })
        assert 400 == response.status_code
        assert "too large" in response.content.decode()
        assert not ObligationRecord.objects.exists()
        assert not IncidentEvidence.objects.exists()


class TestStatusAndEvidence:
    """Status actions, evidence upload and download."""

    def test_recovering_with_recovered_stamps_the_time(self, late: Incident, analyst: Client) -> None:
        """"Recovering" with "recovered" sets the status and the recovery time."""
        response = analyst.post(reverse("incidents:incident_status", args=[late.pk]),
                                {"status": IncidentStatus.RECOVERING, "recovered": "on"})
        assert 302 == response.status_code
        late.refresh_from_db()
        assert (IncidentStatus.RECOVERING, True) == (late.status, late.recovered_at is not None)

    def test_status_time_before_awareness_is_refused(self, late: Incident, analyst: Client) -> None:
        """The service's refusal becomes a form error."""
        response = analyst.post(reverse("incidents:incident_status", args=[late.pk]), {
            "status": IncidentStatus.CONTAINED, "at": _local(late.aware_at - dt.timedelta(days=1))})
        assert 400 == response.status_code
        late.refresh_from_db()
        assert IncidentStatus.OPEN == late.status

    def test_upload_and_download(self, late: Incident, analyst: Client) -> None:
        """A text file is kept and served back as an attachment."""
        response = analyst.post(reverse("incidents:evidence_upload", args=[late.pk]), {
            "title": "Ransom note", "file": SimpleUploadedFile("note.txt", b"pay us")})
        assert 302 == response.status_code
        evidence = IncidentEvidence.objects.get(incident=late)
        download = analyst.get(reverse("incidents:evidence_download", args=[evidence.pk]))
        assert b"pay us" == b"".join(download.streaming_content)
        assert download["Content-Disposition"].startswith("attachment")

    def test_refused_type_is_a_form_error(self, late: Incident, analyst: Client) -> None:
        """An executable is refused with the reason; nothing stored."""
        response = analyst.post(reverse("incidents:evidence_upload", args=[late.pk]), {
            "title": "Dropper", "file": SimpleUploadedFile("dropper.exe", b"MZ\x90\x00")})
        assert 400 == response.status_code
        assert "file type not accepted" in response.content.decode()
        assert not IncidentEvidence.objects.exists()

    @override_settings(HYGIE_MAX_UPLOAD_BYTES=100)
    def test_oversized_evidence_is_refused(self, late: Incident, analyst: Client) -> None:
        """Over the size limit: 413 with the form error, nothing stored."""
        response = analyst.post(reverse("incidents:evidence_upload", args=[late.pk]), {
            "title": "Big", "file": SimpleUploadedFile("big.txt", b"x" * 500)})
        assert 413 == response.status_code
        assert "too large" in response.content.decode()
        assert not IncidentEvidence.objects.exists()


class TestTasksAndIndicators:
    """Tasks with owners, post-incident actions into the findings register, indicators."""

    def test_task_done_and_action_registered(self, tenants: Any, late: Incident, analyst: Client) -> None:
        """A response task is added and done; a post-incident action becomes a finding."""
        url = reverse("incidents:task_add", args=[late.pk])
        assert 302 == analyst.post(url, {"kind": "response", "title": "Isolate backups",
                                         "owner": tenants.users["viewer"].pk}).status_code
        task = late.tasks.get(title="Isolate backups")
        assert 302 == analyst.post(reverse("incidents:task_status", args=[task.pk]), {"status": "done"}).status_code
        task.refresh_from_db()
        assert ("done", True) == (task.status, task.done_at is not None)
        analyst.post(url, {"kind": "action", "title": "Segment the imaging network"})
        assert 302 == analyst.post(reverse("incidents:actions_to_findings", args=[late.pk])).status_code
        assert Finding.objects.filter(title__contains="Segment the imaging network").exists()

    def test_foreign_owner_and_duplicate_indicator_are_refused(self, tenants: Any, late: Incident,
                                                               analyst: Client) -> None:
        """An owner of group B is not a choice; the same indicator twice is a form error."""
        response = analyst.post(reverse("incidents:task_add", args=[late.pk]),
                                {"kind": "response", "title": "X", "owner": tenants.outsider.pk})
        assert 400 == response.status_code
        assert not late.tasks.exists()
        url = reverse("incidents:indicator_add", args=[late.pk])
        assert 302 == analyst.post(url, {"kind": "ip", "value": "203.0.113.9"}).status_code
        assert 400 == analyst.post(url, {"kind": "ip", "value": "203.0.113.9"}).status_code
        assert 1 == late.indicators.count()


class TestDeclarationsAndContinuity:
    """Declarations generated, downloaded and marked sent; degraded modes of the affected activities."""

    def test_generate_download_and_mark_sent(self, late: Incident, analyst: Client) -> None:
        """CERT Santé: generated from the case, downloaded as text, marked sent: the clock is done."""
        response = analyst.post(reverse("incidents:declaration_generate", args=[late.pk]), {"kind": "cert_sante"})
        assert 302 == response.status_code
        declaration = Declaration.objects.get(incident=late)
        text = analyst.get(reverse("incidents:declaration_download", args=[declaration.pk])).content.decode()
        assert late.title in text
        sent = analyst.post(reverse("incidents:declaration_sent", args=[declaration.pk]),
                            {"sent_at": _local(timezone.now()), "reference": "Portal 77"})
        assert 302 == sent.status_code
        assert ObligationRecord.objects.filter(incident=late, obligation="cert_sante").exists()

    def test_sent_in_the_future_is_refused(self, late: Incident, analyst: Client) -> None:
        """A future sending time is a form error; the declaration stays unsent."""
        analyst.post(reverse("incidents:declaration_generate", args=[late.pk]), {"kind": "cert_sante"})
        declaration = Declaration.objects.get(incident=late)
        response = analyst.post(reverse("incidents:declaration_sent", args=[declaration.pk]),
                                {"sent_at": _local(timezone.now() + dt.timedelta(days=1)), "reference": "P"})
        assert 400 == response.status_code
        declaration.refresh_from_db()
        assert declaration.sent_at is None

    def test_degraded_modes_of_affected_activities(self, tenants: Any, late: Incident, analyst: Client) -> None:
        """Each affected activity shows its degraded-mode procedures to activate."""
        activity = CareActivity.objects.create(node=tenants.hospital_a, name="Pharmacy", max_downtime_hours=6)
        DegradedMode.objects.create(activity=activity, name="Paper prescriptions", procedure="Forms in room 4.",
                                    hold_h=48)
        late.activities.add(activity)
        text = analyst.get(late.get_absolute_url()).content.decode()
        assert "Paper prescriptions" in text
        assert "Forms in room 4." in text
