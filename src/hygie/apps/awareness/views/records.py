"""Views of training sessions, phishing campaigns and the two CSV imports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action
from hygie.apps.awareness.csvfiles import CsvError
from hygie.apps.awareness.filtersets import CampaignFilterSet, SessionFilterSet
from hygie.apps.awareness.forms import GophishImportForm, TrainingImportForm
from hygie.apps.awareness.gophish import GOPHISH_COLUMNS
from hygie.apps.awareness.importing import import_gophish, import_training
from hygie.apps.awareness.models import PhishingCampaign, StaffCategory, TrainingCompletion, TrainingSession
from hygie.apps.awareness.tables import CAMPAIGN_COLUMNS, SESSION_COLUMNS
from hygie.apps.awareness.training_csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from hygie.apps.awareness.views.nodes import funnel_rows
from hygie.web.views import ObjectDetailView, ObjectListView, UploadView

__all__ = [
    "CampaignDetailView",
    "CampaignListView",
    "GophishImportView",
    "SessionDetailView",
    "SessionListView",
    "TrainingImportView",
]


class SessionListView(ObjectListView):
    """Training sessions of the user's nodes, with their number of completions."""

    model = TrainingSession
    filterset_class = SessionFilterSet
    columns = SESSION_COLUMNS
    add_url_name = "awareness:training_import"
    template_name = "awareness/object_list.html"

    def get_queryset(self, action: Action | None = None) -> QuerySet[Any]:
        """Sessions with their completion count."""
        # An aggregate drops Meta.ordering: order again so that pagination is stable.
        return (super().get_queryset(action).annotate(completion_count=Count("completions"))
                .order_by("node__path", "title"))


class SessionDetailView(ObjectDetailView):
    """A session: completions per establishment and category, the latest completions (pseudonyms only)."""

    model = TrainingSession

    def get_context(self, obj: TrainingSession) -> dict[str, Any]:
        """Counts and the latest completions."""
        completions = TrainingCompletion.objects.restrict(self.request.user, Action.VIEW).filter(session=obj)
        labels = dict(StaffCategory.choices)
        by_node = (completions.values("node__name", "category").annotate(count=Count("id"))
                   .order_by("node__name", "category"))
        return {
            "total": completions.count(),
            "by_node": [{**row, "label": labels.get(row["category"], row["category"])} for row in by_node],
            "latest": completions.select_related("node")[:50],
        }


class CampaignListView(ObjectListView):
    """Phishing campaigns of the user's nodes."""

    model = PhishingCampaign
    filterset_class = CampaignFilterSet
    columns = CAMPAIGN_COLUMNS
    add_url_name = "awareness:gophish_import"
    template_name = "awareness/object_list.html"


class CampaignDetailView(ObjectDetailView):
    """A campaign: the funnel overall and per staff category."""

    model = PhishingCampaign

    def get_context(self, obj: PhishingCampaign) -> dict[str, Any]:
        """Funnel rows for the bars."""
        labels = dict(StaffCategory.choices) | {"unknown": _("Unknown")}
        funnel = obj.funnel or {}
        return {
            "overall": funnel_rows(funnel.get("overall")),
            "categories": [
                {"category": labels.get(category, category), "steps": funnel_rows(data),
                 "targeted": (data or {}).get("targeted", 0)}
                for category, data in (funnel.get("categories") or {}).items()
            ],
        }


class TrainingImportView(UploadView):
    """Import training completions from CSV (one import, one transaction)."""

    model = TrainingSession
    form_class = TrainingImportForm
    template_name = "awareness/import_form.html"
    title = gettext_lazy("Import training completions")

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        """The form and the documented columns."""
        from django.shortcuts import render

        context = {"form": form, "title": self.title, "multipart": True, "kind": "training",
                   "required": REQUIRED_COLUMNS, "optional": OPTIONAL_COLUMNS}
        return render(self.request, self.template_name, context, status=status)

    def accept(self, form: Any) -> HttpResponse:
        """Read and store the file, or refuse it with the reason."""
        node = form.cleaned_data["node"]
        try:
            result = import_training(node, form.cleaned_data["file"].read(), user=self.request.user)
        except CsvError as exc:
            raise self.UploadRefusedError(str(exc)) from exc
        messages.success(self.request, _(
            "%(lines)d line(s) read: %(created)d completion(s) stored, %(known)d already known, "
            "%(sessions)d new session(s).") % {"lines": result.lines, "created": result.completions_created,
                                                 "known": result.already_known, "sessions": result.sessions_created})
        return redirect(reverse("awareness:node_overview", args=[node.pk]))


class GophishImportView(TrainingImportView):
    """Import a GoPhish campaign's CSV results export."""

    model = PhishingCampaign
    form_class = GophishImportForm
    title = gettext_lazy("Import a phishing campaign (GoPhish)")

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        """The form and the expected columns."""
        from django.shortcuts import render

        context = {"form": form, "title": self.title, "multipart": True, "kind": "gophish",
                   "required": GOPHISH_COLUMNS, "optional": ("category",)}
        return render(self.request, self.template_name, context, status=status)

    def accept(self, form: Any) -> HttpResponse:
        """Store the campaign, or refuse the file with the reason."""
        upload = form.cleaned_data["file"]
        try:
            campaign = import_gophish(form.cleaned_data["node"], upload.read(), name=form.cleaned_data["name"],
                                      source_name=upload.name or "")
        except CsvError as exc:
            raise self.UploadRefusedError(str(exc)) from exc
        messages.success(self.request, _("The campaign is imported."))
        return redirect(campaign.get_absolute_url())
