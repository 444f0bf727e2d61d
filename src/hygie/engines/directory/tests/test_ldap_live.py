"""Live collection from a real Samba AD DC seeded with known weaknesses (``tools/with_samba.sh``).

Given the domain described by ``samba_seed.json``, when it is collected over LDAPS and audited,
then every seeded object carries the seeded facts, the seeded relations are edges, each seeded
weakness is reported by its check for exactly the seeded objects, and no check claims anything
else about them. Expected values come from the manifest and from Samba's documented defaults
(primary groups 513 and 515, computers created disabled), never from the collector's output.
Connection failures are exercised against the same server and against loopback ports.
"""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from hygie.engines.directory.audit import AuditResult, audit
from hygie.engines.directory.ldap_collector import LdapCollectionError, LdapTarget, collect_ldap
from hygie.engines.directory.registry import CHECKS
from hygie.engines.directory.tests.live_dc import LiveDc, free_port, require_live_dc, seed_manifest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hygie.engines.directory.snapshot import Snapshot

# 100-ns intervals between 1601-01-01 and 1970-01-01: FILETIME -> Unix seconds.
_FILETIME_EPOCH = 116444736000000000
_DOMAIN = "<domain>"

#: check id -> {seeded object (sAMAccountName, or <domain>): the manifest weakness that justifies it}.
#: Every finding touching a seeded object must be listed here, and every entry must be found.
EXPECTED: dict[str, dict[str, str]] = {
    "directory.privileged_kerberoastable": {"svc_sql": "privileged_kerberoastable"},
    # svc_sql has an SPN and no msDS-SupportedEncryptionTypes: RC4 tickets are issued for it.
    "directory.privileged_spn_weak_encryption": {"svc_sql": "privileged_spn_without_aes"},
    "directory.privileged_asrep_roastable": {"adm_asrep": "privileged_asrep_roastable"},
    "directory.privileged_password_never_expires": {"adm_noexpire": "privileged_password_never_expires"},
    # Every enabled privileged user (direct or nested member of a Tier-0 group): none is in
    # Protected Users, none is marked "sensitive and cannot be delegated"...
    "directory.privileged_not_protected_users": dict.fromkeys(
        ("svc_sql", "adm_noexpire", "adm_asrep", "nested_admin"), "privileged"
    ),
    "directory.privileged_delegable": dict.fromkeys(
        ("svc_sql", "adm_noexpire", "adm_asrep", "nested_admin"), "privileged"
    ),
    # ... and Samba runs no SDProp, so members of privileged groups, groups included, keep an
    # empty adminCount.
    "directory.privileged_members_no_admincount": {
        "svc_sql": "privileged",
        "adm_noexpire": "privileged",
        "adm_asrep": "privileged",
        "nested_admin": "privileged_through_nesting",
        "grp_tier0": "nested_privileged_group",
        "grp_tier1": "nested_privileged_group",
    },
    "directory.unconstrained_delegation": {"WS-UNCONSTR$": "unconstrained_delegation"},
    "directory.protocol_transition_to_tier0": {"svc_web": "protocol_transition"},
    "directory.rbcd_configured": {"SRV-RBCD$": "resource_based_delegation", "WS-ATTACKER$": "rbcd_actor"},
    "directory.permissions_naming_context": {"acl_generic": "generic_all_on_domain", _DOMAIN: "generic_all_on_domain"},
    "directory.permissions_adminsdholder": {"acl_sdholder": "generic_all_on_adminsdholder"},
    "directory.permissions_privileged_members": {"acl_writedacl": "write_dacl_on_tier0_group"},
    "directory.dcsync_rights": {"dcsync_user": "dcsync", _DOMAIN: "dcsync"},
    "directory.dormant_accounts": {"stale_user": "dormant"},
    "directory.asrep_roastable": {"adm_asrep": "privileged_asrep_roastable", "asrep_user": "asrep_roastable"},
    # svc_sql is kerberoastable too, but reported by privileged_kerberoastable instead.
    "directory.kerberoastable_users": {"svc_web": "kerberoastable"},
    "directory.password_never_expires": {
        "adm_noexpire": "privileged_password_never_expires",
        "Guest": "password_never_expires",
    },
    "directory.password_not_required": {"Guest": "password_not_required"},
    "directory.guest_enabled": {"Guest": "guest_enabled"},
    "directory.reversible_password": {"legacy_user": "reversible_encryption"},
    "directory.kerberos_des_only": {"legacy_user": "des_only"},
    "directory.password_policy_weak": {_DOMAIN: "weak_password_policy"},
    "directory.machine_account_quota": {_DOMAIN: "machine_account_quota"},
    # Enabled workstations and servers, none managed by LAPS (Samba's schema has no LAPS attribute).
    "directory.laps_coverage": dict.fromkeys(("WS-UNCONSTR$", "WS-ATTACKER$", "SRV-RBCD$"), "no_laps"),
}

