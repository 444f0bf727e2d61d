"""Forms of compliance: open an assessment, import a framework, a requirement's status, evidence, remediation.

Every choice naming a tenant object (node, framework, owner, finding, audit, scan, exercise,
requirement) is built from ``restrict``: a value outside the user's scope is an invalid choice.
The services re-check what a form cannot see (a linked object's branch of the tree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.compliance.evidence_files import max_evidence_bytes
from hygie.apps.compliance.models import Framework, RequirementAssessment, Status
from hygie.apps.continuity.models import Exercise
from hygie.apps.directory.models import DirectoryAudit
from hygie.apps.exposure.models import ExposureScan
from hygie.apps.findings.models import Finding
from hygie.apps.organizations.models import Node

if TYPE_CHECKING:
    from hygie.apps.compliance.models import Assessment

__all__ = [
    "AssessmentOpenForm",
    "EvidenceLinkForm",
    "EvidenceUploadForm",
    "FrameworkImportForm",
    "ItemStatusForm",
    "RemediationForm",
    "owner_choices",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: Framework files are small; the catalogue refuses anything larger (see ``catalogue.MAX_UPLOAD_BYTES``).
_FRAMEWORK_MAX_BYTES = 5 * 1024 * 1024


def owner_choices(node: Node) -> Any:
    """Active users holding a role on ``node`` or above it: who may own one of its requirements."""
    return (
        User.objects.filter(is_active=True, roles__node__path__in=node.lineage_paths()).distinct().order_by("username")
    )


class _FrameworkChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A framework shown with its version and origin, so two versions of one file can be told apart."""

    def label_from_instance(self, obj: Any) -> str:
        """``CaRE domain 2 (2025.1)``, plus the importing node for imported ones."""
        return f"{obj.name} ({obj.version})" + (f" · {obj.node}" if obj.node_id else "")


class AssessmentOpenForm(forms.Form):
    """Open a node's assessment against a framework the user sees."""

    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Node"))
    framework = _FrameworkChoice(queryset=Framework.objects.none(), label=_("Framework"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD).order_by("path")  # type: ignore[attr-defined]
        self.fields["framework"].queryset = (  # type: ignore[attr-defined]
            Framework.objects.restrict(user, Action.VIEW).select_related("node").order_by("name", "-created")
        )


class FrameworkImportForm(forms.Form):
    """A framework file (our YAML format or a CISO Assistant library) imported by a node."""

    node = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Imported by"),
        help_text=_("The framework is visible to this node and below it."),
    )
    file = forms.FileField(
        label=_("Framework file"),
        help_text=_("A YAML file in Hygie's framework format, or a CISO Assistant library (YAML)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD).order_by("path")  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        """Within the framework size limit (the content is read by the catalogue)."""
        upload = self.cleaned_data["file"]
        if upload.size > _FRAMEWORK_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
                % {"size": upload.size, "limit": _FRAMEWORK_MAX_BYTES}
            )
        return upload


class ItemStatusForm(forms.Form):
    """A requirement's status, the reason when it does not apply, its owner, due date, and a comment."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the requirement is not applicable."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DATE)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, item: RequirementAssessment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"status": item.status, "reason": item.reason, "owner": item.owner_id, "due_date": item.due_date},
        )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(item.assessment.node)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Not applicable needs a reason (the service says so too; the form says it beside the field)."""
        data = super().clean() or {}
        if data.get("status") == Status.NOT_APPLICABLE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the requirement does not apply."))
        return data


class EvidenceUploadForm(forms.Form):
    """A file proving a requirement (policy, report, screenshot...), with a title."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image (PNG, JPEG), text, CSV, office document (docx, xlsx, odt, ods) or ZIP."),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False, help_text=_("Defaults to the file name."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_file(self) -> Any:
        """Within the evidence size limit (the type is checked by the evidence store, on the content)."""
        upload = self.cleaned_data["file"]
        limit = max_evidence_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
                % {"size": upload.size, "limit": limit}
            )
        return upload


class EvidenceLinkForm(forms.Form):
    """A link as evidence: an address (document management, intranet) or a platform object."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    url = forms.URLField(label=_("Address"), max_length=1000, required=False, assume_scheme="https")
    finding = forms.ModelChoiceField(label=_("Finding"), queryset=Finding.objects.none(), required=False)
    directory_audit = forms.ModelChoiceField(
        label=_("Directory audit"), queryset=DirectoryAudit.objects.none(), required=False
    )
    exposure_scan = forms.ModelChoiceField(
        label=_("Exposure scan"), queryset=ExposureScan.objects.none(), required=False
    )
    exercise = forms.ModelChoiceField(label=_("Exercise"), queryset=Exercise.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    #: The object fields, in the order of the form.
    OBJECT_FIELDS = ("finding", "directory_audit", "exposure_scan", "exercise")

    def __init__(self, *args: Any, item: RequirementAssessment, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only objects of the assessed node's branch (its ancestors and subtree) that the user sees.
        node = item.assessment.node
        branch = {"node__path__in": node.lineage_paths()}
        below = {"node__path__startswith": node.path}
        models = {
            "finding": Finding,
            "directory_audit": DirectoryAudit,
            "exposure_scan": ExposureScan,
            "exercise": Exercise,
        }
        for name, model in models.items():
            visible = model.objects.restrict(user, Action.VIEW)  # type: ignore[attr-defined]
            queryset = (visible.filter(**branch) | visible.filter(**below)).order_by("-pk")
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Exactly one of the address and the objects."""
        data = super().clean() or {}
        given = [name for name in ("url", *self.OBJECT_FIELDS) if data.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(
                _("Give exactly one of: an address, a finding, a directory audit, a scan, an exercise.")
            )
        return data


class RemediationForm(forms.Form):
    """Gaps to put in the findings register as a remediation plan, with an owner and a due date."""

    items = forms.ModelMultipleChoiceField(
        label=_("Requirements"), queryset=RequirementAssessment.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DATE)

    def __init__(self, *args: Any, assessment: Assessment, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owner_choices(assessment.node)  # type: ignore[attr-defined]
