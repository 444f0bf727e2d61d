"""Columns of the inventory lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

ASSET_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Owner node"), accessor="node.name"),
    Column("kind", _("Kind"), display=True),
    Column("vendor", _("Vendor")),
    Column("product", _("Product")),
    Column("version", _("Version")),
    Column("ip_addresses", _("IP addresses")),
    Column("criticality", _("Criticality"), display=True),
    Column("hosting", _("Hosting"), display=True),
    Column("owner", _("Business owner")),
]

APPLICATION_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Owner node"), accessor="node.name"),
    Column("category", _("Category"), display=True),
    Column("vendor", _("Vendor")),
    Column("criticality", _("Criticality"), display=True),
    Column("hosting", _("Hosting"), display=True),
    Column("owner", _("Business owner")),
]

CARE_ACTIVITY_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Owner node"), accessor="node.name"),
    Column("patient_impact", _("Patient impact"), display=True),
    Column("max_downtime_hours", _("Maximum tolerable downtime (hours)")),
]
