"""LDAP entries (from a live collection or an LDIF export) normalised into a :class:`Snapshot`.

The tables mean exactly what the SharpHound reader puts in them: principals and domains are
identified by upper-case SIDs (well-known SIDs prefixed with the domain, ``CORP.LOCAL-S-1-5-32-544``,
as SharpHound writes them), other objects by upper-case objectGUIDs; names are upper-case
(``USER@DOMAIN``, ``HOST.DOMAIN``); times are Unix seconds with SharpHound's 0 / -1 conventions;
edges follow BloodHound's orientation. LDAP carries more than SharpHound, so the columns a
SharpHound collection leaves null (raw userAccountControl, domain password policy, trust
attributes...) are filled here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.ldap_directory import DirectoryIndex, forest_settings
from hygie.engines.directory.ldap_pki import add_authority, add_template, add_trust
from hygie.engines.directory.ldap_values import (
    Attributes,
    EntryError,
    as_bool,
    as_filetime,
    as_guid,
    as_int,
    as_sid,
    as_sids,
    as_str,
    as_strs,
    as_time,
    dn_domain,
    dn_parent,
    functional_level_name,
    normalise_dn,
    principal_id,
    rdn_value,
)
from hygie.engines.directory.schema import SCHEMAS
from hygie.engines.directory.security_descriptor import (
    SecurityDescriptor,
    SecurityDescriptorError,
    ace_rights,
    allowed_trustees,
    parse_security_descriptor,
)
from hygie.engines.directory.snapshot import Snapshot

__all__ = ["Entry", "SnapshotBuilder", "principal_id", "snapshot_from_entries"]

#: One directory object: its DN and its attributes (names lower-case -> raw values as bytes).
Entry = tuple[str, Mapping[str, Sequence[bytes]]]

# userAccountControl bits (MS-ADTS 2.2.16).
_UAC_DISABLED = 0x2
_UAC_PASSWD_NOTREQD = 0x20
_UAC_ENCRYPTED_TEXT_PWD = 0x80
_UAC_SERVER_TRUST = 0x2000
_UAC_DONT_EXPIRE = 0x10000
_UAC_SMARTCARD = 0x40000
_UAC_TRUSTED_FOR_DELEGATION = 0x80000
_UAC_NOT_DELEGATED = 0x100000
_UAC_DES_ONLY = 0x200000
_UAC_NO_PREAUTH = 0x400000
_UAC_TRUSTED_TO_AUTH = 0x1000000
_UAC_PARTIAL_SECRETS = 0x4000000
# Primary groups of writable and read-only domain controllers.
_DC_PRIMARY_GROUPS = frozenset({516, 521})
# Cleartext password attributes -> the names SharpHound gives them (the reader keeps those).
_PASSWORD_ATTRIBUTES = {
    "userpassword": "userpassword",
    "unixuserpassword": "unixpassword",
    "unicodepwd": "unicodepassword",
    "mssfu30password": "sfupassword",
}
_LAPS_EXPIRATIONS = ("mslaps-passwordexpirationtime", "ms-mcs-admpwdexpirationtime")
# Distinct descriptors whose rights are remembered (a directory has a few thousand at most).
_ACL_CACHE_SIZE = 20_000
# gPLink status bits: 1 = link disabled, 2 = enforced.
_LINK_DISABLED = 1
_LINK_ENFORCED = 2


class SnapshotBuilder:
    """Rows and edges accumulated entry by entry, then frozen into the snapshot tables."""

    def __init__(self, index: DirectoryIndex) -> None:
        self.index = index
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS if name != "edges"}
        self.edges: dict[tuple[str, str, str], tuple[bool | None, bool | None]] = {}
        self.warnings: list[str] = []
        self._acl_cache: dict[tuple[bytes, str, bool], tuple[list[tuple[str, str, bool]], bool]] = {}

    def edge(
        self,
        source: str | None,
        target: str | None,
        kind: str,
        *,
        inherited: bool | None = None,
        enforced: bool | None = None,
    ) -> None:
        """Add one edge (once); skipped when an end is unknown."""
        if source and target:
            self.edges.setdefault((source.upper(), target.upper(), kind), (inherited, enforced))

    def row(self, table: str, values: dict[str, Any]) -> None:
        """Add one row to ``table``; missing columns stay null."""
        self.rows[table].append(values)

    def common(self, dn: str, attrs: Attributes, object_id: str, name: str | None) -> dict[str, Any]:
        """The columns every object has, and the edges every object has (ACEs, container)."""
        domain = dn_domain(dn)
        parent = dn_parent(dn)
        if parent is not None and parent in self.index.containers:
            self.edge(self.index.ids.get(parent), object_id, "Contains")
        return {
            "object_id": object_id,
            "name": name,
            "domain": domain,
            "domain_sid": self.index.domain_sids.get(domain or ""),
            "distinguished_name": normalise_dn(dn),
            "description": as_str(dn, attrs, "description"),
            "when_created": as_time(dn, attrs, "whencreated"),
            "is_deleted": bool(as_bool(dn, attrs, "isdeleted")),
            "is_acl_protected": self.acl_edges(dn, attrs, object_id, _label(attrs)),
        }

    def acl_edges(self, dn: str, attrs: Attributes, object_id: str, label: str) -> bool | None:
        """Edges from the object's nTSecurityDescriptor; returns whether its DACL is protected."""
        values = attrs.get("ntsecuritydescriptor") or ()
        if not values:
            return None
        raw = bytes(values[0])
        has_laps = any(attrs.get(name) for name in _LAPS_EXPIRATIONS)
        key = (raw, label, has_laps)
        cached = self._acl_cache.get(key)
        if cached is None:
            descriptor = _descriptor(dn, "ntsecuritydescriptor", raw)
            rights = ace_rights(descriptor, label, self.index.schema_guids, has_laps=has_laps)
            cached = (rights, descriptor.is_acl_protected)
            # AD stores one copy of each distinct descriptor and most objects share one: so can we.
            if len(self._acl_cache) < _ACL_CACHE_SIZE:
                self._acl_cache[key] = cached
        domain = dn_domain(dn) or ""
        for trustee, right, inherited in cached[0]:
            self.edge(principal_id(trustee, domain), object_id, right, inherited=inherited)
        return cached[1]

    def snapshot(self) -> Snapshot:
        """The frozen tables."""
        frames = {name: pl.DataFrame(rows, schema=SCHEMAS[name], orient="row") for name, rows in self.rows.items()}
        edge_rows = [
            {"source": s, "target": t, "kind": k, "is_inherited": i, "enforced": e}
            for (s, t, k), (i, e) in self.edges.items()
        ]
        frames["edges"] = pl.DataFrame(edge_rows, schema=SCHEMAS["edges"], orient="row")
        for name, frame in frames.items():
            if "object_id" in frame.columns and frame.height != frame.get_column("object_id").n_unique():
                self.warnings.append(f"{name}: duplicate object ids; the first entry of each is kept")
                frames[name] = frame.unique(subset="object_id", keep="first", maintain_order=True)
        return Snapshot(**frames, warnings=tuple(self.warnings))


