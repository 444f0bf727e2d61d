"""Views of the findings register."""

from __future__ import annotations

from hygie.apps.findings.filtersets import FindingFilterSet
from hygie.apps.findings.models import Finding
from hygie.apps.findings.tables import FINDING_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectListView


class FindingListView(ObjectListView):
    """The findings register."""

    model = Finding
    select_related = ("node", "owner")
    filterset_class = FindingFilterSet
    columns = FINDING_COLUMNS


class FindingDetailView(ObjectDetailView):
    """One finding with its history."""

    model = Finding
    select_related = ("node", "owner", "asset")


class RemediationPlanView(FindingListView):
    """Active findings ordered by due date then severity: the work to do."""

    template_name = "hygie/object_list.html"
