"""Views of one requirement within an assessment: status, measure, evidence (files and links), history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action
from hygie.apps.compliance.forms import EvidenceLinkForm, EvidenceUploadForm, ItemStatusForm
from hygie.apps.compliance.models import Evidence, EvidenceKind, Measure, RequirementAssessment
from hygie.apps.compliance.views.wording import localise
from hygie.apps.continuity.models import Exercise
from hygie.apps.directory.models import DirectoryAudit
from hygie.apps.exposure.models import ExposureScan
from hygie.apps.findings.models import Finding
from hygie.web.views import TenantView

__all__ = [
    "EvidenceDeleteView",
    "EvidenceDownloadView",
    "EvidenceLinkView",
    "EvidenceUploadView",
    "ItemConfirmView",
    "ItemDetailView",
    "ItemStatusView",
    "apply_errors",
    "history",
    "item_url",
    "run_links",
]

#: Where each engine's run is shown, by the ``engine`` of a measure's run.
_RUN_PAGES = {
    "directory": "directory:audit_detail",
    "exposure": "exposure:scan_detail",
    "continuity": "continuity:node_overview",
    "readiness": "continuity:readiness",
}
#: Linked objects of evidence: (field, model).
_LINKED = (
    ("finding", Finding),
    ("directory_audit", DirectoryAudit),
    ("exposure_scan", ExposureScan),
    ("exercise", Exercise),
)


def item_url(item: RequirementAssessment) -> str:
    """The page of a requirement within its assessment."""
    return reverse("compliance:item_detail", args=[item.pk])


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def run_links(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs behind a measure, each with the page where it is shown (when the engine has one)."""
    runs = []
    for run in (detail or {}).get("runs") or []:
        if not isinstance(run, dict):
            continue
        url = ""
        page = _RUN_PAGES.get(str(run.get("engine", "")))
        if page and str(run.get("id", "")).isdigit():
            try:
                url = reverse(page, args=[int(run["id"])])
            except NoReverseMatch:
                url = ""
        runs.append({**run, "url": url})
    return runs


#: Words for the fields of a history event's ``changes``.
_CHANGE_LABELS = {
    "owner": gettext_lazy("Owner"),
    "due_date": gettext_lazy("Due date"),
    "reason": gettext_lazy("Reason"),
    "measure": gettext_lazy("Engines' measure"),
    "confirmed_measure": gettext_lazy("Confirmed measure"),
    "evidence_added": gettext_lazy("Evidence added"),
    "evidence_removed": gettext_lazy("Evidence removed"),
    "remediation_finding": gettext_lazy("Finding of the remediation plan"),
}
_MEASURE_WORDS = {value: label for value, label in Measure.choices if value}


def _word(field: str, value: Any) -> Any:
    if value in (None, ""):
        return "—"
    if field in {"measure", "confirmed_measure"}:
        return _MEASURE_WORDS.get(value, value)
    return value


def history(item: RequirementAssessment) -> list[dict[str, Any]]:
    """The requirement's events, newest first, each change in words (``Owner: — → alice``)."""
    rows = []
    for event in item.events.order_by("-timestamp", "-id"):
        changes = event.changes if isinstance(event.changes, dict) else {}
        words = []
        for field, change in changes.items():
            before, after = [*change, None, None][:2] if isinstance(change, list) else (None, change)
            words.append((_CHANGE_LABELS.get(field, field), _word(field, before), _word(field, after)))
        rows.append({"event": event, "changes": words})
    return rows


#: Order of check states on the page: what fails first, what passes last.
_STATE_ORDER = {"fail": 0, "partial": 1, "not_evaluated": 2, "pass": 3}


