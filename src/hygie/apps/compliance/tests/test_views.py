"""Compliance pages with real data: overview, frameworks and import, assessment, requirement, gaps, roll-up."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from django.test import Client, override_settings
from django.utils import timezone

from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.models import (
    Assessment,
    Evidence,
    Framework,
    Measure,
    RequirementAssessment,
    RequirementEvent,
    Status,
)
from hygie.apps.directory.models import AuditSource, AuditStatus, DirectoryAudit
from hygie.apps.findings.models import Finding
from hygie.apps.organizations.models import Node, NodeKind

HOSTILE = '<script>alert("x")</script>'


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _audit(node: Node, failing: list[str]) -> DirectoryAudit:
    """A finished directory audit of ``node`` whose findings are the ``failing`` checks."""
    findings = [{"check_id": check, "title": check, "severity": "high", "objects": []} for check in failing]
    return DirectoryAudit.objects.create(
        node=node,
        domain="CHU.LOCAL",
        domains=["CHU.LOCAL"],
        source=AuditSource.UPLOAD,
        label="chu.zip",
        status=AuditStatus.SUCCEEDED,
        level=2,
        score=60,
        finding_count=len(findings),
        categories={},
        counts={},
        collected=timezone.now(),
        result={"level": 2, "score": 60, "categories": {}, "findings": findings, "not_evaluated": []},
    )


@pytest.fixture
def shipped(db: Any) -> dict[str, Framework]:
    """The shipped frameworks, by key."""
    return {framework.key: framework for framework in sync_shipped()}


@pytest.fixture
def analyst(tenants: Any) -> Client:
    """An analyst of group A (view, add, change)."""
    return _client(tenants.users["analyst"])


@pytest.fixture
def care_d1(tenants: Any, shipped: dict[str, Framework], analyst: Client) -> Assessment:
    """CaRE D1 of hospital A, opened through the page after a directory audit where the guest account is enabled."""
    _audit(tenants.hospital_a, ["directory.guest_enabled"])
    response = analyst.post(
        "/compliance/assessments/add/", {"node": tenants.hospital_a.pk, "framework": shipped["care_d1"].pk}
    )
    assert response.status_code == 302
    return Assessment.objects.get(node=tenants.hospital_a, framework=shipped["care_d1"])


def _item(assessment: Assessment, ref: str) -> RequirementAssessment:
    return RequirementAssessment.objects.select_related("requirement").get(assessment=assessment, requirement__ref=ref)


class TestOverview:
    """Frameworks, assessments with their maturity, and the form to open one."""

    def test_lists_frameworks_and_assessments(self, care_d1: Assessment, analyst: Client) -> None:
        """Shipped frameworks and the assessment with its score; analysts get the open form."""
        page = analyst.get("/compliance/").content.decode()
        assert "CaRE" in page
        assert f'data-testid="assessment-{care_d1.pk}"' in page
        assert 'data-testid="open-form"' in page

    def test_viewer_has_no_open_form(self, care_d1: Assessment, tenants: Any) -> None:
        """A viewer reads the overview without the form."""
        page = _client(tenants.users["viewer"]).get("/compliance/").content.decode()
        assert f'data-testid="assessment-{care_d1.pk}"' in page
        assert 'data-testid="open-form"' not in page


class TestOpenAssessment:
    """Opening an assessment fills one status per requirement and reads the engines."""

    def test_open_then_refused_twice(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """Every requirement gets a status; opening the same one again says why and stores nothing."""
        assert care_d1.items.count() == care_d1.framework.requirements.count()
        count = Assessment.objects.count()
        response = analyst.post(
            "/compliance/assessments/add/", {"node": tenants.hospital_a.pk, "framework": care_d1.framework_id}
        )
        assert response.status_code == 400
        assert "already has an assessment" in response.content.decode()
        assert count == Assessment.objects.count()

    def test_other_tenant_node_refused(self, shipped: dict[str, Framework], tenants: Any, analyst: Client) -> None:
        """A node of group B is not a valid choice."""
        response = analyst.post(
            "/compliance/assessments/add/", {"node": tenants.hospital_b.pk, "framework": shipped["care_d1"].pk}
        )
        assert response.status_code == 400
        assert not Assessment.objects.exists()


class TestFrameworks:
    """A framework's page, and importing one from a file."""

    def test_detail_shows_requirements_and_checks(self, shipped: dict[str, Framework], analyst: Client) -> None:
        """Sections, requirements and the engine checks that measure them."""
        page = analyst.get(f"/compliance/frameworks/{shipped['care_d1'].pk}/").content.decode()
        assert "d1.ad3" in page
        assert "directory.guest_enabled" in page

    def test_import_our_format(self, tenants: Any, analyst: Client) -> None:
        """A framework file in our format is stored for the chosen node."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        document = {
            "id": "ward_policy",
            "name": f"Ward policy {HOSTILE}",
            "version": "1",
            "language": "en",
            "source": {"reference": "Ward"},
            "sections": [{"id": "s", "title": "Doors"}],
            "requirements": [{"id": "s.1", "section": "s", "title": "Badge every door"}],
        }
        upload = SimpleUploadedFile("ward.yaml", yaml.safe_dump(document).encode())
        response = analyst.post("/compliance/frameworks/import/", {"node": tenants.hospital_a.pk, "file": upload})
        assert response.status_code == 302
        framework = Framework.objects.get(key="ward_policy")
        assert framework.node == tenants.hospital_a
        page = analyst.get(response["Location"]).content.decode()
        assert "Badge every door" in page
        assert HOSTILE not in page
        assert "&lt;script&gt;" in page

    def test_import_ciso_assistant_library(self, tenants: Any, analyst: Client) -> None:
        """A CISO Assistant library is recognised and converted."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from hygie.frameworks.tests.test_ciso_assistant import library

        upload = SimpleUploadedFile("ward.yaml", yaml.safe_dump(library(), allow_unicode=True).encode())
        response = analyst.post("/compliance/frameworks/import/", {"node": tenants.hospital_a.pk, "file": upload})
        assert response.status_code == 302
        assert Framework.objects.filter(node=tenants.hospital_a).count() == 1

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (b"id: [unclosed", "malformed YAML"),
            (b"id: ward\nname: Ward\n", "not valid"),
            (b"\xff\xfe\x00bad", "not UTF-8"),
        ],
    )
    def test_bad_file_refused(self, content: bytes, expected: str, tenants: Any, analyst: Client) -> None:
        """A malformed or invalid file gives a clear message under the field; nothing is stored."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("ward.yaml", content)
        response = analyst.post("/compliance/frameworks/import/", {"node": tenants.hospital_a.pk, "file": upload})
        assert response.status_code == 400
        assert expected in response.content.decode()
        assert not Framework.objects.filter(node__isnull=False).exists()  # the shipped ones only


class TestAssessmentPage:
    """Maturity, the heat map of sections, requirements with status and measure, filters, exports."""

    def test_heat_map_and_measures(self, care_d1: Assessment, analyst: Client) -> None:
        """The directory audit's failing check makes its requirement's measure show, to confirm."""
        ad3 = _item(care_d1, "d1.ad3")
        assert ad3.measure in {Measure.MIXED, Measure.FAILING}
        page = analyst.get(f"/compliance/assessments/{care_d1.pk}/").content.decode()
        assert 'data-testid="heatmap"' in page
        assert 'data-testid="heat-directories"' in page
        assert 'data-testid="item-d1.ad3"' in page
        assert 'data-testid="needs-review"' in page
        assert 'data-testid="confirm"' in page
        assert 'data-testid="refresh"' in page

    def test_french_wording(self, care_d1: Assessment, analyst: Client) -> None:
        """In French, requirements show the framework file's French titles."""
        url = f"/compliance/assessments/{care_d1.pk}/"
        assert "Niveau cible de l" not in analyst.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Niveau cible de l" in analyst.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    def test_filters(self, care_d1: Assessment, analyst: Client) -> None:
        """Filtering by status and by measure to confirm narrows the requirements."""
        item = _item(care_d1, "d1.p1")
        item.status = Status.MET
        item.save()
        url = f"/compliance/assessments/{care_d1.pk}/"
        page = analyst.get(url, {"status": "met"}).content.decode()
        assert 'data-testid="item-d1.p1"' in page
        assert 'data-testid="item-d1.ad3"' not in page
        page = analyst.get(url, {"needs_review": "true"}).content.decode()
        assert 'data-testid="item-d1.ad3"' in page
        assert 'data-testid="item-d1.p1"' not in page

    def test_exports(self, care_d1: Assessment, analyst: Client) -> None:
        """CSV, JSON and PDF downloads; an unknown format is refused."""
        url = f"/compliance/assessments/{care_d1.pk}/export/"
        csv = analyst.get(url, {"format": "csv"})
        assert csv["Content-Type"].startswith("text/csv")
        assert "d1.ad3" in csv.content.decode()
        data = json.loads(analyst.get(url, {"format": "json"}).content)
        assert data
        pdf = analyst.get(url, {"format": "pdf"})
        assert pdf.content.startswith(b"%PDF")
        assert analyst.get(url, {"format": "xls"}).status_code == 400

    def test_refresh_follows_a_new_audit(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """After a clean audit, refreshing makes the requirement pass, with an event in its history."""
        _audit(tenants.hospital_a, [])
        response = analyst.post(f"/compliance/assessments/{care_d1.pk}/refresh/")
        assert response.status_code == 302
        ad3 = _item(care_d1, "d1.ad3")
        assert ad3.measure == Measure.PASSING
        assert RequirementEvent.objects.filter(item=ad3, changes__has_key="measure").count() >= 1

    def test_queries_do_not_grow_with_requirements(
        self, care_d1: Assessment, tenants: Any, shipped: dict[str, Framework], analyst: Client
    ) -> None:
        """The 76 ANSSI AD control points cost as many queries as the 11 CaRE D1 requirements (no N+1)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from hygie.apps.compliance.services import open_assessment

        anssi = open_assessment(tenants.hospital_a, shipped["anssi_ad"], tenants.users["analyst"])
        counts = []
        for assessment in (care_d1, anssi):
            with CaptureQueriesContext(connection) as queries:
                assert analyst.get(f"/compliance/assessments/{assessment.pk}/").status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_viewer_cannot_refresh(self, care_d1: Assessment, tenants: Any) -> None:
        """Refreshing needs the change right."""
        response = _client(tenants.users["viewer"]).post(f"/compliance/assessments/{care_d1.pk}/refresh/")
        assert response.status_code == 403

    def test_other_tenant_is_not_found(self, care_d1: Assessment, tenants: Any) -> None:
        """Group B's manager gets 404, not 403."""
        response = _client(tenants.outsider).get(f"/compliance/assessments/{care_d1.pk}/")
        assert response.status_code == 404


class TestRequirementPage:
    """Status form and history, confirm, evidence upload, links, download and removal."""

    def test_status_change_writes_history(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """A new status with owner, due date and comment is saved and shown in the history."""
        item = _item(care_d1, "d1.p1")
        owner = tenants.users["manager"]
        response = analyst.post(
            f"/compliance/requirements/{item.pk}/status/",
            {
                "status": "partial",
                "reason": "",
                "owner": owner.pk,
                "due_date": "2027-06-30",
                "comment": f"Policy drafted {HOSTILE}",
            },
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert (item.status, item.owner, str(item.due_date)) == (Status.PARTIAL, owner, "2027-06-30")
        event = RequirementEvent.objects.filter(item=item).latest("id")
        assert (event.from_status, event.to_status) == (Status.NOT_ASSESSED, Status.PARTIAL)
        page = analyst.get(f"/compliance/requirements/{item.pk}/").content.decode()
        assert 'data-testid="history"' in page
        assert "Policy drafted" in page
        assert HOSTILE not in page

    def test_measure_detail(self, care_d1: Assessment, analyst: Client) -> None:
        """The measured checks, the failing one first, and a link to the audit they come from."""
        item = _item(care_d1, "d1.ad3")
        page = analyst.get(f"/compliance/requirements/{item.pk}/").content.decode()
        checks = page[page.index('data-testid="checks"') :]
        assert checks.index("directory.guest_enabled") < checks.index("directory.krbtgt_password_old")
        audit = DirectoryAudit.objects.get(node=care_d1.node)
        assert audit.get_absolute_url() in page

    def test_not_applicable_needs_a_reason(self, care_d1: Assessment, analyst: Client) -> None:
        """Not applicable without a reason is refused with a message, nothing recorded."""
        item = _item(care_d1, "d1.p1")
        events = RequirementEvent.objects.filter(item=item).count()
        response = analyst.post(f"/compliance/requirements/{item.pk}/status/", {"status": "not_applicable"})
        assert response.status_code == 400
        assert "Say why the requirement does not apply." in response.content.decode()
        item.refresh_from_db()
        assert item.status == Status.NOT_ASSESSED
        assert events == RequirementEvent.objects.filter(item=item).count()

    def test_owner_of_other_tenant_refused(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """An owner holding no role on the node's branch is not a valid choice."""
        item = _item(care_d1, "d1.p1")
        response = analyst.post(
            f"/compliance/requirements/{item.pk}/status/", {"status": "met", "owner": tenants.outsider.pk}
        )
        assert response.status_code == 400

    def test_confirm_measure(self, care_d1: Assessment, analyst: Client) -> None:
        """Confirming takes the measure as the status; nothing is left to review."""
        item = _item(care_d1, "d1.ad3")
        response = analyst.post(f"/compliance/requirements/{item.pk}/confirm/", {"next": "assessment"})
        assert response["Location"] == f"/compliance/assessments/{care_d1.pk}/"
        item.refresh_from_db()
        assert item.status in {Status.PARTIAL, Status.NOT_MET}
        assert not item.needs_review

    def test_upload_download_and_remove(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """A text file is stored and listed; it downloads as an attachment; a manager removes it."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        item = _item(care_d1, "d1.p1")
        upload = SimpleUploadedFile("charter.txt", b"IT charter signed by the director\n")
        response = analyst.post(
            f"/compliance/requirements/{item.pk}/evidence/", {"file": upload, "title": f"Charter {HOSTILE}"}
        )
        assert response.status_code == 302
        evidence = Evidence.objects.get(item=item)
        assert evidence.size == len(b"IT charter signed by the director\n")
        page = analyst.get(f"/compliance/requirements/{item.pk}/").content.decode()
        assert "Charter &lt;script&gt;" in page
        assert HOSTILE not in page
        download = analyst.get(f"/compliance/evidence/{evidence.pk}/download/")
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content) == b"IT charter signed by the director\n"
        assert analyst.post(f"/compliance/evidence/{evidence.pk}/delete/").status_code == 403
        response = _client(tenants.users["manager"]).post(f"/compliance/evidence/{evidence.pk}/delete/")
        assert response.status_code == 302
        assert not Evidence.objects.filter(pk=evidence.pk).exists()
        assert RequirementEvent.objects.filter(item=item, changes__has_key="evidence_removed").exists()

    @pytest.mark.parametrize(
        ("name", "content", "expected"),
        [
            ("tool.exe", b"MZ\x90\x00", "file type not accepted"),
            ("report.pdf", b"<html>not a pdf</html>", "its content does not match its extension"),
        ],
    )
    def test_wrong_type_refused(
        self, name: str, content: bytes, expected: str, care_d1: Assessment, analyst: Client
    ) -> None:
        """A refused type or a content not matching its extension says why; nothing is stored."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        item = _item(care_d1, "d1.p1")
        response = analyst.post(
            f"/compliance/requirements/{item.pk}/evidence/", {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 400
        assert expected in response.content.decode()
        assert not Evidence.objects.exists()

    @override_settings(HYGIE_COMPLIANCE_MAX_EVIDENCE_BYTES=64)
    def test_oversized_file_refused(self, care_d1: Assessment, analyst: Client) -> None:
        """A file over the evidence limit is refused with the limit in the message."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        item = _item(care_d1, "d1.p1")
        response = analyst.post(
            f"/compliance/requirements/{item.pk}/evidence/", {"file": SimpleUploadedFile("big.txt", b"x" * 65)}
        )
        assert response.status_code == 400
        assert "too large" in response.content.decode()
        assert not Evidence.objects.exists()

    def test_link_a_finding(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """A finding of the node is linked; one of group B is an invalid choice."""
        mine = Finding.objects.create(
            node=tenants.hospital_a,
            source="manual",
            check_id="manual.weak_password",
            fingerprint="a",
            title="Weak password",
            severity=3,
        )
        theirs = Finding.objects.create(
            node=tenants.hospital_b,
            source="manual",
            check_id="manual.weak_password",
            fingerprint="b",
            title="Their weak password",
            severity=3,
        )
        item = _item(care_d1, "d1.p1")
        url = f"/compliance/requirements/{item.pk}/links/"
        assert analyst.post(url, {"finding": theirs.pk}).status_code == 400
        assert analyst.post(url, {"title": "", "finding": mine.pk}).status_code == 302
        evidence = Evidence.objects.get(item=item)
        assert evidence.finding == mine
        page = analyst.get(f"/compliance/requirements/{item.pk}/").content.decode()
        assert mine.get_absolute_url() in page
        response = analyst.post(url, {"url": "https://ged.chu.local/policy", "finding": mine.pk})
        assert response.status_code == 400
        assert "exactly one" in response.content.decode()


class TestGaps:
    """The gap list and the remediation plan it creates in the findings register."""

    def test_remediation_plan(self, care_d1: Assessment, tenants: Any, analyst: Client) -> None:
        """Selected gaps become findings with the owner and due date; a second time adds nothing."""
        gaps = [_item(care_d1, "d1.p1"), _item(care_d1, "d1.ad3")]
        page = analyst.get(f"/compliance/assessments/{care_d1.pk}/gaps/").content.decode()
        assert 'data-testid="gap-d1.p1"' in page
        data = {"items": [gap.pk for gap in gaps], "owner": tenants.users["manager"].pk, "due_date": "2027-03-31"}
        url = f"/compliance/assessments/{care_d1.pk}/remediation/"
        assert analyst.post(url, data).status_code == 302
        findings = Finding.objects.filter(node=tenants.hospital_a, source="compliance")
        assert findings.count() == 2
        assert {f.owner for f in findings} == {tenants.users["manager"]}
        assert analyst.post(url, data).status_code == 302
        assert findings.count() == 2

    def test_met_requirement_is_not_a_gap(self, care_d1: Assessment, analyst: Client) -> None:
        """A met requirement cannot be put in the plan."""
        item = _item(care_d1, "d1.p1")
        item.status = Status.MET
        item.save()
        response = analyst.post(f"/compliance/assessments/{care_d1.pk}/remediation/", {"items": [item.pk]})
        assert response.status_code == 400
        assert not Finding.objects.filter(source="compliance").exists()


class TestRollup:
    """A group's establishments side by side, section by section."""

    def test_group_rollup(
        self, care_d1: Assessment, tenants: Any, shipped: dict[str, Framework], analyst: Client
    ) -> None:
        """Each establishment is a row with its score and section cells; the aggregate is shown."""
        second = Node.objects.create(kind=NodeKind.ESTABLISHMENT, name=f"Clinic {HOSTILE}", parent=tenants.group_a)
        item = _item(care_d1, "d1.p1")
        item.status = Status.MET
        item.save()
        response = analyst.get(f"/compliance/nodes/{tenants.group_a.pk}/rollup/", {"framework": "care_d1"})
        page = response.content.decode()
        assert response.status_code == 200
        assert f'data-testid="rollup-{tenants.hospital_a.pk}"' in page
        assert f'data-testid="rollup-{second.pk}"' in page
        assert 'data-testid="aggregate"' in page
        assert f"/compliance/assessments/{care_d1.pk}/" in page
        assert HOSTILE not in page
