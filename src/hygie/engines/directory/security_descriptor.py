"""Binary Windows security descriptors (``nTSecurityDescriptor``) and the attack edges they grant.

The parser reads the self-relative layout of MS-DTYP 2.4.6 (SECURITY_DESCRIPTOR_RELATIVE) with its
DACL (2.4.5) and the four ACE kinds Active Directory uses for access decisions: ACCESS_ALLOWED,
ACCESS_DENIED and their OBJECT variants carrying ObjectType / InheritedObjectType GUIDs (2.4.4).
Other ACE kinds (audit, callback, mandatory label) are skipped by their declared size.

``ace_rights`` turns the allowed ACEs into BloodHound right names, following the rules SharpHound
applies (its ``ACLProcessor``), written here from the Microsoft documentation of each right.
"""

from __future__ import annotations

import functools
import struct
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = [
    "Ace",
    "SecurityDescriptor",
    "SecurityDescriptorError",
    "ace_rights",
    "allowed_trustees",
    "guid_to_str",
    "parse_security_descriptor",
    "sid_to_str",
]

# ACE types (MS-DTYP 2.4.4.1).
ACCESS_ALLOWED = 0x00
ACCESS_DENIED = 0x01
ACCESS_ALLOWED_OBJECT = 0x05
ACCESS_DENIED_OBJECT = 0x06
_OBJECT_TYPES = {ACCESS_ALLOWED_OBJECT, ACCESS_DENIED_OBJECT}
_PARSED_TYPES = {ACCESS_ALLOWED, ACCESS_DENIED, ACCESS_ALLOWED_OBJECT, ACCESS_DENIED_OBJECT}
# ACE flags.
INHERIT_ONLY = 0x08
INHERITED_ACE = 0x10
# Security descriptor control bits.
SE_DACL_PRESENT = 0x0004
SE_DACL_PROTECTED = 0x1000
SE_SELF_RELATIVE = 0x8000
_MAX_SUB_AUTHORITIES = 15
_GUID_BYTES = 16
_ACE_HEADER_AND_MASK = 8
# Object ACE flags: which GUIDs follow the mask.
_OBJECT_TYPE_PRESENT = 0x1
_INHERITED_OBJECT_TYPE_PRESENT = 0x2

# Directory access rights (ADS_RIGHTS_ENUM) and the generic bits AD maps onto them.
_SELF = 0x8
_WRITE_PROPERTY = 0x20
_EXTENDED_RIGHT = 0x100
_WRITE_DACL = 0x40000
_WRITE_OWNER = 0x80000
_FULL_CONTROL = 0xF01FF  # every standard and directory right: what .NET calls GenericAll
_GENERIC_WRITE = 0x20028  # READ_CONTROL | WRITE_PROPERTY | SELF, the DS mapping of GENERIC_WRITE
_GENERIC_ALL_BIT = 0x10000000
_GENERIC_WRITE_BIT = 0x40000000
# Rights of a CA's own security descriptor (certsrv registry value, not the AD object).
_CA_MANAGE = 0x1
_CA_MANAGE_CERTIFICATES = 0x2
_CA_ENROLL = 0x100

_ALL_GUID = "00000000-0000-0000-0000-000000000000"
# Extended rights, validated writes, attributes and property sets (schemaIDGUID / rightsGuid).
_FORCE_CHANGE_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529"  # noqa: S105 - a GUID, not a secret
_MEMBER = "bf9679c0-0de6-11d0-a285-00aa003049e2"  # member attribute and Self-Membership write
_MEMBERSHIP_SET = "bc0ac240-79a9-11d0-9020-00c04fc2d4cf"
_GET_CHANGES = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2"
_GET_CHANGES_ALL = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"
_GET_CHANGES_FILTERED = "89e95b76-444d-4c62-991a-0facbeda640c"
_KEY_CREDENTIAL_LINK = "5b47d60f-6090-40b2-9f37-2a4de88f3063"
_SPN = "f3a64788-5306-11d1-a9c5-0000f80367c1"
_ALLOWED_TO_ACT = "3f78c3e5-f79a-46bd-a0b8-9d18116ddc79"
_ACCOUNT_RESTRICTIONS = "4c164200-20c0-11d0-a768-00aa003049e2"
_GP_LINK = "f30e3bbe-9ff0-11d1-b603-0000f80367c1"
_ALT_SECURITY_IDENTITIES = "00fbf30c-91fe-11d1-aebc-0000f80367c1"
_ENROLL = "0e10c968-78fb-11d2-90d4-00c04f79dc55"
_AUTO_ENROLL = "a05b8cc2-17bc-4802-a710-e7c15ab866a2"
# LAPS attributes are schema extensions: their GUID differs per forest, hence ``schema_guids``.
_LAPS_ATTRIBUTES = ("ms-mcs-admpwd", "mslaps-password", "mslaps-encryptedpassword")

