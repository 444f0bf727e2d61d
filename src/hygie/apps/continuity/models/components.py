"""What recovers: recovery teams and the components they restore (applications and infrastructure)."""

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


class ComponentKind(models.TextChoices):
    """Engine kinds: a scenario may lose every component of a kind."""

    APPLICATION = "application", _("Application")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class ComponentCategory(models.TextChoices):
    """What a component is (a scenario may lose a whole category: ``category:hypervisor``)."""

    DIRECTORY = "directory", _("Directory (Active Directory)")
    DNS_DHCP = "dns_dhcp", _("DNS / DHCP")
    HYPERVISOR = "hypervisor", _("Hypervisor")
    STORAGE = "storage", _("Storage")
    NETWORK = "network", _("Network")
    INTERNET = "internet", _("Internet access")
    SAAS = "saas", _("Vendor SaaS")
    SERVER = "server", _("Server")
    BACKUP = "backup", _("Backup infrastructure")
    APPLICATION = "application", _("Application")


class Platform(models.TextChoices):
    """What it runs on (a scenario may lose ``platform:windows``)."""

    WINDOWS = "windows", _("Windows")
    LINUX = "linux", _("Linux")
    APPLIANCE = "appliance", _("Appliance")
    SAAS = "saas", _("SaaS")
    OTHER = "other", _("Other")


class RecoveryTeamQuerySet(RestrictedQuerySet):
    """Recovery teams."""


class RecoveryTeam(AuditedModel):
    """A team that restores systems, and how many restores it runs at once."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT, related_name="recovery_teams"
    )
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveSmallIntegerField(
        _("parallel restores"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many restores the team can run at the same time."),
    )
    members = models.TextField(_("members"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = RecoveryTeamQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("recovery team")
        verbose_name_plural = _("recovery teams")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_recovery_team_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("continuity:team_detail", args=[self.pk])


class ComponentQuerySet(RestrictedQuerySet):
    """Recovery components."""


class Component(AuditedModel):
    """An application or an infrastructure component as recovery sees it: who restores it, in how long, after what.

    An application component points at its inventory application; an infrastructure component
    (directory, DNS/DHCP, hypervisors, storage, network, Internet, vendor SaaS) at the assets it
    runs on. The restore time comes from the latest successful restore test when there is one,
    else from ``restore_h``, else from the data size over the throughput.
    """

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT, related_name="recovery_components"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ComponentKind.choices, default=ComponentKind.APPLICATION)
    category = models.CharField(
        _("category"), max_length=16, choices=ComponentCategory.choices, default=ComponentCategory.APPLICATION
    )
    application = models.ForeignKey(
        "inventory.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_components",
    )
    assets = models.ManyToManyField(
        "inventory.Asset", verbose_name=_("runs on"), blank=True, related_name="recovery_components"
    )
    site = models.CharField(_("site"), max_length=100, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True)
    team = models.ForeignKey(
        RecoveryTeam, verbose_name=_("recovery team"), on_delete=models.PROTECT, related_name="components"
    )
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("depends on"), blank=True, symmetrical=False, related_name="dependents"
    )
    critical = models.BooleanField(_("critical"), default=False)
    restore_h = models.FloatField(_("restore time (hours)"), null=True, blank=True, validators=_HOURS)
    data_gb = models.FloatField(_("data size (GB)"), null=True, blank=True, validators=_HOURS)
    throughput_gb_h = models.FloatField(_("restore throughput (GB/hour)"), null=True, blank=True, validators=_HOURS)
    setup_h = models.FloatField(_("set-up time (hours)"), null=True, blank=True, validators=_HOURS)
    rebuild_h = models.FloatField(
        _("rebuild time (hours)"),
        null=True,
        blank=True,
        validators=_HOURS,
        help_text=_("Time to rebuild it when no backup copy survives (default: three restores)."),
    )
    spread = models.FloatField(
        _("uncertainty"),
        null=True,
        blank=True,
        validators=_HOURS,
        help_text=_("Spread of the restore time (log-normal sigma); empty: from where the time comes from."),
    )
    runbook = models.TextField(_("recovery runbook"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("recovery component")
        verbose_name_plural = _("recovery components")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_recovery_component_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("continuity:component_detail", args=[self.pk])
