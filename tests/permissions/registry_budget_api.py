"""Permission specs of the budget app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World
from hygie.testing.world_budget import WORLD_YEAR

from .specs import RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

#: A route naming its node in the payload answers 404 to those who cannot see that node.
NODE_IN_PAYLOAD = frozenset({403, 404})
YEAR = {"year": str(WORLD_YEAR)}


def _year(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "year": WORLD_YEAR, "operating": "2 600 000,00", "investment": 850000,
            "notes": f"Budget {MARK_A} revised"}


def _project(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "year": WORLD_YEAR, "name": f"PACS renewal {MARK_A}", "state_funded": True,
            "funding_application_id": world.pk("fundingapplication"),
            "lines": [{"label": "Storage", "amount": "200 000,00"},
                      {"label": "Hardening", "amount": 15000, "cybersecurity": True}]}


def _project_put(world: World) -> dict[str, Any]:
    return {**_project(world), "name": f"DPI upgrade {MARK_A}"}


def _csv(world: World) -> dict[str, Any]:
    content = f"project;line;amount;cybersecurity\nLab {MARK_A};Servers;40 000,00;no\nLab {MARK_A};EDR;3 000;yes\n"
    return {"node_id": world.pk("node"), "year": WORLD_YEAR,
            "file": SimpleUploadedFile("projects.csv", content.encode(), content_type="text/csv")}


def _application(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "programme": "care_d2", "title": f"CaRE D2 {MARK_A}",
            "amount_requested": "45 000,00 €", "planned": {"applied": "2026-02-01"}}


API_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("GET", "/api/budget/programmes"): page(VIEW),
    ("GET", "/api/budget/years"): listing(),
    ("PUT", "/api/budget/years"): write(CHANGE, _year, success=200, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/budget/projects"): listing(),
    ("POST", "/api/budget/projects"): write(ADD, _project, success=201, refused=NODE_IN_PAYLOAD),
    ("POST", "/api/budget/projects/import"): write(ADD, _csv, success=201, content="multipart",
                                                   refused=NODE_IN_PAYLOAD),
    ("GET", "/api/budget/projects/{project_id}"): detail("itproject"),
    ("PUT", "/api/budget/projects/{project_id}"): write(CHANGE, _project_put, target="itproject", success=200),
    ("DELETE", "/api/budget/projects/{project_id}"): write(DELETE, None, target="itproject", success=204),
    ("GET", "/api/budget/applications"): listing(),
    ("POST", "/api/budget/applications"): write(ADD, _application, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/budget/applications/{application_id}"): detail("fundingapplication"),
    ("PATCH", "/api/budget/applications/{application_id}"): write(
        CHANGE, lambda _w: {"reference": f"ARS-{MARK_A}-2"}, target="fundingapplication", success=200
    ),
    ("PATCH", "/api/budget/milestones/{milestone_id}"): write(
        CHANGE, lambda _w: {"done_on": "2026-03-02", "note": "Filed"}, target="applicationmilestone", success=200
    ),
    ("GET", "/api/budget/applications/{application_id}/ars-file"): detail(
        "fundingapplication", shows_name=False, query={"format": "zip"}
    ),
    ("GET", "/api/budget/nodes/{node_id}/summary"): detail("node", query=YEAR),
    ("GET", "/api/budget/nodes/{node_id}/rollup"): detail("node", query=YEAR),
}

#: Request-body id fields of the budget API and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {"funding_application_id": "fundingapplication"}
