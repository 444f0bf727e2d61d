"""Anomaly checks on hand-built snapshots: Guest, Pre-Windows 2000 Compatible Access, inconsistent DCs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.checks import anomalies
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, edge, principal, row, snapshot, snapshot_of

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PRE_2000 = "LAB.LOCAL-S-1-5-32-554"


def names(findings: list[Any]) -> set[str]:
    """Names of the objects affected by ``findings``."""
    return {affected.name for finding in findings for affected in finding.affected}


def test_guest_enabled() -> None:
    """Guest (RID 501) enabled is reported; disabled, or RID 1501, is not."""
    assert names(anomalies.guest_enabled(snapshot([principal(501, enabled=True)]), NOW)) == {"P501@LAB.LOCAL"}
    assert anomalies.guest_enabled(snapshot([principal(501, enabled=False), principal(1501)]), NOW) == []


def _pre_2000(*members: str) -> Snapshot:
    group = row("principals", object_id=PRE_2000, kind="Group", name="PRE-WINDOWS 2000 COMPATIBLE ACCESS@LAB.LOCAL")
    users = [principal(1000)]
    return snapshot_of(principals=[group, *users], edges=[edge(member, PRE_2000, "MemberOf") for member in members])


def test_pre_windows_2000_anonymous() -> None:
    """Anonymous in the group is reported; Authenticated Users alone is the default."""
    snap = _pre_2000("LAB.LOCAL-S-1-5-11", "LAB.LOCAL-S-1-5-7")
    assert names(anomalies.pre_windows_2000_anonymous(snap, NOW)) == {"LAB.LOCAL-S-1-5-7"}
    assert anomalies.pre_windows_2000_anonymous(_pre_2000("LAB.LOCAL-S-1-5-11"), NOW) == []


def test_pre_windows_2000_not_default() -> None:
    """Any member but Authenticated Users is reported, even one absent from the principals."""
    snap = _pre_2000("LAB.LOCAL-S-1-5-11", f"{DOMAIN_SID}-1000", "S-1-1-0")
    assert names(anomalies.pre_windows_2000_not_default(snap, NOW)) == {"P1000@LAB.LOCAL", "S-1-1-0"}
    assert anomalies.pre_windows_2000_not_default(_pre_2000("LAB.LOCAL-S-1-5-11"), NOW) == []


def test_pre_windows_2000_not_evaluated_without_the_group() -> None:
    """Without the group in the collection nothing can be said."""
    with pytest.raises(NotEvaluatedError):
        anomalies.pre_windows_2000_not_default(snapshot([principal(1000)]), NOW)


def test_dc_inconsistent_uac() -> None:
    """Writable DCs need 0x2000 and 0x80000, RODCs 0x1000 and 0x4000000 without 0x80000."""
    rows = [
        principal(1000, kind="Computer", is_dc=True, user_account_control=0x2000 | 0x80000 | 0x1000000),  # ok
        principal(1001, kind="Computer", is_dc=True, user_account_control=0x1000),  # workstation flags
        principal(1002, kind="Computer", is_dc=True, user_account_control=0x2000),  # no delegation
        principal(1003, kind="Computer", is_dc=False, is_rodc=True, user_account_control=0x1000 | 0x4000000),  # ok
        principal(1004, kind="Computer", is_dc=False, is_rodc=True, user_account_control=0x1000 | 0x4000000 | 0x80000),
        principal(1005, kind="Computer", is_dc=False, is_rodc=False, user_account_control=0x1000),
    ]
    offenders = names(anomalies.dc_inconsistent_uac(snapshot(rows), NOW))
    assert offenders == {"P1001@LAB.LOCAL", "P1002@LAB.LOCAL", "P1004@LAB.LOCAL"}
    with pytest.raises(NotEvaluatedError):
        anomalies.dc_inconsistent_uac(snapshot([principal(1000, kind="Computer", is_dc=True)]), NOW)


def test_corpus_pre_windows_2000_members(example: Snapshot, bloodhound_corpus: Path) -> None:
    """Members other than Authenticated Users (S-1-5-11) listed in the JSON are reported, by SID."""
    expected = set()
    for path in (bloodhound_corpus / "ad_example_data").glob("*_groups.json"):
        for record in json.loads(path.read_text(encoding="utf-8-sig"))["data"]:
            if record["ObjectIdentifier"].endswith("-S-1-5-32-554"):
                expected |= {
                    m["ObjectIdentifier"] for m in record["Members"] if not m["ObjectIdentifier"].endswith("-S-1-5-11")
                }
    assert expected  # computer accounts sit in PHANTOM's and WRAITH's groups
    findings = anomalies.pre_windows_2000_not_default(example, NOW)
    assert {affected.identifier for finding in findings for affected in finding.affected} == expected
    assert anomalies.pre_windows_2000_anonymous(example, NOW) == []


def test_rodc_krbtgt_orphan() -> None:
    """Two krbtgt_N accounts for one RODC: the domain's krbtgt_N accounts are named; one each is fine."""
    rodc = principal(1000, kind="Computer", primary_group_sid=f"{DOMAIN_SID}-521")
    first = principal(1101, sam_account_name="krbtgt_8221", enabled=False)
    second = principal(1102, sam_account_name="krbtgt_9999", enabled=False)
    findings = anomalies.rodc_krbtgt_orphan(snapshot([rodc, first, second, principal(502)]), NOW)
    assert names(findings) == {"P1101@LAB.LOCAL", "P1102@LAB.LOCAL"}
    assert findings[0].evidence["domains"] == [{"domain_sid": DOMAIN_SID, "accounts": 2, "rodcs": 1}]
    assert anomalies.rodc_krbtgt_orphan(snapshot([rodc, first]), NOW) == []


def test_corpus_rodc_krbtgt_accounts_have_rodcs(example: Snapshot, bloodhound_corpus: Path) -> None:
    """Each example domain has as many RODCs (primary group 521) as krbtgt_N accounts: no orphan."""
    accounts: dict[str, int] = {}
    rodcs: dict[str, int] = {}
    for path in (bloodhound_corpus / "ad_example_data").glob("*_users.json"):
        for record in json.loads(path.read_text(encoding="utf-8-sig"))["data"]:
            if record["Properties"].get("samaccountname", "").lower().startswith("krbtgt_"):
                domain = record["ObjectIdentifier"].rsplit("-", 1)[0]
                accounts[domain] = accounts.get(domain, 0) + 1
    for path in (bloodhound_corpus / "ad_example_data").glob("*_computers.json"):
        for record in json.loads(path.read_text(encoding="utf-8-sig"))["data"]:
            if record["PrimaryGroupSID"].endswith("-521"):
                domain = record["ObjectIdentifier"].rsplit("-", 1)[0]
                rodcs[domain] = rodcs.get(domain, 0) + 1
    assert accounts  # PHANTOM and WRAITH have an RODC each
    assert all(rodcs.get(domain, 0) >= count for domain, count in accounts.items())
    assert anomalies.rodc_krbtgt_orphan(example, NOW) == []
