"""Views of the inventory: lists with re-importable CSV exports, details, edits, deletes, imports."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.models import Finding
from hygie.apps.inventory.csvcolumns import SPECS, ImportKind, export_columns
from hygie.apps.inventory.filtersets import ApplicationFilterSet, AssetFilterSet, CareActivityFilterSet
from hygie.apps.inventory.forms import ApplicationForm, AssetForm, CareActivityForm, ImportForm
from hygie.apps.inventory.importing import ImportRefusedError, import_csv
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.inventory.tables import APPLICATION_COLUMNS, ASSET_COLUMNS, CARE_ACTIVITY_COLUMNS
from hygie.web.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView, require_scope


class InventoryListView(ObjectListView):
    """A list whose CSV export uses the import columns, so that an export re-imports."""

    kind: ClassVar[ImportKind]

    def export(self, rows: QuerySet[Any]) -> StreamingHttpResponse:
        """Stream the import columns, relations prefetched (per chunk of the iterator)."""
        self.columns = export_columns(self.kind)  # type: ignore[misc]
        return super().export(rows.prefetch_related(*SPECS[self.kind].relations))


class InventoryDetailView(ObjectDetailView):
    """A detail page that knows whether the user may change or delete the object."""

    def rights(self, obj: Any) -> dict[str, bool]:
        """``can_change`` and ``can_delete`` for the page's buttons."""
        user = self.request.user
        restricted = self.model.objects.filter(pk=obj.pk)  # type: ignore[attr-defined]
        return {
            "can_change": restricted.restrict(user, Action.CHANGE).exists(),
            "can_delete": restricted.restrict(user, Action.DELETE).exists(),
        }


class AssetListView(InventoryListView):
    """Assets."""

    model = Asset
    kind = ImportKind.ASSETS
    filterset_class = AssetFilterSet
    columns = ASSET_COLUMNS
    add_url_name = "inventory:asset_add"
    template_name = "inventory/asset_list.html"


class AssetDetailView(InventoryDetailView):
    """An asset, its applications and its findings."""

    model = Asset

    def get_context(self, obj: Asset) -> dict[str, Any]:
        """Applications running on it and findings about it, as the user may see them."""
        return {
            "applications": Application.objects.restrict(self.request.user, Action.VIEW).filter(assets=obj),
            "findings": Finding.objects.restrict(self.request.user, Action.VIEW).filter(asset=obj)[:50],
            **self.rights(obj),
        }


class AssetEditView(ObjectEditView):
    """Create or change an asset."""

    model = Asset
    form_class = AssetForm


class AssetDeleteView(ObjectDeleteView):
    """Delete an asset."""

    model = Asset
    success_url_name = "inventory:asset_list"


class ApplicationListView(InventoryListView):
    """Applications."""

    model = Application
    kind = ImportKind.APPLICATIONS
    filterset_class = ApplicationFilterSet
    columns = APPLICATION_COLUMNS
    add_url_name = "inventory:application_add"
    template_name = "inventory/application_list.html"


class ApplicationDetailView(InventoryDetailView):
    """An application, what it runs on, depends on, and which care needs it."""

    model = Application

    def get_context(self, obj: Application) -> dict[str, Any]:
        """Related objects, restricted."""
        user = self.request.user
        return {
            "assets": Asset.objects.restrict(user, Action.VIEW).filter(applications=obj),
            "depends_on": Application.objects.restrict(user, Action.VIEW).filter(dependents=obj),
            "dependents": Application.objects.restrict(user, Action.VIEW).filter(depends_on=obj),
            "care_activities": CareActivity.objects.restrict(user, Action.VIEW).filter(applications=obj),
            **self.rights(obj),
        }


class ApplicationEditView(ObjectEditView):
    """Create or change an application."""

    model = Application
    form_class = ApplicationForm


class ApplicationDeleteView(ObjectDeleteView):
    """Delete an application."""

    model = Application
    success_url_name = "inventory:application_list"


class CareActivityListView(InventoryListView):
    """Care activities."""

    model = CareActivity
    kind = ImportKind.CARE_ACTIVITIES
    filterset_class = CareActivityFilterSet
    columns = CARE_ACTIVITY_COLUMNS
    add_url_name = "inventory:careactivity_add"
    template_name = "inventory/careactivity_list.html"


class CareActivityDetailView(InventoryDetailView):
    """A care activity and the applications it needs."""

    model = CareActivity

    def get_context(self, obj: CareActivity) -> dict[str, Any]:
        """Applications, restricted."""
        applications = Application.objects.restrict(self.request.user, Action.VIEW).filter(care_activities=obj)
        return {"applications": applications, **self.rights(obj)}


class CareActivityEditView(ObjectEditView):
    """Create or change a care activity."""

    model = CareActivity
    form_class = CareActivityForm


class CareActivityDeleteView(ObjectDeleteView):
    """Delete a care activity."""

    model = CareActivity
    success_url_name = "inventory:careactivity_list"


class ImportView(LoginRequiredMixin, View):
    """Upload a CSV file of one kind: dry run or real import, with the report of every bad line."""

    kind: ClassVar[ImportKind]
    list_url_name: ClassVar[str]
    template_name = "inventory/import.html"

    def render(self, form: ImportForm, status: int = 200, **extra: Any) -> HttpResponse:
        """The page with the form and, after a run, its report or error."""
        model = SPECS[self.kind].model
        context = {"form": form, "title": _("Import %(kind)s") % {"kind": model._meta.verbose_name_plural},
                   "columns": SPECS[self.kind].columns, "required": SPECS[self.kind].required,
                   "list_url_name": self.list_url_name, **extra}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The upload form."""
        require_scope(request.user, Action.ADD)
        return self.render(ImportForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Run the import; 413 too large, 400 unreadable, 422 with the report when a line is wrong."""
        require_scope(request.user, Action.ADD)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > settings.HYGIE_MAX_UPLOAD_BYTES:
            error = _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).") % {
                "size": upload.size, "limit": settings.HYGIE_MAX_UPLOAD_BYTES}
            return self.render(form, status=413, error=error)
        try:
            report = import_csv(upload.read(), self.kind, request.user, dry_run=form.cleaned_data["dry_run"])
        except ImportRefusedError as exc:
            return self.render(form, status=exc.status, error=exc.message)
        return self.render(form, status=200 if report.valid else 422, report=report)


class AssetImportView(ImportView):
    """Import assets."""

    kind = ImportKind.ASSETS
    list_url_name = "inventory:asset_list"


class ApplicationImportView(ImportView):
    """Import applications."""

    kind = ImportKind.APPLICATIONS
    list_url_name = "inventory:application_list"


class CareActivityImportView(ImportView):
    """Import care activities."""

    kind = ImportKind.CARE_ACTIVITIES
    list_url_name = "inventory:careactivity_list"
