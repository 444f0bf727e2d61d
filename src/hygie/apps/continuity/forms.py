"""Forms of continuity: components, teams, backup systems, the BIA grid, degraded modes, scenarios, exercises."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.models import (
    ActivityKind,
    BackupSystem,
    BusinessImpact,
    Component,
    ContinuityProgramme,
    DegradedMode,
    Exercise,
    RecoveryScenario,
    RecoveryTeam,
)
from hygie.apps.findings.models import SeverityChoices
from hygie.apps.inventory.models import Application, CareActivity
from hygie.apps.organizations.models import Node
from hygie.engines.continuity.bia import AXES, DATA_LOSS_HORIZONS_H, HORIZONS_H, LEVELS, BiaError, grid_from_dict
from hygie.web.forms import TenantModelForm

__all__ = [
    "AXIS_LABELS",
    "BackupSystemForm",
    "BiaForm",
    "ComponentForm",
    "DegradedModeForm",
    "ExerciseActionForm",
    "ExerciseForm",
    "ExerciseRecordForm",
    "ProgrammeForm",
    "RecoveryTeamForm",
    "ScenarioForm",
    "SimulateForm",
    "horizon_label",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: Labels of the BIA axes, in the engine's order.
AXIS_LABELS: dict[str, Any] = {
    "patient_safety": _("Patient safety"),
    "care_continuity": _("Continuity of care"),
    "legal": _("Legal and regulatory"),
    "finance": _("Finance"),
    "image": _("Image"),
}
_LEVEL_LABELS = [_("0 none"), _("1 minor"), _("2 significant"), _("3 serious"), _("4 critical")]
_LEVEL_CHOICES = [(str(i), label) for i, label in enumerate(_LEVEL_LABELS)]
assert len(_LEVEL_CHOICES) == len(LEVELS)  # noqa: S101 - the engine's scale and the labels must agree


def horizon_label(hours: float) -> str:
    """1 h, 4 h, 24 h, 72 h, 1 week, 1 month."""
    if hours == 168.0:  # noqa: PLR2004 - one week
        return str(_("1 week"))
    if hours == 720.0:  # noqa: PLR2004 - one month
        return str(_("1 month"))
    return f"{hours:g} h"


def _unique_name(form: forms.ModelForm, model: Any, node: Any, name: str | None) -> None:  # type: ignore[type-arg]
    if node is not None and name and model.objects.filter(node=node, name=name).exclude(pk=form.instance.pk).exists():
        form.add_error("name", _("This name is already used on this node."))


class RecoveryTeamForm(TenantModelForm):
    """A recovery team and how many restores it runs at once."""

    class Meta:
        model = RecoveryTeam
        fields: ClassVar[list[str]] = ["node", "name", "capacity", "members"]
        widgets: ClassVar[dict[str, Any]] = {"members": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        """Unique name per node."""
        cleaned = super().clean() or {}
        _unique_name(self, RecoveryTeam, cleaned.get("node"), cleaned.get("name"))
        return cleaned


class ComponentForm(TenantModelForm):
    """A recovery component; its team, application and dependencies among those the user sees."""

    class Meta:
        model = Component
        fields: ClassVar[list[str]] = [
            "node",
            "name",
            "kind",
            "category",
            "application",
            "site",
            "platform",
            "team",
            "depends_on",
            "critical",
            "restore_h",
            "data_gb",
            "throughput_gb_h",
            "setup_h",
            "rebuild_h",
            "spread",
            "runbook",
        ]
        widgets: ClassVar[dict[str, Any]] = {"runbook": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        fields: Any = self.fields
        fields["application"].queryset = Application.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]
        fields["team"].queryset = RecoveryTeam.objects.restrict(user, Action.VIEW)
        depends = Component.objects.restrict(user, Action.VIEW)
        fields["depends_on"].queryset = depends.exclude(pk=self.instance.pk) if self.instance.pk else depends

    def clean(self) -> dict[str, Any]:
        """Unique name per node."""
        cleaned = super().clean() or {}
        _unique_name(self, Component, cleaned.get("node"), cleaned.get("name"))
        return cleaned


class BackupSystemForm(TenantModelForm):
    """A backup system: console authentication, MFA, isolation, supervision."""

    class Meta:
        model = BackupSystem
        fields: ClassVar[list[str]] = [
            "node",
            "name",
            "product",
            "authentication",
            "mfa",
            "isolation",
            "supervised",
            "central_alerts",
            "failure_procedure",
        ]
        widgets: ClassVar[dict[str, Any]] = {"failure_procedure": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        """Unique name per node."""
        cleaned = super().clean() or {}
        _unique_name(self, BackupSystem, cleaned.get("node"), cleaned.get("name"))
        return cleaned


class BiaForm(forms.Form):
    """The BIA grid of one activity: a level per axis and horizon, the data-loss row, explicit targets."""

    kind = forms.ChoiceField(label=_("Scope"), choices=ActivityKind.choices)
    rto_h = forms.FloatField(label=_("RTO override (hours)"), required=False, min_value=0)
    rpo_h = forms.FloatField(label=_("RPO override (hours)"), required=False, min_value=0)
    mtpd_h = forms.FloatField(label=_("MTPD override (hours)"), required=False, min_value=0)
    min_service_pct = forms.FloatField(
        label=_("Minimum service override (%)"), required=False, min_value=0, max_value=100
    )
    assessed_on = forms.DateField(label=_("Assessed on"), required=False, widget=_DATE)
    assessed_by = forms.CharField(label=_("Assessed by"), required=False, max_length=150)

    def __init__(self, *args: Any, impact: BusinessImpact | None = None, **kwargs: Any) -> None:
        grid = impact.grid if impact is not None else {}
        initial: dict[str, Any] = {}
        if impact is not None:
            initial = {
                "kind": impact.kind,
                "rto_h": impact.rto_h,
                "rpo_h": impact.rpo_h,
                "mtpd_h": impact.mtpd_h,
                "min_service_pct": impact.min_service_pct,
                "assessed_on": impact.assessed_on,
                "assessed_by": impact.assessed_by,
            }
        impacts = (grid or {}).get("impacts") or {}
        for axis in AXES:
            levels = impacts.get(axis) or [0] * len(HORIZONS_H)
            for index in range(len(HORIZONS_H)):
                initial[f"{axis}_{index}"] = str(levels[index]) if index < len(levels) else "0"
        losses = (grid or {}).get("data_loss") or [0] * len(DATA_LOSS_HORIZONS_H)
        for index in range(len(DATA_LOSS_HORIZONS_H)):
            initial[f"data_loss_{index}"] = str(losses[index]) if index < len(losses) else "0"
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for axis in AXES:
            for index, hours in enumerate(HORIZONS_H):
                self.fields[f"{axis}_{index}"] = forms.TypedChoiceField(
                    label=f"{AXIS_LABELS[axis]} {horizon_label(hours)}", choices=_LEVEL_CHOICES, coerce=int
                )
        for index, hours in enumerate(DATA_LOSS_HORIZONS_H):
            self.fields[f"data_loss_{index}"] = forms.TypedChoiceField(
                label=f"{_('Data loss')} {horizon_label(hours)}", choices=_LEVEL_CHOICES, coerce=int
            )

    def rows(self) -> list[dict[str, Any]]:
        """The grid as rows of bound fields, for the template."""
        rows = [
            {"label": AXIS_LABELS[axis], "fields": [self[f"{axis}_{i}"] for i in range(len(HORIZONS_H))]}
            for axis in AXES
        ]
        rows.append(
            {"label": _("Data loss"), "fields": [self[f"data_loss_{i}"] for i in range(len(DATA_LOSS_HORIZONS_H))]}
        )
        return rows

    def grid(self) -> dict[str, Any]:
        """The cleaned grid in the stored shape."""
        data = self.cleaned_data
        return {
            "impacts": {axis: [data[f"{axis}_{i}"] for i in range(len(HORIZONS_H))] for axis in AXES},
            "data_loss": [data[f"data_loss_{i}"] for i in range(len(DATA_LOSS_HORIZONS_H))],
        }

    def clean(self) -> dict[str, Any]:
        """The engine must accept the grid (levels never decrease with time); the error names the axis."""
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                grid_from_dict(self.grid())
            except BiaError as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned

    def save(self, activity: CareActivity) -> BusinessImpact:
        """Create or update the activity's BIA."""
        data = self.cleaned_data
        impact, _created = BusinessImpact.objects.get_or_create(activity=activity, defaults={"grid": self.grid()})
        impact.grid = self.grid()
        for name in ("kind", "rto_h", "rpo_h", "mtpd_h", "min_service_pct", "assessed_on", "assessed_by"):
            setattr(impact, name, data[name])
        impact.full_clean()
        impact.save()
        return impact


