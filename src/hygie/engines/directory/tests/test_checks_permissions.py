"""Permission checks: dangerous ACEs on Tier-0 objects, DCSync, LAPS and gMSA readers."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.acl_builders import DOMAIN_DN, ace_rows, build, findings, named, obj, sid
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, principal

if TYPE_CHECKING:
    from pathlib import Path

    from hygie.engines.directory.snapshot import Snapshot

DA = 512
USER = 1101  # an ordinary user: the usual offender
DC = 1000
ADMINISTRATORS = "LAB.LOCAL-S-1-5-32-544"
SELF = "LAB.LOCAL-S-1-5-10"
ENTERPRISE_DCS = "LAB.LOCAL-S-1-5-9"
DOMAIN_USERS = sid(513)
GUID = "11111111-2222-3333-4444-555555555555"


def base() -> list[dict[str, Any]]:
    """Domain Admins with one member, Administrators, a user, a DC and a plain server."""
    return [
        principal(DA, kind="Group", name="DOMAIN ADMINS@LAB.LOCAL"),
        principal(1001, admincount=True),
        {**principal(0, kind="Group", name="ADMINISTRATORS@LAB.LOCAL"), "object_id": ADMINISTRATORS},
        principal(USER),
        principal(DC, kind="Computer", name="DC01.LAB.LOCAL", is_dc=True),
        principal(1201, kind="Computer", name="SRV.LAB.LOCAL", haslaps=True),
        principal(513, kind="Group", name="DOMAIN USERS@LAB.LOCAL"),
    ]


def snap(edges: list[tuple[str, str, str]], **tables: list[dict[str, Any]]) -> Snapshot:
    """``base()`` principals, 1001 in Domain Admins, plus ``edges`` and ``tables``."""
    return build(base(), [(sid(1001), "MemberOf", sid(DA)), *edges], **tables)


class TestNamingContext:
    """directory.permissions_naming_context on the domain root."""

    def test_user_with_generic_all_is_named_with_the_domain(self) -> None:
        edges = [(sid(USER), "GenericAll", DOMAIN_SID), (sid(DA), "WriteDacl", DOMAIN_SID)]
        [finding] = findings("directory.permissions_naming_context", snap(edges))
        assert {sid(USER), DOMAIN_SID} == {item.identifier for item in finding.affected}
        assert [("P1101@LAB.LOCAL", "GenericAll", "LAB.LOCAL")] == [
            (row["trustee"], row["right"], row["target"]) for row in finding.evidence["aces"]
        ]

    def test_tier0_self_and_harmless_rights_are_silent(self) -> None:
        edges = [
            (ADMINISTRATORS, "Owns", DOMAIN_SID),
            (sid(1001), "WriteDacl", DOMAIN_SID),  # a Domain Admin member
            (SELF, "GenericWrite", DOMAIN_SID),
            (ENTERPRISE_DCS, "GenericAll", DOMAIN_SID),
            (sid(USER), "GetChanges", DOMAIN_SID),  # not a control right
        ]
        assert set() == named("directory.permissions_naming_context", snap(edges))

    def test_not_evaluated_without_any_ace(self) -> None:
        with pytest.raises(NotEvaluatedError):
            findings("directory.permissions_naming_context", snap([]))


class TestTier0Objects:
    """AdminSDHolder, DCs, GPOs linked to the domain, schema, PKI, templates, DnsAdmins, owners."""

    def test_adminsdholder(self) -> None:
        holder = obj(
            "containers", GUID, "ADMINSDHOLDER@LAB.LOCAL", distinguished_name=f"CN=AdminSDHolder,CN=System,{DOMAIN_DN}"
        )
        other = obj("containers", "OTHER", "USERS@LAB.LOCAL", distinguished_name=f"CN=Users,{DOMAIN_DN}")
        edges = [(sid(USER), "WriteDacl", GUID), (sid(USER), "WriteDacl", "OTHER")]
        assert {(sid(USER), "WriteDacl", GUID)} == ace_rows(
            "directory.permissions_adminsdholder", snap(edges, containers=[holder, other])
        )

    def test_domain_controller_but_not_server_nor_itself(self) -> None:
        edges = [
            (sid(USER), "GenericWrite", sid(DC)),
            (sid(USER), "GenericWrite", sid(1201)),
            (sid(DC), "GenericWrite", sid(DC)),
        ]
        assert {(sid(USER), "GenericWrite", sid(DC))} == ace_rows("directory.permissions_dc", snap(edges))

    def test_gpo_linked_to_the_domain(self) -> None:
        gpos = [obj("gpos", "GPO-LINKED", "DEFAULT@LAB.LOCAL"), obj("gpos", "GPO-FREE", "UNLINKED@LAB.LOCAL")]
        edges = [
            ("GPO-LINKED", "GPLink", DOMAIN_SID),
            (sid(USER), "GenericWrite", "GPO-LINKED"),
            (sid(USER), "GenericWrite", "GPO-FREE"),
        ]
        assert {(sid(USER), "GenericWrite", "GPO-LINKED")} == ace_rows(
            "directory.permissions_gpo_tier0", snap(edges, gpos=gpos)
        )

    def test_schema_and_its_absence(self) -> None:
        schema = obj(
            "containers", "SCHEMA", "SCHEMA@LAB.LOCAL", distinguished_name=f"CN=Schema,CN=Configuration,{DOMAIN_DN}"
        )
        edges = [(sid(USER), "WriteDacl", "SCHEMA")]
        assert {sid(USER), "SCHEMA"} == named("directory.permissions_schema", snap(edges, containers=[schema]))
        with pytest.raises(NotEvaluatedError):
            findings("directory.permissions_schema", snap(edges))

    def test_certificate_authority(self) -> None:
        ca = obj("cert_authorities", "CA", "LAB-CA@LAB.LOCAL", kind="EnterpriseCA")
        edges = [
            (sid(USER), "ManageCA", "CA"),
            (sid(1001), "GenericAll", "CA"),
            (sid(USER), "Enroll", "CA"),
            (sid(517), "GenericAll", "CA"),  # Cert Publishers: the CA servers, full control by default
        ]
        assert {(sid(USER), "ManageCA", "CA")} == ace_rows(
            "directory.permissions_pki", snap(edges, cert_authorities=[ca])
        )

    def test_certificate_template_write_but_not_enroll(self) -> None:
        template = obj("cert_templates", "TPL", "USER@LAB.LOCAL")
        edges = [(DOMAIN_USERS, "WriteDacl", "TPL"), (sid(USER), "Enroll", "TPL"), (sid(DA), "Owns", "TPL")]
        assert {(DOMAIN_USERS, "WriteDacl", "TPL")} == ace_rows(
            "directory.permissions_cert_templates", snap(edges, cert_templates=[template])
        )

    def test_control_of_a_domain_admin(self) -> None:
        edges = [
            (sid(USER), "ForceChangePassword", sid(1001)),
            (sid(USER), "ForceChangePassword", sid(1201)),  # a plain server
            (sid(USER), "GenericWrite", sid(DC)),  # a DC: reported by permissions_dc only
        ]
        assert {(sid(USER), "ForceChangePassword", sid(1001))} == ace_rows(
            "directory.permissions_privileged_members", snap(edges)
        )

    def test_dnsadmins(self) -> None:
        dnsadmins = principal(1102, kind="Group", name="DNSADMINS@LAB.LOCAL", sam_account_name="DnsAdmins")
        other = principal(1103, kind="Group", name="HELPDESK@LAB.LOCAL", sam_account_name="Helpdesk")
        snapshot = build(
            [*base(), dnsadmins, other], [(sid(USER), "AddMember", sid(1102)), (sid(USER), "AddMember", sid(1103))]
        )
        assert {(sid(USER), "AddMember", sid(1102))} == ace_rows("directory.permissions_dnsadmins", snapshot)
        assert set() == named("directory.permissions_privileged_members", snapshot)

    def test_owner_of_a_dc(self) -> None:
        edges = [(sid(USER), "Owns", sid(DC)), (sid(DA), "Owns", sid(1001)), (sid(USER), "Owns", sid(1201))]
        assert {(sid(USER), "Owns", sid(DC))} == ace_rows("directory.tier0_owner", snap(edges))


class TestSecrets:
    """DCSync, LAPS and gMSA password readers."""

    def test_dcsync_direct_and_combined_through_groups(self) -> None:
        extra = [
            principal(1301, kind="Group", name="SOME@LAB.LOCAL"),
            principal(1302, kind="Group", name="ALL@LAB.LOCAL"),
            principal(1303),
        ]
        edges = [
            (sid(USER), "GetChanges", DOMAIN_SID),
            (sid(USER), "GetChangesAll", DOMAIN_SID),
            (sid(1301), "GetChanges", DOMAIN_SID),
            (sid(1302), "GetChangesAll", DOMAIN_SID),
            (sid(1303), "MemberOf", sid(1301)),
            (sid(1303), "MemberOf", sid(1302)),
            (ADMINISTRATORS, "GetChanges", DOMAIN_SID),
            (ADMINISTRATORS, "GetChangesAll", DOMAIN_SID),
        ]
        snapshot = build([*base(), *extra], edges)
        assert {sid(USER), sid(1303), DOMAIN_SID} == named("directory.dcsync_rights", snapshot)
        assert (sid(1303), "GetChangesAll (through ALL@LAB.LOCAL)", DOMAIN_SID) in ace_rows(
            "directory.dcsync_rights", snapshot
        )

    def test_one_replication_right_alone_is_silent(self) -> None:
        edges = [(sid(USER), "GetChanges", DOMAIN_SID), (sid(DC), "GetChangesAll", DOMAIN_SID)]
        assert set() == named("directory.dcsync_rights", snap(edges))

    def test_laps_readable_by_domain_users(self) -> None:
        edges = [
            (DOMAIN_USERS, "ReadLAPSPassword", sid(1201)),
            ("LAB.LOCAL-S-1-5-11", "AllExtendedRights", sid(1201)),
            (sid(USER), "ReadLAPSPassword", sid(1201)),  # one named user: a choice, not exposure
        ]
        assert {
            (DOMAIN_USERS, "ReadLAPSPassword", sid(1201)),
            ("LAB.LOCAL-S-1-5-11", "AllExtendedRights", sid(1201)),
        } == ace_rows("directory.laps_readable_by_everyone", snap(edges))

    def test_tier0_gmsa_password_reader(self) -> None:
        gmsas = [principal(1401, gmsa=True), principal(1402, gmsa=True)]
        edges = [
            (sid(1401), "MemberOf", sid(DA)),
            (sid(USER), "ReadGMSAPassword", sid(1401)),
            (sid(1001), "ReadGMSAPassword", sid(1401)),
            (sid(USER), "ReadGMSAPassword", sid(1402)),
        ]
        snapshot = build([*base(), *gmsas], [(sid(1001), "MemberOf", sid(DA)), *edges])
        assert {(sid(USER), "ReadGMSAPassword", sid(1401))} == ace_rows("directory.gmsa_password_readable", snapshot)


def _entries(folder: Path, suffix: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for path in sorted(folder.glob(f"*_{suffix}.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
    return entries


# Well-known Tier-0 RIDs (Microsoft "privileged accounts and groups"): domain and built-in groups.
_TIER0_RIDS = {"498", "512", "516", "518", "519", "521", "526", "527", "544", "548", "549", "550", "551"}


def _tier0_closure(folder: Path) -> set[str]:
    """Members (nested) of the well-known Tier-0 groups, from groups.json alone, by a plain fixpoint."""
    members = {
        group["ObjectIdentifier"]: {member["ObjectIdentifier"] for member in group["Members"]}
        for group in _entries(folder, "groups")
    }
    found = {group for group in members if group.rsplit("-", 1)[-1] in _TIER0_RIDS}
    while True:
        grown = found | {member for group in found for member in members.get(group, ())}
        if grown == found:
            return found
        found = grown


class TestExampleData:
    """The SpecterOps example collection; expectations read from its JSON."""

    def test_owner_and_gmsa_readers_outside_tier0(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # computers.json: SVC_DOMAINJOIN (-2181) owns DC02 (-2182), which groups.json puts in Domain
        # Controllers (-516). users.json: ReadGMSAPassword ACEs on gMSAs nested in Tier-0 groups
        # (GMSA_SHS8$ in Domain Admins...) held by principals outside them are all named.
        folder = bloodhound_corpus / "ad_example_data"
        tier0 = _tier0_closure(folder)
        phantom = "S-1-5-21-2697957641-2271029196-387917394"
        dc02 = next(c for c in _entries(folder, "computers") if c["ObjectIdentifier"] == f"{phantom}-2182")
        owners = {ace["PrincipalSID"] for ace in dc02["Aces"] if ace["RightName"] == "Owns"}
        assert {f"{phantom}-2181"} == owners
        assert f"{phantom}-2182" in tier0
        assert f"{phantom}-2181" not in tier0
        assert (f"{phantom}-2181", "Owns", f"{phantom}-2182") in ace_rows("directory.tier0_owner", example)
        readers = {
            (ace["PrincipalSID"], "ReadGMSAPassword", user["ObjectIdentifier"])
            for user in _entries(folder, "users")
            for ace in user["Aces"]
            if ace["RightName"] == "ReadGMSAPassword"
            and user["ObjectIdentifier"] in tier0
            and ace["PrincipalSID"] not in tier0
        }
        assert readers
        assert readers == ace_rows("directory.gmsa_password_readable", example)

    def test_domain_controllers_are_controlled_by_admins_only(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # computers.json: every control ACE on a computer with "isdc" belongs to -512, -519 or -544.
        control = {"GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "Owns", "AllExtendedRights"}
        dcs = [c for c in _entries(bloodhound_corpus / "ad_example_data", "computers") if c["Properties"].get("isdc")]
        assert {"512", "519", "544"} == {
            ace["PrincipalSID"].rsplit("-", 1)[-1] for dc in dcs for ace in dc["Aces"] if ace["RightName"] in control
        }
        targets = {target for _, _, target in ace_rows("directory.permissions_dc", example)}
        assert not targets & {dc["ObjectIdentifier"] for dc in dcs}

    def test_domain_roots_are_controlled_by_admins_only(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # domains.json: every control ACE on a domain object belongs to Administrators (-544),
        # Domain Admins (-512) or Enterprise Admins (-519), all Tier 0: nothing to report.
        control = {"GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "Owns", "AllExtendedRights"}
        holders = {
            ace["PrincipalSID"].rsplit("-", 1)[-1]
            for domain in _entries(bloodhound_corpus / "ad_example_data", "domains")
            for ace in domain["Aces"]
            if ace["RightName"] in control
        }
        assert {"512", "519", "544"} == holders
        assert [] == findings("directory.permissions_naming_context", example)

    def test_dcsync_holders(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # domains.json of PHANTOM.CORP: DCSYNCERS (-2123) holds GetChanges and GetChangesAll;
        # SOMECHANGES (-2209) holds GetChanges only, ALLCHANGES (-2208) GetChangesAll only, and
        # groups.json lists DOMAINUSER (-2183) as a member of both: it can DCSync through them.
        folder = bloodhound_corpus / "ad_example_data"
        phantom = "S-1-5-21-2697957641-2271029196-387917394"
        rights: dict[str, set[str]] = {}
        for domain in _entries(folder, "domains"):
            if domain["ObjectIdentifier"] == phantom:
                for ace in domain["Aces"]:
                    rights.setdefault(ace["PrincipalSID"], set()).add(ace["RightName"])
        assert {"GetChanges", "GetChangesAll"} <= rights[f"{phantom}-2123"]
        assert {"GetChanges"} == rights[f"{phantom}-2209"] & {"GetChanges", "GetChangesAll"}
        assert {"GetChangesAll"} == rights[f"{phantom}-2208"] & {"GetChanges", "GetChangesAll"}
        members = {
            group["ObjectIdentifier"]: {m["ObjectIdentifier"] for m in group["Members"]}
            for group in _entries(folder, "groups")
        }
        assert f"{phantom}-2183" in members[f"{phantom}-2208"] & members[f"{phantom}-2209"]
        assert {f"{phantom}-2123", f"{phantom}-2183", phantom} == named("directory.dcsync_rights", example)

    def test_template_and_ca_rights_seeded_in_the_lab(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # certtemplates.json: Domain Users (PHANTOM -513) holds WritePKINameFlag on ABUSABLETEMPLATE;
        # enterprisecas.json (CA security of the registry): Guest (WRAITH -501) holds ManageCA on
        # WRAITH-EXTCA01-CA.
        folder = bloodhound_corpus / "ad_example_data"
        template_aces = {
            (ace["PrincipalSID"], ace["RightName"], entry["Properties"]["name"])
            for entry in _entries(folder, "certtemplates")
            for ace in entry["Aces"]
        }
        phantom = "S-1-5-21-2697957641-2271029196-387917394"
        assert (f"{phantom}-513", "WritePKINameFlag", "ABUSABLETEMPLATE@PHANTOM.CORP") in template_aces
        [template] = findings("directory.permissions_cert_templates", example)
        rows = {(row["trustee_id"], row["right"], row["target"]) for row in template.evidence["aces"]}
        assert (f"{phantom}-513", "WritePKINameFlag", "ABUSABLETEMPLATE@PHANTOM.CORP") in rows
        ca_aces = {
            (ace["PrincipalSID"], ace["RightName"], entry["Properties"]["name"])
            for entry in _entries(folder, "enterprisecas")
            for ace in entry["CARegistryData"]["CASecurity"]["Data"]
        }
        guest = "S-1-5-21-3702535222-3822678775-2090119576-501"
        assert (guest, "ManageCA", "WRAITH-EXTCA01-CA@WRAITH.CORP") in ca_aces
        [pki] = findings("directory.permissions_pki", example)
        assert (guest, "ManageCA", "WRAITH-EXTCA01-CA@WRAITH.CORP") in {
            (row["trustee_id"], row["right"], row["target"]) for row in pki.evidence["aces"]
        }


class TestMemo:
    """The per-snapshot memo never serves a result computed on another snapshot."""

    def test_a_copy_with_other_edges_is_recomputed(self) -> None:
        edges = [(sid(USER), "GetChanges", DOMAIN_SID), (sid(USER), "GetChangesAll", DOMAIN_SID)]
        first = snap(edges)
        assert {sid(USER), DOMAIN_SID} == named("directory.dcsync_rights", first)
        second = replace(first, edges=snap(edges[:1]).edges)
        assert set() == named("directory.dcsync_rights", second)
