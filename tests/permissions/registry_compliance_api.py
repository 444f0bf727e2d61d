"""Permission specs of the compliance app's API routes (merged into ``registry.API_ROUTES``)."""

from __future__ import annotations

from typing import Any

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["API_ROUTES", "FOREIGN_ID_FIELDS"]

#: A route naming its node in the payload answers 404 to those who cannot see that node.
NODE_IN_PAYLOAD = frozenset({403, 404})


def _framework_upload(world: World) -> dict[str, Any]:
    document = {
        "id": "imported_policy",
        "name": f"Imported policy {MARK_A}",
        "version": "2",
        "source": {"reference": "Internal policy"},
        "language": "fr",
        "sections": [{"id": "s1", "title": "Governance"}],
        "requirements": [{"id": "r1", "section": "s1", "title": "A named CISO"}],
    }
    content = yaml.safe_dump(document, allow_unicode=True).encode()
    return {"node_id": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.yaml", content)}


def _new_assessment(world: World) -> dict[str, Any]:
    """A shipped framework the world's node has not assessed yet (stored before the call is measured)."""
    from hygie.apps.compliance.catalogue import sync_shipped

    framework = next(stored for stored in sync_shipped(only=["nis2_art21"]))
    return {"node_id": world.pk("node"), "framework_id": framework.pk}


def _evidence_upload(_world: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(f"minutes-{MARK_A}.txt", b"Committee minutes\n"), "title": "Minutes"}


API_ROUTES: dict[tuple[str, str], RouteSpec] = {
    ("GET", "/api/compliance/frameworks"): listing(),
    ("GET", "/api/compliance/frameworks/{framework_id}"): detail("framework"),
    ("POST", "/api/compliance/frameworks/import"): write(
        ADD, _framework_upload, success=201, content="multipart", refused=NODE_IN_PAYLOAD
    ),
    ("GET", "/api/compliance/assessments"): listing(),
    ("POST", "/api/compliance/assessments"): write(ADD, _new_assessment, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/compliance/assessments/{assessment_id}"): detail("assessment"),
    ("POST", "/api/compliance/assessments/{assessment_id}/refresh"): write(
        CHANGE, None, target="assessment", success=200
    ),
    ("GET", "/api/compliance/assessments/{assessment_id}/export"): detail("assessment", query={"format": "csv"}),
    ("GET", "/api/compliance/assessments/{assessment_id}/gaps"): detail("assessment"),
    ("POST", "/api/compliance/assessments/{assessment_id}/remediation"): write(
        ADD, lambda w: {"item_ids": [w.pk("requirementassessment")], "due_date": "2027-06-30"},
        target="assessment", success=201,
    ),
    ("GET", "/api/compliance/rollup/{node_id}"): detail("node", query={"framework": f"local_{MARK_A}"}),
    ("PATCH", "/api/compliance/items/{item_id}"): write(
        CHANGE, lambda _w: {"status": "met", "comment": f"Checked {MARK_A}"}, target="requirementassessment",
        success=200,
    ),
    ("POST", "/api/compliance/items/{item_id}/confirm"): write(
        CHANGE, None, target="requirementassessment", success=200
    ),
    ("POST", "/api/compliance/items/{item_id}/evidence"): write(
        CHANGE, _evidence_upload, target="requirementassessment", success=201, content="multipart"
    ),
    ("POST", "/api/compliance/items/{item_id}/links"): write(
        CHANGE, lambda w: {"title": f"Audit {MARK_A}", "directory_audit_id": w.pk("directoryaudit")},
        target="requirementassessment", success=201,
    ),
    ("GET", "/api/compliance/evidence/{evidence_id}/download"): detail("evidence"),
    ("DELETE", "/api/compliance/evidence/{evidence_id}"): write(DELETE, None, target="evidence", success=204),
}

#: Request-body id fields of the compliance API and the kind of world object they name.
FOREIGN_ID_FIELDS: dict[str, str] = {
    "framework_id": "framework",
    "item_ids": "requirementassessment",
    "directory_audit_id": "directoryaudit",
    "exposure_scan_id": "exposurescan",
    "exercise_id": "exercise",
}
