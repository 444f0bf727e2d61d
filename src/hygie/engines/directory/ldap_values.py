"""Raw LDAP attribute values (bytes) decoded the way SharpHound presents them.

An entry is ``(DN, {attribute name lower-case: [raw values]})``; every helper here takes such a
mapping and one attribute name, so a missing attribute and an empty one read the same.
A value that cannot mean what its attribute says (a non-numeric integer, a corrupt SID) raises
:class:`EntryError` naming the entry and the attribute; nothing is guessed.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Mapping, Sequence

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.security_descriptor import SecurityDescriptorError, guid_to_str, sid_to_str

__all__ = [
    "Attributes",
    "EntryError",
    "as_bool",
    "as_filetime",
    "as_guid",
    "as_int",
    "as_sid",
    "as_sids",
    "as_str",
    "as_strs",
    "as_time",
    "dn_domain",
    "dn_parent",
    "flag_names",
    "functional_level_name",
    "normalise_dn",
    "principal_id",
    "rdn_value",
]

Attributes = Mapping[str, Sequence[bytes]]

# 100-nanosecond intervals between 1601-01-01 (FILETIME epoch) and 1970-01-01.
_FILETIME_EPOCH = 116444736000000000
_FILETIME_SECOND = 10_000_000
# The latest FILETIME .NET can turn into a date (9999-12-31); beyond it SharpHound writes -1.
_FILETIME_MAX = 2650467743999999999
_GENERALIZED_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$")
_DN_SEPARATOR = re.compile(r"(?<!\\)(?:\\\\)*,")


class EntryError(CollectionError):
    """One LDAP entry holds a value that cannot be read; ``dn`` names the entry."""

    def __init__(self, dn: str, message: str) -> None:
        super().__init__(f"entry {dn!r}: {message}")
        #: Distinguished name of the offending entry, so a reader can point at its position.
        self.dn = dn


def _values(dn: str, attrs: Attributes, name: str) -> Sequence[bytes]:
    values = attrs.get(name) or ()
    if isinstance(values, (bytes, str)):
        raise EntryError(dn, f"attribute {name!r} must be a list of values, not one value")
    return values


def as_str(dn: str, attrs: Attributes, name: str) -> str | None:
    """The first value as text, ``None`` when absent."""
    values = _values(dn, attrs, name)
    return _text(dn, name, values[0]) if values else None


def as_strs(dn: str, attrs: Attributes, name: str) -> list[str]:
    """Every value as text."""
    return [_text(dn, name, value) for value in _values(dn, attrs, name)]


def _text(dn: str, name: str, value: bytes) -> str:
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError as error:
        raise EntryError(dn, f"attribute {name!r} is not UTF-8 text (byte {error.start})") from error


def as_int(dn: str, attrs: Attributes, name: str) -> int | None:
    """The first value as an integer (LDAP writes them in decimal), ``None`` when absent."""
    text = as_str(dn, attrs, name)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError as error:
        raise EntryError(dn, f"attribute {name!r} is not an integer: {text[:40]!r}") from error


def as_bool(dn: str, attrs: Attributes, name: str) -> bool | None:
    """An LDAP boolean (``TRUE``/``FALSE``), or a non-zero integer as for adminCount."""
    text = as_str(dn, attrs, name)
    if text is None:
        return None
    upper = text.strip().upper()
    if upper in {"TRUE", "FALSE"}:
        return upper == "TRUE"
    number = as_int(dn, attrs, name)
    return bool(number)


def as_sid(dn: str, attrs: Attributes, name: str) -> str | None:
    """The first value as a textual SID (binary ``objectSid``; a textual one is accepted too)."""
    values = _values(dn, attrs, name)
    return _sid(dn, name, values[0]) if values else None


def as_sids(dn: str, attrs: Attributes, name: str) -> list[str]:
    """Every value as a textual SID (``sIDHistory``)."""
    return [_sid(dn, name, value) for value in _values(dn, attrs, name)]


def _sid(dn: str, name: str, value: bytes) -> str:
    raw = bytes(value)
    if raw.upper().startswith(b"S-1-"):
        return raw.decode("ascii", errors="replace").upper()
    try:
        return sid_to_str(raw)
    except SecurityDescriptorError as error:
        raise EntryError(dn, f"attribute {name!r}: {error}") from error


def as_guid(dn: str, attrs: Attributes, name: str) -> str | None:
    """The first value as an upper-case GUID, SharpHound's identifier for non-principals."""
    values = _values(dn, attrs, name)
    if not values:
        return None
    try:
        return guid_to_str(bytes(values[0])).upper()
    except SecurityDescriptorError as error:
        raise EntryError(dn, f"attribute {name!r}: {error}") from error


