"""Governance in a real browser: a group CISO opens CaRE D2, attaches evidence, reads the roll-up, exports the ARS file.

The CISO holds the manager role on the group. Two establishments of the group have a CaRE
domain-2 assessment; one applied to the CaRE D2 funding programme. Each step leaves a screenshot
``test-artifacts/e2e-50-governance-*.png``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.budget.models import ApplicationMilestone, FundingApplication, FundingProgramme, MilestoneKind
from hygie.apps.budget.programmes import load_programmes
from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.models import Evidence, Framework, RequirementAssessment, Status
from hygie.apps.compliance.services import open_assessment, set_status
from hygie.apps.organizations.models import Node, NodeKind
from hygie.testing import build_tenants
from hygie.testing.tenants import PASSWORD

from .test_e2e import _login, _shot, pytestmark  # noqa: F401 - the browser marks
from .test_e2e import page as page  # noqa: PLC0414 - the fixture, under its own name

__all__ = ["TestGovernanceJourney"]

#: The requirement the CISO proves: 3-2-1 backups with an offline or immutable copy.
REQUIREMENT = "d2.o3.c"
#: A small but real PDF: the evidence the CISO attaches (a backup contract's summary page).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _group_ciso(group: Node) -> Any:
    """The group's CISO: a manager of the whole group."""
    ciso = User.objects.create_user(username="ciso_group_a", password=PASSWORD)
    RoleAssignment.objects.create(user=ciso, node=group, role=Role.MANAGER)
    return ciso


def _setup(tenants: Any, ciso: Any) -> dict[str, Any]:
    """Two assessed establishments of group A and a CaRE D2 application of the first one."""
    sync_shipped(only=["care_d2"])
    load_programmes()
    framework = Framework.objects.get(key="care_d2", node__isnull=True)
    second = Node.objects.create(
        kind=NodeKind.ESTABLISHMENT, name="Hospital A2", parent=tenants.group_a, finess_ej="690000880"
    )
    first_assessment = open_assessment(tenants.hospital_a, framework, ciso)
    second_assessment = open_assessment(second, framework, ciso)
    # The second establishment has done half the work; the first one nothing yet.
    for item in second_assessment.items.select_related("requirement").order_by("requirement__order")[:6]:
        set_status(item, ciso, status=Status.MET, comment="Checked on site")
    application = FundingApplication.objects.create(
        node=tenants.hospital_a,
        programme=FundingProgramme.objects.get(key="care_d2"),
        title="CaRE D2 - Hospital A",
        amount_requested=Decimal("180000.00"),
    )
    ApplicationMilestone.objects.create(
        application=application, kind=MilestoneKind.APPLIED, done_on=dt.date(2026, 2, 2)
    )
    return {
        "assessment": first_assessment,
        "second": second,
        "second_assessment": second_assessment,
        "application": application,
    }


def _open_care_d2(page: Any, tenants: Any, built: dict[str, Any]) -> None:
    """Step 1: from the menu to the first establishment's CaRE D2 assessment and its heat map."""
    page.locator("nav.mainnav").get_by_role("link", name="Compliance").click()
    page.wait_for_url("**/compliance/")
    row = page.get_by_test_id(f"assessment-{built['assessment'].pk}")
    assert "CaRE" in row.inner_text()
    row.get_by_role("link", name=tenants.hospital_a.name, exact=True).click()
    page.wait_for_url(f"**/compliance/assessments/{built['assessment'].pk}/")
    assert page.get_by_test_id("heatmap").is_visible()
    _shot(page, "50-governance-assessment")


