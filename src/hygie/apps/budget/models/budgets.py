"""IT budgets per establishment and year, IT projects and their budget lines, and the 5-10 % rule.

State-funded IT projects must dedicate 5 to 10 % of their budget to cybersecurity (Ségur). The
share of a project is the sum of its lines marked cybersecurity over the sum of all its lines; a
project below 5 % is flagged, and where it stands in the band is shown. For scale, hospitals spend
about 1.69 % of their operating budget on IT (Cour des comptes, 2025).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet

__all__ = [
    "BAND_HIGH",
    "BAND_LOW",
    "HOSPITAL_IT_SHARE",
    "BudgetLine",
    "BudgetYear",
    "ItProject",
    "ProjectStatus",
    "SharePosition",
    "percent",
    "position_of",
    "share_position",
]

#: The 5-10 % rule for state-funded IT projects, in percent.
BAND_LOW = Decimal(5)
BAND_HIGH = Decimal(10)
#: What hospitals spend on IT, in percent of their operating budget (Cour des comptes, 2025).
HOSPITAL_IT_SHARE = Decimal("1.69")

_MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}
_YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class SharePosition(models.TextChoices):
    """Where a cybersecurity share stands against the 5-10 % band."""

    NONE = "none", _("No budget")
    BELOW = "below", _("Below 5 %")
    IN_BAND = "in_band", _("Within 5-10 %")
    ABOVE = "above", _("Above 10 %")


def share_position(share: Decimal | None) -> SharePosition:
    """The position of a share (percent) against the band."""
    if share is None:
        return SharePosition.NONE
    if share < BAND_LOW:
        return SharePosition.BELOW
    if share <= BAND_HIGH:
        return SharePosition.IN_BAND
    return SharePosition.ABOVE


def position_of(part: Decimal, whole: Decimal) -> SharePosition:
    """Where ``part`` in percent of ``whole`` stands, judged on the exact ratio (4.999 % is below 5 %)."""
    if not whole:
        return SharePosition.NONE
    if part * 100 < BAND_LOW * whole:
        return SharePosition.BELOW
    if part * 100 <= BAND_HIGH * whole:
        return SharePosition.IN_BAND
    return SharePosition.ABOVE


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` in percent of ``whole``, two decimals rounded down (4.999 % shows 4.99 %, as it is judged)."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


class BudgetYearQuerySet(RestrictedQuerySet):
    """IT budgets."""


class BudgetYear(AuditedModel):
    """The IT budget of a node (an establishment) for one year; the cybersecurity part is optional."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("establishment"), on_delete=models.CASCADE, related_name="it_budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    operating = models.DecimalField(_("IT operating budget (EUR)"), **_MONEY)
    investment = models.DecimalField(_("IT investment budget (EUR)"), **_MONEY)
    cyber_operating = models.DecimalField(
        _("of which cybersecurity, operating (EUR)"), null=True, blank=True, **_MONEY
    )
    cyber_investment = models.DecimalField(
        _("of which cybersecurity, investment (EUR)"), null=True, blank=True, **_MONEY
    )
    hospital_operating = models.DecimalField(
        _("establishment's total operating budget (EUR)"),
        null=True,
        blank=True,
        help_text=_("Optional: to compare the IT share with the 1.69 % hospitals spend on average."),
        **_MONEY,
    )
    notes = models.TextField(_("notes"), blank=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = BudgetYearQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "-year"]
        verbose_name = _("IT budget")
        verbose_name_plural = _("IT budgets")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "year"], name="unique_it_budget_per_node_year"),
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.year}"

    def get_absolute_url(self) -> str:
        """The node's budget overview for this year."""
        return f"{reverse('budget:node_overview', args=[self.node_id])}?year={self.year}"

    @property
    def total(self) -> Decimal:
        """Operating plus investment."""
        return self.operating + self.investment

    @property
    def cyber_total(self) -> Decimal | None:
        """The declared cybersecurity part, None when neither half is given."""
        if self.cyber_operating is None and self.cyber_investment is None:
            return None
        return (self.cyber_operating or Decimal(0)) + (self.cyber_investment or Decimal(0))

    @property
    def cyber_share(self) -> Decimal | None:
        """The declared cybersecurity part in percent of the IT budget."""
        cyber = self.cyber_total
        return None if cyber is None else percent(cyber, self.total)

    @property
    def it_share(self) -> Decimal | None:
        """The IT operating budget in percent of the establishment's operating budget."""
        return percent(self.operating, self.hospital_operating) if self.hospital_operating else None


