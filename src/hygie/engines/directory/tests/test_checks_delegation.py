"""Delegation checks: each fires on a crafted delegation and stays silent on its healthy twin."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hygie.engines.directory.tests.acl_builders import ace_rows, build, named, sid
from hygie.engines.directory.tests.directory_builders import principal

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

DC = 1000


def computer(rid: int, name: str, **values: Any) -> dict[str, Any]:
    """An enabled computer account called ``name`` (FQDN)."""
    return principal(rid, kind="Computer", name=name, sam_account_name=name.split(".", maxsplit=1)[0] + "$", **values)


def dc() -> dict[str, Any]:
    """The domain controller DC01."""
    return computer(DC, "DC01.LAB.LOCAL", is_dc=True)


class TestConstrainedDelegationToTier0:
    """directory.constrained_delegation_to_tier0 (a2d2) and protocol_transition_to_tier0 (t2a4d)."""

    def test_spn_to_dc_without_transition_is_a2d2(self) -> None:
        # No AllowedToDelegate edge: the SPN's host part alone must identify the DC.
        rows = [dc(), computer(1101, "WEB.LAB.LOCAL", allowed_to_delegate=["cifs/dc01.lab.local"])]
        snap = build(rows)
        assert {(sid(1101), "AllowedToDelegate", sid(DC))} == ace_rows(
            "directory.constrained_delegation_to_tier0", snap
        )
        assert set() == named("directory.protocol_transition_to_tier0", snap)

    def test_short_computer_names_as_ldap_writes_them(self) -> None:
        # LDAP names a computer "DC1" in domain LAB.LOCAL: "dc1.lab.local" and "dc1" both match it,
        # a host of the same short name in another domain does not.
        rows = [
            principal(DC, kind="Computer", name="DC1", domain="LAB.LOCAL", is_dc=True),
            computer(1101, "WEB.LAB.LOCAL", allowed_to_delegate=["ldap/dc1.lab.local/lab.local", "cifs/DC1"]),
            computer(1102, "APP.LAB.LOCAL", allowed_to_delegate=["cifs/dc1.other.local"]),
        ]
        assert {(sid(1101), "AllowedToDelegate", sid(DC))} == ace_rows(
            "directory.constrained_delegation_to_tier0", build(rows)
        )

    def test_edge_to_dc_with_transition_is_t2a4d(self) -> None:
        rows = [dc(), computer(1101, "WEB.LAB.LOCAL", trustedtoauth=True)]
        snap = build(rows, [(sid(1101), "AllowedToDelegate", sid(DC))])
        assert {sid(1101), sid(DC)} == named("directory.protocol_transition_to_tier0", snap)
        assert set() == named("directory.constrained_delegation_to_tier0", snap)

    def test_delegation_to_a_plain_server_or_by_a_dc_is_silent(self) -> None:
        rows = [
            dc(),
            computer(1001, "DC02.LAB.LOCAL", is_dc=True, allowed_to_delegate=["ldap/DC01"]),
            computer(1101, "WEB.LAB.LOCAL", trustedtoauth=True, allowed_to_delegate=["http/app.lab.local"]),
            computer(1102, "APP.LAB.LOCAL"),
        ]
        for check in ("directory.constrained_delegation_to_tier0", "directory.protocol_transition_to_tier0"):
            assert set() == named(check, build(rows)), check


class TestResourceBasedDelegation:
    """directory.rbcd_to_tier0 (sourcedeleg) and directory.rbcd_configured."""

    def test_actor_on_dc_is_tier0_finding_actor_on_server_is_informational(self) -> None:
        rows = [dc(), computer(1101, "WEB.LAB.LOCAL"), computer(1102, "APP.LAB.LOCAL")]
        snap = build(rows, [(sid(1101), "AllowedToAct", sid(DC)), (sid(1101), "AllowedToAct", sid(1102))])
        assert {(sid(1101), "AllowedToAct", sid(DC))} == ace_rows("directory.rbcd_to_tier0", snap)
        assert {(sid(1101), "AllowedToAct", sid(1102))} == ace_rows("directory.rbcd_configured", snap)

    def test_tier0_actor_is_silent(self) -> None:
        # A DC allowed to act on another server is not an exposure from outside Tier 0.
        rows = [dc(), computer(1102, "APP.LAB.LOCAL")]
        snap = build(rows, [(sid(DC), "AllowedToAct", sid(1102))])
        assert set() == named("directory.rbcd_configured", snap)
        assert set() == named("directory.rbcd_to_tier0", snap)


class TestUserAndKrbtgtDelegation:
    """directory.user_unconstrained_delegation and directory.krbtgt_delegation."""

    def test_user_with_unconstrained_delegation(self) -> None:
        rows = [
            principal(1001, unconstraineddelegation=True),
            computer(1101, "WEB.LAB.LOCAL", unconstraineddelegation=True),  # a computer: other check
            principal(1002, unconstraineddelegation=True, enabled=False),
        ]
        assert {sid(1001)} == named("directory.user_unconstrained_delegation", build(rows))

    def test_krbtgt_with_delegation_or_rbcd(self) -> None:
        assert {sid(502)} == named("directory.krbtgt_delegation", build([principal(502, trustedtoauth=True)]))
        rbcd = build([principal(502), computer(1101, "WEB.LAB.LOCAL")], [(sid(1101), "AllowedToAct", sid(502))])
        assert {sid(502)} == named("directory.krbtgt_delegation", rbcd)
        assert set() == named("directory.krbtgt_delegation", build([principal(502, enabled=False)]))


class TestExampleData:
    """The SpecterOps example collection; expectations read from its JSON."""

    def test_protocol_transition_to_the_dc(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # computers.json: accounts with TrustedToAuth and an AllowedToDelegate entry pointing at a
        # computer whose "isdc" is true; none of them is a DC or in a Tier-0 group itself.
        computers: list[dict[str, Any]] = []
        for path in sorted((bloodhound_corpus / "ad_example_data").glob("*_computers.json")):
            computers.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
        dcs = {c["ObjectIdentifier"] for c in computers if c["Properties"].get("isdc")}
        expected = {
            (c["ObjectIdentifier"], "AllowedToDelegate", target["ObjectIdentifier"])
            for c in computers
            if c["Properties"].get("trustedtoauth") and not c["Properties"].get("isdc")
            for target in c.get("AllowedToDelegate") or []
            if target["ObjectIdentifier"] in dcs
        }
        assert 1 == len(expected)  # KRB-DEL-01 -> DC01 in PHANTOM.CORP
        assert expected == ace_rows("directory.protocol_transition_to_tier0", example)
