"""Permission specs of the incidents app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

from hygie.apps.accounts.permissions import Action

from .specs import RouteSpec

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

API_ROUTES: dict[tuple[str, str], RouteSpec] = {}

#: Request-body fields holding ids of tenant objects, and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {}
