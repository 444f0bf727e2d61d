"""A synthetic SharpHound CE (format 6) collection of a hospital forest, for benchmarks and demos.

The forest is one domain shaped like a French hospital group: sites split into departments
(Urgences, Bloc, Radiologie...), service accounts of the clinical applications (SQL, PACS, DPI,
backup), administrators, domain controllers, servers, workstations and biomedical devices on
obsolete Windows. Relations (group nesting, memberships, sessions, ACEs) are drawn with NumPy from
``seed``, so a seed and a ``now`` always give the same bytes. With ``weaknesses`` the generator
plants known weaknesses, listed in :class:`CollectionStats` so that tests can expect their findings.

    write_collection(path, **DEMO_SIZES, seed=7)      # demo: 400 users, read and audited in a blink
    write_collection(path, **FULL_SIZES)              # the benchmark's forest: about 440 MB of JSON
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypedDict

import numpy as np
import orjson

from hygie.engines.directory.synthetic_forest import Forest, Node, ace

__all__ = ["DEMO_SIZES", "FULL_SIZES", "WEAKNESS_CHECKS", "CollectionStats", "Sizes", "write_collection"]


class Sizes(TypedDict):
    """The object and ACE counts of a collection, as ``write_collection`` takes them."""

    users: int
    computers: int
    groups: int
    aces: int


#: Sizes of the demo collection: read and audited in well under a second.
DEMO_SIZES = Sizes(users=400, computers=150, groups=80, aces=4000)
#: The issue's performance target: a large hospital forest.
FULL_SIZES = Sizes(users=100_000, computers=30_000, groups=20_000, aces=2_000_000)
#: Planted weakness -> the directory check expected to report it.
WEAKNESS_CHECKS: dict[str, str | None] = {
    "kerberoastable_admin": "directory.privileged_kerberoastable",
    "asrep_roastable_admin": "directory.privileged_asrep_roastable",
    "admin_password_never_expires": "directory.privileged_password_never_expires",
    "dormant_accounts": "directory.dormant_accounts",
    "krbtgt_password_old": "directory.krbtgt_password_old",
    "unconstrained_delegation_server": "directory.unconstrained_delegation",
    "dcsync_non_admin": "directory.dcsync_rights",
    "helpdesk_controls_admin_group": "directory.permissions_privileged_members",
    # Attack paths through sessions are reported by the attack-path analysis, not by a check.
    "esc1_template": "directory.esc1",
    "obsolete_os_biomedical": "directory.obsolete_os",
    "admin_sessions_on_workstations": None,
}
_METHODS = 521215  # the collection-method bit mask SharpHound CE writes for "All"
_BATCH = 5000  # records serialised per orjson call: bounded memory, few calls
_MIN = {"users": 40, "computers": 20, "groups": 40}
_TIER0_RIGHTS = ("GenericAll", "WriteDacl", "WriteOwner", "GenericWrite", "AllExtendedRights")
_DELEGATION_RIGHTS = (
    "GenericAll",
    "GenericWrite",
    "WriteDacl",
    "WriteOwner",
    "ForceChangePassword",
    "AddMember",
    "AllExtendedRights",
    "AddKeyCredentialLink",
    "WriteAccountRestrictions",
)


@dataclass(frozen=True, slots=True)
class CollectionStats:
    """What was written: object counts, relation counts and the planted weaknesses."""

    domain: str
    domain_sid: str
    files: tuple[str, ...]
    users: int
    computers: int
    groups: int
    aces: int
    ous: int
    gpos: int
    containers: int
    cert_templates: int
    memberships: int
    sessions: int
    local_admins: int
    #: Names of the planted weaknesses (keys of ``WEAKNESS_CHECKS``); empty without ``weaknesses``.
    weaknesses: tuple[str, ...] = ()
    #: Weakness -> ``name`` of the object carrying it (as the reader's ``name`` column holds it).
    planted: dict[str, str] = field(default_factory=dict)


def write_collection(
    path: Path,
    *,
    users: int,
    computers: int,
    groups: int,
    aces: int,
    seed: int = 0,
    domain: str = "CHU-EXEMPLE.LOCAL",
    weaknesses: bool = True,
    zip_output: bool = False,
    now: datetime | None = None,
) -> CollectionStats:
    """Write the collection into the folder ``path`` (created), or one ``.zip`` in it with ``zip_output``.

    ``aces`` is the total number of ACEs over all objects (at least a few per object are always
    written). Raises ``ValueError`` on sizes too small for the fixed part of the forest.
    """
    for name, minimum in _MIN.items():
        if locals()[name] < minimum:
            raise ValueError(f"{name} must be at least {minimum}")
    if aces < 0:
        raise ValueError("aces must not be negative")
    now = now or datetime.now(UTC)
    forest = Forest(
        rng=np.random.default_rng(seed), domain=domain.upper(), now_s=int(now.timestamp()), weaknesses=weaknesses
    )
    forest.build(users=users, computers=computers, groups=groups)
    _pki(forest)
    _plant_aces(forest)
    _distribute_aces(forest, aces)
    path.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d%H%M%S")
    kinds = _kinds(forest)
    names: list[str] = []
    if zip_output:
        archive_path = path / f"{stamp}_BloodHound.zip"
        with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for kind, records, count in kinds:
                with archive.open(f"{stamp}_{kind}.json", "w") as stream:
                    _write_file(stream, kind, records, count)
        names.append(archive_path.name)
    else:
        for kind, records, count in kinds:
            name = f"{stamp}_{kind}.json"
            with (path / name).open("wb") as stream:
                _write_file(stream, kind, records, count)
            names.append(name)
    return CollectionStats(
        domain=forest.domain,
        domain_sid=forest.domain_sid,
        files=tuple(names),
        users=len(forest.users),
        computers=len(forest.computers),
        groups=len(forest.groups),
        aces=forest.ace_count,
        ous=len(forest.ous),
        gpos=len(forest.gpos),
        containers=len(forest.containers),
        cert_templates=len(forest.templates),
        memberships=forest.membership_count,
        sessions=forest.session_count,
        local_admins=forest.local_admin_count,
        weaknesses=tuple(forest.planted),
        planted=dict(forest.planted),
    )


def _pki(forest: Forest) -> None:
    """Certificate templates (an ESC1 one with weaknesses), the enterprise CA, root CA and NTAuth store."""
    base = f"CN=PUBLIC KEY SERVICES,CN=SERVICES,CN=CONFIGURATION,{forest.dc_dn}"
    domain_users, domain_computers = forest.sid(513), forest.sid(515)
    specs = [("USER", domain_users, False), ("MACHINE", domain_computers, False), ("WEBSERVER", None, True)]
    if forest.weaknesses:
        specs.append(("CHU_AUTH_VPN", domain_users, True))
    for name, enroller, supplies_subject in specs:
        node = Node(
            forest.guid(), f"{name}@{forest.domain}", f"CN={name},CN=CERTIFICATE TEMPLATES,{base}", "CertTemplate"
        )
        client_auth = name != "WEBSERVER"
        ekus = ["1.3.6.1.5.5.7.3.2"] if client_auth else ["1.3.6.1.5.5.7.3.1"]
        node.props = {
            "schemaversion": 2 if name == "CHU_AUTH_VPN" else 1,
            "displayname": name.title(),
            "oid": f"1.3.6.1.4.1.311.21.8.{len(forest.templates) + 1}",
            "enrollmentflag": "AUTO_ENROLLMENT",
            "requiresmanagerapproval": False,
            "nosecurityextension": False,
            "certificatenameflag": "ENROLLEE_SUPPLIES_SUBJECT" if supplies_subject else "SUBJECT_ALT_REQUIRE_UPN",
            "enrolleesuppliessubject": supplies_subject,
            "ekus": ekus,
            "authorizedsignatures": 0,
            "effectiveekus": ekus,
            "authenticationenabled": client_auth,
        }
        if enroller:
            node.aces.append(ace(enroller, "Enroll", inherited=False))
        forest.add(forest.templates, node, f"TPL:{name}")
    if forest.weaknesses:
        forest.planted["esc1_template"] = forest.named["TPL:CHU_AUTH_VPN"].name
    ca_name = f"{forest.domain.split('.')[0]}-CA"
    ca = Node(
        forest.guid(), f"{ca_name}@{forest.domain}", f"CN={ca_name},CN=ENROLLMENT SERVICES,{base}", "EnterpriseCA"
    )
    ca.tier0 = True
    pki_host = forest.named["SRV-PKI01"]
    pki_host.tier0 = True
    ca.props = {"caname": ca_name, "dnshostname": pki_host.name.lower(), "certthumbprint": "A" * 40}
    ca.props["certchain"] = ["A" * 40]
    root = Node(
        forest.guid(), f"{ca_name}@{forest.domain}", f"CN={ca_name},CN=CERTIFICATION AUTHORITIES,{base}", "RootCA"
    )
    root.props = {"certthumbprint": "A" * 40, "certchain": ["A" * 40]}
    ntauth = Node(forest.guid(), f"NTAUTHCERTIFICATES@{forest.domain}", f"CN=NTAUTHCERTIFICATES,{base}", "NTAuthStore")
    for node, key in ((ca, "CA"), (root, "ROOTCA"), (ntauth, "NTAUTH")):
        node.tier0 = True
        forest.add(forest.others, node, key)


_BASE_COUNT = 6  # ACEs every object gets from the default security descriptor before any delegation


def _plant_aces(forest: Forest) -> None:
    """ACEs every domain has (replication rights), then the planted dangerous ones on Tier-0 objects."""
    domain = forest.named["DOMAIN"]
    for principal in (forest.sid(516), f"{forest.domain}-S-1-5-32-544"):
        domain.aces += [ace(principal, right, inherited=False) for right in ("GetChanges", "GetChangesAll")]
    if not forest.weaknesses:
        return
    sync = forest.named["svc_sync"]
    domain.aces += [
        ace(sync.object_id, right, inherited=False, kind="User") for right in ("GetChanges", "GetChangesAll")
    ]
    forest.planted["dcsync_non_admin"] = sync.name
    admins = forest.named["GG_DSI_ADMINS_DOMAINE"]
    admins.aces.append(ace(forest.named["GG_DSI_SUPPORT"].object_id, "GenericAll", inherited=False))
    forest.planted["helpdesk_controls_admin_group"] = admins.name


def _distribute_aces(forest: Forest, total: int) -> None:
    """Bring the ACE count to ``total``: the default descriptor on every object, then delegations.

    Tier-0 objects only get ACEs of Tier-0 principals (their dangerous ACEs are the planted ones);
    other objects get delegations to the helpdesk, server and department groups, mostly inherited
    from their OU, as in a real domain. OUs get more ACEs than leaf objects.
    """
    rng = forest.rng
    nodes = list(forest.nodes())
    budget = max(0, total - sum(len(node.aces) for node in nodes))
    admins, enterprise, builtin = forest.sid(512), forest.sid(519), f"{forest.domain}-S-1-5-32-544"
    base = [
        ace(admins, "Owns", inherited=False),
        ace(admins, "GenericAll", inherited=False),
        ace(enterprise, "GenericAll", inherited=True),
        ace(builtin, "WriteDacl", inherited=True),
        ace(builtin, "WriteOwner", inherited=True),
        ace(builtin, "AllExtendedRights", inherited=True),
    ]
    tier0_pool = [
        ace(principal, right, inherited=inherited)
        for principal in (admins, enterprise, builtin)
        for right in _TIER0_RIGHTS
        for inherited in (True, False)
    ]
    delegates = [forest.named[name].object_id for name in ("GG_DSI_SUPPORT", "GG_DSI_SERVEURS")]
    delegates += [f"{forest.domain}-S-1-5-32-548"]
    delegates += [group.object_id for group in forest.groups if group.name.startswith("GG_NORD_")][:20]
    delegation_pool = [
        ace(principal, right, inherited=inherited)
        for principal in delegates
        for right in _DELEGATION_RIGHTS
        for inherited in (True, True, True, True, True, False)  # five in six are inherited
    ]
    count = len(nodes)
    if budget >= _BASE_COUNT * count:
        weights = np.array([20.0 if node.kind == "OU" else 1.0 for node in nodes])
        counts = _BASE_COUNT + rng.multinomial(budget - _BASE_COUNT * count, weights / weights.sum())
    else:
        counts = np.full(count, budget // count) + (np.arange(count) < budget % count)
    extra = np.maximum(counts - _BASE_COUNT, 0)
    starts = np.concatenate(([0], np.cumsum(extra)))
    tier0_choice = np.array(tier0_pool, dtype=object)[rng.integers(0, len(tier0_pool), size=int(starts[-1]))]
    delegation_choice = np.array(delegation_pool, dtype=object)[
        rng.integers(0, len(delegation_pool), size=int(starts[-1]))
    ]
    for index, node in enumerate(nodes):
        choice = tier0_choice if node.tier0 else delegation_choice
        node.aces += base[: int(counts[index])] + choice[starts[index] : starts[index + 1]].tolist()
    forest.ace_count = sum(len(node.aces) for node in nodes)


def _kinds(forest: Forest) -> list[tuple[str, Iterator[dict[str, Any]], int]]:
    """``(file type, records, count)`` of every file, in SharpHound's naming."""
    named = forest.named
    return [
        ("users", (_user(forest, node) for node in forest.users), len(forest.users)),
        ("computers", (_computer(forest, node) for node in forest.computers), len(forest.computers)),
        ("groups", (_group(forest, node) for node in forest.groups), len(forest.groups)),
        ("domains", iter([_domain(forest, named["DOMAIN"])]), 1),
        ("ous", (_ou(forest, node) for node in forest.ous), len(forest.ous)),
        ("containers", (node.record(forest, ChildObjects=[]) for node in forest.containers), len(forest.containers)),
        ("gpos", (node.record(forest) for node in forest.gpos), len(forest.gpos)),
        ("certtemplates", (node.record(forest) for node in forest.templates), len(forest.templates)),
        ("enterprisecas", iter([_enterprise_ca(forest, named["CA"])]), 1),
        ("rootcas", iter([named["ROOTCA"].record(forest, DomainSID=forest.domain_sid)]), 1),
        ("ntauthstores", iter([named["NTAUTH"].record(forest, DomainSID=forest.domain_sid)]), 1),
    ]


