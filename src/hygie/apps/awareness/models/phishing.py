"""Phishing-simulation campaigns imported from GoPhish, with one pseudonymised result per recipient."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.awareness.models.staff import RESULT_CATEGORIES


class PhishingCampaignQuerySet(RestrictedQuerySet):
    """Phishing campaigns."""


class PhishingCampaign(AuditedModel):
    """One simulation campaign of a node; ``funnel`` caches the overall and per-category counts."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="phishing_campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    launched_on = models.DateField(_("launched on"))
    source_name = models.CharField(_("imported file"), max_length=200, blank=True)
    funnel = models.JSONField(_("funnel"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = PhishingCampaignQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-launched_on", "-id"]
        verbose_name = _("phishing campaign")
        verbose_name_plural = _("phishing campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("awareness:campaign_detail", args=[self.pk])

    @property
    def click_rate(self) -> float | None:
        """Share of delivered e-mails whose link was clicked (None before any delivery)."""
        overall: dict[str, Any] = (self.funnel or {}).get("overall") or {}
        sent = int(overall.get("sent") or 0)
        return int(overall.get("clicked") or 0) / sent if sent else None


    @property
    def click_percent(self) -> float | None:
        """The click rate in percent, one decimal."""
        rate = self.click_rate
        return None if rate is None else round(rate * 100, 1)


class PhishingResultQuerySet(RestrictedQuerySet):
    """Phishing results."""


class PhishingResult(models.Model):
    """How far one recipient went: ``stage`` 0 not sent, 1 sent, 2 opened, 3 clicked, 4 submitted data."""

    tenant_path_field = "campaign__node__path"

    campaign = models.ForeignKey(
        PhishingCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="results"
    )
    person = models.CharField(_("person (pseudonym)"), max_length=64)
    category = models.CharField(_("category"), max_length=16, choices=RESULT_CATEGORIES)
    status = models.CharField(_("GoPhish status"), max_length=32)
    stage = models.PositiveSmallIntegerField(_("stage"))
    reported = models.BooleanField(_("reported"), default=False)

    objects = PhishingResultQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["campaign", "id"]
        verbose_name = _("phishing result")
        verbose_name_plural = _("phishing results")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["campaign", "person"], name="awareness_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person[:12]} · {self.status}"
