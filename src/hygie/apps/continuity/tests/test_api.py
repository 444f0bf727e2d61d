"""The REST API: the model, simulations as jobs, exercises and actions, readiness and plan, import and export."""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any, ClassVar

import pytest
from django.test import Client
from django.utils import timezone

from hygie.apps.accounts.models import ApiToken
from hygie.apps.continuity.document import model_document
from hygie.apps.continuity.models import (
    BackupPlan,
    BackupSystem,
    Component,
    Exercise,
    ExerciseKind,
    RecoveryTeam,
    RestoreTest,
    Simulation,
    SimulationStatus,
)
from hygie.testing.tasks import run_queued_tasks

from .support import build_continuity

JSON = "application/json"
API = "/api/continuity"


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A, and another on hospital B."""
    build_continuity(tenants.hospital_b)
    return build_continuity(tenants.hospital_a)


class TestModelApi:
    """Lists, filters and details of the model; another tenant's objects are 404."""

    def test_lists(self, built: dict[str, Any], tenants: Any) -> None:
        """Group A's viewer sees hospital A's rows only; filters narrow."""
        api = _api(tenants.users["viewer"])
        assert 6 == api.get(f"{API}/components").json()["count"]
        assert ["Active Directory"] == [
            c["name"] for c in api.get(f"{API}/components?category=directory").json()["items"]
        ]
        weak = api.get(f"{API}/components?offline_copy=false&backed_up=true").json()["items"]
        assert ["Admissions", "PACS"] == [c["name"] for c in weak]
        assert 2 == api.get(f"{API}/teams").json()["count"]
        assert 1 == api.get(f"{API}/backup-systems?isolation=true").json()["count"]
        assert 2 == api.get(f"{API}/scenarios").json()["count"]
        assert 422 == api.get(f"{API}/components?kind=nonsense").status_code
        assert 6 == _api(tenants.outsider).get(f"{API}/components").json()["count"]  # hospital B's own

    def test_component_detail(self, built: dict[str, Any], tenants: Any) -> None:
        """Dependencies, dependents, backup plan with copies, restore tests."""
        api = _api(tenants.users["viewer"])
        dpi = api.get(f"{API}/components/{built['dpi'].pk}").json()
        assert ["Active Directory", "Hypervisors", "SAN storage"] == sorted(d["name"] for d in dpi["depends_on"])
        assert 2 == len(dpi["backup_plan"]["copies"])
        assert [7.5] == [t["duration_h"] for t in dpi["restore_tests"]]
        directory = api.get(f"{API}/components/{built['directory'].pk}").json()
        assert {"Patient record", "Admissions"} == {d["name"] for d in directory["dependents"]}
        assert 404 == _api(tenants.outsider).get(f"{API}/components/{built['dpi'].pk}").status_code

    def test_business_impacts(self, built: dict[str, Any], tenants: Any) -> None:
        """Derived targets and those in force (an explicit RTO wins)."""
        api = _api(tenants.users["viewer"])
        billing = api.get(f"{API}/business-impacts/{built['billing_bia'].pk}").json()
        assert (24.0, 48.0, 24.0) == (
            billing["derived"]["rto_h"],
            billing["targets"]["rto_h"],
            billing["rpo_h"] or 24.0,
        )
        assert ["Deferred billing"] == [m["name"] for m in billing["degraded_modes"]]
        assert 2 == api.get(f"{API}/business-impacts").json()["count"]
        assert 1 == api.get(f"{API}/business-impacts?kind=administrative").json()["count"]
        assert 404 == _api(tenants.outsider).get(f"{API}/business-impacts/{built['billing_bia'].pk}").status_code


