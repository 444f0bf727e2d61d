"""Views of the incidents app (the web UI engineer replaces this placeholder)."""

from __future__ import annotations

from hygie.apps.incidents.models import Incident
from hygie.web.views import ObjectDetailView, ObjectListView

__all__ = ["IncidentDetailView", "IncidentListView"]


class IncidentListView(ObjectListView):
    """Incidents."""

    model = Incident


class IncidentDetailView(ObjectDetailView):
    """One incident."""

    model = Incident
