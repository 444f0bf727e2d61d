"""Funding applications: list, new application, detail with its milestone timeline, milestones, the ARS file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.budget import ars_file
from hygie.apps.budget.editing import complete_milestone, create_application
from hygie.apps.budget.filtersets import ApplicationFilterSet
from hygie.apps.budget.forms import ApplicationForm, MilestoneForm
from hygie.apps.budget.models import ApplicationMilestone, FundingApplication, FundingProgramme
from hygie.apps.budget.tables import APPLICATION_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectListView, TenantView, require_scope

__all__ = ["ApplicationAddView", "ApplicationDetailView", "ApplicationListView", "ArsFileView", "MilestoneEditView"]


class ApplicationListView(ObjectListView):
    """Funding applications; ``?export=csv``."""

    model = FundingApplication
    filterset_class = ApplicationFilterSet
    columns = APPLICATION_COLUMNS
    select_related = ("node", "programme")
    prefetch_related = ("milestones",)
    add_url_name = "budget:application_add"


class ApplicationAddView(TenantView):
    """Apply to a programme: the application and its five milestones."""

    model = FundingApplication
    form_class = ApplicationForm

    def _render(self, form: ApplicationForm, status: int = 200) -> HttpResponse:
        return render(self.request, "hygie/object_edit.html",
                      {"form": form, "object": None, "title": _("Funding application")}, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form (``?programme=`` presets the programme)."""
        require_scope(request.user, Action.ADD)
        initial = {"programme_key": request.GET.get("programme", "")}
        return self._render(ApplicationForm(initial=initial, user=request.user))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and create."""
        require_scope(request.user, Action.ADD)
        form = ApplicationForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        programme = FundingProgramme.objects.get(key=data["programme_key"])
        try:
            application = create_application(
                data["node"], programme, title=data["title"], amount_requested=data["amount_requested"],
                reference=data["reference"], notes=data["notes"], planned=form.planned(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, status=400)
        messages.success(request, _("Saved."))
        return redirect(application.get_absolute_url())


class ApplicationDetailView(ObjectDetailView):
    """An application, its milestone timeline (late ones flagged), its projects and the ARS file."""

    model = FundingApplication
    select_related = ("node", "programme")
    prefetch_related = ("milestones", "projects")
    template_name = "budget/application_detail.html"

    def get_context(self, obj: Any) -> dict[str, Any]:
        """Milestones with their forms (for those who may change them)."""
        can_change = self.get_queryset(Action.CHANGE).filter(pk=obj.pk).exists()
        milestones = obj.ordered_milestones()
        forms = {m.pk: MilestoneForm(instance=m, auto_id=f"id_m{m.pk}_%s") for m in milestones}
        return {
            "application": obj,
            "milestones": milestones,
            "can_change": can_change,
            "forms": forms if can_change else {},
        }


class MilestoneEditView(TenantView):
    """Record a milestone of an application (done on, amount, note)."""

    model = ApplicationMilestone
    select_related = ("application", "application__node")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and save; errors go back to the application page."""
        milestone = self.get_object(Action.CHANGE)
        form = MilestoneForm(request.POST, instance=ApplicationMilestone.objects.get(pk=milestone.pk))
        if form.is_valid():
            data = form.cleaned_data
            try:
                complete_milestone(milestone, done_on=data["done_on"], amount=data["amount"], note=data["note"],
                                   planned_on=data["planned_on"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(milestone.application.get_absolute_url())
            messages.success(request, _("Saved."))
            return redirect(milestone.application.get_absolute_url())
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, errors)
        return redirect(milestone.application.get_absolute_url())


class ArsFileView(TenantView):
    """The ARS evidence file of an application: ``?format=pdf`` (default) or ``?format=zip``."""

    model = FundingApplication
    select_related = ("node", "programme")
    prefetch_related = ("milestones",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The download."""
        application = self.get_object()
        wanted = "zip" if request.GET.get("format") == "zip" else "pdf"
        if wanted == "zip":
            response = HttpResponse(ars_file.ars_zip(application), content_type="application/zip")
        else:
            response = HttpResponse(ars_file.ars_pdf(application), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{ars_file.file_name(application, wanted)}"'
        return response
