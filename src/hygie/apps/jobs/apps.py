"""Background jobs: engine runs and imports started from the UI or API, with progress."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Jobs."""

    name = "hygie.apps.jobs"
    label = "jobs"
    verbose_name = _("Jobs")
