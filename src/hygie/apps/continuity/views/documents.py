"""Views per node: the continuity overview, the PCA/PRA document, CaRE domain-2 readiness, the programme."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.forms import ProgrammeForm
from hygie.apps.continuity.models import (
    BusinessImpact,
    ContinuityProgramme,
    DegradedMode,
    Simulation,
    SimulationStatus,
)
from hygie.apps.findings.models import ACTIVE_STATUSES, Finding
from hygie.apps.inventory.models import CareActivity
from hygie.apps.organizations.models import Node
from hygie.engines.continuity.bia import BiaError
from hygie.web.views import TenantView, require_scope

__all__ = ["NodeOverviewView", "OverviewView", "PlanView", "ProgrammeEditView", "ReadinessView", "overview_context"]


def _met(value: Any) -> str:
    return "" if value is None else ("met" if value else "missed")


def overview_context(user: Any, node: Node) -> dict[str, Any]:
    """Activities with their targets against the latest simulation, degraded-mode hold, open findings."""
    simulation = (
        Simulation.objects.restrict(user, Action.VIEW)
        .filter(status=SimulationStatus.DONE, scenario__node__path__in=node.lineage_paths())
        .select_related("scenario")
        .order_by("-created", "-id")
        .first()
    )
    outcomes = {a.get("name"): a for a in ((simulation.result or {}).get("activities") or [])} if simulation else {}
    modes = DegradedMode.objects.restrict(user, Action.VIEW).filter(activity__node__path__startswith=node.path)
    hold: dict[int, float] = {}
    for mode in modes:
        hold[mode.activity_id] = max(hold.get(mode.activity_id, 0.0), mode.hold_h)
    rows = []
    impacts = BusinessImpact.objects.restrict(user, Action.VIEW).filter(activity__node__path__startswith=node.path)
    for impact in impacts.select_related("activity").order_by("activity__name"):
        try:
            targets = impact.targets()
        except BiaError:
            targets = None
        outcome = outcomes.get(impact.activity.name) or {}
        rows.append(
            {
                "activity": impact.activity,
                "impact": impact,
                "targets": targets,
                "hold_h": hold.get(impact.activity_id),
                "outcome": outcome,
                "rto_class": _met(outcome.get("meets_rto")),
                "rpo_class": _met(outcome.get("meets_rpo")),
            }
        )
    findings = Finding.objects.restrict(user, Action.VIEW).filter(
        source="continuity", node__path__startswith=node.path, status__in=ACTIVE_STATUSES
    )
    without = (
        CareActivity.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]
        .filter(node__path__startswith=node.path, impact__isnull=True)
        .order_by("name")[:100]
    )
    return {
        "node": node,
        "rows": rows,
        "simulation": simulation,
        "open_findings": findings.count(),
        "without_bia": without,
    }


class OverviewView(TenantView):
    """The continuity overview of a node the user sees (``?node=``; default: the first one)."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview, with a node picker."""
        require_scope(request.user, Action.VIEW)
        nodes = self.get_queryset().order_by("path")
        wanted = request.GET.get("node", "")
        node = nodes.filter(pk=int(wanted)).first() if wanted.isdigit() else nodes.first()
        if node is None:
            raise Http404
        context = {"title": _("Continuity"), "nodes": nodes[:200], **overview_context(request.user, node)}
        return render(request, "continuity/overview.html", context)


class NodeOverviewView(TenantView):
    """The continuity overview of one node."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview."""
        node = self.get_object()
        context = {"title": _("Continuity: %(node)s") % {"node": node}, **overview_context(request.user, node)}
        return render(request, "continuity/overview.html", context)


class PlanView(TenantView):
    """The PCA/PRA document of a node: a page, or ``?format=html`` / ``?format=pdf`` downloads."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page or the download."""
        from hygie.apps.continuity.plan import plan_context, plan_html, plan_pdf

        node = self.get_object()
        wanted = request.GET.get("format", "")
        name = f"hygie-pca-pra-{node.pk}"
        if wanted == "pdf":
            response = HttpResponse(plan_pdf(node), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
        if wanted == "html":
            response = HttpResponse(plan_html(node), content_type="text/html; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.html"'
            return response
        context = {
            "title": _("Continuity and recovery plan (PCA/PRA): %(node)s") % {"node": node},
            **plan_context(node),
        }
        return render(request, "continuity/plan.html", context)


class ReadinessView(TenantView):
    """CaRE domain-2 readiness of a node: each d2.* objective, its status and evidence."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The objectives."""
        from hygie.apps.continuity.readiness import readiness

        node = self.get_object()
        result = readiness(node)
        title = _("CaRE domain 2 readiness: %(node)s") % {"node": node}
        return render(request, "continuity/readiness.html", {"node": node, "readiness": result, "title": title})


class ProgrammeEditView(TenantView):
    """The continuity programme of a node (governance, crisis links, policy dates, plan owner)."""

    model = Node
    select_related = ()

    def _render(self, node: Node, form: ProgrammeForm, status: int = 200) -> HttpResponse:
        title = _("Continuity programme: %(node)s") % {"node": node}
        return render(
            self.request, "continuity/programme_form.html", {"form": form, "node": node, "title": title}, status=status
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        node = self.get_object(Action.CHANGE)
        return self._render(node, ProgrammeForm(instance=ContinuityProgramme.objects.filter(node=node).first()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and save (created on first save)."""
        node = self.get_object(Action.CHANGE)
        instance = ContinuityProgramme.objects.filter(node=node).first() or ContinuityProgramme(node=node)
        form = ProgrammeForm(request.POST, instance=instance)
        if not form.is_valid():
            return self._render(node, form, status=400)
        programme = form.save(commit=False)
        programme.updated = timezone.now()
        programme.save()
        messages.success(request, _("Saved."))
        return redirect(reverse("continuity:node_overview", args=[node.pk]))
