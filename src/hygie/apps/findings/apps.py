"""Findings register: every engine writes its findings here."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    """Findings and their remediation."""

    name = "hygie.apps.findings"
    label = "findings"
    verbose_name = _("Findings")
