"""Permission specs of the awareness app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .registry_awareness_ui import GOPHISH_CSV, TRAINING_CSV
from .specs import RouteSpec, detail, listing, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

#: A route naming its node in the payload answers 404 to those who cannot see that node.
NODE_IN_PAYLOAD = frozenset({403, 404})


def _census(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "as_of": "2026-01-31", "headcounts": {"medical": 55, "it": 12}}


def _training(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.csv", TRAINING_CSV.encode())}


def _gophish(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "name": f"Campaign {MARK_A}",
            "file": SimpleUploadedFile(f"{MARK_A}.csv", GOPHISH_CSV.encode())}


API_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("GET", "/api/awareness/censuses"): listing(),
    ("POST", "/api/awareness/censuses"): write(ADD, _census, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/awareness/targets/{node_id}"): detail("node"),
    ("PUT", "/api/awareness/targets/{node_id}"): write(
        CHANGE, lambda _w: {"coverage_target_pct": 70, "click_ceiling_pct": 10}, target="node", success=200
    ),
    ("GET", "/api/awareness/coverage/{node_id}"): detail("node"),
    ("GET", "/api/awareness/rollup/{node_id}"): detail("node"),
    ("POST", "/api/awareness/check/{node_id}"): write(CHANGE, None, target="node", success=200),
    ("GET", "/api/awareness/sessions"): listing(),
    ("GET", "/api/awareness/sessions/{session_id}"): detail("trainingsession"),
    ("POST", "/api/awareness/import/training"): write(
        ADD, _training, success=200, refused=NODE_IN_PAYLOAD, content="multipart"
    ),
    ("GET", "/api/awareness/campaigns"): listing(),
    ("GET", "/api/awareness/campaigns/{campaign_id}"): detail("phishingcampaign"),
    ("POST", "/api/awareness/import/gophish"): write(
        ADD, _gophish, success=201, refused=NODE_IN_PAYLOAD, content="multipart"
    ),
}

#: Request-body id fields of the awareness API and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {}
