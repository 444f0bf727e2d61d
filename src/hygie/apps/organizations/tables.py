"""Columns of the organisation lists and exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.web.tables import Column

NODE_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("kind", _("Kind"), display=True),
    Column("parent", _("Parent"), accessor="parent.name"),
    Column("finess_ej", _("FINESS EJ")),
    Column("finess_eg", _("FINESS EG")),
    Column("category", _("Category"), display=True),
    Column("bed_count", _("Beds")),
    Column("activity_share", _("Activity share (%)")),
    Column("city", _("City")),
]
