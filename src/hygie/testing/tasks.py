"""Run queued background tasks inside a test, with the database worker's own code."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

__all__ = ["run_queued_tasks"]


def run_queued_tasks() -> None:
    """Run every queued task with the database worker's own code, as `hygie worker --batch` does.

    The worker's polling loop closes database connections between tasks, which would end the
    test's transaction (and the audit log's triggers forbid flushing a committed test database on
    SQLite), so the tests run the worker's ``run_task`` on each task row it would have claimed.
    """
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
    for row in DBTaskResult.objects.ready():
        row.claim(worker.worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        if row.status != "SUCCESSFUL":
            raise AssertionError(f"task {row.pk} ended {row.status}")
