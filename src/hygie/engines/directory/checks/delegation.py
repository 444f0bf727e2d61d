"""Kerberos delegation checks: constrained, protocol-transition and resource-based delegation to Tier 0.

Unconstrained delegation on non-DC accounts is ``directory.unconstrained_delegation`` (stale.py);
the checks here cover what it does not: delegation *to* Tier-0 services, RBCD, users and krbtgt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import acl_finding, rid_is, tier0_ids, tier0_targets
from hygie.engines.directory.checks.common import finding_for
from hygie.engines.directory.registry import Category, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_ENABLED = pl.col("enabled").fill_null(value=False)


def _tier0_computers(snapshot: Snapshot) -> pl.DataFrame:
    """Tier-0 computers (DCs, CA hosts, members of Tier-0 groups): ``object_id``, ``host`` (lower case).

    Each computer appears under its fully qualified name and under its short name: SharpHound
    names computers by FQDN, LDAP by their ``name`` (short), to which the domain is appended.
    """
    tier0 = tier0_targets(snapshot).filter(pl.col("kind") == "Computer")
    computers = snapshot.principals.join(tier0, on="object_id", how="semi")
    name = pl.col("name").str.to_lowercase()
    fqdn = (
        pl.when(name.str.contains(".", literal=True))
        .then(name)
        .otherwise(pl.concat_str(name, pl.lit("."), pl.col("domain").str.to_lowercase()))
    )
    short = name.str.split(".").list.first()
    return pl.concat(
        [computers.select("object_id", fqdn.alias("host")), computers.select("object_id", short.alias("host"))]
    ).drop_nulls()


def _delegations_to_tier0(snapshot: Snapshot) -> pl.DataFrame:
    """(``source``, ``kind``, ``target``) rows: a non-Tier-0 enabled account allowed to delegate to a Tier-0 computer.

    Read from the AllowedToDelegate edges and from the host part of the msDS-AllowedToDelegateTo
    SPNs (``service/host[:port][/service-name]``), matched whole: a fully qualified host against
    fully qualified names, a short host against short names.
    """
    tier0_hosts = _tier0_computers(snapshot)
    edges = snapshot.edges.filter(pl.col("kind") == "AllowedToDelegate").select("source", "target")
    from_edges = edges.join(
        tier0_hosts.select("object_id").unique(), left_on="target", right_on="object_id", how="semi"
    )
    spns = (
        snapshot.principals.select(pl.col("object_id").alias("source"), "allowed_to_delegate")
        .explode("allowed_to_delegate", empty_as_null=False, keep_nulls=False)
        .drop_nulls()
        .with_columns(pl.col("allowed_to_delegate").str.extract(r"^[^/]+/([^/:]+)", 1).str.to_lowercase().alias("host"))
    )
    from_spns = spns.join(tier0_hosts, on="host").select("source", pl.col("object_id").alias("target"))
    rows = pl.concat([from_edges, from_spns]).unique()
    accounts = snapshot.principals.filter(_ENABLED).select("object_id", "trustedtoauth")
    return (
        rows.join(accounts, left_on="source", right_on="object_id")
        .join(tier0_ids(snapshot), left_on="source", right_on="object_id", how="anti")
        .with_columns(pl.lit("AllowedToDelegate").alias("kind"))
    )


@directory_check(
    "directory.constrained_delegation_to_tier0",
    title_en="Constrained delegation to a privileged service",
    title_fr="Délégation d'authentification contrainte vers un service privilégié",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_delegation_a2d2",),
    levels=(1,),
)
def constrained_delegation_to_tier0(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Non-Tier-0 accounts (Kerberos-only) allowed to delegate to a service of a DC or Tier-0 computer.

    Whoever controls the account impersonates any user who authenticates to it on that service.
    """
    rows = _delegations_to_tier0(snapshot).filter(~pl.col("trustedtoauth").fill_null(value=False))
    return acl_finding("directory.constrained_delegation_to_tier0", snapshot, rows)


