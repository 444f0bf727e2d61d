"""Organisation tree: nation > region (ARS) > group (GHT) > establishment > site."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    """The tenancy tree every other model hangs from."""

    name = "hygie.apps.organizations"
    label = "organizations"
    verbose_name = _("Organisations")
