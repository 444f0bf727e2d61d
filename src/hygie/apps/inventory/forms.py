"""Forms of the inventory: the owner node and every link are restricted to what the user may use.

A link (application → assets, application → applications, care activity → applications) may only
name objects the user can see AND that belong to the same group as the owner node (see
``linking``). Links to objects the user cannot see are kept untouched when the form is saved.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from hygie.apps.inventory.csvcolumns import ValueProblemError, parse_value
from hygie.apps.inventory.linking import link_scope_paths, linkable
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.web.forms import TenantModelForm

__all__ = ["ApplicationForm", "AssetForm", "CareActivityForm", "ImportForm"]


class LinkedModelForm(TenantModelForm):
    """A tenant form whose many-to-many ``links`` only offer objects of the owner node's group."""

    links: ClassVar[dict[str, type[Model]]] = {}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        node = self.instance.node if self.instance.pk else None
        self._hidden: dict[str, list[Any]] = {}
        for name, model in self.links.items():
            choices = linkable(model, user, node)
            if self.instance.pk and model is type(self.instance):
                choices = choices.exclude(pk=self.instance.pk)
            self.fields[name].queryset = choices
            if self.instance.pk:
                # Links the user cannot see survive the save: they are someone else's knowledge.
                self._hidden[name] = list(getattr(self.instance, name).exclude(pk__in=choices.values("pk")))

    def clean(self) -> dict[str, Any]:
        """Every linked object must lie in the owner node's group."""
        cleaned = super().clean()
        node = cleaned.get("node")
        if node is None:
            return cleaned
        scope = link_scope_paths([node])[node.pk]
        for name in self.links:
            outside = [str(obj) for obj in cleaned.get(name) or [] if not obj.node.path.startswith(scope)]
            if outside:
                self.add_error(name, _("Not in the owner node's group: %(names)s.") % {"names": ", ".join(outside)})
        return cleaned

    def _save_m2m(self) -> None:
        super()._save_m2m()  # type: ignore[misc]
        for name, hidden in self._hidden.items():
            if hidden:
                getattr(self.instance, name).add(*hidden)


class AssetForm(TenantModelForm):
    """Create or change an asset; IP addresses are typed as a list separated by commas or spaces."""

    ip_addresses = forms.CharField(label=_("IP addresses"), required=False,
                                   help_text=_("IPv4 or IPv6 addresses separated by commas or spaces."))

    class Meta:
        model = Asset
        fields: ClassVar[list[str]] = [
            "node", "name", "kind", "vendor", "product", "version", "cpe", "ip_addresses", "owner", "criticality",
            "hosting", "serial_number", "description",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["ip_addresses"] = ", ".join(self.instance.ip_addresses)

    def clean_ip_addresses(self) -> list[str]:
        """A list of valid addresses."""
        try:
            return parse_value(Asset, "ip_addresses", self.cleaned_data.get("ip_addresses") or "")
        except ValueProblemError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ApplicationForm(LinkedModelForm):
    """Create or change an application, the assets it runs on and what it depends on."""

    links: ClassVar[dict[str, type[Model]]] = {"assets": Asset, "depends_on": Application}

    class Meta:
        model = Application
        fields: ClassVar[list[str]] = [
            "node", "name", "category", "vendor", "version", "criticality", "hosting", "owner", "assets",
            "depends_on", "description",
        ]


class CareActivityForm(LinkedModelForm):
    """Create or change a care activity and the applications it needs."""

    links: ClassVar[dict[str, type[Model]]] = {"applications": Application}

    class Meta:
        model = CareActivity
        fields: ClassVar[list[str]] = ["node", "name", "patient_impact", "max_downtime_hours", "applications",
                                       "description"]


class ImportForm(forms.Form):
    """Upload of a CSV file, checked only (dry run) or applied."""

    file = forms.FileField(label=_("CSV file"))
    dry_run = forms.BooleanField(label=_("Dry run: check only, change nothing"), required=False, initial=True)
