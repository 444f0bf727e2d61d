"""Views of exposure audits: scans (history, detail, diff, report, import) and perimeters (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action, scope_prefixes
from hygie.apps.exposure.analysis import diff_document
from hygie.apps.exposure.filtersets import ExposurePerimeterFilterSet, ExposureScanFilterSet
from hygie.apps.exposure.forms import ImportForm, PerimeterForm
from hygie.apps.exposure.models import MANAGE_PERIMETERS, ExposurePerimeter, ExposureScan
from hygie.apps.exposure.report import render_report, report_filename
from hygie.apps.exposure.running import ScanFailedError, import_upload, previous_scan, start_scan
from hygie.apps.exposure.tables import PERIMETER_COLUMNS, SCAN_COLUMNS
from hygie.web.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    TenantView,
    UploadView,
    require_scope,
)


class ScanListView(ObjectListView):
    """The scan history of the user's nodes."""

    model = ExposureScan
    filterset_class = ExposureScanFilterSet
    columns = SCAN_COLUMNS
    add_url_name = "exposure:scan_import"
    template_name = "exposure/scan_list.html"


class ScanDetailView(ObjectDetailView):
    """Score, hosts and services, TLS, DNS, findings by criticality, refused targets, job status."""

    model = ExposureScan
    select_related = ("node", "job", "perimeter")

    def get_context(self, obj: ExposureScan) -> dict[str, Any]:
        """The previous scan of the same perimeter, among those the user may see."""
        visible = ExposureScan.objects.restrict(self.request.user, Action.VIEW)
        return {
            "ancestors": obj.node.ancestors(),
            "groups": obj.severity_groups(),
            "previous": previous_scan(obj, visible) if obj.succeeded else None,
        }


class ScanDiffView(ObjectDetailView):
    """What changed since another scan (``?base=<id>``, by default the previous one of the same perimeter)."""

    model = ExposureScan
    template_name = "exposure/scan_diff.html"

    def get_context(self, obj: ExposureScan) -> dict[str, Any]:
        """The diff, or nothing to compare with."""
        visible = ExposureScan.objects.restrict(self.request.user, Action.VIEW)
        wanted = self.request.GET.get("base", "")
        base = visible.done().filter(pk=int(wanted)).first() if wanted.isdigit() else previous_scan(obj, visible)
        if wanted and base is None:
            raise Http404
        choices = visible.done().filter(node_id=obj.node_id).exclude(pk=obj.pk)[:50]
        return {"base": base, "diff": diff_document(base, obj), "choices": choices}


class ScanReportView(ObjectDetailView):
    """The report as a download: ``?format=pdf`` (default) or ``html``."""

    model = ExposureScan

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Render the report of a finished scan, with the diff against the previous one."""
        scan = self.get_object()
        if not scan.succeeded:
            raise Http404
        fmt = request.GET.get("format", "pdf")
        if fmt not in {"pdf", "html"}:
            return HttpResponse(_("Unknown format: expected pdf or html."), status=400, content_type="text/plain")
        visible = ExposureScan.objects.restrict(request.user, Action.VIEW)
        content, content_type = render_report(scan, fmt, diff_document(previous_scan(scan, visible), scan))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{report_filename(scan, fmt)}"'
        return response


class ScanImportView(UploadView):
    """Import an nmap or masscan file: judged and stored at once, or refused whole with the reason."""

    model = ExposureScan
    template_name = "exposure/import_form.html"
    form_class = ImportForm
    title = gettext_lazy("Import an nmap or masscan file")

    def accept(self, form: Any) -> HttpResponse:
        """Import the file; a bad file stores nothing."""
        upload = form.cleaned_data["file"]
        try:
            scan = import_upload(self.request.user, form.cleaned_data["node"], upload.chunks(), upload.name)
        except ScanFailedError as exc:
            raise self.UploadRefusedError(str(exc)) from exc
        messages.success(self.request, _("The scan file was imported."))
        return redirect(scan.get_absolute_url())


# --- Perimeters ------------------------------------------------------------------------------------


class PerimeterListView(ObjectListView):
    """Perimeters of the user's nodes (everyone who sees a node sees what is scanned on it)."""

    model = ExposurePerimeter
    filterset_class = ExposurePerimeterFilterSet
    columns = PERIMETER_COLUMNS
    template_name = "exposure/perimeter_list.html"

    def extra_context(self) -> dict[str, Any]:
        """Whether the user may declare perimeters somewhere."""
        return {"can_manage": scope_prefixes(self.request.user, MANAGE_PERIMETERS) != []}


class PerimeterDetailView(ObjectDetailView):
    """A perimeter, its schedule and its scans."""

    model = ExposurePerimeter

    def get_context(self, obj: ExposurePerimeter) -> dict[str, Any]:
        """Its latest scans and what the user may do with it."""
        user = self.request.user
        return {
            "scans": ExposureScan.objects.restrict(user, Action.VIEW).filter(perimeter=obj)[:20],
            "can_manage": ExposurePerimeter.objects.restrict(user, MANAGE_PERIMETERS).filter(pk=obj.pk).exists(),
            "can_scan": ExposurePerimeter.objects.restrict(user, Action.ADD).filter(pk=obj.pk).exists(),
        }


class PerimeterEditView(ObjectEditView):
    """Declare or change a perimeter (administrators of the node)."""

    model = ExposurePerimeter
    form_class = PerimeterForm

    def current(self) -> Any:
        """The perimeter being changed, or None; both need the administrator's right."""
        if "pk" in self.kwargs:
            return self.get_object(MANAGE_PERIMETERS)
        require_scope(self.request.user, MANAGE_PERIMETERS)
        return None


class PerimeterDeleteView(ObjectDeleteView):
    """Delete a perimeter (its scans stay, without it)."""

    model = ExposurePerimeter
    success_url_name = "exposure:perimeter_list"

    def get_object(self, action: Action | None = None) -> Any:
        """Administrators only."""
        return super().get_object(MANAGE_PERIMETERS)


class PerimeterRunView(TenantView):
    """Start a scan of a perimeter now, as a job (POST only)."""

    model = ExposurePerimeter

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Queue the scan and go to it: its page follows the job's progress."""
        perimeter = self.get_object(Action.ADD)
        if not perimeter.enabled:
            messages.error(request, _("This perimeter is disabled: enable it to scan."))
            return redirect(perimeter.get_absolute_url())
        scan = start_scan(request.user, perimeter)
        messages.success(request, _("The scan is queued."))
        return redirect(scan.get_absolute_url())
