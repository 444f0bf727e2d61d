"""Columns of the budget lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

__all__ = ["APPLICATION_COLUMNS", "PROJECT_COLUMNS"]

PROJECT_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Establishment"), accessor="node.name"),
    Column("year", _("Year")),
    Column("status", _("Status"), display=True),
    Column("state_funded", _("State-funded")),
    Column("total", _("Budget (EUR)")),
    Column("cyber", _("Cybersecurity (EUR)")),
    Column("cyber_share", _("Cyber share (%)")),
    Column("flagged", _("Below 5 %")),
]

APPLICATION_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("node", _("Establishment"), accessor="node.name"),
    Column("programme", _("Programme"), accessor="programme.name"),
    Column("reference", _("Reference")),
    Column("amount_requested", _("Requested (EUR)")),
    Column("amount_granted", _("Granted (EUR)")),
    Column("state_label", _("State")),
]