def _descriptor(dn: str, name: str, value: bytes) -> SecurityDescriptor:
    try:
        return parse_security_descriptor(bytes(value))
    except SecurityDescriptorError as error:
        raise EntryError(dn, f"attribute {name!r}: {error}") from error


def _classes(attrs: Attributes) -> set[str]:
    return {bytes(value).decode("utf-8", errors="replace").lower() for value in attrs.get("objectclass") or ()}


def _label(attrs: Attributes) -> str:
    """The BloodHound label whose ACL rules apply to an object of these classes."""
    classes = _classes(attrs)
    for ldap_class, label in _LABELS:
        if ldap_class in classes:
            return label
    return ""


# Most specific class first: a computer is also a user, a gMSA also a computer.
_LABELS = (
    ("msds-groupmanagedserviceaccount", "msDS-GroupManagedServiceAccount"),
    ("msds-managedserviceaccount", "msDS-ManagedServiceAccount"),
    ("computer", "Computer"),
    ("group", "Group"),
    ("user", "User"),
    ("domaindns", "Domain"),
    ("organizationalunit", "OU"),
    ("grouppolicycontainer", "GPO"),
    ("pkicertificatetemplate", "CertTemplate"),
    ("pkienrollmentservice", "EnterpriseCA"),
    ("certificationauthority", "RootCA"),
    ("container", "Container"),
)


