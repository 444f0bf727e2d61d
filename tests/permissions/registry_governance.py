"""Route specs of the governance apps (compliance, budget, awareness) and incidents, merged for ``registry``."""

from __future__ import annotations

from . import (
    registry_awareness_api,
    registry_awareness_ui,
    registry_budget_api,
    registry_budget_ui,
    registry_compliance_api,
    registry_compliance_ui,
    registry_incidents_api,
    registry_incidents_ui,
)
from .specs import RouteSpec

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS", "UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]

_UI = (registry_compliance_ui, registry_budget_ui, registry_awareness_ui, registry_incidents_ui)
_API = (registry_compliance_api, registry_budget_api, registry_awareness_api, registry_incidents_api)

UI_ROUTES: dict[tuple[str, str], RouteSpec] = {key: spec for module in _UI for key, spec in module.UI_ROUTES.items()}
API_ROUTES: dict[tuple[str, str], RouteSpec] = {key: spec for module in _API for key, spec in module.API_ROUTES.items()}
FOREIGN_ID_FIELDS: dict[str, str] = {name: kind for module in _API for name, kind in module.FOREIGN_ID_FIELDS.items()}
UI_FOREIGN_ID_FIELDS: dict[str, str] = {
    name: kind for module in _UI for name, kind in module.UI_FOREIGN_ID_FIELDS.items()
}
