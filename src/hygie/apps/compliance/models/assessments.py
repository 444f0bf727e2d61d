"""Assessments: one node against one framework, a status per requirement, its evidence and history.

The **status** is what a person decided. The **measure** is what the engines saw in their latest
runs (a directory audit, an exposure scan, the continuity model) for the checks the requirement
names; it is refreshed from those runs and shown beside the status until a person confirms it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet


class Status(models.TextChoices):
    """How far a requirement is met."""

    NOT_ASSESSED = "not_assessed", _("Not assessed")
    NOT_MET = "not_met", _("Not met")
    PARTIAL = "partial", _("Partially met")
    MET = "met", _("Met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Measure(models.TextChoices):
    """What the engines' latest runs say of a requirement's checks."""

    NONE = "", _("No measure")
    PASSING = "passing", _("Checks pass")
    MIXED = "mixed", _("Some checks fail")
    FAILING = "failing", _("Checks fail")


class AssessmentQuerySet(RestrictedQuerySet):
    """Assessments."""


class Assessment(AuditedModel):
    """A node's assessment against one stored framework version."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="compliance_assessments"
    )
    framework = models.ForeignKey(
        "compliance.Framework", verbose_name=_("framework"), on_delete=models.PROTECT, related_name="assessments"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    #: Maturity level aimed at, for frameworks with levels (ANSSI AD levels 1-5).
    target_level = models.PositiveSmallIntegerField(_("target level"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)
    #: When the measures were last refreshed from the engines' runs.
    measured_at = models.DateTimeField(_("measured"), null=True, blank=True)

    audit_exclude = ("created", "updated", "measured_at")

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "framework__key"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "framework"], name="unique_assessment_per_node_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} - {self.node}"


class RequirementAssessmentQuerySet(RestrictedQuerySet):
    """Statuses of requirements within assessments."""


class RequirementAssessment(AuditedModel):
    """One requirement within an assessment: status, owner, due date, comment, and the engines' measure."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE,
                                   related_name="items")
    requirement = models.ForeignKey(
        "compliance.FrameworkRequirement", verbose_name=_("requirement"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_ASSESSED)
    reason = models.TextField(_("reason"), blank=True,
                              help_text=_("Required when the requirement is not applicable."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices, default=Measure.NONE, blank=True)
    #: The runs and checks behind ``measure``: ``{"runs": [...], "checks": {check_id: "pass"|"fail"|...}}``.
    measure_detail = models.JSONField(_("measure detail"), default=dict, blank=True)
    measured_at = models.DateTimeField(_("measured"), null=True, blank=True)
    #: The measure a person last confirmed; a newer, different measure is flagged for review.
    confirmed_measure = models.CharField(_("confirmed measure"), max_length=16, blank=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    tenant_path_field = "assessment__node__path"
    # Measures change with every engine run: their history is in RequirementEvent, not the audit log.
    audit_exclude = ("updated", "measure", "measure_detail", "measured_at")

    objects = RequirementAssessmentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["assessment", "requirement__order"]
        verbose_name = _("requirement status")
        verbose_name_plural = _("requirement statuses")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["assessment", "requirement"], name="unique_requirement_per_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref} - {self.get_status_display()}"

    @property
    def needs_review(self) -> bool:
        """True when the engines measured something a person has not confirmed yet."""
        return bool(self.measure) and self.measure != self.confirmed_measure


class RequirementEvent(models.Model):
    """History of a requirement within an assessment: status changes, comments, evidence, new measures."""

    item = models.ForeignKey(RequirementAssessment, on_delete=models.CASCADE, related_name="events")
    timestamp = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    #: The actor's name when the event was written (the user may be deleted later); "" for the engines.
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    comment = models.TextField(blank=True)
    #: Other changes, ``{field: [before, after]}`` (owner, due date, measure, evidence added...).
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["timestamp", "id"]
        verbose_name = _("requirement event")
        verbose_name_plural = _("requirement events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.timestamp:%Y-%m-%d %H:%M}"


class EvidenceKind(models.TextChoices):
    """What a piece of evidence is."""

    FILE = "file", _("File")
    LINK = "link", _("Link")
    FINDING = "finding", _("Finding")
    DIRECTORY_AUDIT = "directory_audit", _("Directory audit")
    EXPOSURE_SCAN = "exposure_scan", _("Exposure scan")
    EXERCISE = "exercise", _("Exercise")


class EvidenceQuerySet(RestrictedQuerySet):
    """Evidence of requirements."""


class Evidence(AuditedModel):
    """A proof attached to a requirement: an uploaded file, a link, or a platform object.

    Files are stored under their SHA-256 in the private data directory and served only through
    a permission-checked view, as attachments.
    """

    item = models.ForeignKey(RequirementAssessment, verbose_name=_("requirement"), on_delete=models.CASCADE,
                             related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    # A file.
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # A link (document management, intranet...).
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    # A platform object: each must belong to the assessment's node or its subtree.
    finding = models.ForeignKey("findings.Finding", verbose_name=_("finding"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    directory_audit = models.ForeignKey("directory.DirectoryAudit", verbose_name=_("directory audit"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    exposure_scan = models.ForeignKey("exposure.ExposureScan", verbose_name=_("exposure scan"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    exercise = models.ForeignKey("continuity.Exercise", verbose_name=_("exercise"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added = models.DateTimeField(_("added"), default=timezone.now)

    tenant_path_field = "item__assessment__node__path"

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-added", "-id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title
