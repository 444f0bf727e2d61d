"""Permission specs of the compliance app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

from hygie.apps.accounts.permissions import Action

from .specs import RouteSpec

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]

UI_ROUTES: dict[tuple[str, str], RouteSpec] = {}

#: Form fields of the compliance forms naming tenant objects, and their kind of world object.
UI_FOREIGN_ID_FIELDS: dict[str, str] = {}
