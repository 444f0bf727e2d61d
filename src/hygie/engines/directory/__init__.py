"""Active Directory audit engine: collections read into one normalised, columnar snapshot.

Pure Python and Polars, no Django: ``read_sharphound(path)`` turns a SharpHound / BloodHound CE
collection into a :class:`Snapshot` that later bricks (checks, scores, attack graph) consume.
``snapshot_from_entries`` does the same for raw LDAP entries (live collection, or ``read_ldif``),
with ``parse_security_descriptor`` / ``ace_rights`` turning ``nTSecurityDescriptor`` into edges.
"""

from __future__ import annotations

from hygie.engines.directory.errors import CollectionError, SnapshotError
from hygie.engines.directory.ldap_entries import Entry, snapshot_from_entries
from hygie.engines.directory.ldif import read_ldif
from hygie.engines.directory.security_descriptor import (
    Ace,
    SecurityDescriptor,
    SecurityDescriptorError,
    ace_rights,
    parse_security_descriptor,
    sid_to_str,
)
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

__all__ = [
    "Ace",
    "CollectionError",
    "Entry",
    "SecurityDescriptor",
    "SecurityDescriptorError",
    "Snapshot",
    "SnapshotError",
    "ace_rights",
    "parse_security_descriptor",
    "read_ldif",
    "read_sharphound",
    "sid_to_str",
    "snapshot_from_entries",
]
