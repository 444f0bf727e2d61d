"""Budget and funding: IT budgets and projects, the cybersecurity share, funding programmes and files."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """IT budgets, the 5-10 % cybersecurity share, funding programmes (Ségur, CaRE) and ARS files."""

    name = "hygie.apps.budget"
    label = "budget"
    verbose_name = _("Budget and funding")
