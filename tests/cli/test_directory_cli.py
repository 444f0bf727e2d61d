"""``hygie directory audit`` on the real corpus and on a broken file, without any database."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hygie.cli.context import EXIT_INVALID_INPUT
from hygie.cli.main import app
from hygie.engines.directory.tests.ldap_fixture import entries, write_ldif

_CORPUS = Path(os.environ.get("HYGIE_CORPUS") or Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus")
_EXAMPLE = _CORPUS / "directory" / "bloodhound-specterops" / "ad_example_data.zip"


class TestDirectoryAuditCli:
    """JSON output carries the issue's keys; bad input exits 3 with the reader's message."""

    def test_corpus_json(self, tmp_path: Path) -> None:
        """The example zip audits to a level and names PHANTOM's Administrator (admincount, SPN in the JSON)."""
        if not _EXAMPLE.is_file():
            pytest.skip(f"corpus not found at {_EXAMPLE}")
        report = tmp_path / "audit.json"
        result = CliRunner().invoke(app, ["directory", "audit", str(_EXAMPLE), "--format", "json", "-o", str(report)])
        assert 0 == result.exit_code, result.output
        data = orjson.loads(report.read_bytes())
        assert {"level", "score", "categories", "findings"} <= set(data)
        kerberoastable = next(f for f in data["findings"] if f["check_id"] == "directory.privileged_kerberoastable")
        assert "ADMINISTRATOR@PHANTOM.CORP" in [o["name"] for o in kerberoastable["objects"]]
        # groups.json: an enabled user outside Domain Admins holds AddMember on it, so at least one path.
        paths = data["attack_paths"]
        assert paths["principals_with_path"] >= 1
        assert paths["tier0"]["count"] >= 3  # at least the three Domain Admins groups
        assert {"source", "nodes", "edges"} <= set(paths["paths"][0])
        assert all({"source", "target", "kind", "fix", "principals_disconnected"} <= set(fix) for fix in paths["cut"])

    def test_corpus_table_prints_attack_paths(self, tmp_path: Path) -> None:
        """The table format ends with the attack-path counts and one row per fix of the cut."""
        if not _EXAMPLE.is_file():
            pytest.skip(f"corpus not found at {_EXAMPLE}")
        report = tmp_path / "audit.txt"
        result = CliRunner().invoke(app, ["directory", "audit", str(_EXAMPLE), "-o", str(report)])
        assert 0 == result.exit_code, result.output
        text = report.read_text(encoding="utf-8")
        assert "Paths to Tier 0" in text
        assert "Principals disconnected" in text

    def test_html_report_without_database(self, tmp_path: Path) -> None:
        """--format html writes the platform's self-contained report, naming the audited domain and its findings."""
        export = tmp_path / "corp.ldif"
        export.write_text(write_ldif(entries()), encoding="utf-8")
        report = tmp_path / "audit.html"
        result = CliRunner().invoke(app, ["directory", "audit", str(export), "--format", "html", "-o", str(report)])
        assert 0 == result.exit_code, result.output
        html = report.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        assert "CORP.LOCAL" in html
        assert "directory.privileged_asrep_roastable" in html
        assert "<script" not in html  # self-contained and inert: it is handed to third parties

    def test_unknown_format_exits_3(self, tmp_path: Path) -> None:
        """An unknown --format is refused before any input is read."""
        result = CliRunner().invoke(app, ["directory", "audit", str(tmp_path), "--format", "xml"])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "xml" in result.output

    def test_bad_file_exits_3(self, tmp_path: Path) -> None:
        """Truncated JSON: exit 3, the message names the file, no traceback."""
        bad = tmp_path / "users.json"
        bad.write_text('{"meta":', encoding="utf-8")
        result = CliRunner().invoke(app, ["directory", "audit", str(bad)])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "users.json" in result.output
        assert "Traceback" not in result.output

    def test_ldif_input(self, tmp_path: Path) -> None:
        """An .ldif export is read as LDAP entries: the AS-REP-roastable admin of the fixture is named."""
        export = tmp_path / "corp.ldif"
        export.write_text(write_ldif(entries()), encoding="utf-8")
        report = tmp_path / "audit.json"
        result = CliRunner().invoke(app, ["directory", "audit", str(export), "--format", "json", "-o", str(report)])
        assert 0 == result.exit_code, result.output
        data = orjson.loads(report.read_bytes())
        asrep = next(f for f in data["findings"] if f["check_id"] == "directory.privileged_asrep_roastable")
        # Alice has adminCount=1 and DONT_REQ_PREAUTH (0x400000) in the fixture's userAccountControl.
        assert [o["name"] for o in asrep["objects"]] == ["ALICE@CORP.LOCAL"]

    def test_corrupt_ldif_exits_3_with_line(self, tmp_path: Path) -> None:
        """A change record in an LDIF file: exit 3, the message gives file:line, no traceback."""
        bad = tmp_path / "corp.ldif"
        bad.write_text("version: 1\n\ndn: DC=corp,DC=local\nchangetype: delete\n", encoding="utf-8")
        result = CliRunner().invoke(app, ["directory", "audit", str(bad)])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "corp.ldif:4" in result.output
        assert "Traceback" not in result.output