#: Seeded weaknesses no registered check reports yet, each with the reason. When a check for one
#: is added, move the weakness into EXPECTED (test_every_weakness_is_accounted_for says which).
UNCHECKED: dict[str, str] = {
    "constrained_delegation_to_dc": "reported as protocol_transition_to_tier0, which supersedes it",
    "password_old": "no check for old passwords of non-privileged accounts",
    "disabled": "a disabled account is not a weakness: the negative case of enabled-only checks",
}


@pytest.fixture(scope="module")
def dc() -> LiveDc:
    """The live domain controller (skips the module without one)."""
    return require_live_dc()


@pytest.fixture(scope="module")
def snapshot(dc: LiveDc) -> Snapshot:
    """One live collection, shared by the read-only tests of this module."""
    return collect_ldap(dc.url, base=None, user=dc.user, password=dc.password, ca_file=dc.ca_file, page_size=50)


@pytest.fixture(scope="module")
def result(snapshot: Snapshot) -> AuditResult:
    """The audit of the live collection, ages measured from now (the seed dates are absolute)."""
    return audit(snapshot, now=datetime.now(UTC))


def _ids(snapshot: Snapshot) -> dict[str, str]:
    """Map each seeded sAMAccountName to its object id, plus <domain> -> the domain's SID."""
    principals = snapshot.principals.filter(pl.col("sam_account_name").is_not_null())
    by_sam = {str(sam).lower(): str(oid) for sam, oid in principals.select("sam_account_name", "object_id").iter_rows()}
    ids = {
        item["name"]: by_sam[item["name"].lower()]
        for item in seed_manifest()["objects"]
        if item["name"].lower() in by_sam
    }
    ids[_DOMAIN] = str(snapshot.domains["object_id"][0])
    return ids


def _row(snapshot: Snapshot, name: str) -> dict[str, Any]:
    rows = snapshot.principals.filter(pl.col("sam_account_name").str.to_lowercase() == name.lower())
    assert 1 == rows.height, f"{name}: {rows.height} rows"
    return rows.row(0, named=True)


def _object(name: str) -> dict[str, Any]:
    item: dict[str, Any] = next(item for item in seed_manifest()["objects"] if item["name"] == name)
    return item


