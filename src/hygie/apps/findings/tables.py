"""Columns of the findings list and exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

FINDING_COLUMNS = [
    Column("severity", _("Severity"), display=True, badge="severity"),
    Column("title", _("Title"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("source", _("Source")),
    Column("check_id", _("Check")),
    Column("status", _("Status"), display=True, badge="status"),
    Column("owner", _("Owner"), accessor="owner.username"),
    Column("due_date", _("Due date")),
    Column("first_seen", _("First seen")),
]
