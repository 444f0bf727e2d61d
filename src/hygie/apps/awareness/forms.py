"""Forms of the awareness app: staff census, targets, the two imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.awareness.models import AwarenessTarget, StaffCategory
from hygie.apps.organizations.models import Node

__all__ = ["GophishImportForm", "StaffForm", "TargetForm", "TrainingImportForm"]

#: Suffixes a CSV import accepts (spreadsheets also save ``.txt``).
CSV_SUFFIXES = frozenset({".csv", ".txt"})


class StaffForm(forms.Form):
    """The headcount of each category as of a date; an empty field keeps the category's previous census."""

    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in StaffCategory:
            self.fields[category.value] = forms.IntegerField(
                label=category.label, required=False, min_value=0, max_value=1_000_000
            )

    def clean_as_of(self) -> Any:
        """A census cannot be dated in the future."""
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError(_("A census cannot be dated in the future."))
        return as_of

    def clean(self) -> dict[str, Any]:
        """At least one headcount."""
        data = super().clean() or {}
        if not any(data.get(c.value) is not None for c in StaffCategory):
            raise forms.ValidationError(_("Give the headcount of at least one category."))
        return data

    def headcounts(self) -> dict[str, int]:
        """Headcount per category given in the form."""
        data = self.cleaned_data
        return {c.value: data[c.value] for c in StaffCategory if data.get(c.value) is not None}


class TargetForm(forms.ModelForm):  # type: ignore[type-arg]
    """A node's targets; empty values are inherited from above."""

    class Meta:
        model = AwarenessTarget
        fields: ClassVar[list[str]] = ["coverage_target_pct", "click_ceiling_pct"]


def _checked_csv(upload: Any) -> Any:
    if Path(upload.name or "").suffix.lower() not in CSV_SUFFIXES:
        raise forms.ValidationError(_("Expected a .csv file."))
    if upload.size > settings.HYGIE_MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
            % {"size": upload.size, "limit": settings.HYGIE_MAX_UPLOAD_BYTES}
        )
    return upload


class TrainingImportForm(forms.Form):
    """A training-completions CSV for a node (establishment or group)."""

    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Establishment or group"))
    file = forms.FileField(
        label=_("Completions (CSV)"),
        help_text=_("Columns: email, first_name, last_name, category, establishment, session, completed_on "
                    "(first_name, last_name and session_kind optional; names are not stored)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        """A CSV within the upload size limit."""
        return _checked_csv(self.cleaned_data["file"])


class GophishImportForm(TrainingImportForm):
    """A GoPhish CSV results export, stored as a new campaign of a node."""

    name = forms.CharField(label=_("Campaign name"), max_length=200)

    field_order: ClassVar[list[str]] = ["node", "name", "file"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["file"].label = _("GoPhish results (CSV export)")
        self.fields["file"].help_text = _(
            "The campaign's CSV export: id, status, ip, latitude, longitude, send_date, reported, modified_date, "
            "email, first_name, last_name, position (an optional category column wins over position)."
        )
