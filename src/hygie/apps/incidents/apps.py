"""Incident response and crisis management."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Incidents with their crisis log and regulatory clocks, the crisis cell and the offline crisis kit."""

    name = "hygie.apps.incidents"
    label = "incidents"
    verbose_name = _("Incidents")
