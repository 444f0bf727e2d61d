"""Domain policy checks: machine account quota, functional levels, password policy, dSHeuristics, SYSVOL.

These read the ``domains`` table's policy columns, which only the LDAP and LDIF collectors fill:
on a SharpHound collection every check here is reported as not evaluated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.support import finding_with, require
from hygie.engines.directory.registry import Category, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot


def _domains(snapshot: Snapshot, columns: tuple[str, ...], what: str) -> pl.DataFrame:
    """The domain rows, with a ``kind`` column for findings; not evaluated when ``columns`` are all null."""
    return require(snapshot.domains, columns, what).with_columns(pl.lit("Domain").alias("kind"))


@directory_check(
    "directory.machine_account_quota",
    title_en="Any user can join computers to the domain (MachineAccountQuota above 0)",
    title_fr="Ajout de machines au domaine non limité",
    severity=Severity.MEDIUM,
    category=Category.ANOMALIES,
    anssi=("vuln_user_accounts_machineaccountquota",),
    levels=(4,),
)
def machine_account_quota(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains whose ms-DS-MachineAccountQuota is above 0 (10 by default): the start of RBCD and relay attacks."""
    domains = _domains(snapshot, ("machine_account_quota",), "ms-DS-MachineAccountQuota")
    offenders = domains.filter(pl.col("machine_account_quota") > 0)
    return finding_with("directory.machine_account_quota", offenders, ("machine_account_quota",))


# Functional levels as msDS-Behavior-Version numbers; the collectors write SharpHound's names.
_LEVELS = {"2000": 0, "2003": 2, "2008": 3, "2008 R2": 4, "2012": 5, "2012 R2": 6, "2016": 7, "2025": 10}


def _level(column: str) -> pl.Expr:
    """``column`` (``"2012 R2"``, ``"2000 Mixed/Native"``, or a bare number) as a behaviour version."""
    text = pl.col(column).str.strip_chars()
    named = text.str.extract(r"^(\d{4}(?: R2)?)", 1).replace_strict(_LEVELS, default=None, return_dtype=pl.Int64)
    number = text.str.extract(r"^(\d{1,2})$", 1).cast(pl.Int64, strict=False)
    return pl.coalesce(named, number)


def _below(snapshot: Snapshot, check_id: str, version: int) -> list[Finding]:
    """Domains whose domain or forest functional level is below ``version`` (behaviour version)."""
    domains = _domains(snapshot, ("functional_level", "forest_functional_level"), "functional levels")
    lowest = pl.min_horizontal(_level("functional_level"), _level("forest_functional_level"))
    offenders = domains.filter(lowest < version)
    return finding_with(check_id, offenders, ("functional_level", "forest_functional_level"))


# ANSSI's vuln_functional_level is evaluated at levels 1, 3 and 4. Our reading, one check per step:
# - level 1: below 2008 (Windows 2000/2003 levels): no AES for Kerberos, no fine-grained policies;
# - level 3: below 2012 R2: no Protected Users DC-side protections, no authentication policies;
# - level 4: below 2016: no automatic NTLM secret rolling for smart-card-only accounts, no PAM.


