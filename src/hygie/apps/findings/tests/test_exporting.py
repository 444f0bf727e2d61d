"""Background CSV exports of findings, run through the real task worker."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.findings.models import Finding
from hygie.apps.jobs.models import Job, JobStatus
from hygie.testing.tasks import run_queued_tasks as _work


def _finding(node: Any, title: str, severity: int) -> Finding:
    return Finding.objects.create(node=node, source="manual", check_id="manual.test", fingerprint=title,
                                  title=title, severity=severity)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _download(client: Client, job: Job) -> list[list[str]]:
    response = client.get(f"/jobs/{job.pk}/download/")
    assert 200 == response.status_code
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


class TestFindingsExportJob:
    """The list's "export in background" makes a job whose file holds exactly the filtered findings."""

    def test_export_runs_and_respects_filters_and_tenancy(self, tenants: Any) -> None:
        """Critical findings of group A only: not the high one, nothing of group B."""
        _finding(tenants.site_a, "Critical A", 4)
        _finding(tenants.site_a, "High A", 3)
        _finding(tenants.hospital_b, "Critical B", 4)
        client = _client(tenants.users["viewer"])
        response = client.post("/findings/export/", {"node": tenants.group_a.pk, "query": "severity=critical"})
        job = Job.objects.get()
        assert job.get_absolute_url() == response["Location"]
        assert JobStatus.QUEUED == job.status
        _work()
        job.refresh_from_db()
        assert JobStatus.SUCCEEDED == job.status
        assert 100 == job.percent
        rows = _download(client, job)
        assert ["Critical A"] == [row[1] for row in rows[1:]]

    def test_other_tenant_cannot_start_nor_download(self, tenants: Any) -> None:
        """A foreign node is 404 to start; a foreign job's file is 404 to fetch."""
        response = _client(tenants.outsider).post("/findings/export/", {"node": tenants.group_a.pk})
        assert 404 == response.status_code
        _client(tenants.users["viewer"]).post("/findings/export/", {"node": tenants.group_a.pk})
        _work()
        job = Job.objects.get()
        assert 404 == _client(tenants.outsider).get(f"/jobs/{job.pk}/download/").status_code

    def test_api_starts_and_downloads(self, tenants: Any) -> None:
        """POST /api/findings/export answers 201 with the job; the file comes from /api/jobs/{id}/download."""
        _finding(tenants.site_a, "Critical A", 4)
        _token, key = ApiToken.issue(tenants.users["analyst"], "script")
        api = Client(headers={"Authorization": f"Bearer {key}"})
        response = api.post("/api/findings/export", {"node_id": tenants.hospital_a.pk},
                            content_type="application/json")
        assert 201 == response.status_code
        job_id = response.json()["id"]
        _work()
        assert "succeeded" == api.get(f"/api/jobs/{job_id}").json()["status"]
        download = api.get(f"/api/jobs/{job_id}/download")
        assert 200 == download.status_code
        assert "Critical A" in b"".join(download.streaming_content).decode()
