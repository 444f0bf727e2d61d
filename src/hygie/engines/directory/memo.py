"""A one-snapshot memo: what several checks and the attack graph derive from the same snapshot, once."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, TypeVar, cast

import polars as pl

from hygie.engines.directory.schema import TABLES

if TYPE_CHECKING:
    from collections.abc import Callable

    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["per_snapshot"]

T = TypeVar("T")


def per_snapshot(snapshot: Snapshot, key: str, compute: Callable[[Snapshot], T]) -> T:
    """``compute(snapshot)``, computed once per snapshot and ``key`` while that snapshot is the latest.

    Many checks need the same Tier-0 sets; a one-snapshot memo keeps an audit from recomputing
    them per check. The memo recognises the snapshot by weak references to its tables (a
    ``Snapshot`` itself cannot be weakly referenced), so it never keeps a finished audit's
    snapshot alive, and a copy with one table replaced is a new snapshot.
    """
    global _MEMO  # noqa: PLW0603 - a one-entry memo; swapped as a whole, so threads never see half of it
    tables = tuple(snapshot.table(name) for name in TABLES)
    owner, store = _MEMO
    if len(owner) != len(tables) or any(ref() is not table for ref, table in zip(owner, tables, strict=True)):
        store = {}
        _MEMO = (tuple(weakref.ref(table) for table in tables), store)
    if key not in store:
        store[key] = compute(snapshot)
    return cast("T", store[key])


_MEMO: tuple[tuple[weakref.ref[pl.DataFrame], ...], dict[str, object]] = ((), {})
