"""Privileged-account checks: Tier-0 principals exposed to offline cracking or delegation."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import nested_members, nested_memberships, per_snapshot, rid_is
from hygie.engines.directory.checks.common import finding_for, privileged_principals
from hygie.engines.directory.registry import Category, NotEvaluatedError, directory_check
from hygie.engines.directory.tier0 import tier0_principals

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
    offenders = _privileged_users(snapshot).filter(pl.col("has_spn").fill_null(value=False))
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
    offenders = _privileged_users(snapshot).filter(pl.col("dontreqpreauth").fill_null(value=False))
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
    offenders = _privileged_users(snapshot).filter(pl.col("pwdneverexpires").fill_null(value=False))
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
    offenders = _privileged_users(snapshot).filter((pl.col("pwdlastset") > 0) & (pl.col("pwdlastset") < limit))
    return finding_for("directory.privileged_password_old", offenders)


def _require(frame: pl.DataFrame, column: str, what: str) -> pl.DataFrame:
    """``frame`` unchanged, or ``NotEvaluatedError`` when ``column`` is null on every one of its rows.

    An empty ``frame`` (no privileged account at all) is evaluated: there is nothing to claim.
    """
    if frame.height and frame[column].null_count() == frame.height:
        msg = f"the collection does not carry {what}"
        raise NotEvaluatedError(msg)
    return frame


def _privileged_users(snapshot: Snapshot) -> pl.DataFrame:
    """Enabled privileged user accounts (adminCount or Tier 0), computed once per snapshot."""
    return per_snapshot(snapshot, "privileged_principals", privileged_principals).filter(_ENABLED_USERS)


# Tier-0 principals that are so by role, not by membership of a Tier-0 group.
_ROLES = ("domain controller", "krbtgt account", "built-in Administrator")


def _privileged_members(snapshot: Snapshot) -> pl.DataFrame:
    """Direct or nested members of the Tier-0 groups (not the well-known groups themselves)."""
    members = per_snapshot(snapshot, "tier0_principals", tier0_principals).filter(
        ~pl.col("via").is_in(_ROLES) & ~pl.col("via").str.starts_with("well-known Tier-0 group")
    )
    return snapshot.principals.join(members, on="object_id", how="semi")


@directory_check(
    "directory.privileged_not_protected_users",
    title_en="Privileged accounts outside the Protected Users group",
    title_fr="Comptes privilégiés non membres du groupe Protected Users",
    severity=Severity.MEDIUM,
    category=Category.PRIVILEGED,
    anssi=("vuln_protected_users",),
    levels=(3,),
)
def privileged_not_protected_users(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users that are not direct or nested members of Protected Users (RID 525).

    Built-in Administrator (RID 500) is kept: ANSSI asks for it too, once it is no longer used daily.
    """
    protected_users = snapshot.principals.filter((pl.col("kind") == "Group") & rid_is(("525",)))
    members = nested_members(snapshot, protected_users)
    offenders = _privileged_users(snapshot).join(members, on="object_id", how="anti")
    return finding_for("directory.privileged_not_protected_users", offenders)


