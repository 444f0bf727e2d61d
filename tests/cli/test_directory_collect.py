"""``hygie directory collect``: live LDAPS collection into a snapshot folder, and its failures.

The live cases use the seeded Samba AD DC of ``tools/with_samba.sh`` (skipped without it); the
failure cases that need no server use loopback ports. Errors are one line, never a traceback,
and the exit code follows the CLI convention (3 invalid input, 5 permission refused, 2 usage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from typer.testing import CliRunner

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_PERMISSION, EXIT_USAGE
from hygie.cli.main import app
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.tests.live_dc import LiveDc, free_port, require_live_dc, seed_manifest

if TYPE_CHECKING:
    from pathlib import Path

    from click.testing import Result


def _collect(args: list[str], password: str | None) -> Result:
    env = {"HYGIE_LDAP_PASSWORD": password} if password is not None else {}
    return CliRunner().invoke(app, ["directory", "collect", *args], env=env)


def _live_args(dc: LiveDc, output: Path) -> list[str]:
    return ["--ldap", dc.url, "--user", dc.user, "--ca-file", str(dc.ca_file), "-o", str(output)]


class TestCollectLive:
    """Against the seeded domain controller."""

    def test_collect_then_audit(self, tmp_path: Path) -> None:
        """The snapshot is written, its table counts printed, and auditing it finds the seeded kerberoastable admin."""
        dc = require_live_dc()
        output = tmp_path / "snapshot"
        result = _collect(_live_args(dc, output), dc.password)
        assert 0 == result.exit_code, result.output
        assert "principals" in result.output
        snapshot = Snapshot.load(output)
        assert str(snapshot.principals.height) in result.output
        assert seed_manifest()["realm"].upper() == snapshot.domains["name"][0]
        report = tmp_path / "audit.json"
        audited = CliRunner().invoke(app, ["directory", "audit", str(output), "--format", "json", "-o", str(report)])
        assert 0 == audited.exit_code, audited.output
        findings = {f["check_id"]: f for f in orjson.loads(report.read_bytes())["findings"]}
        names = [o["name"] for o in findings["directory.privileged_kerberoastable"]["objects"]]
        assert ["SVC_SQL@HYGIE.TEST"] == names

    def test_wrong_password_exits_5(self, tmp_path: Path) -> None:
        """Bad credentials: exit 5, a one-line message, the password nowhere, no snapshot."""
        dc = require_live_dc()
        secret = "Not-The-Passw0rd-42"  # noqa: S105 - a wrong password, on purpose
        output = tmp_path / "snapshot"
        result = _collect(_live_args(dc, output), secret)
        assert EXIT_PERMISSION == result.exit_code
        assert "invalidCredentials" in result.output
        assert secret not in result.output
        assert "Traceback" not in result.output
        assert not output.exists()

    def test_untrusted_certificate_exits_3(self, tmp_path: Path) -> None:
        """Without --ca-file the self-signed certificate is refused and --ca-file suggested."""
        dc = require_live_dc()
        args = ["--ldap", dc.url, "--user", dc.user, "-o", str(tmp_path / "snapshot")]
        result = _collect(args, dc.password)
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "not trusted" in result.output
        assert "--ca-file" in result.output
        assert "Traceback" not in result.output

    def test_insecure_warns(self, tmp_path: Path) -> None:
        """--insecure collects without the CA and says the certificate was not verified."""
        dc = require_live_dc()
        output = tmp_path / "snapshot"
        args = ["--ldap", dc.url, "--user", dc.user, "--insecure", "-o", str(output)]
        result = _collect(args, dc.password)
        assert 0 == result.exit_code, result.output
        assert "not be verified" in result.output
        assert any("not verified" in warning for warning in Snapshot.load(output).warnings)


class TestCollectErrors:
    """Failures that need no domain controller."""

    def test_refused_port_exits_3(self, tmp_path: Path) -> None:
        """Nothing listens on the port: connection refused, exit 3, no traceback."""
        port = free_port()
        args = ["--ldap", f"ldaps://127.0.0.1:{port}", "--user", "u", "-o", str(tmp_path / "s")]
        result = _collect(args, "secret-pw")
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "connection refused" in result.output
        assert "Traceback" not in result.output

    def test_no_password_without_terminal_exits_2(self, tmp_path: Path) -> None:
        """No HYGIE_LDAP_PASSWORD and no terminal to prompt on: usage error naming the variable."""
        args = ["--ldap", "ldaps://127.0.0.1", "--user", "u", "-o", str(tmp_path / "s")]
        result = _collect(args, None)
        assert EXIT_USAGE == result.exit_code
        assert "HYGIE_LDAP_PASSWORD" in result.output

    def test_existing_output_exits_2(self, tmp_path: Path) -> None:
        """An existing folder is not replaced without --overwrite."""
        args = ["--ldap", "ldaps://127.0.0.1", "--user", "u", "-o", str(tmp_path)]
        result = _collect(args, "secret-pw")
        assert EXIT_USAGE == result.exit_code
        assert "--overwrite" in result.output

    def test_clear_text_url_exits_3(self, tmp_path: Path) -> None:
        """ldap:// without --start-tls is refused before any connection."""
        args = ["--ldap", "ldap://127.0.0.1", "--user", "u", "-o", str(tmp_path / "s")]
        result = _collect(args, "secret-pw")
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "clear text" in result.output
