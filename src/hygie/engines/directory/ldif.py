"""Read an LDIF export of a directory (RFC 2849) into a :class:`Snapshot`.

Accepts what ``ldapsearch -LLL`` (and ``-L``/``-LL``) and ``ldifde`` write: an optional
``version: 1`` line, comments, folded lines, ``::`` base64 values (binary ``objectSid``,
``objectGUID``, ``nTSecurityDescriptor``), repeated attributes, CRLF line ends, and ``changetype: add``
records (ldifde marks every exported entry so). Anything that is not a plain content record is
refused: other change records (modify, delete, moddn), ``:<`` URL values (reading them would open
files or URLs named by the input). The file is read line by line, so only one entry at a time
is held as text; errors raise :class:`CollectionError` naming the file and line, and no partial
snapshot is returned.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.ldap_entries import Entry, snapshot_from_entries
from hygie.engines.directory.ldap_values import EntryError, normalise_dn
from hygie.engines.directory.snapshot import Snapshot

__all__ = ["DEFAULT_MAX_FILE_BYTES", "read_ldif"]

#: Largest LDIF file read by default, as for SharpHound collections.
DEFAULT_MAX_FILE_BYTES = 2 * 1024**3
# Records ldapsearch adds around the entries (search result, referrals): not directory objects.
_SKIPPED_RECORDS = frozenset({"search", "result", "ref"})


def read_ldif(path: Path | str, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Snapshot:
    """Read the LDIF file at ``path`` (domain, configuration and schema entries) into a snapshot."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise CollectionError(f"{path}: {error.strerror or error}", file=name) from error
    if size > max_file_bytes:
        raise CollectionError(f"{name}: {size} bytes is more than the {max_file_bytes}-byte limit", file=name)
    lines: dict[str, int] = {}
    try:
        with path.open("rb") as stream:
            entries = list(_entries(stream, name, lines))
    except OSError as error:
        raise CollectionError(f"{name}: {error.strerror or error}", file=name) from error
    if not entries:
        raise CollectionError(f"{name}: no LDIF entry (expected records starting with 'dn:')", file=name)
    try:
        return snapshot_from_entries(entries, source=name)
    except EntryError as error:
        line = lines.get(normalise_dn(error.dn))
        where = f"{name}:{line}" if line else name
        raise CollectionError(f"{where}: {error}", file=name) from error


def _logical_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """``(first physical line number, unfolded text)``; ``""`` marks a record separator."""
    pending: str | None = None
    start = 0
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise CollectionError(
                f"{name}:{number}: not UTF-8 text (byte {error.start} of the line)", file=name
            ) from error
        if text.startswith(" "):
            if pending is None:
                raise CollectionError(f"{name}:{number}: continuation line with nothing to continue", file=name)
            pending += text[1:]
            continue
        if pending is not None:
            yield start, pending
        pending, start = text, number
    if pending is not None:
        yield start, pending


def _entries(stream: BinaryIO, name: str, lines: dict[str, int]) -> Iterator[Entry]:
    record: list[tuple[int, str]] = []
    first = True
    for number, text in _logical_lines(stream, name):
        if text.startswith("#"):
            continue
        if first and not record and text.lower().replace(" ", "") == "version:1":
            first = False
            continue
        first = False
        if text:
            record.append((number, text))
            continue
        if record:
            entry = _record(record, name)
            if entry is not None:
                lines.setdefault(normalise_dn(entry[0]), record[0][0])
                yield entry
            record = []
    if record:
        entry = _record(record, name)
        if entry is not None:
            lines.setdefault(normalise_dn(entry[0]), record[0][0])
            yield entry


def _record(record: list[tuple[int, str]], name: str) -> Entry | None:
    """One content record as ``(dn, {attribute: [values]})``; ``None`` for ldapsearch's trailers."""
    number, text = record[0]
    attribute, value = _attribute_value(number, text, name)
    if attribute in _SKIPPED_RECORDS:
        return None
    if attribute != "dn":
        raise CollectionError(f"{name}:{number}: a record must start with 'dn:', not {attribute!r}", file=name)
    try:
        dn = value.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CollectionError(f"{name}:{number}: the DN is not UTF-8 text", file=name) from error
    attributes: dict[str, list[bytes]] = {}
    for number, text in record[1:]:
        attribute, value = _attribute_value(number, text, name)
        if attribute == "changetype":
            if value.strip().lower() != b"add":
                message = f"change record ({value.decode('utf-8', 'replace')}) not supported: export entries only"
                raise CollectionError(f"{name}:{number}: {message}", file=name)
            continue
        if attribute == "control":
            raise CollectionError(f"{name}:{number}: change record controls are not supported", file=name)
        attributes.setdefault(attribute, []).append(value)
    return dn, attributes


def _attribute_value(number: int, text: str, name: str) -> tuple[str, bytes]:
    """Split ``attr: value`` / ``attr:: base64`` into the lower-case name (options dropped) and bytes."""
    attribute, colon, rest = text.partition(":")
    if not colon or not attribute or " " in attribute.strip():
        raise CollectionError(f"{name}:{number}: expected 'attribute: value', got {text[:60]!r}", file=name)
    # Options such as ";binary" do not change what the value is for the snapshot.
    attribute = attribute.strip().split(";", 1)[0].lower()
    if rest.startswith(":"):
        try:
            return attribute, base64.b64decode(rest[1:].strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise CollectionError(f"{name}:{number}: invalid base64 value for {attribute!r}", file=name) from error
    if rest.startswith("<"):
        raise CollectionError(f"{name}:{number}: URL values (':<') are refused for {attribute!r}", file=name)
    return attribute, rest.lstrip(" ").encode("utf-8")
