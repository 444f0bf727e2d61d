"""Inventory pages: details, create/edit/delete, imports and exports, tenant isolation."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hygie.apps.accounts.models import AuditEvent
from hygie.apps.inventory.csvcolumns import SPECS, ImportKind
from hygie.apps.inventory.models import Application, Asset, CareActivity


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _world(tenants: Any) -> dict[str, Any]:
    asset = Asset.objects.create(node=tenants.hospital_a, name="srv-dpi", kind="server")
    app = Application.objects.create(node=tenants.hospital_a, name="DPI", category="patient_record")
    app.assets.add(asset)
    care = CareActivity.objects.create(node=tenants.hospital_a, name="Urgences")
    care.applications.add(app)
    foreign = Asset.objects.create(node=tenants.hospital_b, name="srv-b", kind="server")
    foreign_app = Application.objects.create(node=tenants.hospital_b, name="DPI-B", category="patient_record")
    return {"asset": asset, "app": app, "care": care, "foreign": foreign, "foreign_app": foreign_app}


class TestDetailPages:
    """Detail pages show related objects; another tenant's objects do not exist."""

    def test_details_show_relations(self, tenants: Any) -> None:
        """Asset → its applications; application → assets and care; activity → applications."""
        world = _world(tenants)
        client = _client(tenants.users["viewer"])
        asset_page = client.get(f"/inventory/assets/{world['asset'].pk}/")
        app_page = client.get(f"/inventory/applications/{world['app'].pk}/")
        care_page = client.get(f"/inventory/care-activities/{world['care'].pk}/")
        assert [200, 200, 200] == [asset_page.status_code, app_page.status_code, care_page.status_code]
        assert "DPI" in asset_page.content.decode()
        assert "srv-dpi" in app_page.content.decode()
        assert "Urgences" in app_page.content.decode()
        assert "DPI" in care_page.content.decode()
        assert "/edit/" not in asset_page.content.decode()  # a viewer gets no edit button

    def test_other_tenant_is_404_everywhere(self, tenants: Any) -> None:
        """Detail, edit, delete of group B's asset: 404 for group A's administrator."""
        world = _world(tenants)
        client = _client(tenants.users["administrator"])
        pk = world["foreign"].pk
        statuses = [client.get(f"/inventory/assets/{pk}/{suffix}").status_code for suffix in ("", "edit/", "delete/")]
        statuses.append(client.post(f"/inventory/assets/{pk}/delete/").status_code)
        assert [404, 404, 404, 404] == statuses
        assert Asset.objects.filter(pk=pk).exists()


class TestEditViews:
    """Create, change and delete with the right role only; links stay within the group."""

    def test_analyst_creates_asset(self, tenants: Any) -> None:
        """IP addresses are typed as text; the creation is audited."""
        response = _client(tenants.users["analyst"]).post("/inventory/assets/add/", {
            "node": tenants.site_a.pk, "name": "pacs-01", "kind": "medical", "criticality": 3, "hosting": "on_premise",
            "ip_addresses": "10.0.0.1, 10.0.0.2",
        })
        asset = Asset.objects.get(name="pacs-01")
        assert (302, ["10.0.0.1", "10.0.0.2"]) == (response.status_code, asset.ip_addresses)
        assert AuditEvent.objects.filter(action="create", object_id=str(asset.pk)).exists()

    def test_bad_ip_and_foreign_node_refused(self, tenants: Any) -> None:
        """A bad IP and group B's node are form errors; nothing is created."""
        response = _client(tenants.users["analyst"]).post("/inventory/assets/add/", {
            "node": tenants.hospital_b.pk, "name": "x", "kind": "server", "criticality": 2, "hosting": "on_premise",
            "ip_addresses": "10.0.0.300",
        })
        assert 400 == response.status_code
        assert {"node", "ip_addresses"} == set(response.context["form"].errors)
        assert not Asset.objects.filter(name="x").exists()

    def test_viewer_cannot_add(self, tenants: Any) -> None:
        """A viewer gets 403 on the add page."""
        assert 403 == _client(tenants.users["viewer"]).get("/inventory/assets/add/").status_code

    def test_application_links_restricted(self, tenants: Any) -> None:
        """Group B's asset is not offered nor accepted, even for a superuser (not the same group)."""
        world = _world(tenants)
        client = _client(tenants.users["manager"])
        form = client.get(f"/inventory/applications/{world['app'].pk}/edit/").context["form"]
        assert [world["asset"]] == list(form.fields["assets"].queryset)
        assert world["app"] not in form.fields["depends_on"].queryset
        response = _client(tenants.superuser).post(f"/inventory/applications/{world['app'].pk}/edit/", {
            "node": tenants.hospital_a.pk, "name": "DPI", "category": "patient_record", "criticality": 2,
            "hosting": "on_premise", "assets": [world["foreign"].pk],
        })
        assert 400 == response.status_code
        assert "assets" in response.context["form"].errors
        assert [world["asset"]] == list(world["app"].assets.all())

    def test_care_activity_edit(self, tenants: Any) -> None:
        """An analyst changes the applications a care activity needs."""
        world = _world(tenants)
        other = Application.objects.create(node=tenants.site_a, name="Labo", category="lis")
        response = _client(tenants.users["analyst"]).post(f"/inventory/care-activities/{world['care'].pk}/edit/", {
            "node": tenants.hospital_a.pk, "name": "Urgences", "patient_impact": 4, "applications": [other.pk],
        })
        assert 302 == response.status_code
        assert [other] == list(world["care"].applications.all())

    def test_delete_needs_manager(self, tenants: Any) -> None:
        """An analyst may not delete (403); a manager confirms then deletes by POST."""
        world = _world(tenants)
        url = f"/inventory/assets/{world['asset'].pk}/delete/"
        assert 403 == _client(tenants.users["analyst"]).post(url).status_code
        manager = _client(tenants.users["manager"])
        assert 200 == manager.get(url).status_code
        assert Asset.objects.filter(pk=world["asset"].pk).exists()  # GET changes nothing
        assert 302 == manager.post(url).status_code
        assert not Asset.objects.filter(pk=world["asset"].pk).exists()


