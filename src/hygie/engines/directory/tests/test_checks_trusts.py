"""Trust checks on hand-built trusts, and on the PHANTOM/GHOST/WRAITH example's trusts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.checks import trusts
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.directory_builders import principal, row, snapshot_of

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SOURCE = "S-1-5-21-1-2-3"


def trust(target: str, **values: Any) -> dict[str, Any]:
    """A trust row from LAB.LOCAL to ``target``."""
    return row("trusts", source_sid=SOURCE, target_sid=f"S-1-5-21-{len(target)}-9-9", target_name=target, **values)


def domains() -> list[dict[str, Any]]:
    """The trusting domain, LAB.LOCAL."""
    return [row("domains", object_id=SOURCE, name="LAB.LOCAL")]


def names(findings: list[Any]) -> set[str]:
    """Names of the objects affected by ``findings``."""
    return {affected.name for finding in findings for affected in finding.affected}


def test_trust_not_filtered() -> None:
    """Outbound external trusts without quarantine are reported; inbound and in-forest ones are not."""
    rows = [
        trust("OPEN.ORG", direction="Outbound", trust_type="External", sid_filtering_enabled=False),
        trust("SAFE.ORG", direction="Bidirectional", trust_type="External", sid_filtering_enabled=True),
        trust("IN.ORG", direction="Inbound", trust_type="External", sid_filtering_enabled=False),
        trust("CHILD.LAB.LOCAL", direction="Bidirectional", trust_type="ParentChild", sid_filtering_enabled=False),
        trust("RAW.ORG", direction="Outbound", trust_type="External", trust_attributes=0),  # no quarantine bit
    ]
    snap = snapshot_of(domains=domains(), trusts=rows)
    assert names(trusts.trust_not_filtered(snap, NOW)) == {"LAB.LOCAL -> OPEN.ORG", "LAB.LOCAL -> RAW.ORG"}


def test_trust_forest_sid_history() -> None:
    """TREAT_AS_EXTERNAL on an outbound forest trust is reported; no attributes: not evaluated."""
    rows = [
        trust("HISTORY.ORG", direction="Outbound", trust_type="Forest", trust_attributes=0x8 | 0x40),
        trust("CLEAN.ORG", direction="Bidirectional", trust_type="Forest", trust_attributes=0x8),
    ]
    snap = snapshot_of(domains=domains(), trusts=rows)
    assert names(trusts.trust_forest_sid_history(snap, NOW)) == {"LAB.LOCAL -> HISTORY.ORG"}
    unknown = snapshot_of(domains=domains(), trusts=[trust("X.ORG", direction="Outbound", trust_type="Forest")])
    with pytest.raises(NotEvaluatedError):
        trusts.trust_forest_sid_history(unknown, NOW)


def test_trust_tgt_delegation() -> None:
    """Only inbound or two-way trusts that delegate TGTs are reported."""
    rows = [
        trust("DELEG.ORG", direction="Inbound", trust_type="Forest", tgt_delegation_enabled=True),
        trust("NODELEG.ORG", direction="Bidirectional", trust_type="Forest", tgt_delegation_enabled=False),
        trust("OUT.ORG", direction="Outbound", trust_type="Forest", tgt_delegation_enabled=True),
    ]
    snap = snapshot_of(domains=domains(), trusts=rows)
    assert names(trusts.trust_tgt_delegation(snap, NOW)) == {"LAB.LOCAL -> DELEG.ORG"}


def test_trust_account_password_old() -> None:
    """The partner's old trust account is reported; no trust account at all: not evaluated."""
    year_and_a_half = int(NOW.timestamp()) - 550 * 86400
    recent = int(NOW.timestamp()) - 10 * 86400
    rows = [
        principal(1100, name="PARTNER$@LAB.LOCAL", sam_account_name="PARTNER$", pwdlastset=year_and_a_half),
        principal(1101, name="OTHER$@LAB.LOCAL", user_account_control=0x800, pwdlastset=recent),
        principal(1102, name="NOTATRUST$@LAB.LOCAL", sam_account_name="NOTATRUST$", pwdlastset=year_and_a_half),
    ]
    snap = snapshot_of(
        principals=rows,
        domains=domains(),
        trusts=[trust("partner.org", direction="Bidirectional", trust_type="Forest")],
    )
    assert names(trusts.trust_account_password_old(snap, NOW)) == {"PARTNER$@LAB.LOCAL"}
    no_accounts = snapshot_of(domains=domains(), trusts=[trust("partner.org", direction="Inbound")])
    with pytest.raises(NotEvaluatedError):
        trusts.trust_account_password_old(no_accounts, NOW)


def test_corpus_trusts(example: Snapshot, bloodhound_corpus: Path) -> None:
    """No outbound external trust of the example lacks SID filtering; REVENANT's unfiltered one is inbound."""
    unfiltered_outbound = []
    inbound_unfiltered = []
    for path in (bloodhound_corpus / "ad_example_data").glob("*_domains.json"):
        for record in json.loads(path.read_text(encoding="utf-8-sig"))["data"]:
            for item in record["Trusts"]:
                if item["TrustType"] != "External" or item["SidFilteringEnabled"]:
                    continue
                if item["TrustDirection"] in {"Outbound", "Bidirectional"}:
                    unfiltered_outbound.append(item["TargetDomainName"])
                else:
                    inbound_unfiltered.append(item["TargetDomainName"])
    assert inbound_unfiltered == ["REVENANT.CORP"]
    assert names(trusts.trust_not_filtered(example, NOW)) == set(unfiltered_outbound) == set()
    # SharpHound keeps neither trust accounts nor, in this collection, the TGT delegation flag.
    with pytest.raises(NotEvaluatedError):
        trusts.trust_account_password_old(example, NOW)
    with pytest.raises(NotEvaluatedError):
        trusts.trust_tgt_delegation(example, NOW)