class TestLiveCollection:
    """The snapshot of the seeded domain holds what was planted."""

    def test_every_seeded_object_collected(self, snapshot: Snapshot) -> None:
        """Each manifest object is one principal of its kind; only disabled_user is disabled."""
        for item in seed_manifest()["objects"]:
            row = _row(snapshot, item["name"])
            assert item["kind"] == row["kind"], item["name"]
            assert ("ACCOUNTDISABLE" in item.get("uac_set", [])) == (row["enabled"] is False), item["name"]

    def test_account_flags(self, snapshot: Snapshot) -> None:
        """The userAccountControl bits and SPNs set by the seed read back as their columns."""
        flags = {
            "DONT_REQ_PREAUTH": "dontreqpreauth",
            "DONT_EXPIRE_PASSWORD": "pwdneverexpires",
            "TRUSTED_FOR_DELEGATION": "unconstraineddelegation",
            "TRUSTED_TO_AUTH_FOR_DELEGATION": "trustedtoauth",
            "ENCRYPTED_TEXT_PWD_ALLOWED": "reversible_encryption",
            "USE_DES_KEY_ONLY": "use_des_key_only",
        }
        for item in seed_manifest()["objects"]:
            if item["kind"] == "Group" or item.get("existing"):
                continue
            row = _row(snapshot, item["name"])
            for flag, column in flags.items():
                assert (flag in item.get("uac_set", [])) == row[column], (item["name"], column)
            if item["kind"] == "User":
                assert sorted(item.get("spns", [])) == sorted(row["spns"]), item["name"]
                assert bool(item.get("spns")) == row["has_spn"], item["name"]
            assert sorted(item.get("allowed_to_delegate", [])) == sorted(row["allowed_to_delegate"]), item["name"]

    def test_guest_enabled(self, snapshot: Snapshot) -> None:
        """Guest was enabled; Samba provisions it with DONT_EXPIRE_PASSWORD and PASSWD_NOTREQD (UAC 66082)."""
        guest = _row(snapshot, "Guest")
        assert (True, True, True) == (guest["enabled"], guest["pwdneverexpires"], guest["passwordnotreqd"])
        assert guest["object_id"].endswith("-501")

    def test_stale_dates(self, snapshot: Snapshot) -> None:
        """The FILETIMEs written by the seed come back as Unix seconds."""
        item, row = _object("stale_user"), _row(snapshot, "stale_user")
        assert (item["pwd_last_set"] - _FILETIME_EPOCH) // 10_000_000 == row["pwdlastset"]
        assert (item["last_logon_timestamp"] - _FILETIME_EPOCH) // 10_000_000 == row["lastlogontimestamp"]

    def test_domain_policy(self, snapshot: Snapshot) -> None:
        """The password policy and MachineAccountQuota are the seeded ones."""
        assert 1 == snapshot.domains.height
        domain = snapshot.domains.row(0, named=True)
        assert seed_manifest()["realm"].upper() == domain["name"]
        for column, value in seed_manifest()["domain_policy"].items():
            assert value == domain[column], column

    def test_edges_of_seeded_objects(self, snapshot: Snapshot) -> None:
        """Outgoing edges of each created object are exactly the seeded ones plus its primary group."""
        ids = _ids(snapshot)
        dns = _dn_ids(snapshot)
        base = seed_manifest()["base_dn"]
        dc_id = _row(snapshot, f"{seed_manifest()['dc_host']}$")["object_id"]
        primary = {"User": _group_id(snapshot, "Domain Users"), "Computer": _group_id(snapshot, "Domain Computers")}
        for item in seed_manifest()["objects"]:
            if item.get("existing"):
                continue
            expected = {("MemberOf", _group_id(snapshot, group)) for group in item.get("member_of", [])}
            if item["kind"] in primary:
                expected.add(("MemberOf", primary[item["kind"]]))
            expected |= {
                (ace["right"], dns[ace["target"].format(base=base).upper()])
                for ace in item.get("aces", [])
                if ace["right"] is not None  # deny ACEs open no path
            }
            if item.get("allowed_to_delegate"):
                expected.add(("AllowedToDelegate", dc_id))
            for other in seed_manifest()["objects"]:
                if item["name"] in other.get("allowed_to_act", []):
                    expected.add(("AllowedToAct", ids[other["name"]]))
            actual = set(
                snapshot.edges.filter((pl.col("source") == ids[item["name"]]) & (pl.col("kind") != "Contains"))
                .select("kind", "target")
                .iter_rows()
            )
            assert expected == actual, item["name"]

    def test_unprivileged_account_reads_dacls(self, dc: LiveDc, snapshot: Snapshot) -> None:
        """A plain domain user (asrep_user) gets the same ACE edges: the SD-flags control asks for no SACL."""
        user = f"asrep_user@{seed_manifest()['realm']}"
        mine = collect_ldap(dc.url, base=None, user=user, password=seed_manifest()["password"], ca_file=dc.ca_file)
        dcsync = _ids(snapshot)["dcsync_user"]
        domain_id = _ids(snapshot)[_DOMAIN]
        rights = {"GetChanges", "GetChangesAll"}
        for collected in (snapshot, mine):
            edges = collected.edges.filter((pl.col("source") == dcsync) & (pl.col("target") == domain_id))
            assert rights == set(edges["kind"].to_list())

    def test_security_descriptors_read(self, snapshot: Snapshot) -> None:
        """The SD-flags control worked: the default DACL of the domain root (Enterprise Admins' GenericAll) is there."""
        domain_id = _ids(snapshot)[_DOMAIN]
        enterprise_admins = _group_id(snapshot, "Enterprise Admins")
        edges = snapshot.edges.filter((pl.col("target") == domain_id) & (pl.col("source") == enterprise_admins))
        assert "GenericAll" in edges["kind"].to_list()


