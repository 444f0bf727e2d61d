"""Views of the findings register: list, detail with workflow form, manual entry, remediation plan."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.findings.exporting import start_findings_export
from hygie.apps.findings.filtersets import FindingFilterSet
from hygie.apps.findings.forms import ManualFindingForm, StatusChangeForm
from hygie.apps.findings.manual import create_manual_finding
from hygie.apps.findings.models import Finding
from hygie.apps.findings.plan import PLAN_COLUMNS, plan_groups, plan_rows
from hygie.apps.findings.tables import FINDING_COLUMNS
from hygie.apps.findings.workflow import change_finding
from hygie.apps.organizations.models import Node
from hygie.web.tables import csv_rows
from hygie.web.views import ObjectDetailView, ObjectListView, TenantView, require_scope


class FindingListView(ObjectListView):
    """The findings register."""

    model = Finding
    select_related = ("node", "owner")
    filterset_class = FindingFilterSet
    columns = FINDING_COLUMNS
    add_url_name = "findings:finding_add"
    template_name = "findings/finding_list.html"

    def extra_context(self) -> dict[str, Any]:
        """The node a background export would cover: the filtered node, else the user's top node."""
        nodes = Node.objects.restrict(self.request.user, Action.VIEW)
        wanted = self.request.GET.get("node", "")
        node = nodes.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        node = node or nodes.order_by("depth", "name").first()
        query = self.request.GET.copy()
        for key in ("page", "export"):
            query.pop(key, None)
        return {"export_node": node, "export_query": query.urlencode()}


def _workflow_context(request: HttpRequest, finding: Finding, form: StatusChangeForm | None = None) -> dict[str, Any]:
    can_change = user_can(request.user, Action.CHANGE, finding.node.path)
    return {
        "object": finding,
        "events": finding.events.select_related("actor").all()[:200],
        "can_change": can_change,
        "form": (form or StatusChangeForm(finding=finding)) if can_change else None,
    }


class FindingDetailView(ObjectDetailView):
    """One finding: evidence, affected objects, remediation, references, history, status form."""

    model = Finding
    select_related = ("node", "owner", "asset")

    def get_context(self, obj: Finding) -> dict[str, Any]:
        """Pretty evidence and the workflow block."""
        return {
            "evidence_json": json.dumps(obj.evidence, indent=2, ensure_ascii=False, sort_keys=True),
            "ancestors": obj.node.ancestors(),
            **_workflow_context(self.request, obj),
        }


class FindingStatusView(TenantView):
    """POST a workflow change; answers the workflow block (HTMX) or redirects to the finding."""

    model = Finding
    action = Action.CHANGE
    select_related = ("node", "owner")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate the form, apply the change through the workflow service."""
        finding = self.get_object(Action.CHANGE)
        form = StatusChangeForm(request.POST, finding=finding)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                change_finding(finding, actor=request.user, status=data["status"], owner=data["owner"],
                               due_date=data["due_date"], justification=data["justification"],
                               acceptance_expires=data["acceptance_expires"], comment=data["comment"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                status = 200
                form = StatusChangeForm(finding=finding)
                if not request.htmx:  # type: ignore[attr-defined]
                    messages.success(request, _("Saved."))
                    return redirect(finding.get_absolute_url())
        context = _workflow_context(request, finding, form)
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "findings/_workflow.html", context, status=status)
        context.update(title=str(finding), evidence_json=json.dumps(finding.evidence, indent=2, sort_keys=True),
                       ancestors=finding.node.ancestors())
        return render(request, "findings/finding_detail.html", context, status=status)


class ManualFindingCreateView(TenantView):
    """Record a finding by hand (analysts and above)."""

    model = Finding
    action = Action.ADD
    template_name = "hygie/object_edit.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Show the form."""
        require_scope(request.user, Action.ADD)
        return render(request, self.template_name, {"form": ManualFindingForm(user=request.user),
                                                    "title": Finding._meta.verbose_name})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Create the finding through the manual-entry service."""
        require_scope(request.user, Action.ADD)
        form = ManualFindingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding = create_manual_finding(
                    data["node"], actor=request.user, slug=data["slug"], title=data["title"],
                    severity=data["severity"], affected=data["affected"], remediation=data["remediation"],
                    asset=data["asset"], due_date=data["due_date"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(finding.get_absolute_url())
        return render(request, self.template_name, {"form": form, "title": Finding._meta.verbose_name}, status=400)


class _Echo:
    def write(self, value: str) -> str:
        return value


class RemediationPlanView(TenantView):
    """Active findings per owner: overdue first, then by due date, then severity; CSV export of all rows."""

    model = Finding
    template_name = "findings/remediation_plan.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Render the plan or stream it as CSV (``?export=csv``)."""
        require_scope(request.user, Action.VIEW)
        filterset = FindingFilterSet(request.GET, queryset=self.get_queryset(), request=request)
        findings = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        if request.GET.get("export") == "csv":
            writer = csv.writer(_Echo())
            rows = csv_rows(plan_rows(findings).iterator(chunk_size=2000), PLAN_COLUMNS)
            response = StreamingHttpResponse((writer.writerow(r) for r in rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="hygie-remediation-plan.csv"'
            return response
        groups = plan_groups(findings)
        query = request.GET.copy()
        query.pop("export", None)
        context = {
            "title": gettext_lazy("Remediation plan"),
            "filterset": filterset,
            "groups": groups,
            "columns": PLAN_COLUMNS,
            "total": sum(g.total for g in groups),
            "overdue": sum(g.overdue for g in groups),
            "query": query.urlencode(),
        }
        return render(request, self.template_name, context, status=200 if filterset.is_valid() else 400)


class FindingExportJobView(TenantView):
    """Start a background CSV export of a node's findings (POST), then show the job."""

    model = Finding

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """404 for a node the user cannot see; the current list filters travel with the job."""
        require_scope(request.user, Action.VIEW)
        node = Node.objects.restrict(request.user, Action.VIEW).filter(pk=request.POST.get("node") or 0).first()
        if node is None:
            raise Http404
        job = start_findings_export(request.user, node, request.POST.get("query", ""))
        messages.success(request, _("The export runs in the background; the file appears here when it is done."))
        return redirect(job.get_absolute_url())
