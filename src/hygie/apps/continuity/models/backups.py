"""Backups: the backup systems, each component's backup plan and copies, and restore tests."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet

_HOURS = [MinValueValidator(0.0)]


class Authentication(models.TextChoices):
    """How the backup console authenticates its administrators (CaRE d2.o3.a)."""

    PRODUCTION_DIRECTORY = "production_directory", _("Production directory")
    DEDICATED_DIRECTORY = "dedicated_directory", _("Dedicated directory")
    LOCAL_ACCOUNTS = "local_accounts", _("Local accounts")


class BackupMethod(models.TextChoices):
    """How a backup is taken."""

    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")
    DIFFERENTIAL = "differential", _("Differential")
    SNAPSHOT = "snapshot", _("Snapshot")
    REPLICATION = "replication", _("Replication")
    SAAS_EXPORT = "saas_export", _("Export from the vendor (SaaS)")


class Medium(models.TextChoices):
    """What a copy lies on."""

    DISK = "disk", _("Disk")
    NAS = "nas", _("NAS")
    TAPE = "tape", _("Tape")
    OBJECT = "object", _("Object storage")
    CLOUD = "cloud", _("Cloud")
    REMOVABLE = "removable", _("Removable disk")


class BackupSystemQuerySet(RestrictedQuerySet):
    """Backup systems."""


class BackupSystem(AuditedModel):
    """A backup infrastructure: its authentication, MFA, isolation capability and supervision."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT, related_name="backup_systems"
    )
    name = models.CharField(_("name"), max_length=200)
    product = models.CharField(_("product"), max_length=200, blank=True)
    authentication = models.CharField(
        _("console authentication"),
        max_length=24,
        choices=Authentication.choices,
        default=Authentication.PRODUCTION_DIRECTORY,
    )
    mfa = models.BooleanField(_("multi-factor authentication"), default=False)
    isolation = models.BooleanField(
        _("isolation capability"),
        default=False,
        help_text=_('The backup network can be cut off from production at once ("red button").'),
    )
    supervised = models.BooleanField(_("supervised"), default=False)
    central_alerts = models.BooleanField(_("alerts reach the group"), default=False)
    failure_procedure = models.TextField(_("failure procedure"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = BackupSystemQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("backup system")
        verbose_name_plural = _("backup systems")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_backup_system_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("continuity:backupsystem_detail", args=[self.pk])


class BackupPlanQuerySet(RestrictedQuerySet):
    """Backup plans."""


class BackupPlan(AuditedModel):
    """How one component is backed up: method, frequency, retention, system; copies hang from it."""

    tenant_path_field = "component__node__path"

    component = models.OneToOneField(
        "continuity.Component", verbose_name=_("component"), on_delete=models.CASCADE, related_name="backup_plan"
    )
    system = models.ForeignKey(
        BackupSystem,
        verbose_name=_("backup system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    method = models.CharField(_("method"), max_length=16, choices=BackupMethod.choices, default=BackupMethod.FULL)
    frequency_h = models.FloatField(_("frequency (hours)"), validators=_HOURS)
    retention_days = models.PositiveIntegerField(_("retention (days)"), default=30)
    covered_by_contract = models.BooleanField(
        _("covered by the contract"),
        default=False,
        help_text=_("For outsourced or SaaS systems: the contract sets the backups and the restore."),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = BackupPlanQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["component__name", "id"]
        verbose_name = _("backup plan")
        verbose_name_plural = _("backup plans")

    def __str__(self) -> str:
        return str(self.component)


class BackupCopyQuerySet(RestrictedQuerySet):
    """Backup copies."""


class BackupCopy(AuditedModel):
    """One copy of a backup: site, medium, online or not, immutable, encrypted, refresh period."""

    tenant_path_field = "plan__component__node__path"

    plan = models.ForeignKey(BackupPlan, verbose_name=_("backup plan"), on_delete=models.CASCADE, related_name="copies")
    site = models.CharField(_("site"), max_length=100, blank=True)
    medium = models.CharField(_("medium"), max_length=16, choices=Medium.choices, default=Medium.DISK)
    online = models.BooleanField(_("online"), default=True, help_text=_("Reachable from the network at all times."))
    immutable = models.BooleanField(_("immutable"), default=False)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    frequency_h = models.FloatField(
        _("refreshed every (hours)"),
        null=True,
        blank=True,
        validators=_HOURS,
        help_text=_("Empty: with every backup."),
    )

    objects = BackupCopyQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["plan", "id"]
        verbose_name = _("backup copy")
        verbose_name_plural = _("backup copies")

    def __str__(self) -> str:
        return f"{self.plan} / {self.get_medium_display()} {self.site}".strip()


class RestoreTestQuerySet(RestrictedQuerySet):
    """Restore tests."""


class RestoreTest(AuditedModel):
    """A restore test of a component: when, the result, the measured duration, and whether to production."""

    tenant_path_field = "component__node__path"

    component = models.ForeignKey(
        "continuity.Component", verbose_name=_("component"), on_delete=models.CASCADE, related_name="restore_tests"
    )
    date = models.DateField(_("date"))
    success = models.BooleanField(_("succeeded"), default=True)
    duration_h = models.FloatField(_("measured duration (hours)"), null=True, blank=True, validators=_HOURS)
    to_production = models.BooleanField(
        _("restored to production"),
        default=False,
        help_text=_("A technical restore-to-production test (CaRE d2.o4), not only a file-level check."),
    )
    functional_check_by = models.CharField(_("functional check by"), max_length=150, blank=True)
    exercise = models.ForeignKey(
        "continuity.Exercise",
        verbose_name=_("exercise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="restore_tests",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestoreTestQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-date", "id"]
        verbose_name = _("restore test")
        verbose_name_plural = _("restore tests")

    def __str__(self) -> str:
        return f"{self.component} {self.date:%Y-%m-%d}"