@directory_check(
    "directory.protocol_transition_to_tier0",
    title_en="Constrained delegation with protocol transition to a privileged service",
    title_fr="Délégation contrainte avec transition de protocole vers un service privilégié",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_delegation_t2a4d",),
    levels=(1,),
)
def protocol_transition_to_tier0(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Non-Tier-0 accounts with TRUSTED_TO_AUTH_FOR_DELEGATION allowed to delegate to a Tier-0 computer.

    With protocol transition the account obtains a ticket for any user, a domain admin included,
    without that user ever connecting: control of the account is control of the DC.
    """
    rows = _delegations_to_tier0(snapshot).filter(pl.col("trustedtoauth").fill_null(value=False))
    return acl_finding("directory.protocol_transition_to_tier0", snapshot, rows)


def _rbcd(snapshot: Snapshot) -> pl.DataFrame:
    """AllowedToAct edges (actor -> computer) whose actor is outside Tier 0."""
    edges = snapshot.edges.filter(pl.col("kind") == "AllowedToAct").select("source", "kind", "target")
    return edges.join(tier0_ids(snapshot), left_on="source", right_on="object_id", how="anti")


@directory_check(
    "directory.rbcd_to_tier0",
    title_en="Resource-based constrained delegation to privileged services",
    title_fr="Délégation contrainte basée sur la ressource vers des services privilégiés",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_delegation_sourcedeleg",),
    levels=(1,),
)
def rbcd_to_tier0(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Non-Tier-0 principals in the msDS-AllowedToActOnBehalfOfOtherIdentity of a Tier-0 computer (DC, CA host)."""
    tier0 = tier0_targets(snapshot).select("object_id")
    rows = _rbcd(snapshot).join(tier0, left_on="target", right_on="object_id", how="semi")
    return acl_finding("directory.rbcd_to_tier0", snapshot, rows)


@directory_check(
    "directory.rbcd_configured",
    title_en="Resource-based constrained delegation configured on computers",
    title_fr="Délégation contrainte basée sur la ressource configurée sur des ordinateurs",
    severity=Severity.LOW,
    category=Category.ANOMALIES,
)
def rbcd_configured(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Non-Tier-0 actors allowed to act on behalf of users on a computer outside Tier 0.

    Often legitimate (a web front-end for its back-end), but also the classic persistence and
    lateral-movement trick: every such pair deserves review. No ANSSI control id.
    """
    tier0 = tier0_targets(snapshot).select("object_id")
    rows = _rbcd(snapshot).join(tier0, left_on="target", right_on="object_id", how="anti")
    return acl_finding("directory.rbcd_configured", snapshot, rows)


@directory_check(
    "directory.user_unconstrained_delegation",
    title_en="User accounts trusted for unconstrained delegation",
    title_fr="Comptes utilisateurs avec délégation d'authentification non contrainte",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_delegation_t4d",),
    levels=(1,),
)
def user_unconstrained_delegation(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled users (service accounts) with TRUSTED_FOR_DELEGATION.

    A subset of ``directory.unconstrained_delegation`` reported apart because it is almost never
    intended: a user account cannot be a domain controller, and its password is often weak.
    """
    offenders = snapshot.principals.filter(
        (pl.col("kind") == "User") & _ENABLED & pl.col("unconstraineddelegation").fill_null(value=False)
    )
    return finding_for("directory.user_unconstrained_delegation", offenders)


@directory_check(
    "directory.krbtgt_delegation",
    title_en="Delegation configured on the krbtgt account",
    title_fr="Délégation configurée sur le compte krbtgt",
    severity=Severity.CRITICAL,
    category=Category.ANOMALIES,
)
def krbtgt_delegation(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Krbtgt accounts (RID 502) with any delegation setting or an RBCD actor.

    Nothing legitimate sets delegation on krbtgt; an RBCD entry on it is a known persistence
    technique (a service ticket for krbtgt is a TGT). No ANSSI control id.
    """
    krbtgt = snapshot.principals.filter((pl.col("kind") == "User") & rid_is(("502",)))
    actors = snapshot.edges.filter(pl.col("kind") == "AllowedToAct").select(pl.col("target").alias("object_id"))
    offenders = krbtgt.filter(
        pl.col("unconstraineddelegation").fill_null(value=False)
        | pl.col("trustedtoauth").fill_null(value=False)
        | (pl.col("allowed_to_delegate").list.len().fill_null(0) > 0)
        | pl.col("object_id").is_in(actors["object_id"].implode())
    )
    return finding_for("directory.krbtgt_delegation", offenders)
