"""Active Directory audits: collections uploaded or collected live, scored, diffed and reported."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """Directory audits."""

    name = "hygie.apps.directory"
    label = "directory"
    verbose_name = _("Directory audits")
