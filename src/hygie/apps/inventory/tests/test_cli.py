"""`hygie inventory import|export`: exit codes, nothing stored on error, exports re-import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hygie.apps.inventory.csvcolumns import SPECS, ImportKind
from hygie.apps.inventory.models import Asset
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND
from hygie.cli.main import app

runner = CliRunner()


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "inventory.csv"
    path.write_bytes(data)
    return str(path)


class TestImportCommand:
    """Import: 0 when applied, 3 with the problem table when any line is wrong."""

    def test_import_then_dry_run(self, tenants: Any, tmp_path: Path) -> None:
        """A valid file is imported as the named user; a dry run stores nothing."""
        path = _write(tmp_path, b"name;node;kind\nsrv;750712184;server\n")
        dry = runner.invoke(app, ["inventory", "import", path, "--kind", "assets", "--dry-run", "--as", "analyst_a"])
        assert (0, 0) == (dry.exit_code, Asset.objects.count())
        assert "1 would be created" in dry.output
        real = runner.invoke(app, ["inventory", "import", path, "--kind", "assets", "--as", "analyst_a"])
        assert (0, 1) == (real.exit_code, Asset.objects.count())

    def test_invalid_lines_exit_3(self, tenants: Any, tmp_path: Path) -> None:
        """Every bad line is listed; nothing is stored."""
        path = _write(tmp_path, b"name,node,kind\nok,750712184,server\nbad,750712184,toaster\nb,010003820,server\n")
        result = runner.invoke(app, ["inventory", "import", path, "--kind", "assets", "--as", "analyst_a"])
        assert (EXIT_INVALID_INPUT, 0) == (result.exit_code, Asset.objects.count())
        assert "toaster" in result.output
        assert "Unknown node" in result.output

    def test_garbage_missing_file_and_unknown_user(self, tenants: Any, tmp_path: Path) -> None:
        """Binary file → 3; missing file and unknown user → 4; never a traceback."""
        binary = _write(tmp_path, b"\x00\x01PK\x03\x04" * 10)
        results = [
            runner.invoke(app, ["inventory", "import", binary, "--kind", "assets"]),
            runner.invoke(app, ["inventory", "import", str(tmp_path / "nope.csv"), "--kind", "assets"]),
            runner.invoke(app, ["inventory", "import", binary, "--kind", "assets", "--as", "ghost"]),
        ]
        assert [EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_NOT_FOUND] == [r.exit_code for r in results]
        assert all(r.exception is None or isinstance(r.exception, SystemExit) for r in results)


class TestExportCommand:
    """Export: the import columns, restricted to the user, re-importable."""

    def test_export_restricted_and_reimportable(self, tenants: Any, tmp_path: Path) -> None:
        """Group B's asset is absent for group A's viewer; the file re-imports with no change."""
        Asset.objects.create(node=tenants.hospital_a, name="srv-a", kind="server", ip_addresses=["10.0.0.1"])
        Asset.objects.create(node=tenants.hospital_b, name="srv-b", kind="server")
        out = tmp_path / "assets.csv"
        result = runner.invoke(app, ["inventory", "export", "--kind", "assets", "-o", str(out), "--as", "viewer_a"])
        assert 0 == result.exit_code
        lines = out.read_text().splitlines()
        assert ",".join(SPECS[ImportKind.ASSETS].columns) == lines[0]
        assert ["srv-a"] == [line.split(",")[0] for line in lines[1:]]
        again = runner.invoke(app, ["inventory", "import", str(out), "--kind", "assets", "--as", "manager_a"])
        assert (0, "1 line(s): 0 were created, 0 were updated, 1 unchanged.") == (again.exit_code,
                                                                                 again.output.strip())

    def test_export_to_stdout_and_foreign_node(self, tenants: Any) -> None:
        """Standard output by default; another tenant's node is not found (4)."""
        Asset.objects.create(node=tenants.site_a, name="srv-a", kind="server")
        stdout = runner.invoke(app, ["inventory", "export", "--kind", "assets", "--node", str(tenants.group_a.pk),
                                     "--as", "viewer_a"])
        foreign = runner.invoke(app, ["inventory", "export", "--kind", "assets", "--node",
                                      str(tenants.group_b.pk), "--as", "viewer_a"])
        assert (0, EXIT_NOT_FOUND) == (stdout.exit_code, foreign.exit_code)
        assert "srv-a" in stdout.output