class TestImportPage:
    """The import page reports every bad line and applies valid files."""

    @staticmethod
    def _post(client: Client, data: bytes, *, dry_run: bool = False) -> Any:
        upload = SimpleUploadedFile("assets.csv", data, content_type="text/csv")
        payload: dict[str, Any] = {"file": upload}
        if dry_run:
            payload["dry_run"] = "on"
        return client.post("/inventory/assets/import/", payload)

    def test_report_and_apply(self, tenants: Any) -> None:
        """Invalid → 422 with the problems table; dry run → nothing; real run → created."""
        client = _client(tenants.users["analyst"])
        bad = self._post(client, b"name,node,kind\nsrv,750712184,toaster\n")
        assert 422 == bad.status_code
        assert "toaster" in bad.content.decode()
        good = b"name;node;kind\nsrv;750712184;server\n"
        assert 200 == self._post(client, good, dry_run=True).status_code
        assert 0 == Asset.objects.count()
        assert 200 == self._post(client, good).status_code
        assert 1 == Asset.objects.count()

    def test_too_large_and_binary(self, tenants: Any, settings: Any) -> None:
        """413 over the limit, 400 for binary files; nothing stored."""
        client = _client(tenants.users["analyst"])
        assert 400 == self._post(client, b"\x00\x01\x02PK\x03\x04").status_code
        settings.HYGIE_MAX_UPLOAD_BYTES = 10
        assert 413 == self._post(client, b"name,node,kind\nsrv,750712184,server\n").status_code
        assert 0 == Asset.objects.count()

    def test_viewer_refused(self, tenants: Any) -> None:
        """Importing needs the add right."""
        assert 403 == _client(tenants.users["viewer"]).get("/inventory/assets/import/").status_code


class TestExport:
    """The list's CSV export has the import columns and never another tenant's rows."""

    def test_export_columns_and_isolation(self, tenants: Any) -> None:
        """Header = import columns; group B's application is absent; relations by names."""
        _world(tenants)
        response = _client(tenants.users["viewer"]).get("/inventory/applications/?export=csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert list(SPECS[ImportKind.APPLICATIONS].columns) == rows[0]
        assert [["DPI", "750712184", "srv-dpi"]] == [[r[0], r[1], r[8]] for r in rows[1:]]

    def test_list_links_import(self, tenants: Any) -> None:
        """The list page offers the import to those who may add."""
        analyst = _client(tenants.users["analyst"]).get("/inventory/assets/").content.decode()
        viewer = _client(tenants.users["viewer"]).get("/inventory/assets/").content.decode()
        assert (True, False) == ("/inventory/assets/import/" in analyst, "/inventory/assets/import/" in viewer)
