"""Internet exposure audits: declared perimeters, scheduled scans, history, diff and reports."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposureConfig(AppConfig):
    """Internet exposure audits."""

    name = "hygie.apps.exposure"
    label = "exposure"
    verbose_name = _("Internet exposure")
