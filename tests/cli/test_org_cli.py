"""`hygie org ...` commands, run through Typer's test runner against the test database."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from hygie.apps.organizations.models import Node
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND
from hygie.cli.main import app

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, ["org", *args], env={"COLUMNS": "200"})


class TestTree:
    """`org tree` shows the part of the tree a user may see."""

    def test_local_administrator_sees_all(self, tenants: Any) -> None:
        """Without --as, both groups are shown."""
        result = _run("tree")
        assert 0 == result.exit_code
        assert ("GHT A" in result.output, "GHT B" in result.output) == (True, True)

    def test_as_user_sees_own_tenant(self, tenants: Any) -> None:
        """Group A's viewer sees group A only."""
        result = _run("tree", "--as", "viewer_a")
        assert ("GHT A" in result.output, "GHT B" in result.output) == (True, False)


class TestShow:
    """`org show` prints one node, 404-like for others' nodes."""

    def test_show(self, tenants: Any) -> None:
        """The node's FINESS number is shown."""
        result = _run("show", str(tenants.hospital_a.pk))
        assert 0 == result.exit_code
        assert "750712184" in result.output

    def test_other_tenant(self, tenants: Any) -> None:
        """Group B's node does not exist for group A's viewer."""
        assert EXIT_NOT_FOUND == _run("show", str(tenants.hospital_b.pk), "--as", "viewer_a").exit_code


class TestAdd:
    """`org add` validates like the web form."""

    def test_add_establishment(self, tenants: Any) -> None:
        """A valid establishment is added under its group."""
        result = _run("add", "--kind", "establishment", "--name", "CH Nouveau", "--parent", str(tenants.group_a.pk),
                      "--finess-ej", "010780054")
        assert 0 == result.exit_code, result.output
        assert tenants.group_a == Node.objects.get(name="CH Nouveau").parent

    def test_bad_finess(self, tenants: Any) -> None:
        """A FINESS number with a wrong check digit exits 3 with the reason, nothing added."""
        result = _run("add", "--kind", "establishment", "--name", "CH Faux", "--parent", str(tenants.group_a.pk),
                      "--finess-ej", "123456789")
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "finess_ej" in result.output
        assert not Node.objects.filter(name="CH Faux").exists()

    def test_wrong_parent_kind(self, tenants: Any) -> None:
        """A site cannot hang from a group."""
        result = _run("add", "--kind", "site", "--name", "Site X", "--parent", str(tenants.group_a.pk))
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "parent" in result.output

    def test_unknown_kind(self, tenants: Any) -> None:
        """An unknown kind exits 3."""
        assert EXIT_INVALID_INPUT == _run("add", "--kind", "planet", "--name", "X").exit_code

    def test_other_tenant_parent(self, tenants: Any) -> None:
        """Group A's manager cannot add under group B."""
        result = _run("add", "--kind", "establishment", "--name", "Intrus", "--parent", str(tenants.group_b.pk),
                      "--as", "manager_a")
        assert EXIT_NOT_FOUND == result.exit_code
        assert not Node.objects.filter(name="Intrus").exists()


class TestMove:
    """`org move` moves a subtree, refusing cycles."""

    def test_move(self, tenants: Any) -> None:
        """Hospital A moves under group B with its site."""
        assert 0 == _run("move", str(tenants.hospital_a.pk), "--parent", str(tenants.group_b.pk)).exit_code
        tenants.site_a.refresh_from_db()
        assert tenants.site_a.path.startswith(tenants.group_b.path)

    def test_cycle_refused(self, tenants: Any) -> None:
        """A node cannot move under its own descendant."""
        result = _run("move", str(tenants.region.pk), "--parent", str(tenants.group_a.pk))
        assert EXIT_INVALID_INPUT == result.exit_code
