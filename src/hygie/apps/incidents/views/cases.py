"""Incident list, opening an incident, its page, status, lessons learned, timeline export, statistics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action
from hygie.apps.incidents.filtersets import IncidentFilterSet
from hygie.apps.incidents.forms import IncidentOpenForm, LessonsForm, LogEntryForm, StatusForm
from hygie.apps.incidents.models import Incident
from hygie.apps.incidents.services import IncidentError, open_incident, set_status
from hygie.apps.incidents.tables import INCIDENT_COLUMNS
from hygie.apps.incidents.views.common import IncidentScopedView
from hygie.apps.organizations.models import Node, NodeKind
from hygie.web.views import ObjectListView, TenantView, require_scope

__all__ = ["IncidentDetailView", "IncidentLessonsView", "IncidentListView", "IncidentOpenView",
           "IncidentStatusView", "StatisticsView", "TimelineExportView"]

#: The relations the form may name, handed to ``open_incident`` as lists.
RELATED = ("establishments", "sites", "assets", "applications", "activities", "alerts", "findings")


class IncidentListView(ObjectListView):
    """Incidents of the user's nodes, with their overdue regulatory clocks."""

    model = Incident
    filterset_class = IncidentFilterSet
    columns = INCIDENT_COLUMNS
    add_url_name = "incidents:incident_open"
    template_name = "incidents/incident_list.html"
    title = gettext_lazy("Incidents")
    # The overdue column computes each incident's clocks: its obligations and establishments come prefetched.
    prefetch_related = ("obligations", "establishments")

    def extra_context(self) -> dict[str, Any]:
        """The nodes whose crisis cell and statistics the user may open."""
        nodes = Node.objects.restrict(self.request.user, Action.VIEW).filter(  # type: ignore[attr-defined]
            kind__in=[NodeKind.REGION, NodeKind.GROUP, NodeKind.ESTABLISHMENT]).order_by("path")
        return {"nodes": nodes[:100]}


class IncidentOpenView(TenantView):
    """Open an incident: the first log entry is written and the clocks start at the time of awareness."""

    model = Incident
    action = Action.ADD
    form_class = IncidentOpenForm

    def _render(self, form: IncidentOpenForm, status: int = 200) -> HttpResponse:
        return render(self.request, "incidents/incident_open.html",
                      {"form": form, "title": _("Open an incident")}, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        require_scope(request.user, Action.ADD)
        return self._render(IncidentOpenForm(user=request.user))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, open (the service re-checks every object against the handling node's subtree)."""
        require_scope(request.user, Action.ADD)
        form = IncidentOpenForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(form, status=400)
        data = dict(form.cleaned_data)
        related = {name: list(data.pop(name) or []) for name in RELATED}
        try:
            incident = open_incident(user=request.user, **data, **related)
        except IncidentError as error:
            form.add_error(None, str(error))
            return self._render(form, status=400)
        messages.success(request, _("Incident %(reference)s is open; its clocks are running.") % {
            "reference": incident.reference})
        return redirect(incident.get_absolute_url())


class IncidentDetailView(IncidentScopedView):
    """The incident page: clocks, crisis log, tasks, evidence, declarations, degraded modes."""

    action = Action.VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page; ``?corrects=<id>`` opens the log form on a correction (without JavaScript)."""
        incident = self.incident()
        corrects = request.GET.get("corrects", "")
        if corrects.isdigit() and len(corrects) < 19:  # noqa: PLR2004 - fits a bigint
            form = LogEntryForm(initial={"corrects": int(corrects)}, incident=incident, user=request.user)
            target = form.fields["corrects"].queryset.filter(pk=int(corrects)).first()  # type: ignore[attr-defined]
            return self.page(incident, log_form=form, correcting=target)
        return self.page(incident)


class IncidentStatusView(IncidentScopedView):
    """Contain, recover, close (POST only); each change is logged."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, change the status."""
        incident = self.incident()
        form = StatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                set_status(incident, data["status"], user=request.user, at=data["at"], recovered=data["recovered"])
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Status changed."))
                return redirect(incident.get_absolute_url())
        return self.page(incident, status=400, status_form=form)


class IncidentLessonsView(IncidentScopedView):
    """Edit the lessons learned (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the text."""
        incident = self.incident()
        form = LessonsForm(request.POST, instance=incident)
        if not form.is_valid():
            return self.page(incident, status=400, lessons_form=form)
        form.save()
        messages.success(request, _("Saved."))
        return redirect(incident.get_absolute_url() + "#lessons")


class TimelineExportView(IncidentScopedView):
    """The incident's timeline as CSV, JSON or PDF (``?format=``)."""

    action = Action.VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The file, as an attachment."""
        import json

        from hygie.apps.incidents import timeline

        incident = self.incident()
        wanted = request.GET.get("format", "csv")
        name = f"hygie-timeline-{incident.pk}"
        if wanted == "json":
            payload = json.dumps(timeline.timeline_json(incident), ensure_ascii=False, indent=2)
            response = HttpResponse(payload, content_type="application/json; charset=utf-8")
            suffix = "json"
        elif wanted == "pdf":
            response = HttpResponse(timeline.timeline_pdf(incident), content_type="application/pdf")
            suffix = "pdf"
        elif wanted == "csv":
            response = HttpResponse(timeline.timeline_csv(incident), content_type="text/csv; charset=utf-8")
            suffix = "csv"
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
        return response


class StatisticsView(TenantView):
    """Incident statistics of a node's subtree: counts by type, time to report, time to recover."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The statistics page."""
        from hygie.apps.incidents.models import IncidentKind, IncidentStatus
        from hygie.apps.incidents.statistics import incident_statistics

        node = self.get_object()
        stats = incident_statistics(node, request.user)
        kinds, statuses = dict(IncidentKind.choices), dict(IncidentStatus.choices)
        context = {
            "title": _("Incident statistics: %(node)s") % {"node": node}, "node": node, "stats": stats,
            "by_kind": [(kinds.get(k, k), n) for k, n in stats.by_kind.items()],
            "by_status": [(statuses.get(k, k), n) for k, n in stats.by_status.items()],
            "top": max([*stats.by_kind.values(), 1]),
            "children": self._children(node),
        }
        return render(request, "incidents/statistics.html", context)

    def _children(self, node: Node) -> QuerySet[Any]:
        return self.get_queryset().filter(parent=node).order_by("name")
