"""Stale-object checks: krbtgt and machine password ages, dormant and inactive accounts, obsolete systems.

Machine accounts change their password every 30 days by default (Netlogon
``MaximumPasswordAge``); a computer whose password is 45 days old has missed a rotation, and one
that has not logged on for 45 days is very likely gone. ANSSI uses these 45 and 90 day limits in
``vuln_password_change_*``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.common import finding_for
from hygie.engines.directory.checks.support import (
    DC_LIKE,
    LAST_LOGON,
    days_before,
    finding_with,
    require,
    with_evidence,
)
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


# -- machine accounts -------------------------------------------------------------------------

_COMPUTER = (pl.col("kind") == "Computer") & _ENABLED
_DC = _COMPUTER & DC_LIKE
_SERVER = _COMPUTER & ~DC_LIKE & pl.col("operating_system").str.contains("(?i)server")
_MACHINE_ROTATION_SLACK_DAYS = 45


def _password_older(days: int, now: datetime) -> pl.Expr:
    """True where pwdLastSet is a real date older than ``days`` (0 and -1 are "must change" and "never")."""
    return (pl.col("pwdlastset") > 0) & (pl.col("pwdlastset") < days_before(now, days))


def _inactive(days: int, now: datetime) -> pl.Expr:
    """No logon for ``days`` days: the last logon is older, or there is none and the object is older."""
    limit = days_before(now, days)
    never = (LAST_LOGON <= 0) & (pl.col("when_created") > 0) & (pl.col("when_created") < limit)
    return ((LAST_LOGON > 0) & (LAST_LOGON.lt(limit))) | never


@directory_check(
    "directory.dc_password_unchanged",
    title_en="Domain controllers whose machine password is unchanged for more than 45 days",
    title_fr="Contrôleurs de domaine dont le mot de passe de compte d'ordinateur est inchangé depuis plus de 45 jours",
    severity=Severity.HIGH,
    category=Category.STALE,
    anssi=("vuln_password_change_dc_no_change",),
    levels=(1,),
)
def dc_password_unchanged(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled DCs whose pwdLastSet is more than 45 days old: replication or the DC itself is broken."""
    dcs = require(snapshot.principals.filter(_DC), ("pwdlastset",), "pwdLastSet")
    offenders = dcs.filter(_password_older(_MACHINE_ROTATION_SLACK_DAYS, now))
    return finding_with("directory.dc_password_unchanged", offenders, ("pwdlastset",))


