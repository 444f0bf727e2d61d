"""Generic views: lists, details, edits and CSV exports all go through the permission choke point.

App views are short declarative subclasses (NetBox style); nothing here filters by tenant by hand.
"""

from __future__ import annotations

import csv
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, ProtectedError, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from hygie.apps.accounts.permissions import Action, scope_prefixes
from hygie.web.tables import Column, csv_rows


class _Echo:
    """A file-like object whose ``write`` returns the value, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def require_scope(user: Any, action: Action) -> None:
    """403 unless ``user`` may do ``action`` somewhere in the tree."""
    if scope_prefixes(user, action) == []:
        raise PermissionDenied


class TenantView(LoginRequiredMixin, View):
    """Base: login required, queryset from the choke point."""

    model: ClassVar[type[Model]]
    action: ClassVar[Action] = Action.VIEW
    select_related: ClassVar[tuple[str, ...]] = ("node",)
    prefetch_related: ClassVar[tuple[str, ...]] = ()

    def get_queryset(self, action: Action | None = None) -> QuerySet[Any]:
        """Rows the current user may ``action``."""
        qs = self.model.objects.restrict(self.request.user, action or self.action)  # type: ignore[attr-defined]
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def get_object(self, action: Action | None = None) -> Any:
        """The object named in the URL, 404 when outside the user's scope (never 403: no leak)."""
        action = action or self.action
        obj = self.get_queryset(Action.VIEW).filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404
        if action != Action.VIEW and not self.get_queryset(action).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


class ObjectListView(TenantView):
    """A filtered, paginated list with a CSV export (``?export=csv``) of the same rows."""

    filterset_class: ClassVar[Any] = None
    columns: ClassVar[list[Column]] = []
    template_name = "hygie/object_list.html"
    paginate_by = 50
    title: ClassVar[Any] = ""
    add_url_name: ClassVar[str] = ""

    def filtered(self) -> tuple[Any, QuerySet[Any]]:
        """The filterset and its rows."""
        qs = self.get_queryset()
        if self.filterset_class is None:
            return None, qs
        fs = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        return fs, fs.qs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Render the list or stream its CSV."""
        require_scope(request.user, Action.VIEW)
        filterset, rows = self.filtered()
        if request.GET.get("export") == "csv":
            return self.export(rows)
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": self.title or self.model._meta.verbose_name_plural,
            "filterset": filterset,
            "page": page,
            "columns": self.columns,
            "query": query.urlencode(),
            "add_url_name": self.add_url_name if scope_prefixes(request.user, Action.ADD) != [] else "",
            **self.extra_context(),
        }
        template = "hygie/object_table.html" if request.htmx else self.template_name  # type: ignore[attr-defined]
        return render(request, template, context)

    def extra_context(self) -> dict[str, Any]:
        """More context for a subclass's template."""
        return {}

    def export(self, rows: QuerySet[Any]) -> StreamingHttpResponse:
        """The same rows as CSV, streamed so that large exports do not load into memory."""
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in csv_rows(rows.iterator(chunk_size=2000), self.columns)),
            content_type="text/csv; charset=utf-8",
        )
        name = self.model._meta.model_name
        response["Content-Disposition"] = f'attachment; filename="hygie-{name}s.csv"'
        return response


class ObjectDetailView(TenantView):
    """One object, 404 outside the user's scope."""

    template_name: ClassVar[str] = ""

    def get_context(self, obj: Any) -> dict[str, Any]:
        """Extra context for the template."""
        return {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Render the object."""
        obj = self.get_object()
        meta = self.model._meta
        template = self.template_name or f"{meta.app_label}/{meta.model_name}_detail.html"
        context = {"object": obj, "title": str(obj), **self.get_context(obj)}
        return render(request, template, context)


class ObjectEditView(TenantView):
    """Create (no pk in the URL) or change an object with a form restricted to the user's nodes."""

    form_class: ClassVar[Any]
    template_name = "hygie/object_edit.html"

    def get_form(self, obj: Any) -> Any:
        """Bound form; the form receives the user to restrict its node choices."""
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, instance=obj, user=self.request.user)

    def current(self) -> Any:
        """The object being changed, or None when creating."""
        if "pk" in self.kwargs:
            return self.get_object(Action.CHANGE)
        require_scope(self.request.user, Action.ADD)
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Show the form."""
        obj = self.current()
        return render(
            request,
            self.template_name,
            {"form": self.get_form(obj), "object": obj, "title": self.model._meta.verbose_name},
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and save."""
        obj = self.current()
        form = self.get_form(obj)
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("Saved."))
            return redirect(saved.get_absolute_url())
        return render(
            request,
            self.template_name,
            {"form": form, "object": obj, "title": self.model._meta.verbose_name},
            status=400,
        )


class ObjectDeleteView(TenantView):
    """Delete an object: GET shows a confirmation page, POST deletes (404 outside scope, 403 without right)."""

    template_name = "hygie/object_confirm_delete.html"
    success_url_name: ClassVar[str] = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Ask for confirmation."""
        obj = self.get_object(Action.DELETE)
        return render(request, self.template_name, self.context(obj))

    def context(self, obj: Any) -> dict[str, Any]:
        """The object, its name and its kind for the confirmation page."""
        return {"object": obj, "title": str(obj), "kind": self.model._meta.verbose_name}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Delete (the audit log records it through the model signals) and go back to the list."""
        obj = self.get_object(Action.DELETE)
        try:
            obj.delete()
        except ProtectedError:
            messages.error(request, _("This object is still used by other records and cannot be deleted."))
            return render(request, self.template_name, self.context(obj), status=409)
        messages.success(request, _("Deleted."))
        return redirect(self.success_url_name)


class UploadView(TenantView):
    """A file upload form: 400 with the form's errors, 413 when the file is over the size limit.

    Subclasses name the form, the page title and what to do with a valid form in ``accept``,
    which returns the response (usually a redirect) or raises ``UploadRefusedError`` with the
    reason shown on the file field.
    """

    form_class: ClassVar[type[Any]]
    template_name: ClassVar[str]
    title: ClassVar[Any] = ""
    action = Action.ADD

    class UploadRefusedError(Exception):
        """The file was read and refused; the message goes under the file field."""

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        """The page with the form."""
        context = {"form": form, "title": self.title, "multipart": True}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        require_scope(request.user, self.action)
        return self.render(self.form_class(user=request.user))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, then hand the form to ``accept``; a refused file stores nothing and the form says why."""
        from django.conf import settings

        require_scope(request.user, self.action)
        form = self.form_class(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            too_large = getattr(request.FILES.get("file"), "size", 0) > settings.HYGIE_MAX_UPLOAD_BYTES
            return self.render(form, status=413 if too_large else 400)
        try:
            return self.accept(form)
        except self.UploadRefusedError as exc:
            form.add_error("file", str(exc))
            return self.render(form, status=400)

    def accept(self, form: Any) -> HttpResponse:
        """Act on a valid form."""
        raise NotImplementedError
