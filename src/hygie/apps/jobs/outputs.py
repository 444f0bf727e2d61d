"""Files produced by jobs (exports, reports): kept in the data dir, served only through their job.

A job that produces a file returns ``{"file": "<bare file name>", ...}`` as its result; the
download view re-checks the permission on the job, so a file is never reachable by guessing its name.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from hygie.apps.jobs.models import Job

__all__ = ["output_dir", "output_file"]


def output_dir() -> Path:
    """Where job output files are written (inside the data dir, never served as static files)."""
    return Path(settings.DATA_DIR) / "job-outputs"


def output_file(job: Job) -> Path | None:
    """The file a finished job produced, or None (no file for this kind of job, or removed)."""
    name = job.result.get("file") if isinstance(job.result, dict) else None
    if not isinstance(name, str) or not name or Path(name).name != name:  # a bare name only: no path tricks
        return None
    path = output_dir() / name
    return path if path.is_file() else None
