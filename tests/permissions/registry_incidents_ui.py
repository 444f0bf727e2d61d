"""Permission specs of the incidents app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

from hygie.apps.accounts.permissions import Action

from .specs import RouteSpec, detail, listing

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]

UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("incidents:incident_list", "GET"): listing(),
    ("incidents:incident_detail", "GET"): detail("incident"),
}

#: Form fields naming tenant objects (beyond those of ``registry.UI_FOREIGN_ID_FIELDS``).
UI_FOREIGN_ID_FIELDS: dict[str, str] = {}
