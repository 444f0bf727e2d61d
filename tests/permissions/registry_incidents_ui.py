"""Permission specs of the incidents app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]


def _ago(hours: float) -> str:
    """A past moment as a ``datetime-local`` value on the server's wall clock."""
    return timezone.localtime(timezone.now() - dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _open(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "title": f"Outage {MARK_A} new", "kind": "outage", "severity": 3,
            "aware_at": _ago(2), "significant": "on", "activities": [world.pk("careactivity")],
            "applications": [world.pk("application")], "findings": [world.pk("finding")]}


def _log(_world: World) -> dict[str, Any]:
    return {"kind": "decision", "text": "Isolate the backup network.", "occurred_at": _ago(1)}


def _done(_world: World) -> dict[str, Any]:
    # The world's incident A has CERT Santé done; the ARS information is still due.
    return {"obligation": "ars", "done_at": _ago(1), "reference": "ARS duty officer by phone"}


def _task(world: World) -> dict[str, Any]:
    return {"kind": "response", "title": "Restore the DPI", "owner": world.pk("user")}


def _evidence(_world: World) -> dict[str, Any]:
    return {"title": "Firewall extract", "file": SimpleUploadedFile("extract.txt", b"deny 203.0.113.9\n")}


def _sent(_world: World) -> dict[str, Any]:
    return {"sent_at": _ago(0.5), "reference": "Portal receipt 42"}


def _member(_world: World) -> dict[str, Any]:
    return {"role": "director", "rank": 1, "name": "Director on call", "mobile": "+33 6 11 11 11 11"}


def _shift(world: World) -> dict[str, Any]:
    return {"member": world.pk("crisismember"), "starts_at": _ago(1), "ends_at": _ago(-24)}


def _template(_world: World) -> dict[str, Any]:
    return {"audience": "press", "title": "Press release", "body": "{establishment} is running in degraded mode."}


def _node_args(world: World, side: str) -> dict[str, Any]:
    return {"node": world.pk("node", side)}


def _kit_args(world: World, side: str) -> dict[str, Any]:
    """The world's kit, with its HTML file written where the store keeps it (the world stores no file)."""
    from hygie.apps.incidents.kit import kit_paths

    kit = world.get("crisiskit", side)
    html, _pdf = kit_paths(kit)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(f"<p>{kit.node.name}</p>", encoding="utf-8")
    return {"pk": kit.pk}


UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("incidents:incident_list", "GET"): listing(),
    ("incidents:incident_open", "GET"): page(ADD),
    ("incidents:incident_open", "POST"): write(ADD, _open),
    ("incidents:incident_detail", "GET"): detail("incident"),
    ("incidents:incident_status", "POST"): write(CHANGE, lambda _w: {"status": "contained"}, target="incident"),
    ("incidents:incident_lessons", "POST"): write(CHANGE, lambda _w: {"lessons_learned": "Segment the network."},
                                                  target="incident"),
    ("incidents:timeline_export", "GET"): detail("incident"),
    ("incidents:log_add", "GET"): detail("incident", ADD, shows_name=False),
    ("incidents:log_add", "POST"): write(ADD, _log, target="incident"),
    ("incidents:obligation_done", "POST"): write(CHANGE, _done, target="incident"),
    ("incidents:task_add", "POST"): write(ADD, _task, target="incident"),
    # The world's incident has no post-incident action yet: an allowed call may have nothing to register.
    ("incidents:actions_to_findings", "POST"): write(ADD, None, target="incident", writes=False),
    ("incidents:indicator_add", "POST"): write(ADD, lambda _w: {"kind": "ip", "value": "203.0.113.9"},
                                               target="incident"),
    ("incidents:evidence_upload", "POST"): write(ADD, _evidence, target="incident"),
    ("incidents:declaration_generate", "POST"): write(ADD, lambda _w: {"kind": "cert_sante"}, target="incident"),
    ("incidents:task_status", "POST"): write(CHANGE, lambda _w: {"status": "done"}, target="incidenttask"),
    ("incidents:evidence_download", "GET"): detail("incidentevidence"),
    ("incidents:declaration_download", "GET"): detail("declaration"),
    ("incidents:declaration_sent", "POST"): write(CHANGE, _sent, target="declaration"),
    ("incidents:crisis_cell", "GET"): detail("node"),
    ("incidents:cell_edit", "POST"): write(CHANGE, lambda _w: {"meeting_place": "Room B12", "kit_daily": "on"},
                                           target="node"),
    ("incidents:profile_edit", "POST"): write(CHANGE, lambda _w: {"nis2_status": "important", "insured": "yes"},
                                              target="node"),
    ("incidents:member_add", "POST"): write(ADD, _member, target="node", args=_node_args),
    ("incidents:shift_add", "POST"): write(ADD, _shift, target="node"),
    ("incidents:template_add", "POST"): write(ADD, _template, target="node", args=_node_args),
    ("incidents:kit_generate", "POST"): write(ADD, None, target="node"),
    ("incidents:statistics", "GET"): detail("node"),
    ("incidents:member_edit", "POST"): write(CHANGE, _member, target="crisismember"),
    ("incidents:member_delete", "GET"): detail("crisismember", DELETE),
    ("incidents:member_delete", "POST"): write(DELETE, None, target="crisismember"),
    ("incidents:shift_delete", "GET"): detail("dutyshift", DELETE, shows_name=False),
    ("incidents:shift_delete", "POST"): write(DELETE, None, target="dutyshift"),
    ("incidents:template_edit", "POST"): write(CHANGE, _template, target="communicationtemplate"),
    ("incidents:template_delete", "GET"): detail("communicationtemplate", DELETE),
    ("incidents:template_delete", "POST"): write(DELETE, None, target="communicationtemplate"),
    ("incidents:kit_download", "GET"): detail("crisiskit", args=_kit_args),
}

#: Form fields naming tenant objects (beyond those of ``registry.UI_FOREIGN_ID_FIELDS``).
UI_FOREIGN_ID_FIELDS: dict[str, str] = {
    "establishments": "node",
    "sites": "node",
    "activities": "careactivity",
    "findings": "finding",
    "corrects": "logentry",
    "member": "crisismember",
}
