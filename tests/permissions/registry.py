"""The route registry: the permission contract of every route of the web UI and the REST API.

A route added to the URL configuration or to the API without an entry here makes
``tests/permissions/test_registry.py`` fail, naming the route. To cover a new route, add one line
per HTTP method: the action it needs, the kind of world object its URL names (see
``hygie.testing.world``) and, when it writes, a valid payload for tenant A.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.accounts.permissions import Action, Role
from hygie.testing.tenants import PASSWORD
from hygie.testing.world import MARK_A, World

from . import registry_continuity_api, registry_continuity_ui, registry_governance
from .specs import AUTHENTICATED, PUBLIC, RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE
MANAGE_USERS, VIEW_AUDIT = Action.MANAGE_USERS, Action.VIEW_AUDIT

#: Framework routes left out of the matrix, each with the reason. Keep this list short.
SKIPPED_UI: dict[str, str] = {}


# --- Payloads (always for tenant A; the matrix swaps the URL, not the payload, for tenant B) ---

def _node_form(world: World) -> dict[str, Any]:
    return {"kind": "establishment", "name": f"Clinique {MARK_A} bis", "parent": world.tenants.group_a.pk,
            "city": "Lyon"}


def _node_edit_form(world: World) -> dict[str, Any]:
    return {"kind": "establishment", "name": f"Clinique {MARK_A} renamed", "parent": world.tenants.group_a.pk,
            "city": "Bron"}


def _role_form(world: World) -> dict[str, Any]:
    return {"user": world.tenants.no_role.pk, "role": Role.VIEWER, "node": world.tenants.group_a.pk}


def _login_form(world: World) -> dict[str, Any]:
    return {"username": world.user("viewer").username, "password": PASSWORD}


def _node_api(world: World) -> dict[str, Any]:
    return {"kind": "establishment", "name": f"Clinique {MARK_A} API", "parent_id": world.tenants.group_a.pk}


def _asset_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"srv-{MARK_A}-new", "kind": "server", "criticality": 2,
            "hosting": "on_premise", "ip_addresses": "10.0.0.9"}


def _asset_edit_form(world: World) -> dict[str, Any]:
    return {**_asset_form(world), "name": f"srv-{MARK_A}-renamed"}


def _application_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"PACS {MARK_A}", "category": "pacs", "criticality": 3,
            "hosting": "on_premise", "assets": [world.pk("asset")], "depends_on": [world.pk("application")]}


def _application_edit_form(world: World) -> dict[str, Any]:
    return {**_application_form(world), "name": f"DPI {MARK_A} renamed", "depends_on": []}


def _careactivity_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"Maternity {MARK_A}", "patient_impact": 4,
            "applications": [world.pk("application")]}


def _careactivity_edit_form(world: World) -> dict[str, Any]:
    return {**_careactivity_form(world), "name": f"Urgences {MARK_A} renamed"}


def _csv(world: World) -> dict[str, Any]:
    content = f"name,node,kind\nsrv-{MARK_A}-imported,{world.pk('node')},server\n".encode()
    return {"file": SimpleUploadedFile("assets.csv", content, content_type="text/csv")}


def _manual_finding_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "slug": "open_share", "title": f"Open share {MARK_A}", "severity": "high",
            "asset": world.pk("asset")}


def _status_form(world: World) -> dict[str, Any]:
    return {"status": "in_remediation", "owner": world.pk("user"), "comment": "Patch planned"}


def _manual_finding_api(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "slug": "open_share", "title": f"Open share {MARK_A}", "severity": "high",
            "asset_id": world.pk("asset")}


def _ingest_api(world: World) -> dict[str, Any]:
    finding = {"check_id": "directory.stale_account", "title": f"Stale account {MARK_A}", "severity": "medium",
               "affected": [{"kind": "account", "name": "alice"}]}
    return {"node_id": world.pk("node"), "source": "directory", "findings": [finding]}


def _directory_upload(world: World) -> dict[str, Any]:
    from hygie.apps.directory.tests.collections import collection_zip

    return {"node": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.zip", collection_zip())}


def _directory_upload_api(world: World) -> dict[str, Any]:
    from hygie.apps.directory.tests.collections import collection_zip

    return {"node_id": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.zip", collection_zip())}


_NMAP = (b'<?xml version="1.0"?><nmaprun scanner="nmap" start="1700000000"><host><address addr="192.0.2.9" '
         b'addrtype="ipv4"/><ports><port protocol="tcp" portid="3389"><state state="open"/></port></ports></host>'
         b"</nmaprun>")


def _exposure_import(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.xml", _NMAP)}


def _exposure_import_api(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "file": SimpleUploadedFile(f"{MARK_A}.xml", _NMAP)}


def _perimeter_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"Perimeter {MARK_A}", "entries": "198.51.100.0/24",
            "authorised_by": "CISO", "valid_until": "2099-01-01T00:00", "ports": "hospital", "rate": 300,
            "host_concurrency": 2, "host_connection_cap": 3000, "connect_timeout": 2, "probe_timeout": 8,
            "retries": 1, "resolver_port": 53, "enabled": "on"}


def _perimeter_api(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "name": f"Perimeter {MARK_A}", "entries": "198.51.100.0/24",
            "authorised_by": "CISO", "valid_until": "2099-01-01T00:00:00+00:00"}


def _log_source_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"Winlogbeat {MARK_A}", "kind": "winlogbeat", "host_names": "srv-a",
            "watched_folder": "", "enabled": "on"}


_SYSMON_LINE = (b'{"Event": {"System": {"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, '
                b'"Computer": "srv-a", "EventRecordID": 1}, "EventData": {"Image": "C:\\\\x.exe"}}}\n')


def _log_upload(world: World) -> dict[str, Any]:
    return {"source": world.pk("logsource"), "file": SimpleUploadedFile(f"{MARK_A}.jsonl", _SYSMON_LINE)}


_SIGMA_RULE = b"""title: Registry test rule
id: 0f3b1d0e-5f55-4b8e-9d3a-1c2b3d4e5f60
logsource:
  product: windows
  service: sysmon
