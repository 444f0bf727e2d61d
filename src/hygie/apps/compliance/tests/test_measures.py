"""Measures from exposure scans, the continuity model and the CaRE D2 readiness objectives."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.measures import FAIL, PASS, measure_of, refresh
from hygie.apps.compliance.models import Framework, Measure, RequirementAssessment
from hygie.apps.compliance.services import open_assessment
from hygie.apps.continuity.tests.support import build_continuity


def _scan(node: Any, perimeter: Any, checks: list[str], *, status: str = "done", minutes: int = 0) -> Any:
    from hygie.apps.exposure.models import ExposureScan

    findings = [{"check_id": check, "title": check, "severity": "high", "affected": []} for check in checks]
    return ExposureScan.objects.create(
        node=node, perimeter=perimeter, status=status, label="scan",
        finished=timezone.now() + timezone.timedelta(minutes=minutes),
        result={"findings": findings, "hosts": []},
    )


def _perimeter(node: Any, name: str) -> Any:
    from hygie.apps.exposure.models import ExposurePerimeter

    return ExposurePerimeter.objects.create(node=node, name=name, entries="192.0.2.0/24", authorised_by="CISO",
                                            valid_until=timezone.now() + timezone.timedelta(days=30))


def _item(assessment: Any, ref: str) -> RequirementAssessment:
    return RequirementAssessment.objects.get(assessment=assessment, requirement__ref=ref)


class TestMeasureOf:
    """The rule: all pass, all fail, a mix, or nothing known."""

    def test_rule(self) -> None:
        assert Measure.PASSING == measure_of([PASS, PASS])
        assert Measure.FAILING == measure_of([FAIL])
        assert Measure.MIXED == measure_of([PASS, FAIL])
        assert Measure.MIXED == measure_of(["partial"])
        assert Measure.NONE == measure_of([])
        assert Measure.NONE == measure_of(["not_evaluated"])


class TestExposure:
    """The latest done scan of each perimeter counts; older scans and failed ones do not."""

    def test_latest_scan_per_perimeter(self, tenants: Any) -> None:
        sync_shipped(only=["care_d1"])
        node = tenants.hospital_a
        assessment = open_assessment(node, Framework.objects.get(key="care_d1"), tenants.users["manager"])
        internet, partners = _perimeter(node, "Internet"), _perimeter(node, "Partners")
        _scan(node, internet, ["exposure.service_remote_access"], minutes=0)
        _scan(node, internet, [], minutes=5)  # the RDP was closed since
        _scan(node, partners, ["exposure.service_database"], minutes=1)
        _scan(node, partners, ["exposure.service_medical"], status="failed", minutes=9)
        refresh(assessment)
        item = _item(assessment, "d1.ex2")
        checks = item.measure_detail["checks"]
        assert FAIL == checks["exposure.service_database"]
        assert PASS == checks["exposure.service_remote_access"]
        assert PASS == checks["exposure.service_medical"]
        assert Measure.MIXED == item.measure
        assert 2 == len([run for run in item.measure_detail["runs"] if run["engine"] == "exposure"])

    def test_another_tenants_scan_is_not_read(self, tenants: Any) -> None:
        sync_shipped(only=["care_d1"])
        assessment = open_assessment(tenants.hospital_a, Framework.objects.get(key="care_d1"),
                                     tenants.users["manager"])
        _scan(tenants.hospital_b, _perimeter(tenants.hospital_b, "B"), ["exposure.service_remote_access"])
        refresh(assessment)
        assert Measure.NONE == _item(assessment, "d1.ex2").measure


class TestContinuityAndReadiness:
    """The continuity checks run live on the node's model; CaRE D2 also reads the readiness objectives."""

    def test_care_d2(self, tenants: Any) -> None:
        sync_shipped(only=["care_d2"])
        node = tenants.hospital_a
        assessment = open_assessment(node, Framework.objects.get(key="care_d2"), tenants.users["manager"])
        # No model yet: the continuity checks measure nothing, the readiness objectives still do.
        offline = _item(assessment, "d2.o3.c")
        assert not offline.measure_detail["checks"]
        build_continuity(node)  # the PACS has only an online copy
        assert refresh(assessment) > 0
        offline.refresh_from_db()
        assert FAIL == offline.measure_detail["checks"]["continuity.backup_no_offline_copy"]
        assert offline.measure in {Measure.FAILING, Measure.MIXED}
        assert {"continuity", "readiness"} <= {run["engine"] for run in offline.measure_detail["runs"]}
        assert "d2.o3.c" in offline.measure_detail["objective"]

    def test_a_handful_of_queries(self, tenants: Any) -> None:
        sync_shipped(only=["care_d1"])
        assessment = open_assessment(tenants.hospital_a, Framework.objects.get(key="care_d1"),
                                     tenants.users["manager"])
        with CaptureQueriesContext(connection) as queries:
            refresh(assessment)
        assert len(queries) < 25