class ProjectStatus(models.TextChoices):
    """Lifecycle of an IT project."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ItProjectQuerySet(RestrictedQuerySet):
    """IT projects."""

    def with_totals(self) -> ItProjectQuerySet:
        """Annotate ``total_amount`` and ``cyber_amount`` (sums of the lines) in the same query."""
        zero = models.Value(Decimal(0), output_field=models.DecimalField(max_digits=16, decimal_places=2))
        return self.annotate(
            total_amount=models.functions.Coalesce(models.Sum("lines__amount"), zero),
            cyber_amount=models.functions.Coalesce(
                models.Sum("lines__amount", filter=models.Q(lines__cybersecurity=True)), zero
            ),
        )


class ItProject(AuditedModel):
    """An IT project of an establishment for one budget year, with its budget lines."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("establishment"), on_delete=models.CASCADE, related_name="it_projects"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    state_funded = models.BooleanField(
        _("state-funded"), default=False, help_text=_("State funding requires 5-10 % of the budget for cybersecurity.")
    )
    funding_application = models.ForeignKey(
        "budget.FundingApplication",
        verbose_name=_("funding application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ItProjectQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "-year", "name"]
        verbose_name = _("IT project")
        verbose_name_plural = _("IT projects")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "year", "name"], name="unique_it_project_per_node_year"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("budget:project_detail", args=[self.pk])

    def _sums(self) -> tuple[Decimal, Decimal]:
        total = getattr(self, "total_amount", None)
        cyber = getattr(self, "cyber_amount", None)
        if total is None or cyber is None:
            lines = list(self.lines.all())
            total = sum((line.amount for line in lines), Decimal(0))
            cyber = sum((line.amount for line in lines if line.cybersecurity), Decimal(0))
        return Decimal(total), Decimal(cyber)

    @property
    def total(self) -> Decimal:
        """Sum of the lines."""
        return self._sums()[0]

    @property
    def cyber(self) -> Decimal:
        """Sum of the cybersecurity lines."""
        return self._sums()[1]

    @property
    def cyber_share(self) -> Decimal | None:
        """Cybersecurity in percent of the project's budget (None without lines)."""
        total, cyber = self._sums()
        return percent(cyber, total)

    @property
    def position(self) -> SharePosition:
        """Where the share stands against the 5-10 % band."""
        total, cyber = self._sums()
        return position_of(cyber, total)

    @property
    def rule_applies(self) -> bool:
        """The 5-10 % rule binds state-funded projects (declared, or tied to a funding application)."""
        return self.state_funded or self.funding_application_id is not None

    @property
    def flagged(self) -> bool:
        """Below 5 % (a project without lines is not judged)."""
        return self.status != ProjectStatus.CANCELLED and self.position == SharePosition.BELOW

    @property
    def band_percent(self) -> int:
        """Where the share stands on a 0-15 % gauge, in percent of the gauge (for the band bar)."""
        share = self.cyber_share or Decimal(0)
        return int(min(Decimal(100), share * 100 / 15))

    def missing_for_rule(self) -> Decimal:
        """The cybersecurity amount to add to reach 5 % (the share grows with the total)."""
        total, cyber = self._sums()
        # cyber + x >= 5 % of (total + x)  <=>  x >= (0.05 total - cyber) / 0.95
        needed = (BAND_LOW / 100 * total - cyber) / (1 - BAND_LOW / 100)
        return max(Decimal(0), needed).quantize(Decimal("0.01"), rounding="ROUND_UP")


class BudgetLineQuerySet(RestrictedQuerySet):
    """Budget lines of IT projects."""


class BudgetLine(AuditedModel):
    """A line of an IT project's budget; ``cybersecurity`` counts it in the project's cyber share."""

    tenant_path_field = "project__node__path"

    project = models.ForeignKey(ItProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount (EUR)"), **_MONEY)
    cybersecurity = models.BooleanField(_("cybersecurity"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["project", "order", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return self.label

    @property
    def node_id(self) -> int:
        """The project's node: the audit log files the line's changes under it."""
        return int(self.project.node_id)
