"""Views of log detection: alerts (list, detail, workflow, timeline, ATT&CK coverage), log sources, hunts, packs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action, scope_prefixes
from hygie.apps.detection.analysis import coverage_matrix, timeline_groups
from hygie.apps.detection.filtersets import AlertFilterSet, HuntFilterSet, LogSourceFilterSet, RulePackFilterSet
from hygie.apps.detection.forms import (
    AlertBulkForm,
    AlertTransitionForm,
    HuntForm,
    LogSourceForm,
    LogUploadForm,
    PackUploadForm,
)
from hygie.apps.detection.models import Alert, Hunt, LogSource, RulePack, RulePackVersion
from hygie.apps.detection.packs import PackError, activate, upload_pack
from hygie.apps.detection.running import default_version, start_hunt
from hygie.apps.detection.tables import ALERT_COLUMNS, HUNT_COLUMNS, PACK_COLUMNS, SOURCE_COLUMNS
from hygie.apps.detection.uploads import UploadRefusedError, store_log_file
from hygie.apps.detection.workflow import WorkflowError, bulk_transition, transition
from hygie.apps.organizations.models import Node
from hygie.web.views import ObjectDetailView, ObjectEditView, ObjectListView, TenantView, UploadView, require_scope

# --- Alerts -----------------------------------------------------------------------------------------


class AlertListView(ObjectListView):
    """Alerts of the user's nodes, with bulk acknowledge / false positive."""

    model = Alert
    select_related = ("node", "source", "asset")
    filterset_class = AlertFilterSet
    columns = ALERT_COLUMNS
    template_name = "detection/alert_list.html"

    def extra_context(self) -> dict[str, Any]:
        """Whether the user may move alerts somewhere."""
        return {"can_change": scope_prefixes(self.request.user, Action.CHANGE) != []}


