"""Domain anomaly checks: Guest account, Pre-Windows 2000 Compatible Access, inconsistent DC accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import is_well_known
from hygie.engines.directory.checks.common import finding_for
from hygie.engines.directory.checks.support import DC_LIKE, ENABLED, SID_DOMAIN, finding_with, require, with_evidence
from hygie.engines.directory.registry import Category, NotEvaluatedError, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_PRE_WINDOWS_2000 = ("S-1-5-32-554",)
_ANONYMOUS_OR_EVERYONE = ("S-1-5-7", "S-1-1-0")
_AUTHENTICATED_USERS = ("S-1-5-11",)


@directory_check(
    "directory.guest_enabled",
    title_en="Guest account enabled",
    title_fr="Compte Invité actif",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_guest",),
    levels=(2,),
)
def guest_enabled(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """The built-in Guest account (RID 501 of a domain) is enabled: a logon without a password."""
    guests = snapshot.principals.filter(
        (pl.col("kind") == "User") & pl.col("object_id").str.contains(r"^S-1-5-21-\d+-\d+-\d+-501$")
    )
    offenders = require(guests, ("enabled",), "the Guest account's state").filter(ENABLED)
    return finding_for("directory.guest_enabled", offenders)


def _pre_windows_2000_members(snapshot: Snapshot) -> pl.DataFrame:
    """Direct members (object_id, kind, name) of every domain's Pre-Windows 2000 Compatible Access group.

    SharpHound names built-in groups ``DOMAIN-S-1-5-32-554`` and well-known members the same way;
    members absent from the principal table (Anonymous, Everyone) keep their SID as name.
    """
    groups = snapshot.principals.filter((pl.col("kind") == "Group") & is_well_known(_PRE_WINDOWS_2000))
    if groups.is_empty():
        msg = "the collection has no Pre-Windows 2000 Compatible Access group"
        raise NotEvaluatedError(msg)
    members = (
        snapshot.edges.filter((pl.col("kind") == "MemberOf") & is_well_known(_PRE_WINDOWS_2000, "target"))
        .select(pl.col("source").alias("object_id"))
        .unique(maintain_order=True)
    )
    named = members.join(snapshot.principals.select("object_id", "kind", "name"), on="object_id", how="left")
    return named.with_columns(
        pl.col("kind").fill_null("Principal"), pl.coalesce(pl.col("name"), pl.col("object_id")).alias("name")
    )


@directory_check(
    "directory.pre_windows_2000_anonymous",
    title_en='"Pre-Windows 2000 Compatible Access" contains Anonymous or Everyone',
    title_fr='Le groupe "Pre-Windows 2000 Compatible Access" contient "Anonymous"',
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_compatible_2000_anonymous",),
    levels=(2,),
)
def pre_windows_2000_anonymous(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Anonymous Logon (S-1-5-7) or Everyone (S-1-1-0) in the group: anonymous reads of the directory."""
    members = _pre_windows_2000_members(snapshot)
    offenders = members.filter(is_well_known(_ANONYMOUS_OR_EVERYONE))
    return finding_for("directory.pre_windows_2000_anonymous", offenders)


