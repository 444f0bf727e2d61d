"""The findings register: one table for every engine, with status history."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.engines._core import Severity


class SeverityChoices(models.IntegerChoices):
    """Severity as stored: the engine ``Severity`` values with translated labels."""

    INFO = Severity.INFO.value, _("Info")
    LOW = Severity.LOW.value, _("Low")
    MEDIUM = Severity.MEDIUM.value, _("Medium")
    HIGH = Severity.HIGH.value, _("High")
    CRITICAL = Severity.CRITICAL.value, _("Critical")


class FindingStatus(models.TextChoices):
    """Where a finding stands."""

    OPEN = "open", _("Open")
    IN_REMEDIATION = "in_remediation", _("In remediation")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted")
    FIXED = "fixed", _("Fixed")
    FALSE_POSITIVE = "false_positive", _("False positive")


#: Statuses that still need work; the others close the finding.
ACTIVE_STATUSES = frozenset({FindingStatus.OPEN, FindingStatus.IN_REMEDIATION})


class FindingQuerySet(RestrictedQuerySet):
    """Findings."""

    def active(self) -> FindingQuerySet:
        """Findings still needing work (open or in remediation)."""
        return self.filter(status__in=ACTIVE_STATUSES)


class Finding(AuditedModel):
    """A weakness found by an engine (or recorded by hand), owned by a node."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT,
                             related_name="findings")
    source = models.CharField(_("source"), max_length=32, db_index=True,
                              help_text=_("Engine that found it (directory, exposure...) or 'manual'."))
    check_id = models.CharField(_("check"), max_length=120)
    fingerprint = models.CharField(max_length=64, editable=False)
    title = models.CharField(_("title"), max_length=300)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=SeverityChoices.choices)
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    asset = models.ForeignKey("inventory.Asset", verbose_name=_("asset"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="findings")
    affected = models.JSONField(_("affected objects"), default=list, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    remediation = models.TextField(_("remediation"), blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_findings")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True,
                                     help_text=_("Why the risk is accepted or the finding is a false positive."))
    acceptance_expires = models.DateField(_("acceptance expires"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-severity", "-first_seen", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "check_id", "fingerprint"], name="unique_finding_per_node"),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["node", "status", "severity"], name="finding_node_status_sev"),
            models.Index(fields=["status", "-severity", "-first_seen"], name="finding_list_order"),
            models.Index(fields=["first_seen"], name="finding_first_seen"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("findings:finding_detail", args=[self.pk])

    @property
    def severity_name(self) -> str:
        """``critical``, ``high``... as in the engine contract and the API."""
        return Severity(self.severity).name.lower()

    @property
    def is_active(self) -> bool:
        """Still needs work."""
        return self.status in ACTIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Still needs work and its due date has passed."""
        return self.is_active and self.due_date is not None and self.due_date < timezone.localdate()

    def clean(self) -> None:
        """Accepting a risk needs a justification and an expiry; a false positive needs a reason."""
        super().clean()
        errors: dict[str, Any] = {}
        if self.status == FindingStatus.RISK_ACCEPTED:
            if not self.justification.strip():
                errors["justification"] = _("Accepting a risk needs a justification.")
            if self.acceptance_expires is None:
                errors["acceptance_expires"] = _("Accepting a risk needs an expiry date.")
            elif self.acceptance_expires <= timezone.localdate():
                errors["acceptance_expires"] = _("The expiry date must be in the future.")
        if self.status == FindingStatus.FALSE_POSITIVE and not self.justification.strip():
            errors["justification"] = _("Say why this is a false positive.")
        if errors:
            raise ValidationError(errors)


class FindingEvent(models.Model):
    """One step of a finding's history: a status change, a new owner, a comment.

    ``changes`` maps each changed field to ``[before, after]`` (owner by id and name, dates in ISO
    form).
    """

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    timestamp = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=16, choices=FindingStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FindingStatus.choices, blank=True)
    comment = models.TextField(blank=True)
    # What else changed in this step ({"owner": ["alice", "bob"], "due_date": [null, "2026-01-31"]}),
    # so that the history shows owner and due-date changes, not only status moves.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-timestamp", "-id"]
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.from_status} -> {self.to_status}"
