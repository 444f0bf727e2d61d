"""Permission specs of the continuity app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

API_ROUTES: dict[tuple[str, str], RouteSpec] = {}

#: Request-body id fields of the continuity API and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {}
