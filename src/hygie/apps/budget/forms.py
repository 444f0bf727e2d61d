"""Forms of the budget app: amounts in French notation, budget years, projects with lines, applications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.budget.amounts import AmountError, format_amount, parse_amount
from hygie.apps.budget.editing import MAX_LINES, LineData
from hygie.apps.budget.models import (
    MILESTONE_ORDER,
    ApplicationMilestone,
    BudgetYear,
    FundingApplication,
    FundingProgramme,
    ItProject,
    MilestoneKind,
)
from hygie.apps.organizations.models import Node
from hygie.web.forms import TenantModelForm

__all__ = [
    "AmountField",
    "ApplicationForm",
    "BudgetYearForm",
    "ImportForm",
    "MilestoneForm",
    "ProjectForm",
    "parse_lines",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TRUE = {"yes", "oui", "cyber", "cybersecurity", "cybersécurité", "true", "1", "x", "y", "o"}
_FALSE = {"no", "non", "false", "0", ""}


class AmountField(forms.CharField):
    """Euros in French notation (``1 234 567,89``); every notation of ``parse_amount`` is accepted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1 234 567,89"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        """Show stored amounts in French notation."""
        if isinstance(value, Decimal):
            return format_amount(value, space=" ")
        return value

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        """The amount, or None when empty and not required."""
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except AmountError as error:
            raise ValidationError(str(error)) from error


def parse_lines(text: str) -> list[LineData]:
    """``label | amount | cyber`` per line (the third part: yes/no, cyber, x, or empty for no)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) not in {2, 3} or not parts[0]:
            raise ValidationError(_("line %(n)d: write “label | amount | cyber (yes/no)”.") % {"n": number})
        try:
            amount = parse_amount(parts[1])
        except AmountError as error:
            raise ValidationError(_("line %(n)d: %(error)s") % {"n": number, "error": error}) from None
        flag = parts[2].lower() if len(parts) == 3 else ""  # noqa: PLR2004 - three parts
        if flag not in _TRUE | _FALSE:
            raise ValidationError(_("line %(n)d: the third part is yes or no.") % {"n": number})
        if len(parts[0]) > 200:  # noqa: PLR2004 - the model's length
            raise ValidationError(_("line %(n)d: the label is longer than 200 characters.") % {"n": number})
        lines.append(LineData(parts[0], amount, flag in _TRUE))
    if len(lines) > MAX_LINES:
        raise ValidationError(_("A project holds at most %(max)d lines.") % {"max": MAX_LINES})
    return lines


def lines_text(project: ItProject) -> str:
    """The project's lines in the text form of :func:`parse_lines`."""
    return "\n".join(
        f"{line.label} | {format_amount(line.amount, space=' ')} | {'yes' if line.cybersecurity else 'no'}"
        for line in project.lines.all()
    )


class BudgetYearForm(forms.ModelForm):  # type: ignore[type-arg]
    """An establishment's IT budget for a year."""

    operating = AmountField(label=_("IT operating budget (EUR)"))
    investment = AmountField(label=_("IT investment budget (EUR)"))
    cyber_operating = AmountField(label=_("of which cybersecurity, operating (EUR)"), required=False)
    cyber_investment = AmountField(label=_("of which cybersecurity, investment (EUR)"), required=False)
    hospital_operating = AmountField(label=_("establishment's total operating budget (EUR)"), required=False)

    class Meta:
        model = BudgetYear
        fields: ClassVar[list[str]] = [
            "year", "operating", "investment", "cyber_operating", "cyber_investment", "hospital_operating", "notes",
        ]


class ProjectForm(TenantModelForm):
    """An IT project and its budget lines, one per line: ``label | amount | yes/no``."""

    lines_text = forms.CharField(
        label=_("Budget lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One line each: label | amount | cybersecurity (yes/no). Example: Firewall | 12 500,00 | yes"),
    )

    class Meta:
        model = ItProject
        fields: ClassVar[list[str]] = [
            "node", "year", "name", "description", "status", "state_funded", "funding_application",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["funding_application"].queryset = FundingApplication.objects.restrict(  # type: ignore[attr-defined]
            user, Action.VIEW
        ).select_related("programme")
        if self.instance.pk and not self.is_bound:
            self.initial["lines_text"] = lines_text(self.instance)

    def clean_lines_text(self) -> list[LineData]:
        """The parsed lines."""
        return parse_lines(self.cleaned_data.get("lines_text") or "")

    def clean(self) -> dict[str, Any]:
        """The application must belong to the project's establishment or one above it."""
        data = super().clean()
        node, application = data.get("node"), data.get("funding_application")
        if node is not None and application is not None and not node.path.startswith(application.node.path):
            self.add_error("funding_application", _("The application belongs to another establishment."))
        return data


class ApplicationForm(TenantModelForm):
    """A funding application and the planned dates of its milestones."""

    programme_key = forms.ChoiceField(label=_("Programme"))
    amount_requested = AmountField(label=_("Amount requested (EUR)"))

    class Meta:
        model = FundingApplication
        fields: ClassVar[list[str]] = ["node", "title", "reference", "amount_requested", "notes"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["programme_key"].choices = [
            (p.key, p.name) for p in FundingProgramme.objects.restrict(user, Action.VIEW)
        ]
        for kind in MILESTONE_ORDER:
            self.fields[f"planned_{kind}"] = forms.DateField(
                label=_("%(milestone)s planned on") % {"milestone": MilestoneKind(kind).label},
                required=False, widget=_DATE,
            )

    def planned(self) -> dict[str, Any]:
        """Planned date per milestone."""
        return {kind: self.cleaned_data.get(f"planned_{kind}") for kind in MILESTONE_ORDER}


class MilestoneForm(forms.ModelForm):  # type: ignore[type-arg]
    """Record a milestone: done on, amount (granted or paid), note, planned date."""

    amount = AmountField(label=_("Amount (EUR)"), required=False)

    class Meta:
        model = ApplicationMilestone
        fields: ClassVar[list[str]] = ["planned_on", "done_on", "amount", "note"]
        widgets: ClassVar[dict[str, Any]] = {"planned_on": _DATE, "done_on": _DATE, "note": forms.TextInput}


class ImportForm(forms.Form):
    """A CSV file of projects and lines for one establishment and year."""

    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Establishment"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD)  # type: ignore[attr-defined]
