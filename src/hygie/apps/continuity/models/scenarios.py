"""Recovery scenarios and the simulations run against them."""

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


def validate_selectors(value: Any) -> None:
    """A list of component names, kinds or ``category:``/``site:``/``platform:`` selectors."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError(_("A list of component names or selectors is expected."))


def validate_outages(value: Any) -> None:
    """A mapping of selector to hours of outage."""
    if not isinstance(value, dict) or not all(
        isinstance(hours, int | float) and not isinstance(hours, bool) and hours >= 0 for hours in value.values()
    ):
        raise ValidationError(_("A mapping of component or selector to hours of outage is expected."))


class RecoveryScenarioQuerySet(RestrictedQuerySet):
    """Recovery scenarios."""


class RecoveryScenario(AuditedModel):
    """What an event takes: components lost (restored by the teams), outages that end by themselves, backups."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT, related_name="recovery_scenarios"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lost = models.JSONField(
        _("lost"),
        default=list,
        blank=True,
        validators=[validate_selectors],
        help_text=_("Components restored by the teams: names, kinds, or category:, site:, platform: selectors."),
    )
    outages = models.JSONField(
        _("outages"),
        default=dict,
        blank=True,
        validators=[validate_outages],
        help_text=_("Components unavailable for a fixed time that come back by themselves (hours)."),
    )
    online_backups_destroyed = models.BooleanField(_("online backups destroyed"), default=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = RecoveryScenarioQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("recovery scenario")
        verbose_name_plural = _("recovery scenarios")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_recovery_scenario_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("continuity:scenario_detail", args=[self.pk])


class SimulationStatus(models.TextChoices):
    """Lifecycle of a simulation (mirrors its job)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SimulationQuerySet(RestrictedQuerySet):
    """Simulations."""


class Simulation(models.Model):
    """One recovery simulation of a scenario: its parameters and the engine's JSON result."""

    tenant_path_field = "scenario__node__path"

    scenario = models.ForeignKey(
        RecoveryScenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="simulations"
    )
    runs = models.PositiveIntegerField(_("Monte Carlo runs"), default=2000)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=SimulationStatus.choices, default=SimulationStatus.QUEUED
    )
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SimulationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created", "-id"]
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")

    def __str__(self) -> str:
        return f"{self.scenario} ({self.created:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("continuity:simulation_detail", args=[self.pk])
