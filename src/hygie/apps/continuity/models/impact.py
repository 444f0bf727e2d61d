"""Business-impact analyses of care activities and administrative processes, and their degraded modes."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.engines.continuity.bia import BiaError, ImpactGrid, Targets, grid_from_dict

_HOURS = [MinValueValidator(0.0)]


class ActivityKind(models.TextChoices):
    """The CaRE d2.o1.c scopes: a care service, an administrative process, a technical platform."""

    CARE = "care", _("Care service")
    ADMINISTRATIVE = "administrative", _("Administrative process")
    TECHNICAL_PLATFORM = "technical_platform", _("Technical platform (pharmacy, imaging, laboratory)")


def validate_grid(value: Any) -> None:
    """The stored grid must be one the engine reads (six levels per axis, five for data loss, never decreasing)."""
    try:
        grid_from_dict(value)
    except BiaError as error:
        raise ValidationError(str(error)) from error


class BusinessImpactQuerySet(RestrictedQuerySet):
    """Business-impact analyses."""


class BusinessImpact(AuditedModel):
    """The BIA of one inventory activity: impacts over time on five axes, the targets they imply, overrides.

    ``grid`` is ``{"impacts": {axis: [levels at 1h, 4h, 24h, 72h, 1 week, 1 month]}, "data_loss":
    [levels for 1h, 4h, 24h, 72h, 1 week of data lost]}`` (levels 0-4). Explicit targets win over
    the derived ones. ``extra_needs`` are components the activity needs beyond its applications.
    """

    tenant_path_field = "activity__node__path"

    activity = models.OneToOneField(
        "inventory.CareActivity", verbose_name=_("activity"), on_delete=models.CASCADE, related_name="impact"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ActivityKind.choices, default=ActivityKind.CARE)
    grid = models.JSONField(_("impact grid"), default=dict, validators=[validate_grid])
    rto_h = models.FloatField(_("RTO (hours)"), null=True, blank=True, validators=_HOURS)
    rpo_h = models.FloatField(_("RPO (hours)"), null=True, blank=True, validators=_HOURS)
    mtpd_h = models.FloatField(_("MTPD (hours)"), null=True, blank=True, validators=_HOURS)
    min_service_pct = models.FloatField(
        _("minimum service level (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
    )
    extra_needs = models.ManyToManyField(
        "continuity.Component", verbose_name=_("also needs"), blank=True, related_name="needed_by"
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessed_by = models.CharField(_("assessed by"), max_length=150, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = BusinessImpactQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["activity__name", "id"]
        verbose_name = _("business-impact analysis")
        verbose_name_plural = _("business-impact analyses")

    def __str__(self) -> str:
        return str(self.activity)

    def impact_grid(self) -> ImpactGrid:
        """The grid as the engine reads it."""
        return grid_from_dict(self.grid or {})

    def derived(self) -> Targets:
        """The targets the grid implies."""
        return self.impact_grid().targets()

    def targets(self) -> Targets:
        """The targets in force: explicit values, else those the grid implies."""
        derived = self.derived()
        return Targets(
            mtpd_h=self.mtpd_h if self.mtpd_h is not None else derived.mtpd_h,
            rto_h=self.rto_h if self.rto_h is not None else derived.rto_h,
            rpo_h=self.rpo_h if self.rpo_h is not None else derived.rpo_h,
            min_service_pct=self.min_service_pct if self.min_service_pct is not None else derived.min_service_pct,
        )


class DegradedModeQuerySet(RestrictedQuerySet):
    """Degraded-mode procedures."""


class DegradedMode(AuditedModel):
    """A degraded-mode procedure of an activity (paper forms, a fallback) and how long it can hold."""

    tenant_path_field = "activity__node__path"

    activity = models.ForeignKey(
        "inventory.CareActivity", verbose_name=_("activity"), on_delete=models.CASCADE, related_name="degraded_modes"
    )
    name = models.CharField(_("name"), max_length=200)
    procedure = models.TextField(_("procedure"), blank=True)
    hold_h = models.FloatField(_("can hold (hours)"), validators=_HOURS)
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    last_tested = models.DateField(_("last tested"), null=True, blank=True)

    objects = DegradedModeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["activity__name", "name", "id"]
        verbose_name = _("degraded mode")
        verbose_name_plural = _("degraded modes")

    def __str__(self) -> str:
        return self.name
