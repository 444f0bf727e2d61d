"""The ARS evidence file: a PDF, and a ZIP with the PDF, the CSVs and the compliance assessment when there is one."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from hygie.apps.budget.ars_file import ZIP_NAMES, ars_html, ars_pdf, ars_zip

from .support import application, project


def _names(content: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return set(archive.namelist())


class TestArsFile:
    """What the file holds, with and without an assessment of the programme's framework."""

    def test_pdf(self, tenants: Any) -> None:
        made = application(tenants.hospital_a)
        assert ars_pdf(made).startswith(b"%PDF-")

    def test_zip_without_assessment(self, tenants: Any) -> None:
        made = application(tenants.hospital_a)
        project(tenants.hospital_a, "=HYPERLINK(1)", 100_000, 1_000, funding=made)
        content = ars_zip(made)
        assert set(ZIP_NAMES) == _names(content)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            readme = archive.read("README.txt").decode()
            projects = list(csv.reader(io.StringIO(archive.read("projects.csv").decode()), delimiter=";"))
            milestones = archive.read("milestones.csv").decode()
            assert archive.read("ars-file.pdf").startswith(b"%PDF-")
        assert "No compliance assessment of framework care_d1" in readme
        assert 'data-testid="no-assessment"' in ars_html(made)
        assert "'=HYPERLINK(1)" == projects[1][1]  # a formula is neutralised for spreadsheets
        assert "below" == projects[1][7]
        assert milestones.startswith("milestone;planned_on;done_on")

    def test_zip_with_assessment(self, tenants: Any) -> None:
        """The node's assessment of the programme's framework is exported into the ZIP."""
        from hygie.apps.compliance.models import (
            Assessment,
            Framework,
            FrameworkOrigin,
            FrameworkRequirement,
            FrameworkSection,
            RequirementAssessment,
            Status,
        )

        framework = Framework.objects.create(key="care_d1", name="CaRE D1", version="1", digest="0" * 64,
                                             document={}, origin=FrameworkOrigin.IMPORTED, node=tenants.hospital_a)
        assessment = Assessment.objects.create(node=tenants.hospital_a, framework=framework)
        section = FrameworkSection.objects.create(framework=framework, ref="d1", title="Directories")
        requirement = FrameworkRequirement.objects.create(framework=framework, section=section, ref="d1.1",
                                                          title="Directory audited", order=0)
        RequirementAssessment.objects.create(assessment=assessment, requirement=requirement, status=Status.MET)
        made = application(tenants.hospital_a)
        names = _names(ars_zip(made))
        assert {"assessment/assessment.csv", "assessment/assessment.pdf"} <= names
        html = ars_html(made)
        assert "<td>Met</td>" in html
        assert "No assessment against" not in html
