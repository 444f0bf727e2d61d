"""The real directory engine measures CaRE D1 and ANSSI AD requirements; fixing the directory flips them.

A hand-written SharpHound collection (ALICE trusted for unconstrained delegation) is audited through
``hygie.apps.directory.running`` as an upload job; the assessments' measures then follow the audit's
findings exactly. A second audit of the fixed collection (nobody delegating) turns the delegation
requirements from failing to passing, and the confirmed status from not met to met, with history.
"""

from __future__ import annotations

from typing import Any

from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.measures import FAIL, NOT_EVALUATED, PASS, refresh
from hygie.apps.compliance.models import Framework, Measure, RequirementAssessment, RequirementEvent, Status
from hygie.apps.compliance.services import confirm_measure, open_assessment
from hygie.apps.directory.models import AuditStatus, DirectoryAudit
from hygie.apps.directory.running import start_upload_audit, store_upload
from hygie.apps.directory.tests.collections import collection_zip
from hygie.frameworks import engine_check_ids
from hygie.testing.tasks import run_queued_tasks

DELEGATION = {"directory.unconstrained_delegation", "directory.user_unconstrained_delegation"}


def _audit(user: Any, node: Any, **kwargs: Any) -> DirectoryAudit:
    """Audit a collection as the upload form does: stored upload, queued job, run by the worker."""
    path = store_upload([collection_zip(**kwargs)], "collection.zip")
    audit = start_upload_audit(user, node, path, "collection.zip")
    run_queued_tasks()
    audit.refresh_from_db()
    assert AuditStatus.SUCCEEDED == audit.status, audit.error
    return audit


def _expected(checks: list[str], fired: set[str], skipped: set[str]) -> str:
    """The measure the rules give for a requirement's checks, computed independently of measures.py."""
    known = engine_check_ids()
    states = [
        FAIL if check in fired else PASS
        for check in checks
        if check.startswith("directory.") and check in known and check not in skipped
    ]
    if not states:
        return Measure.NONE
    if set(states) == {PASS}:
        return Measure.PASSING
    if set(states) == {FAIL}:
        return Measure.FAILING
    return Measure.MIXED


def _item(assessment: Any, ref: str) -> RequirementAssessment:
    return RequirementAssessment.objects.select_related("requirement").get(assessment=assessment, requirement__ref=ref)


def _check_every_measure(assessments: tuple[Any, ...], audit: DirectoryAudit, fired: set[str],
                         skipped: set[str]) -> int:
    """Assert each directory-mapped requirement's measure and check states; how many were checked."""
    measured = 0
    for assessment in assessments:
        for item in RequirementAssessment.objects.filter(assessment=assessment).select_related("requirement"):
            if not any(check.startswith("directory.") for check in item.requirement.checks):
                continue
            assert _expected(item.requirement.checks, fired, skipped) == item.measure, item.requirement.ref
            measured += 1
            if item.measure:
                assert audit.pk in [run["id"] for run in item.measure_detail["runs"]]
                for check, state in item.measure_detail["checks"].items():
                    want = FAIL if check in fired else NOT_EVALUATED if check in skipped else PASS
                    assert want == state, check
    return measured


