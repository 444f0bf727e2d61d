"""Views of an assessment: open one, its heat map and requirements, exports, refresh, gaps and remediation."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.compliance.filtersets import ItemFilterSet
from hygie.apps.compliance.forms import AssessmentOpenForm, RemediationForm
from hygie.apps.compliance.models import Assessment, FrameworkSection, RequirementAssessment, Status
from hygie.apps.compliance.views.heatmap import HEAT_LEGEND, heat_class
from hygie.apps.compliance.views.items import apply_errors
from hygie.apps.compliance.views.wording import localise, pick
from hygie.web.views import TenantView, require_scope

__all__ = [
    "AssessmentDetailView",
    "AssessmentExportView",
    "AssessmentOpenView",
    "AssessmentRefreshView",
    "GapListView",
    "RemediationView",
    "assessment_url",
]

#: Statuses that make a gap (the gap list and the remediation plan).
_GAP_STATUSES = (Status.NOT_MET, Status.PARTIAL, Status.NOT_ASSESSED)


def assessment_url(assessment: Assessment) -> str:
    """The page of an assessment."""
    return reverse("compliance:assessment_detail", args=[assessment.pk])


class AssessmentOpenView(TenantView):
    """Open a node's assessment against a framework: one requirement status per requirement, measures read."""

    model = Assessment
    form_class = AssessmentOpenForm

    def _render(self, form: AssessmentOpenForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "compliance/assessment_form.html",
            {"form": form, "title": _("Open an assessment")},
            status=status,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form, pre-filled from ``?node=`` and ``?framework=``."""
        require_scope(request.user, Action.ADD)
        initial = {key: request.GET[key] for key in ("node", "framework") if request.GET.get(key, "").isdigit()}
        return self._render(AssessmentOpenForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Create it (nothing is stored when the node already has this framework's assessment)."""
        from hygie.apps.compliance.services import open_assessment

        require_scope(request.user, Action.ADD)
        form = AssessmentOpenForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            assessment = open_assessment(form.cleaned_data["node"], form.cleaned_data["framework"], request.user)
        except ValidationError as error:
            apply_errors(form, error)
            return self._render(form, status=400)
        messages.success(request, _("The assessment is open; the engines' measures are filled in."))
        return redirect(assessment_url(assessment))


class _AssessmentView(TenantView):
    """Base: an assessment the user sees."""

    model = Assessment
    select_related = ("node", "framework", "owner")


def _grouped(items: list[RequirementAssessment], sections: list[FrameworkSection]) -> list[dict[str, Any]]:
    """Requirements under their section, in the framework's order; empty sections left out."""
    by_section: dict[int, list[RequirementAssessment]] = {}
    for item in items:
        by_section.setdefault(item.requirement.section_id, []).append(item)
    return [{"section": section, "items": by_section[section.pk]} for section in sections if section.pk in by_section]


class AssessmentDetailView(_AssessmentView):
    """An assessment: maturity, heat map of sections, requirements by section with status and measure."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page; ``status``, ``section``, ``measure``, ``needs_review`` and ``q`` filter the requirements."""
        from hygie.apps.compliance.scoring import maturity

        assessment = self.get_object()
        score = maturity(assessment)
        sections = list(FrameworkSection.objects.filter(framework_id=assessment.framework_id).order_by("order"))
        items = (
            RequirementAssessment.objects.restrict(request.user, Action.VIEW)
            .filter(assessment=assessment)
            .select_related("requirement", "owner")
            .annotate(evidence_count=Count("evidence"))
            .order_by("requirement__order")
        )
        filterset = ItemFilterSet(request.GET or None, queryset=items)
        shown = list(filterset.qs)
        localise(assessment.framework, *sections, *(item.requirement for item in shown))
        pks = {section.ref: section.pk for section in sections}
        heat = [
            {"section": s, "title": pick(s.title, s.title_fr), "css": heat_class(s.score), "pk": pks.get(s.ref)}
            for s in score.sections
        ]
        context = {
            "assessment": assessment,
            "title": str(assessment),
            "maturity": score,
            "score_css": heat_class(score.score),
            "heat": heat,
            "legend": HEAT_LEGEND,
            "status_counts": [(value, label, score.counts.get(value, 0)) for value, label in Status.choices],
            "groups": _grouped(shown, sections),
            "filterset": filterset,
            "sections": sections,
            "statuses": Status.choices,
            "filtered": bool(request.GET),
            "can_change": Assessment.objects.restrict(request.user, Action.CHANGE).filter(pk=assessment.pk).exists(),
        }
        return render(request, "compliance/assessment_detail.html", context)


class AssessmentExportView(_AssessmentView):
    """The assessment as a download: ``?format=csv`` (default), ``json`` or ``pdf``."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The file."""
        from hygie.apps.compliance import exporting

        assessment = self.get_object()
        wanted = request.GET.get("format", "csv")
        name = f"hygie-compliance-{assessment.framework.key}-{assessment.node_id}"
        if wanted == "csv":
            response = HttpResponse(exporting.assessment_csv(assessment), content_type="text/csv; charset=utf-8")
        elif wanted == "json":
            text = json.dumps(exporting.assessment_json(assessment), ensure_ascii=False, indent=2, default=str)
            response = HttpResponse(text, content_type="application/json")
        elif wanted == "pdf":
            response = HttpResponse(exporting.assessment_pdf(assessment), content_type="application/pdf")
        else:
            return HttpResponse(
                _("Unknown format: expected csv, json or pdf."), status=400, content_type="text/plain; charset=utf-8"
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{wanted}"'
        return response


class AssessmentRefreshView(_AssessmentView):
    """Read the engines' latest runs again for every requirement (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refresh and say how many measures changed."""
        from hygie.apps.compliance.measures import refresh

        assessment = self.get_object(Action.CHANGE)
        changed = refresh(assessment)
        messages.success(request, _("Measures refreshed: %(count)d changed.") % {"count": changed})
        return redirect(assessment_url(assessment))


def _gap_items(user: Any, assessment: Assessment) -> Any:
    return (
        RequirementAssessment.objects.restrict(user, Action.VIEW)
        .filter(assessment=assessment, status__in=_GAP_STATUSES)
        .select_related("requirement__section", "owner")
        .order_by("requirement__order")
    )


def _gap_page(
    request: HttpRequest, assessment: Assessment, form: RemediationForm | None = None, status: int = 200
) -> HttpResponse:
    from hygie.apps.compliance.gaps import gap_list

    can_change = Assessment.objects.restrict(request.user, Action.CHANGE).filter(pk=assessment.pk).exists()
    if form is None and can_change:
        form = RemediationForm(assessment=assessment, items=_gap_items(request.user, assessment))
    context = {
        "assessment": assessment,
        "title": _("Gaps: %(assessment)s") % {"assessment": assessment},
        "gaps": [{"gap": gap, "title": pick(gap.title, gap.title_fr)} for gap in gap_list(assessment)],
        "form": form,
        "can_change": can_change,
    }
    return render(request, "compliance/gap_list.html", context, status=status)


class GapListView(_AssessmentView):
    """The requirements not met, partially met or not assessed; select some to plan their remediation."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The list."""
        return _gap_page(request, self.get_object())


class RemediationView(_AssessmentView):
    """Put the selected gaps in the findings register, with an owner and a due date (POST only)."""

    form_class = RemediationForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Create the findings (a second time, the same gaps create nothing new)."""
        from hygie.apps.compliance.gaps import create_remediation

        assessment = self.get_object(Action.CHANGE)
        form = RemediationForm(request.POST, assessment=assessment, items=_gap_items(request.user, assessment))
        if not form.is_valid():
            return _gap_page(request, assessment, form, status=400)
        data = form.cleaned_data
        try:
            findings = create_remediation(
                assessment, request.user, list(data["items"]), owner=data["owner"], due_date=data["due_date"]
            )
        except ValidationError as error:
            apply_errors(form, error)
            return _gap_page(request, assessment, form, status=400)
        messages.success(
            request,
            _("%(count)d requirements are in the remediation plan (findings register).") % {"count": len(findings)},
        )
        return redirect(reverse("findings:remediation_plan"))