class AlertBulkView(TenantView):
    """Acknowledge or mark as false positive the ticked alerts (POST only)."""

    model = Alert

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Move the alerts the user may change; the others are not in the choices (refused as invalid)."""
        require_scope(request.user, Action.CHANGE)
        form = AlertBulkForm(request.POST, queryset=self.get_queryset(Action.CHANGE))
        if not form.is_valid():
            return HttpResponseBadRequest(_("Tick at least one alert you may change, and choose an action."))
        moved, skipped = bulk_transition(
            form.cleaned_data["alerts"], form.cleaned_data["status"], request.user, comment=form.cleaned_data["comment"]
        )
        messages.success(
            request,
            _("%(moved)d alerts updated, %(skipped)d left as they were.") % {"moved": moved, "skipped": skipped},
        )
        # Back to the filtered list the user came from, never to another site (open redirect).
        wanted = str(request.POST.get("next", ""))
        safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
        return redirect(wanted if wanted and safe else "detection:alert_list")


class AlertDetailView(ObjectDetailView):
    """An alert: event fields, rule, asset, workflow and history."""

    model = Alert
    select_related = ("node", "source", "asset", "hunt")

    def get_context(self, obj: Alert) -> dict[str, Any]:
        """History and the workflow form for those who may change the alert."""
        can_change = Alert.objects.restrict(self.request.user, Action.CHANGE).filter(pk=obj.pk).exists()
        form = AlertTransitionForm()
        form.fields["status"].choices = [
            (s, label) for s, label in form.fields["status"].choices if s in obj.allowed_transitions()
        ]
        return {"events": obj.events.all(), "can_change": can_change, "form": form if can_change else None}


class AlertTransitionView(TenantView):
    """Move an alert in the workflow (POST only)."""

    model = Alert

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Apply the move or say why not."""
        alert = self.get_object(Action.CHANGE)
        form = AlertTransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a status."))
            return redirect(alert.get_absolute_url())
        try:
            transition(
                alert,
                form.cleaned_data["status"],
                request.user,
                comment=form.cleaned_data["comment"],
                incident_reference=form.cleaned_data["incident_reference"],
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect(alert.get_absolute_url())
        messages.success(request, _("The alert is now %(status)s.") % {"status": alert.get_status_display()})
        return redirect(alert.get_absolute_url())


class TimelineView(TenantView):
    """Alerts in time order, grouped by hour or day, for a node or a hunt (``?node=``, ``?hunt=``, ``?by=day``)."""

    model = Alert
    select_related = ("node",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The timeline page."""
        require_scope(request.user, Action.VIEW)
        filterset = AlertFilterSet(request.GET or None, queryset=self.get_queryset(), request=request)
        by = "day" if request.GET.get("by") == "day" else "hour"
        groups = timeline_groups(filterset.qs, by)
        context = {"title": _("Alert timeline"), "filterset": filterset, "groups": groups, "by": by}
        return render(request, "detection/timeline.html", context)


class CoverageView(TenantView):
    """ATT&CK coverage: per tactic, techniques the active packs cover and those with alerts (``?node=``)."""

    model = Alert

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The matrix."""
        require_scope(request.user, Action.VIEW)
        node = None
        wanted = request.GET.get("node", "")
        if wanted:
            node = (
                Node.objects.restrict(request.user, Action.VIEW)
                .filter(pk=int(wanted) if wanted.isdigit() else 0)
                .first()
            )
            if node is None:
                raise Http404
        matrix = coverage_matrix(request.user, node)
        return render(request, "detection/coverage.html", {"title": _("ATT&CK coverage"), "node": node, **matrix})


# --- Log sources, uploads, hunts ------------------------------------------------------------------


class LogSourceListView(ObjectListView):
    """Log sources of the user's nodes."""

    model = LogSource
    filterset_class = LogSourceFilterSet
    columns = SOURCE_COLUMNS
    add_url_name = "detection:source_add"
    template_name = "detection/source_list.html"


class LogSourceDetailView(ObjectDetailView):
    """A log source: its files, its hunts, a hunt form."""

    model = LogSource

    def get_context(self, obj: LogSource) -> dict[str, Any]:
        """Files, hunts and what the user may do."""
        user = self.request.user
        can_add = LogSource.objects.restrict(user, Action.ADD).filter(pk=obj.pk).exists()
        return {
            "uploads": obj.uploads.all()[:100],
            "hunts": Hunt.objects.restrict(user, Action.VIEW)
            .filter(source=obj)
            .select_related("pack_version__pack")[:20],
            "can_add": can_add,
            "can_change": LogSource.objects.restrict(user, Action.CHANGE).filter(pk=obj.pk).exists(),
            "hunt_form": HuntForm(user=user, initial={"version": default_version(user)}) if can_add else None,
        }


class LogSourceEditView(ObjectEditView):
    """Declare or change a log source."""

    model = LogSource
    form_class = LogSourceForm


class LogSourceHuntView(TenantView):
    """Hunt every file of a log source with a pack version, as a job (POST only)."""

    model = LogSource

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Queue the hunt and go to it."""
        source = self.get_object(Action.ADD)
        form = HuntForm(request.POST, user=request.user)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose an active rule pack."))
        if not source.uploads.exists():
            messages.error(request, _("This log source has no file yet: upload one first."))
            return redirect(source.get_absolute_url())
        hunt = start_hunt(request.user, source, form.cleaned_data["version"], [])
        messages.success(request, _("The hunt is queued."))
        return redirect(hunt.get_absolute_url())


class LogUploadView(UploadView):
    """Upload a log file to a source; hunted at once (as a job) unless unticked."""

    model = LogSource
    template_name = "detection/upload_form.html"
    form_class = LogUploadForm
    title = gettext_lazy("Upload a log file")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form, with the source named in ``?source=`` chosen."""
        require_scope(request.user, self.action)
        wanted = request.GET.get("source", "")
        initial = {"source": int(wanted)} if wanted.isdigit() else {}
        return self.render(self.form_class(user=request.user, initial=initial))

    def accept(self, form: Any) -> HttpResponse:
        """Store the file (a bad one stores nothing), then queue its hunt."""
        source, upload = form.cleaned_data["source"], form.cleaned_data["file"]
        try:
            stored, created = store_log_file(source, upload.chunks(), upload.name, user=self.request.user)
        except UploadRefusedError as exc:
            raise self.UploadRefusedError(str(exc)) from exc
        if not created:
            messages.info(self.request, _("This file was already uploaded to this log source."))
        if form.cleaned_data.get("hunt"):
            version = default_version(self.request.user)
            if version is None:
                messages.warning(self.request, _("The file is stored, but no rule pack is active: nothing was hunted."))
                return redirect(source.get_absolute_url())
            hunt = start_hunt(self.request.user, source, version, [stored])
            messages.success(self.request, _("The file is stored and its hunt is queued."))
            return redirect(hunt.get_absolute_url())
        messages.success(self.request, _("The file is stored."))
        return redirect(source.get_absolute_url())


class HuntListView(ObjectListView):
    """Hunts of the user's nodes."""

    model = Hunt
    select_related = ("node", "source")
    filterset_class = HuntFilterSet
    columns = HUNT_COLUMNS


class HuntDetailView(ObjectDetailView):
    """A hunt: job status, what the engine read and ran, its alerts."""

    model = Hunt
    select_related = ("node", "source", "job", "pack_version__pack")

    def get_context(self, obj: Hunt) -> dict[str, Any]:
        """Its files and its latest alerts."""
        return {
            "uploads": obj.uploads.all()[:100],
            "alerts": Alert.objects.restrict(self.request.user, Action.VIEW)
            .filter(hunt=obj)
            .select_related("asset")[:50],
        }


# --- Rule packs -------------------------------------------------------------------------------------


class RulePackListView(ObjectListView):
    """Rule packs: global ones and those of the user's nodes."""

    model = RulePack
    filterset_class = RulePackFilterSet
    columns = PACK_COLUMNS
    add_url_name = "detection:pack_upload"


class RulePackDetailView(ObjectDetailView):
    """A pack: its versions (rules loaded and refused, with the reasons), the active version's rules."""

    model = RulePack

    def get_context(self, obj: RulePack) -> dict[str, Any]:
        """Versions, the active one's rules, and whether the user may change the pack."""
        active = obj.active_version()
        return {
            "versions": obj.versions.all(),
            "active": active,
            "rules": active.rules.all() if active else [],
            "can_change": RulePack.objects.restrict(self.request.user, Action.CHANGE).filter(pk=obj.pk).exists(),
        }


class RulePackUploadView(UploadView):
    """Upload a zip of Sigma rules: a new pack, or the next version of the node's pack of that name."""

    model = RulePack
    template_name = "detection/upload_form.html"
    form_class = PackUploadForm
    title = gettext_lazy("Upload a rule pack")

    def accept(self, form: Any) -> HttpResponse:
        """Compile and store the version; a zip where no rule loads is refused."""
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        try:
            version, created = upload_pack(
                self.request.user,
                data["node"],
                data["name"],
                upload.chunks(),
                upload.name,
                description=data["description"],
            )
        except PackError as exc:
            raise self.UploadRefusedError(str(exc)) from exc
        if created:
            messages.success(
                self.request,
                _("Version %(number)d: %(rules)d rules loaded, %(failed)d refused.")
                % {"number": version.number, "rules": version.rule_count, "failed": version.failure_count},
            )
        else:
            messages.info(
                self.request, _("These rules are already version %(number)d of this pack.") % {"number": version.number}
            )
        return redirect(version.get_absolute_url())


class VersionActivateView(TenantView):
    """Make a version the active one of its pack (POST only; global packs: superusers)."""

    model = RulePackVersion
    select_related = ("pack",)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Activate and go back to the pack."""
        version = self.get_object(Action.CHANGE)
        if not RulePack.objects.restrict(request.user, Action.CHANGE).filter(pk=version.pack_id).exists():
            raise PermissionDenied
        activate(version)
        messages.success(request, _("%(version)s is now active.") % {"version": version})
        return redirect(version.get_absolute_url())
