"""Changing assessments: open, set a status, confirm a measure, evidence; every change in the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.compliance.catalogue import store_framework, sync_shipped
from hygie.apps.compliance.models import (
    Assessment,
    Evidence,
    EvidenceKind,
    Framework,
    Measure,
    RequirementAssessment,
    RequirementEvent,
    Status,
)
from hygie.apps.compliance.services import (
    UNCHANGED,
    add_file_evidence,
    add_link_evidence,
    confirm_measure,
    open_assessment,
    remove_evidence,
    set_status,
)
from hygie.apps.findings.models import Finding
from hygie.frameworks import shipped_framework


@pytest.fixture
def assessment(tenants: Any) -> Assessment:
    """Hospital A's NIS2 assessment."""
    sync_shipped(only=["nis2_art21"])
    return open_assessment(tenants.hospital_a, Framework.objects.get(key="nis2_art21"), tenants.users["manager"])


def _first(assessment: Assessment) -> RequirementAssessment:
    return RequirementAssessment.objects.filter(assessment=assessment).select_related("requirement").first()  # type: ignore[return-value]


def _finding(node: Any, check: str = "manual.weak_wifi") -> Finding:
    return Finding.objects.create(node=node, source="manual", check_id=check, fingerprint=check, title="Weak Wi-Fi",
                                  severity=2)


class TestOpen:
    """One item per requirement; a second assessment of the same version is refused."""

    def test_one_item_per_requirement(self, assessment: Assessment) -> None:
        framework = assessment.framework
        assert framework.requirements.count() == assessment.items.count()
        assert not assessment.items.exclude(status=Status.NOT_ASSESSED).exists()
        assert assessment.measured_at is not None

    def test_twice_is_refused(self, assessment: Assessment, tenants: Any) -> None:
        with pytest.raises(ValidationError, match="already has an assessment"):
            open_assessment(tenants.hospital_a, assessment.framework, tenants.users["manager"])

    def test_a_framework_imported_elsewhere_is_refused(self, tenants: Any) -> None:
        stored = store_framework(shipped_framework("nis2_art21"), tenants.hospital_b, tenants.outsider)
        with pytest.raises(ValidationError, match="outside this branch"):
            open_assessment(tenants.hospital_a, stored, tenants.users["manager"])
        assert not Assessment.objects.exists()


