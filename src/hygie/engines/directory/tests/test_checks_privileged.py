"""Privileged-account checks: each fires on a crafted weakness and stays silent on its healthy twin."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.acl_builders import NOW, build, findings, named, sid
from hygie.engines.directory.tests.directory_builders import principal

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

NOW_S = int(NOW.timestamp())
DAY_S = 86400
DA = 512  # Domain Admins
PROTECTED_USERS = 525


def group(rid: int, **values: Any) -> dict[str, Any]:
    """A group row."""
    return principal(rid, kind="Group", enabled=None, **values)


def member_of(*pairs: tuple[int, int]) -> list[tuple[str, str, str]]:
    """MemberOf edges (member RID, group RID)."""
    return [(sid(member), "MemberOf", sid(target)) for member, target in pairs]


class TestProtectedUsers:
    """directory.privileged_not_protected_users (vuln_protected_users)."""

    def test_admin_outside_protected_users_fires_nested_member_does_not(self) -> None:
        # 1001 is a Domain Admin outside Protected Users; 1002 is in it through group 1100.
        rows = [group(DA), group(PROTECTED_USERS), group(1100), principal(1001), principal(1002)]
        snap = build(rows, member_of((1001, DA), (1002, DA), (1002, 1100), (1100, PROTECTED_USERS)))
        assert {sid(1001)} == named("directory.privileged_not_protected_users", snap)

    def test_plain_user_outside_protected_users_is_silent(self) -> None:
        assert set() == named("directory.privileged_not_protected_users", build([principal(1001)]))


class TestDelegable:
    """directory.privileged_delegable: the NOT_DELEGATED flag on admins."""

    def test_fires_only_on_admin_without_flag(self) -> None:
        rows = [
            principal(1001, admincount=True, sensitive=False),
            principal(1002, admincount=True, sensitive=True),
            principal(1003, admincount=True, sensitive=None),  # unknown: not claimed
            principal(1004, sensitive=False),  # not privileged
        ]
        assert {sid(1001)} == named("directory.privileged_delegable", build(rows))

    def test_not_evaluated_without_the_flag(self) -> None:
        with pytest.raises(NotEvaluatedError):
            findings("directory.privileged_delegable", build([principal(1001, admincount=True)]))


class TestNoAdminCount:
    """directory.privileged_members_no_admincount (vuln_privileged_members_no_admincount)."""

    def test_member_without_admincount_fires(self) -> None:
        rows = [
            group(DA, admincount=True),
            principal(1001, admincount=False),
            principal(1002, admincount=True),
            principal(1003, kind="Computer", admincount=False),  # computers are left out
            principal(1004, admincount=False),  # not a member
        ]
        snap = build(rows, member_of((1001, DA), (1002, DA), (1003, DA)))
        assert {sid(1001)} == named("directory.privileged_members_no_admincount", snap)


class TestTooMany:
    """directory.privileged_members_too_many: > 10 Domain Admins or > 50 privileged users."""

    def test_eleven_domain_admins_fire_ten_do_not(self) -> None:
        users = [principal(1000 + n, domain_sid="S-1-5-21-1-2-3") for n in range(11)]
        da = group(DA, domain_sid="S-1-5-21-1-2-3")
        eleven = build([da, *users], member_of(*[(1000 + n, DA) for n in range(11)]))
        ten = build([da, *users], member_of(*[(1000 + n, DA) for n in range(10)]))
        assert {sid(DA)} == named("directory.privileged_members_too_many", eleven)
        assert set() == named("directory.privileged_members_too_many", ten)

    def test_fifty_one_admincount_users_fire(self) -> None:
        users = [principal(1000 + n, domain_sid="S-1-5-21-1-2-3", admincount=True) for n in range(51)]
        snap = build([group(DA, domain_sid="S-1-5-21-1-2-3"), *users])
        [finding] = findings("directory.privileged_members_too_many", snap)
        assert [{"name": f"P{DA}@LAB.LOCAL", "domain_admins": 0, "privileged": 51}] == finding.evidence["groups"]


class TestAccountFlags:
    """Reversible encryption, PASSWD_NOTREQD, smart card without expiry, weak Kerberos types."""

    def test_reversible_password(self) -> None:
        rows = [
            principal(1001, admincount=True, reversible_encryption=True),
            principal(1002, admincount=True, reversible_encryption=False),
            principal(1003, reversible_encryption=True),
        ]
        assert {sid(1001)} == named("directory.privileged_reversible_password", build(rows))
        with pytest.raises(NotEvaluatedError):
            findings("directory.privileged_reversible_password", build([principal(1001, admincount=True)]))

    def test_password_not_required(self) -> None:
        rows = [
            principal(1001, admincount=True, passwordnotreqd=True),
            principal(1002, admincount=True, passwordnotreqd=False),
            principal(1003, admincount=True, passwordnotreqd=True, enabled=False),
        ]
        assert {sid(1001)} == named("directory.privileged_password_not_required", build(rows))

    def test_smartcard_without_expiry(self) -> None:
        rows = [
            principal(1001, admincount=True, smartcard_required=True, pwdneverexpires=True),
            principal(1002, admincount=True, smartcard_required=True, pwdneverexpires=False),
            principal(1003, admincount=True, smartcard_required=False, pwdneverexpires=True),
        ]
        assert {sid(1001)} == named("directory.privileged_smartcard_password_never_expires", build(rows))

    def test_spn_weak_encryption(self) -> None:
        rows = [
            principal(1001, admincount=True, has_spn=True, supported_encryption_types=0x4),  # RC4 only
            principal(1002, admincount=True, has_spn=True, supported_encryption_types=0x18),  # AES only
            principal(1003, admincount=True, has_spn=True, supported_encryption_types=0x1C),  # AES + RC4
            principal(1004, admincount=True, has_spn=True, supported_encryption_types=0x1B),  # DES + AES
            principal(1005, admincount=True, has_spn=False, supported_encryption_types=0x4),  # no SPN
        ]
        assert {sid(1001), sid(1004)} == named("directory.privileged_spn_weak_encryption", build(rows))
        with pytest.raises(NotEvaluatedError):
            findings("directory.privileged_spn_weak_encryption", build([principal(1001, admincount=True)]))


class TestBuiltinAdminAndDisabled:
    """RID 500 used recently; disabled members of Tier-0 groups."""

    def test_builtin_admin_recent_logon(self) -> None:
        recent = build([principal(500, lastlogontimestamp=NOW_S - 10 * DAY_S)])
        old = build([principal(500, lastlogontimestamp=NOW_S - 100 * DAY_S)])
        assert {sid(500)} == named("directory.builtin_admin_used", recent)
        assert set() == named("directory.builtin_admin_used", old)

    def test_disabled_member(self) -> None:
        rows = [group(DA), principal(1001, enabled=False), principal(1002), principal(1003, enabled=False)]
        snap = build(rows, member_of((1001, DA), (1002, DA)))
        assert {sid(1001)} == named("directory.privileged_disabled_members", snap)


def _users(folder: Path) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*_users.json")):
        users.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
    return users


class TestExampleData:
    """The SpecterOps example collection; expectations read from its JSON."""

    def test_password_not_required_admins(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # Enabled users with adminCount and PASSWD_NOTREQD in users.json: all privileged by adminCount.
        expected = {
            user["ObjectIdentifier"]
            for user in _users(bloodhound_corpus / "ad_example_data")
            if user["Properties"].get("admincount")
            and user["Properties"].get("enabled")
            and user["Properties"].get("passwordnotreqd")
        }
        assert expected
        assert expected <= named("directory.privileged_password_not_required", example)

    def test_sharphound_lacks_account_control_flags(self, example: Snapshot) -> None:
        # SharpHound writes no userAccountControl, hence no reversible-encryption flag.
        with pytest.raises(NotEvaluatedError):
            findings("directory.privileged_reversible_password", example)
