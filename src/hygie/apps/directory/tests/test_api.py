"""The REST API: upload, detail, diff, report, credentials with a write-only password."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.directory.models import DirectoryCredential
from hygie.testing.tasks import run_queued_tasks

from .collections import DOMAIN, collection_zip

_CORPUS = Path(os.environ.get("HYGIE_CORPUS") or Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus")
_EXAMPLE = _CORPUS / "directory" / "bloodhound-specterops" / "ad_example_data.zip"


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _upload(client: Client, node: Any, content: bytes, name: str = "collection.zip") -> Any:
    return client.post("/api/directory/audits/upload", {"node_id": node.pk, "file": SimpleUploadedFile(name, content)})


class TestAuditApi:
    """Upload, follow the job, read the audit, diff two audits, fetch the report."""

    def test_upload_detail_diff_report(self, tenants: Any) -> None:
        """Two uploads: the second's diff against the first says BOB new, ALICE fixed."""
        client = _api(tenants.users["analyst"])
        first = _upload(client, tenants.hospital_a, collection_zip(delegating=("ALICE",)))
        assert 201 == first.status_code, first.content
        run_queued_tasks()
        second = _upload(client, tenants.hospital_a, collection_zip(delegating=("BOB",)))
        run_queued_tasks()
        audit_id = second.json()["id"]
        detail = client.get(f"/api/directory/audits/{audit_id}").json()
        assert "succeeded" == detail["status"]
        assert [DOMAIN] == detail["domains"]
        job = client.get(f"/api/jobs/{detail['job_id']}").json()
        assert "succeeded" == job["status"]
        diff = client.get(f"/api/directory/audits/{audit_id}/diff?base_id={first.json()['id']}").json()
        check = "directory.user_unconstrained_delegation"
        assert [f"BOB@{DOMAIN}"] == [r["object"] for r in diff["new"] if r["check_id"] == check]
        assert [f"ALICE@{DOMAIN}"] == [r["object"] for r in diff["fixed"] if r["check_id"] == check]
        # Without base_id: the previous audit of the same node and domain.
        assert diff == client.get(f"/api/directory/audits/{audit_id}/diff").json()
        pdf = client.get(f"/api/directory/audits/{audit_id}/report?format=pdf")
        assert pdf.content.startswith(b"%PDF")
        listed = client.get(f"/api/directory/audits?domain=chu&node={tenants.hospital_a.pk}").json()
        assert 2 == listed["count"]

    def test_upload_refusals(self, tenants: Any) -> None:
        """Bad suffix 422; a viewer 403."""
        analyst = _api(tenants.users["analyst"])
        assert 422 == _upload(analyst, tenants.hospital_a, b"x", name="x.exe").status_code
        assert 403 == _upload(_api(tenants.users["viewer"]), tenants.hospital_a, collection_zip()).status_code

    def test_corpus_attack_paths(self, tenants: Any) -> None:
        """The example collection: DOMAINUSER@PHANTOM.CORP gets DCSync through two nested groups (from its ACEs)."""
        if not _EXAMPLE.is_file():
            pytest.skip(f"corpus not found at {_EXAMPLE}")
        client = _api(tenants.users["analyst"])
        response = _upload(client, tenants.hospital_a, _EXAMPLE.read_bytes(), name="ad_example_data.zip")
        run_queued_tasks()
        detail = client.get(f"/api/directory/audits/{response.json()['id']}").json()
        dcsync = next(f for f in detail["result"]["findings"] if f["check_id"] == "directory.dcsync_rights")
        assert "DOMAINUSER@PHANTOM.CORP" in [o["name"] for o in dcsync["objects"]]
        assert {"GHOST.CORP", "PHANTOM.CORP", "WRAITH.CORP"} == set(detail["domains"])
        paths = detail["result"]["attack_paths"]
        assert paths["principals_with_path"] >= 1
        web = Client()
        web.force_login(tenants.users["viewer"])
        page = web.get(f"/directory/{detail['id']}/attack-paths/").content.decode()
        assert 'data-testid="attack-cut"' in page
        assert paths["cut"][0]["fix"].split(" ")[0] in page


class TestCredentialApi:
    """The password goes in, never out."""

    def test_create_read_patch_delete(self, tenants: Any) -> None:
        """Managers create; no response carries the password; a viewer is refused."""
        manager = _api(tenants.users["manager"])
        payload = {
            "node_id": tenants.hospital_a.pk,
            "label": "DC1",
            "url": "ldaps://dc1.chu.local",
            "bind_user": "CHU\\audit",
            "password": "Zq-pass-1",
        }
        created = manager.post("/api/directory/credentials", payload, content_type="application/json")
        assert 201 == created.status_code, created.content
        assert "Zq-pass-1" not in created.content.decode()
        assert created.json()["has_password"]
        pk = created.json()["id"]
        patched = manager.patch(
            f"/api/directory/credentials/{pk}", {"password": "Zq-pass-2"}, content_type="application/json"
        )
        assert 200 == patched.status_code
        assert "Zq-pass-2" == DirectoryCredential.objects.get(pk=pk).password()
        assert 403 == _api(tenants.users["viewer"]).get(f"/api/directory/credentials/{pk}").status_code
        assert 403 == _api(tenants.users["analyst"]).get("/api/directory/credentials").status_code
        assert 204 == manager.delete(f"/api/directory/credentials/{pk}").status_code


class TestPagination:
    """A page number past the bound is refused (422), not a server error from an overflowing OFFSET."""

    def test_huge_page(self, tenants: Any) -> None:
        """2**63 // 100 pages of 100 rows would overflow a 64-bit OFFSET: refused before any query."""
        client = _api(tenants.users["manager"])
        for url in ("/api/directory/audits", "/api/organizations/nodes", "/api/jobs/"):
            assert 422 == client.get(f"{url}?page={2**63 // 100}").status_code, url
            assert 200 == client.get(f"{url}?page=1").status_code, url
