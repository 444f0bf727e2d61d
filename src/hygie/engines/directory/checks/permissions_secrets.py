"""Rights that read secrets: DCSync on a domain, LAPS passwords, gMSA passwords."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import (
    ace_edges,
    acl_finding,
    broad_principal,
    is_well_known,
    nested_memberships,
    object_index,
    rid_is,
    tier0_ids,
    tier0_targets,
)
from hygie.engines.directory.registry import Category, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_REPLICATION = ("GetChanges", "GetChangesAll", "DCSync")
# GetChanges counts 1, GetChangesAll 2, DCSync (both at once) 3: holding both sums to 3 or more.
_BOTH = 3


def _default_replicators() -> pl.Expr:
    r"""Holders of the replication rights by design: DCs' groups, Administrators, Enterprise DCs.

    Domain Controllers (516), Enterprise Read-only DCs (498, GetChanges only), Read-only DCs (521),
    Builtin\\Administrators (S-1-5-32-544) and Enterprise Domain Controllers (S-1-5-9).
    """
    return rid_is(("498", "516", "521"), "source") | is_well_known(("S-1-5-32-544", "S-1-5-9"), "source")


@directory_check(
    "directory.dcsync_rights",
    title_en="Non-default accounts with DCSync rights",
    title_fr="Comptes non standards disposant des droits DCSync",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_naming_context",),
    levels=(1, 2),
)
def dcsync_rights(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Principals other than DCs, Administrators and Enterprise DCs holding both replication rights on a domain.

    Replicating Directory Changes and Changes All together read every password hash (krbtgt
    included). Both rights are combined through group membership: a right held by a group is
    held by its nested members, so a member of one group holding GetChanges and of another
    holding GetChangesAll is named. A group holding both is named once, not with each member.
    """
    domains = snapshot.domains.select("object_id")
    dcs = snapshot.principals.filter(pl.col("is_dc").fill_null(value=False))
    direct = (
        ace_edges(snapshot, _REPLICATION)
        .join(domains, left_on="target", right_on="object_id", how="semi")
        .filter(~_default_replicators() & ~is_well_known(("S-1-5-10",), "source"))
        .join(dcs, left_on="source", right_on="object_id", how="anti")
        .with_columns(pl.lit(None, dtype=pl.String()).alias("via"))
    )
    holders = direct.select(pl.col("source").alias("object_id")).unique()
    inherited = (
        nested_memberships(snapshot, holders)
        .filter(pl.col("group") != pl.col("member"))
        .join(direct.drop("via"), left_on="group", right_on="source")
        .select(pl.col("member").alias("source"), "kind", "target", pl.col("group").alias("via"))
    )
    bit = pl.when(pl.col("kind") == "DCSync").then(_BOTH).when(pl.col("kind") == "GetChanges").then(1).otherwise(2)
    effective = pl.concat([direct, inherited]).with_columns(bit.alias("bit"))
    full = (
        effective.group_by("source", "target")
        .agg(pl.col("bit").unique().sum().alias("bits"))
        .filter(pl.col("bits") >= _BOTH)
        .select("source", "target")
    )
    # A member of a group that can DCSync by itself is reported through that group only.
    covered = (
        nested_memberships(snapshot, full.select(pl.col("source").alias("object_id")).unique())
        .filter(pl.col("group") != pl.col("member"))
        .join(full, left_on="group", right_on="source")
        .select(pl.col("member").alias("source"), "target")
    )
    reported = full.join(covered, on=["source", "target"], how="anti")
    names = object_index(snapshot).select(pl.col("object_id").alias("via"), pl.col("name").alias("via_name"))
    rows = (
        effective.join(reported, on=["source", "target"], how="semi")
        .join(names, on="via", how="left")
        .with_columns(
            pl.when(pl.col("via").is_null())
            .then(pl.col("kind"))
            .otherwise(pl.format("{} (through {})", "kind", pl.coalesce("via_name", "via")))
            .alias("kind")
        )
    )
    return acl_finding("directory.dcsync_rights", snapshot, rows)


@directory_check(
    "directory.laps_readable_by_everyone",
    title_en="LAPS passwords readable by every user",
    title_fr="Mots de passe LAPS lisibles par tous les utilisateurs",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
)
def laps_readable_by_everyone(snapshot: Snapshot, now: datetime) -> list[Finding]:
    r"""ReadLAPSPassword, or All Extended Rights / GenericAll on a LAPS computer, granted to a broad group.

    Broad groups: Everyone, Anonymous, Authenticated Users, Builtin\\Users, Domain Users, Domain
    Computers. No ANSSI control id (ANSSI audits LAPS coverage, not its ACL).
    """
    laps = snapshot.principals.filter(pl.col("haslaps").fill_null(value=False)).select("object_id")
    read = ace_edges(snapshot, ("ReadLAPSPassword",))
    implied = ace_edges(snapshot, ("AllExtendedRights", "GenericAll")).join(
        laps, left_on="target", right_on="object_id", how="semi"
    )
    rows = pl.concat([read, implied]).filter(broad_principal("source"))
    return acl_finding("directory.laps_readable_by_everyone", snapshot, rows)


@directory_check(
    "directory.gmsa_password_readable",
    title_en="Passwords of privileged gMSAs readable outside Tier 0",
    title_fr="Mots de passe de gMSA privilégiés lisibles hors du Tier 0",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_gmsa_keys",),
    levels=(1, 2),
)
def gmsa_password_readable(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """ReadGMSAPassword on a Tier-0 group managed service account granted to a principal outside Tier 0."""
    rows = (
        ace_edges(snapshot, ("ReadGMSAPassword",))
        .join(tier0_targets(snapshot), left_on="target", right_on="object_id", how="semi")
        .join(tier0_ids(snapshot), left_on="source", right_on="object_id", how="anti")
    )
    return acl_finding("directory.gmsa_password_readable", snapshot, rows)
