"""Filters of the awareness lists (UI and API share them)."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.utils.translation import gettext_lazy as _

from hygie.apps.awareness.models import PhishingCampaign, SessionKind, StaffCategory, StaffCensus, TrainingSession
from hygie.web.filtering import TenantFilterSet

__all__ = ["CampaignFilterSet", "CensusFilterSet", "SessionFilterSet"]


class SessionFilterSet(TenantFilterSet):
    """Training sessions by node, kind, text."""

    search_fields = ("title",)
    kind = django_filters.ChoiceFilter(choices=SessionKind.choices, label=_("Kind"))

    class Meta:
        model = TrainingSession
        fields: ClassVar[list[str]] = []


class CampaignFilterSet(TenantFilterSet):
    """Phishing campaigns by node, text."""

    search_fields = ("name",)

    class Meta:
        model = PhishingCampaign
        fields: ClassVar[list[str]] = []


class CensusFilterSet(TenantFilterSet):
    """Staff censuses by node and category."""

    search_fields = ("node__name",)
    category = django_filters.ChoiceFilter(choices=StaffCategory.choices, label=_("Category"))

    class Meta:
        model = StaffCensus
        fields: ClassVar[list[str]] = []
