"""Users, roles on organisation nodes, API tokens, audit log, login throttling."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Accounts and the permission choke point."""

    name = "hygie.apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        """Connect the audit signal handlers."""
        from hygie.apps.accounts import audit  # noqa: F401 - connects the audit signal handlers
