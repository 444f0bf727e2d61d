"""Views of directory audits: list, detail with trend, diff, attack paths, report, upload, live run, credentials."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action
from hygie.apps.directory.analysis import diff_audits, previous_audit, trend
from hygie.apps.directory.filtersets import DirectoryAuditFilterSet, DirectoryCredentialFilterSet
from hygie.apps.directory.forms import CredentialForm, LiveAuditForm, UploadAuditForm
from hygie.apps.directory.models import DirectoryAudit, DirectoryCredential
from hygie.apps.directory.report import MAX_PATHS, chains, report_filename, report_html, report_pdf
from hygie.apps.directory.running import start_ldap_audit, start_upload_audit, store_upload
from hygie.apps.directory.tables import AUDIT_COLUMNS, CREDENTIAL_COLUMNS
from hygie.web.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    TenantView,
    UploadView,
    require_scope,
)

# Managing credentials (which hold a bind password) is for managers and administrators.
MANAGE_CREDENTIALS = Action.DELETE


class AuditListView(ObjectListView):
    """Audits of the user's nodes."""

    model = DirectoryAudit
    filterset_class = DirectoryAuditFilterSet
    columns = AUDIT_COLUMNS
    add_url_name = "directory:audit_upload"
    template_name = "directory/audit_list.html"

    def extra_context(self) -> dict[str, Any]:
        """Whether the live-collection and credential buttons apply."""
        return {"can_manage_credentials": user_can_anywhere(self.request.user, MANAGE_CREDENTIALS)}


def user_can_anywhere(user: Any, action: Action) -> bool:
    """True when ``user`` holds ``action`` on some node."""
    from hygie.apps.accounts.permissions import scope_prefixes

    return scope_prefixes(user, action) != []


class AuditDetailView(ObjectDetailView):
    """Level, score, categories, findings by severity, not evaluated, trend, job status."""

    model = DirectoryAudit
    select_related = ("node", "job", "credential")

    def get_context(self, obj: DirectoryAudit) -> dict[str, Any]:
        """Trend and the previous audit, among the audits the user may see."""
        visible = DirectoryAudit.objects.restrict(self.request.user, Action.VIEW)
        points = trend(obj, visible) if obj.succeeded else []
        return {
            "ancestors": obj.node.ancestors(),
            "groups": obj.severity_groups(),
            "trend": points,
            "trend_polyline": " ".join(f"{p.x},{p.y_score}" for p in points),
            "previous": previous_audit(obj, visible) if obj.succeeded else None,
        }


class AuditDiffView(ObjectDetailView):
    """What changed since another audit (``?base=<id>``, by default the previous one of the same domain)."""

    model = DirectoryAudit
    template_name = "directory/audit_diff.html"

    def get_context(self, obj: DirectoryAudit) -> dict[str, Any]:
        """The diff, or nothing to compare with."""
        visible = DirectoryAudit.objects.restrict(self.request.user, Action.VIEW)
        wanted = self.request.GET.get("base", "")
        base = (
            visible.filter(pk=int(wanted), status="succeeded").first()
            if wanted.isdigit()
            else previous_audit(obj, visible)
        )
        if wanted and base is None:
            raise Http404
        choices = visible.filter(status="succeeded", node_id=obj.node_id).exclude(pk=obj.pk)[:50]
        return {"base": base, "diff": diff_audits(base, obj) if base and obj.succeeded else None, "choices": choices}


class AuditPathsView(ObjectDetailView):
    """Attack paths to tier 0 and the proposed cut."""

    model = DirectoryAudit
    template_name = "directory/audit_paths.html"

    def get_context(self, obj: DirectoryAudit) -> dict[str, Any]:
        """Counts, the cut and a few paths as readable chains."""
        paths = obj.attack_paths
        return {"paths": paths, "path_chains": chains(paths, MAX_PATHS)}


class AuditReportView(ObjectDetailView):
    """The report as a download: ``?format=pdf`` (default) or ``html``."""

    model = DirectoryAudit

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Render the report of a finished audit."""
        audit = self.get_object()
        if not audit.succeeded:
            raise Http404
        fmt = request.GET.get("format", "pdf")
        if fmt == "html":
            response = HttpResponse(report_html(audit, audit.node.ancestors()), content_type="text/html")
        elif fmt == "pdf":
            response = HttpResponse(report_pdf(audit, audit.node.ancestors()), content_type="application/pdf")
        else:
            return HttpResponse(_("Unknown format: expected pdf or html."), status=400, content_type="text/plain")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(audit, fmt)}"'
        return response


class AuditUploadView(UploadView):
    """Upload a collection: the audit runs as a job; the page goes to the audit, which shows its progress."""

    model = DirectoryAudit
    template_name = "directory/audit_form.html"
    form_class = UploadAuditForm
    title = gettext_lazy("Upload a collection")

    def accept(self, form: Any) -> HttpResponse:
        """Store the file and queue the audit."""
        upload = form.cleaned_data["file"]
        path = store_upload(upload.chunks(), upload.name)
        audit = start_upload_audit(self.request.user, form.cleaned_data["node"], path, upload.name)
        messages.success(self.request, _("The audit is queued."))
        return redirect(audit.get_absolute_url())


class AuditRunView(TenantView):
    """Collect a directory live with a stored credential, as a job."""

    model = DirectoryAudit
    template_name = "directory/audit_form.html"

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        """The page with the form."""
        return render(self.request, self.template_name, {"form": form, "title": _("Live collection")}, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form."""
        require_scope(request.user, Action.ADD)
        return self.render(LiveAuditForm(user=request.user))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Queue the collection."""
        require_scope(request.user, Action.ADD)
        form = LiveAuditForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(form, status=400)
        audit = start_ldap_audit(request.user, form.cleaned_data["credential"])
        messages.success(request, _("The collection is queued."))
        return redirect(audit.get_absolute_url())


# --- Credentials ---------------------------------------------------------------------------------


class CredentialListView(ObjectListView):
    """Credentials of the nodes the user manages (no password shown, ever)."""

    model = DirectoryCredential
    action = MANAGE_CREDENTIALS
    filterset_class = DirectoryCredentialFilterSet
    columns = CREDENTIAL_COLUMNS
    template_name = "directory/credential_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """403 without the right to manage credentials somewhere."""
        require_scope(request.user, MANAGE_CREDENTIALS)
        return super().get(request, *args, **kwargs)


class CredentialDetailView(ObjectDetailView):
    """A credential, without its password."""

    model = DirectoryCredential
    action = MANAGE_CREDENTIALS


class CredentialEditView(ObjectEditView):
    """Create or change a credential (managers and administrators)."""

    model = DirectoryCredential
    form_class = CredentialForm

    def current(self) -> Any:
        """The credential being changed, or None; both need the right to manage credentials."""
        if "pk" in self.kwargs:
            return self.get_object(MANAGE_CREDENTIALS)
        require_scope(self.request.user, MANAGE_CREDENTIALS)
        return None


class CredentialDeleteView(ObjectDeleteView):
    """Delete a credential (its audits stay, without it)."""

    model = DirectoryCredential
    success_url_name = "directory:credential_list"
