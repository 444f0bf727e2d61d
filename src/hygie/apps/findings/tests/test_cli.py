"""`hygie findings ...` commands, run through Typer's test runner against the test database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.utils import timezone
from typer.testing import CliRunner

from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.findings.tests.factories import engine_finding, stored_finding
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION
from hygie.cli.main import app

S = FindingStatus
runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, ["findings", *args])


class TestList:
    """`findings list` shows what the user may see."""

    def test_as_user_sees_own_tenant(self, tenants: Any) -> None:
        """Group A's viewer sees group A's finding, not group B's."""
        stored_finding(tenants.hospital_a, "Alpha finding")
        stored_finding(tenants.hospital_b, "Bravo finding")
        result = _run("list", "--as", "viewer_a")
        assert 0 == result.exit_code
        # The table title counts rows shown / rows visible to the user; narrow terminals cut cells.
        assert ("1 / 1", True) == (result.output.split()[0] + " / " + result.output.split()[2],
                                   "Alpha" in result.output)

    def test_bad_severity_is_usage_error(self, tenants: Any) -> None:
        """An unknown severity exits 2 with the reason."""
        assert 2 == _run("list", "--severity", "dreadful").exit_code


class TestExport:
    """`findings export` writes CSV or JSON."""

    def test_json_export_can_be_imported(self, tenants: Any, tmp_path: Path) -> None:
        """The JSON export is a list in the engine contract's form."""
        stored_finding(tenants.hospital_a, "Alpha finding")
        out = tmp_path / "f.json"
        result = _run("export", "--format", "json", "-o", str(out), "--as", "viewer_a")
        assert 0 == result.exit_code
        assert ["Alpha finding"] == [item["title"] for item in json.loads(out.read_text())]

    def test_csv_to_stdout(self, tenants: Any) -> None:
        """The CSV has a header and one row per finding."""
        stored_finding(tenants.hospital_a, "Alpha finding")
        result = _run("export", "--severity", "high")
        assert 2 == len(result.output.strip().splitlines())


class TestImport:
    """`findings import` ingests a run; bad input stores nothing."""

    def test_import_counts(self, tenants: Any, tmp_path: Path) -> None:
        """Two findings created."""
        path = tmp_path / "run.json"
        path.write_text(json.dumps([engine_finding("alice").to_dict(), engine_finding("bob").to_dict()]))
        result = _run("import", str(path), "--node", str(tenants.hospital_a.pk), "--source", "directory")
        assert 0 == result.exit_code
        assert "2 created" in result.output
        assert 2 == Finding.objects.count()

    def test_malformed_json_exit_3(self, tenants: Any, tmp_path: Path) -> None:
        """Broken JSON: exit 3, nothing stored."""
        path = tmp_path / "run.json"
        path.write_text("[{")
        result = _run("import", str(path), "--node", str(tenants.hospital_a.pk), "--source", "directory")
        assert (EXIT_INVALID_INPUT, 0) == (result.exit_code, Finding.objects.count())

    def test_malformed_finding_exit_3(self, tenants: Any, tmp_path: Path) -> None:
        """A finding without a check id: exit 3 naming it, nothing stored."""
        path = tmp_path / "run.json"
        path.write_text(json.dumps([engine_finding("alice").to_dict(), {"title": "x", "severity": "high"}]))
        result = _run("import", str(path), "--node", str(tenants.hospital_a.pk), "--source", "directory")
        assert (EXIT_INVALID_INPUT, 0) == (result.exit_code, Finding.objects.count())
        assert "#1" in result.output

    def test_foreign_node_exit_4_and_viewer_exit_5(self, tenants: Any, tmp_path: Path) -> None:
        """Group B's node does not exist for group A; a viewer may not import."""
        path = tmp_path / "run.json"
        path.write_text("[]")
        foreign = _run("import", str(path), "--node", str(tenants.hospital_b.pk), "--source", "directory",
                       "--as", "manager_a")
        viewer = _run("import", str(path), "--node", str(tenants.hospital_a.pk), "--source", "directory",
                      "--as", "viewer_a")
        assert (EXIT_NOT_FOUND, EXIT_PERMISSION) == (foreign.exit_code, viewer.exit_code)


class TestSetStatus:
    """`findings set-status` applies the workflow."""

    def test_accept_risk(self, tenants: Any) -> None:
        """Risk accepted with justification and expiry."""
        finding = stored_finding(tenants.hospital_a)
        expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
        result = _run("set-status", str(finding.pk), "risk_accepted", "--justification", "Isolated",
                      "--expires", expires, "--comment", "CISO ok", "--as", "analyst_a")
        assert 0 == result.exit_code
        assert S.RISK_ACCEPTED == Finding.objects.get(pk=finding.pk).status
        assert "analyst_a" == Finding.objects.get(pk=finding.pk).events.get().actor_name

    def test_refused_exit_3(self, tenants: Any) -> None:
        """No justification: exit 3 with the reason."""
        finding = stored_finding(tenants.hospital_a)
        result = _run("set-status", str(finding.pk), "false_positive")
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "justification" in result.output

    def test_foreign_finding_exit_4(self, tenants: Any) -> None:
        """Group B's finding is not found for group A's manager."""
        finding = stored_finding(tenants.hospital_b)
        assert EXIT_NOT_FOUND == _run("set-status", str(finding.pk), "fixed", "--as", "manager_a").exit_code


class TestExpireAcceptances:
    """`findings expire-acceptances` reopens expired acceptances."""

    def test_reopens(self, tenants: Any) -> None:
        """One expired acceptance reopened."""
        stored_finding(tenants.hospital_a, status=S.RISK_ACCEPTED, justification="x",
                       acceptance_expires=timezone.localdate() - dt.timedelta(days=1))
        result = _run("expire-acceptances")
        assert (0, S.OPEN) == (result.exit_code, Finding.objects.get().status)
        assert "1 expired" in result.output
