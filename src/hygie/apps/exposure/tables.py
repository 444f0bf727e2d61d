"""Columns of the exposure lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

SCAN_COLUMNS = [
    Column("label", _("Scan"), accessor="__str__", link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("source", _("Source"), display=True),
    Column("status", _("Status"), display=True, badge="status"),
    Column("score", _("Exposure score")),
    Column("service_count", _("Services")),
    Column("finding_count", _("Findings")),
    Column("scanned_at", _("Scanned")),
]

PERIMETER_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("authorised_by", _("Authorised by")),
    Column("valid_until", _("Valid until")),
    Column("interval_days", _("Every (days)")),
    Column("next_run_at", _("Next scan")),
    Column("enabled", _("Enabled")),
]
