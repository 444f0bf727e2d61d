"""Columns of the detection lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

ALERT_COLUMNS = [
    Column("rule_title", _("Rule"), accessor="rule_title", link=True),
    Column("level", _("Level"), display=True),
    Column("status", _("Status"), display=True, badge="status"),
    Column("computer", _("Host")),
    Column("asset", _("Asset"), accessor="asset.name"),
    Column("timestamp", _("Event time")),
    Column("event_id", _("Event id")),
    Column("source", _("Log source"), accessor="source.name"),
    Column("node", _("Node"), accessor="node.name"),
]

SOURCE_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("kind", _("Kind"), display=True),
    Column("host_names", _("Hosts"), accessor="host_list"),
    Column("watched_folder", _("Watched folder")),
    Column("last_ingested_at", _("Last ingestion")),
    Column("enabled", _("Enabled")),
]

HUNT_COLUMNS = [
    Column("label", _("Hunt"), accessor="__str__", link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("status", _("Status"), display=True, badge="status"),
    Column("events", _("Events")),
    Column("detection_count", _("Detections")),
    Column("new_alert_count", _("New alerts")),
    Column("created", _("Created")),
]

PACK_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("description", _("Description")),
]
