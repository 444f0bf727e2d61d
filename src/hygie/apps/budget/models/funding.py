"""Funding programmes (reference data), funding applications of establishments and their milestones.

Programmes (Ségur, CaRE domain 1, D1 bis, domain 2...) are global reference data shipped with Hygie
(:mod:`hygie.apps.budget.programmes`) and changed only by superusers. An application follows the
milestones the ARS works with, in order: applied, validated by the ARS, objectives declared,
checked, paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, Self

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import Action, RestrictedQuerySet

__all__ = [
    "MILESTONE_ORDER",
    "ApplicationMilestone",
    "FundingApplication",
    "FundingProgramme",
    "MilestoneKind",
]

_MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class MilestoneKind(models.TextChoices):
    """The milestones of a funding application, in order."""

    APPLIED = "applied", _("Applied")
    VALIDATED = "validated", _("Validated by the ARS")
    DECLARED = "declared", _("Objectives declared")
    CHECKED = "checked", _("Checked")
    PAID = "paid", _("Paid")


#: The milestones in the order they happen.
MILESTONE_ORDER: tuple[str, ...] = tuple(MilestoneKind.values)


class FundingProgrammeQuerySet(RestrictedQuerySet):
    """Programmes: read by every active user, changed by superusers only (they are global)."""

    def restrict(self, user: Any, action: Action | str = Action.VIEW) -> Self:
        """All programmes to view for a logged-in user; to change, superusers only."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or Action(action) == Action.VIEW:
            return self
        return self.none()


class FundingProgramme(AuditedModel):
    """A funding programme: its window, envelope, conditions, compliance framework and milestones."""

    key = models.SlugField(_("identifier"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    opens_on = models.DateField(_("window opens"), null=True, blank=True)
    closes_on = models.DateField(_("window closes"), null=True, blank=True)
    objectives_from = models.DateField(_("objectives declared from"), null=True, blank=True)
    envelope = models.DecimalField(_("envelope (EUR)"), null=True, blank=True, **_MONEY)
    conditions = models.TextField(_("conditions"), blank=True)
    framework_key = models.CharField(
        _("compliance framework"), max_length=64, blank=True, help_text=_("Key of the framework its objectives use.")
    )
    cyber_share_min = models.DecimalField(
        _("minimum cybersecurity share of funded projects (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FundingProgrammeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["order", "key"]
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")

    def __str__(self) -> str:
        return self.name

    def window_open(self, today: dt.date | None = None) -> bool | None:
        """True while the window is open; None when its dates are unknown."""
        today = today or timezone.localdate()
        if self.opens_on is None and self.closes_on is None:
            return None
        return (self.opens_on is None or self.opens_on <= today) and (self.closes_on is None or today <= self.closes_on)


class FundingApplicationQuerySet(RestrictedQuerySet):
    """Funding applications."""


class FundingApplication(AuditedModel):
    """An establishment's application to a programme, with its amounts and milestones."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("establishment"), on_delete=models.CASCADE,
        related_name="funding_applications",
    )
    programme = models.ForeignKey(
        FundingProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    amount_requested = models.DecimalField(_("amount requested (EUR)"), **_MONEY)
    amount_granted = models.DecimalField(_("amount granted (EUR)"), null=True, blank=True, **_MONEY)
    amount_paid = models.DecimalField(_("amount paid (EUR)"), null=True, blank=True, **_MONEY)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    audit_exclude = ("created", "updated")

    objects = FundingApplicationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "-created", "-id"]
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("budget:application_detail", args=[self.pk])

    def ordered_milestones(self) -> list[ApplicationMilestone]:
        """Milestones in their order (uses the prefetch cache when there is one)."""
        return sorted(self.milestones.all(), key=lambda m: MILESTONE_ORDER.index(m.kind))

    @property
    def state(self) -> str:
        """The last milestone done, or "" when none is."""
        done = [m for m in self.ordered_milestones() if m.done_on is not None]
        return done[-1].kind if done else ""

    @property
    def state_label(self) -> str:
        """The last milestone done, as shown."""
        return str(MilestoneKind(self.state).label) if self.state else str(_("Not applied yet"))

    @property
    def next_milestone(self) -> ApplicationMilestone | None:
        """The first milestone not done yet."""
        return next((m for m in self.ordered_milestones() if m.done_on is None), None)

    def late_milestones(self, today: dt.date | None = None) -> list[ApplicationMilestone]:
        """Milestones past their planned date and not done."""
        return [m for m in self.ordered_milestones() if m.is_late(today)]


class ApplicationMilestoneQuerySet(RestrictedQuerySet):
    """Milestones of funding applications."""


class ApplicationMilestone(AuditedModel):
    """One milestone of an application: planned date, done date, amount where relevant, note."""

    tenant_path_field = "application__node__path"

    application = models.ForeignKey(
        FundingApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("milestone"), max_length=16, choices=MilestoneKind.choices)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), null=True, blank=True, **_MONEY)
    note = models.TextField(_("note"), blank=True)

    objects = ApplicationMilestoneQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["application", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["application", "kind"], name="unique_milestone_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_kind_display()}"

    @property
    def node_id(self) -> int:
        """The application's node: the audit log files the milestone's changes under it."""
        return int(self.application.node_id)

    def is_late(self, today: dt.date | None = None) -> bool:
        """Planned in the past and not done."""
        today = today or timezone.localdate()
        return self.done_on is None and self.planned_on is not None and self.planned_on < today

    @property
    def late(self) -> bool:
        """``is_late`` as of today (for templates)."""
        return self.is_late()
