"""Columns of the awareness lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

__all__ = ["CAMPAIGN_COLUMNS", "SESSION_COLUMNS"]

SESSION_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("kind", _("Kind"), display=True),
    Column("completion_count", _("Completions")),
]

CAMPAIGN_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("launched_on", _("Launched on")),
    Column("click_percent", _("Click rate (%)")),
]