@directory_check(
    "directory.privileged_delegable",
    title_en="Privileged accounts that can be delegated",
    title_fr="Comptes privilégiés dont l'authentification peut être déléguée",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
)
def privileged_delegable(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users without "account is sensitive and cannot be delegated".

    ANSSI has no control of its own for this (it is part of the Protected Users advice), so no id.
    A null flag means the collector did not read it: such accounts are not claimed.
    """
    users = _require(_privileged_users(snapshot), "sensitive", "the NOT_DELEGATED flag")
    offenders = users.filter(pl.col("sensitive").not_())
    return finding_for("directory.privileged_delegable", offenders)


@directory_check(
    "directory.privileged_members_no_admincount",
    title_en="Members of privileged groups with an empty adminCount",
    title_fr="Membres de groupes privilégiés dont l'attribut adminCount est vide ou nul",
    severity=Severity.MEDIUM,
    category=Category.PRIVILEGED,
    anssi=("vuln_privileged_members_no_admincount",),
    levels=(2,),
)
def privileged_members_no_admincount(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Users and groups in a Tier-0 group whose adminCount is empty or 0 (SDProp has not protected them).

    Computers are left out: domain controllers are members of Domain Controllers without adminCount.
    """
    members = _require(_privileged_members(snapshot), "admincount", "adminCount")
    offenders = members.filter(pl.col("kind").is_in(["User", "Group"]) & ~pl.col("admincount").fill_null(value=False))
    return finding_for("directory.privileged_members_no_admincount", offenders)


#: More enabled privileged users than this in one domain is "too many" (PingCastle and ANSSI both
#: treat a few dozen administrators as the sign of unmanaged rights).
MAX_PRIVILEGED_USERS = 50
#: More enabled users than this in Domain Admins (direct or nested) is "too many".
MAX_DOMAIN_ADMINS = 10


@directory_check(
    "directory.privileged_members_too_many",
    title_en="Too many members in privileged groups",
    title_fr="Nombre important de membres des groupes privilégiés",
    severity=Severity.MEDIUM,
    category=Category.PRIVILEGED,
    anssi=("vuln_privileged_members",),
    levels=(1, 2),
)
def privileged_members_too_many(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains with more than 50 enabled privileged users, Domain Admins groups with more than 10.

    The finding names the domains' Domain Admins groups; evidence gives the counts per group.
    """
    users = _privileged_users(snapshot)
    per_domain = users.group_by("domain_sid").agg(pl.len().alias("privileged"))
    domain_admins = snapshot.principals.filter((pl.col("kind") == "Group") & rid_is(("512",)))
    enabled_users = snapshot.principals.filter(_ENABLED_USERS).select(pl.col("object_id").alias("member"))
    admins = (
        nested_memberships(snapshot, domain_admins)
        .join(enabled_users, on="member", how="semi")
        .group_by("group")
        .agg(pl.len().alias("domain_admins"))
    )
    counts = (
        domain_admins.join(admins, left_on="object_id", right_on="group", how="left")
        .join(per_domain, on="domain_sid", how="left")
        .with_columns(pl.col("privileged").fill_null(0), pl.col("domain_admins").fill_null(0))
    )
    offenders = counts.filter(
        (pl.col("privileged") > MAX_PRIVILEGED_USERS) | (pl.col("domain_admins") > MAX_DOMAIN_ADMINS)
    )
    groups = offenders.select("name", "domain_admins", "privileged").to_dicts()
    return [
        replace(finding, evidence={**finding.evidence, "groups": groups})
        for finding in finding_for("directory.privileged_members_too_many", offenders)
    ]


@directory_check(
    "directory.privileged_reversible_password",
    title_en="Privileged accounts with a reversibly encrypted password",
    title_fr="Comptes privilégiés ayant leur mot de passe stocké de manière réversible",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_reversible_password_priv_uac",),
    levels=(3,),
)
def privileged_reversible_password(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with ENCRYPTED_TEXT_PWD_ALLOWED (the password is recoverable from the DC)."""
    users = _require(_privileged_users(snapshot), "reversible_encryption", "userAccountControl")
    return finding_for("directory.privileged_reversible_password", users.filter(pl.col("reversible_encryption")))


@directory_check(
    "directory.privileged_password_not_required",
    title_en="Privileged accounts allowed an empty password",
    title_fr="Comptes privilégiés pouvant avoir un mot de passe vide",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_privileged_members_password",),
    levels=(2,),
)
def privileged_password_not_required(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with PASSWD_NOTREQD: the password policy does not apply to them."""
    users = _require(_privileged_users(snapshot), "passwordnotreqd", "the PASSWD_NOTREQD flag")
    return finding_for("directory.privileged_password_not_required", users.filter(pl.col("passwordnotreqd")))


#: The built-in Administrator should be a break-glass account: a logon within this many days is use.
ADMIN_RECENT_DAYS = 35


@directory_check(
    "directory.builtin_admin_used",
    title_en="Built-in Administrator account used recently",
    title_fr="Compte Administrateur intégré utilisé récemment",
    severity=Severity.MEDIUM,
    category=Category.PRIVILEGED,
)
def builtin_admin_used(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled RID-500 accounts whose last logon is less than 35 days before ``now``.

    The account cannot be locked out and is the first one attackers try; ANSSI and PingCastle
    advise personal admin accounts and keeping RID 500 for emergencies (no ANSSI control id).
    """
    limit = int(now.timestamp()) - ADMIN_RECENT_DAYS * 86400
    admins = _require(
        snapshot.principals.filter(_ENABLED_USERS & rid_is(("500",))), "lastlogontimestamp", "logon dates"
    )
    last = pl.max_horizontal(pl.col("lastlogon").fill_null(0), pl.col("lastlogontimestamp").fill_null(0))
    return finding_for("directory.builtin_admin_used", admins.filter(last >= limit))


# msDS-SupportedEncryptionTypes bits: DES-CBC-CRC 0x1, DES-CBC-MD5 0x2, RC4 0x4, AES128 0x8, AES256 0x10.
_DES_BITS = 0x3
_AES_BITS = 0x18


@directory_check(
    "directory.privileged_spn_weak_encryption",
    title_en="Privileged service accounts without AES Kerberos encryption",
    title_fr="Comptes de service privilégiés sans chiffrement Kerberos AES",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_kerberos_properties_encryption",),
    levels=(3,),
)
def privileged_spn_weak_encryption(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with an SPN whose encryption types allow DES or lack AES.

    An unset attribute means the domain default, RC4: the ticket is cracked offline much faster.
    """
    if snapshot.principals["supported_encryption_types"].null_count() == snapshot.principals.height:
        msg = "the collection does not carry msDS-SupportedEncryptionTypes"
        raise NotEvaluatedError(msg)
    types = pl.col("supported_encryption_types").fill_null(0)
    offenders = _privileged_users(snapshot).filter(
        pl.col("has_spn").fill_null(value=False)
        & (((types & _DES_BITS) != 0) | ((types & _AES_BITS) == 0) | pl.col("use_des_key_only").fill_null(value=False))
    )
    return finding_for("directory.privileged_spn_weak_encryption", offenders)


@directory_check(
    "directory.privileged_disabled_members",
    title_en="Disabled accounts still members of privileged groups",
    title_fr="Comptes désactivés toujours membres de groupes privilégiés",
    severity=Severity.LOW,
    category=Category.PRIVILEGED,
)
def privileged_disabled_members(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Disabled users and computers in a Tier-0 group: re-enabling one restores its rights silently."""
    offenders = _privileged_members(snapshot).filter(
        pl.col("kind").is_in(["User", "Computer"]) & (pl.col("enabled") == False)  # noqa: E712 - null is unknown
    )
    return finding_for("directory.privileged_disabled_members", offenders)


@directory_check(
    "directory.privileged_smartcard_password_never_expires",
    title_en="Privileged smart-card accounts whose password never expires",
    title_fr="Comptes privilégiés à carte à puce dont le mot de passe n'expire jamais",
    severity=Severity.MEDIUM,
    category=Category.PRIVILEGED,
    anssi=("vuln_smartcard_expire_passwords",),
    levels=(4,),
)
def privileged_smartcard_password_never_expires(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled privileged users with SMARTCARD_REQUIRED and DONT_EXPIRE_PASSWORD.

    The NT hash of a smart-card account only changes when the password expires: without expiry a
    stolen hash stays valid for ever.
    """
    users = _require(_privileged_users(snapshot), "smartcard_required", "the SMARTCARD_REQUIRED flag")
    offenders = users.filter(pl.col("smartcard_required") & pl.col("pwdneverexpires").fill_null(value=False))
    return finding_for("directory.privileged_smartcard_password_never_expires", offenders)
