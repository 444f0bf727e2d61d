"""LDAP entries normalised into snapshot tables with the SharpHound reader's meaning."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.ldap_entries import snapshot_from_entries
from hygie.engines.directory.ldap_pki import trust_row
from hygie.engines.directory.ldap_values import EntryError
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.tests.ldap_fixture import BASE, DOMAIN_SID, GUIDS, entries

ALICE = f"{DOMAIN_SID}-1105"
HELPDESK = f"{DOMAIN_SID}-1201"
SRV01 = f"{DOMAIN_SID}-2001"
DC01 = f"{DOMAIN_SID}-1000"
GMSA = f"{DOMAIN_SID}-3001"
ADMINS = f"{DOMAIN_SID}-512"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    """The fixture directory, normalised."""
    return snapshot_from_entries(entries())


def _row(frame: pl.DataFrame, object_id: str) -> dict[str, Any]:
    rows = frame.filter(pl.col("object_id") == object_id).to_dicts()
    assert len(rows) == 1
    return rows[0]


def _edges(snapshot: Snapshot, kind: str) -> set[tuple[str, str]]:
    frame = snapshot.edges.filter(pl.col("kind") == kind)
    return set(zip(frame["source"].to_list(), frame["target"].to_list(), strict=True))


class TestPrincipals:
    """Users, groups, computers and managed service accounts."""

    def test_user_columns_from_user_account_control(self, snapshot: Snapshot) -> None:
        """UAC 0x410280: never expires, no preauth, reversible encryption; not disabled."""
        alice = _row(snapshot.principals, ALICE)
        assert alice["user_account_control"] == 0x10000 | 0x400000 | 0x80 | 0x200
        assert (alice["enabled"], alice["pwdneverexpires"], alice["dontreqpreauth"]) == (True, True, True)
        assert (alice["reversible_encryption"], alice["use_des_key_only"], alice["smartcard_required"]) == (
            True,
            False,
            False,
        )
        assert (alice["name"], alice["kind"], alice["domain"]) == ("ALICE@CORP.LOCAL", "User", "CORP.LOCAL")
        assert alice["primary_group_sid"] == f"{DOMAIN_SID}-513"
        assert alice["admincount"] is True

    def test_times_follow_sharphound(self, snapshot: Snapshot) -> None:
        """The pwdLastSet of 2024-01-01 as Unix seconds, lastLogon 0 stays 0, absent lastLogonTimestamp is -1."""
        alice = _row(snapshot.principals, ALICE)
        assert (alice["pwdlastset"], alice["lastlogon"], alice["lastlogontimestamp"]) == (1704067200, 0, -1)

    def test_secrets_and_delegation(self, snapshot: Snapshot) -> None:
        """The userPassword attribute is reported under SharpHound's name; SPNs, delegation and SID history kept."""
        alice = _row(snapshot.principals, ALICE)
        assert alice["password_attributes"] == ["userpassword"]
        assert (alice["spns"], alice["has_spn"]) == (["HTTP/web.corp.local"], True)
        assert alice["allowed_to_delegate"] == ["cifs/srv01.corp.local", "cifs/unknown.elsewhere"]
        assert alice["sidhistory"] == ["S-1-5-21-999-888-777-1000"]
        assert alice["is_acl_protected"] is True  # the fixture's DACL has the P flag

    def test_computer(self, snapshot: Snapshot) -> None:
        """Named by DNS host name; LAPS expiry from ms-Mcs-AdmPwdExpirationTime; not a DC."""
        srv = _row(snapshot.principals, SRV01)
        assert (srv["name"], srv["kind"], srv["is_dc"], srv["unconstraineddelegation"]) == (
            "SRV01.CORP.LOCAL",
            "Computer",
            False,
            True,
        )
        assert (srv["haslaps"], srv["laps_expiration"], srv["supported_encryption_types"]) == (True, 1704067200, 24)

    def test_domain_controller_and_gmsa(self, snapshot: Snapshot) -> None:
        """SERVER_TRUST_ACCOUNT makes a DC; a gMSA is a User node flagged gmsa."""
        assert _row(snapshot.principals, DC01)["is_dc"] is True
        gmsa = _row(snapshot.principals, GMSA)
        assert (gmsa["kind"], gmsa["gmsa"], gmsa["msa"]) == ("User", True, False)

    def test_builtin_group_is_prefixed_with_the_domain(self, snapshot: Snapshot) -> None:
        """S-1-5-32-544 becomes CORP.LOCAL-S-1-5-32-544 as in SharpHound collections."""
        admins = _row(snapshot.principals, "CORP.LOCAL-S-1-5-32-544")
        assert (admins["kind"], admins["domain_sid"]) == ("Group", DOMAIN_SID)