@directory_check(
    "directory.dc_inactive",
    title_en="Inactive domain controllers",
    title_fr="Contrôleurs de domaine inactifs",
    severity=Severity.HIGH,
    category=Category.STALE,
    anssi=("vuln_password_change_inactive_dc",),
    levels=(1,),
)
def dc_inactive(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled DCs without a logon for 45 days: a dead DC left in the directory keeps its secrets."""
    dcs = require(snapshot.principals.filter(_DC), ("lastlogon", "lastlogontimestamp"), "logon dates")
    offenders = dcs.filter(_inactive(_MACHINE_ROTATION_SLACK_DAYS, now))
    return finding_with("directory.dc_inactive", offenders, ("lastlogontimestamp",))


@directory_check(
    "directory.server_password_unchanged_90",
    title_en="Servers whose machine password is unchanged for more than 90 days",
    title_fr="Serveurs dont le mot de passe de compte d'ordinateur est inchangé depuis plus de 90 jours",
    severity=Severity.MEDIUM,
    category=Category.STALE,
    anssi=("vuln_password_change_server_no_change_90",),
    levels=(2,),
)
def server_password_unchanged_90(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled non-DC computers running a server OS, pwdLastSet older than 90 days."""
    servers = require(snapshot.principals.filter(_SERVER), ("pwdlastset",), "pwdLastSet")
    offenders = servers.filter(_password_older(90, now))
    return finding_with("directory.server_password_unchanged_90", offenders, ("pwdlastset",))


@directory_check(
    "directory.server_password_unchanged_45",
    title_en="Servers whose machine password is unchanged for more than 45 days",
    title_fr="Serveurs dont le mot de passe de compte d'ordinateur est inchangé depuis plus de 45 jours",
    severity=Severity.LOW,
    category=Category.STALE,
    anssi=("vuln_password_change_server_no_change_45",),
    levels=(3,),
)
def server_password_unchanged_45(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled non-DC computers running a server OS, pwdLastSet older than 45 days."""
    servers = require(snapshot.principals.filter(_SERVER), ("pwdlastset",), "pwdLastSet")
    offenders = servers.filter(_password_older(_MACHINE_ROTATION_SLACK_DAYS, now))
    return finding_with("directory.server_password_unchanged_45", offenders, ("pwdlastset",))


@directory_check(
    "directory.server_inactive",
    title_en="Inactive servers",
    title_fr="Serveurs inactifs",
    severity=Severity.LOW,
    category=Category.STALE,
    anssi=("vuln_password_change_inactive_servers",),
    levels=(3,),
)
def server_inactive(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled non-DC servers without a logon for 45 days (or never, and created more than 45 days ago)."""
    servers = require(snapshot.principals.filter(_SERVER), ("lastlogon", "lastlogontimestamp"), "logon dates")
    offenders = servers.filter(_inactive(_MACHINE_ROTATION_SLACK_DAYS, now))
    return finding_with("directory.server_inactive", offenders, ("lastlogontimestamp",))


@directory_check(
    "directory.msa_password_unchanged",
    title_en="Managed service accounts whose password is unchanged for more than 90 days",
    title_fr="Comptes de service managés dont le mot de passe est inchangé depuis plus de 90 jours",
    severity=Severity.MEDIUM,
    category=Category.STALE,
    anssi=("vuln_password_change_msa_no_change_90",),
    levels=(2,),
)
def msa_password_unchanged(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Managed service accounts (group or standalone, rotated every 30 days) with pwdLastSet over 90 days."""
    require(snapshot.principals, ("gmsa", "msa"), "the managed-service-account flags")
    managed = pl.col("gmsa").fill_null(value=False) | pl.col("msa").fill_null(value=False)
    offenders = snapshot.principals.filter(managed & _ENABLED & _password_older(90, now))
    return finding_with("directory.msa_password_unchanged", offenders, ("pwdlastset",))


#: An account created this many days ago and never used is forgotten, not new.
NEVER_USED_DAYS = 90


@directory_check(
    "directory.accounts_never_used",
    title_en="Enabled accounts never used, created more than 90 days ago",
    title_fr="Comptes actifs jamais utilisés, créés depuis plus de 90 jours",
    severity=Severity.LOW,
    category=Category.STALE,
)
def accounts_never_used(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled users that never logged on, created more than 90 days before ``now``.

    ANSSI counts them within ``vuln_user_accounts_dormant``, already reported by
    ``directory.dormant_accounts`` for accounts that did log on once; no id of its own here.
    """
    users = require(
        snapshot.principals.filter((pl.col("kind") == "User") & _ENABLED),
        ("lastlogon", "lastlogontimestamp"),
        "logon dates",
    )
    known = pl.col("lastlogon").is_not_null() | pl.col("lastlogontimestamp").is_not_null()
    created = (pl.col("when_created") > 0) & (pl.col("when_created") < days_before(now, NEVER_USED_DAYS))
    offenders = users.filter(known & (LAST_LOGON <= 0) & created)
    return finding_with("directory.accounts_never_used", offenders, ("when_created",))


# -- obsolete operating systems ----------------------------------------------------------------

#: (pattern of operatingSystem, end of Microsoft extended support), from Microsoft's lifecycle pages.
#: A system is obsolete once ``now`` is past its date, so the list stays right as time goes by.
#: Windows 10 long-term servicing editions (LTSB/LTSC) have later dates and are excluded below.
#: Paid Extended Security Updates do not show in the directory: such machines are still reported.
_END_OF_SUPPORT: tuple[tuple[str, str], ...] = (
    (r"windows (nt|2000)", "2010-07-13"),  # Windows 2000: 13 July 2010
    (r"windows xp", "2014-04-08"),  # Windows XP: 8 April 2014
    (r"server.*2003", "2015-07-14"),  # Windows Server 2003 / 2003 R2: 14 July 2015
    (r"windows vista", "2017-04-11"),  # Windows Vista: 11 April 2017
    (r"server.*2008", "2020-01-14"),  # Windows Server 2008 / 2008 R2: 14 January 2020
    (r"windows 7( |$)", "2020-01-14"),  # Windows 7: 14 January 2020
    (r"windows 8", "2023-01-10"),  # Windows 8.1: 10 January 2023 (Windows 8: 12 January 2016)
    (r"server.*2012", "2023-10-10"),  # Windows Server 2012 / 2012 R2: 10 October 2023
    (r"windows 10", "2025-10-14"),  # Windows 10 22H2 (non-LTSC editions): 14 October 2025
    (r"server.*2016", "2027-01-12"),  # Windows Server 2016: 12 January 2027
    (r"server.*2019", "2029-01-09"),  # Windows Server 2019: 9 January 2029
)


def obsolete_os(now: datetime) -> pl.Expr:
    """True where ``operating_system`` is a Windows release past its end of extended support at ``now``."""
    day = now.date().isoformat()
    patterns = [pattern for pattern, end in _END_OF_SUPPORT if end < day]
    if not patterns:
        return pl.lit(value=False)
    system = pl.col("operating_system").fill_null("")
    long_term = system.str.contains(r"(?i)windows 10.*\bLTS")
    return system.str.contains("(?i)" + "|".join(f"(?:{pattern})" for pattern in patterns)) & ~long_term


def _computers_with_os(snapshot: Snapshot) -> pl.DataFrame:
    computers = snapshot.principals.filter(_COMPUTER)
    return require(computers, ("operating_system",), "operating systems")


@directory_check(
    "directory.dc_obsolete_os",
    title_en="Domain controllers running an obsolete operating system",
    title_fr="DC/RODC ayant un système d'exploitation obsolète",
    severity=Severity.CRITICAL,
    category=Category.STALE,
    anssi=("vuln_dc_obsolete",),
    levels=(1,),
)
def dc_obsolete_os(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled DCs and RODCs whose Windows release is out of Microsoft support (2012 R2 and older today)."""
    offenders = _computers_with_os(snapshot).filter(DC_LIKE & obsolete_os(now))
    return finding_with("directory.dc_obsolete_os", offenders, ("operating_system",))


@directory_check(
    "directory.obsolete_os",
    title_en="Computers running an obsolete operating system",
    title_fr="Ordinateurs ayant un système d'exploitation obsolète",
    severity=Severity.HIGH,
    category=Category.STALE,
)
def obsolete_os_computers(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled non-DC computers on an unsupported Windows (biomedical devices on XP or 7, old servers).

    ANSSI only has a control for DCs (``vuln_dc_obsolete``); these get no ANSSI id.
    """
    computers = _computers_with_os(snapshot)
    offenders = computers.filter(~DC_LIKE & obsolete_os(now))
    return finding_with("directory.obsolete_os", offenders, ("operating_system",))


# -- LAPS ---------------------------------------------------------------------------------------

#: Below this share of workstations and member servers with LAPS, local administrator passwords
#: are shared across machines in practice (one cracked hash opens them all).
LAPS_MIN_COVERAGE = 0.95


@directory_check(
    "directory.laps_coverage",
    title_en="Computers without LAPS (coverage below 95 %)",
    title_fr="Ordinateurs sans LAPS (couverture inférieure à 95 %)",
    severity=Severity.MEDIUM,
    category=Category.STALE,
)
def laps_coverage(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled non-DC Windows computers without LAPS when their share is over 5 %; evidence has the figure.

    DCs have no local accounts and are left out. ANSSI has no control id for LAPS coverage.
    """
    windows = pl.col("operating_system").fill_null("Windows").str.contains("(?i)windows")
    computers = snapshot.principals.filter(_COMPUTER & ~DC_LIKE & windows)
    computers = require(computers, ("haslaps", "laps_expiration"), "the LAPS attributes")
    covered = pl.col("haslaps").fill_null(value=False) | pl.col("laps_expiration").is_not_null()
    without = computers.filter(~covered)
    coverage = 1.0 - without.height / computers.height if computers.height else 1.0
    if coverage >= LAPS_MIN_COVERAGE:
        return []
    findings = finding_for("directory.laps_coverage", without)
    return with_evidence(findings, computers=computers.height, coverage_percent=round(100 * coverage, 1))


@directory_check(
    "directory.laps_password_expired",
    title_en="Computers whose LAPS password has expired",
    title_fr="Ordinateurs dont le mot de passe LAPS a expiré",
    severity=Severity.LOW,
    category=Category.STALE,
)
def laps_password_expired(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled computers whose LAPS expiry is past: the client no longer rotates the password.

    A day of slack: the client renews at its next policy refresh. No ANSSI id.
    """
    computers = require(snapshot.principals.filter(_COMPUTER), ("laps_expiration",), "LAPS expiry dates")
    offenders = computers.filter((pl.col("laps_expiration") > 0) & (pl.col("laps_expiration") < days_before(now, 1)))
    return finding_with("directory.laps_password_expired", offenders, ("laps_expiration",))
