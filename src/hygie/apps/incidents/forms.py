"""Forms of the incidents web UI: open an incident, the crisis log, clocks, tasks, evidence, the crisis cell.

Times are typed on the Paris wall clock (``datetime-local``) and refused in the future; every object
choice is restricted to what the user may see, and the services re-check the handling node's subtree.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.detection.models import Alert
from hygie.apps.findings.models import ACTIVE_STATUSES, Finding, SeverityChoices
from hygie.apps.findings.workflow import eligible_owners
from hygie.apps.incidents.models import (
    FUTURE_TOLERANCE,
    CommunicationTemplate,
    CrisisCell,
    CrisisMember,
    Incident,
    IncidentKind,
    IncidentStatus,
    IncidentTask,
    Indicator,
    LogEntryKind,
    RegulatoryProfile,
    TaskKind,
)
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.organizations.models import Node, NodeKind

__all__ = [
    "CellForm",
    "DeclarationSentForm",
    "EvidenceForm",
    "IncidentOpenForm",
    "IndicatorForm",
    "LessonsForm",
    "LogEntryForm",
    "MemberForm",
    "ObligationDoneForm",
    "ProfileForm",
    "ShiftForm",
    "StatusForm",
    "TaskForm",
    "TemplateForm",
]


def local_time_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    """A time typed on the establishment's wall clock (the server's time zone, Europe/Paris)."""
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, required=required, widget=widget, help_text=help_text)


def refuse_future(value: Any) -> Any:
    """``value`` unless it is later than now (beyond the tolerated clock skew)."""
    if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
        raise forms.ValidationError(_("This time is in the future."), code="future")
    return value


class FutureCheckMixin:
    """Refuses every time field named in ``past_fields`` when it lies in the future."""

    past_fields: ClassVar[tuple[str, ...]] = ()

    def clean(self) -> dict[str, Any]:
        """Field checks, then no time in the future."""
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        for name in self.past_fields:
            try:
                refuse_future(data.get(name))
            except forms.ValidationError as error:
                self.add_error(name, error)  # type: ignore[attr-defined]
        return data


def _choices(model: Any, user: Any) -> Any:
    return model.objects.restrict(user, Action.VIEW)


class IncidentOpenForm(FutureCheckMixin, forms.Form):
    """Open an incident at a node the user may add to; what it touches is chosen among what the user sees."""

    past_fields = ("aware_at", "occurred_at")

    node = forms.ModelChoiceField(label=_("Handled by"), queryset=None,  # type: ignore[arg-type]
                                  help_text=_("The establishment, or its group when several are hit."))
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=IncidentKind.choices)
    severity = forms.TypedChoiceField(label=_("Severity"), choices=SeverityChoices.choices, coerce=int,
                                      initial=SeverityChoices.HIGH)
    aware_at = local_time_field(_("Aware since"), help_text=_("Paris time. Every regulatory clock starts here."))
    occurred_at = local_time_field(_("Started (estimated)"), required=False)
    significant = forms.BooleanField(label=_("Significant incident"), required=False, initial=True)
    personal_data_breach = forms.BooleanField(label=_("Personal-data breach"), required=False)
    high_risk_to_persons = forms.BooleanField(label=_("High risk to the persons concerned"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    establishments = forms.ModelMultipleChoiceField(label=_("Affected establishments"), queryset=None,  # type: ignore[arg-type]
                                                    required=False)
    sites = forms.ModelMultipleChoiceField(label=_("Affected sites"), queryset=None, required=False)  # type: ignore[arg-type]
    applications = forms.ModelMultipleChoiceField(label=_("Affected applications"), queryset=None,  # type: ignore[arg-type]
                                                  required=False)
    assets = forms.ModelMultipleChoiceField(label=_("Affected assets"), queryset=None, required=False)  # type: ignore[arg-type]
    activities = forms.ModelMultipleChoiceField(label=_("Affected care activities"), queryset=None,  # type: ignore[arg-type]
                                                required=False)
    alerts = forms.ModelMultipleChoiceField(label=_("Linked detections"), queryset=None, required=False)  # type: ignore[arg-type]
    findings = forms.ModelMultipleChoiceField(label=_("Linked findings"), queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        nodes = Node.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD).filter(  # type: ignore[attr-defined]
            kind__in=[NodeKind.ESTABLISHMENT, NodeKind.GROUP]).order_by("path")
        self.fields["establishments"].queryset = nodes.filter(kind=NodeKind.ESTABLISHMENT).order_by("path")  # type: ignore[attr-defined]
        self.fields["sites"].queryset = nodes.filter(kind=NodeKind.SITE).order_by("path")  # type: ignore[attr-defined]
        for name, model in (("applications", Application), ("assets", Asset), ("activities", CareActivity),
                            ("alerts", Alert)):
            self.fields[name].queryset = _choices(model, user)  # type: ignore[attr-defined]
        # Closed findings are history: offering them would make the list as long as the register.
        self.fields["findings"].queryset = _choices(Finding, user).filter(  # type: ignore[attr-defined]
            status__in=ACTIVE_STATUSES)


class LogEntryForm(FutureCheckMixin, forms.Form):
    """A new crisis-log entry; a correction names (hidden) the entry it corrects."""

    past_fields = ("occurred_at",)

    kind = forms.ChoiceField(label=_("Kind"), choices=LogEntryKind.choices, initial=LogEntryKind.DECISION)
    occurred_at = local_time_field(_("When"), required=False, help_text=_("Paris time; empty: now."))
    text = forms.CharField(label=_("Entry"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    author_name = forms.CharField(label=_("Said or done by"), max_length=150, required=False,
                                  help_text=_("Empty: you."))
    corrects = forms.ModelChoiceField(label=_("Corrects"), queryset=None, required=False,  # type: ignore[arg-type]
                                      widget=forms.HiddenInput)

    def __init__(self, *args: Any, incident: Incident, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from hygie.apps.incidents.models import LogEntry

        self.fields["corrects"].queryset = LogEntry.objects.restrict(user, Action.VIEW).filter(  # type: ignore[attr-defined]
            incident=incident)
        # A correction is made from the entry's "correct" action, which names the entry: not offered here.
        self.fields["kind"].widget.choices = [c for c in LogEntryKind.choices if c[0] != LogEntryKind.CORRECTION]

    def clean(self) -> dict[str, Any]:
        """A correction names the entry it corrects; an entry naming one is a correction."""
        data = super().clean()
        if data.get("corrects") is not None:
            data["kind"] = LogEntryKind.CORRECTION
        elif data.get("kind") == LogEntryKind.CORRECTION:
            self.add_error("kind", _('Use the "correct" action of the entry to correct it.'))
        return data


class ObligationDoneForm(FutureCheckMixin, forms.Form):
    """Mark an obligation done: when, the proof reference, and optionally a proof file."""

    past_fields = ("done_at",)

    obligation = forms.CharField(widget=forms.HiddenInput, max_length=40)
    done_at = local_time_field(_("Done at"), help_text=_("Paris time."))
    reference = forms.CharField(label=_("Proof"), max_length=300,
                                help_text=_("Receipt number, portal reference, complaint number, e-mail sent."))
    file = forms.FileField(label=_("Proof file"), required=False)

    def clean_file(self) -> Any:
        """Not over the size limit."""
        return check_upload_size(self.cleaned_data.get("file"))


class StatusForm(FutureCheckMixin, forms.Form):
    """Move the incident on: contained, recovering (and recovered), closed."""

    past_fields = ("at",)

    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    at = local_time_field(_("At"), required=False, help_text=_("Paris time; empty: now."))
    recovered = forms.BooleanField(label=_("Services recovered"), required=False)


class LessonsForm(forms.ModelForm):  # type: ignore[type-arg]
    """The lessons learned of an incident."""

    class Meta:
        model = Incident
        fields: ClassVar[list[str]] = ["lessons_learned"]
        widgets: ClassVar[dict[str, Any]] = {"lessons_learned": forms.Textarea(attrs={"rows": 6})}


class TaskForm(forms.ModelForm):  # type: ignore[type-arg]
    """A response task or post-incident action; owners are people holding a role on the incident's node."""

    class Meta:
        model = IncidentTask
        fields: ClassVar[list[str]] = ["kind", "title", "owner", "owner_name", "due"]

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = eligible_owners(incident)  # type: ignore[attr-defined]
        self.fields["due"] = local_time_field(_("Due"), required=False)
        self.fields["kind"].initial = TaskKind.RESPONSE