class TestSimulationApi:
    """Starting a simulation queues a job; the worker stores the result."""

    def test_simulate(self, built: dict[str, Any], tenants: Any) -> None:
        """202 with the simulation; once the job ran, the detail holds the result."""
        api = _api(tenants.users["analyst"])
        url = f"{API}/scenarios/{built['ransomware'].pk}/simulate"
        started = api.post(url, {"runs": 100, "seed": 2}, content_type=JSON)
        assert 202 == started.status_code
        simulation_id = started.json()["id"]
        assert ("queued", 100) == (started.json()["status"], started.json()["runs"])
        run_queued_tasks()
        detail = api.get(f"{API}/simulations/{simulation_id}").json()
        assert "done" == detail["status"]
        assert {"Emergencies", "Billing"} == {a["name"] for a in detail["result"]["activities"]}
        assert 1 == api.get(f"{API}/simulations?status=done").json()["count"]
        assert 404 == _api(tenants.outsider).get(f"{API}/simulations/{simulation_id}").status_code

    def test_refused(self, built: dict[str, Any], tenants: Any) -> None:
        """A viewer may not simulate (403), another tenant gets 404, bad runs 422; nothing is queued."""
        url = f"{API}/scenarios/{built['ransomware'].pk}/simulate"
        assert 403 == _api(tenants.users["viewer"]).post(url, {"runs": 10}, content_type=JSON).status_code
        assert 404 == _api(tenants.outsider).post(url, {"runs": 10}, content_type=JSON).status_code
        analyst = _api(tenants.users["analyst"])
        assert 422 == analyst.post(url, {"runs": 0}, content_type=JSON).status_code
        assert 422 == analyst.post(url, {"runs": 10, "extra": 1}, content_type=JSON).status_code
        assert not Simulation.objects.exclude(status=SimulationStatus.DONE).exists()


class TestExerciseApi:
    """Exercises are planned on a node; actions become findings."""

    def test_create_and_action(self, built: dict[str, Any], tenants: Any) -> None:
        """An analyst plans an exercise and records an action owned by a colleague."""
        api = _api(tenants.users["analyst"])
        created = api.post(f"{API}/exercises", {
            "node_id": tenants.hospital_a.pk, "kind": "restore_test", "title": "DPI restore",
            "planned_on": "2026-12-01", "activity_ids": [built["emergencies"].pk],
            "timings": [{"step": "Restore", "planned_h": 8, "measured_h": 9.5}],
        }, content_type=JSON)  # fmt: skip
        assert 201 == created.status_code, created.content
        exercise_id = created.json()["id"]
        action = api.post(f"{API}/exercises/{exercise_id}/actions", {
            "title": "Faster restore", "severity": "high", "owner_id": tenants.users["manager"].pk,
            "due_date": "2027-02-01",
        }, content_type=JSON)  # fmt: skip
        assert 201 == action.status_code, action.content
        detail = api.get(f"{API}/exercises/{exercise_id}").json()
        assert [("Faster restore", "open", tenants.users["manager"].pk)] == [
            (a["title"], a["status"], a["owner_id"]) for a in detail["actions"]
        ]
        assert 1 == api.get(f"{API}/exercises?kind=restore_test").json()["count"]

    def test_bad_exercise(self, built: dict[str, Any], tenants: Any) -> None:
        """A bad kind or timings: 422; another tenant's node: 404; an owner of another tenant: 422."""
        api = _api(tenants.users["analyst"])
        base = {"node_id": tenants.hospital_a.pk, "kind": "tabletop", "title": "T", "planned_on": "2026-12-01"}
        assert 422 == api.post(f"{API}/exercises", {**base, "kind": "party"}, content_type=JSON).status_code
        bad_timings = {**base, "timings": [{"step": "", "planned_h": -1}]}
        assert 422 == api.post(f"{API}/exercises", bad_timings, content_type=JSON).status_code
        foreign = {**base, "node_id": tenants.hospital_b.pk}
        assert 404 == api.post(f"{API}/exercises", foreign, content_type=JSON).status_code
        exercise_id = api.post(f"{API}/exercises", base, content_type=JSON).json()["id"]
        action = {"title": "x", "owner_id": tenants.outsider.pk}
        assert 422 == api.post(f"{API}/exercises/{exercise_id}/actions", action, content_type=JSON).status_code


