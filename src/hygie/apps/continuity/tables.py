"""Columns of the continuity lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

__all__ = ["BACKUP_SYSTEM_COLUMNS", "COMPONENT_COLUMNS", "EXERCISE_COLUMNS", "SCENARIO_COLUMNS", "TEAM_COLUMNS"]

COMPONENT_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("kind", _("Kind"), display=True),
    Column("category", _("Category"), display=True),
    Column("platform", _("Platform"), display=True),
    Column("team", _("Recovery team"), accessor="team.name"),
    Column("critical", _("Critical")),
    Column("restore_h", _("Restore time (hours)")),
]

TEAM_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("capacity", _("Parallel restores")),
]

BACKUP_SYSTEM_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("product", _("Product")),
    Column("authentication", _("Console authentication"), display=True),
    Column("mfa", _("MFA")),
    Column("isolation", _("Isolation")),
    Column("supervised", _("Supervised")),
]

SCENARIO_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("description", _("Description")),
    Column("online_backups_destroyed", _("Online backups destroyed")),
]

EXERCISE_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("kind", _("Kind"), display=True),
    Column("status", _("Status"), display=True, badge="status"),
    Column("planned_on", _("Planned on")),
    Column("held_on", _("Held on")),
]