detection:
  selection:
    EventID: 1
  condition: selection
level: low
"""


def _pack_upload(world: World) -> dict[str, Any]:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rules/test.yml", _SIGMA_RULE)
    return {"node": world.pk("node"), "name": f"Pack {MARK_A}", "description": "",
            "file": SimpleUploadedFile("rules.zip", buffer.getvalue())}


def _credential_form(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "label": f"DC2 {MARK_A}", "url": "ldaps://dc2.chu.local",
            "bind_user": "audit", "new_password": "secret", "verify": "on"}


def _credential_api(world: World) -> dict[str, Any]:
    return {"node_id": world.pk("node"), "label": f"DC2 {MARK_A}", "url": "ldaps://dc2.chu.local",
            "bind_user": "audit", "password": "secret"}


#: An API route naming its node in the payload: 404 when the caller cannot see the node, else 403.
NODE_IN_PAYLOAD = frozenset({403, 404})

UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    # Framework and session routes.
    ("login", "GET"): page(PUBLIC),
    ("login", "POST"): write(PUBLIC, _login_form, writes=False),
    # Django's form views answer PUT like POST, but PUT bodies never fill request.POST: the form redisplays.
    ("login", "PUT"): page(PUBLIC),
    ("logout", "POST"): write(PUBLIC, None, writes=False),
    ("set_language", "POST"): write(PUBLIC, lambda _w: {"language": "fr", "next": "/"}, writes=False),
    ("home", "GET"): page(VIEW),
    # Organisation tree.
    ("organizations:node_list", "GET"): listing(),
    ("organizations:node_add", "GET"): page(ADD),
    ("organizations:node_add", "POST"): write(ADD, _node_form),
    ("organizations:node_detail", "GET"): detail("node"),
    ("organizations:node_edit", "GET"): detail("node", CHANGE),
    ("organizations:node_edit", "POST"): write(CHANGE, _node_edit_form, target="node"),
    # Accounts: audit log, roles, tokens.
    ("accounts:audit_list", "GET"): listing(VIEW_AUDIT),
    ("accounts:audit_detail", "GET"): detail("auditevent", VIEW_AUDIT),
    ("accounts:role_list", "GET"): listing(MANAGE_USERS),
    ("accounts:role_add", "GET"): page(MANAGE_USERS),
    ("accounts:role_add", "POST"): write(MANAGE_USERS, _role_form),
    ("accounts:role_delete", "POST"): write(MANAGE_USERS, None, target="roleassignment"),
    ("accounts:tokens", "GET"): page(AUTHENTICATED),
    ("accounts:tokens", "POST"): write(AUTHENTICATED, lambda _w: {"name": "ci"}, success=200),
    # Inventory.
    ("inventory:asset_list", "GET"): listing(),
    ("inventory:asset_add", "GET"): page(ADD),
    ("inventory:asset_add", "POST"): write(ADD, _asset_form),
    ("inventory:asset_import", "GET"): page(ADD),
    ("inventory:asset_import", "POST"): write(ADD, _csv, success=200),
    ("inventory:asset_detail", "GET"): detail("asset"),
    ("inventory:asset_edit", "GET"): detail("asset", CHANGE),
    ("inventory:asset_edit", "POST"): write(CHANGE, _asset_edit_form, target="asset"),
    ("inventory:asset_delete", "GET"): detail("asset", DELETE),
    ("inventory:asset_delete", "POST"): write(DELETE, None, target="asset"),
    ("inventory:application_list", "GET"): listing(),
    ("inventory:application_add", "GET"): page(ADD),
    ("inventory:application_add", "POST"): write(ADD, _application_form),
    ("inventory:application_import", "GET"): page(ADD),
    ("inventory:application_import", "POST"): write(ADD, lambda w: {
        "file": SimpleUploadedFile("apps.csv", f"name,node,category\nRIS {MARK_A},{w.pk('node')},pacs\n".encode()),
    }, success=200),
    ("inventory:application_detail", "GET"): detail("application"),
    ("inventory:application_edit", "GET"): detail("application", CHANGE),
    ("inventory:application_edit", "POST"): write(CHANGE, _application_edit_form, target="application"),
    ("inventory:application_delete", "GET"): detail("application", DELETE),
    ("inventory:application_delete", "POST"): write(DELETE, None, target="application"),
    ("inventory:careactivity_list", "GET"): listing(),
    ("inventory:careactivity_add", "GET"): page(ADD),
    ("inventory:careactivity_add", "POST"): write(ADD, _careactivity_form),
    ("inventory:careactivity_import", "GET"): page(ADD),
    ("inventory:careactivity_import", "POST"): write(ADD, lambda w: {
        "file": SimpleUploadedFile("care.csv", f"name,node\nDialysis {MARK_A},{w.pk('node')}\n".encode()),
    }, success=200),
    ("inventory:careactivity_detail", "GET"): detail("careactivity"),
    ("inventory:careactivity_edit", "GET"): detail("careactivity", CHANGE),
    ("inventory:careactivity_edit", "POST"): write(CHANGE, _careactivity_edit_form, target="careactivity"),
    ("inventory:careactivity_delete", "GET"): detail("careactivity", DELETE),
    ("inventory:careactivity_delete", "POST"): write(DELETE, None, target="careactivity"),
    # Findings.
    ("findings:finding_list", "GET"): listing(),
    ("findings:finding_add", "GET"): page(ADD),
    ("findings:finding_add", "POST"): write(ADD, _manual_finding_form),
    ("findings:remediation_plan", "GET"): listing(),
    ("findings:finding_detail", "GET"): detail("finding"),
    ("findings:finding_status", "POST"): write(CHANGE, _status_form, target="finding"),
    ("findings:export_job", "POST"): write(VIEW, lambda w: {"node": w.pk("node"), "query": "severity=critical"}),
    # Jobs.
    ("jobs:job_list", "GET"): listing(),
    ("jobs:job_detail", "GET"): detail("job"),
    ("jobs:job_download", "GET"): detail("job"),
    # Directory audits; credentials are managed by managers and administrators (the delete right).
    ("directory:audit_list", "GET"): listing(),
    ("directory:audit_upload", "GET"): page(ADD),
    ("directory:audit_upload", "POST"): write(ADD, _directory_upload),
    ("directory:audit_run", "GET"): page(ADD),
    ("directory:audit_run", "POST"): write(ADD, lambda w: {"credential": w.pk("directorycredential")}),
    ("directory:audit_detail", "GET"): detail("directoryaudit"),
    ("directory:audit_diff", "GET"): detail("directoryaudit"),
    ("directory:audit_paths", "GET"): detail("directoryaudit"),
    ("directory:audit_report", "GET"): detail("directoryaudit", query={"format": "html"}),
    ("directory:credential_list", "GET"): listing(DELETE),
    ("directory:credential_add", "GET"): page(DELETE),
    ("directory:credential_add", "POST"): write(DELETE, _credential_form),
    ("directory:credential_detail", "GET"): detail("directorycredential", DELETE),
    ("directory:credential_edit", "GET"): detail("directorycredential", DELETE),
    ("directory:credential_edit", "POST"): write(DELETE, lambda w: {**_credential_form(w), "label": f"DC3 {MARK_A}"},
                                                 target="directorycredential"),
    ("directory:credential_delete", "GET"): detail("directorycredential", DELETE),
    ("directory:credential_delete", "POST"): write(DELETE, None, target="directorycredential"),
    # Exposure scans and perimeters (declared by administrators only).
    ("exposure:scan_list", "GET"): listing(),
    ("exposure:scan_import", "GET"): page(ADD),
    ("exposure:scan_import", "POST"): write(ADD, _exposure_import),
    ("exposure:scan_detail", "GET"): detail("exposurescan"),
    ("exposure:scan_diff", "GET"): detail("exposurescan"),
    ("exposure:scan_report", "GET"): detail("exposurescan", query={"format": "html"}),
    ("exposure:perimeter_list", "GET"): listing(),
    ("exposure:perimeter_add", "GET"): page(MANAGE_USERS),
    ("exposure:perimeter_add", "POST"): write(MANAGE_USERS, _perimeter_form),
    ("exposure:perimeter_detail", "GET"): detail("exposureperimeter"),
    ("exposure:perimeter_edit", "GET"): detail("exposureperimeter", MANAGE_USERS),
    ("exposure:perimeter_edit", "POST"): write(MANAGE_USERS, _perimeter_form, target="exposureperimeter"),
    ("exposure:perimeter_delete", "GET"): detail("exposureperimeter", MANAGE_USERS),
    ("exposure:perimeter_delete", "POST"): write(MANAGE_USERS, None, target="exposureperimeter"),
    ("exposure:perimeter_run", "POST"): write(ADD, None, target="exposureperimeter"),
    # Log detection: alerts and their workflow, log sources and uploads, hunts, rule packs.
    ("detection:alert_list", "GET"): listing(),
    ("detection:alert_bulk", "POST"): write(CHANGE, lambda w: {"alerts": [w.pk("alert")], "status": "acknowledged"}),
    ("detection:alert_detail", "GET"): detail("alert"),
    ("detection:alert_transition", "POST"): write(CHANGE, lambda _w: {"status": "acknowledged", "comment": "seen"},
                                                  target="alert"),
    ("detection:timeline", "GET"): page(VIEW),
    ("detection:coverage", "GET"): page(VIEW),
    ("detection:source_list", "GET"): listing(),
    ("detection:source_add", "GET"): page(ADD),
    ("detection:source_add", "POST"): write(ADD, _log_source_form),
    ("detection:source_detail", "GET"): detail("logsource"),
    ("detection:source_edit", "GET"): detail("logsource", CHANGE),
    ("detection:source_edit", "POST"): write(CHANGE, lambda w: {**_log_source_form(w), "name": f"Sysmon {MARK_A} 2"},
                                             target="logsource"),
    ("detection:source_hunt", "POST"): write(ADD, lambda w: {"version": w.pk("rulepackversion")}, target="logsource"),
    ("detection:upload", "GET"): page(ADD),
    ("detection:upload", "POST"): write(ADD, _log_upload),
    ("detection:hunt_list", "GET"): listing(),
    ("detection:hunt_detail", "GET"): detail("hunt"),
    ("detection:pack_list", "GET"): listing(),
    ("detection:pack_upload", "GET"): page(ADD),
    ("detection:pack_upload", "POST"): write(ADD, _pack_upload),
    ("detection:pack_detail", "GET"): detail("rulepack"),
    ("detection:version_activate", "POST"): write(CHANGE, None, target="rulepackversion"),
}

#: URL patterns django-ninja mounts beside the operations, by URL name.
API_FRAMEWORK_ROUTES: dict[str, tuple[str, RouteSpec]] = {
    # The schema and its documentation page are public: they describe the API, not tenant data.
    "openapi-json": ("/api/openapi.json", page(PUBLIC)),
    "openapi-view": ("/api/docs", page(PUBLIC)),
    # django-ninja's root answers 404 when the docs live elsewhere: nothing is served there.
    "api-root": ("/api/", page(PUBLIC, success=frozenset({404}))),
}

API_ROUTES: dict[tuple[str, str], RouteSpec] = {
    # Organisation tree.
    ("GET", "/api/organizations/nodes"): listing(),
    ("POST", "/api/organizations/nodes"): write(ADD, _node_api, success=201),
    ("GET", "/api/organizations/nodes/{node_id}"): detail("node"),
    ("PATCH", "/api/organizations/nodes/{node_id}"): write(CHANGE, lambda _w: {"city": "Bron"}, target="node",
                                                           success=200),
    ("GET", "/api/organizations/nodes/{node_id}/summary"): detail("node", shows_name=False),
    # Accounts.
    ("GET", "/api/accounts/me"): page(AUTHENTICATED),
    ("GET", "/api/accounts/audit"): listing(VIEW_AUDIT),
    ("GET", "/api/accounts/audit/{event_id}"): detail("auditevent", VIEW_AUDIT),
    # Inventory.
    ("GET", "/api/inventory/assets"): listing(),
    ("POST", "/api/inventory/assets"): write(ADD, lambda w: {
        "node_id": w.pk("node"), "name": f"srv-{MARK_A}-api", "kind": "server", "ip_addresses": ["10.0.0.7"],
    }, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/inventory/assets/{asset_id}"): detail("asset"),
    ("PATCH", "/api/inventory/assets/{asset_id}"): write(CHANGE, lambda _w: {"vendor": "Other vendor"}, target="asset",
                                                         success=200),
    ("DELETE", "/api/inventory/assets/{asset_id}"): write(DELETE, None, target="asset", success=204),
    ("GET", "/api/inventory/applications"): listing(),
    ("POST", "/api/inventory/applications"): write(ADD, lambda w: {
        "node_id": w.pk("node"), "name": f"PACS {MARK_A}", "category": "pacs", "asset_ids": [w.pk("asset")],
        "depends_on_ids": [w.pk("application")],
    }, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/inventory/applications/{application_id}"): detail("application"),
    ("PATCH", "/api/inventory/applications/{application_id}"): write(CHANGE, lambda w: {
        "vendor": "Other vendor", "asset_ids": [w.pk("asset")],
    }, target="application", success=200),
    ("DELETE", "/api/inventory/applications/{application_id}"): write(DELETE, None, target="application",
                                                                     success=204),
    ("GET", "/api/inventory/care-activities"): listing(),
    ("POST", "/api/inventory/care-activities"): write(ADD, lambda w: {
        "node_id": w.pk("node"), "name": f"Maternity {MARK_A}", "application_ids": [w.pk("application")],
    }, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/inventory/care-activities/{activity_id}"): detail("careactivity"),
    ("PATCH", "/api/inventory/care-activities/{activity_id}"): write(CHANGE, lambda w: {
        "max_downtime_hours": 8, "application_ids": [w.pk("application")],
    }, target="careactivity", success=200),
    ("DELETE", "/api/inventory/care-activities/{activity_id}"): write(DELETE, None, target="careactivity",
                                                                     success=204),
    ("POST", "/api/inventory/{kind}/import"): write(ADD, _csv, success=200, args=lambda _w, _side: {"kind": "assets"},
                                                    content="multipart"),
    # Findings.
    ("GET", "/api/findings/"): listing(),
    ("POST", "/api/findings/"): write(ADD, _manual_finding_api, success=201),
    ("POST", "/api/findings/ingest"): write(CHANGE, _ingest_api, success=200),
    ("GET", "/api/findings/plan"): listing(),
    ("POST", "/api/findings/export"): write(VIEW, lambda w: {"node_id": w.pk("node"), "query": "severity=critical"},
                                            success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/findings/{finding_id}"): detail("finding"),
    ("PATCH", "/api/findings/{finding_id}"): write(CHANGE, lambda w: {
        "status": "in_remediation", "owner_id": w.pk("user"), "comment": "Patch planned",
    }, target="finding", success=200),
    ("GET", "/api/findings/{finding_id}/history"): detail("finding", shows_name=False),
    # Jobs.
    ("GET", "/api/jobs/"): listing(),
    ("GET", "/api/jobs/{job_id}"): detail("job"),
    ("GET", "/api/jobs/{job_id}/download"): detail("job"),
    # Directory audits and credentials.
    ("GET", "/api/directory/audits"): listing(),
    ("POST", "/api/directory/audits/upload"): write(ADD, _directory_upload_api, success=201, content="multipart",
                                                    refused=NODE_IN_PAYLOAD),
    ("POST", "/api/directory/audits/run"): write(ADD, lambda w: {"credential_id": w.pk("directorycredential")},
                                                 success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/directory/audits/{audit_id}"): detail("directoryaudit"),
    ("GET", "/api/directory/audits/{audit_id}/diff"): detail("directoryaudit", shows_name=False),
    ("GET", "/api/directory/audits/{audit_id}/report"): detail("directoryaudit", query={"format": "html"}),
    ("GET", "/api/directory/credentials"): listing(DELETE),
    ("POST", "/api/directory/credentials"): write(DELETE, _credential_api, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/directory/credentials/{credential_id}"): detail("directorycredential", DELETE),
    ("PATCH", "/api/directory/credentials/{credential_id}"): write(DELETE, lambda _w: {"label": f"DC3 {MARK_A}"},
                                                                   target="directorycredential", success=200),
    ("DELETE", "/api/directory/credentials/{credential_id}"): write(DELETE, None, target="directorycredential",
                                                                    success=204),
    # Exposure scans and perimeters.
    ("GET", "/api/exposure/perimeters"): listing(),
    ("POST", "/api/exposure/perimeters"): write(MANAGE_USERS, _perimeter_api, success=201, refused=NODE_IN_PAYLOAD),
    ("GET", "/api/exposure/perimeters/{perimeter_id}"): detail("exposureperimeter"),
    ("PATCH", "/api/exposure/perimeters/{perimeter_id}"): write(
        MANAGE_USERS, lambda _w: {"name": f"Internet {MARK_A} renamed"}, target="exposureperimeter", success=200),
    ("DELETE", "/api/exposure/perimeters/{perimeter_id}"): write(MANAGE_USERS, None, target="exposureperimeter",
                                                                 success=204),
    ("POST", "/api/exposure/perimeters/{perimeter_id}/scan"): write(ADD, None, target="exposureperimeter",
                                                                    success=201),
    ("GET", "/api/exposure/scans"): listing(),
    ("POST", "/api/exposure/scans/import"): write(ADD, _exposure_import_api, success=201, content="multipart",
                                                  refused=NODE_IN_PAYLOAD),
    ("GET", "/api/exposure/scans/{scan_id}"): detail("exposurescan"),
    ("GET", "/api/exposure/scans/{scan_id}/result"): detail("exposurescan"),
    ("GET", "/api/exposure/scans/{scan_id}/diff"): detail("exposurescan", shows_name=False),
    ("GET", "/api/exposure/scans/{scan_id}/report"): detail("exposurescan", query={"format": "html"}),
    # Log detection.
    ("GET", "/api/detection/sources"): listing(),
    ("GET", "/api/detection/sources/{source_id}"): detail("logsource"),
    ("GET", "/api/detection/packs"): listing(),
    ("GET", "/api/detection/packs/{pack_id}"): detail("rulepack"),
    ("GET", "/api/detection/packs/{pack_id}/versions"): detail("rulepack"),
    ("POST", "/api/detection/versions/{version_id}/activate"): write(CHANGE, None, target="rulepackversion",
                                                                     success=200),
    ("GET", "/api/detection/hunts"): listing(),
    ("POST", "/api/detection/hunts"): write(ADD, lambda w: {"source_id": w.pk("logsource")}, success=201,
                                            refused=NODE_IN_PAYLOAD),
    ("GET", "/api/detection/hunts/{hunt_id}"): detail("hunt"),
    ("GET", "/api/detection/alerts"): listing(),
    ("GET", "/api/detection/alerts/{alert_id}"): detail("alert"),
    ("POST", "/api/detection/alerts/{alert_id}/transition"): write(
        CHANGE, lambda _w: {"status": "acknowledged", "comment": "seen"}, target="alert", success=200),
}

# Apps with many routes keep their specs in their own module.
UI_ROUTES |= registry_continuity_ui.UI_ROUTES
API_ROUTES |= registry_continuity_api.API_ROUTES
UI_ROUTES |= registry_governance.UI_ROUTES
API_ROUTES |= registry_governance.API_ROUTES

#: Request-body fields holding ids of tenant objects, and the kind of world object they name.
#: A writing API route whose body has an ``*_id``/``*_ids`` field missing here fails the suite.
FOREIGN_ID_FIELDS: dict[str, str] = {
    "node_id": "node",
    "parent_id": "node",
    "asset_id": "asset",
    "asset_ids": "asset",
    "application_id": "application",
    "application_ids": "application",
    "depends_on_ids": "application",
    "finding_id": "finding",
    "finding_ids": "finding",
    "owner_id": "user",
    "user_id": "user",
    "credential_id": "directorycredential",
    "source_id": "logsource",
    "version_id": "rulepackversion",
    **registry_continuity_api.FOREIGN_ID_FIELDS,
    **registry_governance.FOREIGN_ID_FIELDS,
}


#: Form fields naming tenant objects, by name: used where a form builds its choices at run time.
UI_FOREIGN_ID_FIELDS: dict[str, str] = {
    "node": "node",
    "parent": "node",
    "asset": "asset",
    "assets": "asset",
    "applications": "application",
    "depends_on": "application",
    "owner": "user",
    "credential": "directorycredential",
    "alerts": "alert",
    **registry_governance.UI_FOREIGN_ID_FIELDS,
}

#: Known permission gaps, by (route key, case): strict expected failures, so that the suite passes
#: today and fails (XPASS) the day the gap is fixed, reminding to delete the line.
KNOWN_GAPS: dict[tuple[tuple[str, str], str], str] = {}

#: Known gaps of the foreign-id tests, by UI route name.
KNOWN_FOREIGN_ID_GAPS: dict[str, str] = {}
