"""The REST API: open, clocks and overdue counts, log, declarations, timeline, statistics, profile, evidence."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from hygie.apps.incidents.models import (
    Declaration,
    Incident,
    IncidentEvidence,
    LogEntry,
    ObligationRecord,
    RegulatoryProfile,
)

from .support_cases import api_client, hours_ago, open_case

JSON = "application/json"


def _open(api: Any, tenants: Any, **extra: Any) -> Any:
    body = {"node_id": tenants.hospital_a.pk, "title": "Ransomware", "kind": "ransomware",
            "aware_at": hours_ago(30).isoformat(), **extra}
    return api.post("/api/incidents/", body, content_type=JSON)


class TestIncidents:
    """Open, read, change."""

    def test_open_shows_clocks_and_overdue(self, tenants: Any) -> None:
        """Aware 30 h ago: the CERT Santé and ARS clocks (24 h targets) are overdue, counted in list and detail."""
        api = api_client(tenants.users["manager"])
        response = _open(api, tenants, establishment_ids=[tenants.hospital_a.pk])
        assert 201 == response.status_code, response.content
        detail = response.json()
        clocks = {clock["obligation"]: clock for clock in detail["clocks"]}
        assert {"cert_sante", "ars", "criminal_complaint"} - set(clocks) == {"criminal_complaint"}
        assert "overdue" == clocks["cert_sante"]["state"]
        assert clocks["cert_sante"]["remaining_seconds"] < 0
        assert clocks["cert_sante"]["deadline_local"].endswith(("CET", "CEST"))
        assert detail["overdue"] == sum(1 for c in detail["clocks"] if c["state"] == "overdue") >= 2
        listed = api.get("/api/incidents/").json()["items"]
        assert [detail["overdue"]] == [item["overdue"] for item in listed]
        overdue = api.get("/api/incidents/overdue").json()
        assert {"cert_sante", "ars"} <= {row["clock"]["obligation"] for row in overdue}
        assert 1 == api.get("/api/incidents/?overdue=true").json()["count"]

    def test_list_queries_do_not_grow(self, tenants: Any) -> None:
        """The overdue counts of a page cost the same queries for 2 incidents as for 6 (no N+1)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for total in (2, 6):
            while Incident.objects.count() < total:
                open_case(tenants, hours=30, establishments=[tenants.hospital_a])
            api = api_client(tenants.users["manager"])  # a new token each time: its first use is recorded alike
            with CaptureQueriesContext(connection) as queries:
                assert total == len(api.get("/api/incidents/").json()["items"])
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_open_refusals(self, tenants: Any) -> None:
        """Future time 422; unknown node 404; foreign establishment 404; a viewer 403; nothing stored."""
        api = api_client(tenants.users["manager"])
        assert 422 == _open(api, tenants, aware_at=hours_ago(-2).isoformat()).status_code
        assert 404 == _open(api, tenants, node_id=999_999).status_code
        assert 404 == _open(api, tenants, establishment_ids=[tenants.hospital_b.pk]).status_code
        assert 422 == _open(api, tenants, colour="red").status_code
        assert 422 == _open(api, tenants, aware_at="0001-01-01T00:00:00").status_code
        assert 403 == _open(api_client(tenants.users["viewer"]), tenants).status_code
        assert 0 == Incident.objects.count()

    def test_naive_time_is_paris(self, tenants: Any) -> None:
        """A naive time is read on the Paris wall clock."""
        api = api_client(tenants.users["manager"])
        response = _open(api, tenants, aware_at="2026-03-27T10:00:00")
        assert 201 == response.status_code, response.content
        assert "2026-03-27T09:00:00Z" == response.json()["aware_at"].replace("+00:00", "Z")

    def test_patch_and_status(self, tenants: Any) -> None:
        """PATCH changes only what is given; status contained stamps contained_at; another tenant gets 404."""
        incident = open_case(tenants)
        api = api_client(tenants.users["manager"])
        url = f"/api/incidents/{incident.pk}"
        response = api.patch(url, {"causes": "VPN", "persons_affected": 12}, content_type=JSON)
        assert 200 == response.status_code, response.content
        assert ("VPN", 12, "Ransomware at the imaging department") == (
            response.json()["causes"], response.json()["persons_affected"], response.json()["title"])
        assert 422 == api.patch(url, {"aware_at": hours_ago(1).isoformat()}, content_type=JSON).status_code
        response = api.post(f"{url}/status", {"status": "contained"}, content_type=JSON)
        assert response.json()["contained_at"] is not None
        assert 404 == api_client(tenants.outsider).patch(url, {"causes": "x"}, content_type=JSON).status_code
        assert 403 == api_client(tenants.users["viewer"]).patch(url, {"causes": "x"}, content_type=JSON).status_code


