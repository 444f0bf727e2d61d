"""Forms of the findings register: the workflow change and the manual finding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.models import Finding, FindingStatus, SeverityChoices
from hygie.apps.findings.workflow import TRANSITIONS, eligible_owners
from hygie.apps.organizations.models import Node

_DATE = forms.DateInput(attrs={"type": "date"})


class StatusChangeForm(forms.Form):
    """Status, owner, due date and a comment; the workflow service re-checks everything."""

    status = forms.ChoiceField(label=_("Status"))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)  # type: ignore[arg-type]
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DATE)
    justification = forms.CharField(label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("Needed to accept a risk or mark a false positive."))
    acceptance_expires = forms.DateField(label=_("Acceptance expires"), required=False, widget=_DATE)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, finding: Finding, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "status": finding.status, "owner": finding.owner_id, "due_date": finding.due_date,
            "justification": finding.justification, "acceptance_expires": finding.acceptance_expires,
        })
        super().__init__(*args, **kwargs)
        allowed = {finding.status, *TRANSITIONS.get(finding.status, ())}
        self.fields["status"].choices = [(v, label) for v, label in FindingStatus.choices if v in allowed]  # type: ignore[attr-defined]
        self.fields["owner"].queryset = eligible_owners(finding)  # type: ignore[attr-defined]


class ManualFindingForm(forms.Form):
    """A finding recorded by hand on a node the user may add to."""

    node = forms.ModelChoiceField(label=_("Organisation node"), queryset=None)  # type: ignore[arg-type]
    slug = forms.SlugField(label=_("Check name"), max_length=100,
                           help_text=_("Lower-case with underscores; the check id becomes manual.<name>."))
    title = forms.CharField(label=_("Title"), max_length=300)
    severity = forms.ChoiceField(label=_("Severity"),
                                 choices=[(c.name.lower(), c.label) for c in reversed(SeverityChoices)])
    affected = forms.CharField(label=_("Affected object"), max_length=200, required=False)
    asset = forms.ModelChoiceField(label=_("Asset"), queryset=None, required=False)  # type: ignore[arg-type]
    remediation = forms.CharField(label=_("Remediation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from hygie.apps.inventory.models import Asset

        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD)  # type: ignore[attr-defined]
        self.fields["asset"].queryset = Asset.objects.restrict(user, Action.VIEW).select_related("node")  # type: ignore[attr-defined]
