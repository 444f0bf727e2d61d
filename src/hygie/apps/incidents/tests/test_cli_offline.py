"""``hygie incident offline``: export, bundle and merge commands; bad input exits with its code.

The full two-laptop merge is in test_offline.py; here, what each command says and refuses.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from typer.testing import CliRunner

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND
from hygie.cli.incident import app

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["offline", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


class TestCommands:
    """Export on the server, bundle on the laptop, merge on the server."""

    def test_export(self, tenants: Any, tmp_path: Path) -> None:
        """A viewer may take a copy; the command says how to use it on the laptop."""
        path = tmp_path / "copy.sqlite3"
        code, text = _run("export", "--node", "750712184", "-o", str(path), "--name", "laptop-7",
                          "--as", tenants.users["viewer"].username)
        assert 0 == code, text
        assert path.is_file()
        flat = text.replace("\n", "")
        assert "laptop-7" in flat
        assert "HYGIE_DATABASE_URL=sqlite:///" in flat

    def test_bad_input(self, tenants: Any, tmp_path: Path) -> None:
        """Bad name, existing file, missing folder: 3; unknown node: 4; bundle off a copy: 3; merge no file: 4."""
        existing = tmp_path / "exists.sqlite3"
        existing.write_bytes(b"")
        assert EXIT_INVALID_INPUT == _run("export", "--node", "Hospital A", "-o", str(tmp_path / "x.sqlite3"),
                                          "--name", "a b")[0]
        code, text = _run("export", "--node", "Hospital A", "-o", str(existing))
        assert EXIT_INVALID_INPUT == code
        assert "already exists" in text
        assert EXIT_INVALID_INPUT == _run("export", "--node", "Hospital A", "-o", str(tmp_path / "no" / "x.db"))[0]
        assert EXIT_NOT_FOUND == _run("export", "--node", "Nowhere", "-o", str(tmp_path / "y.sqlite3"))[0]
        code, text = _run("bundle", "-o", str(tmp_path / "b.json"))
        assert EXIT_INVALID_INPUT == code
        assert "not an offline copy" in text
        assert EXIT_NOT_FOUND == _run("merge", str(tmp_path / "none.json"))[0]
        assert {"exists.sqlite3"} == {path.name for path in tmp_path.iterdir()}

    def test_merge_empty_bundle(self, tenants: Any, tmp_path: Path) -> None:
        """A bundle with nothing in it merges to zero everywhere."""
        path = tmp_path / "empty.json"
        path.write_text(json.dumps({"format": "hygie-offline-bundle", "version": 1, "copy": "laptop-1",
                                    "node_path": tenants.hospital_a.path, "created_at": "2026-01-01T00:00:00+00:00",
                                    "incidents": {}, "entries": {}, "obligations": {}}))
        code, text = _run("merge", str(path))
        assert 0 == code, text
        assert "0 incident(s) created, 0 entry(ies) added, 0 already present" in text.replace("\n", " ")
