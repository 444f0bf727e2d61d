"""Permission specs of the compliance app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_FOREIGN_ID_FIELDS", "UI_ROUTES"]


def _open(world: World) -> dict[str, Any]:
    # Node A already has its assessment of the world's framework: group A (above the framework's
    # owner, so in its branch) opens a new one.
    return {"node": world.tenants.group_a.pk, "framework": world.pk("framework")}


def _import(world: World) -> dict[str, Any]:
    document = {
        "id": "imported_policy",
        "name": f"Imported policy {MARK_A}",
        "version": "2",
        "language": "en",
        "source": {"reference": f"Policy {MARK_A}"},
        "sections": [{"id": "s1", "title": f"Section {MARK_A}"}],
        "requirements": [{"id": "s1.1", "section": "s1", "title": f"Requirement {MARK_A}"}],
    }
    # JSON is YAML: the file is read by the YAML reader like any framework file.
    content = json.dumps(document).encode()
    return {"node": world.pk("node"), "file": SimpleUploadedFile("policy.yaml", content, content_type="text/yaml")}


def _status(world: World) -> dict[str, Any]:
    return {
        "status": "met",
        "reason": "",
        "owner": world.pk("user"),
        "due_date": "2027-01-31",
        "comment": f"Checked {MARK_A}",
    }


def _upload(_world: World) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("policy.txt", f"Policy {MARK_A}\n".encode(), content_type="text/plain"),
        "title": f"Signed policy {MARK_A}",
        "note": "",
    }


def _link(world: World) -> dict[str, Any]:
    return {"title": f"Finding {MARK_A}", "url": "", "finding": world.pk("finding"), "note": ""}


def _remediation(world: World) -> dict[str, Any]:
    # The world's requirement is partially met: a gap.
    return {"items": [world.pk("requirementassessment")], "owner": world.pk("user"), "due_date": "2027-03-31"}


UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("compliance:overview", "GET"): page(VIEW),
    # Frameworks.
    ("compliance:framework_detail", "GET"): detail("framework"),
    ("compliance:framework_import", "GET"): page(ADD),
    ("compliance:framework_import", "POST"): write(ADD, _import),
    # Assessments.
    ("compliance:assessment_add", "GET"): page(ADD),
    ("compliance:assessment_add", "POST"): write(ADD, _open),
    ("compliance:assessment_detail", "GET"): detail("assessment"),
    ("compliance:assessment_export", "GET"): detail("assessment", query={"format": "csv"}),
    ("compliance:assessment_refresh", "POST"): write(CHANGE, None, target="assessment"),
    ("compliance:gap_list", "GET"): detail("assessment"),
    ("compliance:remediation", "POST"): write(CHANGE, _remediation, target="assessment"),
    ("compliance:rollup", "GET"): detail("node", query={"framework": f"local_{MARK_A}"}),
    # A requirement within an assessment, its evidence.
    ("compliance:item_detail", "GET"): detail("requirementassessment"),
    ("compliance:item_status", "POST"): write(CHANGE, _status, target="requirementassessment"),
    # The world's requirement has a measure no one confirmed yet.
    ("compliance:item_confirm", "POST"): write(CHANGE, None, target="requirementassessment"),
    ("compliance:evidence_upload", "POST"): write(CHANGE, _upload, target="requirementassessment"),
    ("compliance:evidence_link", "POST"): write(CHANGE, _link, target="requirementassessment"),
    # The world's evidence is a stored text file naming its tenant.
    ("compliance:evidence_download", "GET"): detail("evidence"),
    ("compliance:evidence_delete", "POST"): write(DELETE, None, target="evidence"),
}

#: Form fields of the compliance forms naming tenant objects, and their kind of world object.
UI_FOREIGN_ID_FIELDS: dict[str, str] = {
    "framework": "framework",
    "items": "requirementassessment",
    "finding": "finding",
    "directory_audit": "directoryaudit",
    "exposure_scan": "exposurescan",
    "exercise": "exercise",
}
