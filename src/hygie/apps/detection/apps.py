"""Log detection: log sources, uploads and watched folders, Sigma rule packs, hunts, alerts."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    """Log detection."""

    name = "hygie.apps.detection"
    label = "detection"
    verbose_name = _("Log detection")