@directory_check(
    "directory.pre_windows_2000_not_default",
    title_en='Members of "Pre-Windows 2000 Compatible Access" other than Authenticated Users',
    title_fr='Comptes ou groupes membres de "Pre-Windows 2000 Compatible Access"',
    severity=Severity.LOW,
    category=Category.ANOMALIES,
    anssi=("vuln_compatible_2000_not_default",),
    levels=(3,),
)
def pre_windows_2000_not_default(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Any member but Authenticated Users (S-1-5-11), the only one ANSSI accepts in the group."""
    members = _pre_windows_2000_members(snapshot)
    offenders = members.filter(~is_well_known(_AUTHENTICATED_USERS))
    return finding_for("directory.pre_windows_2000_not_default", offenders)


# userAccountControl bits (MS-ADTS 2.2.16).
_WORKSTATION_TRUST_ACCOUNT = 0x1000
_SERVER_TRUST_ACCOUNT = 0x2000
_TRUSTED_FOR_DELEGATION = 0x80000
_PARTIAL_SECRETS_ACCOUNT = 0x4000000


@directory_check(
    "directory.dc_inconsistent_uac",
    title_en="Domain controllers with an inconsistent userAccountControl",
    title_fr="Contrôleurs de domaine incohérents",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_dc_inconsistent_uac",),
    levels=(1,),
)
def dc_inconsistent_uac(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """DCs whose userAccountControl does not match their role.

    A writable DC has SERVER_TRUST_ACCOUNT (0x2000) and TRUSTED_FOR_DELEGATION (0x80000); an RODC
    has WORKSTATION_TRUST_ACCOUNT (0x1000) and PARTIAL_SECRETS_ACCOUNT (0x4000000) and no
    unconstrained delegation. Anything else is a leftover or a tampered account.
    """
    dcs = snapshot.principals.filter((pl.col("kind") == "Computer") & DC_LIKE)
    dcs = require(dcs, ("user_account_control",), "userAccountControl").filter(
        pl.col("user_account_control").is_not_null()
    )
    uac = pl.col("user_account_control")
    rodc = (
        pl.col("is_rodc").fill_null(value=False)
        | ((uac & _PARTIAL_SECRETS_ACCOUNT) != 0)
        | pl.col("primary_group_sid").str.ends_with("-521").fill_null(value=False)
    )
    writable_ok = ((uac & _SERVER_TRUST_ACCOUNT) != 0) & ((uac & _TRUSTED_FOR_DELEGATION) != 0)
    rodc_ok = (
        ((uac & _WORKSTATION_TRUST_ACCOUNT) != 0)
        & ((uac & _PARTIAL_SECRETS_ACCOUNT) != 0)
        & ((uac & _TRUSTED_FOR_DELEGATION) == 0)
    )
    offenders = dcs.filter(~pl.when(rodc).then(rodc_ok).otherwise(writable_ok))
    return finding_with("directory.dc_inconsistent_uac", offenders, ("user_account_control",))


_RODC_KRBTGT = pl.coalesce(pl.col("sam_account_name"), pl.col("name").str.split("@").list.first()).str.contains(
    r"(?i)^krbtgt_\d+$"
)
_RODC = pl.col("is_rodc").fill_null(value=False) | pl.col("primary_group_sid").str.ends_with("-521").fill_null(
    value=False
)


@directory_check(
    "directory.rodc_krbtgt_orphan",
    title_en="Orphan krbtgt accounts of read-only domain controllers",
    title_fr="Comptes krbtgt de RODC orphelins",
    severity=Severity.LOW,
    category=Category.ANOMALIES,
    anssi=("vuln_rodc_orphan_krbtgt",),
    levels=(3,),
)
def rodc_krbtgt_orphan(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """``krbtgt_NNNNN`` accounts of a domain that has fewer RODCs than such accounts.

    Each RODC has its own krbtgt account (linked by msDS-KrbTgtLink, which the snapshot does not
    keep); accounts beyond the RODC count outlived their RODC and still hold a key that signs
    tickets. Which of them is the orphan cannot be told without the link, so all of that domain's
    are named, with the counts in evidence.
    """
    principals = snapshot.principals.with_columns(SID_DOMAIN.alias("_domain"))
    accounts = principals.filter((pl.col("kind") == "User") & _RODC_KRBTGT)
    rodcs = principals.filter((pl.col("kind") == "Computer") & _RODC).group_by("_domain").agg(pl.len().alias("rodcs"))
    counts = accounts.group_by("_domain").agg(pl.len().alias("accounts")).join(rodcs, on="_domain", how="left")
    short = counts.filter(pl.col("accounts") > pl.col("rodcs").fill_null(0))
    offenders = accounts.join(short, on="_domain", how="semi")
    findings = finding_for("directory.rodc_krbtgt_orphan", offenders)
    return with_evidence(findings, domains=short.rename({"_domain": "domain_sid"}).to_dicts())
