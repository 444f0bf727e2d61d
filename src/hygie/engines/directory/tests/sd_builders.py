"""Binary SIDs and security descriptors built from the MS-DTYP layout, for tests.

``sddl`` understands the subset of SDDL (MS-DTYP 2.5.1) the tests write: ``O:``, ``G:``, ``D:``
with the ``P``/``AI`` flags and ``A``/``D``/``OA``/``OD`` ACEs, so a test reads like the string an
administrator would see in ``dsacls`` or PowerShell while the bytes are assembled by hand here.
"""

from __future__ import annotations

import re
import struct
import uuid

__all__ = ["ace", "guid_bytes", "sd", "sddl", "sid_bytes"]

_ALIASES = {
    "WD": "S-1-1-0",
    "AU": "S-1-5-11",
    "SY": "S-1-5-18",
    "PS": "S-1-5-10",
    "CO": "S-1-3-0",
    "BA": "S-1-5-32-544",
}
_RIGHTS = {
    "GA": 0x10000000,
    "GW": 0x40000000,
    "WD": 0x40000,
    "WO": 0x80000,
    "RC": 0x20000,
    "SD": 0x10000,
    "CC": 0x1,
    "DC": 0x2,
    "LC": 0x4,
    "SW": 0x8,
    "RP": 0x10,
    "WP": 0x20,
    "DT": 0x40,
    "LO": 0x80,
    "CR": 0x100,
}
_ACE_FLAGS = {"OI": 0x1, "CI": 0x2, "NP": 0x4, "IO": 0x8, "ID": 0x10}
_ACE_TYPES = {"A": 0x00, "D": 0x01, "OA": 0x05, "OD": 0x06}


def sid_bytes(text: str) -> bytes:
    """The binary form of ``S-1-<authority>-<sub>...`` (or an SDDL alias such as ``AU``)."""
    parts = _ALIASES.get(text, text).split("-")
    subs = [int(part) for part in parts[3:]]
    return struct.pack("<BB", 1, len(subs)) + int(parts[2]).to_bytes(6, "big") + struct.pack(f"<{len(subs)}I", *subs)


def guid_bytes(text: str) -> bytes:
    """The mixed-endian 16 bytes Windows stores for a GUID."""
    return uuid.UUID(text).bytes_le


def ace(
    ace_type: int,
    flags: int,
    mask: int,
    trustee: str,
    *,
    object_type: str | None = None,
    inherited_object_type: str | None = None,
) -> bytes:
    """One ACE; object ACE types (5, 6) carry the GUIDs given."""
    body = struct.pack("<I", mask)
    if ace_type in {0x05, 0x06}:
        object_flags = (1 if object_type else 0) | (2 if inherited_object_type else 0)
        body += struct.pack("<I", object_flags)
        body += guid_bytes(object_type) if object_type else b""
        body += guid_bytes(inherited_object_type) if inherited_object_type else b""
    body += sid_bytes(trustee)
    return struct.pack("<BBH", ace_type, flags, 4 + len(body)) + body


def sd(owner: str | None, group: str | None, aces: list[bytes] | None, *, control: int = 0x8004) -> bytes:
    """A self-relative descriptor: header, owner, group, then the DACL (``None``: no DACL)."""
    owner_raw = sid_bytes(owner) if owner else b""
    group_raw = sid_bytes(group) if group else b""
    dacl = b""
    if aces is not None:
        body = b"".join(aces)
        dacl = struct.pack("<BBHHH", 4, 0, 8 + len(body), len(aces), 0) + body
    offset_owner = 20 if owner_raw else 0
    offset_group = 20 + len(owner_raw) if group_raw else 0
    offset_dacl = 20 + len(owner_raw) + len(group_raw) if aces is not None else 0
    header = struct.pack("<BBHIIII", 1, 0, control, offset_owner, offset_group, 0, offset_dacl)
    return header + owner_raw + group_raw + dacl


_ACE_RE = re.compile(r"\(([^)]*)\)")


def sddl(text: str) -> bytes:
    """The binary descriptor for an SDDL string of the supported subset."""
    owner = group = None
    control = 0x8000
    aces: list[bytes] | None = None
    # SIDs, flags and ACE strings hold no colon: splitting on the part tags is enough.
    pieces = re.split(r"([OGD]):", text)[1:]
    for key, value in zip(pieces[::2], pieces[1::2], strict=True):
        if key == "O":
            owner = value
        elif key == "G":
            group = value
        else:
            control |= 0x0004
            flags = value.split("(", 1)[0]
            control |= 0x1000 if "P" in flags else 0
            control |= 0x0400 if "AI" in flags else 0
            aces = [_sddl_ace(item) for item in _ACE_RE.findall(value)]
    return sd(owner, group, aces, control=control)


def _sddl_ace(text: str) -> bytes:
    kind, flags, rights, object_type, inherited, trustee = text.split(";")
    flag_bits = sum(_ACE_FLAGS[flags[i : i + 2]] for i in range(0, len(flags), 2))
    if rights.startswith("0x"):
        mask = int(rights, 16)
    else:
        mask = sum(_RIGHTS[rights[i : i + 2]] for i in range(0, len(rights), 2))
    return ace(
        _ACE_TYPES[kind],
        flag_bits,
        mask,
        trustee,
        object_type=object_type or None,
        inherited_object_type=inherited or None,
    )