class DegradedModeForm(forms.ModelForm):  # type: ignore[type-arg]
    """A degraded-mode procedure of an activity (the activity comes from the URL)."""

    class Meta:
        model = DegradedMode
        fields: ClassVar[list[str]] = ["name", "procedure", "hold_h", "owner", "last_tested"]
        widgets: ClassVar[dict[str, Any]] = {"procedure": forms.Textarea(attrs={"rows": 4}), "last_tested": _DATE}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ScenarioForm(TenantModelForm):
    """A scenario: what is lost (one selector a line), outages (``selector = hours`` a line)."""

    lost_text = forms.CharField(
        label=_("Lost"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line: a component name, a kind (application, infrastructure), or category:, site:, "
            "platform: selectors."
        ),
    )
    outages_text = forms.CharField(
        label=_("Outages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: component or selector = hours of outage (it comes back by itself)."),
    )

    class Meta:
        model = RecoveryScenario
        fields: ClassVar[list[str]] = ["node", "name", "description", "online_backups_destroyed"]
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            self.fields["lost_text"].initial = "\n".join(self.instance.lost or [])
            self.fields["outages_text"].initial = "\n".join(
                f"{key} = {hours:g}" for key, hours in (self.instance.outages or {}).items()
            )

    def clean_outages_text(self) -> dict[str, float]:
        """``selector = hours`` lines; the line number is named on error."""
        outages: dict[str, float] = {}
        for number, line in enumerate(_lines(self.cleaned_data.get("outages_text") or ""), start=1):
            key, sep, value = line.rpartition("=")
            try:
                hours = float(value)
            except ValueError:
                hours = -1.0
            if not sep or not key.strip() or hours < 0:
                raise forms.ValidationError(
                    _("Line %(number)d: expected “component or selector = hours”, hours zero or more.")
                    % {"number": number}
                )
            outages[key.strip()] = hours
        return outages

    def clean(self) -> dict[str, Any]:
        """Unique name per node; something must be lost or out."""
        cleaned = super().clean() or {}
        _unique_name(self, RecoveryScenario, cleaned.get("node"), cleaned.get("name"))
        if not _lines(cleaned.get("lost_text") or "") and not cleaned.get("outages_text") and not self.errors:
            self.add_error("lost_text", _("Name at least one component lost or out."))
        return cleaned

    def save(self, commit: bool = True) -> RecoveryScenario:
        """Store the selectors and outages parsed from the text fields."""
        scenario: RecoveryScenario = super().save(commit=False)
        scenario.lost = _lines(self.cleaned_data.get("lost_text") or "")
        scenario.outages = self.cleaned_data.get("outages_text") or {}
        if commit:
            scenario.save()
        return scenario