def _attach_evidence(page: Any, built: dict[str, Any], tmp_path: Path) -> None:
    """Step 2: the requirement's page, a PDF attached as evidence, then the status set to met."""
    item = RequirementAssessment.objects.get(assessment=built["assessment"], requirement__ref=REQUIREMENT)
    page.get_by_test_id(f"item-{REQUIREMENT}").get_by_role("link").first.click()
    page.wait_for_url(f"**/compliance/requirements/{item.pk}/")
    contract = tmp_path / "backup-contract.pdf"
    contract.write_bytes(PDF)
    form = page.get_by_test_id("upload-form")
    form.locator("input[type=file]").set_input_files(str(contract))
    form.locator("input[name=title]").fill("Offline vault contract")
    with page.expect_navigation():
        form.get_by_role("button", name="Attach").click()
    assert "Offline vault contract" in page.get_by_test_id("evidence").inner_text()
    evidence = Evidence.objects.get(item=item)
    assert hashlib.sha256(PDF).hexdigest() == evidence.sha256
    status_form = page.get_by_test_id("status-form")
    status_form.locator("select[name=status]").select_option(Status.MET)
    status_form.locator("textarea[name=comment]").fill("Vault copy checked against the contract")
    with page.expect_navigation():
        status_form.get_by_role("button", name="Save").click()
    assert "Met" == page.get_by_test_id("status").inner_text().strip()
    item.refresh_from_db()
    assert Status.MET == item.status
    assert "evidence" in page.get_by_test_id("history").inner_text().lower()
    _shot(page, "50-governance-evidence")


def _rollup(page: Any, tenants: Any, built: dict[str, Any]) -> None:
    """Step 3: the group roll-up: both establishments with their scores, the second one ahead."""
    page.goto("/compliance/")
    page.get_by_role("link", name=tenants.group_a.name, exact=True).click()
    page.wait_for_url(f"**/compliance/nodes/{tenants.group_a.pk}/rollup/**")
    picker = page.get_by_test_id("framework-picker")
    if picker.count():
        picker.locator("select[name=framework]").select_option("care_d2")
        with page.expect_navigation():
            picker.get_by_role("button", name="Show").click()
    table = page.get_by_test_id("rollup")
    first = table.get_by_test_id(f"rollup-{tenants.hospital_a.pk}")
    second = table.get_by_test_id(f"rollup-{built['second'].pk}")
    first_score = int(first.locator("td").nth(1).inner_text().strip().rstrip(" %"))
    second_score = int(second.locator("td").nth(1).inner_text().strip().rstrip(" %"))
    # One requirement of thirteen met in the first establishment, six in the second.
    assert 0 < first_score < second_score
    assert page.get_by_test_id("aggregate").inner_text().strip().endswith("%")
    _shot(page, "50-governance-rollup")


def _ars_file(page: Any, built: dict[str, Any]) -> None:
    """Step 4: the CaRE D2 application's ARS file: a ZIP with the PDF, the tables, the assessment and its evidence."""
    page.locator("nav.mainnav").get_by_role("link", name="Budget").click()
    page.wait_for_url("**/budget/**")
    page.goto(built["application"].get_absolute_url())
    assert "Applied" in page.get_by_test_id("milestones").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("ars-zip").click()
    data = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert archive.read("ars-file.pdf").startswith(b"%PDF-")
        assert {"budget.csv", "projects.csv", "milestones.csv", "README.txt"} <= set(names)
        assert "assessment/assessment.csv" in names
        evidence = [name for name in names if name.startswith(f"assessment/evidence/{REQUIREMENT}")]
        assert 1 == len(evidence)
        assert PDF == archive.read(evidence[0])
        assert REQUIREMENT in archive.read("assessment/assessment.csv").decode("utf-8-sig")
    _shot(page, "50-governance-ars")


class TestGovernanceJourney:
    """The group CISO's path through CaRE D2, from evidence to the funding file."""

    def test_care_d2_evidence_rollup_ars_file(self, page: Any, flushable_db: Any, tmp_path: Path) -> None:
        tenants = build_tenants()
        ciso = _group_ciso(tenants.group_a)
        built = _setup(tenants, ciso)
        _login(page, ciso.username)
        _open_care_d2(page, tenants, built)
        _attach_evidence(page, built, tmp_path)
        _rollup(page, tenants, built)
        _ars_file(page, built)
