"""Views of business-impact analyses: the BIA grid editor of an activity and its degraded modes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.forms import BiaForm, DegradedModeForm, horizon_label
from hygie.apps.continuity.models import BusinessImpact, DegradedMode
from hygie.apps.inventory.models import CareActivity
from hygie.engines.continuity.bia import DATA_LOSS_HORIZONS_H, HORIZONS_H, BiaError
from hygie.web.views import TenantView

__all__ = ["BiaView", "DegradedModeEditView"]


class BiaView(TenantView):
    """The BIA of an activity: a 5-axis x 6-horizon grid, the data-loss row, derived targets, overrides."""

    model = CareActivity

    def render(self, activity: CareActivity, form: BiaForm, status: int = 200) -> HttpResponse:
        """The editor with the targets the stored grid implies; read-only for those who may not change it."""
        can_change = CareActivity.objects.restrict(self.request.user, Action.CHANGE).filter(pk=activity.pk).exists()  # type: ignore[attr-defined]
        if not can_change:
            for field in form.fields.values():
                field.disabled = True
        impact = BusinessImpact.objects.filter(activity=activity).first()
        derived = targets = None
        if impact is not None:
            try:
                derived, targets = impact.derived(), impact.targets()
            except BiaError:
                derived = targets = None
        context = {
            "title": _("Business-impact analysis: %(activity)s") % {"activity": activity},
            "activity": activity,
            "can_change": can_change,
            "impact": impact,
            "form": form,
            "horizons": [horizon_label(h) for h in HORIZONS_H],
            "loss_horizons": [horizon_label(h) for h in DATA_LOSS_HORIZONS_H],
            "derived": derived,
            "targets": targets,
            "modes": DegradedMode.objects.restrict(self.request.user, Action.VIEW).filter(activity=activity),
        }
        return render(self.request, "continuity/bia.html", context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The editor."""
        activity = self.get_object()
        return self.render(activity, BiaForm(impact=BusinessImpact.objects.filter(activity=activity).first()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the grid, or show the errors (a grid whose levels decrease names the axis)."""
        activity = self.get_object(Action.CHANGE)
        form = BiaForm(request.POST, impact=BusinessImpact.objects.filter(activity=activity).first())
        if not form.is_valid():
            return self.render(activity, form, status=400)
        form.save(activity)
        messages.success(request, _("Saved."))
        return redirect(reverse("continuity:bia", args=[activity.pk]))


class DegradedModeEditView(TenantView):
    """Add a degraded mode to an activity (``activity`` in the URL) or change one (``pk``)."""

    model = DegradedMode
    select_related = ("activity",)

    def _target(self) -> tuple[CareActivity, DegradedMode | None]:
        user = self.request.user
        if "pk" in self.kwargs:
            mode = self.get_object(Action.CHANGE)
            return mode.activity, mode
        activity = CareActivity.objects.restrict(user, Action.VIEW).filter(pk=self.kwargs["activity"]).first()  # type: ignore[attr-defined]
        if activity is None:
            raise Http404
        if not CareActivity.objects.restrict(user, Action.CHANGE).filter(pk=activity.pk).exists():  # type: ignore[attr-defined]
            raise PermissionDenied
        return activity, None

    def _render(
        self, form: DegradedModeForm, activity: CareActivity, mode: DegradedMode | None, status: int = 200
    ) -> HttpResponse:
        title = _("Degraded mode of %(activity)s") % {"activity": activity}
        return render(
            self.request,
            "continuity/degraded_mode_form.html",
            {"form": form, "object": mode, "activity": activity, "title": title},
            status=status,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        activity, mode = self._target()
        return self._render(DegradedModeForm(instance=mode), activity, mode)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and save."""
        activity, mode = self._target()
        form = DegradedModeForm(request.POST, instance=mode)
        if not form.is_valid():
            return self._render(form, activity, mode, status=400)
        saved = form.save(commit=False)
        saved.activity = activity
        saved.save()
        messages.success(request, _("Saved."))
        return redirect(reverse("continuity:bia", args=[activity.pk]))
