"""Staff population per node and category (dated censuses) and the awareness targets of a node."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class StaffCategory(models.TextChoices):
    """Categories of hospital staff, as the awareness axis of CaRE counts them."""

    MEDICAL = "medical", _("Medical")
    PARAMEDICAL = "paramedical", _("Paramedical")
    ADMINISTRATIVE = "administrative", _("Administrative")
    TECHNICAL = "technical", _("Technical")
    IT = "it", _("IT")
    MANAGEMENT = "management", _("Management")


#: Category of a phishing recipient whose position maps to none of the staff categories.
UNKNOWN_CATEGORY = "unknown"
RESULT_CATEGORIES: list[tuple[str, Any]] = [*StaffCategory.choices, (UNKNOWN_CATEGORY, _("Unknown"))]


class StaffCensusQuerySet(RestrictedQuerySet):
    """Staff censuses."""


class StaffCensus(AuditedModel):
    """The headcount of one staff category at one node as of a date; a new census is a new row."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="staff_censuses"
    )
    category = models.CharField(_("category"), max_length=16, choices=StaffCategory.choices)
    headcount = models.PositiveIntegerField(_("headcount"), validators=[MaxValueValidator(1_000_000)])
    as_of = models.DateField(_("as of"), default=timezone.localdate)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = StaffCensusQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "category", "-as_of"]
        verbose_name = _("staff census")
        verbose_name_plural = _("staff censuses")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "category", "as_of"], name="awareness_census_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.node} · {self.get_category_display()} · {self.as_of}"

    def get_absolute_url(self) -> str:
        """The node's awareness overview."""
        return reverse("awareness:node_overview", args=[self.node_id])


class AwarenessTargetQuerySet(RestrictedQuerySet):
    """Awareness targets."""


class AwarenessTarget(AuditedModel):
    """What a node aims at; an empty value is inherited from the nearest ancestor that sets it."""

    node = models.OneToOneField(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="awareness_target"
    )
    coverage_target_pct = models.DecimalField(
        _("training coverage target (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENT,
        help_text=_("Share of each staff category trained in the last 12 months. Empty: inherited."),
    )
    click_ceiling_pct = models.DecimalField(
        _("phishing click-rate ceiling (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENT,
        help_text=_("Highest acceptable share of recipients who click in a simulation. Empty: inherited."),
    )
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = AwarenessTargetQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path"]
        verbose_name = _("awareness target")
        verbose_name_plural = _("awareness targets")

    def __str__(self) -> str:
        return str(self.node)

    def get_absolute_url(self) -> str:
        """The node's awareness overview."""
        return reverse("awareness:node_overview", args=[self.node_id])