class TestLogAndTasks:
    """The crisis log through the API (append only), indicators, tasks."""

    def test_append_and_correct(self, tenants: Any) -> None:
        """An entry appended, then a correction naming it; the list shows both, oldest first."""
        incident = open_case(tenants)
        api = api_client(tenants.users["analyst"])
        url = f"/api/incidents/{incident.pk}/log"
        first = api.post(url, {"text": "Crisis cell convened", "kind": "decision"}, content_type=JSON)
        assert 201 == first.status_code, first.content
        fixed = api.post(url, {"text": "It was at 9:15", "corrects_id": first.json()["id"]}, content_type=JSON)
        assert ("correction", first.json()["id"]) == (fixed.json()["kind"], fixed.json()["corrects_id"])
        items = api.get(url).json()["items"]
        assert ["Crisis cell convened", "It was at 9:15"] == [i["text"] for i in items][-2:]
        assert 422 == api.post(url, {"text": " "}, content_type=JSON).status_code
        assert 422 == api.post(url, {"text": "x", "occurred_at": hours_ago(-1).isoformat()},
                               content_type=JSON).status_code

    def test_correction_of_another_incident(self, tenants: Any) -> None:
        """A correction naming an entry of another incident is refused."""
        one, two = open_case(tenants), open_case(tenants, title="Other")
        other_entry = LogEntry.objects.filter(incident=two).first()
        assert other_entry is not None
        response = api_client(tenants.users["manager"]).post(
            f"/api/incidents/{one.pk}/log", {"text": "x", "corrects_id": other_entry.pk}, content_type=JSON)
        assert 422 == response.status_code

    def test_indicators_and_tasks(self, tenants: Any) -> None:
        """Add and remove an indicator; add an action and close it."""
        incident = open_case(tenants)
        api = api_client(tenants.users["manager"])
        indicator = api.post(f"/api/incidents/{incident.pk}/indicators", {"kind": "ip", "value": "203.0.113.5"},
                             content_type=JSON)
        assert 201 == indicator.status_code
        assert 204 == api.delete(f"/api/incidents/indicators/{indicator.json()['id']}").status_code
        task = api.post(f"/api/incidents/{incident.pk}/tasks", {"title": "MFA", "kind": "action"}, content_type=JSON)
        assert 201 == task.status_code, task.content
        done = api.patch(f"/api/incidents/tasks/{task.json()['id']}", {"status": "done"}, content_type=JSON)
        assert done.json()["done_at"] is not None
        assert 422 == api.patch(f"/api/incidents/tasks/{task.json()['id']}", {"owner_id": tenants.outsider.pk},
                                content_type=JSON).status_code


