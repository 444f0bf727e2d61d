"""Compliance: frameworks stored from their files, assessments per node, evidence (uploaded or measured)."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Compliance assessments against CaRE, NIS2, NIS/OSE and ANSSI frameworks."""

    name = "hygie.apps.compliance"
    label = "compliance"
    verbose_name = _("Compliance")
