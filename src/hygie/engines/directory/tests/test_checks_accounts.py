"""Account hygiene checks on hand-built snapshots: Kerberos and password flags, primary groups, SID history, loops."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.checks import accounts
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, principal, snapshot

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def names(findings: list[Any]) -> set[str]:
    """Names of the objects affected by ``findings``."""
    return {affected.name for finding in findings for affected in finding.affected}


def group(rid: int, **values: Any) -> dict[str, Any]:
    """A group row."""
    return principal(rid, kind="Group", name=f"G{rid}@LAB.LOCAL", **values)


def test_password_never_expires_skips_managed_accounts() -> None:
    """Enabled users with DONT_EXPIRE_PASSWORD, managed service accounts excepted."""
    snap = snapshot(
        [
            principal(1000, pwdneverexpires=True),
            principal(1001, pwdneverexpires=False),
            principal(1002, pwdneverexpires=True, gmsa=True),
            principal(1003, pwdneverexpires=True, enabled=False),
        ]
    )
    assert names(accounts.password_never_expires(snap, NOW)) == {"P1000@LAB.LOCAL"}


def test_asrep_roastable() -> None:
    """DONT_REQ_PREAUTH users are reported; a collection without the flag is not evaluated."""
    snap = snapshot([principal(1000, dontreqpreauth=True), principal(1001, dontreqpreauth=False)])
    assert names(accounts.asrep_roastable(snap, NOW)) == {"P1000@LAB.LOCAL"}
    with pytest.raises(NotEvaluatedError):
        accounts.asrep_roastable(snapshot([principal(1000)]), NOW)


def test_kerberoastable_users_leaves_privileged_and_krbtgt_out() -> None:
    """Only the ordinary user with an SPN is reported."""
    snap = snapshot(
        [
            principal(1000, has_spn=True, spns=["MSSQLSvc/db:1433"]),
            principal(1001, has_spn=True, admincount=True),
            principal(502, has_spn=True),
            principal(1002, has_spn=False),
        ]
    )
    assert names(accounts.kerberoastable_users(snap, NOW)) == {"P1000@LAB.LOCAL"}


def test_password_not_required() -> None:
    """PASSWD_NOTREQD accounts are reported, others are not."""
    snap = snapshot([principal(1000, passwordnotreqd=True), principal(1001, passwordnotreqd=False)])
    assert names(accounts.password_not_required(snap, NOW)) == {"P1000@LAB.LOCAL"}


def test_kerberos_des_only_from_flag_or_types() -> None:
    """USE_DES_KEY_ONLY or DES-only encryption types; DES beside AES is not DES-only."""
    snap = snapshot(
        [
            principal(1000, use_des_key_only=True),
            principal(1001, use_des_key_only=False, supported_encryption_types=0x3),  # DES only
            principal(1002, use_des_key_only=False, supported_encryption_types=0x1B),  # DES and AES
            principal(1003, use_des_key_only=False, supported_encryption_types=0x18),
        ]
    )
    assert names(accounts.kerberos_des_only(snap, NOW)) == {"P1000@LAB.LOCAL", "P1001@LAB.LOCAL"}
    with pytest.raises(NotEvaluatedError):
        accounts.kerberos_des_only(snapshot([principal(1000)]), NOW)


def test_reversible_password() -> None:
    """ENCRYPTED_TEXT_PWD_ALLOWED accounts are reported; unknown flags: not evaluated."""
    snap = snapshot([principal(1000, reversible_encryption=True), principal(1001, reversible_encryption=False)])
    assert names(accounts.reversible_password(snap, NOW)) == {"P1000@LAB.LOCAL"}
    with pytest.raises(NotEvaluatedError):
        accounts.reversible_password(snapshot([principal(1000)]), NOW)


def test_cleartext_password_attributes() -> None:
    """An account with userPassword set is reported, with the attribute named."""
    snap = snapshot([principal(1000, password_attributes=["userPassword"]), principal(1001, password_attributes=[])])
    findings = accounts.cleartext_password_attributes(snap, NOW)
    assert names(findings) == {"P1000@LAB.LOCAL"}
    assert findings[0].evidence["objects"][0]["password_attributes"] == ["userPassword"]


def test_disabled_in_groups_ignores_the_primary_group() -> None:
    """Membership of the primary group alone does not count."""
    primary = f"{DOMAIN_SID}-513"
    rows = [
        principal(1000, enabled=False, primary_group_sid=primary),
        principal(1001, enabled=False, primary_group_sid=primary),
        principal(1002, enabled=True, primary_group_sid=primary),
        principal(502, enabled=False, primary_group_sid=primary),  # krbtgt: a member by default
        group(513),
        group(1100),
    ]
    snap = snapshot(rows, member_of=[(1000, 1100), (1000, 513), (1001, 513), (1002, 1100), (502, 1100)])
    assert names(accounts.disabled_in_groups(snap, NOW)) == {"P1000@LAB.LOCAL"}


def test_primary_group_changed_and_below_1000() -> None:
    """Default primary groups pass; others are changed, and privileged when under RID 1000."""
    rows = [
        principal(1000, primary_group_sid=f"{DOMAIN_SID}-513"),
        principal(1001, primary_group_sid=f"{DOMAIN_SID}-512"),  # Domain Admins: hidden membership
        principal(1002, primary_group_sid=f"{DOMAIN_SID}-1105"),
        principal(501, primary_group_sid=f"{DOMAIN_SID}-514"),  # Guest in Domain Guests: default
        principal(1003, gmsa=True, primary_group_sid=f"{DOMAIN_SID}-515"),
        principal(1004, kind="Computer", is_dc=True, primary_group_sid=f"{DOMAIN_SID}-516"),
        principal(1005, kind="Computer", is_dc=False, is_rodc=False, primary_group_sid=f"{DOMAIN_SID}-516"),
    ]
    snap = snapshot(rows)
    assert names(accounts.primary_group_changed(snap, NOW)) == {"P1001@LAB.LOCAL", "P1002@LAB.LOCAL", "P1005@LAB.LOCAL"}
    assert names(accounts.primary_group_below_1000(snap, NOW)) == {"P1001@LAB.LOCAL", "P1005@LAB.LOCAL"}


def test_sid_history_dangerous() -> None:
    """Own-domain, built-in and RID < 1000 SIDs are dangerous; a migrated ordinary SID is not."""
    rows = [
        principal(1000, sidhistory=[f"{DOMAIN_SID}-512"]),  # own domain
        principal(1001, sidhistory=["S-1-5-21-9-9-9-1234"]),  # a migrated account: fine
        principal(1002, sidhistory=["S-1-5-21-9-9-9-519"]),  # Enterprise Admins of another domain
        principal(1003, sidhistory=["S-1-5-32-544"]),  # built-in Administrators
        principal(1004),
    ]
    assert names(accounts.sid_history_dangerous(snapshot(rows), NOW)) == {
        "P1000@LAB.LOCAL",
        "P1002@LAB.LOCAL",
        "P1003@LAB.LOCAL",
    }


def test_group_loops() -> None:
    """A three-group cycle and a self-member group are loops; a chain is not."""
    rows = [group(1100), group(1101), group(1102), group(1103), group(1104), principal(1000)]
    edges = [(1100, 1101), (1101, 1102), (1102, 1100), (1103, 1100), (1104, 1104), (1000, 1100)]
    findings = accounts.group_loops(snapshot(rows, member_of=edges), NOW)
    assert names(findings) == {"G1100@LAB.LOCAL", "G1101@LAB.LOCAL", "G1102@LAB.LOCAL", "G1104@LAB.LOCAL"}
    assert accounts.group_loops(snapshot(rows, member_of=[(1100, 1101), (1101, 1102)]), NOW) == []


def test_corpus_asrep_roastable(example: Snapshot, bloodhound_corpus: Path) -> None:
    """The enabled users the JSON marks dontreqpreauth are exactly the ones reported."""
    expected = set()
    for path in (bloodhound_corpus / "ad_example_data").glob("*_users.json"):
        for record in json.loads(path.read_text(encoding="utf-8-sig"))["data"]:
            props = record["Properties"]
            if props.get("dontreqpreauth") and props.get("enabled"):
                expected.add(props["name"])
    assert expected
    assert names(accounts.asrep_roastable(example, NOW)) == expected
