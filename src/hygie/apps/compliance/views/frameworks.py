"""Views of frameworks: one framework's sections and requirements with their engine checks; import a file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action, scope_prefixes
from hygie.apps.compliance.forms import FrameworkImportForm
from hygie.apps.compliance.models import Assessment, Framework, FrameworkRequirement, FrameworkSection
from hygie.apps.compliance.views.wording import localise
from hygie.web.views import TenantView, UploadView

__all__ = ["FrameworkDetailView", "FrameworkImportView"]


class FrameworkDetailView(TenantView):
    """A stored framework: its sections, requirements, levels and the engine checks that measure them."""

    model = Framework
    select_related = ("node", "imported_by")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The framework, and the assessments of it the user sees."""
        from hygie.frameworks import engine_check_ids

        framework = self.get_object()
        known = engine_check_ids()
        requirements = list(FrameworkRequirement.objects.filter(framework=framework).order_by("order"))
        section_rows = list(FrameworkSection.objects.filter(framework=framework).order_by("order"))
        localise(framework, *section_rows, *requirements)
        by_section: dict[int, list[dict[str, Any]]] = {}
        for requirement in requirements:
            checks = [{"id": check, "known": check in known} for check in requirement.checks or []]
            by_section.setdefault(requirement.section_id, []).append({"requirement": requirement, "checks": checks})
        sections = [{"section": section, "requirements": by_section.get(section.pk, [])} for section in section_rows]
        document = framework.document or {}
        context = {
            "framework": framework,
            "title": str(framework),
            "sections": sections,
            "requirement_count": sum(len(s["requirements"]) for s in sections),
            "measured_count": sum(1 for s in sections for r in s["requirements"] if r["checks"]),
            "levels": [level for level in document.get("levels", []) if isinstance(level, dict)],
            "source": document.get("source") if isinstance(document.get("source"), dict) else {},
            "assessments": Assessment.objects.restrict(request.user, Action.VIEW)
            .filter(framework=framework)
            .select_related("node")
            .order_by("node__path"),
            "can_add": scope_prefixes(request.user, Action.ADD) != [],
        }
        return render(request, "compliance/framework_detail.html", context)


class FrameworkImportView(UploadView):
    """Import a framework file for a node: our format or a CISO Assistant library; a bad file says why."""

    model = Framework
    form_class = FrameworkImportForm
    template_name = "compliance/framework_import.html"
    title = gettext_lazy("Import a framework")

    def accept(self, form: Any) -> HttpResponse:
        """Read, validate and store the framework (the same file twice gives the same row)."""
        from hygie.apps.compliance.catalogue import read_framework_upload, store_framework
        from hygie.frameworks import FrameworkError

        upload = form.cleaned_data["file"]
        try:
            framework = read_framework_upload(upload.read(), upload.name or "upload")
        except FrameworkError as exc:
            raise self.UploadRefusedError(str(exc)) from exc
        with transaction.atomic():
            stored = store_framework(framework, form.cleaned_data["node"], self.request.user)
        messages.success(self.request, _("The framework %(name)s is imported.") % {"name": stored.name})
        return redirect(reverse("compliance:framework_detail", args=[stored.pk]))
