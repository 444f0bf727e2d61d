"""Permission specs of the incidents app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

#: A route naming its node in the payload answers 404 to those who cannot see that node.
NODE_IN_PAYLOAD = frozenset({403, 404})


def _ago(hours: float) -> str:
    from django.utils import timezone

    return (timezone.now() - dt.timedelta(hours=hours)).isoformat()


def _open(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "title": f"Ransomware {MARK_A} again", "kind": "ransomware",
            "aware_at": _ago(2), "establishment_ids": [world.pk("node")], "activity_ids": [world.pk("careactivity")]}


def _log(world: World) -> dict[str, Any]:
    return {"text": f"Backups isolated {MARK_A}", "kind": "action", "corrects_id": world.pk("logentry")}


def _task(world: World) -> dict[str, Any]:
    return {"title": f"Review the VPN {MARK_A}", "kind": "action", "owner_id": world.pk("user"), "due": _ago(-240)}


def _evidence(_world: World) -> dict[str, Any]:
    return {"title": f"Screenshot {MARK_A}", "file": SimpleUploadedFile(f"{MARK_A}.txt", b"ransom note text\n")}


def _obligation(world: World) -> dict[str, Any]:
    return {"obligation": "ars", "done_at": _ago(1), "reference": f"ARS-{MARK_A}",
            "evidence_id": world.pk("incidentevidence")}


def _kit_args(world: World, side: str) -> dict[str, Any]:
    """The world's kit, with its HTML and PDF files written where the store keeps them (the world stores none)."""
    from hygie.apps.incidents.kit import kit_paths
    from hygie.apps.incidents.models import CrisisKit

    kit = world.get("crisiskit", side)
    if not kit.pdf_sha256:
        kit.pdf_sha256 = kit.html_sha256
        CrisisKit.objects.filter(pk=kit.pk).update(pdf_sha256=kit.pdf_sha256, pdf_size=20)
    html, pdf = kit_paths(kit)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(f"<p>{kit.node.name}</p>", encoding="utf-8")
    if pdf is not None:
        pdf.write_bytes(f"%PDF-1.4 {kit.node.name}".encode())
    return {"kit_id": kit.pk}


def _member(_world: World) -> dict[str, Any]:
    return {"role": "ars", "name": f"ARS duty {MARK_A}", "landline": "0800 000 000", "rank": 2}


def _shift(_world: World) -> dict[str, Any]:
    return {"starts_at": _ago(-24), "ends_at": _ago(-36)}


def _template(_world: World) -> dict[str, Any]:
    return {"audience": "press", "title": f"Press release {MARK_A}", "body": "{establishment} runs in degraded mode."}


