"""Editing a component's backups in the UI: the backup plan with its copies, and recording restore tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hygie.apps.continuity.models import BackupCopy, BackupPlan, Exercise, ExerciseKind, Medium, RestoreTest

from .support import build_continuity


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _copies(*rows: dict[str, Any], initial: int = 0) -> dict[str, Any]:
    """The copies formset: management fields, then one ``copies-N-*`` group per row."""
    data: dict[str, Any] = {
        "copies-TOTAL_FORMS": len(rows),
        "copies-INITIAL_FORMS": initial,
        "copies-MIN_NUM_FORMS": 0,
        "copies-MAX_NUM_FORMS": 50,
    }
    for index, row in enumerate(rows):
        data |= {f"copies-{index}-{key}": value for key, value in row.items()}
    return data


def _plan(system: Any, **extra: Any) -> dict[str, Any]:
    return {"system": system.pk, "method": "incremental", "frequency_h": "12", "retention_days": "60"} | extra


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A."""
    return build_continuity(tenants.hospital_a)


@pytest.fixture
def analyst(tenants: Any) -> Client:
    """An analyst of group A (may change hospital A's components)."""
    return _client(tenants.users["analyst"])


class TestComponentPageLinks:
    """The component page leads to both forms, for those who may change the component only."""

    def test_links(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """The analyst sees "Edit backup plan" ("Create" without one), "Record a restore test"; a viewer neither."""
        page = analyst.get(built["dpi"].get_absolute_url()).content.decode()
        assert f"/continuity/components/{built['dpi'].pk}/backup-plan/" in page
        assert f"/continuity/components/{built['dpi'].pk}/restore-tests/add/" in page
        assert "Edit backup plan" in page
        assert "Create a backup plan" in analyst.get(built["hypervisors"].get_absolute_url()).content.decode()
        page = _client(tenants.users["viewer"]).get(built["dpi"].get_absolute_url()).content.decode()
        assert 'data-testid="edit-backup-plan"' not in page
        assert 'data-testid="record-restore-test"' not in page


class TestBackupPlanEdit:
    """Create or change a plan and its copies in one form; errors store nothing."""

    def test_create(self, built: dict[str, Any], analyst: Client) -> None:
        """The hypervisors have no plan: the form creates it with two copies, the page shows them."""
        url = f"/continuity/components/{built['hypervisors'].pk}/backup-plan/"
        page = analyst.get(url).content.decode()
        assert 'data-testid="backup-copies-formset"' in page
        data = _plan(built["tapes"]) | _copies(
            {"site": "Main", "medium": "nas", "online": "on"},
            {"site": "Vault", "medium": "tape", "immutable": "on", "frequency_h": "168"},
        )
        response = analyst.post(url, data)
        assert 302 == response.status_code
        assert built["hypervisors"].get_absolute_url() == response["Location"]
        plan = BackupPlan.objects.get(component=built["hypervisors"])
        assert (built["tapes"], "incremental", 12.0, 60) == (
            plan.system,
            plan.method,
            plan.frequency_h,
            plan.retention_days,
        )
        copies = list(plan.copies.order_by("pk"))
        assert [("Main", True, False, None), ("Vault", False, True, 168.0)] == [
            (c.site, c.online, c.immutable, c.frequency_h) for c in copies
        ]
        page = analyst.get(built["hypervisors"].get_absolute_url()).content.decode()
        assert "Vault" in page
        assert "168 h" in page

    def test_change_delete_and_add_copies(self, built: dict[str, Any], analyst: Client) -> None:
        """Existing copies come back in rows: one changed, one deleted, one added, in a single save."""
        plan = built["plans"]["Patient record"]
        main, second = plan.copies.order_by("pk")
        url = f"/continuity/components/{built['dpi'].pk}/backup-plan/"
        page = analyst.get(url).content.decode()
        assert "Second site" in page
        data = _plan(built["veeam"], frequency_h="6") | _copies(
            {"id": main.pk, "site": "Main", "medium": "nas", "online": "on", "encrypted": "on"},
            {"id": second.pk, "site": "Second site", "medium": "object", "DELETE": "on"},
            {"site": "Vault", "medium": "tape"},
            initial=2,
        )
        assert 302 == analyst.post(url, data).status_code
        plan.refresh_from_db()
        assert (built["veeam"], 6.0) == (plan.system, plan.frequency_h)
        assert [("Main", Medium.NAS, True), ("Vault", Medium.TAPE, False)] == [
            (c.site, c.medium, c.online) for c in plan.copies.order_by("pk")
        ]
        assert not BackupCopy.objects.filter(pk=second.pk).exists()

    def test_bad_copy_stores_nothing(self, built: dict[str, Any], analyst: Client) -> None:
        """A negative refresh period on the second copy: 400 with the error in the row; no plan, no copy."""
        url = f"/continuity/components/{built['hypervisors'].pk}/backup-plan/"
        data = _plan(built["tapes"]) | _copies(
            {"site": "Main", "medium": "nas"}, {"site": "Vault", "medium": "tape", "frequency_h": "-1"}
        )
        copies_before = BackupCopy.objects.count()
        response = analyst.post(url, data)
        assert 400 == response.status_code
        assert "greater than or equal to 0" in response.content.decode()
        assert not BackupPlan.objects.filter(component=built["hypervisors"]).exists()
        assert copies_before == BackupCopy.objects.count()

    def test_bad_plan_keeps_copies(self, built: dict[str, Any], analyst: Client) -> None:
        """A bad plan field with a valid copy change: 400 naming it, neither the plan nor the copies change."""
        plan = built["plans"]["Patient record"]
        main, second = plan.copies.order_by("pk")
        url = f"/continuity/components/{built['dpi'].pk}/backup-plan/"
        data = _plan(built["tapes"], frequency_h="-3", method="nonsense") | _copies(
            {"id": main.pk, "site": "Renamed", "medium": "nas"},
            {"id": second.pk, "site": "Second site", "medium": "object", "DELETE": "on"},
            initial=2,
        )
        response = analyst.post(url, data)
        assert 400 == response.status_code
        assert "nonsense" in response.content.decode()  # "Select a valid choice. nonsense is not one of ..."
        plan.refresh_from_db()
        assert 24.0 == plan.frequency_h
        assert ["Main", "Second site"] == [c.site for c in plan.copies.order_by("pk")]

    def test_foreign_system_refused(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Another tenant's backup system is not a valid choice."""
        foreign = build_continuity(tenants.hospital_b)["veeam"]
        url = f"/continuity/components/{built['hypervisors'].pk}/backup-plan/"
        response = analyst.post(url, _plan(foreign) | _copies())
        assert 400 == response.status_code
        assert not BackupPlan.objects.filter(component=built["hypervisors"]).exists()

    def test_permissions(self, built: dict[str, Any], tenants: Any) -> None:
        """A viewer: 403 on the form and nothing stored on a post; another tenant's component: 404."""
        url = f"/continuity/components/{built['hypervisors'].pk}/backup-plan/"
        viewer = _client(tenants.users["viewer"])
        assert 403 == viewer.get(url).status_code
        assert 403 == viewer.post(url, _plan(built["tapes"]) | _copies()).status_code
        assert not BackupPlan.objects.filter(component=built["hypervisors"]).exists()
        assert 404 == _client(tenants.outsider).get(url).status_code


class TestRestoreTestAdd:
    """Record a restore test: not in the future, exercise among the visible ones."""

    def _data(self, **extra: Any) -> dict[str, Any]:
        tested = timezone.localdate() - dt.timedelta(days=3)
        return {
            "date": tested.isoformat(),
            "success": "on",
            "duration_h": "5.5",
            "to_production": "on",
            "functional_check_by": "Dr Martin",
            "notes": "Restored to the production cluster.",
        } | extra

    def test_record(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """The form is dated today; a valid test is stored with its exercise and shown on the component."""
        exercise = Exercise.objects.create(
            node=tenants.hospital_a,
            kind=ExerciseKind.RESTORE_TEST,
            title="Restore drill",
            planned_on=dt.date(2026, 1, 5),
        )
        url = f"/continuity/components/{built['pacs'].pk}/restore-tests/add/"
        page = analyst.get(url).content.decode()
        assert timezone.localdate().isoformat() in page
        assert "Restore drill" in page
        response = analyst.post(url, self._data(exercise=exercise.pk))
        assert 302 == response.status_code
        test = RestoreTest.objects.get(component=built["pacs"])
        assert (True, 5.5, True, "Dr Martin", exercise) == (
            test.success,
            test.duration_h,
            test.to_production,
            test.functional_check_by,
            test.exercise,
        )
        page = analyst.get(built["pacs"].get_absolute_url()).content.decode()
        assert "5.5 h" in page
        assert exercise.get_absolute_url() in page  # the test links to its exercise

    def test_failed_test(self, built: dict[str, Any], analyst: Client) -> None:
        """An unticked "succeeded" records a failed test."""
        url = f"/continuity/components/{built['pacs'].pk}/restore-tests/add/"
        data = self._data()
        del data["success"]
        assert 302 == analyst.post(url, data).status_code
        assert not RestoreTest.objects.get(component=built["pacs"]).success

    def test_errors(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Future date, negative duration, another tenant's exercise: 400 with the reason, nothing stored."""
        url = f"/continuity/components/{built['pacs'].pk}/restore-tests/add/"
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        response = analyst.post(url, self._data(date=tomorrow))
        assert 400 == response.status_code
        assert "cannot be dated in the future" in response.content.decode()
        assert 400 == analyst.post(url, self._data(duration_h="-2")).status_code
        foreign = Exercise.objects.create(
            node=tenants.hospital_b, kind=ExerciseKind.RESTORE_TEST, title="B drill", planned_on=dt.date(2026, 1, 5)
        )
        assert 400 == analyst.post(url, self._data(exercise=foreign.pk)).status_code
        assert not RestoreTest.objects.filter(component=built["pacs"]).exists()

    def test_permissions(self, built: dict[str, Any], tenants: Any) -> None:
        """A viewer: 403; another tenant: 404; nothing stored."""
        url = f"/continuity/components/{built['pacs'].pk}/restore-tests/add/"
        assert 403 == _client(tenants.users["viewer"]).post(url, self._data()).status_code
        assert 404 == _client(tenants.outsider).post(url, self._data()).status_code
        assert not RestoreTest.objects.filter(component=built["pacs"]).exists()
