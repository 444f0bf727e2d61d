"""Stale-object and anomaly checks: krbtgt age, dormant accounts, delegation, SID history."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.common import finding_for
from hygie.engines.directory.registry import Category, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_DAY_S = 86400
_ENABLED = pl.col("enabled").fill_null(value=False)


@directory_check(
    "directory.krbtgt_password_old",
    title_en="krbtgt password unchanged for more than a year",
    title_fr="Mot de passe du compte krbtgt inchangé depuis plus d'un an",
    severity=Severity.HIGH,
    category=Category.STALE,
    anssi=("vuln_krbtgt",),
    levels=(2,),
)
def krbtgt_password_old(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Krbtgt accounts (RID 502) whose pwdLastSet is more than 365 days before ``now``."""
    limit = int(now.timestamp()) - 365 * _DAY_S
    offenders = snapshot.principals.filter(
        pl.col("object_id").str.ends_with("-502") & (pl.col("pwdlastset") > 0) & (pl.col("pwdlastset") < limit)
    )
    return finding_for("directory.krbtgt_password_old", offenders)


@directory_check(
    "directory.dormant_accounts",
    title_en="Enabled accounts unused for more than 180 days",
    title_fr="Comptes actifs inutilisés depuis plus de 180 jours",
    severity=Severity.MEDIUM,
    category=Category.STALE,
    anssi=("vuln_user_accounts_dormant",),
    levels=(1,),
)
def dormant_accounts(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled users and computers whose last logon (replicated or not) is older than 180 days."""
    limit = int(now.timestamp()) - 180 * _DAY_S
    last = pl.max_horizontal(pl.col("lastlogon").fill_null(0), pl.col("lastlogontimestamp").fill_null(0))
    offenders = snapshot.principals.filter(
        pl.col("kind").is_in(["User", "Computer"]) & _ENABLED & (last > 0) & (last < limit)
    )
    return finding_for("directory.dormant_accounts", offenders)


@directory_check(
    "directory.unconstrained_delegation",
    title_en="Non-DC accounts trusted for unconstrained delegation",
    title_fr="Délégation d'authentification non contrainte sur des comptes autres que les DC",
    severity=Severity.CRITICAL,
    category=Category.ANOMALIES,
    anssi=("vuln_delegation_t4d",),
    levels=(1,),
)
def unconstrained_delegation(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled users or computers, domain controllers excepted, with TRUSTED_FOR_DELEGATION."""
    offenders = snapshot.principals.filter(
        _ENABLED & pl.col("unconstraineddelegation").fill_null(value=False) & ~pl.col("is_dc").fill_null(value=False)
    )
    return finding_for("directory.unconstrained_delegation", offenders)


@directory_check(
    "directory.sid_history",
    title_en="Accounts or groups with a SID history",
    title_fr="Comptes ou groupes ayant un historique de SID",
    severity=Severity.MEDIUM,
    category=Category.ANOMALIES,
    anssi=("vuln_sidhistory_present",),
    levels=(3,),
)
def sid_history(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Principals carrying sIDHistory values."""
    offenders = snapshot.principals.filter(pl.col("sidhistory").list.len().fill_null(0) > 0)
    return finding_for("directory.sid_history", offenders)
