"""IT projects: list (CSV export), detail with lines and the 5-10 % band, edit, CSV import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.budget.editing import save_project
from hygie.apps.budget.filtersets import ProjectFilterSet
from hygie.apps.budget.forms import ImportForm, ProjectForm
from hygie.apps.budget.importing import COLUMNS, REQUIRED, ProjectImportError, import_projects
from hygie.apps.budget.models import BAND_LOW, ItProject
from hygie.apps.budget.tables import PROJECT_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectListView, TenantView, UploadView

__all__ = ["ProjectDetailView", "ProjectEditView", "ProjectImportView", "ProjectListView"]


class ProjectListView(ObjectListView):
    """IT projects with their cyber share; ``?export=csv``."""

    model = ItProject
    filterset_class = ProjectFilterSet
    columns = PROJECT_COLUMNS
    add_url_name = "budget:project_add"

    def get_queryset(self, action: Action | None = None) -> Any:
        """With the sums of their lines."""
        return super().get_queryset(action).with_totals().order_by("node__path", "-year", "name")


class ProjectDetailView(ObjectDetailView):
    """A project, its lines and where it stands in the 5-10 % band."""

    model = ItProject
    select_related = ("node", "funding_application")
    prefetch_related = ("lines",)
    template_name = "budget/project_detail.html"

    def get_context(self, obj: Any) -> dict[str, Any]:
        """The band and what is missing to reach it."""
        return {"project": obj, "band_low": BAND_LOW, "missing": obj.missing_for_rule()}


class ProjectEditView(TenantView):
    """Create or change a project and its lines (one form; the lines replace the stored ones)."""

    model = ItProject

    def current(self) -> ItProject | None:
        """The project being changed, or None when creating."""
        if "pk" in self.kwargs:
            return self.get_object(Action.CHANGE)
        from hygie.web.views import require_scope

        require_scope(self.request.user, Action.ADD)
        return None

    def _render(self, form: ProjectForm, obj: Any, status: int = 200) -> HttpResponse:
        title = _("IT project")
        return render(self.request, "budget/project_form.html", {"form": form, "object": obj, "title": title},
                      status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form (``?node=`` and ``?year=`` preset a new project)."""
        obj = self.current()
        initial = {k: request.GET[k] for k in ("node", "year") if request.GET.get(k, "").isdigit()}
        return self._render(ProjectForm(instance=obj, initial=initial, user=request.user), obj)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and save."""
        obj = self.current()
        form = ProjectForm(request.POST, instance=obj, user=request.user)
        if not form.is_valid():
            return self._render(form, obj, status=400)
        project = form.save(commit=False)
        try:
            save_project(project, form.cleaned_data["lines_text"])
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, obj, status=400)
        messages.success(request, _("Saved."))
        return redirect(project.get_absolute_url())


class ProjectImportView(UploadView):
    """Import projects and their lines from CSV for an establishment and a year."""

    form_class = ImportForm
    template_name = "budget/import.html"
    title = ""

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        """The page, with the expected columns."""
        context = {"form": form, "title": _("Import IT projects"), "multipart": True, "columns": COLUMNS,
                   "required": REQUIRED}
        return render(self.request, self.template_name, context, status=status)

    def accept(self, form: Any) -> HttpResponse:
        """Import, or refuse the whole file with the reason."""
        node, year = form.cleaned_data["node"], form.cleaned_data["year"]
        try:
            result = import_projects(node, year, form.cleaned_data["file"].read())
        except ProjectImportError as error:
            raise self.UploadRefusedError(str(error)) from error
        messages.success(self.request, _("%(created)d projects created, %(updated)d updated, %(lines)d lines.")
                         % {"created": result.created, "updated": result.updated, "lines": result.lines})
        return redirect(f"{reverse('budget:node_overview', args=[node.pk])}?year={year}")