class TestSetStatus:
    """Status, owner, due date and comment; only changes are recorded."""

    def test_changes_are_recorded(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        manager = tenants.users["manager"]
        event = set_status(item, manager, status=Status.PARTIAL, owner=tenants.users["analyst"],
                           due_date=dt.date(2027, 3, 1), comment="Policy drafted")
        assert event is not None
        assert (Status.NOT_ASSESSED, Status.PARTIAL) == (event.from_status, event.to_status)
        assert {"owner": ["", "analyst_a"], "due_date": [None, "2027-03-01"]} == event.changes
        assert "manager_a" == event.actor_name
        item.refresh_from_db()
        assert (Status.PARTIAL, "Policy drafted") == (item.status, item.comment)
        # The same values again: nothing recorded.
        assert set_status(item, manager, status=Status.PARTIAL, owner=tenants.users["analyst"],
                          due_date=dt.date(2027, 3, 1)) is None
        # Only the owner cleared: the status stays.
        event = set_status(item, manager, owner=None)
        assert event is not None
        assert ("", "") == (event.from_status, event.to_status)
        assert {"owner": ["analyst_a", ""]} == event.changes
        assert 2 == RequirementEvent.objects.filter(item=item).count()

    def test_not_applicable_needs_a_reason(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        for reason in ("", "   "):
            with pytest.raises(ValidationError, match="Say why"):
                set_status(item, tenants.users["manager"], status=Status.NOT_APPLICABLE, reason=reason)
        assert not RequirementEvent.objects.filter(item=item).exists()
        set_status(item, tenants.users["manager"], status=Status.NOT_APPLICABLE, reason="No such service")
        item.refresh_from_db()
        assert "No such service" == item.reason
        # Another status drops the reason.
        event = set_status(item, tenants.users["manager"], status=Status.MET)
        assert event is not None
        assert {"reason": ["No such service", ""]} == event.changes

    def test_bad_values(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        with pytest.raises(ValidationError, match="Unknown status"):
            set_status(item, tenants.users["manager"], status="done")
        with pytest.raises(ValidationError, match="NUL"):
            set_status(item, tenants.users["manager"], status=Status.MET, comment="a\x00b")
        assert UNCHANGED is not None


class TestConfirm:
    """The measure becomes the status."""

    @pytest.mark.parametrize(
        ("measure", "status"),
        [(Measure.PASSING, Status.MET), (Measure.MIXED, Status.PARTIAL), (Measure.FAILING, Status.NOT_MET)],
    )
    def test_measure_gives_status(self, assessment: Assessment, tenants: Any, measure: str, status: str) -> None:
        item = _first(assessment)
        item.measure = measure
        item.save()
        assert item.needs_review
        event = confirm_measure(item, tenants.users["analyst"])
        item.refresh_from_db()
        assert (status, measure) == (item.status, item.confirmed_measure)
        assert not item.needs_review
        assert status == event.to_status

    def test_no_measure(self, assessment: Assessment, tenants: Any) -> None:
        with pytest.raises(ValidationError, match="No engine measures"):
            confirm_measure(_first(assessment), tenants.users["analyst"])


class TestEvidence:
    """Files and links; the linked object must be visible and in the assessment's branch."""

    def test_file_then_removed(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\nminutes\n")
        evidence = add_file_evidence(item, tenants.users["analyst"], upload, "Committee minutes")
        assert (EvidenceKind.FILE, "minutes.pdf", "application/pdf") == (
            evidence.kind, evidence.file_name, evidence.content_type)
        assert {"evidence_added": [None, "Committee minutes"]} == RequirementEvent.objects.get(item=item).changes
        remove_evidence(evidence, tenants.users["manager"])
        assert not Evidence.objects.filter(item=item).exists()
        assert RequirementEvent.objects.filter(item=item, changes__has_key="evidence_removed").exists()

    def test_refused_file_stores_nothing(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        with pytest.raises(ValidationError, match="not a PDF"):
            add_file_evidence(item, tenants.users["analyst"], SimpleUploadedFile("x.pdf", b"MZ\x90"), "X")
        assert not Evidence.objects.exists()
        assert not RequirementEvent.objects.filter(item=item).exists()

    def test_links(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        analyst = tenants.users["analyst"]
        link = add_link_evidence(item, analyst, title="PSSI", url="https://intranet.example/pssi")
        assert EvidenceKind.LINK == link.kind
        # A finding of the group (an ancestor) and of a site (the subtree) are both accepted.
        above = add_link_evidence(item, analyst, finding=_finding(tenants.group_a))
        below = add_link_evidence(item, analyst, finding=_finding(tenants.site_a, "manual.site"))
        assert {EvidenceKind.FINDING} == {above.kind, below.kind}
        assert "Weak Wi-Fi" == above.title
        assert 3 == RequirementEvent.objects.filter(item=item).count()

    def test_foreign_and_bad_links_are_refused(self, assessment: Assessment, tenants: Any) -> None:
        item = _first(assessment)
        analyst = tenants.users["analyst"]
        foreign = _finding(tenants.hospital_b)
        with pytest.raises(ValidationError, match="No such object visible"):
            add_link_evidence(item, analyst, finding=foreign)
        # Visible (a superuser sees everything) but outside the branch.
        with pytest.raises(ValidationError, match="branch"):
            add_link_evidence(item, tenants.superuser, finding=foreign)
        with pytest.raises(ValidationError, match="exactly one"):
            add_link_evidence(item, analyst)
        with pytest.raises(ValidationError, match="exactly one"):
            add_link_evidence(item, analyst, url="https://a.example", finding=_finding(tenants.hospital_a))
        for url in ("javascript:alert(1)", "ftp://x.example/a", "not a url"):
            with pytest.raises(ValidationError, match="http"):
                add_link_evidence(item, analyst, url=url)
        assert not Evidence.objects.exists()
