"""The compliance overview (frameworks and assessments) and the roll-up of a framework over a group or region."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, scope_prefixes
from hygie.apps.compliance.forms import AssessmentOpenForm
from hygie.apps.compliance.models import Assessment, Framework, Status
from hygie.apps.compliance.views.heatmap import HEAT_LEGEND, heat_cells, heat_class
from hygie.apps.compliance.views.wording import localise, pick
from hygie.apps.organizations.models import Node, NodeKind
from hygie.web.views import TenantView, require_scope

__all__ = ["OverviewView", "RollupView"]

#: Assessments shown on the overview; a region sees its groups' roll-ups rather than hundreds of rows.
_OVERVIEW_LIMIT = 100
#: Kinds of node a roll-up is offered for (they hold establishments).
_ROLLUP_KINDS = (NodeKind.NATION, NodeKind.REGION, NodeKind.GROUP)


class OverviewView(TenantView):
    """Frameworks the user sees, their assessments by node with maturity, and where to open a new one."""

    model = Assessment
    select_related = ("node", "framework")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The overview."""
        from hygie.apps.compliance.scoring import maturity

        require_scope(request.user, Action.VIEW)
        frameworks = (
            Framework.objects.restrict(request.user, Action.VIEW)
            .select_related("node")
            .annotate(requirement_count=Count("requirements", distinct=True))
            .order_by("name", "-created")
        )
        frameworks = list(frameworks)
        assessments = list(self.get_queryset().order_by("node__path", "framework__name")[:_OVERVIEW_LIMIT])
        localise(*frameworks, *(assessment.framework for assessment in assessments))
        rows = []
        for assessment in assessments:
            score = maturity(assessment)
            counts = [score.counts.get(value, 0) for value, _label in Status.choices]
            rows.append({"assessment": assessment, "maturity": score, "css": heat_class(score.score), "counts": counts})
        can_add = scope_prefixes(request.user, Action.ADD) != []
        context = {
            "title": _("Compliance"),
            "frameworks": frameworks,
            "rows": rows,
            "truncated": len(assessments) == _OVERVIEW_LIMIT,
            "statuses": Status.choices,
            "open_form": AssessmentOpenForm(user=request.user) if can_add else None,
            "can_add": can_add,
            "rollup_nodes": Node.objects.restrict(request.user, Action.VIEW)
            .filter(kind__in=_ROLLUP_KINDS)
            .order_by("path")[:50],
        }
        return render(request, "compliance/overview.html", context)


class RollupView(TenantView):
    """A framework over a node and its establishments: a heat map of sections per establishment (``?framework=``)."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The roll-up, with a framework picker among those assessed below the node."""
        from hygie.apps.compliance.scoring import rollup

        node = self.get_object()
        keys = list(
            Assessment.objects.restrict(request.user, Action.VIEW)
            .filter(node__path__startswith=node.path)
            .values_list("framework__key", "framework__name", "framework__name_fr")
            .order_by("framework__name")
            .distinct()
        )
        choices = list({key: pick(name, name_fr) for key, name, name_fr in keys}.items())
        wanted = request.GET.get("framework", "")
        known = {key for key, _name in choices}
        key = wanted if wanted in known else (choices[0][0] if choices else "")
        result = rollup(request.user, node, key) if key else None
        rows = []
        columns = []
        if result is not None:
            refs = [ref for ref, _title, _title_fr in result.sections]
            columns = [(ref, pick(title, title_fr)) for ref, title, title_fr in result.sections]
            for row in result.rows:
                score = row.maturity.score if row.maturity else None
                rows.append({"row": row, "css": heat_class(score), "cells": heat_cells(row.section_scores(refs))})
        context = {
            "title": _("Roll-up: %(node)s") % {"node": node},
            "node": node,
            "choices": choices,
            "key": key,
            "rollup": result,
            "columns": columns,
            "rows": rows,
            "aggregate_css": heat_class(result.score if result else None),
            "legend": HEAT_LEGEND,
            "aggregate_counts": [(value, label, result.counts.get(value, 0)) for value, label in Status.choices]
            if result
            else [],
        }
        return render(request, "compliance/rollup.html", context)