class TestDeclarationsAndExports:
    """Declarations, obligations, timeline, statistics, profile, evidence."""

    def test_declaration_cycle(self, tenants: Any) -> None:
        """Generate, read as text and PDF, mark sent: the CERT Santé clock is done."""
        incident = open_case(tenants)
        api = api_client(tenants.users["manager"])
        response = api.post(f"/api/incidents/{incident.pk}/declarations", {"kind": "cert_sante"}, content_type=JSON)
        assert 201 == response.status_code, response.content
        pk = response.json()["id"]
        assert "Hospital A" in api.get(f"/api/incidents/declarations/{pk}/text").content.decode()
        assert api.get(f"/api/incidents/declarations/{pk}/pdf").content.startswith(b"%PDF")
        future = {"sent_at": hours_ago(-1).isoformat(), "reference": "R"}
        assert 422 == api.post(f"/api/incidents/declarations/{pk}/sent", future, content_type=JSON).status_code
        sent = api.post(f"/api/incidents/declarations/{pk}/sent", {"sent_at": hours_ago(1).isoformat(),
                                                                   "reference": "CS-1"}, content_type=JSON)
        assert 200 == sent.status_code, sent.content
        assert ObligationRecord.objects.filter(incident=incident, obligation="cert_sante").exists()
        clocks = {c["obligation"]: c for c in api.get(f"/api/incidents/{incident.pk}/clocks").json()}
        assert "done" == clocks["cert_sante"]["state"]
        assert 1 == Declaration.objects.count()

    def test_obligation_not_applicable(self, tenants: Any) -> None:
        """CNIL does not apply without a personal-data breach: 422 naming the applicable ones."""
        incident = open_case(tenants)
        response = api_client(tenants.users["manager"]).post(
            f"/api/incidents/{incident.pk}/obligations",
            {"obligation": "cnil", "done_at": hours_ago(1).isoformat(), "reference": "x"}, content_type=JSON)
        assert 422 == response.status_code
        assert "cert_sante" in response.json()["detail"]

    def test_timeline_formats(self, tenants: Any) -> None:
        """JSON by default, CSV and PDF on request, 422 otherwise."""
        incident = open_case(tenants)
        api = api_client(tenants.users["viewer"])
        url = f"/api/incidents/{incident.pk}/timeline"
        assert incident.reference == api.get(url).json()["incident"]["reference"]
        rows = list(csv.reader(io.StringIO(api.get(url, {"format": "csv"}).content.decode())))
        assert len(rows) >= 3
        assert api.get(url, {"format": "pdf"}).content.startswith(b"%PDF")
        assert 422 == api.get(url, {"format": "xls"}).status_code

    def test_statistics_and_profile(self, tenants: Any) -> None:
        """Statistics of group A; the profile set on the group is in force at the hospital."""
        open_case(tenants)
        api = api_client(tenants.users["manager"])
        assert 1 == api.get(f"/api/incidents/statistics/{tenants.group_a.pk}").json()["total"]
        assert 404 == api.get(f"/api/incidents/statistics/{tenants.group_b.pk}").status_code
        response = api.put(f"/api/incidents/profiles/{tenants.group_a.pk}",
                           {"nis2_status": "essential", "insured": "yes", "insurer_notice_hours": 48},
                           content_type=JSON)
        assert 200 == response.status_code, response.content
        effective = api.get(f"/api/incidents/profiles/{tenants.hospital_a.pk}").json()["effective"]
        assert (True, True, 48) == (effective["nis2_entity"], effective["insured"], effective["insurer_notice_hours"])
        assert 1 == RegulatoryProfile.objects.count()
        assert 403 == api_client(tenants.users["viewer"]).put(
            f"/api/incidents/profiles/{tenants.group_a.pk}", {}, content_type=JSON).status_code

    @override_settings(HYGIE_MAX_UPLOAD_BYTES=1024)
    def test_evidence(self, tenants: Any) -> None:
        """Upload then download; an oversized file is refused with 413 and nothing is kept."""
        incident = open_case(tenants)
        api = api_client(tenants.users["manager"])
        url = f"/api/incidents/{incident.pk}/evidence"
        response = api.post(url, {"title": "Note", "file": SimpleUploadedFile("note.txt", b"pay us\n")})
        assert 201 == response.status_code, response.content
        download = api.get(f"/api/incidents/evidence/{response.json()['id']}")
        assert b"pay us\n" == b"".join(download.streaming_content)
        big = api.post(url, {"title": "Big", "file": SimpleUploadedFile("big.txt", b"x" * 4096)})
        assert 413 == big.status_code
        assert 1 == IncidentEvidence.objects.count()