class SimulateForm(forms.Form):
    """Monte Carlo runs and seed of a simulation."""

    runs = forms.IntegerField(label=_("Monte Carlo runs"), min_value=1, max_value=100_000, initial=2000)
    seed = forms.IntegerField(label=_("Seed"), min_value=0, initial=0)


class ExerciseForm(TenantModelForm):
    """An exercise: kind, scenario, planned date, establishments and activities covered."""

    class Meta:
        model = Exercise
        fields: ClassVar[list[str]] = ["node", "kind", "title", "scenario", "planned_on", "entities", "activities"]
        widgets: ClassVar[dict[str, Any]] = {"scenario": forms.Textarea(attrs={"rows": 3}), "planned_on": _DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        fields: Any = self.fields
        fields["entities"].queryset = Node.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]
        fields["activities"].queryset = CareActivity.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]


def _timings(text: str) -> list[dict[str, Any]]:
    """``step | planned hours | measured hours`` lines (hours may be left empty)."""
    timings = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [part.strip() for part in line.split("|")]
        step = parts[0]
        hours: list[float | None] = []
        for raw in [*parts, "", ""][1:3]:
            try:
                value = float(raw) if raw else None
            except ValueError:
                value = -1.0
            if value is not None and value < 0:
                raise forms.ValidationError(
                    _("Line %(number)d: hours must be numbers, zero or more.") % {"number": number}
                )
            hours.append(value)
        if not step or len(parts) > 3:  # noqa: PLR2004 - step, planned, measured
            raise forms.ValidationError(
                _("Line %(number)d: expected “step | planned hours | measured hours”.") % {"number": number}
            )
        timings.append({"step": step, "planned_h": hours[0], "measured_h": hours[1]})
    return timings