class TestEdges:
    """Relations in BloodHound's orientation."""

    def test_membership(self, snapshot: Snapshot) -> None:
        """The member values and primary groups; foreign principals by their SID; unknown DNs warned."""
        members = _edges(snapshot, "MemberOf")
        assert (ALICE, HELPDESK) in members
        assert (ALICE, ADMINS) in members
        assert ("CORP.LOCAL-S-1-5-11", HELPDESK) in members
        assert (ALICE, f"{DOMAIN_SID}-513") in members
        assert (DC01, f"{DOMAIN_SID}-516") in members
        assert any("1 group members outside" in warning for warning in snapshot.warnings)

    def test_acl_edges(self, snapshot: Snapshot) -> None:
        """Owner, DCSync, ForceChangePassword, ReadLAPSPassword (schema GUID), Enroll; deny ignored."""
        assert (ADMINS, ALICE) in _edges(snapshot, "Owns")
        assert _edges(snapshot, "GetChangesAll") == {(ALICE, DOMAIN_SID)}
        assert _edges(snapshot, "GenericAll") == {("CORP.LOCAL-S-1-5-32-544", DOMAIN_SID)}
        assert _edges(snapshot, "ForceChangePassword") == {(HELPDESK, ALICE)}
        assert _edges(snapshot, "ReadLAPSPassword") == {(HELPDESK, SRV01)}
        assert _edges(snapshot, "Enroll") == {(f"{DOMAIN_SID}-513", GUIDS["template"].upper())}

    def test_delegation_edges(self, snapshot: Snapshot) -> None:
        """Constrained delegation resolved by SPN host, RBCD and gMSA readers from their descriptors."""
        assert _edges(snapshot, "AllowedToDelegate") == {(ALICE, SRV01)}
        assert _edges(snapshot, "AllowedToAct") == {(ALICE, SRV01)}
        assert _edges(snapshot, "ReadGMSAPassword") == {(SRV01, GMSA)}
        assert _edges(snapshot, "HasSIDHistory") == {(ALICE, "S-1-5-21-999-888-777-1000")}

    def test_containment_and_gpo_links(self, snapshot: Snapshot) -> None:
        """Contains from parent DN; GPLink enforced on the domain, plain on the OU, disabled link skipped."""
        users, ou, gpo = (GUIDS[key].upper() for key in ("users", "ou", "gpo"))
        contains = _edges(snapshot, "Contains")
        assert {(DOMAIN_SID, users), (DOMAIN_SID, ou), (users, ALICE), (ou, SRV01)} <= contains
        links = snapshot.edges.filter(pl.col("kind") == "GPLink").select("source", "target", "enforced").rows()
        assert sorted(links) == sorted([(gpo, DOMAIN_SID, True), (gpo, ou, False)])

    def test_pki_edges(self, snapshot: Snapshot) -> None:
        """The CA's host computer and the template it publishes."""
        ca = GUIDS["ca"].upper()
        assert _edges(snapshot, "HostsCAService") == {(DC01, ca)}
        assert _edges(snapshot, "PublishedTo") == {(GUIDS["template"].upper(), ca)}


class TestDomainAndConfiguration:
    """Domain policy, forest settings, trusts and AD CS rows."""

    def test_domain_policy(self, snapshot: Snapshot) -> None:
        """The maxPwdAge -36288000000000 (100 ns) is 42 days; levels 7 and 6 are 2016 and 2012 R2."""
        domain = _row(snapshot.domains, DOMAIN_SID)
        expected = {
            "name": "CORP.LOCAL",
            "functional_level": "2016",
            "forest_functional_level": "2012 R2",
            "machine_account_quota": 10,
            "min_pwd_length": 7,
            "pwd_history_length": 24,
            "max_pwd_age_days": 42,
            "lockout_threshold": 0,
            "pwd_properties": 1,
            "dsheuristics": "00000001",
            "sysvol_replication": "DFSR",
            "schema_version": 88,
            "when_created": 1653361801,  # 2022-05-24T03:10:01Z
        }
        assert {key: domain[key] for key in expected} == expected

    def test_external_trust(self, snapshot: Snapshot) -> None:
        """The trustAttributes 0x4 (quarantined) on an external trust: SID filtering on."""
        trust = snapshot.trusts.to_dicts()[0]
        assert trust == {
            "source_sid": DOMAIN_SID,
            "target_sid": "S-1-5-21-444-555-666",
            "target_name": "PARTNER.EXAMPLE",
            "direction": "Bidirectional",
            "trust_type": "External",
            "is_transitive": True,
            "sid_filtering_enabled": True,
            "trust_attributes": 4,
            "tgt_delegation_enabled": False,
        }

    def test_certificate_template(self, snapshot: Snapshot) -> None:
        """ENROLLEE_SUPPLIES_SUBJECT, NO_SECURITY_EXTENSION and client authentication: ESC1-shaped."""
        template = _row(snapshot.cert_templates, GUIDS["template"].upper())
        assert template["certificate_name_flag"] == "ENROLLEE_SUPPLIES_SUBJECT"
        assert template["enrollment_flag"] == "PUBLISH_TO_DS, NO_SECURITY_EXTENSION"
        assert (template["enrollee_supplies_subject"], template["requires_manager_approval"]) == (True, False)
        assert (template["authentication_enabled"], template["no_security_extension"]) == (True, True)
        assert (template["schema_version"], template["authorized_signatures"]) == (2, 0)

    def test_certificate_authorities(self, snapshot: Snapshot) -> None:
        """Enterprise CA, root CA and NTAuth store told apart; thumbprints are SHA-1 of the certificates."""
        kinds = dict(snapshot.cert_authorities.select("object_id", "kind").rows())
        assert kinds == {
            GUIDS["ca"].upper(): "EnterpriseCA",
            GUIDS["root"].upper(): "RootCA",
            GUIDS["ntauth"].upper(): "NTAuthStore",
        }
        ca = _row(snapshot.cert_authorities, GUIDS["ca"].upper())
        # SHA-1 of b"certificate bytes", computed independently with `printf 'certificate bytes' | sha1sum`.
        assert ca["cert_thumbprint"] == "AE095A8810BA6D92BC052E207948AE1E698D5DFD"
        assert (ca["hosting_computer"], ca["ca_name"]) == (DC01, "corp-CA")
        assert len(_row(snapshot.cert_authorities, GUIDS["ntauth"].upper())["cert_chain"]) == 2


