"""Views of the organisation tree: home, list, node dashboard, edit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from hygie.apps.accounts.permissions import Action
from hygie.apps.detection.analysis import detection_card
from hygie.apps.exposure.analysis import exposure_card
from hygie.apps.findings.dashboard import summarise
from hygie.apps.findings.models import Finding
from hygie.apps.organizations.filtersets import NodeFilterSet
from hygie.apps.organizations.forms import NodeForm
from hygie.apps.organizations.models import Node
from hygie.apps.organizations.tables import NODE_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectEditView, ObjectListView, require_scope


def top_nodes(user: Any) -> list[Node]:
    """The highest nodes a user can see: where their dashboards start."""
    nodes = list(Node.objects.restrict(user, Action.VIEW).order_by("depth", "name")[:200])
    if not nodes:
        return []
    top_depth = nodes[0].depth
    return [n for n in nodes if n.depth == top_depth]


class HomeView(LoginRequiredMixin, View):
    """The dashboard of the user's highest node (or the choice between several)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Render the dashboard of the top node."""
        require_scope(request.user, Action.VIEW)
        tops = top_nodes(request.user)
        if len(tops) == 1:
            return NodeDetailView.as_view()(request, pk=tops[0].pk)
        return render(request, "organizations/home.html", {"title": _("Dashboard"), "nodes": tops})


class NodeListView(ObjectListView):
    """Every node the user can see."""

    model = Node
    select_related = ("parent",)
    filterset_class = NodeFilterSet
    columns = NODE_COLUMNS
    add_url_name = "organizations:node_add"


class NodeDetailView(ObjectDetailView):
    """A node's dashboard: findings by severity and source, trend, children."""

    model = Node
    select_related = ("parent",)
    template_name = "organizations/node_detail.html"

    def get_context(self, obj: Node) -> dict[str, Any]:
        """Dashboard figures for the node's subtree."""
        findings = Finding.objects.restrict(self.request.user, Action.VIEW).filter(node__path__startswith=obj.path)
        children = Node.objects.restrict(self.request.user, Action.VIEW).filter(parent=obj).order_by("name")
        return {
            "summary": summarise(findings),
            "children": children,
            "ancestors": obj.ancestors(),
            "can_change": Node.objects.restrict(self.request.user, Action.CHANGE).filter(pk=obj.pk).exists(),
            "exposure": exposure_card(self.request.user, obj),
            "detection": detection_card(self.request.user, obj),
        }


class NodeEditView(ObjectEditView):
    """Create a node or change (and move) one."""

    model = Node
    select_related = ()
    form_class = NodeForm
