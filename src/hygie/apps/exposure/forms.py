"""Forms of exposure audits: declare a perimeter (administrators), import an nmap or masscan file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.exposure.models import MANAGE_PERIMETERS, ExposurePerimeter
from hygie.apps.exposure.running import IMPORT_SUFFIXES
from hygie.apps.organizations.models import Node
from hygie.web.forms import TenantModelForm

__all__ = ["ImportForm", "PerimeterForm"]


class PerimeterForm(TenantModelForm):
    """A perimeter; the engine's own parser validates every entry, so the form says what the scan would refuse."""

    class Meta:
        model = ExposurePerimeter
        fields: ClassVar[list[str]] = [
            "node",
            "name",
            "entries",
            "exclusions",
            "dns_domains",
            "authorised_by",
            "valid_until",
            "ports",
            "rate",
            "host_concurrency",
            "host_connection_cap",
            "connect_timeout",
            "probe_timeout",
            "retries",
            "nameservers",
            "resolver_port",
            "interval_days",
            "enabled",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "entries": forms.Textarea(attrs={"rows": 5}),
            "exclusions": forms.Textarea(attrs={"rows": 3}),
            "dns_domains": forms.Textarea(attrs={"rows": 3}),
            "valid_until": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Declaring what may be scanned is for the node's administrators only.
        self.fields["node"].queryset = Node.objects.restrict(user, MANAGE_PERIMETERS)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """A name unique on its node (the model's clean does the rest)."""
        cleaned = super().clean() or {}
        node, name = cleaned.get("node"), cleaned.get("name")
        if node is not None and name:
            clash = ExposurePerimeter.objects.filter(node=node, name=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("A perimeter with this name already exists on this node."))
        return cleaned

    def save(self, commit: bool = True) -> ExposurePerimeter:
        """A schedule set (or changed) starts from now."""
        perimeter: ExposurePerimeter = super().save(commit=False)
        if "interval_days" in self.changed_data or (perimeter.interval_days and perimeter.next_run_at is None):
            perimeter.schedule_next(timezone.now())
        if commit:
            perimeter.save()
        return perimeter


class ImportForm(forms.Form):
    """An nmap XML or masscan JSON file for one node."""

    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Establishment or group"))
    file = forms.FileField(label=_("Scan file"), help_text=_("nmap XML (-oX) or masscan JSON (-oJ) output."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        """Known suffix and within the upload size limit."""
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("Expected an nmap .xml or a masscan .json file."))
        if upload.size > settings.HYGIE_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
                % {"size": upload.size, "limit": settings.HYGIE_MAX_UPLOAD_BYTES}
            )
        return upload
