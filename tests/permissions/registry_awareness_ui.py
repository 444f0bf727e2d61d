"""Permission specs of the awareness app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]

TRAINING_CSV = (
    "email,first_name,last_name,category,establishment,session,completed_on\n"
    "a.nurse@chu.example,Ann,Nurse,paramedical,,Phishing basics,2026-01-15\n"
)
GOPHISH_CSV = (
    "id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position\n"
    "r1,Clicked Link,192.0.2.1,0,0,2026-01-10T09:00:00Z,false,2026-01-10T09:05:00Z,b@chu.example,B,C,Infirmier\n"
)


def _staff(_world: World) -> dict[str, Any]:
    as_of = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - a calendar date
    return {"as_of": as_of.isoformat(), "medical": 55, "paramedical": 120}


def _targets(_world: World) -> dict[str, Any]:
    return {"coverage_target_pct": "75", "click_ceiling_pct": "12.5"}


def _training(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.csv", TRAINING_CSV.encode())}


def _gophish(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"Campaign {MARK_A}",
            "file": SimpleUploadedFile(f"{MARK_A}.csv", GOPHISH_CSV.encode())}


UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("awareness:overview", "GET"): page(VIEW),
    ("awareness:node_overview", "GET"): detail("node"),
    ("awareness:rollup", "GET"): detail("node"),
    ("awareness:staff_edit", "GET"): detail("node", ADD),
    ("awareness:staff_edit", "POST"): write(ADD, _staff, target="node"),
    ("awareness:target_edit", "GET"): detail("node", CHANGE),
    ("awareness:target_edit", "POST"): write(CHANGE, _targets, target="node"),
    ("awareness:check", "POST"): write(CHANGE, None, target="node"),
    ("awareness:session_list", "GET"): listing(),
    ("awareness:session_detail", "GET"): detail("trainingsession"),
    ("awareness:campaign_list", "GET"): listing(),
    ("awareness:campaign_detail", "GET"): detail("phishingcampaign"),
    ("awareness:training_import", "GET"): page(ADD),
    ("awareness:training_import", "POST"): write(ADD, _training),
    ("awareness:gophish_import", "GET"): page(ADD),
    ("awareness:gophish_import", "POST"): write(ADD, _gophish),
}

#: Form fields of the awareness forms naming tenant objects, and their kind of world object.
UI_FOREIGN_ID_FIELDS: dict[str, str] = {}