def snapshot_from_entries(entries: Iterable[Entry], *, source: str = "ldap") -> Snapshot:
    """Normalise the directory ``entries`` (domain, configuration and schema partitions) into a snapshot.

    ``source`` names the origin in messages (``ldap``, a file name). Raises ``CollectionError``
    (an :class:`EntryError` naming the DN when one entry is at fault) and never returns a
    partial snapshot.
    """
    items = [(str(dn), _lower_keys(attrs)) for dn, attrs in entries]
    index = DirectoryIndex.build(items)
    if not index.domain_sids:
        raise CollectionError(f"{source}: no domain object (objectClass domainDNS with an objectSid) in the entries")
    builder = SnapshotBuilder(index)
    settings = forest_settings(items, index)
    for dn, attrs in items:
        _add(builder, dn, attrs, settings)
    if index.unresolved_members:
        builder.warnings.append(
            f"{source}: {index.unresolved_members} group members outside the collected entries were left out"
        )
    return builder.snapshot()


def _lower_keys(attrs: Mapping[str, Sequence[bytes]]) -> dict[str, Sequence[bytes]]:
    """Attribute names lower-case, options dropped (``member;range=0-1499`` chunks are merged)."""
    merged: dict[str, list[bytes]] = {}
    for name, values in attrs.items():
        if isinstance(values, (bytes, str)):
            raise CollectionError(f"attribute {name!r} must be a list of values, not one value")
        merged.setdefault(str(name).split(";", 1)[0].lower(), []).extend(values)
    return dict(merged)


def _add(builder: SnapshotBuilder, dn: str, attrs: Attributes, settings: Mapping[str, Any]) -> None:
    classes = _classes(attrs)
    if "domaindns" in classes:
        _domain(builder, dn, attrs, settings)
    elif classes & {"user", "computer", "group"} and "foreignsecurityprincipal" not in classes:
        _principal(builder, dn, attrs, classes)
    elif "organizationalunit" in classes:
        common = builder.common(dn, attrs, _guid(dn, attrs), _named(dn, attrs))
        builder.row("ous", {**common, "blocks_inheritance": as_int(dn, attrs, "gpoptions") == 1})
        _gp_links(builder, dn, attrs, common["object_id"])
    elif "grouppolicycontainer" in classes:
        display = as_str(dn, attrs, "displayname") or rdn_value(dn)
        common = builder.common(dn, attrs, _guid(dn, attrs), f"{display}@{dn_domain(dn)}".upper())
        builder.row("gpos", {**common, "gpc_path": (as_str(dn, attrs, "gpcfilesyspath") or "").upper() or None})
    elif "pkicertificatetemplate" in classes:
        add_template(builder, dn, attrs)
    elif classes & {"pkienrollmentservice", "certificationauthority"}:
        add_authority(builder, dn, attrs, classes)
    elif "trusteddomain" in classes:
        add_trust(builder, dn, attrs)
    elif "container" in classes:
        builder.row("containers", builder.common(dn, attrs, _guid(dn, attrs), _named(dn, attrs)))
    elif classes & {"dmd", "configuration"} and as_guid(dn, attrs, "objectguid") is not None:
        # The schema (dMD) and configuration heads are kept as containers: their ACLs are Tier 0.
        # Exports that list them without objectGUID only give forest settings (functional level...).
        builder.row("containers", builder.common(dn, attrs, _guid(dn, attrs), _named(dn, attrs)))


def _guid(dn: str, attrs: Attributes) -> str:
    guid = as_guid(dn, attrs, "objectguid")
    if guid is None:
        raise EntryError(dn, "no objectGUID")
    return guid


def _named(dn: str, attrs: Attributes) -> str:
    name = as_str(dn, attrs, "name") or rdn_value(dn)
    return f"{name}@{dn_domain(dn)}".upper()