def _user(forest: Forest, node: Node) -> dict[str, Any]:
    return node.record(
        forest,
        AllowedToDelegate=[],
        PrimaryGroupSID=forest.sid(513),
        HasSIDHistory=[],
        SPNTargets=[],
    )


def _sessions(computer: str, users: list[str]) -> dict[str, Any]:
    results = [{"UserSID": user, "ComputerSID": computer} for user in users]
    return {"Results": results, "Collected": True, "FailureReason": None}


def _computer(forest: Forest, node: Node) -> dict[str, Any]:
    local = forest.local_admins.get(node.object_id)
    groups = [
        {
            "ObjectIdentifier": f"{node.object_id}-544",
            "Name": f"ADMINISTRATORS@{node.name}",
            "Results": local,
            "LocalNames": [],
            "Collected": True,
            "FailureReason": None,
        }
    ]
    is_dc = bool(node.props["isdc"])
    return node.record(
        forest,
        PrimaryGroupSID=forest.sid(516 if is_dc else 515),
        AllowedToDelegate=[],
        AllowedToAct=[],
        HasSIDHistory=[],
        DumpSMSAPassword=[],
        Sessions=_sessions(node.object_id, forest.sessions.get(node.object_id, [])),
        PrivilegedSessions=_sessions(node.object_id, []),
        RegistrySessions=_sessions(node.object_id, []),
        LocalGroups=groups if local else [],
        UserRights=[],
        DCRegistryData={"CertificateMappingMethods": None, "StrongCertificateBindingEnforcement": None},
        Status=None,
        IsDC=is_dc,
        DomainSID=forest.domain_sid,
    )