API_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("GET", "/api/incidents/"): listing(),
    ("POST", "/api/incidents/"): write(ADD, _open, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/incidents/overdue"): listing(),
    ("GET", "/api/incidents/{incident_id}"): detail("incident"),
    ("PATCH", "/api/incidents/{incident_id}"): write(
        CHANGE, lambda _w: {"causes": f"Phished VPN account {MARK_A}", "severity": 4}, target="incident", success=200
    ),
    ("POST", "/api/incidents/{incident_id}/status"): write(
        CHANGE, lambda _w: {"status": "contained"}, target="incident", success=200
    ),
    ("GET", "/api/incidents/{incident_id}/clocks"): detail("incident", shows_name=False),
    ("GET", "/api/incidents/{incident_id}/log"): detail("incident"),
    ("POST", "/api/incidents/{incident_id}/log"): write(CHANGE, _log, target="incident", success=201),
    ("POST", "/api/incidents/{incident_id}/indicators"): write(
        CHANGE, lambda _w: {"kind": "ip", "value": "203.0.113.9"}, target="incident", success=201
    ),
    ("DELETE", "/api/incidents/indicators/{indicator_id}"): write(CHANGE, None, target="indicator", success=204),
    ("POST", "/api/incidents/{incident_id}/tasks"): write(CHANGE, _task, target="incident", success=201),
    ("PATCH", "/api/incidents/tasks/{task_id}"): write(
        CHANGE, lambda w: {"status": "done", "owner_id": w.pk("user")}, target="incidenttask", success=200
    ),
    ("POST", "/api/incidents/{incident_id}/lessons"): write(
        CHANGE, None, target="incident", success=200, writes=False
    ),
    ("POST", "/api/incidents/{incident_id}/evidence"): write(
        CHANGE, _evidence, target="incident", success=201, content="multipart"
    ),
    ("GET", "/api/incidents/evidence/{evidence_id}"): detail("incidentevidence"),
    ("POST", "/api/incidents/{incident_id}/obligations"): write(CHANGE, _obligation, target="incident", success=201),
    ("POST", "/api/incidents/{incident_id}/declarations"): write(
        CHANGE, lambda _w: {"kind": "cert_sante"}, target="incident", success=201
    ),
    ("GET", "/api/incidents/declarations/{declaration_id}"): detail("declaration"),
    ("GET", "/api/incidents/declarations/{declaration_id}/text"): detail("declaration"),
    ("GET", "/api/incidents/declarations/{declaration_id}/pdf"): detail("declaration", shows_name=False),
    ("POST", "/api/incidents/declarations/{declaration_id}/sent"): write(
        CHANGE, lambda _w: {"sent_at": _ago(1), "reference": f"CERT-{MARK_A}"}, target="declaration", success=200
    ),
    ("GET", "/api/incidents/{incident_id}/timeline"): detail("incident"),
    ("GET", "/api/incidents/statistics/{node_id}"): detail("node"),
    ("GET", "/api/incidents/profiles/{node_id}"): detail("node"),
    ("PUT", "/api/incidents/profiles/{node_id}"): write(
        CHANGE, lambda _w: {"nis2_status": "important", "insured": "yes", "insurer_notice_hours": 72},
        target="node", success=200
    ),
    # Crisis cell and kits (api_crisis.py): the same actions as the crisis-cell page.
    ("GET", "/api/incidents/cells/{node_id}"): detail("node"),
    ("PUT", "/api/incidents/cells/{node_id}"): write(
        CHANGE, lambda _w: {"meeting_place": f"Room {MARK_A}", "kit_daily": False}, target="node", success=200
    ),
    ("POST", "/api/incidents/cells/{node_id}/members"): write(ADD, _member, target="node", success=201),
    ("PATCH", "/api/incidents/members/{member_id}"): write(
        CHANGE, lambda _w: {"mobile": "+33 6 99 99 99 99"}, target="crisismember", success=200
    ),
    ("DELETE", "/api/incidents/members/{member_id}"): write(DELETE, None, target="crisismember", success=204),
    ("POST", "/api/incidents/members/{member_id}/shifts"): write(ADD, _shift, target="crisismember", success=201),
    ("DELETE", "/api/incidents/shifts/{shift_id}"): write(DELETE, None, target="dutyshift", success=204),
    ("POST", "/api/incidents/cells/{node_id}/templates"): write(ADD, _template, target="node", success=201),
    ("PATCH", "/api/incidents/templates/{template_id}"): write(
        CHANGE, lambda _w: {"title": f"Staff notice, updated {MARK_A}"}, target="communicationtemplate", success=200
    ),
    ("DELETE", "/api/incidents/templates/{template_id}"): write(
        DELETE, None, target="communicationtemplate", success=204
    ),
    ("GET", "/api/incidents/kits/"): listing(),
    ("POST", "/api/incidents/cells/{node_id}/kits"): write(ADD, None, target="node", success=201),
    ("GET", "/api/incidents/kits/{kit_id}/html"): detail("crisiskit", args=_kit_args),
    ("GET", "/api/incidents/kits/{kit_id}/pdf"): detail("crisiskit", args=_kit_args, shows_name=False),
}

#: Request-body fields holding ids of tenant objects, and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {
    "establishment_ids": "node",
    "site_ids": "node",
    "activity_ids": "careactivity",
    "corrects_id": "logentry",
    "evidence_id": "incidentevidence",
}