def _gp_links(builder: SnapshotBuilder, dn: str, attrs: Attributes, target: str) -> None:
    """GPLink edges (GPO -> OU or domain) from ``gPLink``; disabled links are skipped as SharpHound does."""
    text = as_str(dn, attrs, "gplink") or ""
    for link in text.split("]"):
        if ";" not in link:
            continue
        path, _, status_text = link.lstrip("[").rpartition(";")
        gpo_dn = normalise_dn(path.split("://", 1)[-1])
        try:
            status = int(status_text)
        except ValueError as error:
            raise EntryError(dn, f"attribute 'gplink': bad link status {status_text[:20]!r}") from error
        if status & _LINK_DISABLED:
            continue
        builder.edge(builder.index.ids.get(gpo_dn), target, "GPLink", enforced=bool(status & _LINK_ENFORCED))


def _domain(builder: SnapshotBuilder, dn: str, attrs: Attributes, settings: Mapping[str, Any]) -> None:
    sid = as_sid(dn, attrs, "objectsid")
    if sid is None:
        raise EntryError(dn, "domain object without objectSid")
    domain = dn_domain(dn)
    common = builder.common(dn, attrs, sid, domain)
    common["domain_sid"] = sid
    level = as_int(dn, attrs, "msds-behavior-version")
    max_age = as_int(dn, attrs, "maxpwdage")
    builder.row(
        "domains",
        {
            **common,
            "functional_level": functional_level_name(level) if level is not None else None,
            "forest_functional_level": settings.get("forest_functional_level"),
            "collected": True,
            "machine_account_quota": as_int(dn, attrs, "ms-ds-machineaccountquota"),
            "min_pwd_length": as_int(dn, attrs, "minpwdlength"),
            "pwd_history_length": as_int(dn, attrs, "pwdhistorylength"),
            "max_pwd_age_days": _max_age_days(max_age),
            "lockout_threshold": as_int(dn, attrs, "lockoutthreshold"),
            "pwd_properties": as_int(dn, attrs, "pwdproperties"),
            "dsheuristics": settings.get("dsheuristics"),
            "sysvol_replication": settings.get("sysvol", {}).get(domain),
            "schema_version": settings.get("schema_version"),
        },
    )
    _gp_links(builder, dn, attrs, sid)


def _max_age_days(value: int | None) -> int | None:
    """The maxPwdAge (negative 100 ns intervals) in days; 0 when passwords never expire."""
    if value is None:
        return None
    if value == 0 or value <= -(2**63) or value >= 0:
        return 0
    return -value // (_SECONDS_PER_DAY * 10_000_000)


_SECONDS_PER_DAY = 86_400