class TestLiveAudit:
    """Each seeded weakness is found for exactly the seeded objects, and nothing else about them."""

    def test_every_weakness_is_accounted_for(self) -> None:
        """Every (object, weakness) of the manifest is expected from a check or explained in UNCHECKED."""
        covered = {(name, tag) for objects in EXPECTED.values() for name, tag in objects.items()}
        seeded = {(item["name"], tag) for item in seed_manifest()["objects"] for tag in item["weaknesses"]}
        seeded |= {(_DOMAIN, tag) for tag in seed_manifest()["domain_weaknesses"]}
        missing = sorted(pair for pair in seeded - covered if pair[1] not in UNCHECKED)
        assert [] == missing
        # And EXPECTED names only seeded objects and weaknesses (the domain as the target of one).
        tags = {tag for _name, tag in seeded}
        assert [] == sorted(pair for pair in covered - seeded if not (pair[0] == _DOMAIN and pair[1] in tags))

    @pytest.mark.parametrize("check_id", sorted(EXPECTED))
    def test_expected_check_finds_seeded_objects(self, check_id: str, snapshot: Snapshot, result: AuditResult) -> None:
        """The check is registered, evaluated, and names exactly its seeded objects among the seeded ones."""
        assert check_id in {spec.check_id for spec in CHECKS}, f"{check_id} is not registered"
        assert check_id not in result.not_evaluated, result.not_evaluated.get(check_id)
        ids = _ids(snapshot)
        seeded = {oid: name for name, oid in ids.items()}
        found = {
            seeded[o.identifier]
            for f in result.findings
            if f.check_id == check_id
            for o in f.affected
            if o.identifier in seeded
        }
        assert set(EXPECTED[check_id]) == found

    def test_nothing_else_claimed_about_seeded_objects(self, snapshot: Snapshot, result: AuditResult) -> None:
        """No registered check outside EXPECTED names a seeded principal (the domain is shared with baseline checks)."""
        ids = _ids(snapshot)
        seeded = {oid: name for name, oid in ids.items() if name != _DOMAIN}
        claims = sorted(
            (finding.check_id, seeded[obj.identifier])
            for finding in result.findings
            for obj in finding.affected
            if obj.identifier in seeded and seeded[obj.identifier] not in EXPECTED.get(finding.check_id, {})
        )
        assert [] == claims

    def test_registered_checks_evaluated(self, result: AuditResult) -> None:
        """A live collection carries every partition: no check says its data is missing, except these."""
        assert {} == {k: v for k, v in result.not_evaluated.items() if k not in _NOT_EVALUATED_ON_SAMBA}


#: Checks not evaluated on the live collection, with the reason; anything else not evaluated fails.
_NOT_EVALUATED_ON_SAMBA: dict[str, str] = {
    # Samba's schema has no LAPS attribute: no computer can carry an expiry date.
    "directory.laps_password_expired": "the collection does not carry LAPS expiry dates",
}