#: Object class (BloodHound label or LDAP class, any case) -> (label, schemaIDGUIDs of the class).
#: The GUIDs decide whether an ACE limited by InheritedObjectType applies to the object.
_CLASSES: dict[str, tuple[str, frozenset[str]]] = {}
for _label, _ldap, _guid in (
    ("User", "user", "bf967aba-0de6-11d0-a285-00aa003049e2"),
    ("Computer", "computer", "bf967a86-0de6-11d0-a285-00aa003049e2"),
    ("Group", "group", "bf967a9c-0de6-11d0-a285-00aa003049e2"),
    ("Domain", "domaindns", "19195a5a-6da0-11d0-afd3-00c04fd930c9"),
    ("GPO", "grouppolicycontainer", "f30e3bc2-9ff0-11d1-b603-0000f80367c1"),
    ("OU", "organizationalunit", "bf967aa5-0de6-11d0-a285-00aa003049e2"),
    ("Container", "container", "bf967a8b-0de6-11d0-a285-00aa003049e2"),
    ("CertTemplate", "pkicertificatetemplate", "e5209ca2-3bba-11d2-90cc-00c04fd91ab1"),
    ("EnterpriseCA", "pkienrollmentservice", "ee4aa692-3bba-11d2-90cc-00c04fd91ab1"),
    ("RootCA", "certificationauthority", "3fdfee50-47f4-11d1-a9c3-0000f80367c1"),
):
    _CLASSES[_label.lower()] = _CLASSES[_ldap] = (_label, frozenset({_guid}))
# BloodHound shows managed service accounts as users; their ACEs name their own classes.
_CLASSES["msds-groupmanagedserviceaccount"] = ("User", frozenset({"7b8b558a-93a5-4af7-adca-c017e67f1057"}))
_CLASSES["msds-managedserviceaccount"] = ("User", frozenset({"ce206244-5827-4a86-ba1c-1c0c386c1b64"}))
_CLASSES["aiaca"] = ("AIACA", _CLASSES["rootca"][1])
_CLASSES["ntauthstore"] = ("NTAuthStore", _CLASSES["rootca"][1])
# The CA's own security (registry), whose mask bits are CA rights rather than directory rights.
_CLASSES["casecurity"] = ("CASecurity", frozenset())
_GENERIC_WRITE_LABELS = frozenset(
    {
        "User",
        "Group",
        "Computer",
        "GPO",
        "OU",
        "Domain",
        "CertTemplate",
        "RootCA",
        "EnterpriseCA",
        "AIACA",
        "NTAuthStore",
    }
)
# Principals that never give an attacker a foothold (SYSTEM, local and network service, the
# interactive / network / batch logon SIDs, nobody): SharpHound drops their ACEs too.
_IGNORED_SIDS = frozenset(
    {"S-1-0", "S-1-0-0", "S-1-2", "S-1-2-0", "S-1-2-1", "S-1-5-2", "S-1-5-3", "S-1-5-4", "S-1-5-6", "S-1-5-7"}
    | {"S-1-5-18", "S-1-5-19", "S-1-5-20"}
)
# Per-service and per-session SIDs (NT SERVICE\..., window manager, font driver hosts).
_IGNORED_PREFIXES = ("S-1-5-80-", "S-1-5-82-", "S-1-5-90-", "S-1-5-96-")


class SecurityDescriptorError(ValueError):
    """A security descriptor is truncated or inconsistent; the message gives the byte offset."""


@dataclass(frozen=True, slots=True)
class Ace:
    """One access control entry of a DACL; GUIDs are lower-case strings, ``None`` when absent."""

    ace_type: int
    flags: int
    mask: int
    object_type: str | None
    inherited_object_type: str | None
    trustee_sid: str

    @property
    def is_inherited(self) -> bool:
        """True when the ACE was inherited from a parent object (INHERITED_ACE)."""
        return bool(self.flags & INHERITED_ACE)

    @property
    def inherit_only(self) -> bool:
        """True when the ACE only propagates to children and does not apply to the object itself."""
        return bool(self.flags & INHERIT_ONLY)

    @property
    def is_allowed(self) -> bool:
        """True for ACCESS_ALLOWED and ACCESS_ALLOWED_OBJECT entries."""
        return self.ace_type in {ACCESS_ALLOWED, ACCESS_ALLOWED_OBJECT}


