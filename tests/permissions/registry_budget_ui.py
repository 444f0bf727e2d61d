"""Permission specs of the budget app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World
from hygie.testing.world_budget import WORLD_YEAR

from .specs import RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]

YEAR = {"year": str(WORLD_YEAR)}


def _year(_world: World) -> dict[str, Any]:
    return {"year": WORLD_YEAR, "operating": "2 600 000,00", "investment": "850 000", "cyber_operating": "95 000,50",
            "cyber_investment": "", "hospital_operating": "", "notes": f"Budget {MARK_A} revised"}


def _project(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "year": WORLD_YEAR, "name": f"PACS renewal {MARK_A}", "description": "",
            "status": "planned", "state_funded": "on", "funding_application": world.pk("fundingapplication"),
            "lines_text": "Storage | 200 000,00 | no\nHardening | 15 000 | yes"}


def _project_edit(world: World) -> dict[str, Any]:
    return {**_project(world), "name": f"DPI upgrade {MARK_A}"}


def _csv(world: World) -> dict[str, Any]:
    content = f"project;line;amount;cybersecurity\nLab {MARK_A};Servers;40 000,00;no\nLab {MARK_A};EDR;3 000;yes\n"
    return {"node": world.pk("node"), "year": WORLD_YEAR,
            "file": SimpleUploadedFile("projects.csv", content.encode(), content_type="text/csv")}


def _application(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "programme_key": "care_d2", "title": f"CaRE D2 {MARK_A}", "reference": "",
            "amount_requested": "45 000,00", "notes": "", "planned_applied": "2026-02-01"}


def _milestone(_world: World) -> dict[str, Any]:
    done = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - a calendar date
    return {"planned_on": "2026-03-01", "done_on": done.isoformat(), "amount": "", "note": f"Filed {MARK_A}"}


UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("budget:overview", "GET"): page(VIEW),
    ("budget:node_overview", "GET"): detail("node", query=YEAR),
    ("budget:year_edit", "GET"): detail("node", CHANGE, query=YEAR),
    ("budget:year_edit", "POST"): write(CHANGE, _year, target="node"),
    ("budget:rollup", "GET"): detail("node", query=YEAR),
    ("budget:programme_list", "GET"): page(VIEW),
    ("budget:project_list", "GET"): listing(),
    ("budget:project_add", "GET"): page(ADD),
    ("budget:project_add", "POST"): write(ADD, _project),
    ("budget:project_import", "GET"): page(ADD),
    ("budget:project_import", "POST"): write(ADD, _csv),
    ("budget:project_detail", "GET"): detail("itproject"),
    ("budget:project_edit", "GET"): detail("itproject", CHANGE),
    ("budget:project_edit", "POST"): write(CHANGE, _project_edit, target="itproject"),
    ("budget:application_list", "GET"): listing(),
    ("budget:application_add", "GET"): page(ADD),
    ("budget:application_add", "POST"): write(ADD, _application),
    ("budget:application_detail", "GET"): detail("fundingapplication"),
    ("budget:ars_file", "GET"): detail("fundingapplication", shows_name=False, query={"format": "pdf"}),
    ("budget:milestone_edit", "POST"): write(CHANGE, _milestone, target="applicationmilestone"),
}

#: Form fields of the budget forms naming tenant objects, and their kind of world object.
UI_FOREIGN_ID_FIELDS: dict[str, str] = {"funding_application": "fundingapplication"}