class TestLiveErrors:
    """Failures say what happened and what to do; the password never leaks."""

    def test_wrong_password(self, dc: LiveDc) -> None:
        """invalidCredentials: reason credentials, the user named, the password not."""
        secret = "Wrong-Passw0rd-" + "x" * 8
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap(dc.url, base=None, user=dc.user, password=secret, ca_file=dc.ca_file)
        assert "credentials" == caught.value.reason
        assert "invalidCredentials" in str(caught.value)
        assert dc.user in str(caught.value)
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)

    def test_untrusted_certificate(self, dc: LiveDc) -> None:
        """Without the CA file Samba's self-signed certificate is refused and --ca-file is suggested."""
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap(dc.url, base=None, user=dc.user, password=dc.password)
        assert "tls" == caught.value.reason
        assert "not trusted" in str(caught.value)
        assert "--ca-file" in str(caught.value)

    def test_hostname_mismatch(self, dc: LiveDc) -> None:
        """The certificate names 127.0.0.1 and dc1.hygie.test, not localhost."""
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap("ldaps://localhost", base=None, user=dc.user, password=dc.password, ca_file=dc.ca_file)
        assert "tls" == caught.value.reason
        assert "not issued for 'localhost'" in str(caught.value)

    def test_insecure_collects_with_warning(self, dc: LiveDc) -> None:
        """verify=False accepts the certificate and records that in the snapshot's warnings."""
        snapshot = collect_ldap(dc.url, base=None, user=dc.user, password=dc.password, verify=False)
        assert any("not verified" in warning for warning in snapshot.warnings)
        assert snapshot.principals.height > 0

    def test_start_tls(self, dc: LiveDc) -> None:
        """ldap:// with StartTLS collects the same domain as LDAPS."""
        url = dc.url.replace("ldaps://", "ldap://")
        snapshot = collect_ldap(
            url, base=dc.base, user=dc.user, password=dc.password, ca_file=dc.ca_file, start_tls=True
        )
        assert seed_manifest()["realm"].upper() == snapshot.domains["name"][0]

    def test_insufficient_rights(self, dc: LiveDc) -> None:
        """An account denied reading the domain root gets a rights error naming it, not a partial snapshot."""
        user = f"no_read_user@{seed_manifest()['realm']}"
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap(dc.url, base=None, user=user, password=seed_manifest()["password"], ca_file=dc.ca_file)
        assert "rights" == caught.value.reason
        assert user in str(caught.value)

    def test_wrong_base(self, dc: LiveDc) -> None:
        """A base that does not exist: noSuchObject, --base named."""
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap(dc.url, base="DC=nowhere,DC=test", user=dc.user, password=dc.password, ca_file=dc.ca_file)
        assert "--base" in str(caught.value)


class TestConnectionErrors:
    """Failures that need no domain controller: loopback ports and refused options."""

    def test_refused_port(self) -> None:
        """Nothing listens: connection refused, with the host and port."""
        port = free_port()
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap(f"ldaps://127.0.0.1:{port}", base=None, user="u", password="secret-pw", timeout=5)
        assert "connection" == caught.value.reason
        assert f"127.0.0.1:{port}" in str(caught.value)
        assert "connection refused" in str(caught.value)

    def test_silent_server_times_out(self, silent_port: int) -> None:
        """A port that accepts but never speaks: a timeout, not a certificate error."""
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap(f"ldaps://127.0.0.1:{silent_port}", base=None, user="u", password="secret-pw", timeout=1)
        assert "timeout" == caught.value.reason

    def test_clear_text_refused(self) -> None:
        """ldap:// without StartTLS would send the password in clear: refused before connecting."""
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap("ldap://127.0.0.1", base=None, user="u", password="secret-pw")
        assert "usage" == caught.value.reason
        assert "--start-tls" in str(caught.value)

    def test_not_an_ldap_url(self) -> None:
        """https://... is not an LDAP URL."""
        with pytest.raises(LdapCollectionError, match="not an LDAP URL"):
            collect_ldap("https://dc.example.org", base=None, user="u", password="secret-pw")

    def test_unreadable_ca_file(self, tmp_path: Any) -> None:
        """A CA file that does not exist is named."""
        missing = tmp_path / "missing.pem"
        with pytest.raises(LdapCollectionError) as caught:
            collect_ldap("ldaps://127.0.0.1", base=None, user="u", password="secret-pw", ca_file=missing)
        assert str(missing) in str(caught.value)

    def test_target_repr_hides_password(self) -> None:
        """The connection settings never show the password."""
        target = LdapTarget("ldaps://dc.example.org", "admin@example.org", "secret-pw")
        assert "secret-pw" not in repr(target)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def _group_id(snapshot: Snapshot, name: str) -> str:
    return str(_row(snapshot, name)["object_id"])


def _dn_ids(snapshot: Snapshot) -> dict[str, str]:
    """Upper-case DN -> object id over every table with objects."""
    ids: dict[str, str] = {}
    for table in ("principals", "domains", "containers", "ous", "gpos"):
        frame = snapshot.table(table).select("distinguished_name", "object_id").drop_nulls()
        ids.update({str(dn).upper(): str(oid) for dn, oid in frame.iter_rows()})
    return ids