class TestBackupApi:
    """PUT a component's backup plan (copies replaced atomically); POST a restore test."""

    PLAN: ClassVar[dict[str, Any]] = {
        "method": "incremental",
        "frequency_h": 12,
        "retention_days": 60,
        "copies": [
            {"site": "Main", "medium": "nas"},
            {"site": "Vault", "medium": "tape", "online": False, "frequency_h": 168},
        ],
    }

    def test_create_then_replace_plan(self, built: dict[str, Any], tenants: Any) -> None:
        """No plan: PUT creates it with its copies; a second PUT replaces the copies; GET shows the result."""
        api = _api(tenants.users["analyst"])
        url = f"{API}/components/{built['hypervisors'].pk}/backup-plan"
        response = api.put(url, self.PLAN | {"system_id": built["tapes"].pk}, content_type=JSON)
        assert 200 == response.status_code, response.content
        body = response.json()
        assert (built["tapes"].pk, "incremental", 12.0) == (body["system_id"], body["method"], body["frequency_h"])
        assert [("Main", True), ("Vault", False)] == [(c["site"], c["online"]) for c in body["copies"]]
        replaced = self.PLAN | {"copies": [{"site": "Cloud", "medium": "object", "immutable": True}]}
        assert 200 == api.put(url, replaced, content_type=JSON).status_code
        detail = api.get(f"{API}/components/{built['hypervisors'].pk}").json()
        assert None is detail["backup_plan"]["system_id"]
        assert [("Cloud", True)] == [(c["site"], c["immutable"]) for c in detail["backup_plan"]["copies"]]
        assert 1 == BackupPlan.objects.filter(component=built["hypervisors"]).count()

    def test_bad_copy_changes_nothing(self, built: dict[str, Any], tenants: Any) -> None:
        """A bad medium on the second copy: 422 naming it; the plan and its copies are as before."""
        api = _api(tenants.users["analyst"])
        plan = built["plans"]["Patient record"]
        before = sorted(plan.copies.values_list("pk", "site"))
        bad = self.PLAN | {"copies": [{"site": "A"}, {"site": "B", "medium": "floppy"}]}
        response = api.put(f"{API}/components/{built['dpi'].pk}/backup-plan", bad, content_type=JSON)
        assert 422 == response.status_code
        assert "copies[1]" in response.json()["detail"]
        assert "medium" in response.json()["detail"]
        negative = self.PLAN | {"frequency_h": -1}
        assert (
            422 == api.put(f"{API}/components/{built['dpi'].pk}/backup-plan", negative, content_type=JSON).status_code
        )
        plan.refresh_from_db()
        assert 24.0 == plan.frequency_h
        assert before == sorted(plan.copies.values_list("pk", "site"))

    def test_plan_refused(self, built: dict[str, Any], tenants: Any) -> None:
        """A viewer: 403; another tenant's component or backup system: 404; nothing stored."""
        url = f"{API}/components/{built['hypervisors'].pk}/backup-plan"
        assert 403 == _api(tenants.users["viewer"]).put(url, self.PLAN, content_type=JSON).status_code
        assert 404 == _api(tenants.outsider).put(url, self.PLAN, content_type=JSON).status_code
        foreign = BackupSystem.objects.get(node=tenants.hospital_b, name="Veeam")
        analyst = _api(tenants.users["analyst"])
        response = analyst.put(url, self.PLAN | {"system_id": foreign.pk}, content_type=JSON)
        assert 404 == response.status_code
        assert not BackupPlan.objects.filter(component=built["hypervisors"]).exists()

    def test_restore_test(self, built: dict[str, Any], tenants: Any) -> None:
        """A test with its exercise: 201; a future date, a foreign exercise, a viewer: refused, nothing stored."""
        api = _api(tenants.users["analyst"])
        exercise = Exercise.objects.create(
            node=tenants.hospital_a, kind=ExerciseKind.RESTORE_TEST, title="Drill", planned_on=dt.date(2026, 1, 5)
        )
        url = f"{API}/components/{built['pacs'].pk}/restore-tests"
        test = {"date": "2026-01-05", "duration_h": 9, "to_production": True, "exercise_id": exercise.pk}
        response = api.post(url, test, content_type=JSON)
        assert 201 == response.status_code, response.content
        assert (9.0, True, exercise.pk) == itemgetter("duration_h", "success", "exercise_id")(response.json())
        assert [9.0] == [
            t["duration_h"] for t in api.get(f"{API}/components/{built['pacs'].pk}").json()["restore_tests"]
        ]
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        response = api.post(url, test | {"date": tomorrow}, content_type=JSON)
        assert 422 == response.status_code
        assert "future" in response.json()["detail"]
        assert 422 == api.post(url, test | {"duration_h": -1}, content_type=JSON).status_code
        foreign = Exercise.objects.create(
            node=tenants.hospital_b, kind=ExerciseKind.RESTORE_TEST, title="B", planned_on=dt.date(2026, 1, 5)
        )
        assert 404 == api.post(url, test | {"exercise_id": foreign.pk}, content_type=JSON).status_code
        assert 403 == _api(tenants.users["viewer"]).post(url, test, content_type=JSON).status_code
        assert 1 == RestoreTest.objects.filter(component=built["pacs"]).count()


