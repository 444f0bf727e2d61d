"""Continuity and recovery: business-impact analyses, backups, recovery simulated against scenarios, exercises."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    """Continuity and recovery (CaRE domain 2)."""

    name = "hygie.apps.continuity"
    label = "continuity"
    verbose_name = _("Continuity and recovery")

    def ready(self) -> None:
        """Engine texts shown on pages (Gantt labels, what-if sentences) follow the request's language."""
        from django.utils.translation import gettext

        from hygie.engines._core.i18n import set_translator

        set_translator(gettext)
