"""Gaps and their remediation findings; CSV, JSON and PDF exports of an assessment."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.exporting import assessment_csv, assessment_json, assessment_pdf, assessment_rows
from hygie.apps.compliance.gaps import SOURCE, check_id_for, create_remediation, gap_list
from hygie.apps.compliance.models import Assessment, Framework, RequirementAssessment, RequirementEvent, Status
from hygie.apps.compliance.services import open_assessment, set_status
from hygie.apps.findings.models import Finding


@pytest.fixture
def assessment(tenants: Any) -> Assessment:
    """Hospital A's NIS2 assessment: one met, one not met, one partial, one n/a, the rest not assessed."""
    sync_shipped(only=["nis2_art21"])
    assessment = open_assessment(tenants.hospital_a, Framework.objects.get(key="nis2_art21"),
                                 tenants.users["manager"])
    items = list(RequirementAssessment.objects.filter(assessment=assessment).order_by("requirement__order"))
    manager = tenants.users["manager"]
    set_status(items[0], manager, status=Status.MET)
    set_status(items[1], manager, status=Status.NOT_MET, owner=tenants.users["analyst"], due_date=dt.date(2027, 1, 31),
               comment='=HYPERLINK("http://evil.example")')
    set_status(items[2], manager, status=Status.PARTIAL)
    set_status(items[3], manager, status=Status.NOT_APPLICABLE, reason="No such activity")
    return assessment


class TestGaps:
    """Not met first, then partial, then not assessed; met and n/a are no gaps."""

    def test_order_and_content(self, assessment: Assessment) -> None:
        gaps = gap_list(assessment)
        total = assessment.items.count()
        assert total - 2 == len(gaps)
        assert [Status.NOT_MET, Status.PARTIAL] == [gap.status for gap in gaps[:2]]
        assert {Status.NOT_ASSESSED} == {gap.status for gap in gaps[2:]}
        assert ("analyst_a", dt.date(2027, 1, 31)) == (gaps[0].owner, gaps[0].due_date)
        assert gaps[0].section

    def test_remediation_is_idempotent(self, assessment: Assessment, tenants: Any) -> None:
        gaps = gap_list(assessment)[:2]
        findings = create_remediation(assessment, tenants.users["manager"], [gap.item for gap in gaps],
                                      due_date=dt.date(2027, 6, 30))
        assert 2 == len(findings)
        first = findings[0]
        assert SOURCE == first.source
        assert check_id_for("nis2_art21", gaps[0].ref) == first.check_id
        assert tenants.hospital_a == first.node
        assert tenants.users["analyst"] == first.owner  # the requirement's owner when none is given
        again = create_remediation(assessment, tenants.users["manager"], [gap.item for gap in gaps])
        assert [f.pk for f in findings] == [f.pk for f in again]
        assert 2 == Finding.objects.filter(source=SOURCE).count()
        assert RequirementEvent.objects.filter(item=gaps[0].item, changes__has_key="remediation_finding").exists()

    def test_met_items_and_other_assessments_are_refused(self, assessment: Assessment, tenants: Any) -> None:
        met = RequirementAssessment.objects.get(assessment=assessment, status=Status.MET)
        with pytest.raises(ValidationError, match="not a gap"):
            create_remediation(assessment, tenants.users["manager"], [met])
        sync_shipped(only=["care_d2"])
        other = open_assessment(tenants.hospital_a, Framework.objects.get(key="care_d2"), tenants.users["manager"])
        with pytest.raises(ValidationError, match="another assessment"):
            create_remediation(assessment, tenants.users["manager"], [other.items.first()])
        assert not Finding.objects.filter(source=SOURCE).exists()

    def test_check_ids_are_valid(self) -> None:
        from hygie.engines._core.finding import validate_check_id

        for ref in ("GV.OC-01", "d2.o3.c", "art21.2.a", "---"):
            validate_check_id(check_id_for("nis_ose", ref))


class TestExports:
    """Rows, CSV (formulas neutralised), JSON and PDF."""

    def test_rows_and_csv(self, assessment: Assessment) -> None:
        rows = assessment_rows(assessment)
        assert assessment.items.count() == len(rows)
        assert "analyst_a" == rows[1]["owner"]
        table = list(csv.reader(io.StringIO(assessment_csv(assessment))))
        assert len(rows) + 1 == len(table)
        comment = table[2][table[0].index("Comment")]
        assert comment.startswith("'=")

    def test_json(self, assessment: Assessment) -> None:
        document = assessment_json(assessment)
        assert "nis2_art21" == document["framework"]["key"]
        assert document["maturity"]["counts"][Status.MET] == 1
        assert len(document["requirements"]) == assessment.items.count()

    def test_pdf(self, assessment: Assessment) -> None:
        pdf = assessment_pdf(assessment)
        assert pdf.startswith(b"%PDF-")
