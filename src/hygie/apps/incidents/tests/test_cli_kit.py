"""``hygie incident kit``: one node's kit into a folder, every scheduled node, the list; bad input exits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from hygie.apps.incidents.models import CrisisCell, CrisisKit, KitTrigger
from hygie.cli.context import EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE
from hygie.cli.incident import app

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["kit", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def cells(tenants: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Cells on hospital A (daily) and hospital B (not daily); PDFs faked (WeasyPrint is tested in test_kit)."""
    from hygie.apps.incidents import kit

    monkeypatch.setattr(kit, "_pdf", lambda _html: b"%PDF-1.7 test")
    CrisisCell.objects.create(node=tenants.hospital_a, meeting_place="Room 1")
    CrisisCell.objects.create(node=tenants.hospital_b, kit_daily=False)
    return tenants


class TestKitCommand:
    """The command as the local administrator or a named user."""

    def test_one_node(self, cells: Any, tmp_path: Path) -> None:
        """Given --node and -o, then kit-<node>-<date>.html and .pdf are written there and printed."""
        code, text = _run("--node", "Hospital A", "-o", str(tmp_path), "--as", cells.users["analyst"].username)
        assert 0 == code, text
        stamp = timezone.localdate().isoformat()
        expected = {f"kit-hospital-a-{stamp}.html", f"kit-hospital-a-{stamp}.pdf"}
        assert expected == {path.name for path in tmp_path.iterdir()}
        for name in expected:
            assert name in text.replace("\n", "")
        assert "Room 1" in (tmp_path / f"kit-hospital-a-{stamp}.html").read_text()
        assert KitTrigger.ON_DEMAND == CrisisKit.objects.get().trigger

    def test_all_scheduled(self, cells: Any) -> None:
        """--all --scheduled regenerates the daily kits only, recorded as scheduled; older kits are kept."""
        for _round in range(2):
            code, text = _run("--all", "--scheduled")
            assert 0 == code, text
            assert "1 kit(s) generated" in text
        kits = list(CrisisKit.objects.all())
        assert 2 == len(kits)
        assert {cells.hospital_a} == {kit.node for kit in kits}
        assert {KitTrigger.SCHEDULED} == {kit.trigger for kit in kits}
        code, text = _run("--node", "Hospital A", "--list")
        assert 0 == code
        assert 2 == text.count("Scheduled")

    def test_bad_input(self, cells: Any, tmp_path: Path) -> None:
        """Neither or both of --node/--all: 2; unknown node or folder: 4; a viewer: 5; nothing recorded."""
        assert EXIT_USAGE == _run()[0]
        assert EXIT_USAGE == _run("--all", "--node", "Hospital A")[0]
        assert EXIT_NOT_FOUND == _run("--node", "Nowhere", "-o", str(tmp_path))[0]
        assert EXIT_NOT_FOUND == _run("--node", "Hospital A", "-o", str(tmp_path / "missing"))[0]
        code, text = _run("--node", "Hospital A", "-o", str(tmp_path), "--as", cells.users["viewer"].username)
        assert EXIT_PERMISSION == code
        assert "may not generate" in text
        assert EXIT_NOT_FOUND == _run("--node", "Hospital A", "-o", str(tmp_path), "--as", cells.outsider.username)[0]
        assert 0 == CrisisKit.objects.count()
        assert [] == list(tmp_path.iterdir())


class TestCellCommand:
    """``hygie incident cell``: who to call, read through the same permission choke point."""

    def test_members_and_duty(self, cells: Any) -> None:
        """Given a member on duty now and a deputy, then both are listed with their mobiles, the first on duty."""
        import datetime as dt

        from hygie.apps.incidents.models import CrisisMember, CrisisRole, DutyShift

        now = timezone.now()
        holder = CrisisMember.objects.create(node=cells.hospital_a, role=CrisisRole.CISO, name="Alice Holder",
                                             mobile="+33 6 39 98 00 01", personal_email="alice@example.org")
        CrisisMember.objects.create(node=cells.hospital_a, role=CrisisRole.CISO, rank=2, name="Bob Deputy",
                                    mobile="+33 6 39 98 00 02")
        DutyShift.objects.create(member=holder, starts_at=now - dt.timedelta(hours=1),
                                 ends_at=now + dt.timedelta(hours=5))
        result = CliRunner().invoke(app, ["cell", "--node", "Hospital A", "--as", cells.users["viewer"].username],
                                    env={"COLUMNS": "200"})
        assert 0 == result.exit_code, result.output
        lines = result.output.splitlines()
        alice = next(line for line in lines if "Alice Holder" in line)
        bob = next(line for line in lines if "Bob Deputy" in line)
        assert "+33 6 39 98 00 01" in alice
        assert "yes" in alice
        assert "yes" not in bob
        assert "(2)" in bob
        assert "Room 1" in result.output

    def test_other_tenant(self, cells: Any) -> None:
        """Hospital A's cell is not found for group B's manager (exit 4), and names nobody."""
        from hygie.apps.incidents.models import CrisisMember

        CrisisMember.objects.create(node=cells.hospital_a, role="ciso", name="Alice Holder")
        result = CliRunner().invoke(app, ["cell", "--node", "Hospital A", "--as", cells.outsider.username])
        assert EXIT_NOT_FOUND == result.exit_code
        assert "Alice" not in result.output
