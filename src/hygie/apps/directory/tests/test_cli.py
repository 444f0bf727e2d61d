"""``hygie directory import|audits|report`` against the database, as the UI stores audits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hygie.apps.directory.models import DirectoryAudit
from hygie.apps.findings.models import Finding
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION
from hygie.cli.main import app

from .collections import DOMAIN, collection_zip


def _zip(tmp_path: Path, content: bytes | None = None) -> Path:
    path = tmp_path / "collection.zip"
    path.write_bytes(collection_zip() if content is None else content)
    return path


class TestDirectoryPlatformCli:
    """Import stores the audit and the findings; list and report read it back."""

    def test_import_list_report(self, tenants: Any, tmp_path: Path) -> None:
        """The analyst imports; the audit, its findings, the list and the PDF follow."""
        runner = CliRunner()
        node = tenants.hospital_a
        result = runner.invoke(
            app,
            [
                "directory",
                "import",
                str(_zip(tmp_path)),
                "--node",
                str(node.pk),
                "--user",
                tenants.users["analyst"].username,
            ],
        )
        assert 0 == result.exit_code, result.output
        audit = DirectoryAudit.objects.get()
        assert DOMAIN == audit.domain
        assert f"Audit {audit.pk} of {DOMAIN}" in result.output
        assert Finding.objects.filter(
            node=node, source="directory", check_id="directory.user_unconstrained_delegation"
        ).exists()
        listing = runner.invoke(
            app, ["directory", "audits", "--node", str(tenants.group_a.pk), "--as", tenants.users["viewer"].username]
        )
        assert 0 == listing.exit_code, listing.output
        assert DOMAIN in listing.output
        pdf = tmp_path / "report.pdf"
        report = runner.invoke(
            app,
            [
                "directory",
                "report",
                str(audit.pk),
                "--format",
                "pdf",
                "-o",
                str(pdf),
                "--as",
                tenants.users["viewer"].username,
            ],
        )
        assert 0 == report.exit_code, report.output
        assert pdf.read_bytes().startswith(b"%PDF")
        html = tmp_path / "report.html"
        assert (
            0
            == runner.invoke(app, ["directory", "report", str(audit.pk), "--format", "html", "-o", str(html)]).exit_code
        )
        assert DOMAIN in html.read_text(encoding="utf-8")

    def test_refusals(self, tenants: Any, tmp_path: Path) -> None:
        """A viewer may not import (5); a foreign node is unknown (4); a corrupt zip exits 3 with its name."""
        runner = CliRunner()
        path = _zip(tmp_path)
        viewer = runner.invoke(
            app,
            [
                "directory",
                "import",
                str(path),
                "--node",
                str(tenants.hospital_a.pk),
                "--as",
                tenants.users["viewer"].username,
            ],
        )
        assert EXIT_PERMISSION == viewer.exit_code
        foreign = runner.invoke(
            app,
            [
                "directory",
                "import",
                str(path),
                "--node",
                str(tenants.hospital_b.pk),
                "--as",
                tenants.users["analyst"].username,
            ],
        )
        assert EXIT_NOT_FOUND == foreign.exit_code
        corrupt = _zip(tmp_path, collection_zip()[:100])
        broken = runner.invoke(app, ["directory", "import", str(corrupt), "--node", str(tenants.hospital_a.pk)])
        assert EXIT_INVALID_INPUT == broken.exit_code
        assert "collection.zip" in broken.output
        assert not Finding.objects.exists()
        assert [None] == list(DirectoryAudit.objects.values_list("level", flat=True))

    def test_rotate_credentials(self, tenants: Any, monkeypatch: Any) -> None:
        """Old key second: the command re-encrypts with the new key, which alone then reads the password."""
        from cryptography.fernet import Fernet

        from hygie.apps.directory import crypto
        from hygie.apps.directory.models import DirectoryCredential

        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        monkeypatch.setenv(crypto.KEY_ENV, old)
        credential = DirectoryCredential(node=tenants.hospital_a, label="DC", url="ldaps://dc", bind_user="u")
        credential.set_password("Zq-secret")
        credential.save()
        monkeypatch.setenv(crypto.KEY_ENV, f"{new},{old}")
        result = CliRunner().invoke(app, ["directory", "rotate-credentials"])
        assert 0 == result.exit_code, result.output
        monkeypatch.setenv(crypto.KEY_ENV, new)
        assert "Zq-secret" == DirectoryCredential.objects.get().password()
        monkeypatch.setenv(crypto.KEY_ENV, Fernet.generate_key().decode())
        broken = CliRunner().invoke(app, ["directory", "rotate-credentials"])
        assert EXIT_INVALID_INPUT == broken.exit_code
        assert "DC" in broken.output

    def test_run_with_a_credential(self, tenants: Any) -> None:
        """Nothing listens on 127.0.0.1:1: exit 3 naming the address; a viewer exits 5; unknown id 4."""
        from hygie.apps.directory.models import DirectoryCredential

        credential = DirectoryCredential(node=tenants.hospital_a, label="DC", url="ldaps://127.0.0.1:1", bind_user="u")
        credential.set_password("secret")
        credential.save()
        runner = CliRunner()
        analyst = tenants.users["analyst"].username
        failed = runner.invoke(app, ["directory", "run", "--credential", str(credential.pk), "--as", analyst])
        assert EXIT_INVALID_INPUT == failed.exit_code
        assert "127.0.0.1" in failed.output
        assert "failed" == DirectoryAudit.objects.get().status
        viewer = tenants.users["viewer"].username
        refused = runner.invoke(app, ["directory", "run", "--credential", str(credential.pk), "--as", viewer])
        assert EXIT_PERMISSION == refused.exit_code
        unknown = runner.invoke(app, ["directory", "run", "--credential", str(credential.pk + 1)])
        assert EXIT_NOT_FOUND == unknown.exit_code
