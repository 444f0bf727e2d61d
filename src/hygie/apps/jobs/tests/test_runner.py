"""Background jobs: the runner, the worker and the job pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hygie.apps.jobs.models import Job, JobStatus
from hygie.apps.jobs.runner import JobProgress, run_job, start_job
from hygie.testing.tasks import run_queued_tasks as _work

TARGETS = "hygie.apps.jobs.tests.targets"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(tenants: Any, target: str, node: Any = None, **kwargs: Any) -> Job:
    return start_job(node=node or tenants.hospital_a, kind="test", label="Test job",
                     user=tenants.users["manager"], target=f"{TARGETS}.{target}", **kwargs)




class TestStartJob:
    """``start_job`` records a queued job and enqueues its task."""

    def test_queued(self, tenants: Any) -> None:
        """A new job is queued, owned by its starter, with the id of its task."""
        job = _start(tenants, "count_to", total=3)
        job.refresh_from_db()
        assert JobStatus.QUEUED == job.status
        assert tenants.users["manager"] == job.created_by
        assert "" != job.task_id

    def test_foreign_target_refused(self, tenants: Any) -> None:
        """Only Hygie's own functions can be run."""
        with pytest.raises(ValueError, match="function of Hygie"):
            start_job(node=tenants.hospital_a, kind="test", label="x", user=None, target="os.system")
        assert 0 == Job.objects.count()


class TestWorker:
    """The database worker runs queued jobs to their end."""

    def test_succeeds(self, tenants: Any) -> None:
        """A job run by the worker ends succeeded at 100 % with its result and log."""
        job = _start(tenants, "count_to", total=25)
        _work()
        job.refresh_from_db()
        assert JobStatus.SUCCEEDED == job.status
        assert 100 == job.percent
        assert {"counted": 25} == job.result
        assert "counted to 25" in job.log
        assert job.started is not None
        assert job.finished is not None

    def test_fails_with_message(self, tenants: Any) -> None:
        """A failing target ends failed, its message in the log, no traceback."""
        job = _start(tenants, "explode", message="disk on fire")
        _work()
        job.refresh_from_db()
        assert JobStatus.FAILED == job.status
        assert "RuntimeError: disk on fire" in job.log
        assert "Traceback" not in job.log
        assert job.finished is not None

    def test_no_total_completes(self, tenants: Any) -> None:
        """A job that never gave a total still shows 100 % when done; a bare value is wrapped."""
        job = _start(tenants, "no_total")
        _work()
        job.refresh_from_db()
        assert 100 == job.percent
        assert {"value": 7} == job.result

    def test_vanished_job(self, tenants: Any) -> None:
        """A job deleted while queued is skipped without error."""
        run_job.call(999_999, f"{TARGETS}.count_to", {"total": 1})
        assert 0 == Job.objects.count()


class TestJobProgress:
    """Progress writes are throttled but never lost."""

    def test_throttled_then_flushed(self, tenants: Any) -> None:
        """Between two writes the database lags; ``flush`` catches it up."""
        job = Job.objects.create(node=tenants.hospital_a, kind="test", label="x")
        progress = JobProgress(job, interval=3600)
        progress.start("Phase", total=10)
        progress.advance(4)
        assert 0 == Job.objects.get(pk=job.pk).progress_done
        progress.flush()
        assert 4 == Job.objects.get(pk=job.pk).progress_done

    def test_log_bounded(self, tenants: Any) -> None:
        """The log keeps its tail only."""
        job = Job.objects.create(node=tenants.hospital_a, kind="test", label="x")
        progress = JobProgress(job, interval=0)
        for _ in range(2_000):
            progress.log("x" * 100)
        assert 100_000 == len(Job.objects.get(pk=job.pk).log)


class TestJobPages:
    """The job page shows progress, polls while running, and hides other tenants' jobs."""

    def test_detail_polls_while_running(self, tenants: Any) -> None:
        """A queued job's progress block polls every 2 s."""
        job = _start(tenants, "count_to", total=3)
        response = _client(tenants.users["viewer"]).get(job.get_absolute_url())
        assert 200 == response.status_code
        assert 'hx-trigger="every 2s"' in response.content.decode()

    def test_partial_stops_polling_when_done(self, tenants: Any) -> None:
        """The HTMX partial of a finished job shows 100 % and polls no more."""
        job = _start(tenants, "count_to", total=3)
        _work()
        response = _client(tenants.users["viewer"]).get(job.get_absolute_url(), headers={"HX-Request": "true"})
        body = response.content.decode()
        assert 200 == response.status_code
        assert 'aria-valuenow="100"' in body
        assert "hx-trigger" not in body
        assert "<html" not in body

    def test_other_tenant_404(self, tenants: Any) -> None:
        """Group B's manager gets 404 for group A's job, on the page and the API."""
        job = _start(tenants, "count_to", total=3)
        assert 404 == _client(tenants.outsider).get(job.get_absolute_url()).status_code
        assert 404 == _client(tenants.outsider).get(f"/api/jobs/{job.pk}").status_code

    def test_other_tenant_absent_from_list(self, tenants: Any) -> None:
        """Group B's job is not listed for group A's users."""
        mine = _start(tenants, "count_to", total=1)
        theirs = _start(tenants, "count_to", node=tenants.hospital_b, total=1)
        response = _client(tenants.users["viewer"]).get("/jobs/")
        body = response.content.decode()
        assert 200 == response.status_code
        assert mine.get_absolute_url() in body
        assert theirs.get_absolute_url() not in body