def _group(forest: Forest, node: Node) -> dict[str, Any]:
    return node.record(forest, Members=forest.members.get(node.object_id, []))


_NO_GPO_CHANGES: dict[str, list[Any]] = {
    "LocalAdmins": [],
    "RemoteDesktopUsers": [],
    "DcomUsers": [],
    "PSRemoteUsers": [],
}


def _domain(forest: Forest, node: Node) -> dict[str, Any]:
    return node.record(
        forest,
        GPOChanges={**_NO_GPO_CHANGES, "AffectedComputers": []},
        ChildObjects=[],
        Trusts=[],
        Links=forest.links.get(node.object_id, []),
    )


def _ou(forest: Forest, node: Node) -> dict[str, Any]:
    return node.record(
        forest,
        GPOChanges={**_NO_GPO_CHANGES, "AffectedComputers": []},
        Links=forest.links.get(node.object_id, []),
        ChildObjects=[],
    )


def _enterprise_ca(forest: Forest, node: Node) -> dict[str, Any]:
    enroll = [
        ace(forest.sid(513), "Enroll", inherited=False),
        ace(forest.sid(512), "ManageCA", inherited=False),
        ace(f"{forest.domain}-S-1-5-32-544", "ManageCA", inherited=False),
    ]
    host = forest.named["SRV-PKI01"].object_id
    return node.record(
        forest,
        HostingComputer=host,
        CARegistryData={
            "CASecurity": {"Data": enroll, "Collected": True, "FailureReason": None},
            "IsUserSpecifiesSanEnabled": {"Value": False, "Collected": True, "FailureReason": None},
        },
        EnabledCertTemplates=[
            {"ObjectIdentifier": t.object_id, "ObjectType": "CertTemplate"} for t in forest.templates
        ],
    )


def _write_file(stream: IO[bytes], kind: str, records: Iterator[dict[str, Any]], count: int) -> None:
    """``{"data": [...], "meta": {...}}`` written batch by batch, as SharpHound streams it."""
    stream.write(b'{"data":[')
    first = True
    batch: list[dict[str, Any]] = []
    written = 0
    for record in records:
        batch.append(record)
        if len(batch) == _BATCH:
            stream.write((b"" if first else b",") + orjson.dumps(batch)[1:-1])
            first, written, batch = False, written + len(batch), []
    if batch:
        stream.write((b"" if first else b",") + orjson.dumps(batch)[1:-1])
        written += len(batch)
    if written != count:  # a generator bug, never user input
        raise RuntimeError(f"{kind}: wrote {written} records, expected {count}")
    meta = {"methods": _METHODS, "type": kind, "count": count, "version": 6, "collectorversion": "2.5.7"}
    stream.write(b'],"meta":' + orjson.dumps(meta) + b"}")
