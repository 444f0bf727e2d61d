"""What every check family shares: the privileged-principal selection and finding construction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import AffectedObject, Finding
from hygie.engines.directory.registry import CHECKS

if TYPE_CHECKING:
    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["TIER0_RIDS", "finding_for", "privileged_principals"]

#: Well-known RIDs of Tier-0 groups: Domain Admins, Domain Controllers, Schema Admins, Enterprise
#: Admins, Administrators, Server/Account/Backup Operators.
TIER0_RIDS: tuple[str, ...] = ("512", "516", "518", "519", "544", "548", "549", "551")


def privileged_principals(snapshot: Snapshot) -> pl.DataFrame:
    """Principals with adminCount set or a direct MemberOf edge to a Tier-0 group."""
    principals = snapshot.principals
    rid = pl.col("object_id").str.extract(r"-(\d+)$", 1)
    tier0 = principals.filter((pl.col("kind") == "Group") & rid.is_in(list(TIER0_RIDS))).select("object_id")
    members = snapshot.edges.filter(pl.col("kind") == "MemberOf").join(
        tier0, left_on="target", right_on="object_id", how="semi"
    )
    return principals.filter(
        pl.col("admincount").fill_null(value=False) | pl.col("object_id").is_in(members["source"].implode())
    )


def finding_for(check_id: str, offenders: pl.DataFrame) -> list[Finding]:
    """One finding naming every offending object, or none when nothing offends.

    Title, severity and references come from the check's registration, so they are written once.
    """
    if offenders.is_empty():
        return []
    affected = tuple(
        AffectedObject(
            kind=str(row["kind"] or "object"), name=str(row["name"] or ""), identifier=str(row["object_id"] or "")
        )
        for row in offenders.select("kind", "name", "object_id").iter_rows(named=True)
    )
    spec = CHECKS[check_id]
    return [
        Finding(
            check_id=check_id,
            title=spec.title_en,
            severity=spec.severity,
            references=spec.references,
            affected=affected,
            evidence={"count": offenders.height},
        )
    ]
