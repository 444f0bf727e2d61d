"""Inventory API writes and imports: foreign ids are refused and nothing changes."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.inventory.models import Application, Asset, CareActivity


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json")


def _patch(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(payload), content_type="application/json")


class TestAssetWrites:
    """Create, change, delete assets within the caller's scope."""

    def test_create_change_delete(self, tenants: Any) -> None:
        """A manager creates, patches and deletes an asset of its group."""
        client = _api(tenants.users["manager"])
        created = _post(client, "/api/inventory/assets", {
            "node_id": tenants.site_a.pk, "name": "srv", "kind": "server", "ip_addresses": ["10.0.0.1"]})
        assert 201 == created.status_code
        pk = created.json()["id"]
        patched = _patch(client, f"/api/inventory/assets/{pk}", {"vendor": "Dell", "criticality": 4})
        assert (200, "Dell", 4) == (patched.status_code, patched.json()["vendor"], patched.json()["criticality"])
        assert 204 == client.delete(f"/api/inventory/assets/{pk}").status_code
        assert not Asset.objects.filter(pk=pk).exists()

    def test_invalid_values_are_422(self, tenants: Any) -> None:
        """Bad kind, IP or CPE: 422 with reasons, nothing created."""
        response = _post(_api(tenants.users["manager"]), "/api/inventory/assets", {
            "node_id": tenants.site_a.pk, "name": "srv", "kind": "toaster", "ip_addresses": ["1.2.3.999"],
            "cpe": "nope"})
        assert 422 == response.status_code
        assert 0 == Asset.objects.count()

    def test_foreign_node_and_object(self, tenants: Any) -> None:
        """Group B's node → 404 on create and on move; group B's asset → 404 on patch and delete."""
        client = _api(tenants.users["manager"])
        foreign = Asset.objects.create(node=tenants.hospital_b, name="srv-b", kind="server")
        own = Asset.objects.create(node=tenants.site_a, name="srv-a", kind="server")
        statuses = [
            _post(client, "/api/inventory/assets", {"node_id": tenants.hospital_b.pk, "name": "x", "kind": "server"}),
            _patch(client, f"/api/inventory/assets/{own.pk}", {"node_id": tenants.hospital_b.pk}),
            _patch(client, f"/api/inventory/assets/{foreign.pk}", {"name": "mine"}),
            client.delete(f"/api/inventory/assets/{foreign.pk}"),
        ]
        assert [404, 404, 404, 404] == [r.status_code for r in statuses]
        own.refresh_from_db()
        foreign.refresh_from_db()
        assert (tenants.site_a, "srv-b", 2) == (own.node, foreign.name, Asset.objects.count())

    def test_roles(self, tenants: Any) -> None:
        """A viewer cannot create (403); an analyst cannot delete (403)."""
        asset = Asset.objects.create(node=tenants.site_a, name="srv", kind="server")
        viewer = _post(_api(tenants.users["viewer"]), "/api/inventory/assets", {
            "node_id": tenants.site_a.pk, "name": "x", "kind": "server"})
        analyst = _api(tenants.users["analyst"]).delete(f"/api/inventory/assets/{asset.pk}")
        assert (403, 403) == (viewer.status_code, analyst.status_code)


class TestLinkedWrites:
    """Linked ids must be visible and in the owner node's group."""

    def test_foreign_ids_refused(self, tenants: Any) -> None:
        """Group B's asset, application: 422, nothing created or changed."""
        client = _api(tenants.users["manager"])
        foreign_asset = Asset.objects.create(node=tenants.hospital_b, name="srv-b", kind="server")
        foreign_app = Application.objects.create(node=tenants.hospital_b, name="B", category="other")
        own = Application.objects.create(node=tenants.site_a, name="A", category="other")
        responses = [
            _post(client, "/api/inventory/applications", {
                "node_id": tenants.site_a.pk, "name": "X", "category": "other", "asset_ids": [foreign_asset.pk]}),
            _patch(client, f"/api/inventory/applications/{own.pk}", {"depends_on_ids": [foreign_app.pk]}),
            _post(client, "/api/inventory/care-activities", {
                "node_id": tenants.site_a.pk, "name": "Urgences", "application_ids": [foreign_app.pk, 999999]}),
        ]
        assert [422, 422, 422] == [r.status_code for r in responses]
        assert (2, 0, 0) == (Application.objects.count(), own.depends_on.count(), CareActivity.objects.count())

    def test_links_within_group(self, tenants: Any) -> None:
        """Ids of the same group are linked and returned."""
        client = _api(tenants.users["manager"])
        asset = Asset.objects.create(node=tenants.hospital_a, name="srv", kind="server")
        other = Application.objects.create(node=tenants.hospital_a, name="AD", category="infrastructure")
        response = _post(client, "/api/inventory/applications", {
            "node_id": tenants.site_a.pk, "name": "DPI", "category": "patient_record", "asset_ids": [asset.pk],
            "depends_on_ids": [other.pk]})
        assert 201 == response.status_code
        assert ([asset.pk], [other.pk]) == (response.json()["asset_ids"], response.json()["depends_on_ids"])


class TestImportApi:
    """POST /inventory/{kind}/import returns the report."""

    def test_valid_invalid_and_too_large(self, tenants: Any, settings: Any) -> None:
        """200 and created; 422 with problems; 413 over the limit; 400 for binary."""
        client = _api(tenants.users["analyst"])
        good = client.post("/api/inventory/assets/import", {
            "file": _file(b"name,node,kind\nsrv,750712184,server\n")})
        assert (200, 1) == (good.status_code, good.json()["created"])
        bad = client.post("/api/inventory/assets/import", {
            "file": _file(b"name,node,kind\nsrv2,010003820,server\n"), "dry_run": "false"})
        assert 422 == bad.status_code
        assert [{"line": 2, "column": "node", "reason": "Unknown node “010003820”."}] == bad.json()["problems"]
        dry = client.post("/api/inventory/care-activities/import", {
            "file": _file(b"name,node\nUrgences,750712184\n"), "dry_run": "true"})
        assert (200, False, 0) == (dry.status_code, dry.json()["applied"], CareActivity.objects.count())
        assert 400 == client.post("/api/inventory/assets/import", {"file": _file(b"\x00\xff\x00")}).status_code
        settings.HYGIE_MAX_UPLOAD_BYTES = 10
        big = client.post("/api/inventory/assets/import", {"file": _file(b"name,node,kind\nsrv,750712184,server\n")})
        assert (413, 1) == (big.status_code, Asset.objects.count())

    def test_viewer_refused(self, tenants: Any) -> None:
        """Importing needs the add right."""
        response = _api(tenants.users["viewer"]).post("/api/inventory/assets/import", {
            "file": _file(b"name,node,kind\nsrv,750712184,server\n")})
        assert (403, 0) == (response.status_code, Asset.objects.count())


def _file(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("inventory.csv", data, content_type="text/csv")
