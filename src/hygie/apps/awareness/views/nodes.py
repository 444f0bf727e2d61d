"""Views per node: the awareness overview, the roll-up of a group, the staff census, the targets, the check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.awareness.census import latest_headcounts, record_census
from hygie.apps.awareness.checks import SOURCE, check_node
from hygie.apps.awareness.coverage import effective_targets, node_coverage, rollup, trend
from hygie.apps.awareness.forms import StaffForm, TargetForm
from hygie.apps.awareness.gophish import Funnel
from hygie.apps.awareness.models import AwarenessTarget, PhishingCampaign
from hygie.apps.findings.models import ACTIVE_STATUSES, Finding
from hygie.apps.organizations.models import Node, NodeKind
from hygie.web.views import TenantView, require_scope

__all__ = ["CheckView", "NodeOverviewView", "OverviewView", "RollupView", "StaffEditView", "TargetEditView",
           "overview_context"]

FUNNEL_STEPS = ("sent", "opened", "clicked", "submitted", "reported")


def funnel_rows(funnel: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The steps of a stored funnel with their count and percent of delivered e-mails, for bars."""
    parsed = Funnel.from_dict(funnel)
    rows = []
    for step in FUNNEL_STEPS:
        rate = 1.0 if step == "sent" and parsed.sent else parsed.rate(step)
        rows.append({"step": step, "count": getattr(parsed, step),
                     "percent": None if rate is None else round(rate * 100, 1)})
    return rows


def overview_context(user: Any, node: Node) -> dict[str, Any]:
    """Coverage per category against the target, the quarterly trend, the campaigns and the open findings."""
    today = timezone.localdate()
    targets = effective_targets(node)
    campaigns = (PhishingCampaign.objects.restrict(user, Action.VIEW).filter(node__path__startswith=node.path)
                 .select_related("node")[:10])
    findings = Finding.objects.restrict(user, Action.VIEW).filter(
        source=SOURCE, node__path__startswith=node.path, status__in=ACTIVE_STATUSES
    )
    return {
        "node": node,
        "coverage": node_coverage(node, user=user, as_of=today),
        "trend": trend(node, user=user, as_of=today),
        "targets": targets,
        "inherited_coverage": targets.coverage_set_by not in (None, node.pk),
        "inherited_ceiling": targets.ceiling_set_by not in (None, node.pk),
        "campaigns": [{"campaign": c, "steps": funnel_rows((c.funnel or {}).get("overall"))} for c in campaigns],
        "open_findings": findings.count(),
        "is_rollup": node.kind in {NodeKind.NATION, NodeKind.REGION, NodeKind.GROUP},
    }


class OverviewView(TenantView):
    """The awareness overview of a node the user sees (``?node=``; default: the first one)."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview, with a node picker."""
        require_scope(request.user, Action.VIEW)
        nodes = self.get_queryset().order_by("path")
        wanted = request.GET.get("node", "")
        node = nodes.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 19 else nodes.first()  # noqa: PLR2004
        if node is None:
            raise Http404
        context = {"title": _("Awareness"), "nodes": nodes[:200], **overview_context(request.user, node)}
        return render(request, "awareness/overview.html", context)


class NodeOverviewView(TenantView):
    """The awareness overview of one node."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview."""
        node = self.get_object()
        context = {"title": _("Awareness: %(node)s") % {"node": node}, **overview_context(request.user, node)}
        return render(request, "awareness/overview.html", context)


class RollupView(TenantView):
    """The establishments under a group or region with their coverage and gaps."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The roll-up table."""
        node = self.get_object()
        today = timezone.localdate()
        pairs = rollup(node, user=request.user, as_of=today)
        rows = [{"node": child, "coverage": coverage} for child, coverage in pairs]
        context = {
            "title": _("Awareness roll-up: %(node)s") % {"node": node},
            "node": node,
            "total": node_coverage(node, user=request.user, as_of=today),
            "rows": rows,
        }
        return render(request, "awareness/rollup.html", context)


class StaffEditView(TenantView):
    """Record a staff census of a node (one row per category and date: the history stays)."""

    model = Node
    select_related = ()

    def _render(self, node: Node, form: StaffForm, status: int = 200) -> HttpResponse:
        latest = latest_headcounts(node, self.request.user)
        context = {"title": _("Staff census: %(node)s") % {"node": node}, "node": node, "form": form,
                   "latest": [latest[c] for c in sorted(latest)]}
        return render(self.request, "awareness/staff_form.html", context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form, filled with the latest census."""
        node = self.get_object(Action.ADD)
        initial: dict[str, Any] = {"as_of": timezone.localdate()}
        latest = latest_headcounts(node, request.user)
        initial.update({category: census.headcount for category, census in latest.items()})
        return self._render(node, StaffForm(initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the census."""
        node = self.get_object(Action.ADD)
        form = StaffForm(request.POST)
        if not form.is_valid():
            return self._render(node, form, status=400)
        record_census(node, form.headcounts(), form.cleaned_data["as_of"])
        messages.success(request, _("The staff census is recorded."))
        return redirect(reverse("awareness:node_overview", args=[node.pk]))


class TargetEditView(TenantView):
    """Set a node's awareness targets (empty: inherited from above)."""

    model = Node
    select_related = ()

    def _render(self, node: Node, form: TargetForm, status: int = 200) -> HttpResponse:
        parent_targets = effective_targets(node.parent) if node.parent_id else None
        context = {"title": _("Awareness targets: %(node)s") % {"node": node}, "node": node, "form": form,
                   "parent_targets": parent_targets}
        return render(self.request, "awareness/target_form.html", context, status=status)

    def _instance(self, node: Node) -> AwarenessTarget:
        return AwarenessTarget.objects.filter(node=node).first() or AwarenessTarget(node=node)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        node = self.get_object(Action.CHANGE)
        return self._render(node, TargetForm(instance=self._instance(node)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the targets."""
        node = self.get_object(Action.CHANGE)
        form = TargetForm(request.POST, instance=self._instance(node))
        if not form.is_valid():
            return self._render(node, form, status=400)
        target = form.save(commit=False)
        target.updated = timezone.now()
        target.save()
        messages.success(request, _("Saved."))
        return redirect(reverse("awareness:node_overview", args=[node.pk]))


class CheckView(TenantView):
    """Recompute the awareness findings of a node and the nodes below it (POST only)."""

    model = Node
    select_related = ()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Write the findings, then go back to the overview."""
        node = self.get_object(Action.CHANGE)
        raised = check_node(node)
        count = sum(raised.values())
        messages.success(request, _("Awareness checked: %(count)d finding(s) raised.") % {"count": count})
        return redirect(reverse("awareness:node_overview", args=[node.pk]))
