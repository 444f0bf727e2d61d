"""Columns of the directory lists and CSV exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

AUDIT_COLUMNS = [
    Column("domain", _("Domain"), accessor="__str__", link=True),
    Column("node", _("Node"), accessor="node.name"),
    Column("source", _("Source"), display=True),
    Column("status", _("Status"), display=True, badge="status"),
    Column("level", _("ANSSI level")),
    Column("score", _("Risk score")),
    Column("finding_count", _("Findings")),
    Column("collected", _("Collected")),
]

CREDENTIAL_COLUMNS = [
    Column("label", _("Label"), link=True),
    Column("node", _("Owner node"), accessor="node.name"),
    Column("url", _("LDAP URL")),
    Column("bind_user", _("Bind user")),
    Column("verify", _("Verify certificate")),
]
