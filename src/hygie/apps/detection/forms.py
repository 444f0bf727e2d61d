"""Forms of log detection: log sources, log uploads, rule pack uploads, hunts, alert workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.detection.models import MANAGE_WATCHED_FOLDERS, AlertStatus, LogSource, RulePackVersion
from hygie.apps.detection.uploads import LOG_SUFFIXES, max_upload_bytes
from hygie.apps.organizations.models import Node
from hygie.web.forms import TenantModelForm

__all__ = ["AlertBulkForm", "AlertTransitionForm", "HuntForm", "LogSourceForm", "LogUploadForm", "PackUploadForm"]


class LogSourceForm(TenantModelForm):
    """A log source; the watched folder is for the node's administrators only."""

    class Meta:
        model = LogSource
        fields: ClassVar[list[str]] = ["node", "name", "kind", "host_names", "watched_folder", "enabled"]
        widgets: ClassVar[dict[str, Any]] = {"host_names": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        """Unique name per node; a watched folder set or changed only by an administrator of the node."""
        cleaned = super().clean() or {}
        node, name = cleaned.get("node"), cleaned.get("name")
        if node is not None and name:
            clash = LogSource.objects.filter(node=node, name=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("A log source with this name already exists on this node."))
        folder = (cleaned.get("watched_folder") or "").strip()
        before = self.initial.get("watched_folder", "") if self.instance.pk else ""
        if node is not None and folder != before and not user_can(self.user, MANAGE_WATCHED_FOLDERS, node.path):
            self.add_error("watched_folder", _("Only administrators of the node may set a watched folder."))
        return cleaned


class LogUploadForm(forms.Form):
    """A log file for a log source."""

    source = forms.ModelChoiceField(queryset=LogSource.objects.none(), label=_("Log source"))
    file = forms.FileField(label=_("Log file"), help_text=_("EVTX, JSON lines (.jsonl, .json) or a .zip of them."))
    hunt = forms.BooleanField(label=_("Hunt it now with the default rule pack"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LogSource.objects.restrict(user, Action.ADD).select_related("node")  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        """Known suffix and within the size limit (the content is checked when stored)."""
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in LOG_SUFFIXES:
            raise forms.ValidationError(_("Expected an .evtx, .jsonl, .json or .zip file."))
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
                % {"size": upload.size, "limit": max_upload_bytes()}
            )
        return upload


class PackUploadForm(forms.Form):
    """A zip of Sigma rules: a new pack (with a node) or a new version of an existing pack."""

    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Establishment or group"))
    name = forms.CharField(label=_("Pack name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("Sigma rules (.zip)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        """A .zip within the size limit."""
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".zip":
            raise forms.ValidationError(_("Expected a .zip of Sigma rules (.yml files)."))
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is too large (the limit is %(limit)d bytes).") % {"limit": max_upload_bytes()}
            )
        return upload


class HuntForm(forms.Form):
    """Hunt the files of a log source with a pack version."""

    version = forms.ModelChoiceField(queryset=RulePackVersion.objects.none(), label=_("Rule pack"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = RulePackVersion.objects.restrict(user, Action.VIEW).filter(active=True).select_related("pack")
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]


class AlertTransitionForm(forms.Form):
    """Move one alert in the workflow."""

    status = forms.ChoiceField(label=_("New status"), choices=AlertStatus.choices)
    incident_reference = forms.CharField(
        label=_("Incident reference"), max_length=200, required=False, help_text=_("Required to escalate.")
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AlertBulkForm(forms.Form):
    """Acknowledge or dismiss several alerts of the list at once."""

    alerts = forms.ModelMultipleChoiceField(queryset=None, label=_("Alerts"))  # type: ignore[arg-type]
    status = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (AlertStatus.ACKNOWLEDGED, _("Acknowledge")),
            (AlertStatus.FALSE_POSITIVE, _("Mark as false positive")),
        ],
    )
    comment = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alerts"].queryset = queryset  # type: ignore[attr-defined]