def _principal(builder: SnapshotBuilder, dn: str, attrs: Attributes, classes: set[str]) -> None:
    sid = as_sid(dn, attrs, "objectsid")
    if sid is None:
        raise EntryError(dn, "user, computer or group without objectSid")
    domain = dn_domain(dn) or ""
    object_id = principal_id(sid, domain)
    gmsa = "msds-groupmanagedserviceaccount" in classes
    msa = "msds-managedserviceaccount" in classes
    kind = "Group" if "group" in classes else "Computer" if "computer" in classes and not (gmsa or msa) else "User"
    sam = as_str(dn, attrs, "samaccountname")
    uac = as_int(dn, attrs, "useraccountcontrol")
    flags = uac or 0
    primary = as_int(dn, attrs, "primarygroupid")
    domain_sid = builder.index.domain_sids.get(domain)
    primary_sid = f"{domain_sid}-{primary}" if primary is not None and domain_sid else None
    common = builder.common(dn, attrs, object_id, _principal_name(dn, attrs, kind, sam, domain))
    laps = [as_filetime(dn, attrs, name) for name in _LAPS_EXPIRATIONS if attrs.get(name)]
    spns = as_strs(dn, attrs, "serviceprincipalname")
    delegate_to = as_strs(dn, attrs, "msds-allowedtodelegateto")
    history = as_sids(dn, attrs, "sidhistory")
    is_user_like = kind != "Group"
    builder.row(
        "principals",
        {
            **common,
            "kind": kind,
            "sam_account_name": sam,
            "enabled": not flags & _UAC_DISABLED if is_user_like and uac is not None else None,
            "admincount": bool(as_bool(dn, attrs, "admincount")),
            "spns": spns,
            "has_spn": bool(spns),
            "dontreqpreauth": _flag(uac, _UAC_NO_PREAUTH, is_user_like),
            "passwordnotreqd": _flag(uac, _UAC_PASSWD_NOTREQD, is_user_like),
            "pwdneverexpires": _flag(uac, _UAC_DONT_EXPIRE, is_user_like),
            "sensitive": _flag(uac, _UAC_NOT_DELEGATED, is_user_like),
            "unconstraineddelegation": _flag(uac, _UAC_TRUSTED_FOR_DELEGATION, is_user_like),
            "trustedtoauth": _flag(uac, _UAC_TRUSTED_TO_AUTH, is_user_like),
            "allowed_to_delegate": delegate_to,
            "pwdlastset": as_filetime(dn, attrs, "pwdlastset") if is_user_like else None,
            "lastlogon": as_filetime(dn, attrs, "lastlogon") if is_user_like else None,
            "lastlogontimestamp": as_filetime(dn, attrs, "lastlogontimestamp") if is_user_like else None,
            "sidhistory": history,
            "primary_group_sid": primary_sid,
            "operating_system": as_str(dn, attrs, "operatingsystem"),
            "is_dc": (bool(flags & _UAC_SERVER_TRUST) or primary in _DC_PRIMARY_GROUPS) if kind == "Computer" else None,
            "haslaps": bool(laps) if kind == "Computer" else None,
            "user_account_control": uac,
            "supported_encryption_types": as_int(dn, attrs, "msds-supportedencryptiontypes"),
            "reversible_encryption": _flag(uac, _UAC_ENCRYPTED_TEXT_PWD, is_user_like),
            "use_des_key_only": _flag(uac, _UAC_DES_ONLY, is_user_like),
            "smartcard_required": _flag(uac, _UAC_SMARTCARD, is_user_like),
            "is_rodc": _flag(uac, _UAC_PARTIAL_SECRETS, kind == "Computer"),
            "gmsa": gmsa if is_user_like else None,
            "msa": msa if is_user_like else None,
            "password_attributes": [alias for name, alias in _PASSWORD_ATTRIBUTES.items() if attrs.get(name)],
            "laps_expiration": laps[0] if laps else None,
        },
    )
    _principal_edges(builder, dn, attrs, object_id, primary_sid=primary_sid, delegate_to=delegate_to, history=history)


def _flag(uac: int | None, bit: int, applies: bool) -> bool | None:
    return bool(uac & bit) if applies and uac is not None else None


def _principal_name(dn: str, attrs: Attributes, kind: str, sam: str | None, domain: str) -> str:
    """``SAM@DOMAIN`` for users and groups, ``HOST.DOMAIN`` for computers, as SharpHound names them."""
    if kind == "Computer":
        host = as_str(dn, attrs, "dnshostname")
        if host:
            return host.upper()
        return f"{(sam or rdn_value(dn)).removesuffix('$')}.{domain}".upper()
    return f"{sam or rdn_value(dn)}@{domain}".upper()


def _principal_edges(
    builder: SnapshotBuilder,
    dn: str,
    attrs: Attributes,
    object_id: str,
    *,
    primary_sid: str | None,
    delegate_to: list[str],
    history: list[str],
) -> None:
    index = builder.index
    domain = dn_domain(dn) or ""
    builder.edge(object_id, primary_sid, "MemberOf")
    for member in as_strs(dn, attrs, "member"):
        builder.edge(index.member_id(member, domain), object_id, "MemberOf")
    for spn in delegate_to:
        builder.edge(object_id, index.computer_for_spn(spn), "AllowedToDelegate")
    for value in (attrs.get("msds-allowedtoactonbehalfofotheridentity") or ())[:1]:
        descriptor = _descriptor(dn, "msds-allowedtoactonbehalfofotheridentity", value)
        for trustee in allowed_trustees(descriptor):
            builder.edge(principal_id(trustee, domain), object_id, "AllowedToAct")
    for value in (attrs.get("msds-groupmsamembership") or ())[:1]:
        descriptor = _descriptor(dn, "msds-groupmsamembership", value)
        for trustee in allowed_trustees(descriptor):
            builder.edge(principal_id(trustee, domain), object_id, "ReadGMSAPassword")
    for old in history:
        builder.edge(object_id, principal_id(old, domain), "HasSIDHistory")
