"""Start background jobs and run them: a ``Job`` row for people, a django-tasks task for the worker.

``start_job`` records who asked for what on which node and enqueues ``run_job``; the worker imports
the target function by its dotted path and calls it with a ``JobProgress`` that writes progress and
log lines to the Job (throttled, so a tight loop does not hammer the database).

Callers check permissions before starting a job (``Model.objects.restrict(user, action)`` on the
node or the data concerned); the runner only executes what the platform itself decided to run.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from hygie.apps.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

#: Only Hygie's own functions can be job targets, even if a queued task row were tampered with.
ALLOWED_TARGET_PREFIX = "hygie."
#: Seconds between two progress writes: at most about two per second.
WRITE_INTERVAL = 0.5
#: The log keeps its last characters only: a chatty engine must not grow a row without bound.
MAX_LOG_CHARS = 100_000


class JobProgress:
    """A ``hygie.engines._core.Progress`` that stores progress and log lines on a Job."""

    def __init__(self, job: Job, *, interval: float = WRITE_INTERVAL) -> None:
        self.job = job
        self.interval = interval
        self._last_write = 0.0
        self._dirty = False

    def start(self, label: str, total: int | None = None) -> None:
        """A phase begins: its label and total are shown at once."""
        self.job.phase = label[:200]
        self.job.progress_total = total
        self.job.progress_done = 0
        self.flush()

    def advance(self, amount: int = 1) -> None:
        """``amount`` more units are done."""
        self.job.progress_done += amount
        self._changed()

    def log(self, message: str) -> None:
        """Append a timestamped line to the job's log."""
        stamp = timezone.localtime().strftime("%H:%M:%S")
        text = f"{self.job.log}{stamp} {message}\n"
        self.job.log = text[-MAX_LOG_CHARS:]
        self._changed()

    def _changed(self) -> None:
        self._dirty = True
        if time.monotonic() - self._last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Write the pending progress now (also called when the job ends)."""
        Job.objects.filter(pk=self.job.pk).update(
            phase=self.job.phase,
            progress_total=self.job.progress_total,
            progress_done=self.job.progress_done,
            log=self.job.log,
        )
        self._last_write = time.monotonic()
        self._dirty = False


def start_job(*, node: Any, kind: str, label: str, user: Any, target: str, **kwargs: Any) -> Job:
    """Create a queued Job on ``node`` and enqueue ``target(progress=..., **kwargs)``.

    ``kwargs`` must be JSON-serialisable: they travel through the task queue.
    """
    if not target.startswith(ALLOWED_TARGET_PREFIX):
        raise ValueError(f"job target must be a function of Hygie, not {target!r}")
    created_by = user if getattr(user, "pk", None) is not None else None
    job = Job.objects.create(node=node, kind=kind, label=label[:200], created_by=created_by)
    result = run_job.enqueue(job.pk, target, kwargs)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]
    return job


@task()
def run_job(job_id: int, target: str, kwargs: dict[str, Any]) -> None:
    """Run one job: queued -> running -> succeeded (with its result) or failed (with its message)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:  # deleted (with its node) while it waited in the queue
        logger.warning("job %s vanished before it ran", job_id)
        return
    job.status = JobStatus.RUNNING
    job.started = timezone.now()
    job.save(update_fields=["status", "started"])
    progress = JobProgress(job)
    try:
        outcome = _load_target(target)(progress=progress, **kwargs)
    except Exception as exc:
        # People see the message; administrators find the traceback in the worker's log.
        logger.exception("job %s (%s) failed", job_id, target)
        progress.log(f"{type(exc).__name__}: {exc}")
        _finish(job, progress, JobStatus.FAILED, None)
        return
    if job.progress_total is None or job.progress_done < job.progress_total:
        # Finished means complete, whatever the target reported along the way.
        job.progress_total = max(job.progress_total or 0, job.progress_done, 1)
        job.progress_done = job.progress_total
    _finish(job, progress, JobStatus.SUCCEEDED, _as_json_result(outcome))


def _load_target(target: str) -> Any:
    if not target.startswith(ALLOWED_TARGET_PREFIX):
        raise ValueError(f"refused job target {target!r}")
    return import_string(target)


def _finish(job: Job, progress: JobProgress, status: JobStatus, result: Any) -> None:
    progress.flush()
    Job.objects.filter(pk=job.pk).update(status=status, finished=timezone.now(), result=result)


def _as_json_result(outcome: Any) -> Any:
    """The target's return value as stored: dicts and lists as they are, anything else wrapped."""
    if outcome is None or isinstance(outcome, dict | list):
        return outcome
    return {"value": outcome}
