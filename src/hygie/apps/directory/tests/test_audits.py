"""Upload audits run through the real task worker: result, findings in the register, failures, diff, report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from hygie.apps.directory.models import AuditStatus, DirectoryAudit
from hygie.apps.directory.running import directory_dir
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.jobs.models import Job, JobStatus
from hygie.engines.directory.registry import CHECKS
from hygie.testing.tasks import run_queued_tasks

from .collections import DOMAIN, collection_zip

DELEGATION_CHECKS = {"directory.unconstrained_delegation", "directory.user_unconstrained_delegation"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, node: Any, content: bytes, name: str = "collection.zip") -> Any:
    return client.post("/directory/upload/", {"node": node.pk, "file": SimpleUploadedFile(name, content)})


def _audit(client: Client, node: Any, **kwargs: Any) -> DirectoryAudit:
    response = _upload(client, node, collection_zip(**kwargs))
    assert 302 == response.status_code, response.content
    run_queued_tasks()
    return DirectoryAudit.objects.order_by("-id").first()  # type: ignore[return-value]


class TestUploadAudit:
    """The vertical slice: upload, job, result, register."""

    def test_upload_runs_and_findings_land_in_the_register(self, tenants: Any) -> None:
        """ALICE trusted for unconstrained delegation: both delegation checks name her, in the register too."""
        client = _client(tenants.users["analyst"])
        audit = _audit(client, tenants.hospital_a)
        assert AuditStatus.SUCCEEDED == audit.status
        assert [DOMAIN] == audit.domains
        assert JobStatus.SUCCEEDED == audit.job.status
        flagged = {f["check_id"]: [o["name"] for o in f["objects"]] for f in audit.findings()}
        assert {check: [f"ALICE@{DOMAIN}"] for check in DELEGATION_CHECKS} == {
            k: v for k, v in flagged.items() if k in DELEGATION_CHECKS
        }
        register = Finding.objects.filter(node=tenants.hospital_a, source="directory")
        assert set(flagged) == set(register.values_list("check_id", flat=True))
        # The snapshot is kept as Parquet; the upload is gone.
        assert (Path(audit.snapshot_path) / "manifest.json").is_file()
        assert not list((directory_dir() / "uploads").glob("*/collection.zip"))
        page = client.get(audit.get_absolute_url())
        assert 200 == page.status_code
        assert "vuln_delegation_t4d" in page.content.decode()

    def test_findings_titled_in_the_interface_language(self, tenants: Any) -> None:
        """A French interface shows each check's registered French title, an English one the English title."""
        client = _client(tenants.users["analyst"])
        audit = _audit(client, tenants.hospital_a)
        spec = CHECKS["directory.unconstrained_delegation"]
        with translation.override("fr"):
            titles = {f["check_id"]: f["title"] for f in audit.findings()}
        assert spec.title_fr == titles["directory.unconstrained_delegation"]
        with translation.override("en"):
            titles = {f["check_id"]: f["title"] for f in audit.findings()}
        assert spec.title_en == titles["directory.unconstrained_delegation"]

    def test_second_audit_closes_fixed_findings_and_diff_shows_them(self, tenants: Any) -> None:
        """ALICE fixed, BOB now delegating: the register closes ALICE's, the diff says new BOB, fixed ALICE."""
        client = _client(tenants.users["analyst"])
        first = _audit(client, tenants.hospital_a, delegating=("ALICE",))
        second = _audit(client, tenants.hospital_a, delegating=("BOB",))
        from hygie.apps.directory.analysis import diff_audits

        diff = diff_audits(first, second)
        assert {(c, f"BOB@{DOMAIN}") for c in DELEGATION_CHECKS} <= {(r["check_id"], r["object"]) for r in diff.new}
        assert {(c, f"ALICE@{DOMAIN}") for c in DELEGATION_CHECKS} <= {(r["check_id"], r["object"]) for r in diff.fixed}
        page = client.get(f"/directory/{second.pk}/diff/?base={first.pk}")
        assert 200 == page.status_code
        assert f"BOB@{DOMAIN}" in page.content.decode()
        # A finding's fingerprint covers its objects: ALICE's is closed as fixed, BOB's is new and open.
        findings = Finding.objects.filter(node=tenants.hospital_a, check_id="directory.user_unconstrained_delegation")
        by_object = {f.affected[0]["name"]: f.status for f in findings}
        assert {f"ALICE@{DOMAIN}": FindingStatus.FIXED, f"BOB@{DOMAIN}": FindingStatus.OPEN} == by_object
        assert 200 == client.get(second.get_absolute_url()).status_code

    def test_corrupt_zip_fails_the_job_with_the_message_and_stores_nothing(self, tenants: Any) -> None:
        """A truncated archive: the job fails with the reader's message; no result, no finding."""
        client = _client(tenants.users["analyst"])
        content = collection_zip()
        before = set((directory_dir() / "snapshots").glob("*"))
        assert 302 == _upload(client, tenants.hospital_a, content[: len(content) // 2]).status_code
        run_queued_tasks()
        audit = DirectoryAudit.objects.get()
        job = Job.objects.get()
        assert AuditStatus.FAILED == audit.status
        assert JobStatus.FAILED == job.status
        assert audit.error  # the reader's own message, also in the job's log
        assert audit.error in job.log
        assert audit.result is None
        assert audit.level is None
        assert not Finding.objects.exists()
        assert before == set((directory_dir() / "snapshots").glob("*"))
        assert not audit.snapshot_path
        assert audit.error.startswith("collection.zip: not a readable zip archive")
        page = client.get(audit.get_absolute_url()).content.decode()
        assert audit.error.split(":")[0] in page

    def test_too_large_refused_with_413(self, tenants: Any, settings: Any) -> None:
        """Above HYGIE_MAX_UPLOAD_MB: 413, no job."""
        content = collection_zip()
        settings.HYGIE_MAX_UPLOAD_BYTES = len(content) - 1
        response = _upload(_client(tenants.users["analyst"]), tenants.hospital_a, content)
        assert 413 == response.status_code
        assert not Job.objects.exists()

    def test_unknown_suffix_refused_by_the_form(self, tenants: Any) -> None:
        """A .txt file never reaches a job."""
        response = _upload(_client(tenants.users["analyst"]), tenants.hospital_a, b"x", name="notes.txt")
        assert 400 == response.status_code
        assert not Job.objects.exists()


class TestReport:
    """The report a CISO hands over."""

    def test_pdf_and_html(self, tenants: Any) -> None:
        """The PDF starts with %PDF; the HTML names the domain, the establishment and the ANSSI ids."""
        client = _client(tenants.users["analyst"])
        audit = _audit(client, tenants.hospital_a)
        viewer = _client(tenants.users["viewer"])
        pdf = viewer.get(f"/directory/{audit.pk}/report/?format=pdf")
        assert 200 == pdf.status_code
        assert pdf.content.startswith(b"%PDF")
        assert "attachment" in pdf["Content-Disposition"]
        html = viewer.get(f"/directory/{audit.pk}/report/?format=html").content.decode()
        for expected in (DOMAIN, tenants.hospital_a.name, "vuln_delegation_t4d", f"ALICE@{DOMAIN}"):
            assert expected in html

    def test_pdf_text_names_the_domain(self, tenants: Any) -> None:
        """The domain is in the PDF's text (WeasyPrint embeds text; pypdf is not needed to see it)."""
        from hygie.apps.directory.report import report_pdf

        audit = _audit(_client(tenants.users["analyst"]), tenants.hospital_a)
        pdf = report_pdf(audit, [])
        assert pdf.startswith(b"%PDF")
        assert len(pdf) > 1000


class TestLiveAudit:
    """A live collection with a stored credential, run as a job."""

    def test_unreachable_directory_fails_with_a_clear_message(self, tenants: Any) -> None:
        """Nothing listens on 127.0.0.1:1: the job fails with the collector's message, nothing is stored."""
        from hygie.apps.directory.models import DirectoryCredential

        credential = DirectoryCredential(
            node=tenants.hospital_a, label="DC", url="ldaps://127.0.0.1:1", bind_user="audit"
        )
        credential.set_password("secret")
        credential.save()
        client = _client(tenants.users["analyst"])
        response = client.post("/directory/run/", {"credential": credential.pk})
        assert 302 == response.status_code, response.content
        run_queued_tasks()
        audit = DirectoryAudit.objects.get()
        assert AuditStatus.FAILED == audit.status
        assert "127.0.0.1" in audit.error
        assert "Traceback" not in audit.error
        assert audit.result is None
        assert not Finding.objects.exists()
        assert JobStatus.FAILED == audit.job.status

    def test_viewer_cannot_run_nor_manage_credentials(self, tenants: Any) -> None:
        """Run needs the add right; credential pages need the manager's."""
        viewer = _client(tenants.users["viewer"])
        assert 403 == viewer.get("/directory/run/").status_code
        assert 403 == viewer.get("/directory/credentials/").status_code
        assert 403 == _client(tenants.users["analyst"]).get("/directory/credentials/add/").status_code
        assert 200 == _client(tenants.users["manager"]).get("/directory/credentials/add/").status_code


class TestHostileNames:
    """A NUL character planted in a name never reaches the database (PostgreSQL refuses it)."""

    def test_nul_removed_from_result_and_register(self, tenants: Any) -> None:
        """A name with a NUL inside (EV, NUL, IL) is stored as EVIL, in the result and in the register."""
        client = _client(tenants.users["analyst"])
        audit = _audit(client, tenants.hospital_a, delegating=("EV\x00IL",), users=("EV\x00IL", "BOB"))
        assert AuditStatus.SUCCEEDED == audit.status, audit.error
        names = [o["name"] for f in audit.findings() for o in f["objects"]]
        assert f"EVIL@{DOMAIN}" in names
        assert not any("\x00" in name for name in names)
        finding = Finding.objects.get(check_id="directory.user_unconstrained_delegation")
        assert [f"EVIL@{DOMAIN}"] == [a["name"] for a in finding.affected]