def as_time(dn: str, attrs: Attributes, name: str) -> int | None:
    """A GeneralizedTime (``whenCreated``) as Unix seconds, ``None`` when absent."""
    text = as_str(dn, attrs, name)
    if text is None:
        return None
    match = _GENERALIZED_TIME.match(text.strip())
    if match is None:
        raise EntryError(dn, f"attribute {name!r} is not a GeneralizedTime: {text[:40]!r}")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


def as_filetime(dn: str, attrs: Attributes, name: str) -> int:
    """A FILETIME (``pwdLastSet``, ``lastLogon``) as Unix seconds with SharpHound's conventions.

    Absent: -1; zero: 0 (never logged on, or must change password); too large to be a date
    (``0x7FFFFFFFFFFFFFFF``, "never"): -1.
    """
    value = as_int(dn, attrs, name)
    if value is None or value < 0 or value > _FILETIME_MAX:
        return -1
    if value == 0:
        return 0
    return (value - _FILETIME_EPOCH) // _FILETIME_SECOND


def flag_names(value: int | None, names: Mapping[int, str]) -> str | None:
    """Names of the set bits, lowest first, joined as .NET writes a flags enum (``A, B``)."""
    if value is None:
        return None
    value &= 0xFFFFFFFF  # LDAP stores these flags as signed 32-bit integers
    return ", ".join(name for bit, name in sorted(names.items()) if value & bit) or None


def _split_dn(dn: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _DN_SEPARATOR.finditer(dn):
        parts.append(dn[start : match.end() - 1].strip())
        start = match.end()
    parts.append(dn[start:].strip())
    return [part for part in parts if part]


@functools.lru_cache(maxsize=8192)
def normalise_dn(dn: str) -> str:
    """Upper-case DN without spaces around separators: the key objects are matched by."""
    return ",".join(part.replace(" =", "=").replace("= ", "=") for part in _split_dn(dn)).upper()


def dn_parent(dn: str) -> str | None:
    """The normalised DN of the parent, ``None`` at a naming-context root."""
    parts = _split_dn(normalise_dn(dn))
    return ",".join(parts[1:]) if len(parts) > 1 else None


def rdn_value(dn: str) -> str:
    """The value of the first RDN (``CN=Alice,...`` -> ``Alice``), escapes removed."""
    parts = _split_dn(dn)
    first = parts[0] if parts else ""
    value = first.split("=", 1)[-1].strip()
    return re.sub(r"\\(.)", r"\1", value)


@functools.lru_cache(maxsize=8192)
def dn_domain(dn: str) -> str | None:
    """The DNS name of the ``DC=`` components (``DC=PHANTOM,DC=CORP`` -> ``PHANTOM.CORP``)."""
    labels = [part.split("=", 1)[1] for part in _split_dn(normalise_dn(dn)) if part.startswith("DC=")]
    return ".".join(labels) or None


def principal_id(sid: str, domain: str) -> str:
    """SharpHound's identifier of a principal: domain SIDs as they are, well-known ones prefixed.

    SharpHound writes ``CORP.LOCAL-S-1-5-32-544`` for the built-in groups and other well-known
    SIDs so that each domain's copy is a distinct node; the snapshot keeps that convention.
    """
    sid = sid.upper()
    if sid.startswith("S-1-5-21-") or not domain:
        return sid
    return f"{domain.upper()}-{sid}"


#: msDS-Behavior-Version -> the name SharpHound gives the functional level.
_FUNCTIONAL_LEVELS = {
    0: "2000 Mixed/Native",
    1: "2003 Interim",
    2: "2003",
    3: "2008",
    4: "2008 R2",
    5: "2012",
    6: "2012 R2",
    7: "2016",
    10: "2025",
}


def functional_level_name(level: int) -> str:
    """``"2016"``, ``"2012 R2"``...: a domain or forest functional level as SharpHound writes it."""
    return _FUNCTIONAL_LEVELS.get(level, "Unknown")