@dataclass(frozen=True, slots=True)
class SecurityDescriptor:
    """The parts of a security descriptor the audit reads; SACL entries are not kept."""

    control: int
    owner_sid: str | None
    group_sid: str | None
    dacl: tuple[Ace, ...]

    @property
    def dacl_present(self) -> bool:
        """False for a missing (null) DACL, which grants everyone everything."""
        return bool(self.control & SE_DACL_PRESENT)

    @property
    def is_acl_protected(self) -> bool:
        """True when the DACL blocks inheritance from the parent (SE_DACL_PROTECTED)."""
        return bool(self.control & SE_DACL_PROTECTED)


def _need(data: bytes, offset: int, length: int, what: str) -> None:
    if offset < 0 or offset + length > len(data):
        msg = f"security descriptor truncated: {what} needs {length} bytes at offset {offset}, only {len(data)} in all"
        raise SecurityDescriptorError(msg)


def _sid_at(data: bytes, offset: int, what: str) -> tuple[str, int]:
    """The SID starting at ``offset`` and its length in bytes."""
    _need(data, offset, 8, what)
    revision, count = data[offset], data[offset + 1]
    if revision != 1:
        raise SecurityDescriptorError(f"{what} at offset {offset}: SID revision {revision}, expected 1")
    if count > _MAX_SUB_AUTHORITIES:
        raise SecurityDescriptorError(f"{what} at offset {offset}: {count} sub-authorities, at most 15 allowed")
    length = 8 + 4 * count
    _need(data, offset, length, what)
    authority = int.from_bytes(data[offset + 2 : offset + 8], "big")
    subs = struct.unpack_from(f"<{count}I", data, offset + 8)
    # MS-DTYP 2.4.2.1: authorities of 2**32 and above are written in hexadecimal.
    text = str(authority) if authority < 2**32 else f"0x{authority:012X}"
    return "-".join(["S-1", text, *map(str, subs)]), length


def sid_to_str(data: bytes) -> str:
    """The ``S-1-5-21-...`` form of a binary SID (``objectSid``); the whole value must be one SID."""
    text, length = _sid_at(data, 0, "SID")
    if length != len(data):
        raise SecurityDescriptorError(f"SID: {len(data) - length} unexpected bytes after offset {length}")
    return text


def guid_to_str(data: bytes) -> str:
    """The lower-case textual form of a 16-byte binary GUID (``objectGUID``, ``schemaIDGUID``)."""
    if len(data) != _GUID_BYTES:
        raise SecurityDescriptorError(f"GUID: expected 16 bytes, got {len(data)}")
    return _guid_text(bytes(data))


@functools.lru_cache(maxsize=4096)
def _guid_text(data: bytes) -> str:
    # The same few hundred schema GUIDs recur in every ACL: format each once.
    return str(uuid.UUID(bytes_le=data))


def parse_security_descriptor(data: bytes) -> SecurityDescriptor:
    """Parse a self-relative security descriptor; ``SecurityDescriptorError`` when malformed."""
    data = bytes(data)
    _need(data, 0, 20, "header")
    revision, _, control, owner, group, _sacl, dacl = struct.unpack_from("<BBHIIII", data, 0)
    if revision != 1:
        raise SecurityDescriptorError(f"header at offset 0: revision {revision}, expected 1")
    if not control & SE_SELF_RELATIVE:
        raise SecurityDescriptorError("header at offset 2: not a self-relative descriptor (SE_SELF_RELATIVE unset)")
    owner_sid = _sid_at(data, owner, "owner SID")[0] if owner else None
    group_sid = _sid_at(data, group, "group SID")[0] if group else None
    aces = tuple(_aces(data, dacl)) if dacl and control & SE_DACL_PRESENT else ()
    return SecurityDescriptor(control=control, owner_sid=owner_sid, group_sid=group_sid, dacl=aces)


