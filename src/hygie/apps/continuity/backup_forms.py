"""Forms of a component's backups: its backup plan with the copies (an inline formset), and restore tests.

Kept apart from :mod:`hygie.apps.continuity.forms` so that each module stays short; the views in
:mod:`hygie.apps.continuity.views.backups` use them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.models import BackupCopy, BackupPlan, BackupSystem, Exercise, RestoreTest

__all__ = ["COPIES_PREFIX", "BackupCopyFormSet", "BackupPlanForm", "RestoreTestForm", "copy_formset"]

#: Prefix of the copies formset's fields (``copies-0-site``...).
COPIES_PREFIX = "copies"

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BackupPlanForm(forms.ModelForm):  # type: ignore[type-arg]
    """How a component is backed up: system (among those the user sees), method, frequency, retention."""

    class Meta:
        model = BackupPlan
        fields: ClassVar[list[str]] = ["system", "method", "frequency_h", "retention_days", "covered_by_contract"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = BackupSystem.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]


#: The copies of a plan, edited in rows; a row can be removed, empty extra rows are ignored.
BackupCopyFormSet = inlineformset_factory(
    BackupPlan,
    BackupCopy,
    fields=["site", "medium", "online", "immutable", "encrypted", "frequency_h"],
    extra=2,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


def copy_formset(plan: BackupPlan, data: Any = None) -> Any:
    """The copies formset of ``plan`` (an unsaved plan has none yet), bound to ``data`` when given."""
    return BackupCopyFormSet(data, instance=plan, prefix=COPIES_PREFIX)


class RestoreTestForm(forms.ModelForm):  # type: ignore[type-arg]
    """A restore test of a component: when (not in the future), result, duration, to production, exercise."""

    class Meta:
        model = RestoreTest
        fields: ClassVar[list[str]] = [
            "date",
            "success",
            "duration_h",
            "to_production",
            "functional_check_by",
            "exercise",
            "notes",
        ]
        widgets: ClassVar[dict[str, Any]] = {"date": _DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = Exercise.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]
        if not self.is_bound and self.initial.get("date") is None:
            self.initial["date"] = timezone.localdate()

    def clean_date(self) -> Any:
        """Not in the future: a test is recorded once it has been run."""
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A restore test cannot be dated in the future."))
        return date