@directory_check(
    "directory.functional_level_below_2008",
    title_en="Domain or forest functional level below Windows Server 2008",
    title_fr="Niveau fonctionnel de la forêt ou du domaine inférieur à Windows Server 2008",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_functional_level",),
    levels=(1,),
)
def functional_level_below_2008(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains at the Windows 2000 or 2003 level (theirs or their forest's)."""
    return _below(snapshot, "directory.functional_level_below_2008", _LEVELS["2008"])


@directory_check(
    "directory.functional_level_below_2012r2",
    title_en="Domain or forest functional level below Windows Server 2012 R2",
    title_fr="Niveau fonctionnel de la forêt ou du domaine inférieur à Windows Server 2012 R2",
    severity=Severity.MEDIUM,
    category=Category.ANOMALIES,
    anssi=("vuln_functional_level",),
    levels=(3,),
)
def functional_level_below_2012r2(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains below the 2012 R2 level (theirs or their forest's)."""
    return _below(snapshot, "directory.functional_level_below_2012r2", _LEVELS["2012 R2"])


@directory_check(
    "directory.functional_level_below_2016",
    title_en="Domain or forest functional level below Windows Server 2016",
    title_fr="Niveau fonctionnel de la forêt ou du domaine inférieur à Windows Server 2016",
    severity=Severity.LOW,
    category=Category.ANOMALIES,
    anssi=("vuln_functional_level",),
    levels=(4,),
)
def functional_level_below_2016(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains below the 2016 level (theirs or their forest's)."""
    return _below(snapshot, "directory.functional_level_below_2016", _LEVELS["2016"])


# Password policy thresholds. Sources: ANSSI "Recommandations relatives à l'authentification
# multifacteur et aux mots de passe" (2021: at least 12 characters for a password guarding
# ordinary access, lockout against online guessing) and CNIL délibération 2022-100 (12
# characters with complexity); history of 24 is Microsoft's security baseline value.
MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_HISTORY = 24
_COMPLEX = 1  # DOMAIN_PASSWORD_COMPLEX
_STORE_CLEARTEXT = 16  # DOMAIN_PASSWORD_STORE_CLEARTEXT


@directory_check(
    "directory.password_policy_weak",
    title_en="Weak default domain password policy",
    title_fr="Politique de mot de passe du domaine faible",
    severity=Severity.MEDIUM,
    category=Category.ANOMALIES,
)
def password_policy_weak(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains whose default policy has fewer than 12 characters, no complexity, no lockout or a short history.

    ``evidence.objects[].weaknesses`` says which rules fail. No ANSSI id covers the default policy.
    """
    domains = _domains(
        snapshot, ("min_pwd_length", "pwd_properties", "lockout_threshold", "pwd_history_length"), "password policy"
    )
    weaknesses = pl.concat_list(
        pl.when(pl.col("min_pwd_length") < MIN_PASSWORD_LENGTH).then(pl.lit("minimum length below 12")),
        pl.when((pl.col("pwd_properties") & _COMPLEX) == 0).then(pl.lit("complexity disabled")),
        pl.when(pl.col("lockout_threshold") == 0).then(pl.lit("no account lockout")),
        pl.when(pl.col("pwd_history_length") < MIN_PASSWORD_HISTORY).then(pl.lit("history below 24")),
    ).list.drop_nulls()
    offenders = domains.with_columns(weaknesses.alias("weaknesses")).filter(pl.col("weaknesses").list.len() > 0)
    return finding_with("directory.password_policy_weak", offenders, ("weaknesses",))


@directory_check(
    "directory.policy_reversible_encryption",
    title_en="Domain password policy stores passwords with reversible encryption",
    title_fr="La politique de mot de passe du domaine stocke les mots de passe de manière réversible",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
)
def policy_reversible_encryption(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains with DOMAIN_PASSWORD_STORE_CLEARTEXT (16) in pwdProperties: every password readable back.

    ANSSI's reversible-password controls are for privileged accounts; no id for the domain policy.
    """
    domains = _domains(snapshot, ("pwd_properties",), "pwdProperties")
    offenders = domains.filter((pl.col("pwd_properties") & _STORE_CLEARTEXT) != 0)
    return finding_with("directory.policy_reversible_encryption", offenders, ("pwd_properties",))


# dSHeuristics (MS-ADTS 6.1.1.2.4.1.2), 1-based character positions: 7 is fLDAPBlockAnonOps ("2"
# lets anonymous users run LDAP operations beyond rootDSE), 16 is dwAdminSDExMask (any value but
# "0" takes operator groups out of AdminSDHolder protection). Null means unset: the safe default.
_ANON_POSITION = 7
_ADMINSD_POSITION = 16


def _heuristic(position: int) -> pl.Expr:
    return pl.col("dsheuristics").fill_null("").str.slice(position - 1, 1)


def _dsheuristics_domains(snapshot: Snapshot) -> pl.DataFrame:
    # An unset dSHeuristics is null too, so a collection is trusted to have read it when it read
    # the other attributes of the domain's policy (SharpHound reads none of them).
    return _domains(snapshot, ("dsheuristics", "machine_account_quota", "min_pwd_length"), "dSHeuristics")


@directory_check(
    "directory.dsheuristics_anonymous",
    title_en="dSHeuristics allows anonymous LDAP operations",
    title_fr="Paramètres dSHeuristics dangereux : opérations LDAP anonymes autorisées",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_dsheuristics_bad",),
    levels=(1,),
)
def dsheuristics_anonymous(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Forests whose dSHeuristics has "2" at position 7 (fLDAPBlockAnonOps)."""
    offenders = _dsheuristics_domains(snapshot).filter(_heuristic(_ANON_POSITION) == "2")
    return finding_with("directory.dsheuristics_anonymous", offenders, ("dsheuristics",))


@directory_check(
    "directory.dsheuristics_adminsdexmask",
    title_en="dSHeuristics removes operator groups from AdminSDHolder protection",
    title_fr="Paramètres dSHeuristics dangereux : groupes d'opérateurs exclus d'AdminSDHolder",
    severity=Severity.MEDIUM,
    category=Category.ANOMALIES,
    anssi=("vuln_dsheuristics_bad",),
    levels=(2,),
)
def dsheuristics_adminsdexmask(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Forests whose dSHeuristics has a non-zero dwAdminSDExMask at position 16."""
    mask = _heuristic(_ADMINSD_POSITION)
    offenders = _dsheuristics_domains(snapshot).filter((mask != "") & (mask != "0"))
    return finding_with("directory.dsheuristics_adminsdexmask", offenders, ("dsheuristics",))


@directory_check(
    "directory.sysvol_frs",
    title_en="SYSVOL still replicated with FRS",
    title_fr="Utilisation de NTFRS pour la réplication du SYSVOL",
    severity=Severity.MEDIUM,
    category=Category.ANOMALIES,
    anssi=("vuln_sysvol_ntfrs",),
    levels=(2,),
)
def sysvol_frs(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains replicating SYSVOL with the deprecated FRS instead of DFSR."""
    domains = _domains(snapshot, ("sysvol_replication",), "the SYSVOL replication method")
    offenders = domains.filter(pl.col("sysvol_replication").str.to_uppercase().str.contains("FRS"))
    offenders = offenders.filter(~pl.col("sysvol_replication").str.to_uppercase().str.contains("DFSR"))
    return finding_with("directory.sysvol_frs", offenders, ("sysvol_replication",))


#: Schema objectVersion of Windows Server 2016 (87): older schemas predate the 2016 security
#: features (PAM, key trust); ANSSI's vuln_adupdate_bad flags directories left at old versions.
MIN_SCHEMA_VERSION = 87


@directory_check(
    "directory.schema_outdated",
    title_en="Active Directory schema older than Windows Server 2016",
    title_fr="Mauvaises versions de l'Active Directory",
    severity=Severity.LOW,
    category=Category.ANOMALIES,
    anssi=("vuln_adupdate_bad",),
    levels=(2,),
)
def schema_outdated(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Domains whose schema objectVersion is below 87 (Windows Server 2016)."""
    domains = _domains(snapshot, ("schema_version",), "the schema version")
    offenders = domains.filter(pl.col("schema_version") < MIN_SCHEMA_VERSION)
    return finding_with("directory.schema_outdated", offenders, ("schema_version",))
