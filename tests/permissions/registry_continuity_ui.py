"""Permission specs of the continuity app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_ROUTES"]

UI_ROUTES: dict[tuple[str, str], RouteSpec] = {}
