"""Columns of the accounts lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

AUDIT_COLUMNS = [
    Column("timestamp", _("When"), link=True),
    Column("actor_name", _("Who")),
    Column("channel", _("Channel")),
    Column("action", _("Action")),
    Column("object_type", _("Object type")),
    Column("object_repr", _("Object")),
    Column("node", _("Node"), accessor="node.name"),
]

ROLE_COLUMNS = [
    Column("user", _("User"), accessor="user.username"),
    Column("role", _("Role"), display=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("created", _("Granted")),
]
