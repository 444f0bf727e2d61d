"""Privileged-account checks: Tier-0 principals exposed to offline cracking or delegation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.common import finding_for, privileged_principals
from hygie.engines.directory.registry import Category, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_ENABLED_USERS = (pl.col("kind") == "User") & pl.col("enabled").fill_null(value=False)
_THREE_YEARS_S = 3 * 365 * 86400


@directory_check(
    "directory.privileged_kerberoastable",
    title_en="Privileged accounts with an SPN (kerberoastable)",
    title_fr="Comptes privilégiés avec SPN (kerberoastables)",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_spn_priv",),
    levels=(1,),
)
def privileged_kerberoastable(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with an SPN: any domain user can request and crack their ticket."""
    offenders = privileged_principals(snapshot).filter(_ENABLED_USERS & pl.col("has_spn").fill_null(value=False))
    return finding_for("directory.privileged_kerberoastable", offenders)


@directory_check(
    "directory.privileged_asrep_roastable",
    title_en="Privileged accounts without Kerberos pre-authentication",
    title_fr="Comptes privilégiés sans préauthentification Kerberos",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_kerberos_properties_preauth_priv",),
    levels=(1,),
)
def privileged_asrep_roastable(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with DONT_REQ_PREAUTH: AS-REP roastable without any credential."""
    offenders = privileged_principals(snapshot).filter(_ENABLED_USERS & pl.col("dontreqpreauth").fill_null(value=False))
    return finding_for("directory.privileged_asrep_roastable", offenders)


@directory_check(
    "directory.privileged_password_never_expires",
    title_en="Privileged accounts whose password never expires",
    title_fr="Comptes privilégiés dont le mot de passe n'expire jamais",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_dont_expire_priv",),
    levels=(1,),
)
def privileged_password_never_expires(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with DONT_EXPIRE_PASSWORD."""
    offenders = privileged_principals(snapshot).filter(
        _ENABLED_USERS & pl.col("pwdneverexpires").fill_null(value=False)
    )
    return finding_for("directory.privileged_password_never_expires", offenders)


@directory_check(
    "directory.privileged_password_old",
    title_en="Privileged accounts with a password older than 3 years",
    title_fr="Comptes privilégiés dont le mot de passe est inchangé depuis plus de 3 ans",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_password_change_priv",),
    levels=(1,),
)
def privileged_password_old(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users whose pwdLastSet is a real date more than three years before ``now``."""
    limit = int(now.timestamp()) - _THREE_YEARS_S
    # 0 and -1 are SharpHound's "must change" and "never": no date to age, other checks cover them.
    offenders = privileged_principals(snapshot).filter(
        _ENABLED_USERS & (pl.col("pwdlastset") > 0) & (pl.col("pwdlastset") < limit)
    )
    return finding_for("directory.privileged_password_old", offenders)