def _aces(data: bytes, offset: int) -> Iterator[Ace]:
    _need(data, offset, 8, "DACL header")
    revision, _, size, count, _ = struct.unpack_from("<BBHHH", data, offset)
    if revision not in {2, 4}:
        raise SecurityDescriptorError(f"DACL at offset {offset}: revision {revision}, expected 2 or 4")
    _need(data, offset, size, "DACL")
    end = offset + size
    position = offset + 8
    for index in range(count):
        where = f"ACE {index} at offset {position}"
        if position + 4 > end:
            raise SecurityDescriptorError(f"{where}: beyond the end of the DACL (offset {end})")
        ace_type, flags, ace_size = struct.unpack_from("<BBH", data, position)
        if ace_size < _ACE_HEADER_AND_MASK or position + ace_size > end:
            raise SecurityDescriptorError(f"{where}: size {ace_size} does not fit in the DACL ending at {end}")
        if ace_type in _PARSED_TYPES:
            yield _ace(data[position : position + ace_size], ace_type, flags, where)
        position += ace_size


def _ace(body: bytes, ace_type: int, flags: int, where: str) -> Ace:
    """One allowed/denied ACE from its own bytes (header included)."""
    mask = struct.unpack_from("<I", body, 4)[0]
    cursor = 8
    object_type = inherited_type = None
    if ace_type in _OBJECT_TYPES:
        _need(body, cursor, 4, f"{where} object flags")
        object_flags = struct.unpack_from("<I", body, cursor)[0]
        cursor += 4
        if object_flags & _OBJECT_TYPE_PRESENT:
            _need(body, cursor, 16, f"{where} ObjectType")
            object_type = guid_to_str(body[cursor : cursor + 16])
            cursor += 16
        if object_flags & _INHERITED_OBJECT_TYPE_PRESENT:
            _need(body, cursor, 16, f"{where} InheritedObjectType")
            inherited_type = guid_to_str(body[cursor : cursor + 16])
            cursor += 16
    trustee, _ = _sid_at(body, cursor, f"{where} trustee SID")
    return Ace(ace_type, flags, mask, object_type, inherited_type, trustee)


def _ignored(sid: str) -> bool:
    return sid in _IGNORED_SIDS or sid.startswith(_IGNORED_PREFIXES)


def _applies(ace: Ace, class_guids: frozenset[str] | None) -> bool:
    """Whether an allowed ACE grants anything on the object itself."""
    if not ace.is_allowed or ace.inherit_only:
        return False
    inherited = ace.inherited_object_type
    return class_guids is None or inherited is None or inherited == _ALL_GUID or inherited in class_guids


def allowed_trustees(sd: SecurityDescriptor) -> list[str]:
    """Upper-case SIDs granted access by ``sd``, in order, once each.

    For descriptors used as principal lists rather than object ACLs: msDS-GroupMSAMembership
    (who reads a gMSA password) and msDS-AllowedToActOnBehalfOfOtherIdentity (RBCD).
    """
    seen: dict[str, None] = {}
    for ace in sd.dacl:
        if ace.is_allowed and not ace.inherit_only:
            seen.setdefault(ace.trustee_sid.upper(), None)
    return list(seen)


def ace_rights(
    sd: SecurityDescriptor,
    object_class: str,
    schema_guids: Mapping[str, str] | None = None,
    *,
    has_laps: bool = True,
) -> list[tuple[str, str, bool]]:
    """``(trustee SID, BloodHound right name, is_inherited)`` for each attack-relevant right of ``sd``.

    ``object_class`` is a BloodHound label (``User``, ``Computer``, ``Group``, ``Domain``, ``GPO``,
    ``OU``, ``Container``, ``CertTemplate``, ``EnterpriseCA``, ``RootCA``, ``CASecurity``) or the
    LDAP class of the object; ``""`` skips the class-specific rights. ``schema_guids`` maps
    lower-case attribute names to schemaIDGUIDs, needed for the LAPS attributes whose GUID is
    forest-specific. ``has_laps``: LAPS rights on a computer only matter when LAPS manages it.

    Deny ACEs are ignored: an attack-path tool must not hide a path because a deny entry might
    block it (deny ACEs are easily misordered or scoped), so over-reporting is the safe side.
    Inherit-only ACEs and ACEs scoped (InheritedObjectType) to another class do not apply.
    """
    label, class_guids = _CLASSES.get(object_class.lower(), (object_class, None)) if object_class else ("", None)
    laps = {(schema_guids or {}).get(name, "").lower() for name in _LAPS_ATTRIBUTES} - {""}
    rights: dict[tuple[str, str, bool], None] = {}
    if sd.owner_sid and not _ignored(sd.owner_sid.upper()):
        rights[(sd.owner_sid.upper(), "Owns", False)] = None
    for ace in sd.dacl:
        trustee = ace.trustee_sid.upper()
        if not _applies(ace, class_guids) or _ignored(trustee):
            continue
        for name in _ace_right_names(ace, label, laps, has_laps=has_laps):
            rights[(trustee, name, ace.is_inherited)] = None
    return list(rights)


