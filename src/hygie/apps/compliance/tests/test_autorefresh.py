"""Assessments take the engines' measures by themselves when a run is stored (no "Refresh" pressed)."""

from __future__ import annotations

from typing import Any

from hygie.apps.compliance import autorefresh
from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.models import Framework, Measure, RequirementAssessment
from hygie.apps.compliance.services import open_assessment
from hygie.apps.directory.running import start_upload_audit, store_upload
from hygie.apps.directory.tests.collections import collection_zip
from hygie.apps.findings.ingest import ingest
from hygie.testing.tasks import run_queued_tasks

REF = "vuln_delegation_t4d"


def _measure(assessment: Any) -> str:
    return RequirementAssessment.objects.get(assessment=assessment, requirement__ref=REF).measure


class TestAutomaticRefresh:
    """The directory audit job refreshes the assessments around its node when it commits."""

    def test_audit_of_an_establishment_measures_it_and_its_group(
        self, tenants: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        analyst = tenants.users["analyst"]
        sync_shipped(only=["anssi_ad"])
        framework = Framework.objects.get(key="anssi_ad", node=None)
        hospital = open_assessment(tenants.hospital_a, framework, analyst)
        group = open_assessment(tenants.group_a, framework, analyst)
        other = open_assessment(tenants.hospital_b, framework, tenants.outsider)
        assert Measure.NONE == _measure(hospital)

        with django_capture_on_commit_callbacks(execute=True):
            path = store_upload([collection_zip()], "collection.zip")
            start_upload_audit(analyst, tenants.hospital_a, path, "collection.zip")
            run_queued_tasks()

        assert Measure.FAILING == _measure(hospital)
        assert Measure.FAILING == _measure(group)  # the group's assessment reads its establishments' audits
        assert Measure.NONE == _measure(other)  # another tenant's assessment is not touched

    def test_other_sources_refresh_nothing(self, tenants: Any, django_capture_on_commit_callbacks: Any) -> None:
        analyst = tenants.users["analyst"]
        sync_shipped(only=["anssi_ad"])
        hospital = open_assessment(tenants.hospital_a, Framework.objects.get(key="anssi_ad", node=None), analyst)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ingest(tenants.hospital_a, "manual", [])
        assert not [c for c in callbacks if getattr(c, "func", None) is autorefresh._refresh_committed]
        assert Measure.NONE == _measure(hospital)
