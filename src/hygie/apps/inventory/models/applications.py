"""Applications, what they run on and depend on, and the care activities that need them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.inventory.models.assets import Criticality, Hosting


class ApplicationCategory(models.TextChoices):
    """Kinds of hospital application."""

    PATIENT_RECORD = "patient_record", _("Patient record (DPI)")
    PACS = "pacs", _("Imaging (PACS/RIS)")
    LIS = "lis", _("Laboratory (LIS)")
    PHARMACY = "pharmacy", _("Pharmacy")
    ADMISSIONS = "admissions", _("Admissions and billing")
    PAYROLL = "payroll", _("Payroll and HR")
    FINANCE = "finance", _("Finance and accounting")
    EMAIL = "email", _("E-mail and messaging")
    TELEPHONY = "telephony", _("Telephony")
    EMERGENCY = "emergency", _("Emergency department")
    SURGERY = "surgery", _("Operating theatre")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure service")
    OTHER = "other", _("Other")


class ApplicationQuerySet(RestrictedQuerySet):
    """Applications."""


class Application(AuditedModel):
    """A business application, the assets it runs on and the applications it needs."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT,
                             related_name="applications")
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=24, choices=ApplicationCategory.choices)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    criticality = models.PositiveSmallIntegerField(_("criticality"), choices=Criticality.choices,
                                                   default=Criticality.MEDIUM)
    hosting = models.CharField(_("hosting"), max_length=16, choices=Hosting.choices, default=Hosting.ON_PREMISE)
    owner = models.CharField(_("business owner"), max_length=150, blank=True)
    assets = models.ManyToManyField("inventory.Asset", verbose_name=_("runs on"), blank=True,
                                    related_name="applications")
    depends_on = models.ManyToManyField("self", verbose_name=_("depends on"), blank=True, symmetrical=False,
                                        related_name="dependents")
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_application_name_per_node"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("inventory:application_detail", args=[self.pk])


class CareActivityQuerySet(RestrictedQuerySet):
    """Care activities."""


class CareActivity(AuditedModel):
    """A care activity (emergencies, radiotherapy, maternity...) and the applications it needs."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT,
                             related_name="care_activities")
    name = models.CharField(_("name"), max_length=200)
    patient_impact = models.PositiveSmallIntegerField(_("patient impact"), choices=Criticality.choices,
                                                      default=Criticality.HIGH)
    max_downtime_hours = models.PositiveIntegerField(
        _("maximum tolerable downtime (hours)"), null=True, blank=True,
    )
    applications = models.ManyToManyField(Application, verbose_name=_("needs"), blank=True,
                                          related_name="care_activities")
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CareActivityQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("care activity")
        verbose_name_plural = _("care activities")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_care_activity_name_per_node"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("inventory:careactivity_detail", args=[self.pk])
