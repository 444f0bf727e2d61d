"""Build small snapshots for check tests: a principal row with sensible defaults, a MemberOf edge."""

from __future__ import annotations

from typing import Any

import polars as pl

from hygie.engines.directory.schema import SCHEMAS
from hygie.engines.directory.snapshot import Snapshot

DOMAIN_SID = "S-1-5-21-1-2-3"


def principal(rid: int, **values: Any) -> dict[str, Any]:
    """A principal row of the snapshot schema: an enabled user unless ``values`` says otherwise."""
    row: dict[str, Any] = dict.fromkeys(SCHEMAS["principals"])
    row.update(
        object_id=f"{DOMAIN_SID}-{rid}",
        name=f"P{rid}@LAB.LOCAL",
        kind="User",
        enabled=True,
        admincount=False,
        has_spn=False,
        spns=[],
        sidhistory=[],
        allowed_to_delegate=[],
    )
    row.update(values)
    return row


def snapshot(rows: list[dict[str, Any]], member_of: list[tuple[int, int]] = ()) -> Snapshot:  # type: ignore[assignment]
    """A snapshot with ``rows`` as principals and (member RID, group RID) MemberOf edges."""
    edges = pl.DataFrame(
        [
            {
                "source": f"{DOMAIN_SID}-{m}",
                "target": f"{DOMAIN_SID}-{g}",
                "kind": "MemberOf",
                "is_inherited": None,
                "enforced": None,
            }
            for m, g in member_of
        ],
        schema=SCHEMAS["edges"],
    )
    return Snapshot(principals=pl.DataFrame(rows, schema=SCHEMAS["principals"]), edges=edges)


def row(table: str, **values: Any) -> dict[str, Any]:
    """A row of snapshot ``table``: every column null unless ``values`` sets it."""
    filled: dict[str, Any] = dict.fromkeys(SCHEMAS[table])
    filled.update(values)
    return filled


def edge(source: str, target: str, kind: str) -> dict[str, Any]:
    """An edge row between two object ids."""
    return row("edges", source=source, target=target, kind=kind)


def snapshot_of(**tables: list[dict[str, Any]]) -> Snapshot:
    """A snapshot whose tables named in ``tables`` hold those rows (see :func:`row`), the others empty."""
    frames: dict[str, Any] = {name: pl.DataFrame(rows, schema=SCHEMAS[name]) for name, rows in tables.items()}
    return Snapshot(**frames)