def _check_states(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """The measured checks, failing ones first (what a CISO acts on), then by id."""
    checks = (detail or {}).get("checks") or {}
    if not isinstance(checks, dict):
        return []
    states = [(str(k), str(v)) for k, v in checks.items()]
    return sorted(states, key=lambda pair: (_STATE_ORDER.get(pair[1], 1), pair[0]))


def _evidence_rows(user: Any, item: RequirementAssessment) -> list[dict[str, Any]]:
    """Evidence with the linked object only when the user sees it (an ancestor's finding may be hidden)."""
    evidence = list(Evidence.objects.restrict(user, Action.VIEW).filter(item=item).select_related("added_by"))
    rows = []
    visible: dict[str, dict[int, Any]] = {}
    for field, model in _LINKED:
        ids = {getattr(e, f"{field}_id") for e in evidence if getattr(e, f"{field}_id")}
        visible[field] = (
            {obj.pk: obj for obj in model.objects.restrict(user, Action.VIEW).filter(pk__in=ids)} if ids else {}  # type: ignore[attr-defined]
        )
    for e in evidence:
        linked = None
        for field, _model in _LINKED:
            linked_id = getattr(e, f"{field}_id")
            if linked_id:
                linked = visible[field].get(linked_id)
        rows.append({"evidence": e, "linked": linked})
    return rows


def item_context(request: HttpRequest, item: RequirementAssessment, **forms: Any) -> dict[str, Any]:
    """Everything the requirement page shows; bound forms with errors replace the blank ones."""
    user = request.user
    can_change = RequirementAssessment.objects.restrict(user, Action.CHANGE).filter(pk=item.pk).exists()
    can_delete = Evidence.objects.restrict(user, Action.DELETE).filter(item=item).exists()
    requirement = item.requirement
    localise(requirement, requirement.section, item.assessment.framework)
    return {
        "item": item,
        "assessment": item.assessment,
        "requirement": requirement,
        "title": f"{requirement.ref} {requirement.title}",
        "runs": run_links(item.measure_detail),
        "checks": _check_states(item.measure_detail),
        "evidence_rows": _evidence_rows(user, item),
        "events": history(item),
        "can_change": can_change,
        "can_delete": can_delete,
        "status_form": forms.get("status_form") or (ItemStatusForm(item=item) if can_change else None),
        "upload_form": forms.get("upload_form") or (EvidenceUploadForm() if can_change else None),
        "link_form": forms.get("link_form") or (EvidenceLinkForm(item=item, user=user) if can_change else None),
    }


class _ItemView(TenantView):
    """Base: a requirement within an assessment the user sees."""

    model = RequirementAssessment
    select_related = ("assessment__node", "assessment__framework", "requirement__section", "owner")

    def page(self, item: RequirementAssessment, status: int = 200, **forms: Any) -> HttpResponse:
        """The requirement page, with a bound form's errors when one is given."""
        return render(
            self.request, "compliance/item_detail.html", item_context(self.request, item, **forms), status=status
        )


class ItemDetailView(_ItemView):
    """A requirement: its status, the engines' measure and its detail, evidence, history, forms."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page."""
        return self.page(self.get_object())


class ItemStatusView(_ItemView):
    """Set a requirement's status, reason, owner, due date, with a comment (POST only)."""

    form_class = ItemStatusForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate and record; the history gets an event."""
        from hygie.apps.compliance.services import set_status

        item = self.get_object(Action.CHANGE)
        form = ItemStatusForm(request.POST, item=item)
        if not form.is_valid():
            return self.page(item, status=400, status_form=form)
        data = form.cleaned_data
        try:
            event = set_status(
                item,
                request.user,
                status=data["status"],
                reason=data["reason"],
                owner=data["owner"],
                due_date=data["due_date"],
                comment=data["comment"],
            )
        except ValidationError as error:
            apply_errors(form, error)
            item.refresh_from_db()
            return self.page(item, status=400, status_form=form)
        messages.success(request, _("Saved.") if event else _("Nothing changed."))
        return redirect(item_url(item))


class ItemConfirmView(_ItemView):
    """Take the engines' measure as the requirement's status (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Confirm; a requirement without a measure says so."""
        from hygie.apps.compliance.services import confirm_measure

        item = self.get_object(Action.CHANGE)
        try:
            confirm_measure(item, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Measure confirmed: the status is now %(status)s.") % {"status": item.get_status_display()}
            )
        # The confirm buttons of the assessment page come back to it; the requirement page's to itself.
        if request.POST.get("next") == "assessment":
            return redirect(reverse("compliance:assessment_detail", args=[item.assessment_id]))
        return redirect(item_url(item))


class EvidenceUploadView(_ItemView):
    """Attach a file as evidence (POST only); a refused type or size says why and stores nothing."""

    form_class = EvidenceUploadForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check, store, record."""
        from hygie.apps.compliance.services import add_file_evidence

        item = self.get_object(Action.CHANGE)
        form = EvidenceUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(item, status=400, upload_form=form)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                add_file_evidence(item, request.user, data["file"], data["title"], data["note"])
        except ValidationError as error:
            apply_errors(form, error)
            return self.page(item, status=400, upload_form=form)
        messages.success(request, _("The file is attached."))
        return redirect(item_url(item))


class EvidenceLinkView(_ItemView):
    """Attach a link or a platform object (finding, audit, scan, exercise) as evidence (POST only)."""

    form_class = EvidenceLinkForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate (the service re-checks the object's branch), record."""
        from hygie.apps.compliance.services import add_link_evidence

        item = self.get_object(Action.CHANGE)
        form = EvidenceLinkForm(request.POST, item=item, user=request.user)
        if not form.is_valid():
            return self.page(item, status=400, link_form=form)
        data = form.cleaned_data
        try:
            add_link_evidence(
                item,
                request.user,
                title=data["title"],
                url=data["url"],
                finding=data["finding"],
                directory_audit=data["directory_audit"],
                exposure_scan=data["exposure_scan"],
                exercise=data["exercise"],
                note=data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self.page(item, status=400, link_form=form)
        messages.success(request, _("The link is attached."))
        return redirect(item_url(item))


class EvidenceDownloadView(TenantView):
    """A file evidence as an attachment; other evidence leads to what it links to."""

    model = Evidence
    select_related = ("item",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The file, never shown inline (an uploaded HTML or SVG must not run in our origin)."""
        from hygie.apps.compliance.evidence_files import EvidenceError, evidence_path

        evidence = self.get_object()
        if evidence.kind != EvidenceKind.FILE:
            for field, model in _LINKED:
                linked_id = getattr(evidence, f"{field}_id")
                # Only an object the user sees: the link must not reveal an id they cannot open anyway.
                if linked_id and model.objects.restrict(request.user, Action.VIEW).filter(pk=linked_id).exists():  # type: ignore[attr-defined]
                    return redirect(model(pk=linked_id).get_absolute_url())
            # An address typed by a user is shown on the requirement page, never redirected to (no open redirect).
            return redirect(item_url(evidence.item))
        try:
            path = evidence_path(evidence)
        except EvidenceError as exc:
            raise Http404 from exc
        if not path.is_file():
            raise Http404
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=evidence.file_name or "evidence",
            content_type=evidence.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class EvidenceDeleteView(TenantView):
    """Remove a piece of evidence (POST only; the delete right); the history keeps its title."""

    model = Evidence
    action = Action.DELETE
    select_related = ("item",)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Remove and go back to the requirement."""
        from hygie.apps.compliance.services import remove_evidence

        evidence = self.get_object(Action.DELETE)
        item = evidence.item
        remove_evidence(evidence, request.user)
        messages.success(request, _("The evidence is removed."))
        return redirect(item_url(item))