class IndicatorForm(forms.ModelForm):  # type: ignore[type-arg]
    """An indicator of compromise."""

    class Meta:
        model = Indicator
        fields: ClassVar[list[str]] = ["kind", "value", "note"]


def check_upload_size(upload: Any) -> Any:
    """Refuse a file over the platform's upload limit before anything is read into the store."""
    if upload is not None and upload.size > settings.HYGIE_MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is too large (%(size)d bytes; at most %(limit)d).")
            % {"size": upload.size, "limit": settings.HYGIE_MAX_UPLOAD_BYTES})
    return upload


class EvidenceForm(forms.Form):
    """An evidence file (ransom note, screenshot, log extract, proof of a declaration)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_file(self) -> Any:
        """Not over the size limit."""
        return check_upload_size(self.cleaned_data.get("file"))


class DeclarationSentForm(FutureCheckMixin, forms.Form):
    """When a declaration was sent, and the sending reference."""

    past_fields = ("sent_at",)

    sent_at = local_time_field(_("Sent at"), help_text=_("Paris time."))
    reference = forms.CharField(label=_("Sending reference"), max_length=300)


class CellForm(forms.ModelForm):  # type: ignore[type-arg]
    """How the crisis cell meets when the information system is down."""

    # Declared here to give the scheme: an intranet address typed without one is https.
    plan_blanc_url = forms.URLField(
        label=_("Plan blanc link"), max_length=500, required=False, assume_scheme="https",
        help_text=_("Where the establishment's plan blanc is kept (intranet, document base)."))

    class Meta:
        model = CrisisCell
        fields: ClassVar[list[str]] = ["plan_blanc_url", "plan_blanc_location", "meeting_place",
                                       "fallback_meeting_place", "conference_bridge", "notes", "kit_daily"]
        widgets: ClassVar[dict[str, Any]] = {"notes": forms.Textarea(attrs={"rows": 3})}


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """NIS2 status and cyber insurance; empty values are inherited from above."""

    class Meta:
        model = RegulatoryProfile
        fields: ClassVar[list[str]] = ["nis2_status", "insured", "insurer", "policy_number", "insurer_hotline",
                                       "insurer_notice_hours"]


class MemberForm(forms.ModelForm):  # type: ignore[type-arg]
    """A crisis-cell member or outside contact, reachable out of band."""

    class Meta:
        model = CrisisMember
        fields: ClassVar[list[str]] = ["role", "rank", "name", "position", "organisation", "mobile", "landline",
                                       "personal_email", "work_email"]


class ShiftForm(forms.Form):
    """A member on duty over a period."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=None)  # type: ignore[arg-type]
    starts_at = local_time_field(_("From"))
    ends_at = local_time_field(_("To"))

    def __init__(self, *args: Any, node: Node, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = CrisisMember.objects.restrict(user, Action.VIEW).filter(node=node)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """A shift ends after it starts."""
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A shift ends after it starts."))
        return data


class TemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    """A communication template; the body may name {establishment}, {date}, {time} and {reference}."""

    class Meta:
        model = CommunicationTemplate
        fields: ClassVar[list[str]] = ["audience", "title", "body"]
        widgets: ClassVar[dict[str, Any]] = {"body": forms.Textarea(attrs={"rows": 5})}

    def clean(self) -> dict[str, Any]:
        """One template per node, audience and title (the node is not a field: the database would refuse it)."""
        data = super().clean() or {}
        same = CommunicationTemplate.objects.filter(node_id=self.instance.node_id, audience=data.get("audience"),
                                                    title=data.get("title")).exclude(pk=self.instance.pk)
        if same.exists():
            self.add_error("title", _("This node already has a template with this audience and title."))
        return data