class TestImportExportApi:
    """Export gives the document; import is atomic and for managers."""

    def test_export(self, built: dict[str, Any], tenants: Any) -> None:
        """The export is the node's document; another tenant's node is 404."""
        api = _api(tenants.users["viewer"])
        assert model_document(tenants.hospital_a) == api.get(f"{API}/export/{tenants.hospital_a.pk}").json()
        assert 404 == api.get(f"{API}/export/{tenants.hospital_b.pk}").status_code

    def test_import(self, built: dict[str, Any], tenants: Any) -> None:
        """A manager imports a changed document; an analyst may not (403)."""
        document = model_document(tenants.hospital_a)
        document["teams"][0]["capacity"] = 5
        url = f"{API}/import/{tenants.hospital_a.pk}"
        assert 403 == _api(tenants.users["analyst"]).post(url, document, content_type=JSON).status_code
        response = _api(tenants.users["manager"]).post(url, document, content_type=JSON)
        assert 200 == response.status_code, response.content
        assert 6 == response.json()["counts"]["components"]
        assert 5 == RecoveryTeam.objects.get(node=tenants.hospital_a, name=document["teams"][0]["name"]).capacity

    def test_bad_document_stores_nothing(self, built: dict[str, Any], tenants: Any) -> None:
        """An invalid document: 400 naming the element; not JSON: 400; nothing changes."""
        document = model_document(tenants.hospital_a)
        document["teams"][0]["capacity"] = 9
        document["components"].append({"name": "New", "team": "Infrastructure", "depends_on": ["Ghost"],
                                       "restore_h": 1})  # fmt: skip
        manager = _api(tenants.users["manager"])
        url = f"{API}/import/{tenants.hospital_a.pk}"
        response = manager.post(url, document, content_type=JSON)
        assert 400 == response.status_code
        assert "unknown dependency 'Ghost'" in response.json()["detail"]
        assert 400 == manager.post(url, "not json", content_type=JSON).status_code
        assert 400 == manager.post(url, [1, 2], content_type=JSON).status_code
        assert not Component.objects.filter(name="New").exists()
        assert {2, 1} == set(RecoveryTeam.objects.filter(node=tenants.hospital_a).values_list("capacity", flat=True))
        assert 404 == _api(tenants.outsider).post(url, document, content_type=JSON).status_code


class TestReadinessAndPlan:
    """Readiness (JSON) and plan (HTML) of a node."""

    def test_pages(self, built: dict[str, Any], tenants: Any) -> None:
        """Both answer for hospital A; 404 for another tenant's node."""
        api = _api(tenants.users["viewer"])
        readiness = api.get(f"{API}/readiness/{tenants.hospital_a.pk}")
        assert 200 == readiness.status_code
        assert readiness.json()["objectives"]
        plan = api.get(f"{API}/plan/{tenants.hospital_a.pk}")
        assert (200, True) == (plan.status_code, plan["Content-Type"].startswith("text/html"))
        assert b"Patient record" in plan.content
        assert 404 == api.get(f"{API}/plan/{tenants.hospital_b.pk}").status_code
        assert 404 == api.get(f"{API}/readiness/{tenants.hospital_b.pk}").status_code
