"""What every check family shares: the privileged-principal selection and finding construction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from hygie.engines._core import AffectedObject, Finding
from hygie.engines.directory.registry import CHECKS
from hygie.engines.directory.tier0 import tier0_principals

if TYPE_CHECKING:
    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["TIER0_RIDS", "finding_for", "privileged_principals", "registered_finding"]

#: Well-known RIDs of Tier-0 groups: Domain Admins, Domain Controllers, Schema Admins, Enterprise
#: Admins, Administrators, Server/Account/Backup Operators (kept for callers; ``tier0`` has the full list).
TIER0_RIDS: tuple[str, ...] = ("512", "516", "518", "519", "544", "548", "549", "551")


def privileged_principals(snapshot: Snapshot) -> pl.DataFrame:
    """Principals with adminCount set or in the Tier-0 set (nested group membership included).

    The Tier-0 set is :func:`hygie.engines.directory.tier0.tier0_principals`: transitive members of
    the Tier-0 groups, those groups, domain controllers, krbtgt and built-in Administrator accounts.
    """
    principals = snapshot.principals
    tier0 = tier0_principals(snapshot).get_column("object_id")
    return principals.filter(pl.col("admincount").fill_null(value=False) | pl.col("object_id").is_in(tier0.implode()))


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
    return [registered_finding(check_id, affected, {"count": offenders.height})]


def registered_finding(check_id: str, affected: tuple[AffectedObject, ...], evidence: dict[str, Any]) -> Finding:
    """A finding of ``check_id`` with the title, severity and references of its registration."""
    spec = CHECKS[check_id]
    return Finding(
        check_id=check_id,
        title=spec.title_en,
        severity=spec.severity,
        references=spec.references,
        affected=affected,
        evidence=evidence,
    )
