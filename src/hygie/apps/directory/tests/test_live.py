"""A live collection from the throw-away Samba AD DC of ``tools/with_samba.sh``, through the platform.

Skips (saying why) without the DC. The seed manifest plants a kerberoastable privileged account,
``svc_sql``: the audit run from the UI with a stored credential must report it in the register.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from hygie.apps.directory.models import AuditStatus, DirectoryAudit, DirectoryCredential
from hygie.apps.findings.models import Finding
from hygie.engines.directory.tests.live_dc import require_live_dc, seed_manifest
from hygie.testing.tasks import run_queued_tasks


class TestLiveCollection:
    """Stored credential -> job -> collection over LDAPS -> audit -> register."""

    def test_seeded_domain(self, tenants: Any) -> None:
        """The seeded realm is the audit's domain; svc_sql is reported as a kerberoastable privileged account."""
        dc = require_live_dc()
        manager = Client()
        manager.force_login(tenants.users["manager"])
        response = manager.post(
            "/directory/credentials/add/",
            {
                "node": tenants.hospital_a.pk,
                "label": "Samba",
                "url": dc.url,
                "base_dn": dc.base,
                "bind_user": dc.user,
                "new_password": dc.password,
                "ca_certificate": dc.ca_file.read_text(),
                "verify": "on",
            },
        )
        assert 302 == response.status_code, response.content
        credential = DirectoryCredential.objects.get()
        assert dc.password not in credential.password_encrypted
        analyst = Client()
        analyst.force_login(tenants.users["analyst"])
        assert 302 == analyst.post("/directory/run/", {"credential": credential.pk}).status_code
        run_queued_tasks()
        audit = DirectoryAudit.objects.get()
        assert AuditStatus.SUCCEEDED == audit.status, audit.error
        assert seed_manifest()["realm"].upper() in audit.domain.upper()
        finding = Finding.objects.get(node=tenants.hospital_a, check_id="directory.privileged_kerberoastable")
        assert any(a["name"].lower().startswith("svc_sql") for a in finding.affected), finding.affected

    def test_cli_run(self, tenants: Any) -> None:
        """``hygie directory run --credential`` collects the same domain synchronously."""
        from typer.testing import CliRunner

        from hygie.cli.main import app

        dc = require_live_dc()
        credential = DirectoryCredential(
            node=tenants.hospital_a,
            label="Samba",
            url=dc.url,
            base_dn=dc.base,
            bind_user=dc.user,
            ca_certificate=dc.ca_file.read_text(),
        )
        credential.set_password(dc.password)
        credential.save()
        result = CliRunner().invoke(app, ["directory", "run", "--credential", str(credential.pk)])
        assert 0 == result.exit_code, result.output
        assert Finding.objects.filter(check_id="directory.privileged_kerberoastable").exists()
