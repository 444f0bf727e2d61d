"""Stale-object checks on hand-built snapshots: machine password ages, inactive machines, obsolete systems, LAPS."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.checks import stale
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, principal, snapshot

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def ago(days: int) -> int:
    """Unix seconds ``days`` days before ``NOW``."""
    return int(NOW.timestamp()) - days * 86400


def computer(rid: int, **values: Any) -> dict[str, Any]:
    """An enabled computer row; a member server of today unless ``values`` say otherwise."""
    defaults: dict[str, Any] = {
        "kind": "Computer",
        "name": f"HOST{rid}.LAB.LOCAL",
        "operating_system": "Windows Server 2022 Standard",
        "is_dc": False,
        "pwdlastset": ago(5),
        "lastlogontimestamp": ago(2),
        "when_created": ago(1000),
        "primary_group_sid": f"{DOMAIN_SID}-515",
        "haslaps": True,
    }
    return principal(rid, **{**defaults, **values})


def names(findings: list[Any]) -> set[str]:
    """Names of the objects affected by ``findings``."""
    return {affected.name for finding in findings for affected in finding.affected}


def dc(rid: int, **values: Any) -> dict[str, Any]:
    """An enabled writable domain controller row."""
    return computer(rid, is_dc=True, primary_group_sid=f"{DOMAIN_SID}-516", **values)


def test_dc_password_unchanged_flags_only_dcs_over_45_days() -> None:
    """A DC at 46 days is reported, one at 44 days and a member server at 60 are not."""
    snap = snapshot([dc(1000, pwdlastset=ago(46)), dc(1001, pwdlastset=ago(44)), computer(1002, pwdlastset=ago(60))])
    assert names(stale.dc_password_unchanged(snap, NOW)) == {"HOST1000.LAB.LOCAL"}


def test_rodc_recognised_by_primary_group() -> None:
    """An RODC known only by its primary group counts as a DC, not as a server."""
    # SharpHound writes isdc false for an RODC; its primary group (521) says what it is.
    rodc = computer(1000, pwdlastset=ago(100), primary_group_sid=f"{DOMAIN_SID}-521")
    snap = snapshot([rodc])
    assert names(stale.dc_password_unchanged(snap, NOW)) == {"HOST1000.LAB.LOCAL"}
    assert stale.server_password_unchanged_90(snap, NOW) == []


def test_dc_inactive_and_never_logged_on() -> None:
    """Old last logon, or no logon and created long ago, is inactive; a DC created 3 days ago is not."""
    old = dc(1000, lastlogontimestamp=ago(60))
    never_old = dc(1001, lastlogontimestamp=0, lastlogon=0, when_created=ago(100))
    never_new = dc(1002, lastlogontimestamp=0, lastlogon=0, when_created=ago(3))
    snap = snapshot([old, never_old, never_new, dc(1003)])
    assert names(stale.dc_inactive(snap, NOW)) == {"HOST1000.LAB.LOCAL", "HOST1001.LAB.LOCAL"}


def test_dc_checks_not_evaluated_without_dates() -> None:
    """Without pwdLastSet or logon dates the DC checks cannot claim anything."""
    snap = snapshot([dc(1000, pwdlastset=None, lastlogontimestamp=None)])
    with pytest.raises(NotEvaluatedError):
        stale.dc_password_unchanged(snap, NOW)
    with pytest.raises(NotEvaluatedError):
        stale.dc_inactive(snap, NOW)


def test_server_password_45_and_90() -> None:
    """Each limit applies to enabled member servers only, not workstations or disabled ones."""
    snap = snapshot(
        [
            computer(1000, pwdlastset=ago(100)),
            computer(1001, pwdlastset=ago(50)),
            computer(1002, pwdlastset=ago(10)),
            computer(1003, pwdlastset=ago(200), operating_system="Windows 11 Pro"),  # a workstation
            computer(1004, pwdlastset=ago(200), enabled=False),
        ]
    )
    assert names(stale.server_password_unchanged_90(snap, NOW)) == {"HOST1000.LAB.LOCAL"}
    assert names(stale.server_password_unchanged_45(snap, NOW)) == {"HOST1000.LAB.LOCAL", "HOST1001.LAB.LOCAL"}


def test_server_inactive() -> None:
    """A server silent for 50 days is inactive, one seen 10 days ago is not."""
    snap = snapshot([computer(1000, lastlogontimestamp=ago(50)), computer(1001, lastlogontimestamp=ago(10))])
    assert names(stale.server_inactive(snap, NOW)) == {"HOST1000.LAB.LOCAL"}


def test_msa_password_unchanged_and_not_evaluated() -> None:
    """Only managed accounts count; without the gMSA/MSA flags the check is not evaluated."""
    gmsa = principal(1000, gmsa=True, msa=False, pwdlastset=ago(120))
    fresh = principal(1001, gmsa=True, msa=False, pwdlastset=ago(20))
    user = principal(1002, gmsa=False, msa=False, pwdlastset=ago(500))
    assert names(stale.msa_password_unchanged(snapshot([gmsa, fresh, user]), NOW)) == {"P1000@LAB.LOCAL"}
    with pytest.raises(NotEvaluatedError):
        stale.msa_password_unchanged(snapshot([principal(1003, pwdlastset=ago(500))]), NOW)


def test_accounts_never_used() -> None:
    """Never-used accounts created 200 days ago are reported; new, used or disabled ones are not."""
    never_old = principal(1000, lastlogon=0, lastlogontimestamp=-1, when_created=ago(200))
    never_new = principal(1001, lastlogon=0, lastlogontimestamp=-1, when_created=ago(10))
    used = principal(1002, lastlogon=ago(1), lastlogontimestamp=ago(3), when_created=ago(200))
    disabled = principal(1003, enabled=False, lastlogon=0, lastlogontimestamp=-1, when_created=ago(200))
    snap = snapshot([never_old, never_new, used, disabled])
    assert names(stale.accounts_never_used(snap, NOW)) == {"P1000@LAB.LOCAL"}


@pytest.mark.parametrize(
    ("system", "obsolete"),
    [
        ("Windows XP Professional", True),
        ("Windows 7 Professional", True),
        ("Windows Server® 2008 Standard", True),
        ("Windows Server 2008 R2 Enterprise", True),
        ("Windows Server 2012 R2 Standard", True),
        ("Windows 10 Pro", True),  # end of support 14 October 2025, before NOW
        ("Windows 10 Enterprise LTSC", False),
        ("Windows 11 Enterprise", False),
        ("Windows Server 2016 Standard", False),  # supported until 12 January 2027
        ("Windows Server 2022 Datacenter", False),
    ],
)
def test_obsolete_os(system: str, obsolete: bool) -> None:
    """Releases past their end of extended support at NOW are obsolete, the others are not."""
    snap = snapshot([computer(1000, operating_system=system)])
    assert bool(stale.obsolete_os_computers(snap, NOW)) is obsolete


def test_obsolete_os_follows_the_date() -> None:
    """Windows Server 2016 becomes obsolete after 12 January 2027, not before."""
    snap = snapshot([computer(1000, operating_system="Windows Server 2016 Standard")])
    assert stale.obsolete_os_computers(snap, datetime(2027, 2, 1, tzinfo=UTC))
    assert not stale.obsolete_os_computers(snap, datetime(2026, 12, 1, tzinfo=UTC))


def test_dc_obsolete_os_only_dcs() -> None:
    """The DC check takes DCs only, the other check everything else."""
    snap = snapshot([dc(1000, operating_system="Windows Server 2012 R2 Standard"), computer(1001)])
    assert names(stale.dc_obsolete_os(snap, NOW)) == {"HOST1000.LAB.LOCAL"}
    assert names(stale.obsolete_os_computers(snap, NOW)) == set()
    with pytest.raises(NotEvaluatedError):
        stale.dc_obsolete_os(snapshot([dc(1000, operating_system=None)]), NOW)


def test_laps_coverage_reports_the_figure() -> None:
    """At 90 % coverage the computers without LAPS are reported with the figure; DCs are left out."""
    rows = [computer(1000 + i, haslaps=i >= 2) for i in range(20)]  # 2 of 20 without LAPS: 90 %
    findings = stale.laps_coverage(snapshot([*rows, dc(2000, haslaps=False)]), NOW)
    assert names(findings) == {"HOST1000.LAB.LOCAL", "HOST1001.LAB.LOCAL"}
    assert findings[0].evidence["coverage_percent"] == 90.0
    assert findings[0].evidence["computers"] == 20


def test_laps_coverage_above_threshold_passes() -> None:
    """At 97.5 % coverage nothing is reported."""
    rows = [computer(1000 + i, haslaps=i >= 1) for i in range(40)]  # 1 of 40 without: 97.5 %
    assert stale.laps_coverage(snapshot(rows), NOW) == []


def test_laps_password_expired() -> None:
    """A LAPS expiry 10 days past is reported, one 10 days ahead is not."""
    snap = snapshot([computer(1000, laps_expiration=ago(10)), computer(1001, laps_expiration=ago(-10))])
    assert names(stale.laps_password_expired(snap, NOW)) == {"HOST1000.LAB.LOCAL"}
    with pytest.raises(NotEvaluatedError):
        stale.laps_password_expired(snapshot([computer(1000)]), NOW)


def _records(folder: Path, kind: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(folder.glob(f"*{kind}.json")):
        records.extend(json.loads(path.read_text(encoding="utf-8-sig"))["data"])
    return records


def test_corpus_rodcs_with_old_passwords(example: Snapshot, bloodhound_corpus: Path) -> None:
    """Computers in the RODC primary group (521) with pwdlastset 45 days before the collection are reported."""
    collected = datetime(2024, 3, 5, 12, tzinfo=UTC)
    limit = int(collected.timestamp()) - 45 * 86400
    expected = {
        record["Properties"]["name"]
        for record in _records(bloodhound_corpus / "ad_example_data", "computers")
        if record["PrimaryGroupSID"].endswith(("-516", "-521"))
        and record["Properties"].get("enabled")
        and 0 < record["Properties"]["pwdlastset"] < limit
    }
    assert expected  # the lab's RODCs were built long before the collection
    assert names(stale.dc_password_unchanged(example, collected)) == expected
