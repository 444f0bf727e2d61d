"""Permission specs of the continuity app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

#: A route naming its node in the payload answers 404 to those who cannot see that node.
NODE_IN_PAYLOAD = frozenset({403, 404})


def _exercise(world: World) -> dict[str, Any]:
    return {
        "node_id": world.pk("node"),
        "kind": "tabletop",
        "title": f"Crisis {MARK_A}",
        "planned_on": "2026-12-01",
        "entity_ids": [world.pk("node")],
        "activity_ids": [world.pk("careactivity")],
        "timings": [{"step": "Crisis cell convened", "planned_h": 1, "measured_h": 1.5}],
    }


def _backup_plan(world: World) -> dict[str, Any]:
    return {
        "system_id": world.pk("backupsystem"),
        "method": "incremental",
        "frequency_h": 12,
        "retention_days": 60,
        "copies": [
            {"site": f"Main {MARK_A}", "medium": "nas"},
            {"site": f"Vault {MARK_A}", "medium": "tape", "online": False, "frequency_h": 168},
        ],
    }


def _restore_test(world: World) -> dict[str, Any]:
    return {
        "date": "2026-01-15",
        "duration_h": 5.5,
        "to_production": True,
        "functional_check_by": "Dr A",
        "exercise_id": world.pk("exercise"),
    }


def _document(world: World) -> dict[str, Any]:
    """Tenant A's node model, its team one restore stronger (an allowed import changes something)."""
    from hygie.apps.continuity.document import model_document
    from hygie.apps.organizations.models import Node

    document = model_document(Node.objects.get(pk=world.pk("node")))
    for team in document["teams"]:
        team["capacity"] += 1
    return document


API_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("GET", "/api/continuity/teams"): listing(),
    ("GET", "/api/continuity/teams/{team_id}"): detail("recoveryteam"),
    ("GET", "/api/continuity/components"): listing(),
    ("GET", "/api/continuity/components/{component_id}"): detail("component"),
    ("PUT", "/api/continuity/components/{component_id}/backup-plan"): write(
        CHANGE, _backup_plan, target="component", success=200
    ),
    ("POST", "/api/continuity/components/{component_id}/restore-tests"): write(
        CHANGE, _restore_test, target="component", success=201
    ),
    ("GET", "/api/continuity/backup-systems"): listing(),
    ("GET", "/api/continuity/backup-systems/{system_id}"): detail("backupsystem"),
    ("GET", "/api/continuity/business-impacts"): listing(),
    ("GET", "/api/continuity/business-impacts/{impact_id}"): detail("businessimpact"),
    ("GET", "/api/continuity/scenarios"): listing(),
    ("GET", "/api/continuity/scenarios/{scenario_id}"): detail("recoveryscenario"),
    ("POST", "/api/continuity/scenarios/{scenario_id}/simulate"): write(
        ADD, lambda _w: {"runs": 20, "seed": 1}, target="recoveryscenario", success=202
    ),
    ("GET", "/api/continuity/simulations"): listing(),
    ("GET", "/api/continuity/simulations/{simulation_id}"): detail("simulation"),
    ("GET", "/api/continuity/exercises"): listing(),
    ("POST", "/api/continuity/exercises"): write(ADD, _exercise, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/continuity/exercises/{exercise_id}"): detail("exercise"),
    ("POST", "/api/continuity/exercises/{exercise_id}/actions"): write(
        ADD,
        lambda _w: {"title": f"Paper kit {MARK_A}", "severity": "high", "due_date": "2027-01-15"},
        target="exercise",
        success=201,
    ),
    ("GET", "/api/continuity/readiness/{node_id}"): detail("node"),
    ("GET", "/api/continuity/plan/{node_id}"): detail("node"),
    ("GET", "/api/continuity/export/{node_id}"): detail("node"),
    ("POST", "/api/continuity/import/{node_id}"): write(DELETE, _document, target="node", success=200),
}

#: Request-body id fields of the continuity API and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {
    "entity_ids": "node",
    "activity_ids": "careactivity",
    "system_id": "backupsystem",
    "exercise_id": "exercise",
}
