"""``hygie directory audit`` on the real corpus and on a broken file, without any database."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hygie.cli.context import EXIT_INVALID_INPUT
from hygie.cli.main import app

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

    def test_bad_file_exits_3(self, tmp_path: Path) -> None:
        """Truncated JSON: exit 3, the message names the file, no traceback."""
        bad = tmp_path / "users.json"
        bad.write_text('{"meta":', encoding="utf-8")
        result = CliRunner().invoke(app, ["directory", "audit", str(bad)])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "users.json" in result.output
        assert "Traceback" not in result.output
