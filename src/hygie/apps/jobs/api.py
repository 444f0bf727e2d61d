"""REST API of background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action
from hygie.apps.jobs.models import Job
from hygie.apps.jobs.outputs import output_file
from hygie.web.api import require_api_scope
from hygie.web.pagination import PageNumberPagination

router = Router(tags=["jobs"])


class JobOut(Schema):
    """A background job."""

    id: int
    node_id: int
    kind: str
    label: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: int | None
    phase: str
    log: str
    result: dict[str, Any] | None
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None


@router.get("/", response=list[JobOut])
@paginate(PageNumberPagination, page_size=100)
def list_jobs(request: HttpRequest) -> Any:
    """Jobs of the caller's nodes."""
    require_api_scope(request)
    return Job.objects.restrict(request.user, Action.VIEW)


@router.get("/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int) -> Job:
    """One job."""
    return get_object_or_404(Job.objects.restrict(request.user, Action.VIEW), pk=job_id)


@router.get("/{job_id}/download", response={200: None})
def download(request: HttpRequest, job_id: int) -> Any:
    """The file a job produced (a CSV export...), 404 when it has none."""
    path = output_file(get_object_or_404(Job.objects.restrict(request.user, Action.VIEW), pk=job_id))
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
