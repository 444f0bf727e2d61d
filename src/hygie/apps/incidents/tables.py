"""Columns of the incident list and its CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.web.tables import Column

__all__ = ["INCIDENT_COLUMNS", "OverdueColumn"]


@dataclass(frozen=True)
class OverdueColumn(Column):
    """The incident's overdue regulatory clocks, computed from the rules at the time of the request."""

    def value(self, obj: Any) -> Any:
        """Titles of the overdue obligations ("" when none)."""
        from django.utils.translation import get_language

        from hygie.apps.incidents.services import overdue_clocks

        late = overdue_clocks([obj])
        if not late:
            return ""
        language = get_language() or "en"
        titles = ", ".join(clock.rule.title_in(language) for _incident, clock in late)
        return _("%(count)d overdue: %(titles)s") % {"count": len(late), "titles": titles}


INCIDENT_COLUMNS = [
    Column("reference", gettext_lazy("Reference"), link=True),
    Column("title", gettext_lazy("Title"), link=True),
    Column("node", gettext_lazy("Handled by"), accessor="node.name"),
    Column("kind", gettext_lazy("Type"), display=True),
    Column("severity", gettext_lazy("Severity"), display=True),
    Column("status", gettext_lazy("Status"), display=True),
    Column("aware_at", gettext_lazy("Aware since")),
    OverdueColumn("overdue", gettext_lazy("Overdue clocks")),
]
