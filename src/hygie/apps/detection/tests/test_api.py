"""The REST API: sources, packs and versions, hunts (start = a job), alerts with filters and the workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.detection.models import Alert, AlertStatus, Hunt, LogSource
from hygie.apps.detection.running import execute_hunt, new_hunt
from hygie.apps.detection.uploads import store_log_file
from hygie.testing.tasks import run_queued_tasks

from .support import attack_events, jsonl, pack_version, source

JSON = "application/json"


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def hunted(tenants: Any, tmp_path: Path) -> LogSource:
    """A source of hospital A hunted once by a global pack (3 alerts), and an alert-less source of hospital B."""
    version = pack_version(tmp_path)
    src = source(tenants.hospital_a)
    upload, _ = store_log_file(src, [jsonl(attack_events())], "night.jsonl")
    execute_hunt(new_hunt(src, version, [upload], None))
    source(tenants.hospital_b, "B source")
    return src


class TestAlertApi:
    """Alerts: filters, detail with event and history, transitions by role and tenant."""

    def test_list_and_filters(self, hunted: LogSource, tenants: Any) -> None:
        """Filters by level, tag, host, status; invalid values give 422."""
        api = _api(tenants.users["viewer"])
        assert 3 == api.get("/api/detection/alerts").json()["count"]
        assert ["LSASS memory access"] == [
            a["rule_title"] for a in api.get("/api/detection/alerts?min_level=4").json()["items"]
        ]
        assert 1 == api.get("/api/detection/alerts?tag=attack.t1021.001").json()["count"]
        assert 1 == api.get("/api/detection/alerts?host=SRV-FILE01").json()["count"]
        assert 0 == api.get("/api/detection/alerts?status=escalated").json()["count"]
        assert 422 == api.get("/api/detection/alerts?level=9").status_code
        assert 0 == _api(tenants.outsider).get("/api/detection/alerts").json()["count"]

    def test_transition(self, hunted: LogSource, tenants: Any) -> None:
        """An analyst acknowledges then escalates; the detail shows the event and the history."""
        alert = Alert.objects.get(rule_title="LSASS memory access")
        api = _api(tenants.users["analyst"])
        url = f"/api/detection/alerts/{alert.pk}/transition"
        assert 200 == api.post(url, {"status": "acknowledged", "comment": "seen"}, content_type=JSON).status_code
        refused = api.post(url, {"status": "escalated"}, content_type=JSON)
        assert 422 == refused.status_code
        assert "reference" in refused.json()["detail"]
        done = api.post(url, {"status": "escalated", "incident_reference": "INC-1"}, content_type=JSON).json()
        assert ("escalated", "INC-1", 2) == (done["status"], done["incident_reference"], len(done["history"]))
        detail = api.get(f"/api/detection/alerts/{alert.pk}").json()
        assert detail["event"]["GrantedAccess"] == "0x1010"
        assert detail["tags"]

    def test_read_only_and_other_tenant(self, hunted: LogSource, tenants: Any) -> None:
        """A viewer may not move an alert (403); another tenant's manager does not see it (404); nothing changes."""
        alert = Alert.objects.first()
        url = f"/api/detection/alerts/{alert.pk}/transition"
        assert 403 == _api(tenants.users["viewer"]).post(url, {"status": "acknowledged"}, content_type=JSON).status_code
        assert 404 == _api(tenants.outsider).post(url, {"status": "acknowledged"}, content_type=JSON).status_code
        assert 404 == _api(tenants.outsider).get(f"/api/detection/alerts/{alert.pk}").status_code
        assert not Alert.objects.exclude(status=AlertStatus.NEW).exists()


class TestHuntApi:
    """Starting a hunt queues a job; the worker raises the alerts."""

    def test_start_and_run(self, hunted: LogSource, tenants: Any) -> None:
        """A second hunt of the same file raises nothing new; sources without files are refused."""
        api = _api(tenants.users["analyst"])
        created = api.post("/api/detection/hunts", {"source_id": hunted.pk}, content_type=JSON)
        assert 201 == created.status_code, created.content
        assert created.json()["job_id"]
        assert "queued" == created.json()["status"]
        run_queued_tasks()
        hunt = api.get(f"/api/detection/hunts/{created.json()['id']}").json()
        assert ("done", 4, 3, 0) == (hunt["status"], hunt["events"], hunt["detection_count"], hunt["new_alert_count"])
        empty = LogSource.objects.create(node=tenants.hospital_a, name="empty")
        assert 409 == api.post("/api/detection/hunts", {"source_id": empty.pk}, content_type=JSON).status_code
        viewer = _api(tenants.users["viewer"])
        assert 403 == viewer.post("/api/detection/hunts", {"source_id": hunted.pk}, content_type=JSON).status_code
        other = LogSource.objects.get(name="B source")
        assert 404 == api.post("/api/detection/hunts", {"source_id": other.pk}, content_type=JSON).status_code
        assert 2 == Hunt.objects.count()


class TestSourceAndPackApi:
    """Sources and packs are listed per tenant; global packs for everyone; versions show their failures."""

    def test_lists(self, hunted: LogSource, tenants: Any) -> None:
        """Tenant A sees its source and the global pack with its versions; activation of a global pack: 403."""
        api = _api(tenants.users["administrator"])
        assert ["Sysmon servers"] == [s["name"] for s in api.get("/api/detection/sources").json()["items"]]
        assert ["srv-file01", "srv-app02"] == api.get(f"/api/detection/sources/{hunted.pk}").json()["host_names"]
        [pack] = api.get("/api/detection/packs").json()["items"]
        assert pack["node_id"] is None
        [version] = api.get(f"/api/detection/packs/{pack['id']}/versions").json()
        assert (3, True) == (version["rule_count"], version["active"])
        assert 403 == api.post(f"/api/detection/versions/{version['id']}/activate").status_code
        other = LogSource.objects.get(name="B source")
        assert 404 == api.get(f"/api/detection/sources/{other.pk}").status_code