def _ace_right_names(ace: Ace, label: str, laps: set[str], *, has_laps: bool) -> Iterator[str]:
    """The right names one applicable allowed ACE grants on an object of class ``label``."""
    mask = ace.mask
    if mask & _GENERIC_ALL_BIT:
        mask |= _FULL_CONTROL
    if mask & _GENERIC_WRITE_BIT:
        mask |= _GENERIC_WRITE
    if label == "CASecurity":
        # The CA's own DACL: its bits are CA rights, not directory rights.
        yield from (name for bit, name in _CA_RIGHTS if ace.mask & bit)
        return
    guid = ace.object_type or _ALL_GUID
    every = guid == _ALL_GUID
    full = mask & _FULL_CONTROL == _FULL_CONTROL
    if every and full:
        # Full control implies every other right: one edge says it all.
        yield "GenericAll"
        return
    if every and mask & _WRITE_DACL:
        yield "WriteDacl"
    if every and mask & _WRITE_OWNER:
        yield "WriteOwner"
    writes = full or mask & _WRITE_PROPERTY or mask & _GENERIC_WRITE == _GENERIC_WRITE
    if mask & _SELF and not writes and label == "Group" and guid in {_MEMBER, _MEMBERSHIP_SET, _ALL_GUID}:
        # The Self-Membership validated write: the trustee can add itself, and only itself.
        yield "AddSelf"
    if full or mask & _EXTENDED_RIGHT:
        yield from _extended_rights(label, guid, laps, has_laps=has_laps)
    if writes:
        yield from _property_writes(label, guid)


_CA_RIGHTS = ((_CA_MANAGE, "ManageCA"), (_CA_MANAGE_CERTIFICATES, "ManageCertificates"), (_CA_ENROLL, "Enroll"))


def _extended_rights(label: str, guid: str, laps: set[str], *, has_laps: bool) -> Iterator[str]:
    if label == "Computer":
        # Reading a confidential attribute (the LAPS password) takes the control-access right.
        if has_laps and guid == _ALL_GUID:
            yield "AllExtendedRights"
        elif has_laps and guid in laps:
            yield "ReadLAPSPassword"
        return
    name = _EXTENDED_RIGHTS.get(label, {}).get(guid)
    if name is not None:
        yield name


def _property_writes(label: str, guid: str) -> Iterator[str]:
    if guid == _ALL_GUID:
        if label in _GENERIC_WRITE_LABELS:
            yield "GenericWrite"
        return
    name = _PROPERTY_WRITES.get(label, {}).get(guid)
    if name is not None:
        yield name


# Extended (control access) rights per class: ObjectType GUID -> right name.
_EXTENDED_RIGHTS: dict[str, dict[str, str]] = {
    "Domain": {
        _GET_CHANGES: "GetChanges",
        _GET_CHANGES_ALL: "GetChangesAll",
        _GET_CHANGES_FILTERED: "GetChangesInFilteredSet",
        _ALL_GUID: "AllExtendedRights",
    },
    "User": {_FORCE_CHANGE_PASSWORD: "ForceChangePassword", _ALL_GUID: "AllExtendedRights"},
    "CertTemplate": {_ALL_GUID: "AllExtendedRights", _ENROLL: "Enroll", _AUTO_ENROLL: "AutoEnroll"},
    "EnterpriseCA": {_ENROLL: "Enroll"},
}
# Writes of one attribute or property set per class: ObjectType GUID -> right name.
_PROPERTY_WRITES: dict[str, dict[str, str]] = {
    "User": {
        _SPN: "WriteSPN",
        _KEY_CREDENTIAL_LINK: "AddKeyCredentialLink",
        _ALT_SECURITY_IDENTITIES: "WriteAltSecurityIdentities",
    },
    "Computer": {
        _ALLOWED_TO_ACT: "AddAllowedToAct",
        _ACCOUNT_RESTRICTIONS: "WriteAccountRestrictions",
        _KEY_CREDENTIAL_LINK: "AddKeyCredentialLink",
        _ALT_SECURITY_IDENTITIES: "WriteAltSecurityIdentities",
    },
    "OU": {_GP_LINK: "WriteGPLink"},
    "Domain": {_GP_LINK: "WriteGPLink"},
    "Group": {_MEMBER: "AddMember", _MEMBERSHIP_SET: "AddMember"},
}
