"""`hygie user ...` commands, run through Typer's test runner against the test database."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from hygie.apps.accounts.models import ApiToken, AuditEvent, RoleAssignment, User
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND
from hygie.cli.main import app

runner = CliRunner()
GOOD_PASSWORD = "Tr0mbone-de-garde-2024"  # noqa: S105 - test fixture


def _run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, ["user", *args], input=stdin)


class TestCreate:
    """`user create` makes accounts with validated passwords."""

    def test_password_stdin(self, db: Any) -> None:
        """The password read from standard input logs the user in (without its newline)."""
        result = _run("create", "alice", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
        assert 0 == result.exit_code
        user = User.objects.get(username="alice")
        assert (True, False) == (user.check_password(GOOD_PASSWORD), user.is_superuser)

    def test_superuser(self, db: Any) -> None:
        """--superuser creates a platform administrator."""
        result = _run("create", "root2", "--password", GOOD_PASSWORD, "--superuser")
        assert 0 == result.exit_code
        assert User.objects.get(username="root2").is_superuser

    def test_weak_password_refused(self, db: Any) -> None:
        """A weak password exits 3 with the reason and creates nothing."""
        result = _run("create", "bob", "--password", "123")
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "too short" in result.output
        assert not User.objects.filter(username="bob").exists()

    def test_duplicate_refused(self, tenants: Any) -> None:
        """An existing name exits 3."""
        result = _run("create", "viewer_a", "--password", GOOD_PASSWORD)
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "already exists" in result.output

    def test_hostile_name_refused(self, db: Any) -> None:
        """A name with characters Django refuses exits 3, no traceback."""
        result = _run("create", "<script>", "--password", GOOD_PASSWORD)
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "Traceback" not in result.output


class TestGrantRevoke:
    """`user grant` / `user revoke` change roles, audited, within the actor's scope."""

    def test_grant_then_revoke(self, tenants: Any) -> None:
        """A role granted then revoked leaves an audit trail and no assignment."""
        user = tenants.no_role
        assert 0 == _run("grant", user.username, "analyst", str(tenants.hospital_a.pk)).exit_code
        assert RoleAssignment.objects.filter(user=user, node=tenants.hospital_a, role="analyst").exists()
        assert 0 == _run("revoke", user.username, "analyst", str(tenants.hospital_a.pk)).exit_code
        assert not RoleAssignment.objects.filter(user=user).exists()
        assert 2 <= AuditEvent.objects.filter(object_type="accounts.RoleAssignment").count()

    def test_unknown_role(self, tenants: Any) -> None:
        """An unknown role exits 3 listing the valid ones."""
        result = _run("grant", "nobody", "king", str(tenants.group_a.pk))
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "viewer" in result.output

    def test_other_tenant_node_not_found(self, tenants: Any) -> None:
        """Group A's administrator cannot grant on group B: the node does not exist for them."""
        result = _run("grant", "nobody", "viewer", str(tenants.group_b.pk), "--as", "administrator_a")
        assert EXIT_NOT_FOUND == result.exit_code
        assert not RoleAssignment.objects.filter(user=tenants.no_role).exists()

    def test_unknown_user(self, tenants: Any) -> None:
        """An unknown user exits 4."""
        assert EXIT_NOT_FOUND == _run("grant", "ghost", "viewer", str(tenants.group_a.pk)).exit_code

    def test_revoke_missing(self, tenants: Any) -> None:
        """Revoking a role the user does not hold exits 4."""
        assert EXIT_NOT_FOUND == _run("revoke", "nobody", "viewer", str(tenants.group_a.pk)).exit_code


class TestListAndToken:
    """`user list` shows roles; `user token` prints a working key once."""

    def test_list(self, tenants: Any) -> None:
        """Each user appears with their roles."""
        result = runner.invoke(app, ["user", "list"], env={"COLUMNS": "200"})
        assert 0 == result.exit_code
        assert "manager @ GHT A" in result.output

    def test_token(self, tenants: Any) -> None:
        """The printed key authenticates its owner."""
        result = _run("token", "viewer_a", "--name", "SIEM")
        assert 0 == result.exit_code
        key = result.output.strip().splitlines()[-1]
        assert tenants.users["viewer"] == ApiToken.objects.authenticate(key).user