class TestDirectoryMeasures:
    """CaRE D1 and ANSSI AD measured from real directory audits."""

    def test_measures_follow_the_audit_and_a_fixed_directory_flips_them(self, tenants: Any) -> None:
        analyst = tenants.users["analyst"]
        node = tenants.hospital_a
        sync_shipped()
        care_d1 = open_assessment(node, Framework.objects.get(key="care_d1", node=None), analyst)
        anssi_ad = open_assessment(node, Framework.objects.get(key="anssi_ad", node=None), analyst)
        # No audit yet: nothing measured by the directory engine.
        assert Measure.NONE == _item(anssi_ad, "vuln_delegation_t4d").measure

        first = _audit(analyst, node)
        fired = {finding["check_id"] for finding in first.result["findings"]}
        skipped = {item["check_id"] for item in first.not_evaluated}
        assert fired >= DELEGATION
        assert refresh(care_d1) > 0
        assert refresh(anssi_ad) > 0

        # Every directory-mapped requirement is measured as the rules say, from this audit's findings.
        assert _check_every_measure((care_d1, anssi_ad), first, fired, skipped) > 10

        # The delegation control of ANSSI AD fails; one whose checks did not fire passes.
        delegation = _item(anssi_ad, "vuln_delegation_t4d")
        assert Measure.FAILING == delegation.measure
        assert dict.fromkeys(DELEGATION, FAIL) == delegation.measure_detail["checks"]
        passing = list(RequirementAssessment.objects.filter(assessment=anssi_ad, measure=Measure.PASSING))
        assert passing
        # CaRE D1's privileged-rights requirement mixes the delegation failure with passing checks.
        d1_rights = next(
            item for item in RequirementAssessment.objects.filter(assessment=care_d1).select_related("requirement")
            if DELEGATION <= set(item.requirement.checks)
        )
        assert d1_rights.measure in {Measure.MIXED, Measure.FAILING}
        confirm_measure(delegation, tenants.users["manager"])
        delegation.refresh_from_db()
        assert Status.NOT_MET == delegation.status

        # The fixed directory: nobody trusted for unconstrained delegation any more.
        second = _audit(analyst, node, delegating=())
        assert not DELEGATION & {finding["check_id"] for finding in second.result["findings"]}
        assert refresh(anssi_ad) > 0
        delegation.refresh_from_db()
        assert Measure.PASSING == delegation.measure
        assert [second.pk] == [run["id"] for run in delegation.measure_detail["runs"]]
        assert delegation.needs_review  # the person confirmed "failing"; the engines now say "passing"
        events = list(RequirementEvent.objects.filter(item=delegation).order_by("timestamp", "id"))
        measure_changes = [event.changes["measure"] for event in events if "measure" in event.changes]
        assert [["", Measure.FAILING], [Measure.FAILING, Measure.PASSING]] == measure_changes
        assert all(event.actor is None for event in events if "measure" in event.changes)

        confirm_measure(delegation, tenants.users["manager"])
        delegation.refresh_from_db()
        assert Status.MET == delegation.status
        assert not delegation.needs_review
        last = RequirementEvent.objects.filter(item=delegation).order_by("-timestamp", "-id").first()
        assert last is not None
        assert (Status.NOT_MET, Status.MET) == (last.from_status, last.to_status)
        assert "manager_a" == last.actor_name

        # Refreshing again with no new run changes nothing and writes no event.
        count = RequirementEvent.objects.filter(item__assessment=anssi_ad).count()
        assert 0 == refresh(anssi_ad)
        assert count == RequirementEvent.objects.filter(item__assessment=anssi_ad).count()

    def test_an_ancestors_audit_measures_and_another_tenants_does_not(self, tenants: Any) -> None:
        sync_shipped()
        framework = Framework.objects.get(key="anssi_ad", node=None)
        hospital = open_assessment(tenants.hospital_a, framework, tenants.users["manager"])
        other = open_assessment(tenants.hospital_b, framework, tenants.outsider)
        _audit(tenants.users["analyst"], tenants.group_a)  # the group's shared directory
        refresh(hospital)
        refresh(other)
        assert Measure.FAILING == _item(hospital, "vuln_delegation_t4d").measure
        assert Measure.NONE == _item(other, "vuln_delegation_t4d").measure

    def test_a_failed_audit_measures_nothing(self, tenants: Any) -> None:
        sync_shipped()
        assessment = open_assessment(tenants.hospital_a, Framework.objects.get(key="anssi_ad", node=None),
                                     tenants.users["manager"])
        DirectoryAudit.objects.create(node=tenants.hospital_a, source="upload", status=AuditStatus.FAILED,
                                      result={"findings": [{"check_id": "directory.unconstrained_delegation"}]})
        assert 0 == refresh(assessment)
        assert not RequirementAssessment.objects.filter(assessment=assessment).exclude(measure="").exists()