class TestBadEntries:
    """Malformed values raise an error naming the entry, never a partial snapshot."""

    def test_no_domain(self) -> None:
        """Without the domain object there is nothing to anchor the snapshot to."""
        without = [entry for entry in entries() if entry[0] != BASE]
        with pytest.raises(CollectionError, match="no domain object"):
            snapshot_from_entries(without, source="test")

    def test_corrupt_security_descriptor(self) -> None:
        """A truncated nTSecurityDescriptor names the DN and the offset."""
        items = entries()
        dn, attrs = items[5]
        items[5] = (dn, {**attrs, "ntsecuritydescriptor": [bytes(attrs["ntsecuritydescriptor"][0])[:30]]})
        with pytest.raises(EntryError, match=r"CN=Alice.*ntsecuritydescriptor.*offset") as caught:
            snapshot_from_entries(items)
        assert caught.value.dn == dn

    def test_non_numeric_integer(self) -> None:
        """The userAccountControl must be an integer."""
        items = entries()
        dn, attrs = items[5]
        items[5] = (dn, {**attrs, "useraccountcontrol": [b"lots"]})
        with pytest.raises(EntryError, match="'useraccountcontrol' is not an integer"):
            snapshot_from_entries(items)


class TestTrustRules:
    """Trust type, SID filtering and TGT delegation from trustAttributes (MS-ADTS 6.1.6.7.9)."""

    @pytest.mark.parametrize(
        ("partner", "attributes", "expected"),
        [
            # WITHIN_FOREST between nested names: parent-child, never filtered, TGT delegation works.
            ("child.corp.local", 0x20, ("ParentChild", False, True, True)),
            # WITHIN_FOREST between unrelated names: a shortcut trust.
            ("other.local", 0x20, ("CrossLink", False, True, True)),
            # FOREST_TRANSITIVE: filtered...
            ("partner.example", 0x8, ("Forest", True, False, True)),
            # ...unless TREAT_AS_EXTERNAL lets SID history through; 0x800 enables TGT delegation.
            ("partner.example", 0x8 | 0x40 | 0x800, ("Forest", False, True, True)),
            # External without QUARANTINED_DOMAIN, NON_TRANSITIVE: not filtered, not transitive.
            ("partner.example", 0x1, ("External", False, False, False)),
        ],
    )
    def test_rules(self, partner: str, attributes: int, expected: tuple[str, bool, bool, bool]) -> None:
        """Each row of the documented rule."""
        attrs = {"trustpartner": [partner.encode()], "trustattributes": [str(attributes).encode()], "trusttype": [b"2"]}
        row = trust_row(f"CN={partner},CN=System,{BASE}", attrs, DOMAIN_SID)
        actual = (row["trust_type"], row["sid_filtering_enabled"], row["tgt_delegation_enabled"], row["is_transitive"])
        assert actual == expected

    def test_ranged_member_attribute(self) -> None:
        """A live collector may hand ``member;range=0-1`` chunks: they are merged into ``member``."""
        items = entries()
        index = next(i for i, (dn, _) in enumerate(items) if dn.startswith("CN=Helpdesk"))
        dn, attrs = items[index]
        members = list(attrs["member"])
        rest = {key: value for key, value in attrs.items() if key != "member"}
        items[index] = (dn, {**rest, "member;range=0-0": members[:1], "member;range=1-*": members[1:]})
        assert (ALICE, HELPDESK) in _edges(snapshot_from_entries(items), "MemberOf")
        assert ("CORP.LOCAL-S-1-5-11", HELPDESK) in _edges(snapshot_from_entries(items), "MemberOf")
