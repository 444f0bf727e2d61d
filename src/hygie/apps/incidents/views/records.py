"""What the response gathers on the incident page: tasks, indicators, evidence files, declarations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.incidents import evidence_store
from hygie.apps.incidents.forms import DeclarationSentForm, EvidenceForm, IndicatorForm, TaskForm
from hygie.apps.incidents.models import (
    Declaration,
    DeclarationKind,
    IncidentEvidence,
    IncidentTask,
    TaskStatus,
)
from hygie.apps.incidents.services import IncidentError, add_indicator, add_task, update_task
from hygie.apps.incidents.views.common import IncidentScopedView
from hygie.web.views import TenantView

__all__ = ["ActionsToFindingsView", "DeclarationDownloadView", "DeclarationGenerateView", "DeclarationSentView",
           "EvidenceDownloadView", "EvidenceUploadView", "IndicatorAddView", "TaskAddView", "TaskStatusView"]


class TaskAddView(IncidentScopedView):
    """Add a response task or a post-incident action (POST only)."""

    action = Action.ADD

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, add through the service (which checks the owner sees the incident)."""
        incident = self.incident()
        form = TaskForm(request.POST, incident=incident)
        if form.is_valid():
            data = form.cleaned_data
            try:
                add_task(incident, user=request.user, title=data["title"], kind=data["kind"], owner=data["owner"],
                         owner_name=data["owner_name"], due=data["due"])
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Task added."))
                return redirect(incident.get_absolute_url() + "#tasks")
        return self.page(incident, status=400, task_form=form)


class TaskStatusView(TenantView):
    """Move a task to another status (POST only); a done post-incident action closes its finding."""

    model = IncidentTask
    action = Action.CHANGE
    select_related = ("incident", "incident__node")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Change the status; done stamps the time."""
        task: IncidentTask = self.get_object()
        status = request.POST.get("status", "")
        if status not in TaskStatus.values:
            return HttpResponse(_("Unknown status."), status=400)
        try:
            update_task(task, user=request.user, status=status)
        except IncidentError as error:
            return HttpResponse(str(error), status=400)
        return redirect(task.incident.get_absolute_url() + "#tasks")


class ActionsToFindingsView(IncidentScopedView):
    """Put the incident's post-incident actions in the findings register (POST only; idempotent)."""

    action = Action.ADD

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Create or refresh one finding per action, then back to the tasks."""
        from hygie.apps.incidents.lessons import actions_to_findings

        incident = self.incident()
        findings = actions_to_findings(incident, request.user)
        messages.success(request, _("%(count)d action(s) in the findings register.") % {"count": len(findings)})
        return redirect(incident.get_absolute_url() + "#tasks")


class IndicatorAddView(IncidentScopedView):
    """Add an indicator of compromise (POST only)."""

    action = Action.ADD

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, add (an indicator already recorded is refused)."""
        incident = self.incident()
        form = IndicatorForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                add_indicator(incident, kind=data["kind"], value=data["value"], note=data["note"], user=request.user)
            except IncidentError as error:
                form.add_error("value", str(error))
            else:
                messages.success(request, _("Indicator added."))
                return redirect(incident.get_absolute_url() + "#indicators")
        return self.page(incident, status=400, indicator_form=form)


class EvidenceUploadView(IncidentScopedView):
    """Upload an evidence file (POST only); a refused type or size is a form error, nothing stored."""

    action = Action.ADD

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check and store the file."""
        incident = self.incident()
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                evidence_store.store_chunks(incident, title=form.cleaned_data["title"], name=upload.name or "",
                                            chunks=upload.chunks(), user=request.user,
                                            note=form.cleaned_data["note"])
            except evidence_store.EvidenceError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _("Evidence file kept."))
                return redirect(incident.get_absolute_url() + "#evidence")
        from django.conf import settings

        too_large = getattr(request.FILES.get("file"), "size", 0) > settings.HYGIE_MAX_UPLOAD_BYTES
        return self.page(incident, status=413 if too_large else 400, evidence_form=form)


class EvidenceDownloadView(TenantView):
    """An evidence file, always as an attachment (an uploaded HTML file must not run in our origin)."""

    model = IncidentEvidence
    select_related = ("incident",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The file."""
        evidence: IncidentEvidence = self.get_object()
        try:
            path = evidence_store.evidence_file(evidence)
        except evidence_store.EvidenceError as error:
            raise Http404 from error
        if not path.is_file():
            raise Http404
        response = FileResponse(path.open("rb"), as_attachment=True, filename=evidence.file_name or "evidence",
                                content_type=evidence.content_type or "application/octet-stream")
        response["X-Content-Type-Options"] = "nosniff"
        return response


class DeclarationGenerateView(IncidentScopedView):
    """Generate a declaration from the case (POST only); its content is frozen as generated."""

    action = Action.ADD

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Generate, then go to the declarations section."""
        from hygie.apps.incidents.declarations import generate_declaration

        incident = self.incident()
        kind = request.POST.get("kind", "")
        if kind not in DeclarationKind.values:
            messages.error(request, _("Unknown kind of declaration."))
            return self.page(incident, status=400)
        try:
            generate_declaration(incident, kind, user=request.user)
        except IncidentError as error:
            messages.error(request, str(error))
            return self.page(incident, status=400)
        messages.success(request, _("Declaration generated: download it, send it, then mark it sent."))
        return redirect(incident.get_absolute_url() + "#declarations")


class DeclarationDownloadView(TenantView):
    """A generated declaration as text or PDF (``?format=pdf``)."""

    model = Declaration
    select_related = ("incident",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The document, as an attachment."""
        declaration: Declaration = self.get_object()
        name = f"hygie-{declaration.kind}-{declaration.incident.reference or declaration.incident_id}"
        if request.GET.get("format") == "pdf":
            from hygie.apps.incidents.declarations import declaration_pdf

            response = HttpResponse(declaration_pdf(declaration), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
        response = HttpResponse(declaration.text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.txt"'
        return response


class DeclarationSentView(TenantView):
    """Mark a declaration sent, with its date and reference (POST only); the matching clock is done."""

    model = Declaration
    action = Action.CHANGE
    select_related = ("incident", "incident__node")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, mark sent."""
        from hygie.apps.incidents.declarations import mark_sent

        declaration: Declaration = self.get_object()
        incident = declaration.incident
        form = DeclarationSentForm(request.POST)
        if form.is_valid():
            try:
                mark_sent(declaration, form.cleaned_data["sent_at"], form.cleaned_data["reference"], request.user)
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Declaration marked sent."))
                return redirect(incident.get_absolute_url() + "#declarations")
        page = IncidentScopedView(request=request, kwargs={"pk": incident.pk})
        return page.page(incident, status=400, sent_form=form, sent_declaration=declaration.pk)
