"""Active Directory audit engine: collections read into one normalised, columnar snapshot.

Pure Python and Polars, no Django: ``read_sharphound(path)`` turns a SharpHound / BloodHound CE
collection into a :class:`Snapshot` that later bricks (checks, scores, attack graph) consume.
"""

from __future__ import annotations

from hygie.engines.directory.errors import CollectionError, SnapshotError
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

__all__ = ["CollectionError", "Snapshot", "SnapshotError", "read_sharphound"]
