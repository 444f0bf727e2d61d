"""Views of background jobs."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from hygie.apps.jobs.models import Job
from hygie.apps.jobs.outputs import output_file
from hygie.web.tables import Column
from hygie.web.views import ObjectDetailView, ObjectListView

JOB_COLUMNS = [
    Column("label", _("Job"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("status", _("Status"), display=True, badge="status"),
    Column("percent", _("Progress (%)")),
    Column("created", _("Created")),
    Column("finished", _("Finished")),
]


class JobListView(ObjectListView):
    """Jobs of the user's nodes."""

    model = Job
    columns = JOB_COLUMNS


class JobDetailView(ObjectDetailView):
    """A job's status, progress and log (refreshed by HTMX while it runs)."""

    model = Job

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The whole page, or only its progress block for HTMX polling."""
        if not request.htmx:  # type: ignore[attr-defined]
            return super().get(request, *args, **kwargs)
        return render(request, "jobs/job_progress.html", {"object": self.get_object()})


class JobDownloadView(ObjectDetailView):
    """The file a job produced, as an attachment; 404 when the job has none or is not visible."""

    model = Job

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Stream the file after the usual permission check on the job."""
        path = output_file(self.get_object())
        if path is None:
            raise Http404
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