class ExerciseRecordForm(forms.ModelForm):  # type: ignore[type-arg]
    """Record an exercise as held: date, participants, timed steps, lessons."""

    timings_text = forms.CharField(
        label=_("Timings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One step a line: step | planned hours | measured hours."),
    )

    class Meta:
        model = Exercise
        fields: ClassVar[list[str]] = ["held_on", "participants", "lessons"]
        widgets: ClassVar[dict[str, Any]] = {
            "held_on": _DATE,
            "participants": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].required = True
        self.fields["timings_text"].initial = "\n".join(
            " | ".join([t["step"], *("" if t.get(k) is None else f"{t[k]:g}" for k in ("planned_h", "measured_h"))])
            for t in (self.instance.timings or [])
        )

    def clean_timings_text(self) -> list[dict[str, Any]]:
        """Parsed timed steps."""
        return _timings(self.cleaned_data.get("timings_text") or "")

    def clean_held_on(self) -> dt.date:
        """Not in the future."""
        held: dt.date = self.cleaned_data["held_on"]
        if held > dt.date.today() + dt.timedelta(days=1):  # noqa: DTZ011 - a calendar date, one day of slack for zones
            raise forms.ValidationError(_("An exercise cannot be held in the future."))
        return held

    def save(self, commit: bool = True) -> Exercise:
        """Mark it held with its timings."""
        from hygie.apps.continuity.models import ExerciseStatus

        exercise: Exercise = super().save(commit=False)
        exercise.timings = self.cleaned_data["timings_text"]
        exercise.status = ExerciseStatus.HELD
        if commit:
            exercise.save()
        return exercise


class ExerciseActionForm(forms.Form):
    """An action decided after an exercise: it becomes a finding with an owner and a due date."""

    title = forms.CharField(label=_("Action"), max_length=200)
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=SeverityChoices.choices, coerce=int, initial=SeverityChoices.MEDIUM
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DATE)
    remediation = forms.CharField(label=_("What to do"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, exercise: Exercise | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = User.objects.none()
        if exercise is not None:
            # Owners hold a role on the exercise's node or above it, like finding owners.
            paths = [exercise.node.path[: i + 1] for i, char in enumerate(exercise.node.path) if char == "."]
            owners = User.objects.filter(is_active=True, roles__node__path__in=paths).distinct().order_by("username")
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ProgrammeForm(forms.ModelForm):  # type: ignore[type-arg]
    """Governance facts of a node's continuity programme."""

    class Meta:
        model = ContinuityProgramme
        exclude: ClassVar[list[str]] = ["node", "updated"]
        widgets: ClassVar[dict[str, Any]] = {
            "security_policy_signed_on": _DATE,
            "security_policy_reviewed_on": _DATE,
            "backup_policy_validated_on": _DATE,
            "organisation": forms.Textarea(attrs={"rows": 3}),
            "governance": forms.Textarea(attrs={"rows": 3}),
            "crisis_procedures": forms.Textarea(attrs={"rows": 3}),
        }
