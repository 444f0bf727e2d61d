"""Budget and funding: IT budgets and projects, the cybersecurity share, funding programmes and files."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_programmes(sender: AppConfig, using: str = "default", **_kwargs: Any) -> None:
    """Ship the funding programmes with the database: after every migrate, add those missing."""
    from hygie.apps.accounts.audit import acting_as
    from hygie.apps.budget.programmes import load_programmes

    if using != "default":
        return
    with acting_as(None, "migrate"):
        load_programmes()


class BudgetConfig(AppConfig):
    """IT budgets, the 5-10 % cybersecurity share, funding programmes (Ségur, CaRE) and ARS files."""

    name = "hygie.apps.budget"
    label = "budget"
    verbose_name = _("Budget and funding")

    def ready(self) -> None:
        """Load the shipped programmes after migrations."""
        post_migrate.connect(_load_programmes, sender=self, dispatch_uid="budget.load_programmes")
