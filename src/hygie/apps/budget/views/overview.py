"""Per node: the budget overview of a year, the IT budget form, the group/region roll-up; the programmes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.budget.forms import BudgetYearForm
from hygie.apps.budget.models import BAND_HIGH, BAND_LOW, HOSPITAL_IT_SHARE, BudgetYear, FundingProgramme
from hygie.apps.budget.summary import default_year, node_year, rollup
from hygie.apps.organizations.models import Node
from hygie.web.views import TenantView, require_scope

__all__ = ["BudgetYearEditView", "NodeOverviewView", "OverviewView", "ProgrammeListView", "RollupView"]


def _year(request: HttpRequest) -> int:
    wanted = request.GET.get("year", "")
    if wanted.isdigit() and 2000 <= int(wanted) <= 2100:  # noqa: PLR2004 - the model's range
        return int(wanted)
    return default_year()


def _overview(request: HttpRequest, node: Node, nodes: Any = None) -> HttpResponse:
    year = _year(request)
    context = {
        "title": _("Budget and funding: %(node)s") % {"node": node},
        "nodes": nodes,
        "band_low": BAND_LOW,
        "band_high": BAND_HIGH,
        "hospital_it_share": HOSPITAL_IT_SHARE,
        "can_change": user_can(request.user, Action.CHANGE, node.path),
        "can_add": user_can(request.user, Action.ADD, node.path),
        **node_year(request.user, node, year),
    }
    return render(request, "budget/overview.html", context)


class OverviewView(TenantView):
    """The budget overview of a node the user sees (``?node=``; default: the first one)."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview, with a node picker."""
        require_scope(request.user, Action.VIEW)
        nodes = self.get_queryset().order_by("path")
        wanted = request.GET.get("node", "")
        node = nodes.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 19 else nodes.first()  # noqa: PLR2004 - 19 digits overflow an id
        if node is None:
            raise Http404
        return _overview(request, node, nodes[:200])


class NodeOverviewView(TenantView):
    """The budget overview of one node for a year (``?year=``)."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview."""
        return _overview(request, self.get_object())


class BudgetYearEditView(TenantView):
    """The IT budget of a node for a year (``?year=`` picks it; created on first save)."""

    model = Node
    select_related = ()

    def _render(self, node: Node, form: BudgetYearForm, status: int = 200) -> HttpResponse:
        title = _("IT budget: %(node)s") % {"node": node}
        return render(self.request, "budget/year_form.html", {"form": form, "node": node, "title": title},
                      status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        node = self.get_object(Action.CHANGE)
        year = _year(request)
        budget = BudgetYear.objects.filter(node=node, year=year).first()
        return self._render(node, BudgetYearForm(instance=budget, initial={"year": year}))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and save."""
        node = self.get_object(Action.CHANGE)
        wanted = request.POST.get("year", "")
        existing = (
            BudgetYear.objects.filter(node=node, year=int(wanted)).first()
            if wanted.isdigit() and len(wanted) == 4  # noqa: PLR2004 - a year
            else None
        )
        form = BudgetYearForm(request.POST, instance=existing or BudgetYear(node=node))
        if not form.is_valid():
            return self._render(node, form, status=400)
        try:
            budget = form.save()
        except ValidationError as error:  # pragma: no cover - the form validated the same fields
            form.add_error(None, error)
            return self._render(node, form, status=400)
        messages.success(request, _("Saved."))
        return redirect(budget.get_absolute_url())


class RollupView(TenantView):
    """Group or region roll-up for a year: establishments, cyber share, flagged projects, applications."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The roll-up."""
        node = self.get_object()
        data = rollup(request.user, node, _year(request))
        title = _("Budget roll-up: %(node)s") % {"node": node}
        return render(request, "budget/rollup.html", {"title": title, **data})


class ProgrammeListView(TenantView):
    """The funding programmes (reference data)."""

    model = FundingProgramme
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The list."""
        require_scope(request.user, Action.VIEW)
        programmes = self.get_queryset()
        return render(request, "budget/programme_list.html", {"title": _("Funding programmes"),
                                                               "programmes": programmes})
